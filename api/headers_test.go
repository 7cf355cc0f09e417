package api

import (
	"net/http"
	"testing"

	"github.com/gradebox/grader/internal/secheaders"
)

// TestSecurityHeadersOnEveryAnswer: answers of the API, the pages, errors,
// 404s, 405s, redirects, recovered panics and event streams all carry the
// security headers; everything but public pages is no-store.
func TestSecurityHeadersOnEveryAnswer(t *testing.T) {
	pages := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/boom" {
			panic("page failed")
		}
		w.Header().Set("Cache-Control", "no-cache") // public, as the web package serves pages
		w.Write([]byte("<!doctype html>"))
	})
	env := streamEnv(t)
	env.srv = New(func() Config { c := env.srv.cfg; c.Web = pages; return c }())
	tests := []struct {
		name       string
		req        request
		wantStatus int
		wantCache  string
	}{
		{"health", get("/healthz", ""), http.StatusOK, "no-store"},
		{"openapi", get("/v1/openapi.json", ""), http.StatusOK, "no-store"},
		{"authenticated data", get("/v1/me", adaToken), http.StatusOK, "no-store"},
		{"a submission", get("/v1/submissions/s1", adaToken), http.StatusOK, "no-store"},
		{"event stream", get("/v1/submissions/s1/events", adaToken), http.StatusOK, "no-store"},
		{"no token", get("/v1/me", ""), http.StatusUnauthorized, "no-store"},
		{"not found", get("/v1/nope", adaToken), http.StatusNotFound, "no-store"},
		{"someone else's", get("/v1/submissions/s1", bobToken), http.StatusNotFound, "no-store"},
		{"method not allowed", request{method: http.MethodDelete, path: "/healthz"}, http.StatusMethodNotAllowed, "no-store"},
		{"trailing slash redirect", get("/v1/me/", adaToken), http.StatusMovedPermanently, "no-store"},
		{"page", get("/challenges", ""), http.StatusOK, "no-cache"},
		{"page that panics", get("/boom", ""), http.StatusInternalServerError, "no-store"},
		{"post outside /v1", request{method: http.MethodPost, path: "/"}, http.StatusNotFound, "no-store"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := env.serve(tc.req)
			if w.Code != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.wantStatus, w.Body)
			}
			hd := w.Header()
			for name, want := range map[string]string{
				"Content-Security-Policy": secheaders.ContentSecurityPolicy,
				"X-Content-Type-Options":  "nosniff",
				"X-Frame-Options":         "DENY",
				"Referrer-Policy":         "no-referrer",
				"Cache-Control":           tc.wantCache,
			} {
				if got := hd.Get(name); got != want {
					t.Errorf("%s: %q, want %q", name, got, want)
				}
			}
		})
	}
}
