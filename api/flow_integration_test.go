//go:build integration

package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/redistest"
	"github.com/gradebox/grader/store"
)

// TestFlowOnRedis runs the router on the real store over redis-server:
// create → list → events → leaderboard.
func TestFlowOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { rdb.Close() })
	exerciseFlow(t, rdb)
}

// TestCreateWhileRedisIsDown: a submission sent while Redis is down is
// answered 503 unavailable with a Retry-After and nothing is stored; once
// Redis is back the same request is accepted.
func TestCreateWhileRedisIsDown(t *testing.T) {
	srv := redistest.StartDurable(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	st := store.New(store.Config{Client: rdb, Prefix: "down"})
	q := &fakeQueue{}
	s := New(Config{Store: st, Queue: q, Catalog: challenges.NewIndex([]*grader.Challenge{notesAPI()}), Unavailable: store.Unavailable,
		Tokens: []Token{{Secret: adaToken, Subject: "ada", Role: RoleLearner}}, SubmitLimit: 10, SubmitWindow: time.Hour})
	submit := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/v1/submissions", strings.NewReader(goodJSON))
		req.Header.Set("Authorization", "Bearer "+adaToken)
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.Handler().ServeHTTP(w, req)
		return w
	}

	srv.Stop()
	w := submit()
	var body struct {
		Error Error `json:"error"`
	}
	_ = json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != http.StatusServiceUnavailable || body.Error.Code != CodeUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("while Redis is down: %d %q, Retry-After %q; want 503 unavailable with Retry-After", w.Code, w.Body, w.Header().Get("Retry-After"))
	}
	if err := srv.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if n := rdb.DBSize(ctx).Val(); n != 0 {
		keys, _ := rdb.Keys(ctx, "*").Result()
		t.Errorf("the refused submission stored %d keys: %v", n, keys)
	}
	if len(q.ids()) != 0 {
		t.Errorf("the refused submission was enqueued: %v", q.ids())
	}
	if w := submit(); w.Code != http.StatusAccepted {
		t.Errorf("once Redis is back: %d %q, want 202", w.Code, w.Body)
	}
}
