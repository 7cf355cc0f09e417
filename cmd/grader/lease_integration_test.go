//go:build integration

package main

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/internal/redistest"
)

// TestWorkerLeaseSurvivesARedisOutage stops a durable redis-server for
// twice the lease's TTL, so the lease key is gone when it comes back, as
// in production: the live worker must take it again before a second
// worker with its id can, and that one is refused.
func TestWorkerLeaseSurvivesARedisOutage(t *testing.T) {
	srv := redistest.StartDurable(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DialTimeout: 200 * time.Millisecond, ReadTimeout: 500 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)
	live, err := acquireLease(ctx, rdb, "w1", 0, log)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Release()

	srv.Stop()
	time.Sleep(2 * leaseTTL)
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the live worker to hold its lease again", func() bool { return live.Held(ctx) == nil })

	second := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { second.Close() })
	if l, err := acquireLease(ctx, second, "w1", 0, log); !errors.Is(err, errLeaseHeld) {
		if err == nil {
			l.Release()
		}
		t.Fatalf("a second worker with the live worker's id after the outage: %v, want errLeaseHeld", err)
	}
	select {
	case <-live.Lost():
		t.Fatal("the live worker lost its lease")
	default:
	}
}
