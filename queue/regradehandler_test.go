package queue

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/hibiken/asynq"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

func regradeTask(t *testing.T, p RegradePayload) *asynq.Task {
	t.Helper()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return asynq.NewTask(TypeRegrade, b)
}

func TestRegradeHandler(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	rec := e.create(t, grader.Record{ID: "s1", Cohort: "k"})
	if _, err := e.st.SaveResult(ctx, grader.Result{SubmissionID: "s1", Challenge: "notes-api", ChallengeVersion: "v0", Status: grader.StatusPassed, Score: 3, MaxScore: 3}); err != nil {
		t.Fatal(err)
	}
	items := []grader.RegradeItem{{Submission: "s1", Learner: rec.Learner, OldScore: 3, OldMaxScore: 3, OldVersion: "v0"}, {Submission: "gone", Learner: "bob"}}
	if err := e.st.CreateRegrade(ctx, grader.Regrade{ID: "rg", Cohort: "k", Challenge: "notes-api", Version: "v1"}, items); err != nil {
		t.Fatal(err)
	}
	h := NewRegradeHandler(RegradeHandlerConfig{Submissions: e.st, Challenges: challenges.NewIndex([]*grader.Challenge{notesAPI}), Engine: e.eng, Results: e.st})
	e.eng.fn = func(ctx context.Context, sub grader.Submission, p grader.Progress) (grader.Result, error) {
		return grader.Result{Challenge: "notes-api", ChallengeVersion: "v1", Status: grader.StatusFailed, Score: 1, MaxScore: 3}, nil
	}
	if err := h.ProcessTask(ctx, regradeTask(t, RegradePayload{RegradeID: "rg", SubmissionID: "s1", Challenge: "notes-api"})); err != nil {
		t.Fatal(err)
	}
	// Files gone: an error result, no retry.
	err := h.ProcessTask(ctx, regradeTask(t, RegradePayload{RegradeID: "rg", SubmissionID: "gone", Challenge: "notes-api"}))
	if !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("missing files: %v, want SkipRetry", err)
	}
	rg, got, err := e.st.Regrade(ctx, "rg")
	if err != nil || rg.State != grader.RegradePreviewed {
		t.Fatalf("regrade %+v %v", rg, err)
	}
	if it := got[0]; it.Submission != "s1" || !it.Changed() || it.NewScore != 1 || it.NewVersion != "v1" {
		t.Errorf("item %+v", it)
	}
	if it := got[1]; it.NewStatus != grader.StatusError || it.Changed() {
		t.Errorf("missing files item %+v: an error, not a change", it)
	}
	// The submission itself is untouched until the regrade is applied.
	if res, _, _ := e.st.Result(ctx, "s1"); res.Score != 3 {
		t.Errorf("the regrade changed the stored result: %+v", res)
	}
	if err := h.ProcessTask(ctx, asynq.NewTask(TypeRegrade, []byte(`{}`))); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("bad payload: %v", err)
	}
	// A fault is retried.
	e.eng.fn = func(context.Context, grader.Submission, grader.Progress) (grader.Result, error) {
		return grader.Result{}, errors.New("docker: daemon gone")
	}
	h.tries = func(context.Context) (int, int) { return 0, 5 }
	if err := h.ProcessTask(ctx, regradeTask(t, RegradePayload{RegradeID: "rg", SubmissionID: "s1", Challenge: "notes-api"})); err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Errorf("fault: %v, want a retry", err)
	}
}
