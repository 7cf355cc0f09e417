package grader

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func policyResult() Result {
	return Result{Status: StatusFailed, Score: 3, MaxScore: 10, View: ViewInstructor, Message: "2 of 4 tests passed",
		Tests: []TestResult{
			{Name: "VISIBLE-create", Status: TestPassed, Points: 2, MaxPoints: 2, Visibility: Visible, Message: "", Output: "VISIBLE-out"},
			{Name: "VISIBLE-list", Status: TestFailed, Points: 0, MaxPoints: 3, Visibility: Visible, Message: "VISIBLE-msg"},
			{Name: "HIDDEN-edge", Status: TestFailed, Points: 0, MaxPoints: 4, Visibility: Hidden, Message: "HIDDEN-msg", Output: "HIDDEN-out",
				Subtests: []TestResult{{Name: "HIDDEN-sub"}}},
			{Name: "HIDDEN-ok", Status: TestPassed, Points: 1, MaxPoints: 1, Visibility: Hidden},
		},
		Suites:  []SuiteResult{{Name: "api", Status: StatusFailed, Score: 3, MaxScore: 10, Message: "VISIBLE-suite"}},
		Service: Output{Text: "GET /SERVICE-path"},
	}
}

func jsonOf(t *testing.T, r Result) string {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestForLearner(t *testing.T) {
	r := policyResult()
	score := jsonOf(t, r.ForLearner(FeedbackScore, &FeedbackNote{Level: FeedbackScore}))
	for _, s := range []string{"VISIBLE-", "HIDDEN-", "SERVICE-"} {
		if strings.Contains(score, s) {
			t.Errorf("score only shows %s: %s", s, score)
		}
	}
	if !strings.Contains(score, `"score":3`) || !strings.Contains(score, `"hidden":{"total":4,"passed":2,"failed":2,"points":3,"max_points":10}`) ||
		!strings.Contains(score, `"feedback":{"level":"score"}`) {
		t.Errorf("score only: %s", score)
	}
	visible := jsonOf(t, r.ForLearner(FeedbackVisible, nil))
	if strings.Contains(visible, "HIDDEN-") || !strings.Contains(visible, "VISIBLE-msg") {
		t.Errorf("visible: %s", visible)
	}
	if visible != jsonOf(t, r.As(ViewLearner)) {
		t.Error("visible feedback is not the learner view")
	}
	all := jsonOf(t, r.ForLearner(FeedbackAll, nil))
	for _, s := range []string{"HIDDEN-edge", "HIDDEN-msg", "HIDDEN-ok", "VISIBLE-out"} {
		if !strings.Contains(all, s) {
			t.Errorf("all does not show %s: %s", s, all)
		}
	}
	for _, s := range []string{"HIDDEN-out", "HIDDEN-sub"} {
		if strings.Contains(all, s) {
			t.Errorf("all shows the hidden test's %s: %s", s, all)
		}
	}
	if !strings.Contains(all, `"view":"learner"`) {
		t.Errorf("all is not a learner view: %s", all)
	}
}

func TestFeedbackAt(t *testing.T) {
	due := time.Date(2026, 12, 20, 12, 0, 0, 0, time.UTC)
	c := Cohort{DueAt: due, Policies: map[string]FeedbackPolicy{"notes-api": {BeforeDue: FeedbackScore, AfterDue: FeedbackAll}}}
	for _, tc := range []struct {
		challenge string
		at        time.Time
		want      Feedback
	}{
		{"notes-api", due.Add(-time.Second), FeedbackScore},
		{"notes-api", due, FeedbackScore},
		{"notes-api", due.Add(time.Second), FeedbackAll},
		{"fix-ledger", due.Add(-time.Hour), FeedbackVisible},
		{"fix-ledger", due.Add(time.Hour), FeedbackVisible},
	} {
		if got := c.FeedbackAt(tc.challenge, tc.at); got != tc.want {
			t.Errorf("%s at %s: %s, want %s", tc.challenge, tc.at, got, tc.want)
		}
	}
	noDue := Cohort{Policies: c.Policies}
	if got := noDue.FeedbackAt("notes-api", due.Add(time.Hour)); got != FeedbackScore {
		t.Errorf("without a due date: %s, want before_due's score", got)
	}
	for _, s := range []string{"", "score", "visible", "all"} {
		if _, err := ParseFeedback(s); err != nil {
			t.Error(err)
		}
	}
	if _, err := ParseFeedback("everything"); err == nil {
		t.Error("everything parsed")
	}
}

func TestCheckAttempt(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	due := t0.Add(48 * time.Hour)
	sub := func(min int, st State, status Status) Record {
		return Record{Kind: KindSubmission, State: st, Status: status, CreatedAt: t0.Add(time.Duration(min) * time.Minute)}
	}
	capped := Cohort{DueAt: due, Policies: map[string]FeedbackPolicy{"notes-api": {MaxAttempts: 2}}}
	one := []Record{sub(0, StateGraded, StatusFailed), sub(5, StateGraded, StatusError)}
	if r := capped.CheckAttempt("notes-api", one, t0.Add(time.Hour)); r != nil {
		t.Errorf("one counted attempt (and a service failure) of 2: refused %+v", r)
	}
	two := append(one, sub(10, StateQueued, ""))
	r := capped.CheckAttempt("notes-api", two, t0.Add(time.Hour))
	if r == nil || r.Attempts != 2 || r.MaxAttempts != 2 || !r.RetryAt.After(due) {
		t.Errorf("two attempts of 2: %+v, want refused until after the due date", r)
	}
	if r := capped.CheckAttempt("notes-api", two, due.Add(time.Minute)); r != nil {
		t.Errorf("after the due date (nothing counts): refused %+v", r)
	}
	if r := capped.CheckAttempt("fix-ledger", two, t0.Add(time.Hour)); r != nil {
		t.Errorf("another challenge: refused %+v", r)
	}
	cool := Cohort{Policies: map[string]FeedbackPolicy{"notes-api": {CooldownSeconds: 600}}}
	r = cool.CheckAttempt("notes-api", two, t0.Add(15*time.Minute))
	if r == nil || r.Cooldown != 10*time.Minute || !r.RetryAt.Equal(t0.Add(20*time.Minute)) {
		t.Errorf("5 minutes after the last submission, with a 10 minute cooldown: %+v, want refused until minute 20", r)
	}
	if r := cool.CheckAttempt("notes-api", two, t0.Add(20*time.Minute)); r != nil {
		t.Errorf("when the cooldown ends: refused %+v", r)
	}
	if r := cool.CheckAttempt("notes-api", []Record{sub(0, StateGraded, StatusError)}, t0.Add(time.Minute)); r != nil {
		t.Errorf("after a service failure: refused %+v", r)
	}
}
