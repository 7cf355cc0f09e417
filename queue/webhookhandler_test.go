package queue

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/signing"
	"github.com/gradebox/grader/webhook"
)

var hookSecret = []byte("hook-secret")

// hookReceiver answers deliveries with the next status of a script (the
// last one repeats) and keeps the bodies whose signature verified.
type hookReceiver struct {
	srv      *httptest.Server
	mu       sync.Mutex
	statuses []int
	hits     int
	bodies   []webhook.Body
	raws     [][]byte
}

func newHookReceiver(t *testing.T, statuses ...int) *hookReceiver {
	r := &hookReceiver{statuses: statuses}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		status := r.statuses[min(r.hits, len(r.statuses)-1)]
		r.hits++
		if err := webhook.Verify(hookSecret, req.Header.Get(webhook.HeaderTimestamp), req.Header.Get(webhook.HeaderSignature), b, time.Now(), time.Minute); err != nil {
			t.Errorf("receiver: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var body webhook.Body
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("receiver: %v", err)
		}
		r.bodies = append(r.bodies, body)
		r.raws = append(r.raws, b)
		w.WriteHeader(status)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) Hits() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.hits
}

// graded stores a graded submission with a hidden test, calling back url.
func (e *env) graded(t *testing.T, id, url string, view grader.View) {
	t.Helper()
	e.create(t, grader.Record{ID: id, CallbackURL: url, CallbackView: view})
	res := grader.Result{SubmissionID: id, Challenge: "notes-api", View: grader.ViewInstructor, Status: grader.StatusFailed, Score: 1, MaxScore: 3,
		Tests: []grader.TestResult{
			{Name: "create", Visibility: grader.Visible, Status: grader.TestPassed, Points: 1, MaxPoints: 1},
			{Name: "secret-edge-case", Visibility: grader.Hidden, Status: grader.TestFailed, MaxPoints: 2, Output: "hidden details"},
		}}
	if _, err := e.st.SaveResult(context.Background(), res); err != nil {
		t.Fatal(err)
	}
}

func webhookTask(id string) *asynq.Task {
	return asynq.NewTask(TypeWebhook, []byte(`{"submission_id":"`+id+`"}`))
}

func TestWebhookHandler(t *testing.T) {
	ok := newHookReceiver(t, http.StatusOK)
	failing := newHookReceiver(t, http.StatusInternalServerError)
	gone := newHookReceiver(t, http.StatusGone)
	limited := newHookReceiver(t, http.StatusTooManyRequests)
	e := newEnv(t)
	e.graded(t, "learner-view", ok.srv.URL, "")
	e.graded(t, "instructor-view", ok.srv.URL, grader.ViewInstructor)
	e.graded(t, "failing", failing.srv.URL, "")
	e.graded(t, "gone", gone.srv.URL, "")
	e.graded(t, "limited", limited.srv.URL, "")
	e.graded(t, "no-callback", "", "")
	e.create(t, grader.Record{ID: "ungraded", CallbackURL: ok.srv.URL})
	h := NewWebhookHandler(WebhookHandlerConfig{Records: e.st, Deliverer: webhook.NewDeliverer(webhook.Config{Secret: hookSecret, AllowPrivate: true})})

	tests := []struct {
		name     string
		task     *asynq.Task
		wantErr  bool
		wantSkip bool
	}{
		{"learner view", webhookTask("learner-view"), false, false},
		{"instructor view", webhookTask("instructor-view"), false, false},
		{"500 is retried", webhookTask("failing"), true, false},
		{"429 is retried", webhookTask("limited"), true, false},
		{"410 is not", webhookTask("gone"), true, true},
		{"no callback URL: nothing to do", webhookTask("no-callback"), false, false},
		{"no result yet: retried", webhookTask("ungraded"), true, false},
		{"unknown submission", webhookTask("nope"), true, true},
		{"poison payload", asynq.NewTask(TypeWebhook, []byte(`[`)), true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := h.ProcessTask(context.Background(), tc.task)
			if (err != nil) != tc.wantErr || errors.Is(err, asynq.SkipRetry) != tc.wantSkip {
				t.Errorf("err = %v; want error %v, skip retry %v", err, tc.wantErr, tc.wantSkip)
			}
		})
	}
	if ok.Hits() != 2 || failing.Hits() != 1 || gone.Hits() != 1 || limited.Hits() != 1 {
		t.Errorf("hits: ok %d, failing %d, gone %d, limited %d", ok.Hits(), failing.Hits(), gone.Hits(), limited.Hits())
	}
	ok.mu.Lock()
	defer ok.mu.Unlock()
	if len(ok.bodies) != 2 {
		t.Fatalf("bodies %+v", ok.bodies)
	}
	learner, instructor := ok.bodies[0], ok.bodies[1]
	if learner.SubmissionID != "learner-view" || learner.Attempt != 1 || learner.Learner != "ada" || learner.Result.View != grader.ViewLearner ||
		learner.Result.Hidden == nil || len(learner.Result.Tests) != 1 {
		t.Errorf("learner-view body %+v", learner)
	}
	b, _ := json.Marshal(learner)
	if strings.Contains(string(b), "secret-edge-case") || strings.Contains(string(b), "hidden details") {
		t.Errorf("the learner view shows a hidden test: %s", b)
	}
	if instructor.Result.View != grader.ViewInstructor || len(instructor.Result.Tests) != 2 || instructor.Attempt != 2 {
		t.Errorf("instructor-view body %+v", instructor)
	}
}

// TestWebhookResultSigned checks a webhook body's result carries the
// service's signature over the view it carries.
func TestWebhookResultSigned(t *testing.T) {
	key, err := signing.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	ok := newHookReceiver(t, http.StatusOK)
	e := newEnv(t)
	e.graded(t, "learner-view", ok.srv.URL, "")
	h := NewWebhookHandler(WebhookHandlerConfig{Records: e.st, Signer: key,
		Deliverer: webhook.NewDeliverer(webhook.Config{Secret: hookSecret, AllowPrivate: true})})
	if err := h.ProcessTask(context.Background(), webhookTask("learner-view")); err != nil {
		t.Fatal(err)
	}
	ok.mu.Lock()
	defer ok.mu.Unlock()
	if len(ok.raws) != 1 {
		t.Fatalf("%d deliveries", len(ok.raws))
	}
	doc, err := signing.FindResult(ok.raws[0])
	if err != nil {
		t.Fatal(err)
	}
	v, err := signing.Verify(doc, signing.KeySet{Keys: []signing.PublicKey{key.Public(time.Now())}})
	if err != nil {
		t.Fatalf("the webhook's result: %v\n%s", err, doc)
	}
	if v.Result.View != grader.ViewLearner || v.Result.Score != 1 {
		t.Fatalf("verified %+v", v.Result)
	}
}

// TestWebhookRefusedAddress: without AllowPrivate a loopback callback is
// refused for good, and never reached.
func TestWebhookRefusedAddress(t *testing.T) {
	recv := newHookReceiver(t, http.StatusOK)
	e := newEnv(t)
	e.graded(t, "s1", recv.srv.URL, "")
	h := NewWebhookHandler(WebhookHandlerConfig{Records: e.st, Deliverer: webhook.NewDeliverer(webhook.Config{Secret: hookSecret})})
	if err := h.ProcessTask(context.Background(), webhookTask("s1")); !errors.Is(err, asynq.SkipRetry) {
		t.Errorf("err = %v, want SkipRetry", err)
	}
	if recv.Hits() != 0 {
		t.Errorf("a loopback receiver was reached")
	}
}

// TestWebhookRetriesThroughAsynq: a 500 is retried with backoff until the
// receiver takes it; a 410 is archived after one try.
func TestWebhookRetriesThroughAsynq(t *testing.T) {
	flaky := newHookReceiver(t, http.StatusInternalServerError, http.StatusOK)
	gone := newHookReceiver(t, http.StatusGone)
	e := newEnv(t)
	e.graded(t, "flaky", flaky.srv.URL, "")
	e.graded(t, "gone", gone.srv.URL, "")
	client := newClient(t, e)
	for _, id := range []string{"flaky", "gone", "flaky"} {
		if err := client.EnqueueWebhook(context.Background(), id); err != nil {
			t.Fatal(err)
		}
	}
	h := NewWebhookHandler(WebhookHandlerConfig{Records: e.st, Deliverer: webhook.NewDeliverer(webhook.Config{Secret: hookSecret, AllowPrivate: true})})
	startServer(t, e, webhookConfig(ServerConfig{RetryDelay: func(int, error) time.Duration { return 10 * time.Millisecond }}), TypeWebhook, h)
	insp := newInspector(t, e)
	waitFor(t, "the flaky delivery to complete", func() bool {
		_, st := taskState(insp, QueueWebhooks, "webhook:flaky")
		return st == asynq.TaskStateCompleted
	})
	waitFor(t, "the gone delivery to be archived", func() bool {
		_, st := taskState(insp, QueueWebhooks, "webhook:gone")
		return st == asynq.TaskStateArchived
	})
	if info, _ := taskState(insp, QueueWebhooks, "webhook:flaky"); info.Retried != 1 {
		t.Errorf("flaky delivery retried %d times, want 1", info.Retried)
	}
	if flaky.Hits() != 2 || gone.Hits() != 1 {
		t.Errorf("hits: flaky %d (want 2), gone %d (want 1)", flaky.Hits(), gone.Hits())
	}
}
