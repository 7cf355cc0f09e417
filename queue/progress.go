package queue

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/gradebox/grader/grader"
)

// progressBuffer is how many progress events of one grading wait for
// their write to Redis.
const progressBuffer = 256

// progressWriteTimeout bounds one progress event's write.
const progressWriteTimeout = 2 * time.Second

// eventGate is shared by a handler's gradings so that a Redis outage
// costs at most one failed progress write per retry interval, not one
// per event: once a write fails, progress events are dropped without
// trying until the interval has passed, then one write tries again. It
// logs the outage's start and its end once each.
type eventGate struct {
	log   *slog.Logger
	now   func() time.Time
	retry time.Duration

	mu      sync.Mutex
	down    bool
	next    time.Time // when a write may try again, while down
	dropped int
}

// open reports whether an event should be written now; while down it
// lets one writer through per retry interval.
func (g *eventGate) open() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.down {
		return true
	}
	if now := g.now(); !now.Before(g.next) {
		g.next = now.Add(g.retry)
		return true
	}
	return false
}

// isDown reports whether the last write failed.
func (g *eventGate) isDown() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.down
}

// drop counts an event not written.
func (g *eventGate) drop() {
	g.mu.Lock()
	g.dropped++
	g.mu.Unlock()
}

// done records how a write went.
func (g *eventGate) done(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case err != nil && !g.down:
		g.down, g.next, g.dropped = true, g.now().Add(g.retry), 1
		g.log.Warn("progress events cannot be written: they are dropped until Redis is back; grading goes on", "err", err)
	case err != nil:
		g.dropped++
	case g.down:
		g.down = false
		g.log.Info("Redis answers again: progress events are written again", "dropped", g.dropped)
		g.dropped = 0
	}
}

// progressWriter writes one grading's progress events to its stream in
// order, from its own goroutine, so that grading never waits for Redis.
type progressWriter struct {
	j     *job
	ctx   context.Context
	extra grader.Progress

	mu     sync.Mutex
	closed bool
	ch     chan grader.Event
	wg     sync.WaitGroup
}

// startProgress returns where the engine's events go (the event stream
// and HandlerConfig.Progress) and the function that stops it once
// grading has returned, after the events queued so far are written or
// dropped.
func (j *job) startProgress(ctx context.Context) (grader.Progress, func()) {
	w := &progressWriter{j: j, ctx: context.WithoutCancel(ctx), ch: make(chan grader.Event, progressBuffer)}
	if j.h.cfg.Progress != nil {
		w.extra = j.h.cfg.Progress(j.id)
	}
	if j.h.cfg.Events != nil {
		w.wg.Add(1)
		go w.write()
	}
	return grader.ProgressFunc(w.event), w.stop
}

// event queues ev for the stream. While Redis is down it is dropped; when
// Redis is up but behind, it waits for room rather than lose the event.
func (w *progressWriter) event(ev grader.Event) {
	if ev.At.IsZero() {
		ev.At = w.j.h.cfg.Now()
	}
	if w.extra != nil {
		w.extra.Event(ev)
	}
	if w.j.h.cfg.Events == nil {
		return
	}
	gate := w.j.h.gate
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		gate.drop()
		return
	}
	select {
	case w.ch <- ev:
	default:
		if gate.isDown() {
			gate.drop()
			return
		}
		w.ch <- ev
	}
}

// write appends the queued events until stop.
func (w *progressWriter) write() {
	defer w.wg.Done()
	gate := w.j.h.gate
	for ev := range w.ch {
		if !gate.open() {
			gate.drop()
			continue
		}
		ctx, cancel := context.WithTimeout(w.ctx, progressWriteTimeout)
		_, err := w.j.h.cfg.Events.AppendEvent(ctx, w.j.id, ev)
		cancel()
		gate.done(err)
	}
}

// stop ends the writer once the events queued so far are written (or
// dropped, while Redis is down). Later events are dropped.
func (w *progressWriter) stop() {
	w.mu.Lock()
	if !w.closed {
		w.closed = true
		close(w.ch)
	}
	w.mu.Unlock()
	w.wg.Wait()
}
