package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gradebox/grader/internal/miniredistest"
	"github.com/gradebox/grader/internal/syncbuf"
)

// TestServeMetricsOnASeparateAddress runs `grader serve --no-worker` with
// --metrics-listen and a metrics token file: /metrics moves off the API's
// address and asks for the token there.
func TestServeMetricsOnASeparateAddress(t *testing.T) {
	mr, _ := miniredistest.New(t)
	t.Setenv("GRADER_TOKENS", "learner:ada:ada-token-0123456789")
	t.Setenv("GRADER_METRICS_LISTEN", "")
	t.Setenv("GRADER_METRICS_TOKEN", "")
	tokenFile := filepath.Join(t.TempDir(), "metrics-token")
	if err := os.WriteFile(tokenFile, []byte("metrics-token-0123456789\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncbuf.Buffer
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"--catalog", "../../challenges", "serve", "--no-worker", "--redis-url", "redis://" + mr.Addr(),
			"--listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--metrics-token-file", tokenFile}, io.Discard, &stderr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve exited %d:\n%s", code, stderr.String())
		}
	}()

	apiURL := regexp.MustCompile(`serving on (http://[0-9.:]+)`)
	metricsURL := regexp.MustCompile(`msg="serving metrics" url=(http://\S+/metrics) token=true`)
	waitFor(t, "both addresses to be served", func() bool {
		l := stderr.String()
		return apiURL.MatchString(l) && metricsURL.MatchString(l)
	})
	l := stderr.String()
	apiBase, metrics := apiURL.FindStringSubmatch(l)[1], metricsURL.FindStringSubmatch(l)[1]

	get := func(url, token string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodGet, url, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(metrics, "metrics-token-0123456789"); code != 200 || !strings.Contains(body, "grader_queue_oldest_pending_seconds") {
		t.Errorf("metrics with the token: %d\n%.300s", code, body)
	}
	if code, body := get(metrics, ""); code != 401 || !strings.Contains(body, "bearer token") {
		t.Errorf("metrics without the token: %d %q", code, body)
	}
	if code, _ := get(metrics, "ada-token-0123456789"); code != 401 {
		t.Errorf("metrics with an API token: %d", code)
	}
	if code, _ := get(apiBase+"/metrics", "metrics-token-0123456789"); code != 404 {
		t.Errorf("the API's address still serves /metrics: %d", code)
	}
	if code, _ := get(apiBase+"/healthz", ""); code != 200 {
		t.Errorf("the API's /healthz: %d", code)
	}
}
