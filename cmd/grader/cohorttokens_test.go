package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// TestCohortRevoke: revoke sends one DELETE per learner and says what it
// did; a learner holding no token is a refused request (exit 2), the
// others are still revoked.
func TestCohortRevoke(t *testing.T) {
	var mu sync.Mutex
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		asked = append(asked, r.Method+" "+r.URL.EscapedPath()+" "+r.Header.Get("Authorization"))
		mu.Unlock()
		if strings.HasSuffix(r.URL.Path, "/eve") {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"error":{"code":"not_found","message":"\"eve\" holds no token of cohort k"}}`)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	code, out, errOut := runCLI(t, "cohort", "revoke", "--server", srv.URL, "--token", "teach", "--cohort", "k", "--learners", "ada,bob")
	if code != 0 || !strings.Contains(out, "revoked the token of ada in cohort k") || !strings.Contains(out, "revoked the token of bob in cohort k") {
		t.Errorf("revoke: exit %d %q %s", code, out, errOut)
	}
	want := []string{"DELETE /v1/cohorts/k/tokens/ada Bearer teach", "DELETE /v1/cohorts/k/tokens/bob Bearer teach"}
	if !slices.Equal(asked, want) {
		t.Errorf("asked %v, want %v", asked, want)
	}
	asked = nil
	code, out, errOut = runCLI(t, "cohort", "revoke", "--server", srv.URL, "--token", "teach", "--cohort", "k", "--learners", "eve,ada")
	if code != exitUsage || !strings.Contains(errOut, "holds no token") || !strings.Contains(out, "revoked the token of ada") {
		t.Errorf("a learner without a token: exit %d %q %q", code, out, errOut)
	}
	if len(asked) != 2 {
		t.Errorf("asked %v, want both learners tried", asked)
	}
	if code, _, errOut := runCLI(t, "cohort", "revoke", "--server", srv.URL, "--token", "teach", "--cohort", "k"); code != exitUsage || !strings.Contains(errOut, "--learners") {
		t.Errorf("no learners: exit %d %s", code, errOut)
	}
}
