package api

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/eventhub"
	"github.com/gradebox/grader/queue"
)

// Tokens of the test server.
const (
	adaToken   = "ada-token"
	bobToken   = "bob-token"
	teachToken = "teach-token"
)

// notesAPI is the test catalog's challenge: one visible and one hidden
// test.
func notesAPI() *grader.Challenge {
	return &grader.Challenge{ID: "notes-api", Title: "Notes API", Summary: "A small REST API", Difficulty: "easy", Tags: []string{"http"},
		Version: "v1", Statement: "# Notes", Suites: []grader.Suite{{Name: "api", Tests: []grader.TestSpec{
			{Name: "create", Points: 2, Visibility: grader.Visible}, {Name: "secret edge HIDDEN", Points: 3, Visibility: grader.Hidden},
		}}}}
}

// testEnv is a Server on fakes.
type testEnv struct {
	srv   *Server
	st    *fakeStore
	mem   *memory
	q     *fakeQueue
	logs  *bytes.Buffer
	catal []*grader.Challenge
	hub   *eventhub.Hub
}

// newEnv builds a server on an in-memory store; edit tweaks the config
// first.
func newEnv(t *testing.T, edit ...func(*Config)) *testEnv {
	t.Helper()
	st, mem := newMemStore()
	env := &testEnv{st: st, mem: mem, q: &fakeQueue{}, logs: &bytes.Buffer{}, catal: []*grader.Challenge{notesAPI()}}
	n := 0
	cfg := Config{
		Store: st, Queue: env.q, Catalog: challenges.NewIndex(env.catal),
		Logger: slog.New(slog.NewTextHandler(env.logs, nil)),
		Tokens: []Token{{Secret: adaToken, Subject: "ada", Role: RoleLearner}, {Secret: bobToken, Subject: "bob", Role: RoleLearner},
			{Secret: teachToken, Subject: "teach", Role: RoleInstructor}},
		NewID: func() string { n++; return fmt.Sprintf("sub_%d", n) },
		Now:   func() time.Time { return time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC) },
	}
	env.hub = eventhub.New(eventhub.Config{Source: mem, Check: time.Hour})
	cfg.Events = env.hub
	for _, e := range edit {
		e(&cfg)
	}
	if cfg.Events == env.hub {
		runHub(t, env.hub)
	}
	env.srv = New(cfg)
	return env
}

// runHub runs hub for the rest of the test.
func runHub(t *testing.T, hub *eventhub.Hub) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- hub.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("event hub: %v", err)
		}
	})
}

// request is one HTTP request to the test server.
type request struct {
	method, path, token, contentType string
	body                             []byte
	header                           http.Header
	ctx                              context.Context
}

func (e *testEnv) serve(r request) *httptest.ResponseRecorder {
	req := httptest.NewRequest(r.method, r.path, bytes.NewReader(r.body))
	if r.ctx != nil {
		req = req.WithContext(r.ctx)
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	if r.contentType != "" {
		req.Header.Set("Content-Type", r.contentType)
	}
	for k, vs := range r.header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	w := httptest.NewRecorder()
	e.srv.Handler().ServeHTTP(w, req)
	return w
}

// do serves r and decodes a JSON answer.
func (e *testEnv) do(t *testing.T, r request) (int, map[string]any) {
	t.Helper()
	w := e.serve(r)
	var out map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
		t.Fatalf("%s %s: body is not JSON: %q", r.method, r.path, w.Body.String())
	}
	return w.Code, out
}

func get(path, token string) request {
	return request{method: http.MethodGet, path: path, token: token}
}

func errCode(body map[string]any) string {
	e, _ := body["error"].(map[string]any)
	c, _ := e["code"].(string)
	return c
}

// zipOf zips files by name.
func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// tarOf builds a tar from headers; a regular file's body is its Linkname
// field's value when Typeflag is TypeReg (keeps the table short).
func tarOf(t *testing.T, entries ...tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range entries {
		body := ""
		if h.Typeflag == tar.TypeReg {
			body, h.Linkname = h.Linkname, ""
			h.Size = int64(len(body))
		}
		h.Mode = 0o644
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(body))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// form builds a multipart body: fields, then archive as the file.
func form(t *testing.T, fields map[string]string, archive []byte) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if archive != nil {
		fw, _ := mw.CreateFormFile("archive", "solution.zip")
		fw.Write(archive)
	}
	mw.Close()
	return buf.Bytes(), mw.FormDataContentType()
}

func goodZip(t *testing.T) []byte {
	return zipOf(t, map[string]string{"go.mod": "module notes\n", "main.go": "package main\n"})
}

func postForm(t *testing.T, token string, fields map[string]string, archive []byte) request {
	body, ct := form(t, fields, archive)
	return request{method: http.MethodPost, path: "/v1/submissions", token: token, contentType: ct, body: body}
}

func postJSON(token, body string) request {
	return request{method: http.MethodPost, path: "/v1/submissions", token: token, contentType: "application/json", body: []byte(body)}
}

const goodJSON = `{"challenge":"notes-api","files":[{"name":"go.mod","content":"module x\n"},{"name":"main.go","content":"package main\n"}]}`

func TestCreateSubmission(t *testing.T) {
	env := newEnv(t)
	w := env.serve(postForm(t, adaToken, map[string]string{"challenge": "notes-api", "callback_url": "https://ci.example.com/hook"}, goodZip(t)))
	if w.Code != http.StatusAccepted {
		t.Fatalf("multipart: %d %s", w.Code, w.Body.String())
	}
	var got accepted
	json.Unmarshal(w.Body.Bytes(), &got)
	want := accepted{ID: "sub_1", State: string(grader.StateQueued), Attempt: 1, Challenge: "notes-api", Language: "go", Learner: "ada",
		Links: map[string]string{"self": "/v1/submissions/sub_1", "events": "/v1/submissions/sub_1/events"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
	if loc := w.Header().Get("Location"); loc != "/v1/submissions/sub_1" {
		t.Errorf("Location %q", loc)
	}
	rec := env.mem.records["sub_1"]
	if rec.CallbackURL != "https://ci.example.com/hook" || rec.CallbackView != grader.ViewLearner || rec.Queue != queue.QueueInteractive || len(env.mem.files["sub_1"]) != 2 {
		t.Errorf("stored %+v with %d files", rec, len(env.mem.files["sub_1"]))
	}
	if evs := env.mem.events["sub_1"]; len(evs) != 1 || evs[0].Event.Type != grader.EventQueued {
		t.Errorf("events %+v, want one queued event", evs)
	}
	if diff := cmp.Diff([]string{"sub_1"}, env.q.ids()); diff != "" {
		t.Errorf("enqueued (-want +got):\n%s", diff)
	}
	if env.q.timeouts[0] != queue.TaskTimeout(notesAPI()) {
		t.Errorf("enqueued with timeout %s, want %s", env.q.timeouts[0], queue.TaskTimeout(notesAPI()))
	}

	// JSON; the second attempt of the same learner.
	code, out := env.do(t, postJSON(adaToken, goodJSON))
	if code != http.StatusAccepted || out["attempt"] != 2.0 || out["learner"] != "ada" {
		t.Errorf("json: %d %v", code, out)
	}
	// A learner may name themself.
	if code, out := env.do(t, postJSON(adaToken, `{"challenge":"notes-api","learner":"ada","files":[{"name":"go.mod","content":"module x\n"}]}`)); code != http.StatusAccepted {
		t.Errorf("learner naming themself: %d %v", code, out)
	}
	// An instructor submits for a learner; the webhook gets the
	// instructor's view.
	code, out = env.do(t, postJSON(teachToken, `{"challenge":"notes-api","learner":"bob","callback_url":"http://ci.internal:8080/x","files":[{"name":"go.mod","content":"module x\n"}]}`))
	if code != http.StatusAccepted || out["learner"] != "bob" {
		t.Fatalf("instructor for bob: %d %v", code, out)
	}
	if rec := env.mem.records[out["id"].(string)]; rec.Learner != "bob" || rec.CallbackView != grader.ViewInstructor {
		t.Errorf("instructor's submission stored as %+v", rec)
	}
	// An instructor may ask for a fresh grading, past the result cache,
	// in JSON or a form.
	code, out = env.do(t, postJSON(teachToken, `{"challenge":"notes-api","learner":"bob","fresh":true,"files":[{"name":"go.mod","content":"module x\n"}]}`))
	if code != http.StatusAccepted || !env.mem.records[out["id"].(string)].Fresh {
		t.Errorf("instructor's fresh grading: %d %v, stored %+v", code, out, env.mem.records[fmt.Sprint(out["id"])])
	}
	code, out = env.do(t, postForm(t, teachToken, map[string]string{"challenge": "notes-api", "learner": "bob", "fresh": "true"}, goodZip(t)))
	if code != http.StatusAccepted || !env.mem.records[out["id"].(string)].Fresh {
		t.Errorf("instructor's fresh grading, multipart: %d %v", code, out)
	}
	if code, out := env.do(t, postJSON(adaToken, goodJSON)); code != http.StatusAccepted || env.mem.records[out["id"].(string)].Fresh {
		t.Errorf("a submission without fresh is stored fresh: %d %v", code, out)
	}
	// A tar.gz archive works too.
	tgz := gzipped(t, tarOf(t, tar.Header{Name: "go.mod", Typeflag: tar.TypeReg, Linkname: "module x\n"}))
	if code, out := env.do(t, postForm(t, bobToken, map[string]string{"challenge": "notes-api"}, tgz)); code != http.StatusAccepted {
		t.Errorf("tar.gz: %d %v", code, out)
	}
	if env.logs.Len() != 0 {
		t.Errorf("successful requests logged: %s", env.logs)
	}
}

// TestCreateSubmissionBadInput: every bad request is a 4xx with a message,
// and nothing is stored, claimed or queued.
func TestCreateSubmissionBadInput(t *testing.T) {
	files := func(name, content string) string {
		b, _ := json.Marshal(map[string]any{"challenge": "notes-api", "files": []map[string]string{{"name": "go.mod", "content": "module x\n"}, {"name": name, "content": content}}})
		return string(b)
	}
	goMod := tar.Header{Name: "go.mod", Typeflag: tar.TypeReg, Linkname: "module x\n"}
	tests := []struct {
		name   string
		req    func(t *testing.T) request
		status int
		code   string
	}{
		{"no token", func(t *testing.T) request { return postJSON("", goodJSON) }, 401, CodeUnauthorized},
		{"bad token", func(t *testing.T) request { return postJSON("guess", goodJSON) }, 401, CodeUnauthorized},
		{"basic auth", func(t *testing.T) request {
			r := postJSON("", goodJSON)
			r.header = http.Header{"Authorization": {"Basic YWRhOmFkYS10b2tlbg=="}}
			return r
		}, 401, CodeUnauthorized},
		{"malformed JSON", func(t *testing.T) request { return postJSON(adaToken, `{"challenge":`) }, 400, CodeInvalidRequest},
		{"fresh by a learner", func(t *testing.T) request {
			return postJSON(adaToken, `{"challenge":"notes-api","fresh":true,"files":[{"name":"go.mod","content":"module x\n"}]}`)
		}, 403, CodeForbidden},
		{"fresh not a flag", func(t *testing.T) request {
			return postForm(t, teachToken, map[string]string{"challenge": "notes-api", "learner": "bob", "fresh": "yes"}, goodZip(t))
		}, 400, CodeInvalidRequest},
		{"unknown field", func(t *testing.T) request { return postJSON(adaToken, `{"challenge":"notes-api","extra":1}`) }, 400, CodeInvalidRequest},
		{"wrong type", func(t *testing.T) request { return postJSON(adaToken, `{"challenge":["notes-api"]}`) }, 400, CodeInvalidRequest},
		{"trailing data", func(t *testing.T) request { return postJSON(adaToken, goodJSON+`{"challenge":"x"}`) }, 400, CodeInvalidRequest},
		{"missing challenge", func(t *testing.T) request {
			return postJSON(adaToken, `{"files":[{"name":"go.mod","content":"module x"}]}`)
		}, 400, CodeInvalidRequest},
		{"no files", func(t *testing.T) request { return postJSON(adaToken, `{"challenge":"notes-api","files":[]}`) }, 400, CodeInvalidSubmission},
		{"unknown challenge", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "nope"}, goodZip(t))
		}, 404, CodeNotFound},
		{"zip slip", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api"}, zipOf(t, map[string]string{"go.mod": "module x\n", "../escape.go": "x"}))
		}, 400, CodeInvalidSubmission},
		{"json path escape", func(t *testing.T) request { return postJSON(adaToken, files("../../etc/cron.d/x", "x")) }, 400, CodeInvalidSubmission},
		{"json absolute path", func(t *testing.T) request { return postJSON(adaToken, files("/etc/passwd", "x")) }, 400, CodeInvalidSubmission},
		{"tar absolute path", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api"}, tarOf(t, goMod, tar.Header{Name: "/etc/passwd", Typeflag: tar.TypeReg, Linkname: "x"}))
		}, 400, CodeInvalidSubmission},
		{"tar symlink out of the tree", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api"}, tarOf(t, goMod, tar.Header{Name: "secret", Typeflag: tar.TypeSymlink, Linkname: "../../../etc/shadow"}))
		}, 400, CodeInvalidSubmission},
		{"tar absolute symlink", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api"}, tarOf(t, goMod, tar.Header{Name: "secret", Typeflag: tar.TypeSymlink, Linkname: "/etc/shadow"}))
		}, 400, CodeInvalidSubmission},
		{"tar hard link out of the tree", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api"}, tarOf(t, goMod, tar.Header{Name: "secret", Typeflag: tar.TypeLink, Linkname: "../outside"}))
		}, 400, CodeInvalidSubmission},
		{"tar device", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api"}, tarOf(t, goMod, tar.Header{Name: "dev", Typeflag: tar.TypeChar}))
		}, 400, CodeInvalidSubmission},
		{"truncated tar.gz", func(t *testing.T) request {
			tgz := gzipped(t, tarOf(t, goMod))
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api"}, tgz[:len(tgz)/2])
		}, 400, CodeInvalidSubmission},
		{"not an archive", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api"}, []byte("just some text, not an archive at all"))
		}, 400, CodeInvalidSubmission},
		{"no go.mod", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api"}, zipOf(t, map[string]string{"main.go": "package main\n"}))
		}, 400, CodeInvalidSubmission},
		{"no archive field", func(t *testing.T) request {
			return request{method: "POST", path: "/v1/submissions", token: adaToken, contentType: "multipart/form-data; boundary=x", body: []byte("--x--\r\n")}
		}, 400, CodeInvalidRequest},
		{"too large JSON", func(t *testing.T) request {
			return postJSON(adaToken, `{"challenge":"notes-api","files":[{"name":"go.mod","content":"`+strings.Repeat("x", 13<<20)+`"}]}`)
		}, 413, CodeTooLarge},
		{"too large archive", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api"}, bytes.Repeat([]byte("PK\x03\x04"), 4<<20))
		}, 413, CodeTooLarge},
		{"callback not http", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api", "callback_url": "file:///etc/passwd"}, goodZip(t))
		}, 400, CodeInvalidRequest},
		{"callback with user info", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api", "callback_url": "https://user:pw@ci.example.com/"}, goodZip(t))
		}, 400, CodeInvalidRequest},
		{"callback without host", func(t *testing.T) request {
			return postJSON(adaToken, `{"challenge":"notes-api","callback_url":"https:///x","files":[{"name":"go.mod","content":"module x\n"}]}`)
		}, 400, CodeInvalidRequest},
		{"callback relative", func(t *testing.T) request {
			return postJSON(adaToken, `{"challenge":"notes-api","callback_url":"/hook","files":[{"name":"go.mod","content":"module x\n"}]}`)
		}, 400, CodeInvalidRequest},
		{"callback too long", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api", "callback_url": "https://ci.example.com/" + strings.Repeat("a", 2048)}, goodZip(t))
		}, 400, CodeInvalidRequest},
		{"learner submits for another", func(t *testing.T) request {
			return postForm(t, adaToken, map[string]string{"challenge": "notes-api", "learner": "bob"}, goodZip(t))
		}, 403, CodeForbidden},
		{"learner submits for another as JSON", func(t *testing.T) request {
			return postJSON(adaToken, `{"challenge":"notes-api","learner":"bob","files":[{"name":"go.mod","content":"module x\n"}]}`)
		}, 403, CodeForbidden},
		{"instructor names a bad learner id", func(t *testing.T) request {
			return postJSON(teachToken, `{"challenge":"notes-api","learner":"bob smith\n","files":[{"name":"go.mod","content":"module x\n"}]}`)
		}, 400, CodeInvalidRequest},
		{"empty idempotency key", func(t *testing.T) request {
			r := postJSON(adaToken, goodJSON)
			r.header = http.Header{"Idempotency-Key": {""}}
			return r
		}, 400, CodeInvalidRequest},
		{"long idempotency key", func(t *testing.T) request {
			r := postJSON(adaToken, goodJSON)
			r.header = http.Header{"Idempotency-Key": {strings.Repeat("k", 201)}}
			return r
		}, 400, CodeInvalidRequest},
		{"idempotency key with control characters", func(t *testing.T) request {
			r := postJSON(adaToken, goodJSON)
			r.header = http.Header{"Idempotency-Key": {"abc\x00\x1b[2J"}}
			return r
		}, 400, CodeInvalidRequest},
		{"idempotency key not ASCII", func(t *testing.T) request {
			r := postJSON(adaToken, goodJSON)
			r.header = http.Header{"Idempotency-Key": {"clé"}}
			return r
		}, 400, CodeInvalidRequest},
		{"two idempotency keys", func(t *testing.T) request {
			r := postJSON(adaToken, goodJSON)
			r.header = http.Header{"Idempotency-Key": {"a", "b"}}
			return r
		}, 400, CodeInvalidRequest},
		{"wrong method", func(t *testing.T) request {
			return request{method: http.MethodDelete, path: "/v1/submissions", token: adaToken}
		}, 405, CodeMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := newEnv(t)
			w := env.serve(tc.req(t))
			var out map[string]any
			if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
				t.Fatalf("body is not JSON: %d %q", w.Code, w.Body.String())
			}
			if w.Code != tc.status || errCode(out) != tc.code {
				t.Errorf("got %d %v, want %d %s", w.Code, out, tc.status, tc.code)
			}
			e, _ := out["error"].(map[string]any)
			if msg, _ := e["message"].(string); msg == "" || len(e) != 2 {
				t.Errorf("error is not {code, message}: %v", out)
			}
			if ids := env.mem.storedIDs(); len(ids) != 0 || len(env.q.ids()) != 0 || env.mem.claimCount() != 0 || len(env.mem.events) != 0 {
				t.Errorf("bad input left traces: stored %v queued %v claims %d events %v", ids, env.q.ids(), env.mem.claimCount(), env.mem.events)
			}
			if env.logs.Len() != 0 {
				t.Errorf("a client error was logged: %s", env.logs)
			}
		})
	}
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := newGzipWriter(&buf)
	zw.Write(b)
	zw.Close()
	return buf.Bytes()
}

func TestMethodNotAllowedNamesAllowed(t *testing.T) {
	env := newEnv(t)
	w := env.serve(request{method: http.MethodPut, path: "/v1/submissions/sub_1", token: adaToken})
	if w.Code != 405 || w.Header().Get("Allow") != "GET" || !strings.Contains(w.Body.String(), CodeMethodNotAllowed) {
		t.Errorf("%d Allow=%q %s", w.Code, w.Header().Get("Allow"), w.Body.String())
	}
}

func withKey(r request, key string) request {
	r.header = http.Header{"Idempotency-Key": {key}}
	return r
}

func TestIdempotency(t *testing.T) {
	env := newEnv(t)
	first := env.serve(withKey(postJSON(adaToken, goodJSON), "key-1"))
	if first.Code != http.StatusAccepted || first.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %s", first.Code, first.Body.String())
	}
	// The worker took it: a replay must not enqueue it again.
	rec := env.mem.records["sub_1"]
	rec.State = grader.StateGrading
	env.mem.setRecord(rec)
	again := env.serve(withKey(postJSON(adaToken, goodJSON), "key-1"))
	if again.Code != http.StatusOK || again.Header().Get("Idempotent-Replayed") != "true" || again.Header().Get("Location") != "/v1/submissions/sub_1" {
		t.Fatalf("replay: %d %v %s", again.Code, again.Header(), again.Body.String())
	}
	var got accepted
	json.Unmarshal(again.Body.Bytes(), &got)
	if got.ID != "sub_1" || got.Attempt != 1 || got.State != string(grader.StateGrading) {
		t.Errorf("replay answered %+v", got)
	}
	if diff := cmp.Diff([]string{"sub_1"}, env.mem.storedIDs()); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"sub_1"}, env.q.ids()); diff != "" {
		t.Errorf("enqueued (-want +got):\n%s", diff)
	}
	if n := len(env.mem.events["sub_1"]); n != 1 {
		t.Errorf("%d events, want the one queued event", n)
	}

	// Another subject with the same key is independent.
	if w := env.serve(withKey(postJSON(bobToken, goodJSON), "key-1")); w.Code != http.StatusAccepted || !strings.Contains(w.Body.String(), `"id":"sub_3"`) {
		t.Errorf("bob with ada's key: %d %s", w.Code, w.Body.String())
	}
	// The same key for a different challenge or learner is a conflict.
	env.catal = append(env.catal, &grader.Challenge{ID: "other"})
	env.srv.cfg.Catalog = challenges.NewIndex(env.catal)
	w := env.serve(withKey(postJSON(adaToken, `{"challenge":"other","files":[{"name":"go.mod","content":"module x\n"}]}`), "key-1"))
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), CodeConflict) {
		t.Errorf("same key, other challenge: %d %s", w.Code, w.Body.String())
	}
	if diff := cmp.Diff([]string{"sub_1", "sub_3"}, env.mem.storedIDs()); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
}

func TestIdempotentReplayRequeuesQueued(t *testing.T) {
	env := newEnv(t)
	fail := true
	env.q.EnqueueFn = func(ctx context.Context, rec grader.Record, timeout time.Duration) error {
		if fail {
			return errors.New("redis: connection refused")
		}
		return nil
	}
	w := env.serve(withKey(postJSON(adaToken, goodJSON), "k"))
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), CodeUnavailable) {
		t.Fatalf("enqueue down: %d %s", w.Code, w.Body.String())
	}
	if strings.Contains(w.Body.String(), "connection refused") {
		t.Errorf("the fault leaked to the client: %s", w.Body.String())
	}
	if !strings.Contains(env.logs.String(), "connection refused") {
		t.Errorf("the 503 was not logged with its cause: %q", env.logs)
	}
	if diff := cmp.Diff([]string{"sub_1"}, env.mem.storedIDs()); diff != "" {
		t.Errorf("the record must be kept for the sweep (-want +got):\n%s", diff)
	}
	fail = false
	w = env.serve(withKey(postJSON(adaToken, goodJSON), "k"))
	if w.Code != http.StatusOK || w.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s", w.Code, w.Body.String())
	}
	if diff := cmp.Diff([]string{"sub_1"}, env.q.ids()); diff != "" {
		t.Errorf("the replay must enqueue the still-queued submission (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"sub_1"}, env.mem.storedIDs()); diff != "" {
		t.Errorf("stored (-want +got):\n%s", diff)
	}
}

func TestIdempotencyClaimReleasedWhenCreateFails(t *testing.T) {
	env := newEnv(t)
	create := env.st.CreateSubmissionFn
	env.st.CreateSubmissionFn = func(ctx context.Context, rec grader.Record, files []grader.File) (grader.Record, error) {
		return grader.Record{}, errors.New("redis: i/o timeout")
	}
	w := env.serve(withKey(postJSON(adaToken, goodJSON), "k"))
	if w.Code != http.StatusInternalServerError || !strings.Contains(w.Body.String(), CodeInternal) || strings.Contains(w.Body.String(), "i/o timeout") {
		t.Fatalf("create fails: %d %s", w.Code, w.Body.String())
	}
	if env.mem.claimCount() != 0 {
		t.Errorf("the claim was kept after a failed create")
	}
	env.st.CreateSubmissionFn = create
	if w := env.serve(withKey(postJSON(adaToken, goodJSON), "k")); w.Code != http.StatusAccepted {
		t.Errorf("retry with the same key: %d %s", w.Code, w.Body.String())
	}
}

func TestIdempotencyInFlight(t *testing.T) {
	env := newEnv(t)
	env.mem.claims["ada\x00k"] = "sub_other"
	w := env.serve(withKey(postJSON(adaToken, goodJSON), "k"))
	if w.Code != http.StatusConflict || w.Header().Get("Retry-After") != "1" {
		t.Errorf("claimed, not yet stored: %d %v %s", w.Code, w.Header(), w.Body.String())
	}
	if len(env.mem.storedIDs()) != 0 || len(env.q.ids()) != 0 {
		t.Errorf("stored %v queued %v", env.mem.storedIDs(), env.q.ids())
	}
}

func TestRateLimit(t *testing.T) {
	var key string
	var limit int
	var window time.Duration
	env := newEnv(t, func(c *Config) { c.SubmitLimit, c.SubmitWindow = 2, 10*time.Second })
	allow := env.st.AllowFn
	env.st.AllowFn = func(ctx context.Context, k string, l int, w time.Duration) (bool, time.Duration, error) {
		key, limit, window = k, l, w
		return allow(ctx, k, l, w)
	}
	for i := range 2 {
		if w := env.serve(postJSON(adaToken, goodJSON)); w.Code != http.StatusAccepted {
			t.Fatalf("submission %d: %d %s", i, w.Code, w.Body.String())
		}
	}
	if key != "submit:ada" || limit != 2 || window != 10*time.Second {
		t.Errorf("Allow(%q, %d, %s)", key, limit, window)
	}
	w := env.serve(postJSON(adaToken, goodJSON))
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), CodeRateLimited) || w.Header().Get("Retry-After") != "2" {
		t.Errorf("third: %d Retry-After=%q %s", w.Code, w.Header().Get("Retry-After"), w.Body.String())
	}
	if len(env.mem.storedIDs()) != 2 || len(env.q.ids()) != 2 {
		t.Errorf("the limited request was stored or queued: %v %v", env.mem.storedIDs(), env.q.ids())
	}
	// Others are not limited by ada's count.
	if w := env.serve(postJSON(bobToken, goodJSON)); w.Code != http.StatusAccepted {
		t.Errorf("bob: %d", w.Code)
	}
}

func TestRateLimiterDown(t *testing.T) {
	env := newEnv(t)
	env.st.AllowFn = func(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
		return false, 0, errors.New("redis down")
	}
	code, out := env.do(t, postJSON(adaToken, goodJSON))
	if code != 500 || errCode(out) != CodeInternal || len(env.mem.storedIDs()) != 0 {
		t.Errorf("%d %v", code, out)
	}
}

func gradedFixture(env *testEnv) {
	env.mem.setRecord(grader.Record{ID: "s1", Challenge: "notes-api", Learner: "ada", State: grader.StateGraded, Attempt: 1})
	env.mem.results["s1"] = grader.Result{SubmissionID: "s1", Status: grader.StatusFailed, Score: 2, MaxScore: 5, Tests: []grader.TestResult{
		{Name: "create", Status: grader.TestPassed, Points: 2, MaxPoints: 2, Visibility: grader.Visible},
		{Name: "secret edge HIDDEN", Status: grader.TestFailed, MaxPoints: 3, Visibility: grader.Hidden, Message: "HIDDEN detail", Output: "HIDDEN output"},
	}}
}

func TestGetSubmissionViews(t *testing.T) {
	env := newEnv(t)
	gradedFixture(env)
	w := env.serve(get("/v1/submissions/s1", adaToken))
	body := w.Body.String()
	if w.Code != 200 || strings.Contains(body, "HIDDEN") || !strings.Contains(body, `"hidden":{"total":1`) || !strings.Contains(body, `"result":"/v1/submissions/s1"`) {
		t.Errorf("owner's learner view: %d %s", w.Code, body)
	}
	if w := env.serve(get("/v1/submissions/s1", bobToken)); w.Code != 404 || strings.Contains(w.Body.String(), "ada") {
		t.Errorf("another learner: %d %s", w.Code, w.Body.String())
	}
	missing := env.serve(get("/v1/submissions/nope", bobToken))
	other := env.serve(get("/v1/submissions/s1", bobToken))
	if strings.ReplaceAll(other.Body.String(), "s1", "ID") != strings.ReplaceAll(missing.Body.String(), "nope", "ID") {
		t.Errorf("another's submission is distinguishable from a missing one: %s vs %s", other.Body.String(), missing.Body.String())
	}
	if w := env.serve(get("/v1/submissions/s1", teachToken)); w.Code != 200 || !strings.Contains(w.Body.String(), "HIDDEN detail") {
		t.Errorf("instructor view: %d %s", w.Code, w.Body.String())
	}
	// A store fault is a 500 without details, logged.
	env.st.RecordFn = func(ctx context.Context, id string) (grader.Record, error) {
		return grader.Record{}, errors.New("READONLY replica")
	}
	if w := env.serve(get("/v1/submissions/s1", adaToken)); w.Code != 500 || strings.Contains(w.Body.String(), "READONLY") || !strings.Contains(env.logs.String(), "READONLY") {
		t.Errorf("store fault: %d %s; log %q", w.Code, w.Body.String(), env.logs)
	}
}

func TestListSubmissions(t *testing.T) {
	env := newEnv(t)
	for i, l := range []string{"ada", "bob", "ada", "ada"} {
		env.mem.setRecord(grader.Record{ID: fmt.Sprintf("s%d", i), Challenge: "notes-api", Learner: l, State: grader.StateQueued})
	}
	ids := func(out map[string]any) []string {
		var got []string
		items, _ := out["items"].([]any)
		for _, it := range items {
			got = append(got, it.(map[string]any)["id"].(string))
		}
		return got
	}
	tests := []struct {
		name, path, token string
		want              []string
		total, limit      float64
	}{
		{"learner sees own", "/v1/submissions", adaToken, []string{"s3", "s2", "s0"}, 3, 20},
		{"learner cannot list another", "/v1/submissions?learner=bob", adaToken, []string{"s3", "s2", "s0"}, 3, 20},
		{"bob", "/v1/submissions", bobToken, []string{"s1"}, 1, 20},
		{"instructor sees all", "/v1/submissions", teachToken, []string{"s3", "s2", "s1", "s0"}, 4, 20},
		{"instructor filters", "/v1/submissions?learner=bob&challenge=notes-api", teachToken, []string{"s1"}, 1, 20},
		{"other challenge", "/v1/submissions?challenge=other", teachToken, nil, 0, 20},
		{"paging", "/v1/submissions?offset=1&limit=2", teachToken, []string{"s2", "s1"}, 4, 2},
		{"past the end", "/v1/submissions?offset=10&limit=100", teachToken, nil, 4, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out := env.do(t, get(tc.path, tc.token))
			if code != 200 {
				t.Fatalf("%d %v", code, out)
			}
			if diff := cmp.Diff(tc.want, ids(out)); diff != "" {
				t.Errorf("ids (-want +got):\n%s", diff)
			}
			if out["total"] != tc.total || out["limit"] != tc.limit {
				t.Errorf("total %v limit %v, want %v %v", out["total"], out["limit"], tc.total, tc.limit)
			}
		})
	}
	for _, q := range []string{"limit=0", "limit=101", "limit=ten", "offset=-1", "offset=1e3", "limit=", "limit=99999999999999999999"} {
		t.Run(q, func(t *testing.T) {
			if code, out := env.do(t, get("/v1/submissions?"+q, teachToken)); code != 400 || errCode(out) != CodeInvalidRequest {
				t.Errorf("%d %v", code, out)
			}
		})
	}
}

func TestMe(t *testing.T) {
	env := newEnv(t)
	for _, tc := range []struct {
		token string
		want  map[string]any
	}{
		{adaToken, map[string]any{"subject": "ada", "role": "learner"}},
		{teachToken, map[string]any{"subject": "teach", "role": "instructor"}},
	} {
		code, out := env.do(t, get("/v1/me", tc.token))
		if diff := cmp.Diff(tc.want, out); code != 200 || diff != "" {
			t.Errorf("%d (-want +got):\n%s", code, diff)
		}
	}
	w := env.serve(get("/v1/me", ""))
	if w.Code != 401 || !strings.Contains(w.Body.String(), CodeUnauthorized) || w.Header().Get("WWW-Authenticate") != `Bearer realm="grader"` {
		t.Errorf("no token: %d %v %s", w.Code, w.Header(), w.Body.String())
	}
	if w := env.serve(get("/v1/me", adaToken)); w.Header().Get("WWW-Authenticate") != "" {
		t.Errorf("an authenticated answer asks for authentication: %v", w.Header())
	}
}

func TestUnknownRoute(t *testing.T) {
	env := newEnv(t)
	if code, out := env.do(t, get("/v1/nothing", adaToken)); code != 404 || errCode(out) != CodeNotFound {
		t.Errorf("unknown route: %d %v", code, out)
	}
}

func newGzipWriter(w *bytes.Buffer) *gzip.Writer { return gzip.NewWriter(w) }

func TestCallbackRefusedWhenWebhooksAreOff(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.WebhooksOff = true })
	w := env.serve(postForm(t, adaToken, map[string]string{"challenge": "notes-api", "callback_url": "https://ci.example.com/hook"}, goodZip(t)))
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "GRADER_WEBHOOK_SECRET") {
		t.Fatalf("callback with webhooks off: %d %s, want 400 naming GRADER_WEBHOOK_SECRET", w.Code, w.Body.String())
	}
	if len(env.mem.records) != 0 || len(env.q.queued) != 0 {
		t.Errorf("a refused submission was stored (%d) or queued (%d)", len(env.mem.records), len(env.q.queued))
	}
	// Without a callback the same server takes the submission.
	if w := env.serve(postForm(t, adaToken, map[string]string{"challenge": "notes-api"}, goodZip(t))); w.Code != http.StatusAccepted {
		t.Errorf("plain submission with webhooks off: %d %s", w.Code, w.Body.String())
	}
}
