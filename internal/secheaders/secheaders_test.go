package secheaders

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPolicyIsStrict(t *testing.T) {
	for _, weak := range []string{"unsafe-inline", "unsafe-eval", "*", "data:", "http:"} {
		if strings.Contains(ContentSecurityPolicy, weak) {
			t.Errorf("the policy allows %q", weak)
		}
	}
	for _, must := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "require-trusted-types-for 'script'"} {
		if !strings.Contains(ContentSecurityPolicy, must) {
			t.Errorf("the policy lacks %q", must)
		}
	}
}

// TestHandlerSetsBeforeServing: the headers are there when next writes,
// and next may replace Cache-Control for public content.
func TestHandlerSetsBeforeServing(t *testing.T) {
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/public" {
			w.Header().Set("Cache-Control", "no-cache")
		}
		http.Error(w, "nope", http.StatusTeapot)
	}))
	for path, cache := range map[string]string{"/": "no-store", "/public": "no-cache"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, path, nil))
		hd := w.Header()
		if hd.Get("Content-Security-Policy") != ContentSecurityPolicy || hd.Get("X-Content-Type-Options") != "nosniff" ||
			hd.Get("X-Frame-Options") != "DENY" || hd.Get("Referrer-Policy") != "no-referrer" || hd.Get("Cache-Control") != cache {
			t.Errorf("%s: headers %v, want the security headers and Cache-Control %s", path, hd, cache)
		}
	}
}
