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
	mustCreate(t, s, Record{ID: "r1", Challenge: "c", Learner: "l"})
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
