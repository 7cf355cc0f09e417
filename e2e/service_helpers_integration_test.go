//go:build integration

package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/sse"
)

// Tokens every service test process accepts.
const (
	tokenAlice      = "e2e-learner-alice-token"
	tokenBob        = "e2e-learner-bob-token"
	tokenInstructor = "e2e-instructor-token"
	serviceTokens   = "learner:alice:" + tokenAlice + ",learner:bob:" + tokenBob + ",instructor:teacher:" + tokenInstructor
)

// proc is a grader process the test started.
type proc struct {
	cmd    *exec.Cmd
	url    string // the API's base URL, for serve
	mu     sync.Mutex
	stderr bytes.Buffer
	done   chan struct{}
}

func (p *proc) log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stderr.String()
}

var servingLine = regexp.MustCompile(`grader: serving on (http://\S+)`)

// startGrader runs the grader binary with args until the test ends; for
// serve it waits for the API's address.
func startGrader(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	bin := os.Getenv("GRADER_BIN")
	if bin == "" {
		t.Skip("GRADER_BIN is not set (make integration sets it)")
	}
	p := &proc{done: make(chan struct{})}
	p.cmd = exec.Command(bin, append([]string{"--catalog", "../challenges", "--log-level", "info"}, args...)...)
	p.cmd.Env = append(os.Environ(), env...)
	pr, pw := io.Pipe()
	p.cmd.Stderr = pw
	p.cmd.Stdout = io.Discard
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start grader %v: %v", args, err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			line := sc.Text()
			p.mu.Lock()
			p.stderr.WriteString(line + "\n")
			p.mu.Unlock()
			if m := servingLine.FindStringSubmatch(line); m != nil {
				select {
				case urls <- m[1]:
				default:
				}
			}
		}
	}()
	go func() {
		_ = p.cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.stop(t, syscall.SIGTERM)
		if t.Failed() {
			t.Logf("grader %v log:\n%s", args, p.log())
		}
	})
	if args[0] != "serve" {
		return p
	}
	select {
	case p.url = <-urls:
	case <-p.done:
		t.Fatalf("grader %v exited before serving:\n%s", args, p.log())
	case <-time.After(2 * time.Minute):
		t.Fatalf("grader %v did not start serving:\n%s", args, p.log())
	}
	return p
}

// waitLog waits for the process to log a line holding text.
func (p *proc) waitLog(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(p.log(), text) {
		select {
		case <-p.done:
			t.Fatalf("grader exited before logging %q:\n%s", text, p.log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("grader did not log %q within a minute:\n%s", text, p.log())
		}
	}
}

// stop signals the process and waits for it to exit.
func (p *proc) stop(t *testing.T, sig syscall.Signal) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Errorf("grader did not stop within 60s of %v", sig)
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// tarDir packs a folder as `grader submit` does, in the language its
// files show.
func tarDir(t *testing.T, dir string) []byte {
	t.Helper()
	sub, err := grader.ReadPathFor("", "", grader.Languages, dir, grader.SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := grader.WriteArchive(&buf, sub.Files); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// created is the API's answer to a new submission.
type created struct {
	ID      string `json:"id"`
	State   string `json:"state"`
	Attempt int    `json:"attempt"`
}

// submit uploads dir for challenge as the token's holder.
func submit(t *testing.T, base, token, challenge, dir, idemKey string) (int, created, http.Header) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("challenge", challenge)
	fw, _ := mw.CreateFormFile("archive", "solution.tar.gz")
	fw.Write(tarDir(t, dir))
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/submissions", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("submit: %v", err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var c created
	if resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, &c); err != nil || c.ID == "" {
			t.Fatalf("submit answered %d %s", resp.StatusCode, raw)
		}
	}
	return resp.StatusCode, c, resp.Header
}

// getJSON GETs path as token and decodes the answer into out; it returns
// the status and the raw body.
func getJSON(t *testing.T, base, token, path string, out any) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("GET %s: decode %s: %v", path, raw, err)
		}
	}
	return resp.StatusCode, raw
}

// follow reads a submission's event stream until done (or the timeout),
// from after the event id lastID when set.
func follow(t *testing.T, base, token, id, lastID string, timeout time.Duration) []sse.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/v1/submissions/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("follow %s: %v", id, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		raw, _ := io.ReadAll(resp.Body)
		t.Fatalf("follow %s: %d %s", id, resp.StatusCode, raw)
	}
	var out []sse.Event
	r := sse.NewReader(resp.Body)
	for {
		ev, err := r.Next()
		if err != nil {
			t.Fatalf("event stream of %s ended without done (%v) after %d events", id, err, len(out))
		}
		out = append(out, ev)
		if ev.Type == string(grader.EventDone) {
			return out
		}
	}
}

// doneResult decodes the result carried by a done event.
func doneResult(t *testing.T, ev sse.Event) grader.Result {
	t.Helper()
	var d struct {
		Result *grader.Result `json:"result"`
	}
	if err := json.Unmarshal([]byte(ev.Data), &d); err != nil || d.Result == nil {
		t.Fatalf("done event without a result: %s", ev.Data)
	}
	return *d.Result
}

// hiddenNames returns the names of a challenge's hidden tests.
func hiddenNames(t *testing.T, ch *grader.Challenge) []string {
	var out []string
	for _, s := range ch.Suites {
		for _, tc := range s.Tests {
			if tc.Visibility == grader.Hidden {
				out = append(out, tc.Name)
			}
		}
	}
	if len(out) == 0 {
		t.Fatalf("challenge %s has no hidden tests to check", ch.ID)
	}
	return out
}

func mustNotMention(t *testing.T, what string, body []byte, names []string) {
	t.Helper()
	for _, n := range names {
		if bytes.Contains(body, []byte(n)) {
			t.Errorf("%s mentions hidden test %q", what, n)
		}
	}
}
