package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/webhook"
)

// fast makes an Asynq server poll its queues quickly, for tests.
func fast(c asynq.Config) asynq.Config {
	c.TaskCheckInterval = 50 * time.Millisecond
	c.DelayedTaskCheckInterval = 50 * time.Millisecond
	c.HealthCheckInterval = time.Hour
	return c
}

// startServer runs h on a fresh Asynq server until the test ends.
func startServer(t *testing.T, e *env, c asynq.Config, typ string, h asynq.Handler) *asynq.Server {
	t.Helper()
	srv := asynq.NewServerFromRedisClient(e.rdb, fast(c))
	mux := asynq.NewServeMux()
	mux.Handle(typ, h)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	return srv
}

func newClient(t *testing.T, e *env) *Client {
	t.Helper()
	ac := asynq.NewClientFromRedisClient(e.rdb)
	t.Cleanup(func() { ac.Close() })
	return NewClient(ac)
}

func newInspector(t *testing.T, e *env) *asynq.Inspector {
	t.Helper()
	insp := asynq.NewInspectorFromRedisClient(e.rdb)
	t.Cleanup(func() { insp.Close() })
	return insp
}

// waitFor polls cond for up to 10s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func taskState(insp *asynq.Inspector, q, id string) (*asynq.TaskInfo, asynq.TaskState) {
	info, err := insp.GetTaskInfo(q, id)
	if err != nil {
		return nil, 0
	}
	return info, info.State
}

// TestServiceRoundTrip enqueues through the Client, grades on a grade
// server and delivers the result on a webhook server to a receiver that
// checks the signature.
func TestServiceRoundTrip(t *testing.T) {
	e := newEnv(t)
	client := newClient(t, e)
	secret := []byte("hook-secret")
	got := make(chan webhook.Body, 1)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(secret, r.Header.Get(webhook.HeaderTimestamp), r.Header.Get(webhook.HeaderSignature), b, time.Now(), time.Minute); err != nil {
			t.Errorf("receiver: %v", err)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var body webhook.Body
		if err := json.Unmarshal(b, &body); err != nil {
			t.Errorf("receiver: %v", err)
		}
		got <- body
	}))
	defer recv.Close()

	e.h.cfg.Webhooks = client
	startServer(t, e, gradeConfig(ServerConfig{Concurrency: 2}), TypeGrade, e.h)
	wh := NewWebhookHandler(WebhookHandlerConfig{Records: e.st, Deliverer: webhook.NewDeliverer(webhook.Config{Secret: secret, AllowPrivate: true})})
	startServer(t, e, webhookConfig(ServerConfig{}), TypeWebhook, wh)

	rec := e.create(t, grader.Record{ID: "s1", Queue: QueueInteractive, CallbackURL: recv.URL + "/hook"})
	ctx := context.Background()
	for range 2 { // a duplicate enqueue is a success
		if err := client.Enqueue(ctx, rec, time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	var body webhook.Body
	select {
	case body = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook delivered")
	}
	if body.SubmissionID != "s1" || body.Challenge != "notes-api" || body.Learner != "ada" || body.Attempt != 1 ||
		body.Result.Status != grader.StatusPassed || body.Result.View != grader.ViewLearner {
		t.Errorf("webhook body %+v", body)
	}
	insp := newInspector(t, e)
	var info *asynq.TaskInfo
	waitFor(t, "the grade task to complete", func() bool {
		var st asynq.TaskState
		info, st = taskState(insp, QueueInteractive, "s1")
		return st == asynq.TaskStateCompleted
	})
	if string(info.Result) != `{"max_score":3,"score":3,"status":"passed"}` {
		t.Errorf("task result %s", info.Result)
	}
	waitFor(t, "the webhook task to complete", func() bool {
		_, st := taskState(insp, QueueWebhooks, "webhook:s1")
		return st == asynq.TaskStateCompleted
	})
	if e.eng.Calls() != 1 {
		t.Errorf("graded %d times, want once", e.eng.Calls())
	}
	want := []grader.EventType{grader.EventQueued, grader.EventStarted, grader.EventPhaseStarted, grader.EventTestFinished, grader.EventPhaseFinished, grader.EventDone}
	if diff := cmp.Diff(want, e.eventTypes(t, "s1")); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// gradeOrder runs recs through a one-slot grading server and returns the
// order they were graded in.
func gradeOrder(t *testing.T, recs []grader.Record) []string {
	e := newEnv(t)
	client := newClient(t, e)
	var mu sync.Mutex
	var order []string
	e.eng.fn = func(ctx context.Context, sub grader.Submission, p grader.Progress) (grader.Result, error) {
		mu.Lock()
		order = append(order, sub.ID)
		mu.Unlock()
		return grader.Result{SubmissionID: sub.ID, Status: grader.StatusPassed}, nil
	}
	for _, r := range recs {
		if err := client.Enqueue(context.Background(), e.create(t, r), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	startServer(t, e, gradeConfig(ServerConfig{Concurrency: 1}), TypeGrade, e.h)
	waitFor(t, "every grading", func() bool { mu.Lock(); defer mu.Unlock(); return len(order) == len(recs) })
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), order...)
}

// position returns where id is in order.
func position(order []string, id string) int { return slices.Index(order, id) }

// TestInteractiveFirst: with one slot, interactive work goes before batch
// and cohort work queued earlier. (Priorities are weighted: each pick
// takes interactive work first with probability above 99%, so the test
// allows one batch pick before them; it fails by chance about once in
// ten thousand runs.)
func TestInteractiveFirst(t *testing.T) {
	recs := []grader.Record{{ID: "b1", Queue: QueueBatch}, {ID: "b2", Queue: QueueBatch}, {ID: "c1", Queue: CohortQueue(0)},
		{ID: "c2", Queue: CohortQueue(3)}, {ID: "i1", Queue: QueueInteractive}, {ID: "i2", Queue: QueueInteractive}}
	order := gradeOrder(t, recs)
	if position(order, "i1") > 2 || position(order, "i2") > 2 {
		t.Errorf("grading order %v: interactive first", order)
	}
}

// TestCohortLanesShare: a cohort queued behind another's spike is not
// starved: its lane is picked as often as the busy one. (Failing by
// chance: under one in a thousand runs.)
func TestCohortLanesShare(t *testing.T) {
	var recs []grader.Record
	for i := range 20 {
		recs = append(recs, grader.Record{ID: fmt.Sprintf("big%02d", i), Queue: CohortQueue(0)})
	}
	recs = append(recs, grader.Record{ID: "small1", Queue: CohortQueue(1)}, grader.Record{ID: "small2", Queue: CohortQueue(1)})
	order := gradeOrder(t, recs)
	if position(order, "small1") >= 14 || position(order, "small2") >= 14 {
		t.Errorf("grading order %v: the small cohort waited for the big one", order)
	}
}

// TestLastTryThroughAsynq: with no retry left, Asynq archives the task
// and the learner has a StatusError result.
func TestLastTryThroughAsynq(t *testing.T) {
	e := newEnv(t)
	e.eng.fn = func(context.Context, grader.Submission, grader.Progress) (grader.Result, error) {
		return grader.Result{}, errors.New("docker: daemon gone")
	}
	e.create(t, grader.Record{ID: "s1"})
	ac := asynq.NewClientFromRedisClient(e.rdb)
	defer ac.Close()
	if _, err := ac.Enqueue(gradeTask("s1", "notes-api"), asynq.TaskID("s1"), asynq.Queue(QueueInteractive), asynq.MaxRetry(1)); err != nil {
		t.Fatal(err)
	}
	startServer(t, e, gradeConfig(ServerConfig{RetryDelay: func(int, error) time.Duration { return 10 * time.Millisecond }}), TypeGrade, e.h)
	insp := newInspector(t, e)
	waitFor(t, "the task to be archived", func() bool { _, st := taskState(insp, QueueInteractive, "s1"); return st == asynq.TaskStateArchived })
	res, ok, _ := e.st.Result(context.Background(), "s1")
	if !ok || res.Status != grader.StatusError {
		t.Errorf("result %+v %v, want StatusError", res, ok)
	}
	want := []grader.EventType{grader.EventQueued, grader.EventStarted, grader.EventRetrying, grader.EventStarted, grader.EventDone}
	if diff := cmp.Diff(want, e.eventTypes(t, "s1")); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if e.eng.Calls() != 2 {
		t.Errorf("tried %d times, want 2", e.eng.Calls())
	}
}

// TestShutdownRequeues: a grading still running when the server stops is
// handed back to the queue, uncounted, and the learner is told.
func TestShutdownRequeues(t *testing.T) {
	e := newEnv(t)
	running := make(chan struct{})
	e.eng.fn = func(ctx context.Context, sub grader.Submission, p grader.Progress) (grader.Result, error) {
		close(running)
		<-ctx.Done()
		return grader.Result{}, ctx.Err()
	}
	client := newClient(t, e)
	if err := client.Enqueue(context.Background(), e.create(t, grader.Record{ID: "s1", Queue: QueueInteractive}), time.Minute); err != nil {
		t.Fatal(err)
	}
	srv := asynq.NewServerFromRedisClient(e.rdb, fast(gradeConfig(ServerConfig{ShutdownTimeout: 200 * time.Millisecond})))
	mux := asynq.NewServeMux()
	mux.Handle(TypeGrade, e.h)
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	select {
	case <-running:
	case <-time.After(10 * time.Second):
		t.Fatal("the task did not start")
	}
	srv.Shutdown()
	waitFor(t, "the retrying event", func() bool { return e.lastEvent(t, "s1").Type == grader.EventRetrying })
	if msg := e.lastEvent(t, "s1").Message; msg != msgStopping {
		t.Errorf("retrying message %q", msg)
	}
	info, st := taskState(newInspector(t, e), QueueInteractive, "s1")
	if st != asynq.TaskStatePending || info.Retried != 0 {
		t.Errorf("after shutdown: state %v, retried %d; want pending, 0", st, info.Retried)
	}
	if _, ok, _ := e.st.Result(context.Background(), "s1"); ok {
		t.Error("a shutdown stored a result")
	}
}
