// Package eventhub fans submissions' progress events out to the event
// streams that follow them inside one API process: one Redis
// subscription and one batched read per change serve every follower,
// however many there are, so an idle follower holds no Redis connection.
package eventhub

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/gradebox/grader/grader"
)

// Source is where the hub learns of and reads events; *store.Redis
// implements it.
type Source interface {
	// WatchEvents calls notify with a submission's id after each event
	// appended to its stream, and resync whenever notices may have been
	// missed (once subscribed, after each reconnection). It blocks until
	// ctx is done.
	WatchEvents(ctx context.Context, notify func(id string), resync func()) error
	// EventsAfter returns, for each submission id of after, its events
	// after the stream id it maps to ("" for all); ids without new events
	// may be left out.
	EventsAfter(ctx context.Context, after map[string]string) (map[string][]grader.StoredEvent, error)
	// GradedAt returns which of ids are graded, with when.
	GradedAt(ctx context.Context, ids []string) (map[string]time.Time, error)
}

// Config configures a Hub. Source is required.
type Config struct {
	Source Source
	// Check is how often the hub reads every followed stream and the
	// state of its submission, in case a notice was lost or a graded
	// submission's done event was never written; default 5 seconds.
	Check time.Duration
	// Backlog is how many batches of events a follower may have waiting
	// before the hub drops it (it then catches up from the store and
	// follows again); default 64.
	Backlog int
	// Logger receives read failures; discarded if nil.
	Logger *slog.Logger
}

// ErrStopped is returned by Follow once Run has returned.
var ErrStopped = errors.New("event hub is not running")

// Hub keeps, per followed submission, the position up to which it has
// handed out events, and hands each new batch to every follower. Run
// drives it; Follow and Follower.Close are safe for concurrent use.
type Hub struct {
	cfg Config
	log *slog.Logger
	// failing is set while reads of the source fail, so that an outage
	// is logged once, with its end; only Run's goroutine touches it.
	failing bool

	mu      sync.Mutex
	running bool
	topics  map[string]*topic
	dirty   map[string]bool // followed ids with events not yet read
	wake    chan struct{}   // capacity 1: dirty is not empty
}

// topic is one followed submission.
type topic struct {
	// cursor is the id of the last event the hub handed out, or where
	// its first follower started ("" for the start of the stream).
	cursor    string
	followers map[*Follower]bool
}

// Follower receives the events of one submission from the hub.
type Follower struct {
	h  *Hub
	id string
	c  chan []grader.StoredEvent
	// lagged and gotDone are written by the hub, under its lock, before
	// c is closed or the done event sent.
	lagged  bool
	gotDone bool
}

// New returns a hub. It takes followers at once, and hands them events
// once Run runs; run it once.
func New(cfg Config) *Hub {
	if cfg.Check <= 0 {
		cfg.Check = 5 * time.Second
	}
	if cfg.Backlog <= 0 {
		cfg.Backlog = 64
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Hub{cfg: cfg, log: cfg.Logger, running: true, topics: map[string]*topic{}, dirty: map[string]bool{}, wake: make(chan struct{}, 1)}
}

// Follow registers a follower of submission id that has seen the events
// up to after ("" for none). Follow before reading the stream yourself:
// every event appended after Follow returns reaches the follower, some
// maybe twice (drop those whose id is not After the last one sent).
func (h *Hub) Follow(id, after string) (*Follower, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.running {
		return nil, ErrStopped
	}
	t := h.topics[id]
	if t == nil {
		t = &topic{cursor: after, followers: map[*Follower]bool{}}
		h.topics[id] = t
	}
	f := &Follower{h: h, id: id, c: make(chan []grader.StoredEvent, h.cfg.Backlog)}
	t.followers[f] = true
	return f, nil
}

// Events delivers batches of new events, oldest first. A synthetic done
// event (its submission is graded but its stream has no done) has no id.
// The channel closes when the hub drops the follower: see Lagged.
func (f *Follower) Events() <-chan []grader.StoredEvent { return f.c }

// Lagged reports, once Events is closed, whether the follower was
// dropped for falling behind (read what it missed from the store and
// Follow again) rather than because the hub stopped (end the stream).
func (f *Follower) Lagged() bool {
	f.h.mu.Lock()
	defer f.h.mu.Unlock()
	return f.lagged
}

// Close unregisters the follower; it is safe to call more than once.
func (f *Follower) Close() {
	f.h.mu.Lock()
	defer f.h.mu.Unlock()
	f.h.drop(f, false)
}

// drop removes f from its topic and closes its channel, once; the hub's
// lock is held.
func (h *Hub) drop(f *Follower, lagged bool) {
	t := h.topics[f.id]
	if t == nil || !t.followers[f] {
		return
	}
	delete(t.followers, f)
	if len(t.followers) == 0 {
		delete(h.topics, f.id)
		delete(h.dirty, f.id)
	}
	f.lagged = lagged
	close(f.c)
}

// Followers returns how many followers are registered.
func (h *Hub) Followers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, t := range h.topics {
		n += len(t.followers)
	}
	return n
}

// Run serves followers until ctx is done, then closes every follower's
// channel (not lagged) and returns nil. It returns an error if the
// source's watch fails; followers are closed then too.
func (h *Hub) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	watchErr := make(chan error, 1)
	go func() { watchErr <- h.cfg.Source.WatchEvents(ctx, h.notify, h.resync) }()
	defer func() {
		cancel()
		h.stop()
	}()
	tick := time.NewTicker(h.cfg.Check)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			<-watchErr
			return nil
		case err := <-watchErr:
			return err
		case <-h.wake:
			h.readDirty(ctx)
		case <-tick.C:
			h.check(ctx)
		}
	}
}

// stop closes every follower and refuses new ones.
func (h *Hub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.running = false
	for _, t := range h.topics {
		for f := range t.followers {
			h.drop(f, false)
		}
	}
}

// notify marks a followed submission as having new events.
func (h *Hub) notify(id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.topics[id] != nil {
		h.markDirty(id)
	}
}

// resync marks every followed submission as maybe having new events.
func (h *Hub) resync() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id := range h.topics {
		h.markDirty(id)
	}
}

func (h *Hub) markDirty(id string) {
	h.dirty[id] = true
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// readDirty reads the new events of every submission marked dirty and
// hands them out. On a read failure they stay dirty, for the next check.
func (h *Hub) readDirty(ctx context.Context) {
	h.mu.Lock()
	after := make(map[string]string, len(h.dirty))
	for id := range h.dirty {
		if t := h.topics[id]; t != nil {
			after[id] = t.cursor
		}
	}
	clear(h.dirty)
	h.mu.Unlock()
	h.read(ctx, after, nil)
}

// check reads every followed submission's stream and state: it hands out
// what a lost notice held back and, to the followers of a graded
// submission that got no done event, a synthetic one.
func (h *Hub) check(ctx context.Context) {
	h.mu.Lock()
	ids := make([]string, 0, len(h.topics))
	after := make(map[string]string, len(h.topics))
	for id, t := range h.topics {
		ids = append(ids, id)
		after[id] = t.cursor
	}
	clear(h.dirty)
	h.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	// The state first: a done event appended after it is read below.
	graded, err := h.cfg.Source.GradedAt(ctx, ids)
	if err != nil {
		h.failed(ctx, "read the state of followed submissions", err)
		graded = nil
	}
	h.read(ctx, after, graded)
}

// read reads the events after the cursors in after and hands them out;
// then, for each submission in graded, a synthetic done to each follower
// that got no done.
func (h *Hub) read(ctx context.Context, after map[string]string, graded map[string]time.Time) {
	if len(after) == 0 {
		return
	}
	evs, err := h.cfg.Source.EventsAfter(ctx, after)
	if err != nil {
		h.failed(ctx, "read followed streams", err)
		h.mu.Lock()
		for id := range after {
			if h.topics[id] != nil {
				h.dirty[id] = true
			}
		}
		h.mu.Unlock()
		return
	}
	if h.failing {
		h.failing = false
		h.log.Info("event hub: reads work again")
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for id, batch := range evs {
		t := h.topics[id]
		if t == nil {
			continue
		}
		fresh := make([]grader.StoredEvent, 0, len(batch))
		for _, ev := range batch {
			if After(ev.ID, t.cursor) {
				fresh = append(fresh, ev)
			}
		}
		if len(fresh) == 0 {
			continue
		}
		t.cursor = fresh[len(fresh)-1].ID
		h.handOut(t, fresh)
	}
	for id, at := range graded {
		t := h.topics[id]
		if t == nil {
			continue
		}
		done := []grader.StoredEvent{{Event: grader.Event{Type: grader.EventDone, At: at}}}
		for f := range t.followers {
			if !f.gotDone {
				h.send(f, done)
			}
		}
	}
}

// failed logs a failed read of the source, once per outage; the followers
// keep waiting, and what they miss is read again at the next check.
func (h *Hub) failed(ctx context.Context, what string, err error) {
	if ctx.Err() != nil || h.failing {
		return
	}
	h.failing = true
	h.log.Warn("event hub: "+what+"; retrying at each check", "err", err)
}

// handOut gives batch to every follower of t; the lock is held.
func (h *Hub) handOut(t *topic, batch []grader.StoredEvent) {
	for f := range t.followers {
		h.send(f, batch)
	}
}

// send gives f a batch, or drops f as lagged if its backlog is full; the
// lock is held.
func (h *Hub) send(f *Follower, batch []grader.StoredEvent) {
	select {
	case f.c <- batch:
		for _, ev := range batch {
			if ev.Event.Type == grader.EventDone {
				f.gotDone = true
			}
		}
	default:
		h.drop(f, true)
	}
}
