package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/gradebox/grader/internal/syncbuf"
)

// TestFollowUntilDone: Follow ends at a done event received whole and
// dispatched, and nowhere else.
func TestFollowUntilDone(t *testing.T) {
	tests := []struct {
		name   string
		stream string
		want   bool
	}{
		{"done after others", ": hello\n\nid: 1\nevent: queued\ndata: {}\n\nid: 2\nevent: done\ndata: {\"result\":{}}\n\n", true},
		{"done without its blank line is not whole", "event: done\ndata: {}\n", false},
		{"no done", "event: queued\ndata: {}\n\nevent: started\n\n", false},
		{"data mentioning done is not the event", "event: queued\ndata: done\n\n", false},
		{"an event without data is not dispatched", "event: done\n\n", false},
		{"event type reset between events", "event: done\n\nevent: queued\ndata: {}\n\nevent: done\ndata: {}\n\n", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream")
				io.WriteString(w, tt.stream)
			}))
			defer srv.Close()
			c, err := New(Config{Server: srv.URL, MaxReconnects: -1})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Follow(context.Background(), "sub_1", nil)
			if got := err == nil; got != tt.want {
				t.Errorf("found = %v (err %v), want %v", got, err, tt.want)
			}
			if !tt.want && !errors.Is(err, ErrStreamEnded) {
				t.Errorf("err = %v, want ErrStreamEnded", err)
			}
		})
	}
}

// TestFollowWaitsRetryAfter: a stream refused with 429 (the per-token
// cap) is opened again no sooner than its Retry-After asks.
func TestFollowWaitsRetryAfter(t *testing.T) {
	var mu sync.Mutex
	opens := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		opens++
		n := opens
		mu.Unlock()
		if n == 1 {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"error":{"code":"rate_limited","message":"too many open event streams"}}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "id: 1\nevent: done\ndata: {}\n\n")
	}))
	defer srv.Close()
	var logs syncbuf.Buffer
	c, err := New(Config{Server: srv.URL, RetryBase: time.Millisecond, MaxReconnects: 3,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Follow(context.Background(), "sub_1", nil); err != nil {
		t.Fatalf("Follow: %v", err)
	}
	var line struct {
		Msg   string        `json:"msg"`
		Delay time.Duration `json:"delay"`
	}
	if err := json.Unmarshal([]byte(logs.String()), &line); err != nil {
		t.Fatalf("log %q: %v", logs.String(), err)
	}
	if line.Msg != "reconnecting to the event stream" || line.Delay != time.Second {
		t.Errorf("logged %+v, want a reconnect after the 1s Retry-After", line)
	}
}
