package api

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/eventhub"
)

// sse is one parsed Server-Sent Event.
type sse struct {
	ID, Type string
	Data     streamEvent
	raw      string
}

// parseSSE splits a stream into events and counts comment lines.
func parseSSE(t *testing.T, body string) ([]sse, int) {
	t.Helper()
	var out []sse
	comments := 0
	for _, block := range strings.Split(body, "\n\n") {
		if block == "" {
			continue
		}
		var ev sse
		hasData := false
		for _, line := range strings.Split(block, "\n") {
			switch {
			case strings.HasPrefix(line, ":"):
				comments++
			case strings.HasPrefix(line, "id: "):
				ev.ID = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.Type = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.raw = strings.TrimPrefix(line, "data: ")
				if err := json.Unmarshal([]byte(ev.raw), &ev.Data); err != nil {
					t.Fatalf("data is not JSON: %q", line)
				}
				hasData = true
			default:
				t.Fatalf("unexpected line %q in %q", line, body)
			}
		}
		if hasData {
			out = append(out, ev)
		}
	}
	return out, comments
}

var at = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// hiddenRun is a grading with one visible and one hidden test, as the
// worker appends it.
func hiddenRun() []grader.Event {
	hidden := &grader.TestResult{Name: "secret edge HIDDEN", Suite: "api", Status: grader.TestFailed, MaxPoints: 3, Visibility: grader.Hidden,
		Message: "HIDDEN message", Output: "HIDDEN output", Subtests: []grader.TestResult{{Name: "HIDDEN sub"}}}
	return []grader.Event{
		{Type: grader.EventQueued, At: at},
		{Type: grader.EventStarted, At: at},
		{Type: grader.EventPhaseStarted, Phase: "run", Suite: "api", At: at},
		{Type: grader.EventTestStarted, Suite: "api", Test: &grader.TestResult{Name: "create", Suite: "api", Visibility: grader.Visible}, At: at},
		{Type: grader.EventTestFinished, Suite: "api", Test: &grader.TestResult{Name: "create", Suite: "api", Status: grader.TestPassed, Points: 2, MaxPoints: 2, Visibility: grader.Visible, Output: "visible output"}, At: at},
		{Type: grader.EventTestStarted, Suite: "api", Test: &grader.TestResult{Name: hidden.Name, Suite: "api", Visibility: grader.Hidden}, At: at},
		{Type: grader.EventTestFinished, Suite: "api", Test: hidden, At: at},
		{Type: grader.EventPhaseFinished, Phase: "run", Suite: "api", OK: true, At: at},
		{Type: grader.EventDone, At: at},
	}
}

func streamEnv(t *testing.T) *testEnv {
	env := newEnv(t)
	gradedFixture(env)
	for _, ev := range hiddenRun() {
		env.mem.addEvent("s1", ev)
	}
	return env
}

func types(evs []sse) []string {
	var out []string
	for _, e := range evs {
		out = append(out, e.Type)
	}
	return out
}

func TestStreamOrderAndHiddenTests(t *testing.T) {
	env := streamEnv(t)
	allTypes := []string{"queued", "started", "phase_started", "test_started", "test_finished", "test_started", "test_finished", "phase_finished", "done"}
	for _, tc := range []struct {
		token      string
		wantHidden bool
	}{{adaToken, false}, {teachToken, true}} {
		w := env.serve(get("/v1/submissions/s1/events", tc.token))
		if w.Code != 200 || w.Header().Get("Content-Type") != "text/event-stream" || w.Header().Get("X-Accel-Buffering") != "no" || w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("%s: %d %v", tc.token, w.Code, w.Header())
		}
		if !w.Flushed {
			t.Errorf("%s: events were not flushed", tc.token)
		}
		body := w.Body.String()
		evs, _ := parseSSE(t, body)
		if diff := cmp.Diff(allTypes, types(evs)); diff != "" {
			t.Errorf("%s: types (-want +got):\n%s", tc.token, diff)
		}
		for i, e := range evs {
			if e.ID != env.mem.events["s1"][i].ID || string(e.Data.Type) != e.Type {
				t.Errorf("%s: event %d has id %q type %q, data type %q", tc.token, i, e.ID, e.Type, e.Data.Type)
			}
		}
		if got := strings.Contains(body, "HIDDEN"); got != tc.wantHidden {
			t.Errorf("%s: hidden details in the stream = %v, want %v:\n%s", tc.token, got, tc.wantHidden, body)
		}
		done := evs[len(evs)-1].Data
		if done.Result == nil || done.Result.Score != 2 {
			t.Fatalf("%s: done without the result: %+v", tc.token, done)
		}
		if tc.wantHidden {
			if done.Result.View != grader.ViewInstructor || len(done.Result.Tests) != 2 {
				t.Errorf("instructor's done result: %+v", done.Result)
			}
		} else {
			if done.Result.View != grader.ViewLearner || done.Result.Hidden == nil || done.Result.Hidden.Total != 1 || len(done.Result.Tests) != 1 {
				t.Errorf("learner's done result: %+v", done.Result)
			}
			if h := evs[6].Data.Test; h == nil || h.Name != "hidden test" || h.Status != grader.TestFailed || h.MaxPoints != 3 {
				t.Errorf("learner's hidden test_finished: %+v", h)
			}
			if !strings.Contains(body, "visible output") {
				t.Errorf("visible test output missing from the learner's stream")
			}
		}
	}
}

func TestStreamResume(t *testing.T) {
	env := streamEnv(t)
	ids := env.mem.events["s1"]
	for _, tc := range []struct {
		name string
		req  request
	}{
		{"header", request{method: "GET", path: "/v1/submissions/s1/events", token: adaToken, header: http.Header{"Last-Event-ID": {ids[5].ID}}}},
		{"query", get("/v1/submissions/s1/events?last_event_id="+ids[5].ID, adaToken)},
		{"header wins", request{method: "GET", path: "/v1/submissions/s1/events?last_event_id=" + ids[0].ID, token: adaToken, header: http.Header{"Last-Event-ID": {ids[5].ID}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := env.serve(tc.req)
			evs, _ := parseSSE(t, w.Body.String())
			if diff := cmp.Diff([]string{"test_finished", "phase_finished", "done"}, types(evs)); diff != "" {
				t.Errorf("resumed (-want +got):\n%s", diff)
			}
			if len(evs) > 0 && evs[0].ID != ids[6].ID {
				t.Errorf("first resumed id %q, want %q", evs[0].ID, ids[6].ID)
			}
		})
	}
}

// serveAsync serves r in the background; wait returns its answer.
func (e *testEnv) serveAsync(r request) (wait func() *httptest.ResponseRecorder) {
	w := make(chan *httptest.ResponseRecorder, 1)
	go func() { w <- e.serve(r) }()
	return func() *httptest.ResponseRecorder { return <-w }
}

// waitFollowers waits until the hub has n followers.
func waitFollowers(t *testing.T, hub *eventhub.Hub, n int) {
	t.Helper()
	for hub.Followers() != n {
		time.Sleep(time.Millisecond)
	}
}

// TestStreamFollows: events appended while a stream is open reach it
// through the hub, each once, up to done.
func TestStreamFollows(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.Heartbeat = time.Hour })
	env.mem.setRecord(grader.Record{ID: "s2", Challenge: "notes-api", Learner: "ada", State: grader.StateGrading})
	env.mem.results["s2"] = grader.Result{Score: 5, MaxScore: 5, Status: grader.StatusPassed}
	env.mem.addEvent("s2", grader.Event{Type: grader.EventQueued})
	wait := env.serveAsync(get("/v1/submissions/s2/events", adaToken))
	waitFollowers(t, env.hub, 1)
	env.mem.addEvent("s2", grader.Event{Type: grader.EventStarted})
	env.mem.addEvent("s2", grader.Event{Type: grader.EventPhaseStarted, Phase: "build"})
	env.mem.addEvent("s2", grader.Event{Type: grader.EventDone})
	env.mem.addEvent("s2", grader.Event{Type: grader.EventQueued})
	evs, _ := parseSSE(t, wait().Body.String())
	if diff := cmp.Diff([]string{"queued", "started", "phase_started", "done"}, types(evs)); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
	var ids []string
	for _, e := range evs {
		ids = append(ids, e.ID)
	}
	if diff := cmp.Diff([]string{"1-0", "2-0", "3-0", "4-0"}, ids); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if res := evs[len(evs)-1].Data.Result; res == nil || res.Score != 5 {
		t.Errorf("done result %+v", res)
	}
}

// TestStreamNoGapWhileJoining: events appended between a stream's
// catch-up read and its joining the hub's feed still reach it, once.
func TestStreamNoGapWhileJoining(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.Heartbeat = time.Hour })
	env.mem.waitWatched()
	env.mem.setRecord(grader.Record{ID: "s6", Challenge: "notes-api", Learner: "ada", State: grader.StateGrading})
	env.mem.addEvent("s6", grader.Event{Type: grader.EventQueued})
	read := env.st.EventsFn
	env.st.EventsFn = func(ctx context.Context, id, after string) ([]grader.StoredEvent, error) {
		evs, err := read(ctx, id, after)
		// Appended right after the catch-up read.
		env.mem.addEvent("s6", grader.Event{Type: grader.EventStarted})
		env.mem.addEvent("s6", grader.Event{Type: grader.EventDone})
		return evs, err
	}
	evs, _ := parseSSE(t, env.serve(get("/v1/submissions/s6/events", adaToken)).Body.String())
	if diff := cmp.Diff([]string{"queued", "started", "done"}, types(evs)); diff != "" {
		t.Errorf("types (-want +got):\n%s", diff)
	}
}

func TestStreamExpiredGetsSyntheticDone(t *testing.T) {
	env := newEnv(t)
	gradedFixture(env)
	rec := env.mem.records["s1"]
	rec.GradedAt = at
	env.mem.setRecord(rec)
	w := env.serve(get("/v1/submissions/s1/events", adaToken))
	evs, _ := parseSSE(t, w.Body.String())
	if len(evs) != 1 || evs[0].Type != "done" || evs[0].ID != "" || evs[0].Data.Result == nil || !evs[0].Data.At.Equal(at) {
		t.Fatalf("expired stream: %+v\n%s", evs, w.Body.String())
	}
	if strings.Contains(w.Body.String(), "HIDDEN") {
		t.Errorf("hidden details in a learner's synthetic done: %s", w.Body.String())
	}
	if evs[0].Data.Result.View != grader.ViewLearner {
		t.Errorf("view %q", evs[0].Data.Result.View)
	}
}

// TestStreamGradedDuringWait: the submission is graded while the stream
// waits, and its done event never arrives (the stream expired first):
// the hub's check ends it with a synthetic done.
func TestStreamGradedDuringWait(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.Heartbeat = time.Hour })
	hub := eventhub.New(eventhub.Config{Source: env.mem, Check: 5 * time.Millisecond})
	runHub(t, hub)
	env.srv = New(Config{Store: env.st, Queue: env.q, Catalog: challenges.NewIndex(env.catal), Tokens: env.srv.cfg.Tokens, Events: hub})
	env.mem.setRecord(grader.Record{ID: "s3", Challenge: "notes-api", Learner: "ada", State: grader.StateGrading})
	wait := env.serveAsync(get("/v1/submissions/s3/events", adaToken))
	waitFollowers(t, hub, 1)
	env.mem.mu.Lock()
	env.mem.results["s3"] = grader.Result{Score: 1}
	env.mem.mu.Unlock()
	env.mem.setRecord(grader.Record{ID: "s3", Challenge: "notes-api", Learner: "ada", State: grader.StateGraded, GradedAt: at})
	evs, _ := parseSSE(t, wait().Body.String())
	if len(evs) != 1 || evs[0].Type != "done" || evs[0].ID != "" || evs[0].Data.Result == nil || evs[0].Data.Result.Score != 1 {
		t.Errorf("%+v", evs)
	}
}

func TestStreamHeartbeat(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.Heartbeat = 20 * time.Millisecond })
	env.mem.setRecord(grader.Record{ID: "s4", Challenge: "notes-api", Learner: "ada", State: grader.StateQueued})
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	r := get("/v1/submissions/s4/events", adaToken)
	r.ctx = ctx
	start := time.Now()
	w := env.serve(r)
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the stream outlived its request by %s", d)
	}
	evs, comments := parseSSE(t, w.Body.String())
	if len(evs) != 0 || comments < 3 || !strings.Contains(w.Body.String(), ": heartbeat\n\n") {
		t.Errorf("events %v, %d comments:\n%s", evs, comments, w.Body.String())
	}
	if env.logs.Len() != 0 {
		t.Errorf("a client going away was logged: %s", env.logs)
	}
}

func TestStreamErrors(t *testing.T) {
	env := streamEnv(t)
	tests := []struct {
		name   string
		req    request
		status int
		code   string
	}{
		{"another learner's", get("/v1/submissions/s1/events", bobToken), 404, CodeNotFound},
		{"missing", get("/v1/submissions/nope/events", adaToken), 404, CodeNotFound},
		{"no token", get("/v1/submissions/s1/events", ""), 401, CodeUnauthorized},
		{"bad last event id", request{method: "GET", path: "/v1/submissions/s1/events", token: adaToken, header: http.Header{"Last-Event-ID": {"x\r\nevent: fake"}}}, 400, CodeInvalidRequest},
	}
	env.st.EventsFn = func(ctx context.Context, id, after string) ([]grader.StoredEvent, error) {
		if after != "" && !strings.Contains(after, "-") {
			return nil, grader.ErrInvalidEventID
		}
		if strings.Contains(after, "\n") {
			return nil, errors.Join(errors.New("event id"), grader.ErrInvalidEventID)
		}
		return nil, nil
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out := env.do(t, tc.req)
			if code != tc.status || errCode(out) != tc.code {
				t.Errorf("%d %v, want %d %s", code, out, tc.status, tc.code)
			}
		})
	}
	env.st.EventsFn = func(ctx context.Context, id, after string) ([]grader.StoredEvent, error) {
		return nil, errors.New("redis down")
	}
	if code, out := env.do(t, get("/v1/submissions/s1/events", adaToken)); code != 500 || errCode(out) != CodeInternal {
		t.Errorf("store down: %d %v", code, out)
	}
}

// TestStreamOutlivesReadTimeout: a stream runs past the server's
// ReadTimeout (which would otherwise cancel its context) on a real
// connection with the server's own settings.
func TestStreamOutlivesReadTimeout(t *testing.T) {
	env := newEnv(t)
	env.mem.setRecord(grader.Record{ID: "s5", Challenge: "notes-api", Learner: "ada", State: grader.StateGrading})
	// Done comes well after the server's ReadTimeout.
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-stop:
		case <-time.After(700 * time.Millisecond):
			env.mem.addEvent("s5", grader.Event{Type: grader.EventDone})
		}
	}()
	hs := env.srv.HTTPServer("")
	hs.ReadTimeout = 200 * time.Millisecond
	ts := httptest.NewUnstartedServer(hs.Handler)
	ts.Config = hs
	ts.Start()
	defer ts.Close()
	req, _ := http.NewRequest("GET", ts.URL+"/v1/submissions/s5/events", nil)
	req.Header.Set("Authorization", "Bearer "+adaToken)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var lines []string
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if !strings.Contains(strings.Join(lines, "\n"), "event: done") {
		t.Errorf("stream cut before done:\n%s", strings.Join(lines, "\n"))
	}
	_, _ = io.Copy(io.Discard, resp.Body)
}
