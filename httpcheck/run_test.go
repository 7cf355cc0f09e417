package httpcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

// service is a small notes API with a few misbehaving routes.
func service(t *testing.T) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	store := map[string]string{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /notes", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Title string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		mu.Lock()
		id := strconv.Itoa(len(store) + 1)
		store[id] = in.Title
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Location", "/notes/"+id)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]any{"id": id, "title": in.Title, "num": 40 + len(id)})
	})
	mux.HandleFunc("GET /notes/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		title, ok := store[r.PathValue("id")]
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"not found"}`))
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"id": r.PathValue("id"), "title": title})
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		headers := map[string]string{}
		for k := range r.Header {
			headers[k] = r.Header.Get(k)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"method": r.Method, "path": r.URL.Path, "query": r.URL.RawQuery, "host": r.Host,
			"headers": headers, "body": string(body), "json": json.RawMessage(orNull(body)),
		})
	})
	mux.HandleFunc("GET /redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/healthz", http.StatusFound)
	})
	mux.HandleFunc("GET /loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("GET /text", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("plain words")) })
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	mux.HandleFunc("GET /huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"start":"here","pad":"`))
		chunk := bytes.Repeat([]byte("x"), 64<<10)
		for range 48 { // 3 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		_, _ = w.Write([]byte(`"}`))
	})
	mux.HandleFunc("GET /hangup", func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			_ = conn.Close()
		}
	})
	mux.HandleFunc("GET /half", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		_, _ = w.Write([]byte(`{"a":`))
		_ = http.NewResponseController(w).Flush()
		panic(http.ErrAbortHandler)
	})
	srv := httptest.NewServer(mux)
	mux.HandleFunc("POST /crash", func(w http.ResponseWriter, r *http.Request) {
		_ = srv.Listener.Close()
	})
	t.Cleanup(srv.Close)
	return srv
}

func orNull(b []byte) []byte {
	if json.Valid(b) {
		return b
	}
	return []byte("null")
}

func testPlan(base string, tests ...grader.TestSpec) grader.TesterPlan {
	return grader.TesterPlan{
		BaseURL: base, ReadyPath: "/healthz", ReadyTimeout: 2 * time.Second, TestTimeout: 2 * time.Second,
		Fixtures: map[string]grader.TesterFixture{}, Tests: tests,
	}
}

// events runs plan and returns its events with durations zeroed.
func events(t *testing.T, plan grader.TesterPlan) []grader.TesterEvent {
	t.Helper()
	var out bytes.Buffer
	if err := Run(context.Background(), plan, &out); err != nil {
		t.Fatalf("Run: %v", err)
	}
	return parseEvents(t, out.Bytes())
}

func parseEvents(t *testing.T, out []byte) []grader.TesterEvent {
	t.Helper()
	var evs []grader.TesterEvent
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if line == "" {
			continue
		}
		var ev grader.TesterEvent
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ev); err != nil {
			t.Fatalf("bad event line %q: %v", line, err)
		}
		ev.DurationMS = 0
		evs = append(evs, ev)
	}
	return evs
}

func rq(method, path string) *grader.Request { return &grader.Request{Method: method, Path: path} }

func jsonRq(method, path, body string) *grader.Request {
	return &grader.Request{Method: method, Path: path, JSON: json.RawMessage(body)}
}

func TestRunReportsEveryEvent(t *testing.T) {
	srv := service(t)
	plan := testPlan(srv.URL,
		grader.TestSpec{Name: "passes", Steps: []grader.Step{{Request: rq("GET", "/healthz"), Expect: grader.Expect{Status: 200}}}},
		grader.TestSpec{Name: "fails", Steps: []grader.Step{{Request: rq("GET", "/notes/7"), Expect: grader.Expect{Status: 200}}}},
	)
	want := []grader.TesterEvent{
		{Event: grader.TesterReady},
		{Event: grader.TesterTestStarted, Name: "passes"},
		{Event: grader.TesterTest, Name: "passes", Status: grader.TestPassed},
		{Event: grader.TesterTestStarted, Name: "fails"},
		{Event: grader.TesterTest, Name: "fails", Status: grader.TestFailed,
			Message: `step 1 (GET /notes/7): expected status 200, got 404; body: {"error":"not found"}`},
	}
	if diff := cmp.Diff(want, events(t, plan)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// outcome runs one test and returns its status and message.
func outcome(t *testing.T, plan grader.TesterPlan, steps ...grader.Step) grader.TesterEvent {
	t.Helper()
	plan.Tests = []grader.TestSpec{{Name: "t", Steps: steps}}
	evs := events(t, plan)
	last := evs[len(evs)-1]
	if last.Event != grader.TesterTest || last.Name != "t" {
		t.Fatalf("events %+v", evs)
	}
	return last
}

func TestRunSteps(t *testing.T) {
	srv := service(t)
	fx := service(t)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	plan := testPlan(srv.URL)
	plan.Fixtures = map[string]grader.TesterFixture{
		"upstream": {URL: fx.URL, Secret: "s3"},
		"gone":     {URL: down.URL, Secret: "s3"},
	}
	equals := func(path, value string) grader.JSONMatch { return match(path, "equals", value) }

	tests := []struct {
		name  string
		steps []grader.Step
		want  string // "" means the test must pass
	}{
		{"captures flow into later steps", []grader.Step{
			{Name: "create", Request: jsonRq("POST", "/notes", `{"title":"hello"}`),
				Expect:  grader.Expect{Status: 201, Headers: map[string]string{"Content-Type": "application/json"}},
				Capture: map[string]string{"id": "id", "num": "num"}},
			{Request: rq("GET", "/notes/${id}"), Expect: grader.Expect{Status: 200,
				Headers: map[string]string{"content-type": "JSON"}, BodyContains: `"id":"${id}"`,
				JSON: []grader.JSONMatch{equals("id", `"${id}"`), equals("title", `"hello"`)}}},
			{Request: &grader.Request{Method: "PUT", Path: "/echo?n=${id}", Headers: map[string]string{"X-Note": "note-${id}"}, JSON: json.RawMessage(`{"ref":"${id}","num":"${num}","s":"n${num}"}`)},
				Expect: grader.Expect{JSON: []grader.JSONMatch{
					equals("method", `"PUT"`), equals("query", `"n=${id}"`), equals("headers.X-Note", `"note-${id}"`),
					equals("headers.Content-Type", `"application/json"`), equals("json", `{"ref":"${id}","num":"${num}","s":"n${num}"}`),
					match("json.num", "type", `"number"`),
				}}},
			{Request: &grader.Request{Method: "POST", Path: "/echo", Body: "id=${id}", Headers: map[string]string{"Content-Type": "text/plain", "Host": "example.test"}},
				Expect: grader.Expect{JSON: []grader.JSONMatch{equals("body", `"id=${id}"`), equals("headers.Content-Type", `"text/plain"`), equals("host", `"example.test"`)}}},
		}, ""},
		{"named step", []grader.Step{{Name: "create", Request: jsonRq("POST", "/notes", `{"title":"hell"}`),
			Expect: grader.Expect{JSON: []grader.JSONMatch{equals("title", `"hello"`)}}}},
			`step "create": json "title": expected "hello", got "hell"`},
		{"an unnamed step is labelled with the request as sent", []grader.Step{
			{Request: jsonRq("POST", "/echo", `{"code":"aZ3k9"}`), Capture: map[string]string{"code": "json.code"}},
			{Request: rq("GET", "/text?c=${code}"), Expect: grader.Expect{Status: 404}},
		}, `step 2 (GET /text?c=aZ3k9): expected status 404, got 200`},
		{"unknown variable", []grader.Step{{Request: rq("GET", "/notes/${nope}")}},
			`step 1 (GET /notes/${nope}): uses ${nope}, which no earlier step captured`},
		{"missing capture stops the test", []grader.Step{
			{Request: rq("GET", "/healthz")},
			{Request: jsonRq("POST", "/notes", `{"title":"x"}`), Capture: map[string]string{"note_id": "data.id"}},
			{Request: rq("GET", "/notes/${note_id}")},
		}, `step 2 (POST /notes): json "data.id": expected a value (to use as ${note_id}), found none; body: {"id":`},
		{"redirects are not followed", []grader.Step{{Request: rq("GET", "/redirect"),
			Expect: grader.Expect{Status: 302, Headers: map[string]string{"Location": "/healthz"}}}}, ""},
		{"a redirect is not the page", []grader.Step{{Request: rq("GET", "/redirect"), Expect: grader.Expect{Status: 200}}},
			`step 1 (GET /redirect): expected status 200, got 302; body: <a href="/healthz">Found</a>.`},
		{"redirects are followed when the step says so", []grader.Step{{Request: &grader.Request{Path: "/redirect", FollowRedirects: true},
			Expect: grader.Expect{Status: 200, HeaderMatches: []grader.HeaderMatch{{Name: "Location", Op: "absent"}}}}}, ""},
		{"a followed redirect names where it led", []grader.Step{{Request: &grader.Request{Path: "/redirect", FollowRedirects: true}, Expect: grader.Expect{Status: 302}}},
			`step 1 (GET /redirect): expected status 302, got 200 (after following redirects to /healthz); body: (empty)`},
		{"a redirect loop", []grader.Step{{Request: &grader.Request{Path: "/loop", FollowRedirects: true}}},
			`step 1 (GET /loop): request to the service failed: more than 10 redirects, starting at /loop`},
		{"non-JSON body", []grader.Step{{Request: rq("GET", "/text"), Expect: grader.Expect{JSON: []grader.JSONMatch{match("a", "exists", "")}}}},
			`step 1 (GET /text): the response is not JSON (Content-Type "text/plain; charset=utf-8"): plain words`},
		{"huge body: status and the first MiB", []grader.Step{{Request: rq("GET", "/huge"),
			Expect: grader.Expect{Status: 200, BodyContains: `"start":"here"`}}}, ""},
		{"huge body: not checked as JSON", []grader.Step{{Request: rq("GET", "/huge"),
			Expect: grader.Expect{JSON: []grader.JSONMatch{equals("start", `"here"`)}}}},
			`step 1 (GET /huge): the response body is larger than 1 MiB, too large to check`},
		{"fixture requests carry the secret", []grader.Step{
			{Request: &grader.Request{Target: "upstream", Path: "/echo"}, Expect: grader.Expect{JSON: []grader.JSONMatch{equals("headers."+grader.FixtureSecretHeader, `"s3"`)}}},
			{Request: &grader.Request{Target: "app", Path: "/echo"}, Expect: grader.Expect{JSON: []grader.JSONMatch{match("headers."+grader.FixtureSecretHeader, "absent", "")}}},
			{Request: rq("GET", "/echo"), Expect: grader.Expect{JSON: []grader.JSONMatch{match("headers."+grader.FixtureSecretHeader, "absent", "")}}},
		}, ""},
		{"fixture down", []grader.Step{{Request: &grader.Request{Target: "gone", Path: "/_fixture/stats"}}},
			`step 1 (GET /_fixture/stats): could not connect to fixture "gone": connection refused`},
		{"connection closed", []grader.Step{{Request: rq("GET", "/hangup")}},
			`step 1 (GET /hangup): the service closed the connection without a response — did it crash?`},
		{"response broken off", []grader.Step{{Request: rq("GET", "/half")}},
			`step 1 (GET /half): the service broke off its response: the connection was closed without a response — did it crash?`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := outcome(t, plan, tc.steps...)
			if tc.want == "" {
				if ev.Status != grader.TestPassed {
					t.Errorf("failed: %s", ev.Message)
				}
				return
			}
			if ev.Status != grader.TestFailed || !strings.HasPrefix(ev.Message, tc.want) {
				t.Errorf("status %s, message:\n%s\nwant failed with a message starting:\n%s", ev.Status, ev.Message, tc.want)
			}
		})
	}
}

func TestRunServiceCrashes(t *testing.T) {
	srv := service(t)
	ev := outcome(t, testPlan(srv.URL),
		grader.Step{Request: rq("POST", "/crash"), Expect: grader.Expect{Status: 200}},
		grader.Step{Request: rq("GET", "/healthz"), Expect: grader.Expect{Status: 200}},
	)
	want := "step 2 (GET /healthz): could not connect to the service: connection refused — did it crash?"
	if ev.Status != grader.TestFailed || ev.Message != want {
		t.Errorf("got %s %q, want failed %q", ev.Status, ev.Message, want)
	}
}

func TestRunCapturesAreFreshForEachTest(t *testing.T) {
	srv := service(t)
	plan := testPlan(srv.URL,
		grader.TestSpec{Name: "captures", Steps: []grader.Step{{Request: jsonRq("POST", "/notes", `{"title":"a"}`), Capture: map[string]string{"id": "id"}}}},
		grader.TestSpec{Name: "reuses", Steps: []grader.Step{{Request: rq("GET", "/notes/${id}")}}},
	)
	evs := events(t, plan)
	got := evs[len(evs)-1]
	want := grader.TesterEvent{Event: grader.TesterTest, Name: "reuses", Status: grader.TestFailed,
		Message: "step 1 (GET /notes/${id}): uses ${id}, which no earlier step captured"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestRunTimeouts(t *testing.T) {
	srv := service(t)
	plan := testPlan(srv.URL)
	plan.TestTimeout = 300 * time.Millisecond
	tests := []struct {
		name  string
		steps []grader.Step
		want  string
	}{
		{"a slow response", []grader.Step{{Request: rq("GET", "/healthz")}, {Request: rq("GET", "/slow")}},
			"step 2 (GET /slow): no complete response within the test's time limit (300ms)"},
		{"a wait longer than the test", []grader.Step{{Wait: 5 * time.Second}},
			"step 1: the test's time limit (300ms) ran out during the 5s wait"},
		{"waits count against the limit", []grader.Step{{Wait: 200 * time.Millisecond}, {Name: "late", Wait: 200 * time.Millisecond, Request: rq("GET", "/healthz")}},
			`step "late": the test's time limit (300ms) ran out during the 200ms wait`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			ev := outcome(t, plan, tc.steps...)
			if ev.Status != grader.TestFailed || ev.Message != tc.want {
				t.Errorf("got %s %q, want failed %q", ev.Status, ev.Message, tc.want)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("the test took %s despite its 300ms limit", d)
			}
		})
	}

	t.Run("a wait is honoured", func(t *testing.T) {
		var out bytes.Buffer
		plan := testPlan(srv.URL, grader.TestSpec{Name: "t", Steps: []grader.Step{{Wait: 150 * time.Millisecond}, {Request: rq("GET", "/healthz")}}})
		if err := Run(context.Background(), plan, &out); err != nil {
			t.Fatal(err)
		}
		var last grader.TesterEvent
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &last); err != nil {
			t.Fatal(err)
		}
		if last.Status != grader.TestPassed || last.DurationMS < 150 {
			t.Errorf("got %+v, want passed after at least 150ms", last)
		}
	})
}

func TestRunNotReady(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database down", http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer hanging.Close()

	tests := []struct {
		name, base, reason string
	}{
		{"nothing listens", closed.URL, "connection refused"},
		{"server errors", failing.URL, "it answered 503 Service Unavailable"},
		{"no answer", hanging.URL, "the connection was accepted but no response came in time"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			plan := testPlan(tc.base, grader.TestSpec{Name: "a", Steps: []grader.Step{{Wait: time.Millisecond}}}, grader.TestSpec{Name: "b", Steps: []grader.Step{{Wait: time.Millisecond}}})
			plan.ReadyTimeout = 300 * time.Millisecond
			msg := "the service did not answer GET /healthz on port " + port(t, tc.base) + " within 300ms: " + tc.reason
			want := []grader.TesterEvent{
				{Event: grader.TesterNotReady, Message: msg},
				{Event: grader.TesterTest, Name: "a", Status: grader.TestFailed, Message: msg},
				{Event: grader.TesterTest, Name: "b", Status: grader.TestFailed, Message: msg},
			}
			start := time.Now()
			if diff := cmp.Diff(want, events(t, plan)); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("not ready took %s, want about 300ms", d)
			}
		})
	}
}

func port(t *testing.T, base string) string {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	return u.Port()
}

func TestRunWaitsForTheService(t *testing.T) {
	var probes atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if probes.Add(1) <= 3 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNotFound) // any status below 500 is ready
	}))
	defer srv.Close()
	plan := testPlan(srv.URL, grader.TestSpec{Name: "t", Steps: []grader.Step{{Request: rq("GET", "/x"), Expect: grader.Expect{Status: 404}}}})
	plan.ReadyPath = ""
	want := []grader.TesterEvent{
		{Event: grader.TesterReady},
		{Event: grader.TesterTestStarted, Name: "t"},
		{Event: grader.TesterTest, Name: "t", Status: grader.TestPassed},
	}
	if diff := cmp.Diff(want, events(t, plan)); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if n := probes.Load(); n != 5 {
		t.Errorf("%d requests, want 4 probes and the test's", n)
	}
}

type failingWriter struct{ after int }

func (w *failingWriter) Write(b []byte) (int, error) {
	if w.after == 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(b), nil
}

func TestRunErrors(t *testing.T) {
	srv := service(t)
	one := grader.TestSpec{Name: "t", Steps: []grader.Step{{Request: rq("GET", "/healthz")}}}

	t.Run("invalid plan", func(t *testing.T) {
		var out bytes.Buffer
		plan := testPlan(srv.URL, one, one)
		err := Run(context.Background(), plan, &out)
		if err == nil || !strings.Contains(err.Error(), `name "t" is used twice`) {
			t.Errorf("error %v, want the duplicate name", err)
		}
		if out.Len() != 0 {
			t.Errorf("an invalid plan wrote %q", out.String())
		}
	})
	for after := range 3 {
		t.Run("write fails after "+strconv.Itoa(after)+" events", func(t *testing.T) {
			err := Run(context.Background(), testPlan(srv.URL, one), &failingWriter{after: after})
			if err == nil || !strings.Contains(err.Error(), "disk full") {
				t.Errorf("error %v, want the write error", err)
			}
		})
	}
	t.Run("stopped during a test", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		plan := testPlan(srv.URL, grader.TestSpec{Name: "slow", Steps: []grader.Step{{Request: rq("GET", "/slow")}}})
		time.AfterFunc(200*time.Millisecond, cancel)
		var out bytes.Buffer
		err := Run(ctx, plan, &out)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		want := []grader.TesterEvent{{Event: grader.TesterReady}, {Event: grader.TesterTestStarted, Name: "slow"}}
		if diff := cmp.Diff(want, parseEvents(t, out.Bytes())); diff != "" {
			t.Errorf("a stopped test must not be reported (-want +got):\n%s", diff)
		}
	})
	t.Run("stopped before ready", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		closed := httptest.NewServer(http.NotFoundHandler())
		closed.Close()
		var out bytes.Buffer
		if err := Run(ctx, testPlan(closed.URL, one), &out); !errors.Is(err, context.Canceled) {
			t.Errorf("error %v, want context.Canceled", err)
		}
		if out.Len() != 0 {
			t.Errorf("wrote %q", out.String())
		}
	})
}

func TestRunRecordsEveryStep(t *testing.T) {
	srv := service(t)
	plan := testPlan(srv.URL, grader.TestSpec{Name: "links", Steps: []grader.Step{
		{Name: "create", Request: jsonRq("POST", "/notes", `{"title":"a"}`), Expect: grader.Expect{Status: 200}, Capture: map[string]string{"id": "id"}},
		{Request: rq("GET", "/notes/${id}"), Expect: grader.Expect{JSON: []grader.JSONMatch{match("title", "equals", `"a"`)}}},
		{Wait: time.Millisecond},
		{Request: rq("GET", "/text")},
		{Request: rq("GET", "/notes/${nope}")},
	}})
	plan.Record = true
	evs := events(t, plan)
	var steps []grader.StepRecord
	for _, ev := range evs {
		if ev.Event == grader.TesterStep {
			if ev.Name != "links" {
				t.Errorf("step event of test %q", ev.Name)
			}
			rec := *ev.Step
			delete(rec.Headers, "Date")
			steps = append(steps, rec)
		}
	}
	id := steps[0].Captured["id"]
	var idText string
	_ = json.Unmarshal(id, &idText)
	want := []grader.StepRecord{
		{Step: 1, Name: "create", Request: "POST /notes", Status: 201,
			Headers: map[string]string{"Content-Type": "application/json", "Location": "/notes/" + idText, "Content-Length": steps[0].Headers["Content-Length"]},
			JSON:    json.RawMessage(`{"id":"` + idText + `","num":41,"title":"a"}`), Captured: map[string]json.RawMessage{"id": id},
			Failure: `expected status 200, got 201; body: {"id":"` + idText + `","num":41,"title":"a"}`},
		{Step: 2, Request: "GET /notes/" + idText, Status: 200,
			Headers: map[string]string{"Content-Type": "application/json", "Content-Length": steps[1].Headers["Content-Length"]},
			JSON:    json.RawMessage(`{"id":"` + idText + `","title":"a"}`)},
		{Step: 4, Request: "GET /text", Status: 200,
			Headers: map[string]string{"Content-Type": "text/plain; charset=utf-8", "Content-Length": "11"}, Body: "plain words"},
		{Step: 5, Failure: "uses ${nope}, which no earlier step captured"},
	}
	if diff := cmp.Diff(want, steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	last := evs[len(evs)-1]
	if last.Event != grader.TesterTest || last.Status != grader.TestFailed || !strings.HasPrefix(last.Message, `step "create": expected status 200, got 201`) {
		t.Errorf("the test's outcome %+v: want its first failure", last)
	}
}
