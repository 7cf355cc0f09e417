//go:build integration

package store

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/redistest"
)

// TestStoreOnRedis runs the store's contract against a real redis-server.
func TestStoreOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { rdb.Close() })
	exerciseStore(t, rdb)
}

// TestFirstResultStandsAcrossARestart: a result stored before Redis went
// down is still the one result once it is back; a late duplicate grading
// saved after the restart changes nothing.
func TestFirstResultStandsAcrossARestart(t *testing.T) {
	srv := redistest.StartDurable(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	s := New(Config{Client: rdb})
	if _, err := s.CreateSubmission(ctx, grader.Record{ID: "d1", Challenge: "fix-ledger", Learner: "ada"}, files); err != nil {
		t.Fatal(err)
	}
	first := grader.Result{SubmissionID: "d1", Challenge: "fix-ledger", Status: grader.StatusPassed, Score: 5, MaxScore: 5}
	if stored, err := s.SaveResult(ctx, first); err != nil || !stored {
		t.Fatalf("first result: %v, %v", stored, err)
	}
	srv.Stop()
	if _, err := s.SaveResult(ctx, grader.Result{SubmissionID: "d1", Status: grader.StatusError}); err == nil {
		t.Error("a save while Redis is down succeeded")
	}
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	late := grader.Result{SubmissionID: "d1", Challenge: "fix-ledger", Status: grader.StatusBuildFailed, MaxScore: 5}
	if stored, err := s.SaveResult(ctx, late); err != nil || stored {
		t.Errorf("late duplicate after the restart: stored %v, %v; want not stored", stored, err)
	}
	if got, ok, err := s.Result(ctx, "d1"); err != nil || !ok || got.Status != grader.StatusPassed || got.Score != 5 {
		t.Errorf("result after the restart: %+v %v %v; want the first", got, ok, err)
	}
	if best, ok, _ := s.Best(ctx, "fix-ledger", "ada"); !ok || best.Score != 5 {
		t.Errorf("best after the restart: %+v %v", best, ok)
	}
}

// TestWatchEventsResyncsOnRedis: when the subscription's connection is
// cut, the watch subscribes again and resyncs, since notices published
// meanwhile are lost; notices flow again afterwards.
func TestWatchEventsResyncsOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { rdb.Close() })
	s, _ := newStore(t, rdb)
	ctx, cancel := context.WithCancel(context.Background())
	ids := make(chan string, 10)
	resynced := make(chan struct{}, 10)
	done := make(chan error, 1)
	go func() {
		done <- s.WatchEvents(ctx, func(id string) { ids <- id }, func() { resynced <- struct{}{} })
	}()
	<-resynced
	if err := rdb.ClientKillByFilter(ctx, "TYPE", "pubsub").Err(); err != nil {
		t.Fatal(err)
	}
	<-resynced // subscribed again
	mustCreate(t, s, grader.Record{ID: "r1", Challenge: "c", Learner: "l"})
	if _, err := s.AppendEvent(ctx, "r1", grader.Event{Type: grader.EventStarted}); err != nil {
		t.Fatal(err)
	}
	if id := <-ids; id != "r1" {
		t.Errorf("notice for %q after reconnecting, want r1", id)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("WatchEvents: %v", err)
	}
}
