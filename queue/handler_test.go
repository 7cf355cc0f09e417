package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"go.uber.org/goleak"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/syncbuf"
	"github.com/gradebox/grader/store"
)

// redisAddr is where newEnv connects; the integration test points it at
// a real redis-server.
var redisAddr = func(t *testing.T) string { return "" }

// TestMain checks that no test leaves a goroutine behind (Asynq servers,
// Redis clients, HTTP connections), after every test's cleanups.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// secretOutput stands for what a learner's code prints: it must reach
// results and events, never logs.
const secretOutput = "LEARNER-SECRET-OUTPUT"

// fakeEngine grades with fn, or emits a build phase and one test and
// returns 3/3.
type fakeEngine struct {
	mu    sync.Mutex
	calls int
	fn    func(ctx context.Context, sub grader.Submission, p grader.Progress) (grader.Result, error)
}

func (f *fakeEngine) Grade(ctx context.Context, ch *grader.Challenge, sub grader.Submission, p grader.Progress) (grader.Result, error) {
	f.mu.Lock()
	f.calls++
	fn := f.fn
	f.mu.Unlock()
	if fn != nil {
		return fn(ctx, sub, p)
	}
	p.Event(grader.Event{Type: grader.EventPhaseStarted, Phase: "build", Suite: "api"})
	p.Event(grader.Event{Type: grader.EventTestFinished, Suite: "api", Test: &grader.TestResult{Name: "create", Status: grader.TestPassed, Output: secretOutput}})
	p.Event(grader.Event{Type: grader.EventPhaseFinished, Phase: "build", Suite: "api", OK: true})
	return grader.Result{SubmissionID: sub.ID, Challenge: ch.ID, Status: grader.StatusPassed, Score: 3, MaxScore: 3,
		Tests: []grader.TestResult{{Name: "create", Status: grader.TestPassed, Output: secretOutput}}}, nil
}

func (f *fakeEngine) Calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls
}

// fakeWebhooks records enqueued webhooks; err fails them.
type fakeWebhooks struct {
	mu  sync.Mutex
	ids []string
	err error
}

func (f *fakeWebhooks) EnqueueWebhook(ctx context.Context, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ids = append(f.ids, id)
	return f.err
}

type fakeObserver struct {
	mu     sync.Mutex
	graded []grader.Status
	faults int
}

func (f *fakeObserver) Graded(res grader.Result) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.graded = append(f.graded, res.Status)
}

func (f *fakeObserver) Fault(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults++
}

// flakySubmissions wraps the store's submissions; fail, when set, makes
// every call fail as an outage would.
type flakySubmissions struct {
	Submissions
	fail bool
}

func (f *flakySubmissions) Record(ctx context.Context, id string) (grader.Record, error) {
	if f.fail {
		return grader.Record{}, errors.New("dial tcp 10.0.0.9:6379: connection refused")
	}
	return f.Submissions.Record(ctx, id)
}

// env is a handler over a store on miniredis with fakes for the rest.
type env struct {
	rdb   *redis.Client
	st    *store.Redis
	eng   *fakeEngine
	hooks *fakeWebhooks
	obs   *fakeObserver
	subs  *flakySubmissions
	logs  *syncbuf.Buffer
	h     *Handler
	now   time.Time
}

var notesAPI = &grader.Challenge{ID: "notes-api", Version: "v1", Suites: []grader.Suite{{Tests: []grader.TestSpec{{Points: 1}, {Points: 2}}}}}

// newEnv returns an env on a fresh miniredis, or on the Redis at addr
// set by an integration test.
func newEnv(t *testing.T) *env {
	t.Helper()
	addr := redisAddr(t)
	if addr == "" {
		addr = miniredis.RunT(t).Addr()
	}
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { rdb.Close() })
	e := &env{rdb: rdb, eng: &fakeEngine{}, hooks: &fakeWebhooks{}, obs: &fakeObserver{}, logs: &syncbuf.Buffer{},
		now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	e.st = store.New(store.Config{Client: rdb, Now: func() time.Time { return e.now }})
	e.subs = &flakySubmissions{Submissions: e.st}
	e.h = NewHandler(HandlerConfig{
		Submissions: e.subs, Challenges: challenges.NewIndex([]*grader.Challenge{notesAPI}), Engine: e.eng, Results: e.st,
		Events: e.st, Webhooks: e.hooks, Observer: e.obs,
		Logger: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Now:    func() time.Time { return e.now },
	})
	return e
}

// create stores a submission as the API does: record, files, queued event.
func (e *env) create(t *testing.T, rec grader.Record) grader.Record {
	t.Helper()
	if rec.Challenge == "" {
		rec.Challenge = "notes-api"
	}
	if rec.Learner == "" {
		rec.Learner = "ada"
	}
	got, err := e.st.CreateSubmission(context.Background(), rec, []grader.File{{Name: "go.mod", Data: []byte("module x\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.AppendEvent(context.Background(), rec.ID, grader.Event{Type: grader.EventQueued}); err != nil {
		t.Fatal(err)
	}
	return got
}

func (e *env) eventTypes(t *testing.T, id string) []grader.EventType {
	t.Helper()
	evs, err := e.st.Events(context.Background(), id, "")
	if err != nil {
		t.Fatal(err)
	}
	out := []grader.EventType{}
	for _, ev := range evs {
		out = append(out, ev.Event.Type)
	}
	return out
}

func (e *env) lastEvent(t *testing.T, id string) grader.Event {
	t.Helper()
	evs, _ := e.st.Events(context.Background(), id, "")
	if len(evs) == 0 {
		t.Fatalf("no events for %s", id)
	}
	return evs[len(evs)-1].Event
}

func gradeTask(id, challenge string) *asynq.Task {
	return asynq.NewTask(TypeGrade, []byte(fmt.Sprintf(`{"submission_id":%q,"challenge":%q}`, id, challenge)))
}

// TestGradedEventSequence: a graded submission's stream reads queued,
// started, the engine's events, done; its record is graded.
func TestGradedEventSequence(t *testing.T) {
	e := newEnv(t)
	e.create(t, grader.Record{ID: "s1"})
	var extra []grader.EventType
	e.h.cfg.Progress = func(id string) grader.Progress {
		return grader.ProgressFunc(func(ev grader.Event) { extra = append(extra, ev.Type) })
	}
	if err := e.h.ProcessTask(context.Background(), gradeTask("s1", "notes-api")); err != nil {
		t.Fatal(err)
	}
	want := []grader.EventType{grader.EventQueued, grader.EventStarted, grader.EventPhaseStarted, grader.EventTestFinished, grader.EventPhaseFinished, grader.EventDone}
	if diff := cmp.Diff(want, e.eventTypes(t, "s1")); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[2:5], extra); diff != "" {
		t.Errorf("HandlerConfig.Progress got (-want +got):\n%s", diff)
	}
	evs, _ := e.st.Events(context.Background(), "s1", "")
	if started := evs[1].Event; started.Message != "" || !started.At.Equal(e.now) {
		t.Errorf("first try's started event: %+v", started)
	}
	if done := evs[5].Event; !done.OK || done.Message != "passed: 3 of 3 points" {
		t.Errorf("done event: %+v", done)
	}
	rec, _ := e.st.Record(context.Background(), "s1")
	if rec.State != grader.StateGraded || rec.StartedAt.IsZero() || rec.Score != 3 {
		t.Errorf("record %+v", rec)
	}
	if res, ok, _ := e.st.Result(context.Background(), "s1"); !ok || res.Status != grader.StatusPassed {
		t.Errorf("result %+v %v", res, ok)
	}
	if diff := cmp.Diff([]grader.Status{grader.StatusPassed}, e.obs.graded); diff != "" || e.obs.faults != 0 {
		t.Errorf("observer: faults %d, graded (-want +got):\n%s", e.obs.faults, diff)
	}
	if len(e.hooks.ids) != 0 {
		t.Errorf("a webhook without a callback URL: %v", e.hooks.ids)
	}
	if strings.Contains(e.logs.String(), secretOutput) {
		t.Errorf("learner output reached the logs:\n%s", e.logs)
	}
}

func TestProcessTaskFailures(t *testing.T) {
	tests := []struct {
		name       string
		task       *asynq.Task
		engineErr  error
		outage     bool
		wantSkip   bool
		wantErr    bool
		wantStatus grader.Status // "" = no result
		wantLast   grader.EventType
	}{
		{"poison payload", asynq.NewTask(TypeGrade, []byte(`{not json`)), nil, false, true, true, "", grader.EventQueued},
		{"missing fields", asynq.NewTask(TypeGrade, []byte(`{"submission_id":"s1"}`)), nil, false, true, true, "", grader.EventQueued},
		{"unknown submission", gradeTask("missing", "notes-api"), nil, false, true, true, "", grader.EventQueued},
		{"unknown challenge ends the wait", gradeTask("s1", "gone"), nil, false, true, true, grader.StatusError, grader.EventDone},
		{"store outage is retried", gradeTask("s1", "notes-api"), nil, true, false, true, "", grader.EventQueued},
		{"engine fault is retried", gradeTask("s1", "notes-api"), errors.New("docker: connection refused"), false, false, true, "", grader.EventRetrying},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.create(t, grader.Record{ID: "s1"})
			e.subs.fail = tc.outage
			if tc.engineErr != nil {
				e.eng.fn = func(context.Context, grader.Submission, grader.Progress) (grader.Result, error) {
					return grader.Result{}, tc.engineErr
				}
			}
			err := e.h.ProcessTask(context.Background(), tc.task)
			if (err != nil) != tc.wantErr || errors.Is(err, asynq.SkipRetry) != tc.wantSkip {
				t.Errorf("err = %v; want error %v, skip retry %v", err, tc.wantErr, tc.wantSkip)
			}
			res, ok, _ := e.st.Result(context.Background(), "s1")
			if ok != (tc.wantStatus != "") || res.Status != tc.wantStatus {
				t.Errorf("result %v %+v, want status %q", ok, res, tc.wantStatus)
			}
			if got := e.lastEvent(t, "s1").Type; got != tc.wantLast {
				t.Errorf("last event %s, want %s", got, tc.wantLast)
			}
			if e.obs.faults != 1 {
				t.Errorf("%d faults observed, want 1", e.obs.faults)
			}
		})
	}
}

func TestEngineFaultRetryingEvent(t *testing.T) {
	e := newEnv(t)
	e.create(t, grader.Record{ID: "s1"})
	e.eng.fn = func(context.Context, grader.Submission, grader.Progress) (grader.Result, error) {
		return grader.Result{}, errors.New("create container: dial unix /var/run/docker.sock: connection refused")
	}
	e.h.tries = func(context.Context) (int, int) { return 1, 5 }
	err := e.h.ProcessTask(context.Background(), gradeTask("s1", "notes-api"))
	if err == nil || errors.Is(err, asynq.SkipRetry) || !isFailure(err) {
		t.Fatalf("err = %v, want a counted, retryable error", err)
	}
	evs, _ := e.st.Events(context.Background(), "s1", "")
	var got []grader.Event
	for _, ev := range evs[1:] {
		ev.Event.At = time.Time{}
		got = append(got, ev.Event)
	}
	want := []grader.Event{
		{Type: grader.EventStarted, Message: "attempt 2 of 6"},
		{Type: grader.EventRetrying, Message: "a fault in the grading service interrupted grading, not your code; it is retried automatically (attempt 3 of 6 next)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if strings.Contains(evs[2].Event.Message, "docker") {
		t.Errorf("the learner sees the infrastructure error: %q", evs[2].Event.Message)
	}
	if rec, _ := e.st.Record(context.Background(), "s1"); rec.State != grader.StateGrading {
		t.Errorf("state after a fault = %s, want grading until the retry", rec.State)
	}
}

// TestLastTryStoresErrorResult: when Asynq will not retry, the learner
// gets a StatusError result (not charged) and a done event.
func TestLastTryStoresErrorResult(t *testing.T) {
	e := newEnv(t)
	e.create(t, grader.Record{ID: "s1", CallbackURL: "https://ci.example/hook"})
	e.eng.fn = func(context.Context, grader.Submission, grader.Progress) (grader.Result, error) {
		return grader.Result{}, errors.New("docker: no space left on device")
	}
	e.h.tries = func(context.Context) (int, int) { return 5, 5 }
	err := e.h.ProcessTask(context.Background(), gradeTask("s1", "notes-api"))
	if err == nil || errors.Is(err, asynq.SkipRetry) {
		t.Fatalf("err = %v, want the fault", err)
	}
	res, ok, _ := e.st.Result(context.Background(), "s1")
	want := grader.Result{SubmissionID: "s1", Challenge: "notes-api", ChallengeVersion: "v1", View: grader.ViewInstructor,
		Status: grader.StatusError, Score: 0, MaxScore: 3, Message: msgFault, Tests: []grader.TestResult{}, GradedAt: e.now}
	if diff := cmp.Diff(want, res); !ok || diff != "" {
		t.Errorf("error result (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]grader.EventType{grader.EventQueued, grader.EventStarted, grader.EventDone}, e.eventTypes(t, "s1")); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if done := e.lastEvent(t, "s1"); done.OK {
		t.Errorf("done event of an error result: %+v", done)
	}
	if _, ok, _ := e.st.Best(context.Background(), "notes-api", "ada"); ok {
		t.Error("the service's fault counts as the learner's best")
	}
	if diff := cmp.Diff([]string{"s1"}, e.hooks.ids); diff != "" {
		t.Errorf("webhooks (-want +got):\n%s", diff)
	}
	if e.obs.faults != 1 || len(e.obs.graded) != 1 || e.obs.graded[0] != grader.StatusError {
		t.Errorf("observer: %d faults, graded %v", e.obs.faults, e.obs.graded)
	}
}

// TestShutdownHandsBack: a cancelled ctx is a shutdown: the learner is
// told, the error is not counted, no result is stored.
func TestShutdownHandsBack(t *testing.T) {
	e := newEnv(t)
	e.create(t, grader.Record{ID: "s1"})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.eng.fn = func(ctx context.Context, sub grader.Submission, p grader.Progress) (grader.Result, error) {
		p.Event(grader.Event{Type: grader.EventPhaseStarted, Phase: "build"})
		cancel()
		<-ctx.Done()
		return grader.Result{}, fmt.Errorf("wait for container: %v", ctx.Err()) // not wrapped, as Docker errors often are not
	}
	err := e.h.ProcessTask(ctx, gradeTask("s1", "notes-api"))
	if !errors.Is(err, context.Canceled) || isFailure(err) {
		t.Errorf("err = %v, want one wrapping context.Canceled that is not counted", err)
	}
	last := e.lastEvent(t, "s1")
	if last.Type != grader.EventRetrying || last.Message != msgStopping {
		t.Errorf("last event %+v, want retrying: %s", last, msgStopping)
	}
	if _, ok, _ := e.st.Result(context.Background(), "s1"); ok {
		t.Error("a shutdown stored a result")
	}
	if e.obs.faults != 0 {
		t.Errorf("a shutdown counted as %d faults", e.obs.faults)
	}
}

// TestDuplicateTask: a second delivery of a graded submission's task
// grades nothing, keeps one done event and still queues the webhook.
func TestDuplicateTask(t *testing.T) {
	e := newEnv(t)
	e.create(t, grader.Record{ID: "s1", CallbackURL: "https://ci.example/hook"})
	for range 2 {
		if err := e.h.ProcessTask(context.Background(), gradeTask("s1", "notes-api")); err != nil {
			t.Fatal(err)
		}
	}
	if e.eng.Calls() != 1 {
		t.Errorf("graded %d times, want once", e.eng.Calls())
	}
	done := 0
	for _, ty := range e.eventTypes(t, "s1") {
		if ty == grader.EventDone {
			done++
		}
	}
	if done != 1 {
		t.Errorf("%d done events, want 1", done)
	}
	if diff := cmp.Diff([]string{"s1", "s1"}, e.hooks.ids); diff != "" {
		t.Errorf("webhooks (a duplicate enqueue is harmless) (-want +got):\n%s", diff)
	}

	// Saved by a grading that was lost right after: the done event came
	// with the result, and the duplicate adds none.
	e.create(t, grader.Record{ID: "s2"})
	if _, err := e.st.SaveResult(context.Background(), grader.Result{SubmissionID: "s2", Status: grader.StatusFailed}); err != nil {
		t.Fatal(err)
	}
	if err := e.h.ProcessTask(context.Background(), gradeTask("s2", "notes-api")); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]grader.EventType{grader.EventQueued, grader.EventDone}, e.eventTypes(t, "s2")); diff != "" || e.eng.Calls() != 1 {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

func TestWebhookOnlyWithCallbackURL(t *testing.T) {
	e := newEnv(t)
	e.create(t, grader.Record{ID: "plain"})
	e.create(t, grader.Record{ID: "hooked", CallbackURL: "https://ci.example/hook"})
	for _, id := range []string{"plain", "hooked"} {
		if err := e.h.ProcessTask(context.Background(), gradeTask(id, "notes-api")); err != nil {
			t.Fatal(err)
		}
	}
	if diff := cmp.Diff([]string{"hooked"}, e.hooks.ids); diff != "" {
		t.Errorf("webhooks (-want +got):\n%s", diff)
	}
	// An enqueue failure is logged and never fails the grading.
	e.hooks.err = errors.New("redis: connection pool timeout")
	e.create(t, grader.Record{ID: "hooked2", CallbackURL: "https://ci.example/hook"})
	if err := e.h.ProcessTask(context.Background(), gradeTask("hooked2", "notes-api")); err != nil {
		t.Errorf("a failed webhook enqueue failed grading: %v", err)
	}
	if !strings.Contains(e.logs.String(), "enqueue webhook") {
		t.Errorf("the failed enqueue was not logged:\n%s", e.logs)
	}
}

func TestNewGradeTask(t *testing.T) {
	if _, err := NewGradeTask(GradePayload{SubmissionID: "s"}, QueueInteractive, time.Minute); err == nil {
		t.Error("a payload without challenge was accepted")
	}
	if _, err := NewGradeTask(GradePayload{SubmissionID: "s", Challenge: "c"}, "urgent", time.Minute); err == nil {
		t.Error("an unknown queue was accepted")
	}
	if _, err := NewWebhookTask(""); err == nil {
		t.Error("a webhook task without submission was accepted")
	}
	for _, bad := range []string{`{`, `{}`, `{"submission_id":""}`} {
		if _, err := DecodeWebhookPayload([]byte(bad)); err == nil {
			t.Errorf("webhook payload %s accepted", bad)
		}
	}
	ch := &grader.Challenge{Suites: []grader.Suite{{}, {}}}
	l := grader.DefaultLimits()
	if got, want := TaskTimeout(ch), time.Minute+2*(l.BuildTimeout+l.RunTimeout+l.ReadyTimeout+30*time.Second); got != want {
		t.Errorf("TaskTimeout = %s, want %s", got, want)
	}
}

func TestServerConfig(t *testing.T) {
	g := gradeConfig(ServerConfig{})
	if g.Concurrency < 1 || g.ShutdownTimeout != 10*time.Second || g.StrictPriority || g.Logger == nil || g.TaskCheckInterval != DefaultPollInterval {
		t.Errorf("grade defaults: %+v", g)
	}
	want := map[string]int{QueueInteractive: InteractiveWeight, QueueBatch: 1}
	for i := range CohortLanes {
		want[fmt.Sprintf("cohort-%d", i)] = 1
	}
	if diff := cmp.Diff(want, g.Queues); diff != "" {
		t.Errorf("grade queues (-want +got):\n%s", diff)
	}
	w := webhookConfig(ServerConfig{})
	if diff := cmp.Diff(map[string]int{QueueWebhooks: 1}, w.Queues); diff != "" || w.Concurrency != 4 {
		t.Errorf("webhook server: concurrency %d, queues (-want +got):\n%s", w.Concurrency, diff)
	}
	if c := gradeConfig(ServerConfig{Concurrency: 3, ShutdownTimeout: time.Second, PollInterval: time.Millisecond}); c.Concurrency != 3 || c.ShutdownTimeout != time.Second || c.TaskCheckInterval != time.Millisecond {
		t.Errorf("explicit values: %+v", c)
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{errors.New("docker down"), true},
		{context.Canceled, false},
		{fmt.Errorf("grade s1: %w", context.Canceled), false},
		{context.DeadlineExceeded, true},
	} {
		if got := g.IsFailure(tc.err); got != tc.want {
			t.Errorf("IsFailure(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
	for n, bounds := range map[int][2]time.Duration{
		0: {time.Second, 2 * time.Second}, 1: {2 * time.Second, 4 * time.Second}, 3: {8 * time.Second, 16 * time.Second},
		5: {30 * time.Second, time.Minute}, 40: {30 * time.Second, time.Minute}, 1000: {30 * time.Second, time.Minute},
	} {
		for range 50 {
			if d := g.RetryDelayFunc(n, errors.New("x"), nil); d < bounds[0] || d > bounds[1] {
				t.Fatalf("retry delay after %d retries = %s, want in [%s, %s]", n, d, bounds[0], bounds[1])
			}
		}
	}
	custom := gradeConfig(ServerConfig{RetryDelay: func(n int, err error) time.Duration { return time.Duration(n) * time.Millisecond }})
	if d := custom.RetryDelayFunc(7, nil, nil); d != 7*time.Millisecond {
		t.Errorf("custom retry delay = %s", d)
	}
}

func TestAsynqLogger(t *testing.T) {
	var buf syncbuf.Buffer
	l := NewAsynqLogger(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	l.Debug("d", 1)
	l.Info("i")
	l.Warn("w")
	l.Error("e", "rr")
	l.Fatal("f") // must not exit
	out := buf.String()
	for _, want := range []string{"level=DEBUG msg=d1", "level=INFO msg=i", "level=WARN msg=w", "level=ERROR msg=err", "msg=f component=asynq fatal=true"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	NewAsynqLogger(nil).Info("dropped") // no panic
}

// TestWaitReturnsOnceGradingsEnd: Wait blocks while a grading runs (its
// ctx already cancelled, as after Shutdown) and returns once it ends.
func TestWaitReturnsOnceGradingsEnd(t *testing.T) {
	e := newEnv(t)
	e.create(t, grader.Record{ID: "s1"})
	started, release := make(chan struct{}), make(chan struct{})
	e.eng.fn = func(ctx context.Context, sub grader.Submission, p grader.Progress) (grader.Result, error) {
		close(started)
		<-release // teardown still going on after the task was handed back
		return grader.Result{}, ctx.Err()
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.h.ProcessTask(ctx, gradeTask("s1", "notes-api")) }()
	<-started
	cancel()

	short, stop := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stop()
	if err := e.h.Wait(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait while a grading runs = %v, want the deadline", err)
	}
	close(release)
	if err := e.h.Wait(context.Background()); err != nil {
		t.Errorf("Wait after the grading ended = %v", err)
	}
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("ProcessTask = %v, want context.Canceled", err)
	}
	if last := e.lastEvent(t, "s1"); last.Type != grader.EventRetrying {
		t.Errorf("last event %+v, want retrying written before Wait returned", last)
	}
}

// TestLateDuplicateGrading: two gradings of one submission ran at once
// (a worker that lost its lease, a task recovered while still running);
// the one that finishes second changes nothing, whatever it found.
func TestLateDuplicateGrading(t *testing.T) {
	e := newEnv(t)
	e.create(t, grader.Record{ID: "s1", CallbackURL: "https://ci.example/hook"})
	first := grader.Result{SubmissionID: "s1", Challenge: "notes-api", Status: grader.StatusPassed, Score: 3, MaxScore: 3}
	e.eng.fn = func(ctx context.Context, sub grader.Submission, p grader.Progress) (grader.Result, error) {
		// The other grading stores its result while this one runs.
		if _, err := e.st.SaveResult(ctx, first); err != nil {
			t.Error(err)
		}
		return grader.Result{SubmissionID: sub.ID, Challenge: "notes-api", Status: grader.StatusBuildFailed, MaxScore: 3}, nil
	}
	if err := e.h.ProcessTask(context.Background(), gradeTask("s1", "notes-api")); err != nil {
		t.Fatal(err)
	}
	if res, _, _ := e.st.Result(context.Background(), "s1"); res.Status != grader.StatusPassed || res.Score != 3 {
		t.Errorf("stored result %s %d, want the first: passed 3", res.Status, res.Score)
	}
	if rec, _ := e.st.Record(context.Background(), "s1"); rec.Status != grader.StatusPassed || rec.Score != 3 {
		t.Errorf("record %s %d, want the first result's", rec.Status, rec.Score)
	}
	if best, _, _ := e.st.Best(context.Background(), "notes-api", "ada"); best.Score != 3 {
		t.Errorf("best %d, want 3", best.Score)
	}
	if len(e.obs.graded) != 0 || len(e.hooks.ids) != 0 {
		t.Errorf("the late grading was observed %v or delivered %v", e.obs.graded, e.hooks.ids)
	}
	// The first grading's done event was stored with its result; the
	// late grading appends none.
	dones := 0
	for _, ty := range e.eventTypes(t, "s1") {
		if ty == grader.EventDone {
			dones++
		}
	}
	if dones != 1 {
		t.Errorf("the late grading appended a done event: %d done events, want the first result's one", dones)
	}
}
