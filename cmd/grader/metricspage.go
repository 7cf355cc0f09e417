package main

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/gradebox/grader/metrics"
)

// loadMetricsToken reads MetricsTokenFile, when set, into MetricsToken:
// its first line, spaces trimmed. Setting both the file and
// GRADER_METRICS_TOKEN is refused, so it is clear which one is in force.
func (c *ServiceConfig) loadMetricsToken() error {
	if c.MetricsTokenFile == "" {
		return nil
	}
	if c.MetricsToken != "" {
		return fmt.Errorf("both GRADER_METRICS_TOKEN and --metrics-token-file (GRADER_METRICS_TOKEN_FILE) are set: keep one")
	}
	b, err := os.ReadFile(c.MetricsTokenFile)
	if err != nil {
		return fmt.Errorf("read metrics token: %w", err)
	}
	line, _, _ := bytes.Cut(b, []byte("\n"))
	token := strings.TrimSpace(string(line))
	if token == "" {
		return fmt.Errorf("metrics token file %s: its first line is empty", c.MetricsTokenFile)
	}
	c.MetricsToken = token
	return nil
}

// metricsPage serves m's metrics, behind the metrics token when there is
// one.
func metricsPage(m *metrics.Metrics, token string) http.Handler {
	return metrics.RequireToken(token, m.Handler())
}

// metricsServer serves the metrics page and /healthz on addr: a lone
// worker's, or an API's that keeps them off its own address.
func metricsServer(addr string, page http.Handler) *http.Server {
	mux := http.NewServeMux()
	mux.Handle("/metrics", page)
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, `{"status":"ok"}`) })
	return &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
}
