package main

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/gradebox/grader/internal/miniredistest"
	"github.com/gradebox/grader/queue"
)

func TestWorkerLeaseIsExclusive(t *testing.T) {
	rdb := miniredistest.Client(t)
	ctx := context.Background()
	log := slog.New(slog.DiscardHandler)

	first, err := acquireLease(ctx, rdb, "w1", 0, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := acquireLease(ctx, rdb, "w1", 0, log); !errors.Is(err, errLeaseHeld) {
		t.Fatalf("second holder of w1: %v, want errLeaseHeld", err)
	}
	other, err := acquireLease(ctx, rdb, "w2", 0, log)
	if err != nil {
		t.Fatalf("another id: %v", err)
	}
	other.Release()
	first.Release()
	again, err := acquireLease(ctx, rdb, "w1", 0, log)
	if err != nil {
		t.Fatalf("w1 after release: %v", err)
	}
	again.Release()
}

func TestWorkerLeaseOfADeadHolderRunsOut(t *testing.T) {
	mr, rdb := miniredistest.New(t)
	// A holder that died without releasing: only the key is left.
	mr.Set("grader:worker:w1", "dead")
	mr.SetTTL("grader:worker:w1", leaseTTL)
	done := make(chan error, 1)
	go func() {
		l, err := acquireLease(context.Background(), rdb, "w1", 5*time.Second, slog.New(slog.DiscardHandler))
		if err == nil {
			l.Release()
		}
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	mr.FastForward(leaseTTL)
	if err := <-done; err != nil {
		t.Fatalf("lease after the dead holder's ran out: %v", err)
	}
}

func TestEmbeddedRedisExpiresKeys(t *testing.T) {
	rc, err := connectRedis(context.Background(), "", slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	ctx := context.Background()
	if err := rc.client.Set(ctx, "k", "v", time.Second).Err(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for rc.client.Exists(ctx, "k").Val() == 1 {
		if time.Now().After(deadline) {
			t.Fatal("a key with a 1s TTL still exists after 5s in the embedded Redis")
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestConnectRedisErrors(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	if _, err := connectRedis(context.Background(), "http://nope", log); err == nil {
		t.Error("a non-redis URL was accepted")
	}
	if _, err := connectRedis(context.Background(), "redis://127.0.0.1:1", log); err == nil {
		t.Error("an unreachable Redis was accepted")
	}
}

// fastRenewals renews leases every few milliseconds for one test.
func fastRenewals(t *testing.T) {
	every, retry := leaseRenewEvery, leaseRetry
	leaseRenewEvery, leaseRetry = 20*time.Millisecond, 10*time.Millisecond
	t.Cleanup(func() { leaseRenewEvery, leaseRetry = every, retry })
}

func TestWorkerLeaseLapsedIsTakenAgain(t *testing.T) {
	fastRenewals(t)
	mr, rdb := miniredistest.New(t)
	ctx := context.Background()
	l, err := acquireLease(ctx, rdb, "w1", 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	// Redis lost the key (an outage longer than its TTL).
	mr.Del("grader:worker:w1")
	waitFor(t, "the lease to be taken again", func() bool { return l.Held(ctx) == nil })
	if _, err := acquireLease(ctx, rdb, "w1", 0, slog.New(slog.DiscardHandler)); !errors.Is(err, errLeaseHeld) {
		t.Fatalf("second worker after the lease was taken again: %v, want errLeaseHeld", err)
	}
	select {
	case <-l.Lost():
		t.Fatal("the holder thinks it lost its lease")
	default:
	}
}

func TestWorkerLeaseTakenByAnotherIsLost(t *testing.T) {
	fastRenewals(t)
	mr, rdb := miniredistest.New(t)
	ctx := context.Background()
	l, err := acquireLease(ctx, rdb, "w1", 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	mr.Set("grader:worker:w1", "someone-else")
	select {
	case <-l.Lost():
	case <-time.After(10 * time.Second):
		t.Fatal("Lost not closed after another process took the id")
	}
	if err := l.Held(ctx); !errors.Is(err, errLeaseLost) {
		t.Errorf("Held = %v, want errLeaseLost", err)
	}
	l.Release()
	if v, _ := mr.Get("grader:worker:w1"); v != "someone-else" {
		t.Errorf("Release removed the other holder's lease: key = %q", v)
	}
}

// waitFor polls cond until it holds, failing after 10 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestWorkerStopsTakingTasksWhenItsLeaseIsLost: once another process
// holds the worker's id, its grading server stops fetching tasks.
func TestWorkerStopsTakingTasksWhenItsLeaseIsLost(t *testing.T) {
	fastRenewals(t)
	mr, rdb := miniredistest.New(t)
	log := slog.New(slog.DiscardHandler)
	lease, err := acquireLease(context.Background(), rdb, "w1", 0, log)
	if err != nil {
		t.Fatal(err)
	}
	grade := queue.NewGradeServer(rdb, queue.ServerConfig{Concurrency: 1})
	mux := asynq.NewServeMux()
	if err := grade.Start(mux); err != nil {
		t.Fatal(err)
	}
	w := &worker{lease: lease, grade: grade, sweepStop: make(chan struct{}), watchDone: make(chan struct{})}
	go w.watchLease(log)

	mr.Set("grader:worker:w1", "another-process")
	<-w.watchDone
	// Start refuses a stopped (not a running) server.
	if err := grade.Start(mux); err == nil || !strings.Contains(err.Error(), "stopped state") {
		t.Errorf("after the lease was lost the server is not stopped: Start = %v", err)
	}
	grade.Shutdown()
	lease.Release()
}
