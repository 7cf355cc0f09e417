//go:build integration

package e2e

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// TestFeedbackPolicyScoreOnlyUntilDue: an instructor sets notes-api of a
// cohort to show the score only until the due date and everything after
// it. Alice submits the starter in the cohort: before the due date the
// CLI, the API and the submission page name none of the tests and say
// when more comes; once the due date has passed (moved into the past by
// the instructor), the API and the page show every test, hidden ones
// included, with their messages.
func TestFeedbackPolicyScoreOnlyUntilDue(t *testing.T) {
	svc := startDevService(t, "e2e-policy")
	const teacher, alice = "dev-instructor-token-0003", "dev-learner-alice-0001"
	ch, err := challenges.Load("../challenges/notes-api")
	if err != nil {
		t.Fatal(err)
	}
	hidden := hiddenNames(t, ch)
	var all []string
	for _, s := range ch.Suites {
		for _, tc := range s.Tests {
			all = append(all, tc.Name)
		}
	}
	cohort := func(method, path string, due time.Time) {
		t.Helper()
		body := `{"id":"policy-26","learners":["alice"],"challenges":["notes-api"],"due_at":"` + due.UTC().Format(time.RFC3339) + `",
			"policies":{"notes-api":{"before_due":"score","after_due":"all"}}}`
		req, _ := http.NewRequest(method, svc.url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+teacher)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
	}
	cohort(http.MethodPost, "/v1/cohorts", time.Now().Add(24*time.Hour))

	cmd := exec.Command(os.Getenv("GRADER_BIN"), "submit", "--server", svc.url, "--token", alice, "--challenge", "notes-api",
		"--cohort", "policy-26", "--wait", "--quiet", "../challenges/notes-api/starter")
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("grader submit of the starter in the cohort: %v, want exit 1\n%s", err, out)
	}
	mustNotName(t, "grader submit before the due date", out, all)
	if !bytes.Contains(out, []byte("only the score until the due date")) {
		t.Errorf("grader submit does not say what is held back:\n%s", out)
	}
	var list struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	getJSON(t, svc.url, alice, "/v1/submissions?challenge=notes-api", &list)
	if len(list.Items) != 1 {
		t.Fatalf("alice has %d submissions, want 1", len(list.Items))
	}
	id := list.Items[0].ID
	_, before := getJSON(t, svc.url, alice, "/v1/submissions/"+id, nil)
	mustNotName(t, "the learner's GET before the due date", before, all)

	b := newBrowser(t, svc.url)
	b.open("/", "#signin-form")
	b.do("sign in as alice", chromedp.Click(chromedp.CSS(`[data-dev-token="`+alice+`"]`)))
	b.waitFor("the catalog", `location.pathname === '/challenges'`, 15*time.Second)
	b.open("/submissions/"+id, "#score-card")
	b.waitFor("the feedback note", `!!document.querySelector('#feedback-note')`, 15*time.Second)
	if note := b.text("#feedback-note"); !strings.Contains(note, "only the score until the due date") {
		t.Errorf("the page's note before the due date: %q", note)
	}
	mustNotName(t, "the submission page before the due date", []byte(b.text("body")), all)
	b.shot(desktop, "30-policy-score-only")

	// The due date passes.
	cohort(http.MethodPut, "/v1/cohorts/policy-26", time.Now().Add(-time.Minute))
	var after struct {
		Result grader.Result `json:"result"`
	}
	getJSON(t, svc.url, alice, "/v1/submissions/"+id, &after)
	shown := map[string]bool{}
	for _, tr := range after.Result.Tests {
		shown[tr.Name] = true
		if tr.Visibility == grader.Hidden && tr.Output != "" {
			t.Errorf("after the due date hidden test %s shows its output", tr.Name)
		}
	}
	for _, n := range all {
		if !shown[n] {
			t.Errorf("after the due date the learner's result does not show test %q", n)
		}
	}
	b.open("/submissions/"+id, "#score-card")
	b.waitFor("every test", `!!document.querySelector('#tests')`, 15*time.Second)
	page := b.text("body")
	for _, n := range hidden {
		if !strings.Contains(page, n) {
			t.Errorf("after the due date the page does not show hidden test %q", n)
		}
	}
	b.shot(desktop, "31-policy-after-due")
}

// mustNotName fails for each of names found in body.
func mustNotName(t *testing.T, what string, body []byte, names []string) {
	t.Helper()
	for _, n := range names {
		if bytes.Contains(body, []byte(n)) {
			t.Errorf("%s names test %q", what, n)
		}
	}
}
