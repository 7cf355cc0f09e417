package metrics

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestRequireToken(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("metrics")) })
	tests := []struct {
		name, token, header string
		code                int
		body                string
	}{
		{name: "no token configured", token: "", header: "", code: 200, body: "metrics"},
		{name: "right token", token: "s3cret-metrics-token", header: "Bearer s3cret-metrics-token", code: 200, body: "metrics"},
		{name: "scheme in lower case", token: "s3cret-metrics-token", header: "bearer s3cret-metrics-token", code: 200, body: "metrics"},
		{name: "no header", token: "s3cret-metrics-token", header: "", code: 401, body: "needs a bearer token"},
		{name: "basic auth", token: "s3cret-metrics-token", header: "Basic czNjcmV0", code: 401, body: "needs a bearer token"},
		{name: "empty bearer", token: "s3cret-metrics-token", header: "Bearer ", code: 401, body: "needs a bearer token"},
		{name: "wrong token", token: "s3cret-metrics-token", header: "Bearer s3cret-metrics-tokeN", code: 401, body: "wrong metrics token"},
		{name: "prefix of the token", token: "s3cret-metrics-token", header: "Bearer s3cret", code: 401, body: "wrong metrics token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			w := httptest.NewRecorder()
			RequireToken(tc.token, ok).ServeHTTP(w, req)
			if w.Code != tc.code || !strings.Contains(w.Body.String(), tc.body) {
				t.Errorf("%d %q, want %d containing %q", w.Code, w.Body.String(), tc.code, tc.body)
			}
			if tc.code == 401 && w.Header().Get("WWW-Authenticate") == "" {
				t.Error("401 without WWW-Authenticate")
			}
		})
	}
}
