package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/gradebox/grader/grader"
)

// TestStreamCaps: past its subject's cap a stream answers 429, past the
// process's cap 503, both with Retry-After and before anything is
// followed; a closed stream frees its place.
func TestStreamCaps(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.StreamsPerSubject = 2; c.Streams = 3 })
	env.mem.setRecord(grader.Record{ID: "a1", Challenge: "notes-api", Learner: "ada", State: grader.StateQueued})
	env.mem.setRecord(grader.Record{ID: "b1", Challenge: "notes-api", Learner: "bob", State: grader.StateQueued})
	ctx, cancel := context.WithCancel(context.Background())
	open := func(path, token string) func() {
		r := get(path, token)
		r.ctx = ctx
		wait := env.serveAsync(r)
		return func() { wait() }
	}
	var waits []func()
	waits = append(waits, open("/v1/submissions/a1/events", adaToken), open("/v1/submissions/a1/events", adaToken))
	waitFollowers(t, env.hub, 2)

	code, out := env.do(t, get("/v1/submissions/a1/events", adaToken))
	w := env.serve(get("/v1/submissions/a1/events", adaToken))
	if code != http.StatusTooManyRequests || errCode(out) != CodeRateLimited || w.Header().Get("Retry-After") == "" {
		t.Errorf("ada's third stream: %d %v, Retry-After %q", code, out, w.Header().Get("Retry-After"))
	}
	waits = append(waits, open("/v1/submissions/b1/events", bobToken))
	waitFollowers(t, env.hub, 3)
	code, out = env.do(t, get("/v1/submissions/a1/events", teachToken))
	w = env.serve(get("/v1/submissions/a1/events", teachToken))
	if code != http.StatusServiceUnavailable || errCode(out) != CodeUnavailable || w.Header().Get("Retry-After") == "" {
		t.Errorf("a stream past the total: %d %v, Retry-After %q", code, out, w.Header().Get("Retry-After"))
	}
	if env.hub.Followers() != 3 {
		t.Errorf("refused streams are followed: %d followers", env.hub.Followers())
	}
	// Other routes are not capped.
	if code, out := env.do(t, get("/v1/submissions/a1", adaToken)); code != http.StatusOK {
		t.Errorf("GET a submission while streams are capped: %d %v", code, out)
	}

	cancel()
	for _, wait := range waits {
		wait()
	}
	waitFollowers(t, env.hub, 0)
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	waits = append(waits[:0], open("/v1/submissions/a1/events", adaToken))
	waitFollowers(t, env.hub, 1)
	cancel()
	waits[0]()
}
