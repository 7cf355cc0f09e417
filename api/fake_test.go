package api

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/eventhub"
)

// fakeStore is a Store whose every method calls a function field.
// newMemStore fills them with an in-memory store; tests override single
// fields to inject faults or script event streams.
type fakeStore struct {
	CreateSubmissionFn      func(ctx context.Context, rec grader.Record, files []grader.File) (grader.Record, error)
	RecordFn                func(ctx context.Context, id string) (grader.Record, error)
	ResultFn                func(ctx context.Context, id string) (grader.Result, bool, error)
	ListFn                  func(ctx context.Context, f grader.RecordFilter, offset, limit int) ([]grader.Record, int, error)
	BestFn                  func(ctx context.Context, challenge, learner string) (grader.BoardEntry, bool, error)
	LeaderboardFn           func(ctx context.Context, challenge string, limit int) ([]grader.BoardEntry, error)
	PracticeLeaderboardFn   func(ctx context.Context, challenge string, limit int) ([]grader.BoardEntry, error)
	AppendEventFn           func(ctx context.Context, id string, ev grader.Event) (string, error)
	EventsFn                func(ctx context.Context, id, after string) ([]grader.StoredEvent, error)
	ClaimIdempotencyKeyFn   func(ctx context.Context, subject, key, id string, ttl time.Duration) (string, error)
	ReleaseIdempotencyKeyFn func(ctx context.Context, subject, key, id string) error
	AllowFn                 func(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error)
}

var _ Store = (*fakeStore)(nil)

func (f *fakeStore) CreateSubmission(ctx context.Context, rec grader.Record, files []grader.File) (grader.Record, error) {
	return f.CreateSubmissionFn(ctx, rec, files)
}
func (f *fakeStore) Record(ctx context.Context, id string) (grader.Record, error) {
	return f.RecordFn(ctx, id)
}
func (f *fakeStore) Result(ctx context.Context, id string) (grader.Result, bool, error) {
	return f.ResultFn(ctx, id)
}
func (f *fakeStore) List(ctx context.Context, fl grader.RecordFilter, offset, limit int) ([]grader.Record, int, error) {
	return f.ListFn(ctx, fl, offset, limit)
}
func (f *fakeStore) Best(ctx context.Context, challenge, learner string) (grader.BoardEntry, bool, error) {
	return f.BestFn(ctx, challenge, learner)
}
func (f *fakeStore) Leaderboard(ctx context.Context, challenge string, limit int) ([]grader.BoardEntry, error) {
	return f.LeaderboardFn(ctx, challenge, limit)
}
func (f *fakeStore) PracticeLeaderboard(ctx context.Context, challenge string, limit int) ([]grader.BoardEntry, error) {
	return f.PracticeLeaderboardFn(ctx, challenge, limit)
}
func (f *fakeStore) AppendEvent(ctx context.Context, id string, ev grader.Event) (string, error) {
	return f.AppendEventFn(ctx, id, ev)
}
func (f *fakeStore) Events(ctx context.Context, id, after string) ([]grader.StoredEvent, error) {
	return f.EventsFn(ctx, id, after)
}
func (f *fakeStore) ClaimIdempotencyKey(ctx context.Context, subject, key, id string, ttl time.Duration) (string, error) {
	return f.ClaimIdempotencyKeyFn(ctx, subject, key, id, ttl)
}
func (f *fakeStore) ReleaseIdempotencyKey(ctx context.Context, subject, key, id string) error {
	return f.ReleaseIdempotencyKeyFn(ctx, subject, key, id)
}
func (f *fakeStore) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	return f.AllowFn(ctx, key, limit, window)
}

// memory is the state behind newMemStore.
type memory struct {
	mu      sync.Mutex
	records map[string]grader.Record
	order   []string
	files   map[string][]grader.File
	results map[string]grader.Result
	events  map[string][]grader.StoredEvent
	claims  map[string]string
	counts  map[string]int
	boards  map[string][]grader.BoardEntry
	// practice are the practice boards (PracticeLeaderboard).
	practice map[string][]grader.BoardEntry
	best     map[string]grader.BoardEntry
	seq      int
	// notify is the event hub's, while it watches.
	notify func(id string)
}

// storedIDs returns the ids of stored submissions, sorted.
func (m *memory) storedIDs() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	ids := append([]string(nil), m.order...)
	sort.Strings(ids)
	return ids
}

func (m *memory) claimCount() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.claims)
}

func (m *memory) setRecord(rec grader.Record) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.records[rec.ID]; !ok {
		m.order = append(m.order, rec.ID)
	}
	m.records[rec.ID] = rec
}

// addEvent appends an event to a submission's stream and tells the event
// hub watching memory, as the store's AppendEvent does.
func (m *memory) addEvent(id string, ev grader.Event) string {
	m.mu.Lock()
	m.seq++
	sid := fmt.Sprintf("%d-0", m.seq)
	m.events[id] = append(m.events[id], grader.StoredEvent{ID: sid, Event: ev})
	notify := m.notify
	m.mu.Unlock()
	if notify != nil {
		notify(id)
	}
	return sid
}

// waitWatched waits until the event hub watches memory (and has done
// its first resync).
func (m *memory) waitWatched() {
	for {
		m.mu.Lock()
		watched := m.notify != nil
		m.mu.Unlock()
		if watched {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

// eventsAfter returns a stream's events after the id after; the lock is
// held.
func (m *memory) eventsAfter(id, after string) []grader.StoredEvent {
	out := []grader.StoredEvent{}
	for _, e := range m.events[id] {
		if after == "" || eventhub.After(e.ID, after) {
			out = append(out, e)
		}
	}
	return out
}

// memory is the event hub's source in these tests.
var _ eventhub.Source = (*memory)(nil)

// WatchEvents resyncs once, then passes on addEvent's notices until ctx
// is done.
func (m *memory) WatchEvents(ctx context.Context, notify func(id string), resync func()) error {
	resync()
	m.mu.Lock()
	m.notify = notify
	m.mu.Unlock()
	<-ctx.Done()
	m.mu.Lock()
	m.notify = nil
	m.mu.Unlock()
	return nil
}

func (m *memory) EventsAfter(ctx context.Context, after map[string]string) (map[string][]grader.StoredEvent, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string][]grader.StoredEvent{}
	for id, from := range after {
		if evs := m.eventsAfter(id, from); len(evs) > 0 {
			out[id] = evs
		}
	}
	return out, nil
}

func (m *memory) GradedAt(ctx context.Context, ids []string) (map[string]time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]time.Time{}
	for _, id := range ids {
		if r, ok := m.records[id]; ok && r.State == grader.StateGraded {
			out[id] = r.GradedAt
		}
	}
	return out, nil
}

// newMemStore returns a fakeStore backed by memory.
func newMemStore() (*fakeStore, *memory) {
	m := &memory{records: map[string]grader.Record{}, files: map[string][]grader.File{}, results: map[string]grader.Result{},
		events: map[string][]grader.StoredEvent{}, claims: map[string]string{}, counts: map[string]int{},
		boards: map[string][]grader.BoardEntry{}, practice: map[string][]grader.BoardEntry{}, best: map[string]grader.BoardEntry{}}
	attempts := map[string]int{}
	f := &fakeStore{
		CreateSubmissionFn: func(ctx context.Context, rec grader.Record, files []grader.File) (grader.Record, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			if _, ok := m.records[rec.ID]; ok {
				return grader.Record{}, fmt.Errorf("create %s: %w", rec.ID, grader.ErrExists)
			}
			attempts[rec.Challenge+"/"+rec.Learner]++
			rec.Attempt = attempts[rec.Challenge+"/"+rec.Learner]
			rec.State = grader.StateQueued
			rec.CreatedAt = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
			m.records[rec.ID] = rec
			m.order = append(m.order, rec.ID)
			m.files[rec.ID] = files
			return rec, nil
		},
		RecordFn: func(ctx context.Context, id string) (grader.Record, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			r, ok := m.records[id]
			if !ok {
				return r, fmt.Errorf("submission %s: %w", id, grader.ErrNotFound)
			}
			return r, nil
		},
		ResultFn: func(ctx context.Context, id string) (grader.Result, bool, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			r, ok := m.results[id]
			return r, ok, nil
		},
		ListFn: func(ctx context.Context, fl grader.RecordFilter, offset, limit int) ([]grader.Record, int, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			var match []grader.Record
			for i := len(m.order) - 1; i >= 0; i-- {
				r := m.records[m.order[i]]
				if (fl.Learner == "" || r.Learner == fl.Learner) && (fl.Challenge == "" || r.Challenge == fl.Challenge) {
					match = append(match, r)
				}
			}
			out := []grader.Record{}
			for i := offset; i < len(match) && len(out) < limit; i++ {
				out = append(out, match[i])
			}
			return out, len(match), nil
		},
		BestFn: func(ctx context.Context, challenge, learner string) (grader.BoardEntry, bool, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			s, ok := m.best[challenge+"/"+learner]
			return s, ok, nil
		},
		LeaderboardFn: func(ctx context.Context, challenge string, limit int) ([]grader.BoardEntry, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			b := m.boards[challenge]
			return append([]grader.BoardEntry{}, b[:min(limit, len(b))]...), nil
		},
		PracticeLeaderboardFn: func(ctx context.Context, challenge string, limit int) ([]grader.BoardEntry, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			b := m.practice[challenge]
			return append([]grader.BoardEntry{}, b[:min(limit, len(b))]...), nil
		},
		AppendEventFn: func(ctx context.Context, id string, ev grader.Event) (string, error) {
			return m.addEvent(id, ev), nil
		},
		EventsFn: func(ctx context.Context, id, after string) ([]grader.StoredEvent, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			return m.eventsAfter(id, after), nil
		},
		ClaimIdempotencyKeyFn: func(ctx context.Context, subject, key, id string, ttl time.Duration) (string, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			k := subject + "\x00" + key
			if got, ok := m.claims[k]; ok {
				return got, nil
			}
			m.claims[k] = id
			return "", nil
		},
		ReleaseIdempotencyKeyFn: func(ctx context.Context, subject, key, id string) error {
			m.mu.Lock()
			defer m.mu.Unlock()
			k := subject + "\x00" + key
			if m.claims[k] == id {
				delete(m.claims, k)
			}
			return nil
		},
		AllowFn: func(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
			m.mu.Lock()
			defer m.mu.Unlock()
			m.counts[key]++
			if m.counts[key] > limit {
				return false, 1500 * time.Millisecond, nil
			}
			return true, 0, nil
		},
	}
	return f, m
}

// fakeQueue is an Enqueuer recording what it was given; EnqueueFn, when
// set, decides the answer.
type fakeQueue struct {
	EnqueueFn func(ctx context.Context, rec grader.Record, timeout time.Duration) error
	mu        sync.Mutex
	queued    []grader.Record
	timeouts  []time.Duration
}

var _ Enqueuer = (*fakeQueue)(nil)

func (q *fakeQueue) Enqueue(ctx context.Context, rec grader.Record, timeout time.Duration) error {
	if q.EnqueueFn != nil {
		if err := q.EnqueueFn(ctx, rec, timeout); err != nil {
			return err
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queued = append(q.queued, rec)
	q.timeouts = append(q.timeouts, timeout)
	return nil
}

func (q *fakeQueue) ids() []string {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []string
	for _, r := range q.queued {
		out = append(out, r.ID)
	}
	return out
}
