package main

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/client"
	"github.com/gradebox/grader/grader"
)

const fakeToken = "tok-alice-0123456789"

// fakeAnswer is an error answer the fake API gives a POST.
type fakeAnswer struct {
	status     int
	code       string
	message    string
	retryAfter string
}

// fakePost is one POST /v1/submissions the fake API received.
type fakePost struct {
	key, challenge, learner, callback, filename string
	language, cohort                            string
	archive                                     []byte
}

// fakeEvent is one event of the fake stream.
type fakeEvent struct {
	id string
	ev grader.Event
}

// fakeAPI is an in-process stand-in for the grading service's v1 API.
type fakeAPI struct {
	t *testing.T

	// postAnswers answer POSTs in order; once used up, POSTs get 202.
	postAnswers []fakeAnswer
	// id is the submission id answered (default sub_1).
	id string
	// events are the stream's events before done.
	events []fakeEvent
	// result is what done carries; noResultInDone leaves it out, and the
	// record (GET /v1/submissions/{id}) holds it instead.
	result         grader.Result
	noResultInDone bool
	// noRecord answers 404 for the submission's record.
	noRecord bool
	// dropAfter cuts the first stream connection after that many events.
	dropAfter int
	// silentAfter makes the first stream connection go silent (no
	// heartbeats) after that many events.
	silentAfter int
	// stall makes every stream connection send heartbeats only.
	stall bool
	// streamOpened is signalled (without blocking) when a stream opens.
	streamOpened chan struct{}

	mu         sync.Mutex
	posts      []fakePost
	streamLEID []string // Last-Event-ID of each stream connection
	srv        *httptest.Server
}

func newFakeAPI(t *testing.T, f *fakeAPI) *fakeAPI {
	t.Helper()
	f.t = t
	if f.id == "" {
		f.id = "sub_1"
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/submissions", f.create)
	mux.HandleFunc("GET /v1/submissions/{id}/events", f.stream)
	mux.HandleFunc("GET /v1/submissions/{id}", f.record)
	mux.HandleFunc("GET /v1/challenges/{id}", func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("id") != "notes-api" {
			apiErr(w, http.StatusNotFound, "not_found", "no challenge")
			return
		}
		w.Write([]byte(`{"challenge":{"id":"notes-api","title":"Notes API"},"hidden_tests":1}`))
	})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+fakeToken {
			apiErr(w, http.StatusUnauthorized, "unauthorized", "missing or unknown bearer token")
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func apiErr(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

func (f *fakeAPI) create(w http.ResponseWriter, r *http.Request) {
	p := fakePost{key: r.Header.Get("Idempotency-Key"), challenge: r.FormValue("challenge"), learner: r.FormValue("learner"), callback: r.FormValue("callback_url"),
		language: r.FormValue("language"), cohort: r.FormValue("cohort")}
	if file, fh, err := r.FormFile("archive"); err == nil {
		p.archive, _ = io.ReadAll(file)
		p.filename = fh.Filename
	}
	f.mu.Lock()
	f.posts = append(f.posts, p)
	n := len(f.posts)
	f.mu.Unlock()
	if n <= len(f.postAnswers) {
		a := f.postAnswers[n-1]
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		apiErr(w, a.status, a.code, a.message)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	json.NewEncoder(w).Encode(map[string]any{
		"id": f.id, "state": "queued", "attempt": 1, "challenge": p.challenge, "learner": "alice",
		"links": map[string]string{"self": "/v1/submissions/" + f.id, "events": "/v1/submissions/" + f.id + "/events"},
	})
}

func (f *fakeAPI) record(w http.ResponseWriter, r *http.Request) {
	if f.noRecord {
		apiErr(w, http.StatusNotFound, "not_found", "no submission")
		return
	}
	doc := map[string]any{"id": r.PathValue("id"), "state": "done", "result": f.result}
	json.NewEncoder(w).Encode(doc)
}

func (f *fakeAPI) stream(w http.ResponseWriter, r *http.Request) {
	leid := r.Header.Get("Last-Event-ID")
	f.mu.Lock()
	f.streamLEID = append(f.streamLEID, leid)
	conn := len(f.streamLEID)
	f.mu.Unlock()
	if f.streamOpened != nil {
		select {
		case f.streamOpened <- struct{}{}:
		default:
		}
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	io.WriteString(w, ": connected\n\n")
	fl.Flush()
	if f.stall {
		for {
			select {
			case <-r.Context().Done():
				return
			case <-time.After(10 * time.Millisecond):
				io.WriteString(w, ": ping\n\n")
				fl.Flush()
			}
		}
	}
	start := 0
	if leid != "" {
		// Resume at the last event seen, sending it again: a client must
		// cope with an overlap.
		for i, e := range f.events {
			if e.id == leid {
				start = i
			}
		}
	}
	sent := 0
	for _, e := range f.events[start:] {
		if conn == 1 && f.dropAfter > 0 && sent == f.dropAfter {
			panic(http.ErrAbortHandler) // cut the connection mid-stream
		}
		if conn == 1 && f.silentAfter > 0 && sent == f.silentAfter {
			<-r.Context().Done()
			return
		}
		b, _ := json.Marshal(e.ev)
		fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", e.id, e.ev.Type, b)
		fl.Flush()
		sent++
	}
	done := map[string]any{"type": "done", "at": time.Now()}
	if !f.noResultInDone {
		done["result"] = f.result
	}
	b, _ := json.Marshal(done)
	// Split the JSON over two data lines, as a server may.
	half := bytes.IndexByte(b, ',') + 1
	fmt.Fprintf(w, "id: %d\r\nevent: done\r\ndata: %s\r\ndata: %s\r\n\r\n", len(f.events)+1, b[:half], b[half:])
	fl.Flush()
}

func (f *fakeAPI) postCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.posts)
}

var gradedAt = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func testResult(status grader.Status, score int) grader.Result {
	second := grader.TestPassed
	if score < 10 {
		second = grader.TestFailed
	}
	return grader.Result{
		SubmissionID: "sub_1", Challenge: "notes-api", ChallengeVersion: "3", View: grader.ViewLearner,
		Status: status, Score: score, MaxScore: 10, Message: "graded",
		Tests: []grader.TestResult{
			{Name: "create note", Suite: "api", Status: grader.TestPassed, Points: 4, MaxPoints: 4, Visibility: grader.Visible},
			{Name: "list notes", Suite: "api", Status: second, Points: score - 4, MaxPoints: 6, Visibility: grader.Visible},
		},
		Build:    grader.Output{},
		Timings:  []grader.PhaseTiming{{Phase: "build:api", DurationMS: 1200}},
		GradedAt: gradedAt,
	}
}

func testEvents() []fakeEvent {
	tr := func(name string) *grader.TestResult {
		return &grader.TestResult{Name: name, Suite: "api", Status: grader.TestPassed, Visibility: grader.Visible}
	}
	evs := []grader.Event{
		{Type: grader.EventQueued},
		{Type: grader.EventStarted},
		{Type: grader.EventPhaseStarted, Phase: "build", Suite: "api"},
		{Type: grader.EventPhaseFinished, Phase: "build", Suite: "api", OK: true, DurationMS: 1200},
		{Type: grader.EventPhaseStarted, Phase: "run", Suite: "api"},
		{Type: grader.EventTestFinished, Test: tr("create note")},
		{Type: grader.EventTestFinished, Test: tr("list notes")},
		{Type: grader.EventPhaseFinished, Phase: "run", Suite: "api", OK: true, DurationMS: 800},
	}
	out := make([]fakeEvent, len(evs))
	for i, e := range evs {
		out[i] = fakeEvent{id: fmt.Sprint(i + 1), ev: e}
	}
	return out
}

// fastRetries shortens the pauses between attempts for one test.
func fastRetries(t *testing.T) {
	t.Helper()
	old := retryBase
	retryBase = time.Millisecond
	t.Cleanup(func() { retryBase = old })
}

// solution writes a small Go module (with a .git folder) and returns its
// folder.
func solution(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module notes\n\ngo 1.22\n")
	write("main.go", "package main\n\nfunc main() {}\n")
	write("store/store.go", "package store\n")
	write(".git/config", "[core]\n")
	write(".git/objects/ab/cdef", "blob")
	return dir
}

// submitCLI runs grader submit against api with args before the folder.
func submitCLI(t *testing.T, ctx context.Context, api *fakeAPI, dir string, args ...string) (int, string, string) {
	t.Helper()
	fastRetries(t)
	full := append([]string{"submit", "--server", api.srv.URL, "--token", fakeToken, "--challenge", "notes-api"}, args...)
	full = append(full, dir)
	var stdout, stderr bytes.Buffer
	code := run(ctx, full, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestSubmitWaitExitCodes(t *testing.T) {
	tests := []struct {
		name   string
		result grader.Result
		args   []string
		want   int
	}{
		{"full marks", testResult(grader.StatusPassed, 10), nil, exitFullMarks},
		{"less than full marks", testResult(grader.StatusFailed, 6), nil, exitLess},
		{"min score reached", testResult(grader.StatusFailed, 6), []string{"--min-score", "6"}, exitFullMarks},
		{"min score missed", testResult(grader.StatusFailed, 6), []string{"--min-score", "7"}, exitLess},
		{"min score zero", testResult(grader.StatusBuildFailed, 4), []string{"--min-score", "0"}, exitFullMarks},
		{"service error", testResult(grader.StatusError, 4), nil, exitFault},
		{"service error beats min score", testResult(grader.StatusError, 4), []string{"--min-score", "0"}, exitFault},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t, &fakeAPI{events: testEvents(), result: tc.result})
			code, stdout, stderr := submitCLI(t, context.Background(), api, solution(t), append([]string{"--wait"}, tc.args...)...)
			if code != tc.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.want, stderr)
			}
			wantScore := fmt.Sprintf("score: %d/10", tc.result.Score)
			if !strings.Contains(stdout, "Notes API (notes-api) — version 3") || !strings.Contains(stdout, wantScore) {
				t.Errorf("report lacks the title or %q:\n%s", wantScore, stdout)
			}
			if tc.result.Status == grader.StatusError && !strings.Contains(stderr, "could not grade") {
				t.Errorf("stderr does not say the service failed: %q", stderr)
			}
		})
	}
}

func TestSubmitWaitShowsProgress(t *testing.T) {
	api := newFakeAPI(t, &fakeAPI{events: testEvents(), result: testResult(grader.StatusPassed, 10)})
	code, _, stderr := submitCLI(t, context.Background(), api, solution(t), "--wait")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"submitted sub_1", "queued\n", "grading started\n", "build api: ok (1.2s)", "  PASS create note\n", "run api: ok (0.8s)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
}

func TestSubmitJSONIsTheResult(t *testing.T) {
	want := testResult(grader.StatusFailed, 6)
	api := newFakeAPI(t, &fakeAPI{events: testEvents(), result: want})
	code, stdout, stderr := submitCLI(t, context.Background(), api, solution(t), "--wait", "--json", "-q")
	if code != exitLess {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got grader.Result
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("stdout is not a result: %v\n%s", err, stdout)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("result (-want +got):\n%s", diff)
	}
	if strings.Contains(stderr, "PASS") {
		t.Errorf("-q still shows progress: %q", stderr)
	}
}

func TestSubmitWithoutWait(t *testing.T) {
	api := newFakeAPI(t, &fakeAPI{})
	code, stdout, stderr := submitCLI(t, context.Background(), api, solution(t), "--learner", "bob", "--callback-url", "https://ci.example/hook")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := fmt.Sprintf("submitted sub_1: queued (attempt 1)\n  self    %[1]s/v1/submissions/sub_1\n  events  %[1]s/v1/submissions/sub_1/events\n", api.srv.URL)
	if diff := cmp.Diff(want, stdout); diff != "" {
		t.Errorf("stdout (-want +got):\n%s", diff)
	}
	if len(api.posts) != 1 {
		t.Fatalf("%d posts, want 1", len(api.posts))
	}
	p := api.posts[0]
	if p.challenge != "notes-api" || p.learner != "bob" || p.callback != "https://ci.example/hook" || len(p.key) < 16 {
		t.Errorf("post fields %+v", p)
	}
	sub, err := grader.ReadArchive("", bytes.NewReader(p.archive), grader.SubmissionLimits{})
	if err != nil {
		t.Fatalf("uploaded archive: %v", err)
	}
	var names []string
	for _, f := range sub.Files {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{"go.mod", "main.go", "store/store.go"}, names); diff != "" {
		t.Errorf("uploaded files (-want +got):\n%s", diff)
	}
	if len(api.streamLEID) != 0 {
		t.Errorf("followed the stream without --wait")
	}
}

func TestSubmitWithoutWaitJSON(t *testing.T) {
	api := newFakeAPI(t, &fakeAPI{id: "sub_42"})
	code, stdout, stderr := submitCLI(t, context.Background(), api, solution(t), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got accepted
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.ID != "sub_42" || got.State != "queued" || got.Links["events"] != "/v1/submissions/sub_42/events" {
		t.Errorf("accepted %+v", got)
	}
}

func TestSubmitSendsArchiveAsIs(t *testing.T) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("go.mod")
	io.WriteString(w, "module x\n")
	zw.Close()
	p := filepath.Join(t.TempDir(), "sol.zip")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	api := newFakeAPI(t, &fakeAPI{})
	code, _, stderr := submitCLI(t, context.Background(), api, p)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := api.posts[0]; !bytes.Equal(got.archive, buf.Bytes()) || got.filename != "sol.zip" {
		t.Errorf("sent %d bytes as %q, want the %d bytes of sol.zip", len(got.archive), got.filename, buf.Len())
	}
}

func TestSubmitRejections(t *testing.T) {
	tests := []struct {
		name   string
		answer fakeAnswer
		want   []string
	}{
		{"invalid submission", fakeAnswer{status: 400, code: "invalid_submission", message: "no go.mod at the root of the submission"},
			[]string{"400 invalid_submission", "no go.mod at the root"}},
		{"unauthorized", fakeAnswer{status: 401, code: "unauthorized", message: "unknown token"},
			[]string{"401 unauthorized: unknown token", "check --token or GRADER_TOKEN"}},
		{"forbidden", fakeAnswer{status: 403, code: "forbidden", message: "learners submit as themselves"},
			[]string{"403 forbidden"}},
		{"unknown challenge", fakeAnswer{status: 404, code: "not_found", message: `no challenge "notes-api"`},
			[]string{"404 not_found"}},
		{"too large", fakeAnswer{status: 413, code: "payload_too_large", message: "the request is larger than 12582912 bytes"},
			[]string{"413 payload_too_large"}},
		{"hostile message", fakeAnswer{status: 400, code: "invalid_request", message: "bad\x1b[2J\x1b]0;pwned\x07 input"},
			[]string{"bad input"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t, &fakeAPI{postAnswers: []fakeAnswer{tc.answer}})
			code, _, stderr := submitCLI(t, context.Background(), api, solution(t), "--wait")
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if strings.ContainsAny(stderr, "\x1b\x07") {
				t.Errorf("stderr carries control characters from the server: %q", stderr)
			}
			if n := api.postCount(); n != 1 {
				t.Errorf("%d posts, want 1: a 4xx is not retried", n)
			}
		})
	}
}

// TestSubmitWaitsOutRateLimits: a 429 is sent again after its
// Retry-After, with a notice; one that asks for longer than --timeout
// leaves fails at once and says when to try again.
func TestSubmitWaitsOutRateLimits(t *testing.T) {
	limited := fakeAnswer{status: 429, code: "rate_limited", message: "too many submissions", retryAfter: "1"}
	t.Run("waits and sends again", func(t *testing.T) {
		api := newFakeAPI(t, &fakeAPI{postAnswers: []fakeAnswer{limited}, events: testEvents(), result: testResult(grader.StatusPassed, 10)})
		code, _, stderr := submitCLI(t, context.Background(), api, solution(t), "--wait")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if n := api.postCount(); n != 2 {
			t.Fatalf("%d posts, want 2: the 429 sent again once", n)
		}
		if k0, k1 := api.posts[0].key, api.posts[1].key; k0 == "" || k0 != k1 {
			t.Errorf("idempotency keys %q and %q, want one key twice", k0, k1)
		}
		if !strings.Contains(stderr, "limiting submissions (429 rate_limited: too many submissions); sending again in 1s") {
			t.Errorf("stderr does not tell of the wait:\n%s", stderr)
		}
	})
	t.Run("longer than the timeout", func(t *testing.T) {
		limited.retryAfter = "30"
		api := newFakeAPI(t, &fakeAPI{postAnswers: []fakeAnswer{limited}})
		code, _, stderr := submitCLI(t, context.Background(), api, solution(t), "--wait", "--timeout", "5s")
		if code != exitUsage || !strings.Contains(stderr, "429 rate_limited") || !strings.Contains(stderr, "try again in 30s (Retry-After)") {
			t.Errorf("exit %d, stderr %q: want %d naming the 429 and its Retry-After", code, stderr, exitUsage)
		}
		if n := api.postCount(); n != 1 {
			t.Errorf("%d posts, want 1", n)
		}
	})
}

func TestSubmitUnauthorizedByServer(t *testing.T) {
	api := newFakeAPI(t, &fakeAPI{})
	fastRetries(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"submit", "--server", api.srv.URL, "--token", "wrong-token-000000", "--challenge", "notes-api", solution(t)}, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "401 unauthorized") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}

func TestSubmitRetriesWithOneIdempotencyKey(t *testing.T) {
	api := newFakeAPI(t, &fakeAPI{
		postAnswers: []fakeAnswer{{status: 503, code: "unavailable", message: "queue down"}},
		events:      testEvents(), result: testResult(grader.StatusPassed, 10),
	})
	code, _, stderr := submitCLI(t, context.Background(), api, solution(t), "--wait")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if len(api.posts) != 2 {
		t.Fatalf("%d posts, want 2", len(api.posts))
	}
	if k0, k1 := api.posts[0].key, api.posts[1].key; k0 == "" || k0 != k1 {
		t.Errorf("idempotency keys %q and %q, want one key twice", k0, k1)
	}
	if !bytes.Equal(api.posts[0].archive, api.posts[1].archive) {
		t.Errorf("the retry sent a different archive")
	}
}

func TestSubmitGivesUpOnServiceFaults(t *testing.T) {
	tests := []struct {
		name      string
		answers   []fakeAnswer
		wantPosts int
	}{
		{"503 every time", slices.Repeat([]fakeAnswer{{status: 503, code: "unavailable", message: "down"}}, 10), client.DefaultSubmitAttempts},
		{"500 is not retried", []fakeAnswer{{status: 500, code: "internal", message: "the service failed"}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t, &fakeAPI{postAnswers: tc.answers})
			code, _, stderr := submitCLI(t, context.Background(), api, solution(t))
			if code != exitFault {
				t.Errorf("exit %d, want %d: %s", code, exitFault, stderr)
			}
			if n := api.postCount(); n != tc.wantPosts {
				t.Errorf("%d posts, want %d", n, tc.wantPosts)
			}
			keys := map[string]bool{}
			for _, p := range api.posts {
				keys[p.key] = true
			}
			if len(keys) != 1 {
				t.Errorf("%d idempotency keys, want 1", len(keys))
			}
		})
	}
}

func TestSubmitUnreachableExitsThree(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	fastRetries(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"submit", "--server", url, "--token", fakeToken, "--challenge", "notes-api", "--wait", solution(t)}, &stdout, &stderr)
	if code != exitFault || !strings.Contains(stderr.String(), "cannot reach the grading service at "+url) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
	if strings.Contains(stderr.String(), fakeToken) {
		t.Errorf("the token leaked into the error: %q", stderr.String())
	}
}

func TestSubmitResumesDroppedStream(t *testing.T) {
	for _, tc := range []struct {
		name                   string
		dropAfter, silentAfter int
		idle                   time.Duration
	}{
		{name: "connection cut", dropAfter: 6},
		{name: "stream silent", silentAfter: 6, idle: 200 * time.Millisecond},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.idle > 0 {
				old := streamIdle
				streamIdle = tc.idle
				t.Cleanup(func() { streamIdle = old })
			}
			api := newFakeAPI(t, &fakeAPI{dropAfter: tc.dropAfter, silentAfter: tc.silentAfter, events: testEvents(), result: testResult(grader.StatusPassed, 10)})
			code, stdout, stderr := submitCLI(t, context.Background(), api, solution(t), "--wait")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if diff := cmp.Diff([]string{"", "6"}, api.streamLEID); diff != "" {
				t.Errorf("Last-Event-ID per connection (-want +got):\n%s", diff)
			}
			for _, line := range []string{"  PASS create note\n", "  PASS list notes\n", "grading started\n", "run api…\n"} {
				if n := strings.Count(stderr, line); n != 1 {
					t.Errorf("%q printed %d times, want once:\n%s", line, n, stderr)
				}
			}
			if !strings.Contains(stdout, "score: 10/10") {
				t.Errorf("no report:\n%s", stdout)
			}
		})
	}
}

func TestSubmitDoneWithoutResultReadsRecord(t *testing.T) {
	api := newFakeAPI(t, &fakeAPI{events: testEvents(), result: testResult(grader.StatusFailed, 8), noResultInDone: true})
	code, stdout, stderr := submitCLI(t, context.Background(), api, solution(t), "--wait")
	if code != exitLess || !strings.Contains(stdout, "score: 8/10") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

func TestSubmitDoneWithoutAnyResultExitsThree(t *testing.T) {
	api := newFakeAPI(t, &fakeAPI{events: testEvents(), noResultInDone: true, noRecord: true})
	code, _, stderr := submitCLI(t, context.Background(), api, solution(t), "--wait")
	if code != exitFault || !strings.Contains(stderr, "done but sent no result") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestSubmitTimeoutExitsThree(t *testing.T) {
	api := newFakeAPI(t, &fakeAPI{stall: true})
	start := time.Now()
	code, _, stderr := submitCLI(t, context.Background(), api, solution(t), "--wait", "--timeout", "300ms")
	if code != exitFault || !strings.Contains(stderr, "no answer within --timeout 300ms") || !strings.Contains(stderr, "/v1/submissions/sub_1") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s to time out", d)
	}
}

func TestSubmitInterrupted(t *testing.T) {
	opened := make(chan struct{}, 1)
	api := newFakeAPI(t, &fakeAPI{stall: true, streamOpened: opened})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-opened
		cancel()
	}()
	done := make(chan struct{})
	var code int
	var stderr string
	go func() {
		defer close(done)
		code, _, stderr = submitCLI(t, ctx, api, solution(t), "--wait")
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("submit did not stop when its context was cancelled")
	}
	if code != exitFault || !strings.Contains(stderr, "interrupted") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestSubmitUnusableIDFromServer(t *testing.T) {
	api := newFakeAPI(t, &fakeAPI{id: "../../admin"})
	code, _, stderr := submitCLI(t, context.Background(), api, solution(t), "--wait")
	if code != exitFault || !strings.Contains(stderr, "unusable submission id") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if len(api.streamLEID) != 0 {
		t.Errorf("followed a stream for an unusable id")
	}
}

func TestSubmitUsageErrors(t *testing.T) {
	t.Setenv("GRADER_TOKEN", "")
	dir := solution(t)
	escaping := solution(t)
	if err := os.Symlink(filepath.Join(t.TempDir(), "secret"), filepath.Join(escaping, "secret.go")); err != nil {
		t.Fatal(err)
	}
	noMod := t.TempDir()
	os.WriteFile(filepath.Join(noMod, "main.go"), []byte("package main\n"), 0o644)
	api := newFakeAPI(t, &fakeAPI{})
	base := []string{"submit", "--server", api.srv.URL}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no token", []string{"--challenge", "notes-api", dir}, "grader tokens new"},
		{"no challenge", []string{"--token", fakeToken, dir}, "--challenge is required"},
		{"odd challenge", []string{"--token", fakeToken, "--challenge", "../admin", dir}, "not a challenge id"},
		{"no folder", []string{"--token", fakeToken, "--challenge", "notes-api"}, "one folder or archive"},
		{"bad server", []string{"--server", "ftp://x", "--token", fakeToken, "--challenge", "notes-api", dir}, "--server"},
		{"bad timeout", []string{"--token", fakeToken, "--challenge", "notes-api", "--timeout", "0s", dir}, "--timeout"},
		{"negative min score", []string{"--token", fakeToken, "--challenge", "notes-api", "--min-score", "-1", dir}, "--min-score"},
		{"bad callback", []string{"--token", fakeToken, "--challenge", "notes-api", "--callback-url", "/relative", dir}, "--callback-url"},
		{"no go.mod", []string{"--token", fakeToken, "--challenge", "notes-api", noMod}, "no go.mod"},
		{"missing path", []string{"--token", fakeToken, "--challenge", "notes-api", filepath.Join(dir, "nope")}, "cannot read"},
		{"escaping link", []string{"--token", fakeToken, "--challenge", "notes-api", escaping}, "secret.go"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(slices.Clone(base), tc.args...), &stdout, &stderr)
			if code != exitUsage || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr.String(), exitUsage, tc.want)
			}
		})
	}
	if n := api.postCount(); n != 0 {
		t.Errorf("%d submissions reached the service; usage errors must stop before uploading", n)
	}
}

func TestSubmitEnvDefaults(t *testing.T) {
	api := newFakeAPI(t, &fakeAPI{})
	t.Setenv("GRADER_SERVER", api.srv.URL)
	t.Setenv("GRADER_TOKEN", fakeToken)
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"submit", "-c", "notes-api", solution(t)}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	t.Setenv("GRADER_TOKEN", "wrong-token-000000")
	stderr.Reset()
	if code := run(context.Background(), []string{"submit", "--token", fakeToken, "-c", "notes-api", solution(t)}, &stdout, &stderr); code != 0 {
		t.Errorf("--token did not win over GRADER_TOKEN: exit %d: %s", code, stderr.String())
	}
}

func TestSubmitHelpHidesToken(t *testing.T) {
	t.Setenv("GRADER_TOKEN", fakeToken)
	code, stdout, stderr := runCLI(t, "submit", "--help")
	if code != 0 || !strings.Contains(stdout, "--token") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if strings.Contains(stdout+stderr, fakeToken) {
		t.Errorf("--help shows the token from GRADER_TOKEN")
	}
}

// tarNames lists the entries of a tar.gz.
func tarNames(t *testing.T, data []byte) map[string]string {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			t.Errorf("%s: type %q, want regular files only", h.Name, h.Typeflag)
		}
		b, _ := io.ReadAll(tr)
		out[fmt.Sprintf("%s %o", h.Name, h.Mode)] = string(b)
	}
}

func TestPackDir(t *testing.T) {
	dir := solution(t)
	os.WriteFile(filepath.Join(dir, "run.sh"), []byte("#!/bin/sh\n"), 0o755)
	os.MkdirAll(filepath.Join(dir, "vendor", "x", ".git"), 0o755)
	os.WriteFile(filepath.Join(dir, "vendor", "x", ".git", "HEAD"), []byte("ref"), 0o644)
	os.WriteFile(filepath.Join(dir, ".git2"), []byte("kept"), 0o644)
	if err := os.Symlink("store/store.go", filepath.Join(dir, "link.go")); err != nil {
		t.Fatal(err)
	}
	data, err := packDir(dir, "", grader.SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"go.mod 644":         "module notes\n\ngo 1.22\n",
		"main.go 644":        "package main\n\nfunc main() {}\n",
		"store/store.go 644": "package store\n",
		"link.go 644":        "package store\n",
		"run.sh 755":         "#!/bin/sh\n",
		".git2 644":          "kept",
	}
	if diff := cmp.Diff(want, tarNames(t, data)); diff != "" {
		t.Errorf("packed (-want +got):\n%s", diff)
	}
}

func TestPackDirRefuses(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  string
	}{
		{"link climbing out", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(filepath.Dir(dir), "outside"), []byte("secret"), 0o644)
			must(t, os.Symlink("../outside", filepath.Join(dir, "x.go")))
		}, "link x.go points outside the submission"},
		{"absolute link", func(t *testing.T, dir string) {
			must(t, os.Symlink("/etc/passwd", filepath.Join(dir, "passwd")))
		}, "link passwd points to the absolute path /etc/passwd"},
		{"link to a folder outside", func(t *testing.T, dir string) {
			must(t, os.Symlink(t.TempDir(), filepath.Join(dir, "other")))
		}, "links must stay inside the submission"},
		{"dangling link", func(t *testing.T, dir string) {
			must(t, os.Symlink("nope", filepath.Join(dir, "gone")))
		}, "link gone points to nope, which is not a file in the submission"},
		{"fifo", func(t *testing.T, dir string) {
			must(t, syscall.Mkfifo(filepath.Join(dir, "pipe"), 0o644))
		}, "pipe is not a regular file"},
		{"too many files", func(t *testing.T, dir string) {
			for i := range grader.DefaultSubmissionLimits().Files {
				must(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%04d", i)), nil, 0o644))
			}
		}, "more than 500 files"},
		{"too large", func(t *testing.T, dir string) {
			// Incompressible files within the per-file and total limits
			// that still pack past the archive limit.
			for i := range 6 {
				must(t, os.WriteFile(filepath.Join(dir, fmt.Sprintf("blob%d", i)), randomBytes(t, 2<<20-1024), 0o644))
			}
		}, "packs to more than 10485760 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "sol")
			must(t, os.MkdirAll(dir, 0o755))
			must(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644))
			tc.setup(t, dir)
			_, err := packDir(dir, "", grader.SubmissionLimits{})
			if !grader.IsRejected(err) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want a rejection mentioning %q", err, tc.want)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func randomBytes(t *testing.T, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSubmitPythonSolution: a Python folder is told from its files and
// sent as is, with the language the learner names and the cohort.
func TestSubmitPythonSolution(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "app.py"), []byte("print('hi')\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	api := newFakeAPI(t, &fakeAPI{})
	if code, _, stderr := submitCLI(t, context.Background(), api, dir); code != 0 {
		t.Fatalf("detected: exit %d: %s", code, stderr)
	}
	if code, _, stderr := submitCLI(t, context.Background(), api, dir, "--language", "python", "--cohort", "spring"); code != 0 {
		t.Fatalf("named: exit %d: %s", code, stderr)
	}
	if p := api.posts[0]; p.language != "" || p.cohort != "" {
		t.Errorf("a detected language is the service's to tell: sent %+v", p)
	}
	if p := api.posts[1]; p.language != "python" || p.cohort != "spring" {
		t.Errorf("sent language %q cohort %q, want python and spring", p.language, p.cohort)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--language", "go"}, "no go.mod at the root"},
		{[]string{"--language", "ruby"}, `--language "ruby"`},
		{[]string{"--cohort", "bad id!"}, `--cohort "bad id!"`},
	} {
		code, _, stderr := submitCLI(t, context.Background(), api, dir, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d %q, want %d saying %q", tc.args, code, stderr, exitUsage, tc.want)
		}
	}
	if n := api.postCount(); n != 2 {
		t.Errorf("%d posts, want 2: refused ones are not sent", n)
	}
}
