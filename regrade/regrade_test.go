package regrade

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

var t0 = time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)

func graded(id string, score int, created, gradedAt time.Duration) grader.Record {
	return grader.Record{ID: id, Kind: grader.KindSubmission, State: grader.StateGraded, Status: grader.StatusFailed, Score: score, MaxScore: 10,
		CreatedAt: t0.Add(created), GradedAt: t0.Add(gradedAt)}
}

// memStore holds records by "learner/challenge" and results by id.
type memStore struct {
	recs    map[string][]grader.Record
	results map[string]grader.Result
}

func (m memStore) AttemptsOf(_ context.Context, learners []string, challenge string) (map[string][]grader.Record, error) {
	out := map[string][]grader.Record{}
	for _, l := range learners {
		if recs, ok := m.recs[l+"/"+challenge]; ok {
			out[l] = recs
		}
	}
	return out, nil
}

func (m memStore) Results(_ context.Context, ids []string) (map[string]grader.Result, error) {
	out := map[string]grader.Result{}
	for _, id := range ids {
		if r, ok := m.results[id]; ok {
			out[id] = r
		}
	}
	return out, nil
}

func TestChoose(t *testing.T) {
	st := memStore{
		recs:    map[string][]grader.Record{"ada/c": {graded("a1", 3, 0, time.Minute), graded("a2", 8, 2*time.Minute, 3*time.Minute)}},
		results: map[string]grader.Result{"a2": {ChallengeVersion: "v1"}},
	}
	co := grader.Cohort{ID: "k", Name: "K", Learners: []string{"ada", "bob"}, Challenges: []string{"c"}}
	items, err := Choose(context.Background(), st, co, "c")
	want := []grader.RegradeItem{{Submission: "a2", Learner: "ada", OldScore: 8, OldMaxScore: 10, OldVersion: "v1", OldStatus: grader.StatusFailed}}
	if diff := cmp.Diff(want, items); err != nil || diff != "" {
		t.Errorf("regrade items (-want +got) %v:\n%s", err, diff)
	}
}
