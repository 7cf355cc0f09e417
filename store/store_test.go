package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/queue"
)

func TestStoreOnMiniredis(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	exerciseStore(t, rdb)
}

// exerciseStore runs the store's contract against a Redis.
func exerciseStore(t *testing.T, rdb redis.UniversalClient) {
	ctx := context.Background()
	clock := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	s := New(Config{Client: rdb, Prefix: "test" + t.Name(), Now: func() time.Time { return clock }})

	files := []grader.File{{Name: "go.mod", Mode: 0o644, Data: []byte("module x\n")}, {Name: "main.go", Mode: 0o644, Data: []byte("package main\n")}}
	for i, rec := range []Record{
		{ID: "s1", Challenge: "notes-api", Learner: "ada", Queue: queue.QueueInteractive, CreatedAt: clock},
		{ID: "s2", Challenge: "notes-api", Learner: "bob", Queue: queue.QueueInteractive, CreatedAt: clock.Add(time.Minute)},
		{ID: "s3", Challenge: "fix-ledger", Learner: "ada", Queue: queue.QueueBatch, CreatedAt: clock.Add(2 * time.Minute)},
		{ID: "s4", Challenge: "notes-api", Learner: "ada", Queue: queue.QueueInteractive, CreatedAt: clock.Add(3 * time.Minute)},
	} {
		if err := s.CreateSubmission(ctx, rec, files); err != nil {
			t.Fatalf("create %d: %v", i, err)
		}
	}
	if err := s.CreateSubmission(ctx, Record{ID: "s1", Challenge: "x", Learner: "eve"}, files); !errors.Is(err, ErrExists) {
		t.Errorf("a taken id = %v, want ErrExists", err)
	}
	if r, _ := s.Record(ctx, "s1"); r.Learner != "ada" {
		t.Errorf("a refused create changed the record: %+v", r)
	}

	sub, err := s.Submission(ctx, "s1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(files, sub.Files); diff != "" || sub.ID != "s1" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if _, err := s.Submission(ctx, "nope"); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("unknown submission = %v, want ErrNotFound", err)
	}
	if _, err := s.Record(ctx, "nope"); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("unknown record = %v, want ErrNotFound", err)
	}

	recs, total, err := s.List(ctx, Filter{Learner: "ada", Challenge: "notes-api"}, 0, 10)
	if err != nil || total != 2 || len(recs) != 2 || recs[0].ID != "s4" || recs[1].ID != "s1" {
		t.Errorf("ada's notes-api submissions: %+v total %d err %v", recs, total, err)
	}
	recs, total, _ = s.List(ctx, Filter{}, 1, 2)
	if total != 4 || len(recs) != 2 || recs[0].ID != "s3" || recs[1].ID != "s2" {
		t.Errorf("page 2 of all: %+v total %d", recs, total)
	}

	if _, ok, _ := s.Result(ctx, "s1"); ok {
		t.Error("a result before grading")
	}
	save := func(id string, score int, at time.Time) {
		t.Helper()
		res := grader.Result{SubmissionID: id, Challenge: "notes-api", Status: grader.StatusFailed, Score: score, MaxScore: 10, GradedAt: at}
		if score == 10 {
			res.Status = grader.StatusPassed
		}
		if err := s.SaveResult(ctx, res); err != nil {
			t.Fatal(err)
		}
	}
	save("s1", 7, clock.Add(time.Hour))
	save("s2", 7, clock.Add(2*time.Hour))
	save("s4", 5, clock.Add(3*time.Hour)) // ada's worse later attempt keeps her best
	save("s1", 7, clock.Add(time.Hour))   // a duplicate save changes nothing
	res, ok, err := s.Result(ctx, "s1")
	if err != nil || !ok || res.Score != 7 {
		t.Errorf("result %+v %v %v", res, ok, err)
	}
	rec, _ := s.Record(ctx, "s1")
	if rec.State != StateGraded || rec.Score != 7 || rec.MaxScore != 10 || rec.Status != grader.StatusFailed {
		t.Errorf("record after grading %+v", rec)
	}
	board, err := s.Leaderboard(ctx, "notes-api", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []Standing{{Learner: "ada", Score: 7, At: clock.Add(time.Hour)}, {Learner: "bob", Score: 7, At: clock.Add(2 * time.Hour)}}
	if diff := cmp.Diff(want, board); diff != "" {
		t.Errorf("leaderboard (-want +got):\n%s", diff)
	}
	save("s2", 10, clock.Add(4*time.Hour))
	if board, _ := s.Leaderboard(ctx, "notes-api", 1); len(board) != 1 || board[0].Learner != "bob" || board[0].Score != 10 {
		t.Errorf("after bob's full marks: %+v", board)
	}

	var ids []string
	for _, ty := range []grader.EventType{grader.EventPhaseStarted, grader.EventPhaseFinished, grader.EventTestFinished} {
		id, err := s.AppendEvent(ctx, "s3", grader.Event{Type: ty, Phase: "build"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	all, err := s.Events(ctx, "s3", "")
	if err != nil || len(all) != 3 || all[2].Event.Type != grader.EventTestFinished {
		t.Fatalf("events %+v %v", all, err)
	}
	rest, _ := s.Events(ctx, "s3", ids[0])
	if len(rest) != 2 || rest[0].ID != ids[1] {
		t.Errorf("events after the first: %+v", rest)
	}
}
