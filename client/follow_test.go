package client

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
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
