package api

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/store"
)

type fakeStore struct {
	mu      sync.Mutex
	records map[string]store.Record
	files   map[string][]grader.File
	results map[string]grader.Result
}

func (f *fakeStore) CreateSubmission(ctx context.Context, rec store.Record, files []grader.File) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.records[rec.ID] = rec
	f.files[rec.ID] = files
	return nil
}

func (f *fakeStore) Record(ctx context.Context, id string) (store.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.records[id]
	if !ok {
		return r, fmt.Errorf("%s: %w", id, grader.ErrNotFound)
	}
	return r, nil
}

func (f *fakeStore) Result(ctx context.Context, id string) (grader.Result, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.results[id]
	return r, ok, nil
}

type fakeQueue struct {
	mu     sync.Mutex
	queued []store.Record
}

func (q *fakeQueue) Enqueue(ctx context.Context, rec store.Record, timeout time.Duration) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.queued = append(q.queued, rec)
	return nil
}

type fakeCatalog map[string]*grader.Challenge

func (f fakeCatalog) Challenge(id string) (*grader.Challenge, error) {
	if c, ok := f[id]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("%s: %w", id, grader.ErrNotFound)
}

func (f fakeCatalog) Challenges() []*grader.Challenge {
	return []*grader.Challenge{f["notes-api"]}
}

func newTestServer(t *testing.T) (*Server, *fakeStore, *fakeQueue) {
	t.Helper()
	st := &fakeStore{records: map[string]store.Record{}, files: map[string][]grader.File{}, results: map[string]grader.Result{}}
	q := &fakeQueue{}
	n := 0
	srv := New(Config{
		Store: st, Queue: q,
		Catalog: fakeCatalog{"notes-api": {ID: "notes-api", Title: "Notes API", Statement: "# Notes", Suites: []grader.Suite{{Name: "api", Tests: []grader.TestSpec{
			{Name: "create", Points: 2, Visibility: grader.Visible}, {Name: "secret edge HIDDEN", Points: 3, Visibility: grader.Hidden},
		}}}}},
		Tokens: []Token{{Secret: "ada-token", Subject: "ada", Role: RoleLearner}, {Secret: "bob-token", Subject: "bob", Role: RoleLearner}, {Secret: "teach", Subject: "t", Role: RoleInstructor}},
		NewID:  func() string { n++; return fmt.Sprintf("sub_%d", n) },
	})
	return srv, st, q
}

func do(t *testing.T, srv *Server, method, path, token, contentType string, body []byte) (int, map[string]any) {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, req)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: body is not JSON: %q", method, path, w.Body.String())
	}
	return w.Code, out
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

func multipartArchive(t *testing.T, challenge string, files map[string]string) ([]byte, string) {
	t.Helper()
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	for name, body := range files {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
	}
	zw.Close()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("challenge", challenge)
	fw, _ := mw.CreateFormFile("archive", "solution.zip")
	fw.Write(zbuf.Bytes())
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func TestCreateSubmission(t *testing.T) {
	srv, st, q := newTestServer(t)
	body, ct := multipartArchive(t, "notes-api", map[string]string{"go.mod": "module notes\n", "main.go": "package main\n"})
	code, out := do(t, srv, "POST", "/v1/submissions", "ada-token", ct, body)
	if code != http.StatusAccepted || out["id"] != "sub_1" || out["state"] != "queued" {
		t.Fatalf("multipart: %d %v", code, out)
	}
	if len(q.queued) != 1 || q.queued[0].Learner != "ada" || q.queued[0].Queue != queue.QueueInteractive || len(st.files["sub_1"]) != 2 {
		t.Errorf("queued %+v files %v", q.queued, st.files["sub_1"])
	}
	// JSON form; a learner cannot submit in someone else's name.
	code, out = do(t, srv, "POST", "/v1/submissions", "ada-token", "application/json",
		[]byte(`{"challenge":"notes-api","learner":"bob","files":[{"name":"go.mod","content":"module x\n"}]}`))
	if code != http.StatusAccepted || st.records["sub_2"].Learner != "ada" {
		t.Errorf("json: %d %v %+v", code, out, st.records["sub_2"])
	}
}

func TestCreateSubmissionBadInput(t *testing.T) {
	srv, st, q := newTestServer(t)
	evil, evilCT := multipartArchive(t, "notes-api", map[string]string{"go.mod": "module x\n", "../escape.go": "x"})
	noMod, noModCT := multipartArchive(t, "notes-api", map[string]string{"main.go": "package main\n"})
	unknown, unknownCT := multipartArchive(t, "nope", map[string]string{"go.mod": "module x\n"})
	tests := []struct {
		name, token, ct string
		body            []byte
		status          int
		code            string
	}{
		{"no token", "", "application/json", []byte(`{}`), 401, CodeUnauthorized},
		{"bad token", "guess", "application/json", []byte(`{}`), 401, CodeUnauthorized},
		{"malformed JSON", "ada-token", "application/json", []byte(`{"challenge":`), 400, CodeInvalidRequest},
		{"unknown field", "ada-token", "application/json", []byte(`{"challenge":"notes-api","extra":1}`), 400, CodeInvalidRequest},
		{"missing challenge", "ada-token", "application/json", []byte(`{"files":[{"name":"go.mod","content":"module x"}]}`), 400, CodeInvalidRequest},
		{"unknown challenge", "ada-token", unknownCT, unknown, 404, CodeNotFound},
		{"path escape", "ada-token", evilCT, evil, 400, CodeInvalidSubmission},
		{"no go.mod", "ada-token", noModCT, noMod, 400, CodeInvalidSubmission},
		{"no archive field", "ada-token", "multipart/form-data; boundary=x", []byte("--x--\r\n"), 400, CodeInvalidRequest},
		{"too large", "ada-token", "application/json", []byte(`{"challenge":"notes-api","files":[{"name":"go.mod","content":"` + strings.Repeat("x", 13<<20) + `"}]}`), 413, CodeTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out := do(t, srv, "POST", "/v1/submissions", tc.token, tc.ct, tc.body)
			if code != tc.status || errCode(out) != tc.code {
				t.Errorf("got %d %v, want %d %s", code, out, tc.status, tc.code)
			}
			e, _ := out["error"].(map[string]any)
			if msg, _ := e["message"].(string); msg == "" {
				t.Errorf("error without a message: %v", out)
			}
		})
	}
	if len(q.queued) != 0 || len(st.records) != 0 {
		t.Errorf("bad input was stored or queued: %v %v", q.queued, st.records)
	}
}

func TestGetSubmissionViews(t *testing.T) {
	srv, st, _ := newTestServer(t)
	st.records["s1"] = store.Record{ID: "s1", Challenge: "notes-api", Learner: "ada", State: store.StateGraded}
	st.results["s1"] = grader.Result{SubmissionID: "s1", Status: grader.StatusFailed, Score: 2, MaxScore: 5, Tests: []grader.TestResult{
		{Name: "create", Status: grader.TestPassed, Points: 2, MaxPoints: 2, Visibility: grader.Visible},
		{Name: "secret edge HIDDEN", Status: grader.TestFailed, MaxPoints: 3, Visibility: grader.Hidden, Message: "HIDDEN detail"},
	}}
	req := func(token string) (int, string) {
		r := httptest.NewRequest("GET", "/v1/submissions/s1", nil)
		r.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		srv.Handler().ServeHTTP(w, r)
		return w.Code, w.Body.String()
	}
	code, body := req("ada-token")
	if code != 200 || strings.Contains(body, "HIDDEN") || !strings.Contains(body, `"hidden":{"total":1`) {
		t.Errorf("owner's learner view: %d %s", code, body)
	}
	if code, body := req("bob-token"); code != 404 || strings.Contains(body, "ada") {
		t.Errorf("another learner: %d %s", code, body)
	}
	if code, body := req("teach"); code != 200 || !strings.Contains(body, "HIDDEN detail") {
		t.Errorf("instructor view: %d %s", code, body)
	}
}

func TestChallenges(t *testing.T) {
	srv, _, _ := newTestServer(t)
	code, out := do(t, srv, "GET", "/v1/challenges", "ada-token", "", nil)
	if items, _ := out["items"].([]any); code != 200 || len(items) != 1 {
		t.Errorf("list: %d %v", code, out)
	}
	r := httptest.NewRequest("GET", "/v1/challenges/notes-api", nil)
	r.Header.Set("Authorization", "Bearer ada-token")
	w := httptest.NewRecorder()
	srv.Handler().ServeHTTP(w, r)
	if w.Code != 200 || strings.Contains(w.Body.String(), "HIDDEN") || !strings.Contains(w.Body.String(), `"hidden_tests":1`) {
		t.Errorf("challenge: %d %s", w.Code, w.Body.String())
	}
	if code, out := do(t, srv, "GET", "/v1/challenges/nope", "ada-token", "", nil); code != 404 || errCode(out) != CodeNotFound {
		t.Errorf("unknown challenge: %d %v", code, out)
	}
	if code, out := do(t, srv, "GET", "/v1/nothing", "ada-token", "", nil); code != 404 || errCode(out) != CodeNotFound {
		t.Errorf("unknown route: %d %v", code, out)
	}
}
