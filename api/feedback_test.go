package api

import (
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/miniredistest"
	"github.com/gradebox/grader/store"
)

// testClock is a settable Config.Now.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

var policyStart = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// TestFeedbackPolicyScoreOnlyUntilDue: a learner of a cohort whose
// challenge shows the score only until the due date sees no test name
// before it, by GET and in the done event, and every test's name and
// message after it; an instructor sees everything throughout.
func TestFeedbackPolicyScoreOnlyUntilDue(t *testing.T) {
	clock := &testClock{t: policyStart}
	env := newCohortEnv(t, func(c *Config) { c.Now = clock.Now })
	due := policyStart.Add(24 * time.Hour).Format(time.RFC3339)
	if code, out := env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, `{"id":"spring","learners":["ada"],"challenges":["notes-api"],"due_at":"`+due+`",
		"policies":{"notes-api":{"before_due":"score","after_due":"all"}}}`)); code != 201 || !strings.Contains(jsonString(t, out), `"before_due":"score"`) {
		t.Fatalf("create a cohort with a policy: %d %v", code, out)
	}
	_, out := env.do(t, postForm(t, adaToken, map[string]string{"challenge": "notes-api", "cohort": "spring"}, goodZip(t)))
	id := out["id"].(string)
	env.gradeAs(t, id, 2,
		grader.TestResult{Name: "VISIBLE-create", Status: grader.TestPassed, Points: 2, MaxPoints: 2, Visibility: grader.Visible},
		grader.TestResult{Name: "VISIBLE-list", Status: grader.TestFailed, MaxPoints: 1, Visibility: grader.Visible, Message: "VISIBLE-why"},
		grader.TestResult{Name: "HIDDEN-edge", Status: grader.TestFailed, MaxPoints: 2, Visibility: grader.Hidden, Message: "HIDDEN-why", Output: "HIDDEN-output"})

	before := env.serve(get("/v1/submissions/"+id, adaToken)).Body.String()
	for _, s := range []string{"VISIBLE-", "HIDDEN-"} {
		if strings.Contains(before, s) {
			t.Errorf("before the due date the learner sees %s: %s", s, before)
		}
	}
	if !strings.Contains(before, `"score":2`) || !strings.Contains(before, `"feedback":{"level":"score","more_at":"`+due+`"}`) {
		t.Errorf("before the due date: %s", before)
	}
	events := env.serve(get("/v1/submissions/"+id+"/events", adaToken)).Body.String()
	if strings.Contains(events, "VISIBLE-") || strings.Contains(events, "HIDDEN-") || !strings.Contains(events, "event: done") {
		t.Errorf("the learner's event stream before the due date: %s", events)
	}
	if staff := env.serve(get("/v1/submissions/"+id, teachToken)).Body.String(); !strings.Contains(staff, "HIDDEN-output") {
		t.Errorf("the instructor's view is trimmed: %s", staff)
	}

	clock.Set(policyStart.Add(25 * time.Hour))
	after := env.serve(get("/v1/submissions/"+id, adaToken)).Body.String()
	for _, s := range []string{"VISIBLE-create", "VISIBLE-why", "HIDDEN-edge", "HIDDEN-why"} {
		if !strings.Contains(after, s) {
			t.Errorf("after the due date the learner does not see %s: %s", s, after)
		}
	}
	if strings.Contains(after, "HIDDEN-output") {
		t.Errorf("after the due date the learner sees a hidden test's output: %s", after)
	}
}

func TestFeedbackPolicyAttempts(t *testing.T) {
	clock := &testClock{t: policyStart}
	// The store stamps submissions with the same clock.
	rs := store.New(store.Config{Client: miniredistest.Client(t), Now: clock.Now})
	env := newCohortEnv(t, func(c *Config) { c.Now, c.Store, c.Cohorts = clock.Now, rs, rs })
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, `{"id":"spring","learners":["ada","bob"],"challenges":["notes-api"],
		"policies":{"notes-api":{"max_attempts":2,"cooldown_seconds":600}}}`))
	submit := func(token string) (int, map[string]any, string) {
		w := env.serve(postForm(t, token, map[string]string{"challenge": "notes-api", "cohort": "spring"}, goodZip(t)))
		code, out := w.Code, map[string]any{}
		_ = jsonUnmarshal(w.Body.Bytes(), &out)
		return code, out, w.Header().Get("Retry-After")
	}
	if code, out, _ := submit(adaToken); code != 202 {
		t.Fatalf("first attempt: %d %v", code, out)
	}
	clock.Set(policyStart.Add(4 * time.Minute))
	code, out, retry := submit(adaToken)
	if code != 429 || errCode(out) != CodeRateLimited || retry != "360" || !strings.Contains(jsonString(t, out), "03:14:05") {
		t.Errorf("within the cooldown: %d %v Retry-After %q; want 429, 360 s, naming 03:14:05", code, out, retry)
	}
	if code, out, _ := submit(bobToken); code != 202 {
		t.Errorf("another learner during ada's cooldown: %d %v", code, out)
	}
	clock.Set(policyStart.Add(10 * time.Minute))
	if code, out, _ := submit(adaToken); code != 202 {
		t.Fatalf("second attempt, after the cooldown: %d %v", code, out)
	}
	clock.Set(policyStart.Add(time.Hour))
	if code, out, _ := submit(adaToken); code != 403 || errCode(out) != CodeForbidden || !strings.Contains(jsonString(t, out), "all 2 graded attempts") {
		t.Errorf("third attempt of 2: %d %v", code, out)
	}
	// The instructor is not held by the learners' limits.
	if code, out := env.do(t, postForm(t, teachToken, map[string]string{"challenge": "notes-api", "cohort": "spring", "learner": "ada"}, goodZip(t))); code != 202 {
		t.Errorf("an instructor's submission for ada: %d %v", code, out)
	}
}

func TestFeedbackPolicyValidation(t *testing.T) {
	env := newCohortEnv(t)
	for _, tc := range []struct{ policies, want string }{
		{`{"fix-ledger":{}}`, "not one of the cohort's challenges"},
		{`{"notes-api":{"before_due":"everything"}}`, "use score, visible or all"},
		{`{"notes-api":{"max_attempts":-1}}`, "max_attempts"},
		{`{"notes-api":{"cooldown_seconds":999999999}}`, "cooldown_seconds"},
	} {
		code, out := env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, `{"id":"c1","learners":["ada"],"challenges":["notes-api"],"policies":`+tc.policies+`}`))
		if code != 400 || !strings.Contains(jsonString(t, out), tc.want) {
			t.Errorf("policies %s: %d %v, want 400 saying %q", tc.policies, code, out, tc.want)
		}
	}
}

// jsonString is v as JSON, for looking into answers.
func jsonString(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
