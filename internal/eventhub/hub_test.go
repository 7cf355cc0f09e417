package eventhub

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

// fakeSource keeps streams in memory. append notifies the watching hub
// unless told to lose the notice; reconnect makes it resync.
type fakeSource struct {
	mu      sync.Mutex
	streams map[string][]grader.StoredEvent
	seq     int
	reads   int
	notify  func(string)
	resync  func()
	watched chan struct{}
	// fail makes this many reads fail first.
	fail int
}

func newFakeSource() *fakeSource {
	return &fakeSource{streams: map[string][]grader.StoredEvent{}, watched: make(chan struct{})}
}

func (s *fakeSource) WatchEvents(ctx context.Context, notify func(string), resync func()) error {
	s.mu.Lock()
	s.notify, s.resync = notify, resync
	s.mu.Unlock()
	resync()
	close(s.watched)
	<-ctx.Done()
	return nil
}

func (s *fakeSource) EventsAfter(ctx context.Context, after map[string]string) (map[string][]grader.StoredEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	if s.fail > 0 {
		s.fail--
		return nil, errors.New("redis away")
	}
	out := map[string][]grader.StoredEvent{}
	for id, from := range after {
		for _, ev := range s.streams[id] {
			if After(ev.ID, from) {
				out[id] = append(out[id], ev)
			}
		}
	}
	return out, nil
}

func (s *fakeSource) GradedAt(ctx context.Context, ids []string) (map[string]time.Time, error) {
	return nil, nil
}

func (s *fakeSource) append(id string, typ grader.EventType, lose bool) string {
	s.mu.Lock()
	s.seq++
	sid := fmt.Sprintf("%d-0", s.seq)
	s.streams[id] = append(s.streams[id], grader.StoredEvent{ID: sid, Event: grader.Event{Type: typ}})
	notify := s.notify
	s.mu.Unlock()
	if !lose {
		notify(id)
	}
	return sid
}

func (s *fakeSource) readCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// start runs a hub on src until the test ends or stop is called.
func start(t *testing.T, src *fakeSource, backlog int) (*Hub, func()) {
	return startChecking(t, src, backlog, time.Hour)
}

func startChecking(t *testing.T, src *fakeSource, backlog int, check time.Duration) (*Hub, func()) {
	t.Helper()
	h := New(Config{Source: src, Check: check, Backlog: backlog})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- h.Run(ctx) }()
	<-src.watched
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return h, stop
}

func ids(batch []grader.StoredEvent) []string {
	var out []string
	for _, ev := range batch {
		out = append(out, ev.ID)
	}
	return out
}

// TestHubFansOut: many followers of one submission get each new event
// from one read of the source.
func TestHubFansOut(t *testing.T) {
	src := newFakeSource()
	h, _ := start(t, src, 0)
	var fs []*Follower
	for range 500 {
		f, err := h.Follow("s1", "")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		fs = append(fs, f)
	}
	before := src.readCount()
	id := src.append("s1", grader.EventStarted, false)
	for i, f := range fs {
		if got := ids(<-f.Events()); !cmp.Equal(got, []string{id}) {
			t.Fatalf("follower %d got %v, want [%s]", i, got, id)
		}
	}
	if n := src.readCount() - before; n != 1 {
		t.Errorf("%d reads of the source for one event, want 1", n)
	}
	if n := h.Followers(); n != 500 {
		t.Errorf("Followers() = %d, want 500", n)
	}
}

// TestHubResync: events whose notice was lost are handed out when the
// source resyncs (a reconnected subscription).
func TestHubResync(t *testing.T) {
	src := newFakeSource()
	h, _ := start(t, src, 0)
	f, _ := h.Follow("s1", "")
	defer f.Close()
	a := src.append("s1", grader.EventStarted, true)
	b := src.append("s1", grader.EventPhaseStarted, true)
	src.resync()
	if got := ids(<-f.Events()); !cmp.Equal(got, []string{a, b}) {
		t.Errorf("after resync got %v, want [%s %s]", got, a, b)
	}
}

// TestHubReadFails: events whose read failed (Redis away) are read again
// at the next check and reach the follower.
func TestHubReadFails(t *testing.T) {
	src := newFakeSource()
	src.fail = 3
	h, _ := startChecking(t, src, 0, 5*time.Millisecond)
	f, _ := h.Follow("s1", "")
	defer f.Close()
	id := src.append("s1", grader.EventStarted, false)
	if got := ids(<-f.Events()); !cmp.Equal(got, []string{id}) {
		t.Errorf("after failed reads got %v, want [%s]", got, id)
	}
}

// TestHubLaggedFollower: a follower that does not keep up is dropped as
// lagged; the others keep their feed.
func TestHubLaggedFollower(t *testing.T) {
	src := newFakeSource()
	h, _ := start(t, src, 1)
	slow, _ := h.Follow("s1", "")
	fast, _ := h.Follow("s1", "")
	defer fast.Close()
	first := src.append("s1", grader.EventStarted, false)
	if got := ids(<-fast.Events()); !cmp.Equal(got, []string{first}) {
		t.Fatalf("fast got %v", got)
	}
	second := src.append("s1", grader.EventPhaseStarted, false)
	if got := ids(<-fast.Events()); !cmp.Equal(got, []string{second}) {
		t.Fatalf("fast got %v", got)
	}
	if got := ids(<-slow.Events()); !cmp.Equal(got, []string{first}) {
		t.Errorf("slow's backlog %v, want [%s]", got, first)
	}
	if _, open := <-slow.Events(); open || !slow.Lagged() {
		t.Errorf("slow: open %v, lagged %v; want closed as lagged", open, slow.Lagged())
	}
	slow.Close() // harmless after the drop
}

// TestHubStop: stopping the hub ends every follower (not as lagged) and
// refuses new ones.
func TestHubStop(t *testing.T) {
	src := newFakeSource()
	h, stop := start(t, src, 0)
	f, _ := h.Follow("s1", "")
	stop()
	if _, open := <-f.Events(); open || f.Lagged() {
		t.Errorf("after stop: open %v, lagged %v", open, f.Lagged())
	}
	if _, err := h.Follow("s1", ""); !errors.Is(err, ErrStopped) {
		t.Errorf("Follow after stop: %v, want ErrStopped", err)
	}
}

func TestAfter(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"2-0", "1-0", true}, {"1-0", "2-0", false}, {"1-0", "1-0", false}, {"1-1", "1-0", true},
		{"10-0", "9-5", true}, {"1-0", "", true}, {"", "1-0", true}, {"5", "5-0", false}, {"5-1", "5", true},
	} {
		if got := After(tc.a, tc.b); got != tc.want {
			t.Errorf("After(%q, %q) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}
