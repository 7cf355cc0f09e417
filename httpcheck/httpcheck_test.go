package httpcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
)

// notes is a tiny service to test against.
func notes(t *testing.T) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	store := map[string]string{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("POST /notes", func(w http.ResponseWriter, r *http.Request) {
		var in struct{ Title string }
		json.NewDecoder(r.Body).Decode(&in)
		mu.Lock()
		id := "n" + string(rune('0'+len(store)))
		store[id] = in.Title
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(201)
		json.NewEncoder(w).Encode(map[string]any{"id": id, "title": in.Title, "count": 3, "tags": []string{"a"}})
	})
	mux.HandleFunc("GET /notes/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		title, ok := store[r.PathValue("id")]
		mu.Unlock()
		if !ok {
			w.WriteHeader(404)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"id": r.PathValue("id"), "title": title})
	})
	mux.HandleFunc("GET /redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/healthz", http.StatusFound) })
	mux.HandleFunc("GET /text", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("plain words")) })
	mux.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) { time.Sleep(2 * time.Second) })
	mux.HandleFunc("GET /secret", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(r.Header.Get(grader.FixtureSecretHeader)))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func run(t *testing.T, base string, tests ...grader.TestSpec) []grader.TesterEvent {
	t.Helper()
	var out bytes.Buffer
	plan := grader.TesterPlan{BaseURL: base, ReadyPath: "/healthz", ReadyTimeout: time.Second, TestTimeout: time.Second,
		Fixtures: map[string]grader.TesterFixture{"upstream": {URL: base, Secret: "s3"}}, Tests: tests}
	if err := Run(context.Background(), plan, &out); err != nil {
		t.Fatal(err)
	}
	var evs []grader.TesterEvent
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var ev grader.TesterEvent
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("bad line %q", line)
		}
		if ev.Event == grader.TesterTest {
			evs = append(evs, ev)
		}
	}
	return evs
}

func req(method, path, body string) *grader.Request {
	r := &grader.Request{Method: method, Path: path}
	if body != "" {
		r.JSON = json.RawMessage(body)
	}
	return r
}

func TestSteps(t *testing.T) {
	srv := notes(t)
	m := func(path, op, value string) grader.JSONMatch {
		return grader.JSONMatch{Path: path, Op: op, Value: json.RawMessage(value)}
	}
	tests := []struct {
		name    string
		steps   []grader.Step
		wantMsg string // "" means the test must pass
	}{
		{"capture and reuse", []grader.Step{
			{Request: req("POST", "/notes", `{"title":"hello"}`), Expect: grader.Expect{Status: 201, Headers: map[string]string{"content-type": "APPLICATION/JSON"}}, Capture: map[string]string{"id": "id"}},
			{Request: req("GET", "/notes/${id}", ""), Expect: grader.Expect{Status: 200, JSON: []grader.JSONMatch{m("id", "equals", `"${id}"`), m("title", "", `"hello"`)}}},
		}, ""},
		{"wrong status", []grader.Step{{Request: req("GET", "/notes/missing", ""), Expect: grader.Expect{Status: 200}}}, "step 1 (GET /notes/missing): expected status 200, got 404"},
		{"named step", []grader.Step{{Name: "create", Request: req("POST", "/notes", `{"title":"hell"}`), Expect: grader.Expect{JSON: []grader.JSONMatch{m("title", "equals", `"hello"`)}}}}, `step "create": json "title": expected "hello", got "hell"`},
		{"numbers by value", []grader.Step{{Request: req("POST", "/notes", `{"title":"x"}`), Expect: grader.Expect{JSON: []grader.JSONMatch{m("count", "equals", `3.0`), m("count", "gte", `3`), m("count", "lte", `3`), m("tags", "equals", `["a"]`), m("tags.#", "equals", `1`)}}}}, ""},
		{"gte fails", []grader.Step{{Request: req("POST", "/notes", `{"title":"x"}`), Expect: grader.Expect{JSON: []grader.JSONMatch{m("count", "gte", `4`)}}}}, `json "count": expected >= 4, got 3`},
		{"exists absent type ne", []grader.Step{{Request: req("POST", "/notes", `{"title":"x"}`), Expect: grader.Expect{JSON: []grader.JSONMatch{m("id", "exists", ""), m("nope", "absent", ""), m("tags", "type", `"array"`), m("title", "ne", `"y"`)}}}}, ""},
		{"absent fails", []grader.Step{{Request: req("POST", "/notes", `{"title":"x"}`), Expect: grader.Expect{JSON: []grader.JSONMatch{m("id", "absent", "")}}}}, `json "id": expected no value`},
		{"not json", []grader.Step{{Request: req("GET", "/text", ""), Expect: grader.Expect{JSON: []grader.JSONMatch{m("a", "exists", "")}}}}, "the response is not JSON"},
		{"body contains", []grader.Step{{Request: req("GET", "/text", ""), Expect: grader.Expect{BodyContains: "words"}}}, ""},
		{"unknown variable", []grader.Step{{Request: req("GET", "/notes/${nope}", "")}}, "uses ${nope}, which no earlier step captured"},
		{"redirects are not followed", []grader.Step{{Request: req("GET", "/redirect", ""), Expect: grader.Expect{Status: 302}}}, ""},
		{"test timeout", []grader.Step{{Request: req("GET", "/slow", ""), Expect: grader.Expect{Status: 200}}}, "ran out of time"},
		{"fixture secret", []grader.Step{{Request: &grader.Request{Target: "upstream", Path: "/secret"}, Expect: grader.Expect{BodyContains: "s3"}}}, ""},
		{"missing capture", []grader.Step{{Request: req("GET", "/text", ""), Capture: map[string]string{"x": "id"}}}, `expected a JSON value at "id"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			evs := run(t, srv.URL, grader.TestSpec{Name: tc.name, Steps: tc.steps})
			if len(evs) != 1 {
				t.Fatalf("events %+v", evs)
			}
			ev := evs[0]
			if tc.wantMsg == "" {
				if ev.Status != grader.TestPassed {
					t.Errorf("failed: %s", ev.Message)
				}
				return
			}
			if ev.Status != grader.TestFailed || !strings.Contains(ev.Message, tc.wantMsg) {
				t.Errorf("status %s message %q, want failed with %q", ev.Status, ev.Message, tc.wantMsg)
			}
		})
	}
}

func TestNotReady(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	var out bytes.Buffer
	plan := grader.TesterPlan{BaseURL: url, ReadyPath: "/", ReadyTimeout: 300 * time.Millisecond, Tests: []grader.TestSpec{{Name: "a"}, {Name: "b"}}}
	if err := Run(context.Background(), plan, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	if !strings.Contains(s, `"event":"not_ready"`) || !strings.Contains(s, "connection refused") || strings.Count(s, `"status":"failed"`) != 2 {
		t.Errorf("output:\n%s", s)
	}
}
