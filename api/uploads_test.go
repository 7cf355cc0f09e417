package api

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestUploadSlotsFull: while every upload slot holds a body being read,
// another submission, after its short wait, answers 503 with Retry-After
// without being read,
// and once the slot is free submissions are taken again.
func TestUploadSlotsFull(t *testing.T) {
	env := newEnv(t, func(c *Config) { c.UploadSlots = 1; c.UploadWait = time.Millisecond })
	body, ct := form(t, map[string]string{"challenge": "notes-api"}, goodZip(t))
	pr, pw := io.Pipe()
	req := httptest.NewRequest(http.MethodPost, "/v1/submissions", pr)
	req.Header.Set("Authorization", "Bearer "+adaToken)
	req.Header.Set("Content-Type", ct)
	slow := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		env.srv.Handler().ServeHTTP(slow, req)
	}()
	// A pipe write returns once the handler reads it: the slow upload
	// holds the slot from here on.
	if _, err := pw.Write(body[:10]); err != nil {
		t.Fatal(err)
	}

	w := env.serve(postForm(t, bobToken, map[string]string{"challenge": "notes-api"}, goodZip(t)))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("upload while the slot is taken: %d %v %s", w.Code, w.Header(), w.Body)
	}
	code, out := env.do(t, postForm(t, bobToken, map[string]string{"challenge": "notes-api"}, goodZip(t)))
	if code != http.StatusServiceUnavailable || errCode(out) != CodeUnavailable {
		t.Errorf("answer %d %v, want 503 %s", code, out, CodeUnavailable)
	}

	if _, err := pw.Write(body[10:]); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	<-done
	if slow.Code != http.StatusAccepted {
		t.Fatalf("the slow upload: %d %s", slow.Code, slow.Body)
	}
	if w := env.serve(postForm(t, bobToken, map[string]string{"challenge": "notes-api"}, goodZip(t))); w.Code != http.StatusAccepted {
		t.Errorf("upload after the slot is free: %d %s", w.Code, w.Body)
	}
	if got := env.mem.storedIDs(); len(got) != 2 {
		t.Errorf("stored %v, want the slow upload and the last one", got)
	}
}
