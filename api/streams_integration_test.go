//go:build integration

package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/eventhub"
	"github.com/gradebox/grader/internal/redistest"
	ssereader "github.com/gradebox/grader/internal/sse"
	"github.com/gradebox/grader/store"
)

// TestStreamsOnRedis: on redis-server, with a Redis pool of 4
// connections, 64 open event streams hold none of them: the routes that
// read Redis still answer, an appended event reaches every stream, a
// stream past the subject's cap answers 429 with Retry-After, and a
// stream resumed with Last-Event-ID starts after that event.
func TestStreamsOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	// A request that finds the pool taken fails after PoolTimeout: an
	// exhausted pool shows as a 5xx, not as a slow answer.
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, PoolSize: 4, PoolTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	st := store.New(store.Config{Client: rdb, Prefix: "streams"})
	hub := eventhub.New(eventhub.Config{Source: st})
	runHub(t, hub)
	const n = 64
	api := New(Config{
		Store: st, Queue: &fakeQueue{}, Catalog: challenges.NewIndex([]*grader.Challenge{notesAPI()}), Unavailable: store.Unavailable,
		Tokens: []Token{{Secret: adaToken, Subject: "ada", Role: RoleLearner}},
		Ready:  []Check{{Name: "redis", Probe: st.Ping}},
		Events: hub, StreamsPerSubject: n,
	})
	ts := httptest.NewServer(api.Handler())
	defer ts.Close()
	ctx := context.Background()
	call := func(ctx context.Context, method, path string, header http.Header, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adaToken)
		for k, v := range header {
			req.Header[k] = v
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return resp
	}
	resp := call(ctx, "POST", "/v1/submissions", nil, goodJSON)
	var created accepted
	json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("create: %d", resp.StatusCode)
	}
	events := "/v1/submissions/" + created.ID + "/events"

	// n followers, each reporting the id of every event it gets.
	fctx, stopFollowers := context.WithCancel(ctx)
	defer stopFollowers()
	got := make(chan string, 4*n)
	ended := make(chan struct{}, n)
	for range n {
		resp := call(fctx, "GET", events, nil, "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("open a stream: %d", resp.StatusCode)
		}
		go func() {
			defer func() { ended <- struct{}{} }()
			defer resp.Body.Close()
			r := ssereader.NewReader(resp.Body)
			for {
				ev, err := r.Next()
				if err != nil {
					return
				}
				got <- ev.ID
			}
		}()
	}
	waitFollowers(t, hub, n)
	var queued string
	for range n {
		queued = <-got // each stream's queued event
	}

	for _, path := range []string{"/readyz", "/v1/challenges", "/v1/submissions/" + created.ID, "/v1/submissions"} {
		resp := call(ctx, "GET", path, nil, "")
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s with %d streams open: %d %s", path, n, resp.StatusCode, b)
		}
	}
	resp = call(ctx, "GET", events, nil, "")
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
		t.Errorf("stream %d of one subject: %d, Retry-After %q; want 429 with Retry-After", n+1, resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	started, err := st.AppendEvent(ctx, created.ID, grader.Event{Type: grader.EventStarted, At: at})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if id := <-got; id != started {
			t.Fatalf("stream event %d: id %q, want %q", i, id, started)
		}
	}

	// Resume: the streams close, one comes back after the queued event.
	stopFollowers()
	for range n {
		<-ended
	}
	waitFollowers(t, hub, 0)
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	resp = call(rctx, "GET", events, http.Header{"Last-Event-Id": {queued}}, "")
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("resume: %d", resp.StatusCode)
	}
	resumed, err := ssereader.NewReader(resp.Body).Next()
	if err != nil || resumed.ID != started || resumed.Type != "started" {
		t.Fatalf("resumed after %s: %+v %v, want started %s", queued, resumed, err, started)
	}
	cancel()
}
