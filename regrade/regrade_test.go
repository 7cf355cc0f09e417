package regrade

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/queue"
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

// fakeStore keeps regrades in memory on top of memStore.
type fakeStore struct {
	memStore
	regrades map[string]grader.Regrade
	items    map[string][]grader.RegradeItem
	// newResults are the items' new results by "regrade/submission".
	newResults map[string]grader.Result
	recorded   []string
}

func newFakeStore(st memStore) *fakeStore {
	return &fakeStore{memStore: st, regrades: map[string]grader.Regrade{}, items: map[string][]grader.RegradeItem{}, newResults: map[string]grader.Result{}}
}

func (f *fakeStore) CreateRegrade(_ context.Context, rg grader.Regrade, items []grader.RegradeItem) error {
	if _, ok := f.regrades[rg.ID]; ok {
		return grader.ErrExists
	}
	rg.State, rg.Total = grader.RegradeRunning, len(items)
	f.regrades[rg.ID], f.items[rg.ID] = rg, items
	return nil
}

func (f *fakeStore) Regrade(_ context.Context, id string) (grader.Regrade, []grader.RegradeItem, error) {
	rg, ok := f.regrades[id]
	if !ok {
		return grader.Regrade{}, nil, grader.ErrNotFound
	}
	return rg, f.items[id], nil
}

func (f *fakeStore) Regrades(_ context.Context, cohort string) ([]grader.Regrade, error) {
	out := []grader.Regrade{}
	for _, rg := range f.regrades {
		if rg.Cohort == cohort {
			out = append(out, rg)
		}
	}
	return out, nil
}

func (f *fakeStore) RegradeItemResult(_ context.Context, id, submission string) (grader.Result, bool, error) {
	res, ok := f.newResults[id+"/"+submission]
	return res, ok, nil
}

func (f *fakeStore) StartApplyRegrade(_ context.Context, id string) error {
	rg := f.regrades[id]
	if rg.State != grader.RegradePreviewed && rg.State != grader.RegradeApplying {
		return grader.ErrRegradeState
	}
	rg.State = grader.RegradeApplying
	f.regrades[id] = rg
	return nil
}

func (f *fakeStore) RecordRegrade(_ context.Context, regradeID string, item grader.RegradeItem, newID string, _ grader.Result) error {
	f.recorded = append(f.recorded, newID)
	for i, it := range f.items[regradeID] {
		if it.Submission == item.Submission {
			f.items[regradeID][i].Applied = newID
		}
	}
	return nil
}

func (f *fakeStore) FinishApplyRegrade(_ context.Context, id string) error {
	rg := f.regrades[id]
	rg.State = grader.RegradeApplied
	f.regrades[id] = rg
	return nil
}

// fakeQueue records regrade enqueues, or fails them.
type fakeQueue struct {
	queued []queue.RegradePayload
	queues []string
	err    error
}

func (q *fakeQueue) EnqueueRegrade(_ context.Context, p queue.RegradePayload, name string, _ time.Duration) error {
	if q.err != nil {
		return q.err
	}
	q.queued, q.queues = append(q.queued, p), append(q.queues, name)
	return nil
}

// TestServiceLifecycle starts a regrade (queued on the cohort's lane),
// reads it (queued again once it is old and still running), refuses to
// apply it before it is graded and applies the graded item.
func TestServiceLifecycle(t *testing.T) {
	ctx := context.Background()
	st := newFakeStore(memStore{recs: map[string][]grader.Record{"ada/c": {graded("a1", 8, 0, time.Minute)}}})
	q := &fakeQueue{}
	now := t0
	ch := &grader.Challenge{ID: "c", Version: "v2"}
	svc := New(Config{Store: st, Queue: q, Catalog: challenges.NewIndex([]*grader.Challenge{ch}), Now: func() time.Time { return now }})
	co := grader.Cohort{ID: "k", Learners: []string{"ada", "bob"}, Challenges: []string{"c"}, Lane: 3}

	rg, items, err := svc.Start(ctx, co, ch, "rg_1", "teach")
	if err != nil || rg.State != grader.RegradeRunning || rg.Version != "v2" || rg.CreatedBy != "teach" || len(items) != 1 {
		t.Fatalf("start: %+v %+v %v", rg, items, err)
	}
	if diff := cmp.Diff([]string{"cohort-3"}, q.queues); diff != "" || q.queued[0] != (queue.RegradePayload{RegradeID: "rg_1", SubmissionID: "a1", Challenge: "c"}) {
		t.Errorf("queued %+v on (-want +got):\n%s", q.queued, diff)
	}
	if _, _, err := svc.Get(ctx, grader.Cohort{ID: "other"}, "rg_1"); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("another cohort's regrade: %v, want ErrNotFound", err)
	}
	if _, _, err := svc.Get(ctx, co, "rg_1"); err != nil || len(q.queued) != 1 {
		t.Errorf("a fresh read queued again: %v %d", err, len(q.queued))
	}
	now = t0.Add(RequeueAge + time.Second)
	if _, _, err := svc.Get(ctx, co, "rg_1"); err != nil || len(q.queued) != 2 {
		t.Errorf("a read of an old running regrade: %v, %d queued, want 2", err, len(q.queued))
	}
	if _, _, err := svc.Apply(ctx, rg); !errors.Is(err, grader.ErrRegradeState) {
		t.Errorf("apply while running: %v, want ErrRegradeState", err)
	}

	rg = st.regrades["rg_1"]
	rg.State, rg.Done = grader.RegradePreviewed, 1
	st.regrades["rg_1"] = rg
	st.items["rg_1"][0].Done, st.items["rg_1"][0].NewScore = true, 5
	st.newResults["rg_1/a1"] = grader.Result{SubmissionID: "a1", Score: 5}
	applied, items, err := svc.Apply(ctx, rg)
	if err != nil || applied.State != grader.RegradeApplied || items[0].Applied != "rg_1_a1" {
		t.Fatalf("apply: %+v %+v %v", applied, items, err)
	}
	if diff := cmp.Diff([]string{"rg_1_a1"}, st.recorded); diff != "" {
		t.Errorf("recorded (-want +got):\n%s", diff)
	}
}

// TestStartNotQueued: a regrade stored but not queued is returned with
// ErrNotQueued, so the caller can say a read will queue the rest.
func TestStartNotQueued(t *testing.T) {
	st := newFakeStore(memStore{recs: map[string][]grader.Record{"ada/c": {graded("a1", 8, 0, time.Minute)}}})
	ch := &grader.Challenge{ID: "c"}
	svc := New(Config{Store: st, Queue: &fakeQueue{err: errors.New("redis: connection refused")}, Catalog: challenges.NewIndex([]*grader.Challenge{ch})})
	co := grader.Cohort{ID: "k", Learners: []string{"ada"}, Challenges: []string{"c"}}
	rg, _, err := svc.Start(context.Background(), co, ch, "rg_1", "teach")
	if !errors.Is(err, ErrNotQueued) || rg.ID != "rg_1" {
		t.Errorf("start with the queue down: %+v %v, want rg_1 and ErrNotQueued", rg, err)
	}
	if _, ok := st.regrades["rg_1"]; !ok {
		t.Error("the regrade was not stored")
	}
}
