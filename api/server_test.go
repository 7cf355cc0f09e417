package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/gin-gonic/gin"
	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/metrics"
)

func TestHealth(t *testing.T) {
	env := newEnv(t)
	if code, out := env.do(t, get("/healthz", "")); code != 200 || out["status"] != "ok" {
		t.Errorf("healthz: %d %v", code, out)
	}
	if code, out := env.do(t, get("/readyz", "")); code != 200 || out["status"] != "ready" {
		t.Errorf("readyz without checks: %d %v", code, out)
	}
}

func TestReadyz(t *testing.T) {
	ok := func(ctx context.Context) error { return nil }
	down := func(ctx context.Context) error { return errors.New("dial tcp 127.0.0.1:6379: connection refused") }
	hung := func(ctx context.Context) error { <-ctx.Done(); time.Sleep(10 * time.Millisecond); return ctx.Err() }
	deaf := func(ctx context.Context) error { time.Sleep(CheckTimeout + time.Second); return nil }
	tests := []struct {
		name   string
		checks []Check
		status int
		want   map[string]any
	}{
		{"all ok", []Check{{"redis", ok}, {"catalog", ok}}, 200, map[string]any{"status": "ready", "checks": map[string]any{"redis": "ok", "catalog": "ok"}}},
		{"one down", []Check{{"redis", down}, {"catalog", ok}}, 503, map[string]any{"status": "unavailable",
			"checks": map[string]any{"redis": "dial tcp 127.0.0.1:6379: connection refused", "catalog": "ok"}}},
		{"hung and deaf probes time out together", []Check{{"redis", hung}, {"docker", deaf}, {"catalog", ok}}, 503, map[string]any{"status": "unavailable",
			"checks": map[string]any{"redis": "no answer within 2s", "docker": "no answer within 2s", "catalog": "ok"}}},
		{"no probe", []Check{{"x", nil}}, 503, map[string]any{"status": "unavailable", "checks": map[string]any{"x": "no probe"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t, func(c *Config) { c.Ready = tc.checks })
			start := time.Now()
			code, out := env.do(t, get("/readyz", ""))
			if d := time.Since(start); d > CheckTimeout+500*time.Millisecond {
				t.Errorf("took %s: checks must run in parallel, each within %s", d, CheckTimeout)
			}
			if diff := cmp.Diff(tc.want, out); code != tc.status || diff != "" {
				t.Errorf("%d (-want +got):\n%s", code, diff)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	m := metrics.New()
	env := newEnv(t, func(c *Config) { c.Metrics, c.MetricsPage = m, m.Handler() })
	gradedFixture(env)
	env.serve(get("/v1/submissions/s1", adaToken))
	env.serve(get("/v1/submissions/other", adaToken))
	env.serve(get("/v1/no/such/route", adaToken))
	w := env.serve(get("/metrics", ""))
	body := w.Body.String()
	for _, want := range []string{
		`grader_http_request_duration_seconds_count{code="200",method="GET",route="/v1/submissions/:id"} 1`,
		`grader_http_request_duration_seconds_count{code="404",method="GET",route="/v1/submissions/:id"} 1`,
		`grader_http_request_duration_seconds_count{code="404",method="GET",route="unmatched"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if w.Code != 200 || strings.Contains(body, "s1") {
		t.Errorf("%d; raw paths must not become labels:\n%s", w.Code, body)
	}
	// Without a page there is no /metrics route (the process serves it
	// elsewhere), and requests are still timed.
	elsewhere := metrics.New()
	env = newEnv(t, func(c *Config) { c.Metrics = elsewhere })
	if w := env.serve(get("/metrics", "")); w.Code != 404 {
		t.Errorf("/metrics without MetricsPage: %d", w.Code)
	}
	page := httptest.NewRecorder()
	elsewhere.Handler().ServeHTTP(page, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(page.Body.String(), `route="unmatched"} 1`) {
		t.Errorf("a request to a process without the page is not timed:\n%s", page.Body.String())
	}
	// A guarded page answers 401 without its token, whatever API token
	// is sent.
	env = newEnv(t, func(c *Config) {
		c.Metrics, c.MetricsPage = m, metrics.RequireToken("metrics-token-0123456789", m.Handler())
	})
	if w := env.serve(get("/metrics", adaToken)); w.Code != 401 {
		t.Errorf("/metrics with an API token instead of the metrics token: %d", w.Code)
	}
	if w := env.serve(get("/metrics", "metrics-token-0123456789")); w.Code != 200 {
		t.Errorf("/metrics with its token: %d %s", w.Code, w.Body.String())
	}
}

func TestPanicIsInternalError(t *testing.T) {
	env := newEnv(t)
	env.st.RecordFn = nil // a nil function field panics when called
	code, out := env.do(t, get("/v1/submissions/s1", adaToken))
	if code != 500 || errCode(out) != CodeInternal || !strings.Contains(env.logs.String(), "panic") {
		t.Errorf("%d %v; log %q", code, out, env.logs)
	}
}

func TestHTTPServer(t *testing.T) {
	hs := newEnv(t).srv.HTTPServer(":8080")
	got := []any{hs.Addr, hs.ReadHeaderTimeout, hs.ReadTimeout, hs.WriteTimeout, hs.IdleTimeout, hs.MaxHeaderBytes, hs.Handler != nil, hs.ErrorLog != nil}
	want := []any{":8080", 5 * time.Second, 60 * time.Second, time.Duration(0), 120 * time.Second, 64 << 10, true, true}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestErrorTable(t *testing.T) {
	for code, status := range map[string]int{CodeRateLimited: 429, CodeConflict: 409, CodeMethodNotAllowed: 405, CodeTooLarge: 413, "made_up": 500} {
		if got := StatusOf(code); got != status {
			t.Errorf("StatusOf(%s) = %d, want %d", code, got, status)
		}
	}
}

// TestOpenAPI: the document is valid OpenAPI 3, every route of the router
// is documented and every documented operation is routed.
func TestOpenAPI(t *testing.T) {
	env := newEnv(t, func(c *Config) { m := metrics.New(); c.Metrics, c.MetricsPage = m, m.Handler() })
	w := env.serve(get("/v1/openapi.json", ""))
	if w.Code != 200 || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %v", w.Code, w.Header())
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(w.Body.Bytes())
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("validate: %v", err)
	}
	var routed []string
	for _, r := range env.srv.router.Routes() {
		routed = append(routed, r.Method+" "+ginToOpenAPI(r.Path))
	}
	var documented []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			documented = append(documented, method+" "+path)
			if op.OperationID == "" || op.Responses == nil || op.Responses.Len() == 0 {
				t.Errorf("%s %s: no operationId or responses", method, path)
			}
			for code, resp := range op.Responses.Map() {
				if code[0] >= '4' && resp.Ref == "" && (resp.Value == nil || resp.Value.Content.Get("application/json") == nil) {
					t.Errorf("%s %s %s: error response without the error schema", method, path, code)
				}
			}
		}
		for _, p := range item.Parameters {
			t.Errorf("%s: path-level parameters are not used here: %v", path, p)
		}
	}
	sort.Strings(routed)
	sort.Strings(documented)
	if diff := cmp.Diff(routed, documented); diff != "" {
		t.Errorf("routes (-routed +documented):\n%s", diff)
	}
	// Every /v1 operation but the document itself and the public keys
	// needs the bearer token.
	public := map[string]bool{"/v1/openapi.json": true, "/v1/keys": true}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			open := op.Security != nil && len(*op.Security) == 0
			if strings.HasPrefix(path, "/v1/") && !public[path] && open {
				t.Errorf("%s %s is documented without authentication", method, path)
			}
			if (!strings.HasPrefix(path, "/v1/") || public[path]) && !open {
				t.Errorf("%s %s is open but documented as authenticated", method, path)
			}
		}
	}
	// The error codes of the schema are the codes of the table.
	var codes []string
	for _, v := range doc.Components.Schemas["Error"].Value.Properties["code"].Value.Enum {
		codes = append(codes, v.(string))
	}
	var table []string
	for c := range codeStatus {
		table = append(table, c)
	}
	sort.Strings(codes)
	sort.Strings(table)
	if diff := cmp.Diff(table, codes); diff != "" {
		t.Errorf("error codes (-table +documented):\n%s", diff)
	}
}

// ginToOpenAPI turns "/a/:id" into "/a/{id}".
func ginToOpenAPI(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.HasPrefix(s, ":") || strings.HasPrefix(s, "*") {
			parts[i] = "{" + s[1:] + "}"
		}
	}
	return strings.Join(parts, "/")
}

var _ gin.HandlerFunc = serveOpenAPI

func TestOpenAPIDocumentsEveryResponseStatus(t *testing.T) {
	// Statuses the handlers answer that the document must list, per
	// operation.
	doc, err := openapi3.NewLoader().LoadFromData(OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"POST /v1/submissions":                {"200", "202", "400", "401", "403", "404", "409", "413", "429", "500", "503"},
		"GET /v1/submissions":                 {"200", "400", "401"},
		"GET /v1/submissions/{id}":            {"200", "401", "404"},
		"GET /v1/submissions/{id}/events":     {"200", "400", "401", "404"},
		"GET /v1/challenges/{id}/leaderboard": {"200", "400", "401", "404"},
		"GET /v1/challenges/{id}/starter":     {"200", "400", "401", "404"},
		"GET /readyz":                         {"200", "503"},
	}
	for op, statuses := range want {
		method, path, _ := strings.Cut(op, " ")
		o := doc.Paths.Find(path).GetOperation(method)
		for _, s := range statuses {
			if o.Responses.Status(atoi(s)) == nil {
				t.Errorf("%s does not document %s", op, s)
			}
		}
	}
	_ = http.StatusOK
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestWebServesPagesOutsideTheAPI(t *testing.T) {
	web := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<p>page " + r.URL.Path + "</p>"))
	})
	env := newEnv(t, func(c *Config) { c.Web = web })
	for _, path := range []string{"/", "/challenges/notes-api", "/assets/app.js"} {
		w := env.serve(get(path, ""))
		if w.Code != 200 || w.Body.String() != "<p>page "+path+"</p>" {
			t.Errorf("GET %s: %d %q, want the page", path, w.Code, w.Body.String())
		}
	}
	// The API keeps its own 404s and methods.
	if code, out := env.do(t, get("/v1/nope", "")); code != 404 || out["error"] == nil {
		t.Errorf("GET /v1/nope: %d %v, want the API's JSON 404", code, out)
	}
	req := get("/", "")
	req.method = http.MethodPost
	if w := env.serve(req); w.Code != 404 || strings.Contains(w.Body.String(), "page") {
		t.Errorf("POST /: %d %q, want no page", w.Code, w.Body.String())
	}
}
