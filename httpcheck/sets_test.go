package httpcheck

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
)

// claims serves PUT /claim/{key}: 201 for the first claim of a key, 200
// after, each answer with its own request id; racy claims check and store
// without a lock and with a pause between, as a service that is not
// idempotent under concurrency would.
func claims(t *testing.T, racy bool) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	seen := map[string]bool{}
	n := 0
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("PUT /claim/{key}", func(w http.ResponseWriter, r *http.Request) {
		key := r.PathValue("key")
		mu.Lock()
		n++
		id := n
		had := seen[key]
		if racy {
			mu.Unlock()
			time.Sleep(50 * time.Millisecond)
			mu.Lock()
		}
		seen[key] = true
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if !had {
			w.WriteHeader(http.StatusCreated)
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"key": key, "request_id": id})
	})
	mux.HandleFunc("GET /same", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"id":"x"}`))
	})
	mux.HandleFunc("GET /sleep", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestSetSteps(t *testing.T) {
	good, racy := claims(t, false), claims(t, true)
	put := func(key string) *grader.Request { return &grader.Request{Method: "PUT", Path: "/claim/" + key} }
	tests := []struct {
		name string
		srv  *httptest.Server
		step grader.Step
		want string // "" for a pass
	}{
		{"parallel counts", good, grader.Step{Parallel: 5, Request: put("a"), Expect: grader.Expect{Statuses: map[int]int{201: 1, 200: 4}, Distinct: []string{"request_id"}}}, ""},
		{"parallel racy", racy, grader.Step{Parallel: 5, Request: put("a"), Expect: grader.Expect{Statuses: map[int]int{201: 1, 200: 4}}},
			"step 1 (PUT /claim/a ×5 in parallel): expected exactly 1 of 5 concurrent requests to get 201, got 5 (201 ×5)"},
		{"repeat counts", good, grader.Step{Repeat: 3, Request: put("b"), Expect: grader.Expect{Statuses: map[int]int{201: 1, 200: 2}}}, ""},
		{"repeat plain expect on each", good, grader.Step{Repeat: 3, Request: put("c"), Expect: grader.Expect{Status: 201}},
			"step 1 (PUT /claim/c ×3 in a row): request 2 of 3: expected status 201, got 200; body: {\"key\":\"c\",\"request_id\":"},
		{"distinct fails", good, grader.Step{Parallel: 3, Request: rq("GET", "/same"), Expect: grader.Expect{Distinct: []string{"id"}}},
			`step 1 (GET /same ×3 in parallel): expected id to differ between all 3 concurrent requests, but 3 of them got "x"`},
		{"distinct missing", good, grader.Step{Repeat: 2, Request: rq("GET", "/same"), Expect: grader.Expect{Distinct: []string{"nope"}}},
			`step 1 (GET /same ×2 in a row): request 1 of 2: expected nope in the response, but it is missing; body: {"id":"x"}`},
		{"max time passes", good, grader.Step{Request: rq("GET", "/same"), Expect: grader.Expect{MaxTime: 2 * time.Second}}, ""},
		{"max time fails", good, grader.Step{Request: rq("GET", "/sleep"), Expect: grader.Expect{MaxTime: 100 * time.Millisecond}},
			"step 1 (GET /sleep): the response took"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := outcome(t, testPlan(tc.srv.URL), tc.step)
			if tc.want == "" {
				if ev.Status != grader.TestPassed {
					t.Fatalf("failed: %s", ev.Message)
				}
				return
			}
			if ev.Status != grader.TestFailed || !strings.HasPrefix(ev.Message, tc.want) {
				t.Fatalf("got %s %q, want failed starting with %q", ev.Status, ev.Message, tc.want)
			}
		})
	}
}

// TestParallelReleasesTogether checks the barrier: every request of a
// parallel step is in the service before any is answered.
func TestParallelReleasesTogether(t *testing.T) {
	const n = 8
	var mu sync.Mutex
	in := 0
	all := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("GET /gate", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		in++
		if in == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-time.After(5 * time.Second):
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	plan := testPlan(srv.URL)
	plan.TestTimeout = 10 * time.Second
	ev := outcome(t, plan, grader.Step{Parallel: n, Request: rq("GET", "/gate"), Expect: grader.Expect{Status: 200}})
	if ev.Status != grader.TestPassed {
		t.Fatalf("failed: %s", ev.Message)
	}
}

// TestRestart plays the Engine: on "restart" it closes the service, on
// "service_stopped" it starts a new one on the same address, which
// remembers nothing but what the "store" kept.
func TestRestart(t *testing.T) {
	var mu sync.Mutex
	store := map[string]string{} // survives restarts, like a fixture
	serve := func(ln net.Listener) *http.Server {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {})
		mux.HandleFunc("PUT /kv/{k}", func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			mu.Lock()
			store[r.PathValue("k")] = string(b)
			mu.Unlock()
		})
		mux.HandleFunc("GET /kv/{k}", func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			v, ok := store[r.PathValue("k")]
			mu.Unlock()
			if !ok {
				w.WriteHeader(http.StatusNotFound)
			}
			_, _ = w.Write([]byte(v))
		})
		s := &http.Server{Handler: mux}
		go func() { _ = s.Serve(ln) }()
		return s
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	srv := serve(ln)
	defer func() { _ = srv.Close() }()

	plan := testPlan("http://" + addr)
	plan.Tests = []grader.TestSpec{{Name: "survives", Steps: []grader.Step{
		{Request: &grader.Request{Method: "PUT", Path: "/kv/a", Body: "1"}, Expect: grader.Expect{Status: 200}},
		{Restart: true},
		{Restart: true, Request: rq("GET", "/kv/a"), Expect: grader.Expect{Status: 200, BodyContains: "1"}},
	}}}
	pr, pw := io.Pipe()
	var restarts, stops int
	engine := make(chan []grader.TesterEvent)
	go func() {
		var evs []grader.TesterEvent
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			var ev grader.TesterEvent
			if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
				t.Errorf("event %q: %v", sc.Text(), err)
			}
			evs = append(evs, ev)
			switch ev.Event {
			case grader.TesterRestart:
				restarts++
				_ = srv.Close()
			case grader.TesterServiceStopped:
				stops++
				ln, err := net.Listen("tcp", addr)
				if err != nil {
					t.Errorf("listen again: %v", err)
					continue
				}
				srv = serve(ln)
			}
		}
		engine <- evs
	}()
	if err := Run(context.Background(), plan, pw); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	evs := <-engine
	last := evs[len(evs)-1]
	if last.Status != grader.TestPassed || restarts != 2 || stops != 2 {
		t.Fatalf("got %+v after %d restarts, %d stops", last, restarts, stops)
	}
}

func TestStepWhat(t *testing.T) {
	for _, tc := range []struct {
		st   grader.Step
		want string
	}{
		{grader.Step{Request: rq("GET", "/x"), Parallel: 10}, "GET /x ×10 in parallel"},
		{grader.Step{Request: rq("POST", "/x"), Repeat: 3}, "POST /x ×3 in a row"},
		{grader.Step{Restart: true}, "restart"},
		{grader.Step{Restart: true, Request: rq("GET", "/x")}, "restart, then GET /x"},
	} {
		if got := stepWhat(tc.st, ""); got != tc.want {
			t.Errorf("stepWhat(%+v) = %q, want %q", tc.st, got, tc.want)
		}
	}
}
