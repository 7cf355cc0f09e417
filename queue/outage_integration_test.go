//go:build integration

package queue

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/redistest"
)

// countingEvents counts the progress writes that failed.
type countingEvents struct {
	inner           Events
	mu              sync.Mutex
	written, failed int
}

func (c *countingEvents) AppendEvent(ctx context.Context, id string, ev grader.Event) (string, error) {
	sid, err := c.inner.AppendEvent(ctx, id, ev)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		c.failed++
	} else {
		c.written++
	}
	return sid, err
}

func (c *countingEvents) counts() (written, failed int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.written, c.failed
}

// lockedClock is a settable clock safe for the writer's goroutine.
type lockedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *lockedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *lockedClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// waitUntil polls cond until it holds, failing after 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestProgressDuringARedisOutage stops redis-server while a grading emits
// progress: the outage costs one failed write per retry interval, not
// one per event, the grading goes on and its result is stored once Redis
// is back, and the log says once that events are dropped and once that
// Redis is back.
func TestProgressDuringARedisOutage(t *testing.T) {
	srv := redistest.StartDurable(t)
	redisAddr = func(*testing.T) string { return srv.Addr }
	t.Cleanup(func() { redisAddr = func(*testing.T) string { return "" } })
	e := newEnv(t)
	e.create(t, grader.Record{ID: "s1"})
	ev := &countingEvents{inner: e.st}
	e.h.cfg.Events = ev
	clock := &lockedClock{t: e.now}
	e.h.gate.now = clock.Now

	const during = 500
	e.eng.fn = func(ctx context.Context, sub grader.Submission, p grader.Progress) (grader.Result, error) {
		p.Event(grader.Event{Type: grader.EventPhaseStarted, Phase: "build", Suite: "go"})
		waitUntil(t, "the first event to be written", func() bool { w, _ := ev.counts(); return w >= 1 })
		srv.Stop()
		for range during {
			p.Event(grader.Event{Type: grader.EventTestFinished, Suite: "go", Test: &grader.TestResult{Name: "t", Status: grader.TestPassed}})
		}
		waitUntil(t, "a write to fail", func() bool { _, f := ev.counts(); return f >= 1 })
		if err := srv.Restart(ctx); err != nil {
			return grader.Result{}, err
		}
		clock.Add(time.Minute)
		p.Event(grader.Event{Type: grader.EventPhaseFinished, Phase: "run", Suite: "go", OK: true})
		return grader.Result{SubmissionID: sub.ID, Challenge: "notes-api", Status: grader.StatusPassed, Score: 3, MaxScore: 3}, nil
	}
	if err := e.h.ProcessTask(context.Background(), gradeTask("s1", "notes-api")); err != nil {
		t.Fatal(err)
	}
	if _, failed := ev.counts(); failed != 1 {
		t.Errorf("%d progress writes failed during the outage, want 1 (not one per event)", failed)
	}
	types := e.eventTypes(t, "s1")
	if n := len(types); n < 3 || types[n-2] != grader.EventPhaseFinished || types[n-1] != grader.EventDone {
		t.Errorf("events end %v, want the event sent after the outage, then done", types)
	}
	if res, ok, _ := e.st.Result(context.Background(), "s1"); !ok || res.Status != grader.StatusPassed {
		t.Errorf("result %+v %v", res, ok)
	}
	logs := e.logs.String()
	if strings.Count(logs, "progress events cannot be written") != 1 || strings.Count(logs, "Redis answers again") != 1 {
		t.Errorf("logs, want the outage and its end said once each:\n%s", logs)
	}
}
