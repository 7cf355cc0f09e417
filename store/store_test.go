package store

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/miniredistest"
)

func TestStoreOnMiniredis(t *testing.T) {
	exerciseStore(t, miniredistest.Client(t))
}

// clock is a settable time source, safe for concurrent use.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// newStore returns a store with its own key prefix and a clock at t0.
func newStore(t *testing.T, rdb redis.UniversalClient) (*Redis, *clock) {
	c := &clock{t: t0}
	return New(Config{Client: rdb, Prefix: "test:" + t.Name(), Now: c.Now}), c
}

var files = []grader.File{{Name: "go.mod", Mode: 0o644, Data: []byte("module x\n")}, {Name: "main.go", Mode: 0o644, Data: []byte("package main\n")}}

// exerciseStore runs the store's whole contract against a Redis; the
// integration test runs it again on a real redis-server.
func exerciseStore(t *testing.T, rdb redis.UniversalClient) {
	for name, fn := range map[string]func(*testing.T, redis.UniversalClient){
		"Submissions":       testSubmissions,
		"Languages":         testLanguages,
		"HostileNames":      testHostileNames,
		"MarkStarted":       testMarkStarted,
		"Results":           testResults,
		"ErrorResults":      testErrorResults,
		"Unfinished":        testUnfinished,
		"Events":            testEvents,
		"EventsAfter":       testEventsAfter,
		"WatchEvents":       testWatchEvents,
		"SaveResultDone":    testSaveResultDone,
		"Idempotency":       testIdempotency,
		"IdempotencyRace":   testIdempotencyRace,
		"Allow":             testAllow,
		"AllowConcurrency":  testAllowConcurrency,
		"Cohorts":           testCohorts,
		"CohortQuota":       testCohortQuota,
		"CohortTokens":      testCohortTokens,
		"TokenRevocation":   testTokenRevocation,
		"ScopeIndex":        testScopeIndex,
		"PracticeBoard":     testPracticeBoard,
		"RegradeOfPractice": testRegradeOfPractice,
		"Regrades":          testRegrades,
		"BatchReads":        testBatchReads,
		"SigningKeys":       testSigningKeys,
	} {
		t.Run(name, func(t *testing.T) { fn(t, rdb) })
	}
}

func mustCreate(t *testing.T, s *Redis, rec grader.Record) grader.Record {
	t.Helper()
	got, err := s.CreateSubmission(context.Background(), rec, files)
	if err != nil {
		t.Fatalf("create %s: %v", rec.ID, err)
	}
	return got
}

func testSubmissions(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, c := newStore(t, rdb)

	var created []grader.Record
	for _, rec := range []grader.Record{
		{ID: "s1", Challenge: "notes-api", Learner: "ada", Queue: "interactive", CreatedAt: t0,
			CallbackURL: "https://ci.example/hook", CallbackView: grader.ViewInstructor},
		{ID: "s2", Challenge: "notes-api", Learner: "bob", Queue: "interactive", CreatedAt: t0.Add(time.Minute)},
		{ID: "s3", Challenge: "fix-ledger", Learner: "ada", Queue: "batch", CreatedAt: t0.Add(2 * time.Minute)},
		{ID: "s4", Challenge: "notes-api", Learner: "ada", Queue: "interactive", CreatedAt: t0.Add(3 * time.Minute)},
	} {
		created = append(created, mustCreate(t, s, rec))
	}
	want := grader.Record{ID: "s1", Challenge: "notes-api", Language: grader.LanguageGo, Learner: "ada", Queue: "interactive", State: grader.StateQueued, Attempt: 1,
		CallbackURL: "https://ci.example/hook", CallbackView: grader.ViewInstructor, CreatedAt: t0, Kind: grader.KindSubmission}
	if diff := cmp.Diff(want, created[0]); diff != "" {
		t.Errorf("created record (-want +got):\n%s", diff)
	}
	if got, err := s.Record(ctx, "s1"); err != nil {
		t.Fatal(err)
	} else if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stored record (-want +got):\n%s", diff)
	}
	var attempts []int
	for _, r := range created {
		attempts = append(attempts, r.Attempt)
	}
	if diff := cmp.Diff([]int{1, 1, 1, 2}, attempts); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}

	// A taken id changes nothing and uses up no attempt number.
	if _, err := s.CreateSubmission(ctx, grader.Record{ID: "s1", Challenge: "notes-api", Learner: "ada"}, files); !errors.Is(err, grader.ErrExists) {
		t.Errorf("a taken id = %v, want grader.ErrExists", err)
	}
	if _, err := s.CreateSubmission(ctx, grader.Record{ID: "s1", Challenge: "x", Learner: "eve"}, files); !errors.Is(err, grader.ErrExists) {
		t.Errorf("a taken id = %v, want grader.ErrExists", err)
	}
	if r, _ := s.Record(ctx, "s1"); r.Learner != "ada" || r.Challenge != "notes-api" {
		t.Errorf("a refused create changed the record: %+v", r)
	}
	c.Set(t0.Add(4 * time.Minute))
	if r := mustCreate(t, s, grader.Record{ID: "s5", Challenge: "notes-api", Learner: "ada", Queue: "batch"}); r.Attempt != 3 || !r.CreatedAt.Equal(t0.Add(4*time.Minute)) {
		t.Errorf("after a refused create: attempt %d created %s, want 3 at the clock's now", r.Attempt, r.CreatedAt)
	}
	for _, bad := range []grader.Record{{Challenge: "c", Learner: "l"}, {ID: "x", Learner: "l"}, {ID: "x", Challenge: "c"}} {
		if _, err := s.CreateSubmission(ctx, bad, files); err == nil {
			t.Errorf("create %+v: no error", bad)
		}
	}

	sub, err := s.Submission(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(grader.Submission{ID: "s1", Language: grader.LanguageGo, Files: files}, sub); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}

	if _, err := s.Submission(ctx, "nope"); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("unknown submission = %v, want ErrNotFound", err)
	}
	if _, err := s.Record(ctx, "nope"); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("unknown record = %v, want ErrNotFound", err)
	}

	ids := func(recs []grader.Record) []string {
		out := []string{}
		for _, r := range recs {
			out = append(out, r.ID)
		}
		return out
	}
	for _, tc := range []struct {
		f             grader.RecordFilter
		offset, limit int
		want          []string
		total         int
	}{
		{grader.RecordFilter{Learner: "ada", Challenge: "notes-api"}, 0, 10, []string{"s5", "s4", "s1"}, 3},
		{grader.RecordFilter{Learner: "ada"}, 0, 10, []string{"s5", "s4", "s3", "s1"}, 4},
		{grader.RecordFilter{Challenge: "notes-api"}, 1, 2, []string{"s4", "s2"}, 4},
		{grader.RecordFilter{}, 1, 2, []string{"s4", "s3"}, 5},
		{grader.RecordFilter{}, 9, 2, []string{}, 5},
		{grader.RecordFilter{}, 0, 0, []string{}, 5},
		{grader.RecordFilter{Learner: "nobody"}, 0, 10, []string{}, 0},
	} {
		recs, total, err := s.List(ctx, tc.f, tc.offset, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, ids(recs)); diff != "" || total != tc.total {
			t.Errorf("List(%+v, %d, %d): total %d (want %d), ids (-want +got):\n%s", tc.f, tc.offset, tc.limit, total, tc.total, diff)
		}
	}
	got, err := s.Attempts(ctx, "ada", "notes-api")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"s1", "s4", "s5"}, ids(got)); diff != "" {
		t.Errorf("ada's attempts at notes-api, oldest first (-want +got):\n%s", diff)
	}
	if got, err := s.Attempts(ctx, "bob", "fix-ledger"); err != nil || len(got) != 0 {
		t.Errorf("no attempts: %+v %v", got, err)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("ping: %v", err)
	}
}

// testHostileNames checks that names with the key separator cannot reach
// another learner's keys.
func testHostileNames(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	mustCreate(t, s, grader.Record{ID: "a1", Challenge: "notes-api", Learner: "ada"})
	evil := mustCreate(t, s, grader.Record{ID: "e1", Challenge: "x", Learner: "ada:challenge:notes-api"})
	if evil.Attempt != 1 {
		t.Errorf("the hostile learner's attempt = %d, want 1", evil.Attempt)
	}
	if r := mustCreate(t, s, grader.Record{ID: "a2", Challenge: "notes-api", Learner: "ada"}); r.Attempt != 2 {
		t.Errorf("ada's second attempt = %d, want 2", r.Attempt)
	}
	recs, total, _ := s.List(ctx, grader.RecordFilter{Learner: "ada"}, 0, 10)
	if total != 2 || len(recs) != 2 {
		t.Errorf("ada's submissions include another learner's: %+v", recs)
	}
	mustCreate(t, s, grader.Record{ID: "a3:files", Challenge: "notes-api", Learner: "%3A"})
	if _, err := s.Submission(ctx, "a3"); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("the id a3:files made files for a3: %v", err)
	}
	if recs, _, _ := s.List(ctx, grader.RecordFilter{Learner: ":"}, 0, 10); len(recs) != 0 {
		t.Errorf("learner ':' sees learner '%%3A': %+v", recs)
	}
	if _, err := s.Events(ctx, "a1", "1-1; DEL x"); !errors.Is(err, grader.ErrInvalidEventID) {
		t.Errorf("a hostile event id = %v, want grader.ErrInvalidEventID", err)
	}
}

func testMarkStarted(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, c := newStore(t, rdb)
	mustCreate(t, s, grader.Record{ID: "m1", Challenge: "notes-api", Learner: "ada"})
	c.Set(t0.Add(5 * time.Second))
	if err := s.MarkStarted(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	r, _ := s.Record(ctx, "m1")
	if r.State != grader.StateGrading || !r.StartedAt.Equal(t0.Add(5*time.Second)) {
		t.Errorf("after MarkStarted: state %s started %s", r.State, r.StartedAt)
	}
	if err := s.MarkStarted(ctx, "nope"); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("MarkStarted(unknown) = %v, want ErrNotFound", err)
	}
	if _, err := s.Record(ctx, "nope"); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("MarkStarted created a record: %v", err)
	}
	if _, err := s.SaveResult(ctx, grader.Result{SubmissionID: "m1", Status: grader.StatusPassed, Score: 3, MaxScore: 3}); err != nil {
		t.Fatal(err)
	}
	c.Set(t0.Add(time.Hour))
	if err := s.MarkStarted(ctx, "m1"); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Record(ctx, "m1"); r.State != grader.StateGraded || !r.StartedAt.Equal(t0.Add(5*time.Second)) {
		t.Errorf("a late MarkStarted regressed a graded record: %+v", r)
	}
}

func testResults(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, c := newStore(t, rdb)
	for i, rec := range []grader.Record{
		{ID: "r1", Challenge: "notes-api", Learner: "ada"},
		{ID: "r2", Challenge: "notes-api", Learner: "bob"},
		{ID: "r3", Challenge: "notes-api", Learner: "ada"},
		{ID: "r4", Challenge: "notes-api", Learner: "bob"},
	} {
		rec.CreatedAt = t0.Add(time.Duration(i) * time.Minute)
		mustCreate(t, s, rec)
	}
	if _, ok, _ := s.Result(ctx, "r1"); ok {
		t.Error("a result before grading")
	}
	if _, ok, _ := s.Best(ctx, "notes-api", "ada"); ok {
		t.Error("a best before grading")
	}
	save := func(id string, score int, at time.Time) {
		t.Helper()
		res := grader.Result{SubmissionID: id, Challenge: "notes-api", Status: grader.StatusFailed, Score: score, MaxScore: 10, GradedAt: at}
		if score == 10 {
			res.Status = grader.StatusPassed
		}
		if _, err := s.SaveResult(ctx, res); err != nil {
			t.Fatal(err)
		}
	}
	save("r1", 7, t0.Add(time.Hour))
	save("r2", 7, t0.Add(2*time.Hour))
	save("r3", 5, t0.Add(3*time.Hour)) // ada's worse later attempt keeps her best
	save("r1", 7, t0.Add(time.Hour))   // a duplicate save changes nothing
	res, ok, err := s.Result(ctx, "r1")
	if err != nil || !ok || res.Score != 7 || !res.GradedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("result %+v %v %v", res, ok, err)
	}
	rec, _ := s.Record(ctx, "r1")
	want := grader.Record{ID: "r1", Challenge: "notes-api", Language: grader.LanguageGo, Learner: "ada", State: grader.StateGraded, Attempt: 1, CreatedAt: t0,
		GradedAt: t0.Add(time.Hour), Status: grader.StatusFailed, Score: 7, MaxScore: 10, Kind: grader.KindSubmission}
	if diff := cmp.Diff(want, rec); diff != "" {
		t.Errorf("record after grading (-want +got):\n%s", diff)
	}
	for _, k := range []string{s.key("sub", "r1", "files")} {
		if ttl := rdb.TTL(ctx, k).Val(); ttl <= 0 || ttl > 24*time.Hour {
			t.Errorf("TTL of %s after grading = %s, want up to a day", k, ttl)
		}
	}
	if ttl := rdb.TTL(ctx, s.key("sub", "r1", "result")).Val(); ttl != -1 {
		t.Errorf("the result expires (TTL %s); results are kept", ttl)
	}
	board, err := s.Leaderboard(ctx, "notes-api", 10)
	if err != nil {
		t.Fatal(err)
	}
	wantBoard := []grader.BoardEntry{{Learner: "ada", Score: 7, At: t0.Add(time.Hour)}, {Learner: "bob", Score: 7, At: t0.Add(2 * time.Hour)}}
	if diff := cmp.Diff(wantBoard, board); diff != "" {
		t.Errorf("leaderboard (-want +got):\n%s", diff)
	}
	if best, ok, err := s.Best(ctx, "notes-api", "ada"); err != nil || !ok || best != wantBoard[0] {
		t.Errorf("ada's best = %+v %v %v, want %+v", best, ok, err, wantBoard[0])
	}
	save("r4", 10, t0.Add(4*time.Hour))
	if board, _ := s.Leaderboard(ctx, "notes-api", 1); len(board) != 1 || board[0].Learner != "bob" || board[0].Score != 10 {
		t.Errorf("after bob's full marks: %+v", board)
	}
	if board, _ := s.Leaderboard(ctx, "notes-api", 0); len(board) != 0 {
		t.Errorf("limit 0: %+v", board)
	}
	c.Set(t0.Add(5 * time.Hour))
	if _, err := s.SaveResult(ctx, grader.Result{SubmissionID: "nope", Status: grader.StatusPassed}); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("saving an unknown submission's result = %v, want ErrNotFound", err)
	}
}

// testErrorResults: the service's faults are never charged to learners.
func testErrorResults(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, c := newStore(t, rdb)
	mustCreate(t, s, grader.Record{ID: "e1", Challenge: "fix-ledger", Learner: "ada"})
	mustCreate(t, s, grader.Record{ID: "e2", Challenge: "fix-ledger", Learner: "ada"})
	c.Set(t0.Add(time.Minute))
	fault := grader.Result{SubmissionID: "e1", Challenge: "fix-ledger", Status: grader.StatusError, Message: "our fault"}
	if _, err := s.SaveResult(ctx, fault); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.Record(ctx, "e1"); r.State != grader.StateGraded || r.Status != grader.StatusError || !r.GradedAt.Equal(t0.Add(time.Minute)) {
		t.Errorf("record after a fault result: %+v", r)
	}
	if _, ok, _ := s.Best(ctx, "fix-ledger", "ada"); ok {
		t.Error("a StatusError result counts as ada's best")
	}
	if board, _ := s.Leaderboard(ctx, "fix-ledger", 10); len(board) != 0 {
		t.Errorf("a StatusError result is on the board: %+v", board)
	}
	// The first result stored stands: a fault never replaces a real one,
	// nor a real one a fault, nor a late duplicate grading the first.
	real := grader.Result{SubmissionID: "e2", Challenge: "fix-ledger", Status: grader.StatusFailed, Score: 2, MaxScore: 5}
	if stored, err := s.SaveResult(ctx, real); err != nil || !stored {
		t.Fatalf("first result: stored %v, %v", stored, err)
	}
	late := []grader.Result{
		{SubmissionID: "e2", Status: grader.StatusError},
		{SubmissionID: "e2", Challenge: "fix-ledger", Status: grader.StatusBuildFailed, MaxScore: 5},
		{SubmissionID: "e2", Challenge: "fix-ledger", Status: grader.StatusPassed, Score: 5, MaxScore: 5},
		{SubmissionID: "e1", Challenge: "fix-ledger", Status: grader.StatusPassed, Score: 5, MaxScore: 5},
	}
	for _, res := range late {
		if stored, err := s.SaveResult(ctx, res); err != nil || stored {
			t.Errorf("late %s result of %s: stored %v, %v; want not stored", res.Status, res.SubmissionID, stored, err)
		}
	}
	if got, _, _ := s.Result(ctx, "e2"); got.Status != grader.StatusFailed || got.Score != 2 {
		t.Errorf("a later result replaced the first: %+v", got)
	}
	if r, _ := s.Record(ctx, "e2"); r.Status != grader.StatusFailed || r.Score != 2 {
		t.Errorf("record after later results: %+v", r)
	}
	if got, _, _ := s.Result(ctx, "e1"); got.Status != grader.StatusError {
		t.Errorf("a real result replaced the stored fault: %+v", got)
	}
	if best, ok, _ := s.Best(ctx, "fix-ledger", "ada"); !ok || best.Score != 2 {
		t.Errorf("ada's best after late results = %+v %v, want the first result's 2", best, ok)
	}
}

func testUnfinished(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, c := newStore(t, rdb)
	mustCreate(t, s, grader.Record{ID: "u1", Challenge: "c", Learner: "l", CreatedAt: t0})
	mustCreate(t, s, grader.Record{ID: "u2", Challenge: "c", Learner: "l", CreatedAt: t0.Add(time.Minute)})
	mustCreate(t, s, grader.Record{ID: "u3", Challenge: "c", Learner: "l", CreatedAt: t0.Add(2 * time.Minute)})
	mustCreate(t, s, grader.Record{ID: "u4", Challenge: "c", Learner: "l", CreatedAt: t0.Add(9 * time.Minute)})
	if err := s.MarkStarted(ctx, "u2"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveResult(ctx, grader.Result{SubmissionID: "u3", Status: grader.StatusPassed}); err != nil {
		t.Fatal(err)
	}
	c.Set(t0.Add(10 * time.Minute))
	got, err := s.Unfinished(ctx, 5*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got {
		ids = append(ids, r.ID+"/"+string(r.State))
	}
	if diff := cmp.Diff([]string{"u1/queued", "u2/grading"}, ids); diff != "" {
		t.Errorf("unfinished older than 5m, oldest first (-want +got):\n%s", diff)
	}
	if got, _ := s.Unfinished(ctx, time.Hour); len(got) != 0 {
		t.Errorf("unfinished older than an hour: %+v", got)
	}
}

func testEvents(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	mustCreate(t, s, grader.Record{ID: "v1", Challenge: "c", Learner: "l"})
	var ids []string
	for _, ty := range []grader.EventType{grader.EventStarted, grader.EventPhaseStarted, grader.EventTestFinished} {
		id, err := s.AppendEvent(ctx, "v1", grader.Event{Type: ty, Phase: "build", At: t0})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	all, err := s.Events(ctx, "v1", "")
	if err != nil || len(all) != 3 {
		t.Fatalf("events %+v %v", all, err)
	}
	if diff := cmp.Diff(grader.StoredEvent{ID: ids[2], Event: grader.Event{Type: grader.EventTestFinished, Phase: "build", At: t0}}, all[2]); diff != "" {
		t.Errorf("third event (-want +got):\n%s", diff)
	}
	rest, _ := s.Events(ctx, "v1", ids[0])
	if len(rest) != 2 || rest[0].ID != ids[1] {
		t.Errorf("events after the first: %+v", rest)
	}
	if none, err := s.Events(ctx, "v1", ids[2]); err != nil || len(none) != 0 {
		t.Errorf("events after the last: %+v %v", none, err)
	}
	if ttl := rdb.TTL(ctx, s.key("sub", "v1", "events")).Val(); ttl != -1 {
		t.Errorf("an ungraded submission's events expire (TTL %s)", ttl)
	}
	for _, bad := range []string{"x", "1-", "-1", "1-2-3", "99999999999999999999999", "$", "+", "(1",
		// No id follows the largest one: real Redis refuses the range.
		"18446744073709551615-18446744073709551615"} {
		if _, err := s.Events(ctx, "v1", bad); !errors.Is(err, grader.ErrInvalidEventID) {
			t.Errorf("Events after %q = %v, want grader.ErrInvalidEventID", bad, err)
		}
	}

	// Graded: the stream expires with the files, even one created late.
	if _, err := s.SaveResult(ctx, grader.Result{SubmissionID: "v1", Status: grader.StatusPassed}); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.TTL(ctx, s.key("sub", "v1", "events")).Val(); ttl <= 0 {
		t.Errorf("a graded submission's events never expire (TTL %s)", ttl)
	}
	mustCreate(t, s, grader.Record{ID: "v2", Challenge: "c", Learner: "l"})
	if _, err := s.SaveResult(ctx, grader.Result{SubmissionID: "v2", Status: grader.StatusPassed}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AppendEvent(ctx, "v2", grader.Event{Type: grader.EventDone}); err != nil {
		t.Fatal(err)
	}
	if ttl := rdb.TTL(ctx, s.key("sub", "v2", "events")).Val(); ttl <= 0 || ttl > 24*time.Hour {
		t.Errorf("a stream created after grading: TTL %s, want up to a day", ttl)
	}
}

func testEventsAfter(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	mustCreate(t, s, grader.Record{ID: "a1", Challenge: "c", Learner: "l"})
	mustCreate(t, s, grader.Record{ID: "a2", Challenge: "c", Learner: "l"})
	first, err := s.AppendEvent(ctx, "a1", grader.Event{Type: grader.EventQueued, At: t0})
	if err != nil {
		t.Fatal(err)
	}
	second, _ := s.AppendEvent(ctx, "a1", grader.Event{Type: grader.EventStarted, At: t0})
	third, _ := s.AppendEvent(ctx, "a2", grader.Event{Type: grader.EventQueued, At: t0})
	got, err := s.EventsAfter(ctx, map[string]string{"a1": first, "a2": "", "none": ""})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]grader.StoredEvent{
		"a1": {{ID: second, Event: grader.Event{Type: grader.EventStarted, At: t0}}},
		"a2": {{ID: third, Event: grader.Event{Type: grader.EventQueued, At: t0}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("EventsAfter (-want +got):\n%s", diff)
	}
	if _, err := s.EventsAfter(ctx, map[string]string{"a1": "18446744073709551615-18446744073709551615"}); !errors.Is(err, grader.ErrInvalidEventID) {
		t.Errorf("EventsAfter of the largest id: %v, want grader.ErrInvalidEventID", err)
	}

	if _, err := s.SaveResult(ctx, grader.Result{SubmissionID: "a2", Status: grader.StatusPassed, GradedAt: t0}); err != nil {
		t.Fatal(err)
	}
	graded, err := s.GradedAt(ctx, []string{"a1", "a2", "none"})
	if err != nil {
		t.Fatal(err)
	}
	if len(graded) != 1 || graded["a2"].IsZero() {
		t.Errorf("GradedAt = %v, want a2 only", graded)
	}
}

// testWatchEvents: every appended event is announced by its submission
// id, and the watch resyncs once subscribed.
func testWatchEvents(t *testing.T, rdb redis.UniversalClient) {
	ctx, cancel := context.WithCancel(context.Background())
	s, _ := newStore(t, rdb)
	mustCreate(t, s, grader.Record{ID: "w1", Challenge: "c", Learner: "l"})
	ids := make(chan string, 10)
	resynced := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() {
		done <- s.WatchEvents(ctx, func(id string) { ids <- id }, func() { resynced <- struct{}{} })
	}()
	<-resynced // subscribed: from here on no notice is missed
	for range 2 {
		if _, err := s.AppendEvent(ctx, "w1", grader.Event{Type: grader.EventStarted}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if id := <-ids; id != "w1" {
			t.Errorf("notice for %q, want w1", id)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("WatchEvents after cancel: %v", err)
	}
}

// testSaveResultDone: storing a result appends its done event and
// announces it in the same write; a result that is not stored (a late
// duplicate) appends nothing.
func testSaveResultDone(t *testing.T, rdb redis.UniversalClient) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s, _ := newStore(t, rdb)
	mustCreate(t, s, grader.Record{ID: "d1", Challenge: "c", Learner: "l"})
	ids := make(chan string, 10)
	resynced := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() {
		done <- s.WatchEvents(ctx, func(id string) { ids <- id }, func() { resynced <- struct{}{} })
	}()
	<-resynced
	res := grader.Result{SubmissionID: "d1", Challenge: "c", Status: grader.StatusFailed, Score: 2, MaxScore: 5, GradedAt: t0.Add(time.Minute)}
	if stored, err := s.SaveResult(ctx, res); err != nil || !stored {
		t.Fatalf("save: %v %v", stored, err)
	}
	late := grader.Result{SubmissionID: "d1", Challenge: "c", Status: grader.StatusPassed, Score: 5, MaxScore: 5}
	if stored, err := s.SaveResult(ctx, late); err != nil || stored {
		t.Fatalf("late save: %v %v, want not stored", stored, err)
	}
	evs, err := s.Events(ctx, "d1", "")
	if err != nil {
		t.Fatal(err)
	}
	want := []grader.Event{{Type: grader.EventDone, OK: true, Message: "failed: 2 of 5 points", At: t0.Add(time.Minute)}}
	var got []grader.Event
	for _, e := range evs {
		got = append(got, e.Event)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
	if id := <-ids; id != "d1" { // announced (the done event is there)
		t.Errorf("notice for %q, want d1", id)
	}
	if ttl := rdb.PTTL(ctx, s.key("sub", "d1", "events")).Val(); ttl <= 0 {
		t.Errorf("the events of a graded submission have TTL %s, want FilesTTL", ttl)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("WatchEvents after cancel: %v", err)
	}
}

func testIdempotency(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	claim := func(subject, key, id, want string) {
		t.Helper()
		got, err := s.ClaimIdempotencyKey(ctx, subject, key, id, time.Hour)
		if err != nil || got != want {
			t.Errorf("claim (%s, %s) for %s = %q %v, want %q", subject, key, id, got, err, want)
		}
	}
	claim("ada", "k1", "s1", "")
	claim("ada", "k1", "s2", "s1")
	claim("ada", "k1", "s1", "s1")
	claim("bob", "k1", "s3", "")  // keys are per subject
	claim("ada:k1", "", "s4", "") // no separator games
	claim("ada", "k1:", "s5", "") // no separator games
	if ttl := rdb.TTL(ctx, s.key("idem", "ada", "k1")).Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("an idempotency key's TTL = %s, want up to an hour", ttl)
	}
	if err := s.ReleaseIdempotencyKey(ctx, "ada", "k1", "s2"); err != nil {
		t.Fatal(err)
	}
	claim("ada", "k1", "s2", "s1") // another id's release left it
	if err := s.ReleaseIdempotencyKey(ctx, "ada", "k1", "s1"); err != nil {
		t.Fatal(err)
	}
	claim("ada", "k1", "s2", "")
	if err := s.ReleaseIdempotencyKey(ctx, "nobody", "k", "s1"); err != nil {
		t.Errorf("releasing no claim: %v", err)
	}
	if _, err := s.ClaimIdempotencyKey(ctx, "ada", "k9", "s1", 0); err == nil {
		t.Error("a claim without ttl was accepted")
	}
	if _, err := s.ClaimIdempotencyKey(ctx, "ada", "k9", "", time.Hour); err == nil {
		t.Error("a claim for an empty id was accepted")
	}
}

func testIdempotencyRace(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	const n = 64
	got := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = s.ClaimIdempotencyKey(ctx, "ada", "race", fmt.Sprintf("s%d", i), time.Minute)
		}()
	}
	wg.Wait()
	winner := -1
	for i := range n {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if got[i] == "" {
			if winner >= 0 {
				t.Fatalf("both s%d and s%d claimed the key", winner, i)
			}
			winner = i
		}
	}
	if winner < 0 {
		t.Fatal("nobody claimed the key")
	}
	for i := range n {
		if i != winner && got[i] != fmt.Sprintf("s%d", winner) {
			t.Errorf("claim %d saw %q, want the winner s%d", i, got[i], winner)
		}
	}
}

func testAllow(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, c := newStore(t, rdb)
	// 10:00:20 in a one-minute window that ends at 10:01:00.
	c.Set(t0.Add(20*time.Second + 300*time.Millisecond))
	var oks []bool
	var retry time.Duration
	for range 5 {
		ok, r, err := s.Allow(ctx, "ada", 3, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		oks = append(oks, ok)
		retry = r
	}
	if diff := cmp.Diff([]bool{true, true, true, false, false}, oks); diff != "" {
		t.Errorf("admitted (-want +got):\n%s", diff)
	}
	if retry != 40*time.Second {
		t.Errorf("retry after %s, want 40s (39.7s rounded up)", retry)
	}
	if ok, _, _ := s.Allow(ctx, "bob", 3, time.Minute); !ok {
		t.Error("bob is limited by ada's requests")
	}
	if ttl := rdb.TTL(ctx, s.key("rate", "ada", fmt.Sprint(t0.Add(20*time.Second).UnixNano()/int64(time.Minute)))).Val(); ttl <= 0 || ttl > 2*time.Minute {
		t.Errorf("the window's TTL = %s, want it to expire by itself", ttl)
	}
	c.Set(t0.Add(time.Minute - time.Millisecond))
	if ok, r, _ := s.Allow(ctx, "ada", 3, time.Minute); ok || r != time.Second {
		t.Errorf("1ms before the window ends: ok %v retry %s, want refused, 1s", ok, r)
	}
	c.Set(t0.Add(time.Minute))
	if ok, _, _ := s.Allow(ctx, "ada", 3, time.Minute); !ok {
		t.Error("a new window refused the first request")
	}
	for _, tc := range []struct {
		limit  int
		window time.Duration
	}{{0, time.Minute}, {-1, time.Minute}, {1, 0}, {1, time.Millisecond}} {
		if _, _, err := s.Allow(ctx, "ada", tc.limit, tc.window); err == nil {
			t.Errorf("Allow(limit %d, window %s): no error", tc.limit, tc.window)
		}
	}
}

func testAllowConcurrency(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	const n, limit = 100, 17
	var mu sync.Mutex
	admitted := 0
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, _, err := s.Allow(ctx, "shared", limit, time.Hour)
			if err != nil {
				t.Error(err)
				return
			}
			if ok {
				mu.Lock()
				admitted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if admitted != limit {
		t.Errorf("%d requests admitted, want exactly %d", admitted, limit)
	}
}

func TestBoardPacking(t *testing.T) {
	times := []time.Time{
		time.Date(1999, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 3, 1, 10, 0, 1, 0, time.UTC),
		time.Date(2099, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	scores := []int{0, 1, 2, 99, 100, 9999, 10000}
	type entry struct {
		score int
		at    time.Time
		v     float64
	}
	var all []entry
	for _, sc := range scores {
		for _, at := range times {
			v := packBoard(sc, at)
			if v != math.Trunc(v) || v >= 1<<53 {
				t.Fatalf("pack(%d, %s) = %v: not an exact integer", sc, at, v)
			}
			gotScore, gotAt := unpackBoard(v)
			if gotScore != sc || !gotAt.Equal(at) {
				t.Errorf("unpack(pack(%d, %s)) = %d, %s", sc, at, gotScore, gotAt)
			}
			all = append(all, entry{sc, at, v})
		}
	}
	// Higher scores first; among equal scores, the earliest.
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v })
	for i := 1; i < len(all); i++ {
		a, b := all[i-1], all[i]
		if a.score < b.score || (a.score == b.score && !a.at.Before(b.at)) {
			t.Errorf("%d@%s ranks above %d@%s", a.score, a.at, b.score, b.at)
		}
	}
	// Out-of-range values are clamped, never corrupt a neighbour.
	if sc, _ := unpackBoard(packBoard(-5, times[1])); sc != 0 {
		t.Errorf("a negative score packs to %d", sc)
	}
	if sc, _ := unpackBoard(packBoard(1<<40, times[1])); sc != maxBoardScore {
		t.Errorf("a huge score packs to %d", sc)
	}
	if sc, _ := unpackBoard(packBoard(7, time.Time{})); sc != 7 {
		t.Errorf("a zero time shifts the score to %d", sc)
	}
}

// testBatchReads: AttemptsOf and Results return what was stored, in time
// order, across more learners and ids than one pipeline holds.
func testBatchReads(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	var learners, ids []string
	wantAttempts := map[string][]string{} // learner -> ids, oldest first
	wantResults := map[string]grader.Result{}
	for i := range batchSize + 88 {
		learner := fmt.Sprintf("l%04d", i)
		learners = append(learners, learner)
		for n := range i % 3 {
			// Later ids are made earlier: the order must be by time.
			id := fmt.Sprintf("s%04d-%d", i, n)
			mustCreate(t, s, grader.Record{ID: id, Challenge: "notes-api", Learner: learner, Queue: "batch",
				CreatedAt: t0.Add(time.Duration(i*3-n) * time.Second)})
			wantAttempts[learner] = append([]string{id}, wantAttempts[learner]...)
			ids = append(ids, id)
			if n == 0 && i%2 == 0 {
				res := grader.Result{SubmissionID: id, Challenge: "notes-api", Status: grader.StatusFailed, Score: i % 7, MaxScore: 10, ChallengeVersion: "v1"}
				if _, err := s.SaveResult(ctx, res); err != nil {
					t.Fatal(err)
				}
				wantResults[id] = res
			}
		}
		if i%5 == 0 {
			mustCreate(t, s, grader.Record{ID: fmt.Sprintf("f%04d", i), Challenge: "fix-ledger", Learner: learner, Queue: "batch", CreatedAt: t0})
		}
	}
	learners = append(learners, "ghost")
	ids = append(ids, "nope")

	byLearner, err := s.AttemptsOf(ctx, learners, "notes-api")
	if err != nil {
		t.Fatal(err)
	}
	gotAttempts := map[string][]string{}
	for learner, recs := range byLearner {
		for _, r := range recs {
			if r.Learner != learner || r.Challenge != "notes-api" {
				t.Fatalf("AttemptsOf[%s] holds %s of %s at %s", learner, r.ID, r.Learner, r.Challenge)
			}
			gotAttempts[learner] = append(gotAttempts[learner], r.ID)
		}
	}
	if diff := cmp.Diff(wantAttempts, gotAttempts); diff != "" {
		t.Errorf("AttemptsOf (-want +got):\n%s", diff)
	}
	if one, err := s.Attempts(ctx, "l0002", "notes-api"); err != nil || len(one) != 2 || one[0].ID != "s0002-1" {
		t.Errorf("Attempts(l0002) = %v, %v; want s0002-1 then s0002-0", one, err)
	}

	results, err := s.Results(ctx, ids)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != len(wantResults) {
		t.Errorf("Results has %d, want the %d graded", len(results), len(wantResults))
	}
	for id, want := range wantResults {
		if got, ok := results[id]; !ok || got.Score != want.Score || got.ChallengeVersion != "v1" || got.SubmissionID != id {
			t.Errorf("Results[%s] = %+v, %v; want score %d", id, got, ok, want.Score)
		}
	}
	if got, err := s.Results(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("Results(nil) = %v, %v", got, err)
	}
}

func testPracticeBoard(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	for _, rec := range []grader.Record{
		{ID: "own", Challenge: "c", Learner: "ada"},
		{ID: "bulk", Challenge: "c", Learner: "bob", CallbackView: grader.ViewInstructor},
		{ID: "staff", Challenge: "c", Learner: "teach", CallbackView: grader.ViewInstructor},
		{ID: "cohort", Challenge: "c", Learner: "cy", Cohort: "k"},
	} {
		mustCreate(t, s, rec)
		if _, err := s.SaveResult(ctx, grader.Result{SubmissionID: rec.ID, Status: grader.StatusPassed, Score: 3, MaxScore: 3}); err != nil {
			t.Fatal(err)
		}
	}
	learners := func(b []grader.BoardEntry) []string {
		var out []string
		for _, s := range b {
			out = append(out, s.Learner)
		}
		sort.Strings(out)
		return out
	}
	if b, err := s.PracticeLeaderboard(ctx, "c", 10); err != nil || !cmp.Equal(learners(b), []string{"ada"}) {
		t.Errorf("practice board %v %v, want ada only", learners(b), err)
	}
	if b, err := s.Leaderboard(ctx, "c", 10); err != nil || len(b) != 4 {
		t.Errorf("whole board %v %v, want all four", learners(b), err)
	}
}

// testLanguages: a submission keeps the language it was made in, and one
// made without (as before languages) is Go.
func testLanguages(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	s, _ := newStore(t, rdb)
	mustCreate(t, s, grader.Record{ID: "py1", Challenge: "notes-api", Language: grader.LanguagePython, Learner: "ada"})
	mustCreate(t, s, grader.Record{ID: "go1", Challenge: "notes-api", Learner: "ada"})
	for id, want := range map[string]grader.Language{"py1": grader.LanguagePython, "go1": grader.LanguageGo} {
		if sub, err := s.Submission(ctx, id); err != nil || sub.Language != want {
			t.Errorf("submission %s read back in %q (%v), want %s", id, sub.Language, err, want)
		}
		if r, err := s.Record(ctx, id); err != nil || r.Language != want {
			t.Errorf("record %s says %q (%v), want %s", id, r.Language, err, want)
		}
	}
}
