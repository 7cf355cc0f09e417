package queue

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
)

// fakes, each a function field so a test sets only what it needs.
type fakeSubmissions struct {
	fn func(id string) (grader.Submission, error)
}

func (f fakeSubmissions) Submission(ctx context.Context, id string) (grader.Submission, error) {
	return f.fn(id)
}

type fakeChallenges map[string]*grader.Challenge

func (f fakeChallenges) Challenge(id string) (*grader.Challenge, error) {
	if c, ok := f[id]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("challenge %s: %w", id, grader.ErrNotFound)
}

type fakeEngine struct {
	mu    sync.Mutex
	calls int
	err   error
}

func (f *fakeEngine) Grade(ctx context.Context, ch *grader.Challenge, sub grader.Submission, p grader.Progress) (grader.Result, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return grader.Result{}, f.err
	}
	return grader.Result{SubmissionID: sub.ID, Challenge: ch.ID, Status: grader.StatusPassed, Score: 3, MaxScore: 3}, nil
}

type memResults struct {
	mu   sync.Mutex
	byID map[string]grader.Result
}

func (m *memResults) Result(ctx context.Context, id string) (grader.Result, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.byID[id]
	return r, ok, nil
}

func (m *memResults) SaveResult(ctx context.Context, res grader.Result) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.byID[res.SubmissionID] = res
	return nil
}

func newHandler(eng *fakeEngine, results *memResults) *Handler {
	return NewHandler(HandlerConfig{
		Submissions: fakeSubmissions{fn: func(id string) (grader.Submission, error) {
			if id == "missing" {
				return grader.Submission{}, fmt.Errorf("submission %s: %w", id, grader.ErrNotFound)
			}
			if id == "redis-down" {
				return grader.Submission{}, errors.New("dial tcp: connection refused")
			}
			return grader.Submission{ID: id}, nil
		}},
		Challenges: fakeChallenges{"notes-api": {ID: "notes-api"}},
		Engine:     eng,
		Results:    results,
	})
}

func TestProcessTask(t *testing.T) {
	tests := []struct {
		name      string
		payload   string
		engineErr error
		wantSkip  bool
		wantErr   bool
		wantSaved bool
	}{
		{"grades and saves", `{"submission_id":"s1","challenge":"notes-api"}`, nil, false, false, true},
		{"poison payload", `{not json`, nil, true, true, false},
		{"missing fields", `{"submission_id":"s1"}`, nil, true, true, false},
		{"unknown challenge", `{"submission_id":"s1","challenge":"nope"}`, nil, true, true, false},
		{"unknown submission", `{"submission_id":"missing","challenge":"notes-api"}`, nil, true, true, false},
		{"store outage is retried", `{"submission_id":"redis-down","challenge":"notes-api"}`, nil, false, true, false},
		{"engine fault is retried", `{"submission_id":"s1","challenge":"notes-api"}`, errors.New("docker: connection refused"), false, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			eng := &fakeEngine{err: tc.engineErr}
			results := &memResults{byID: map[string]grader.Result{}}
			err := newHandler(eng, results).ProcessTask(context.Background(), asynq.NewTask(TypeGrade, []byte(tc.payload)))
			if (err != nil) != tc.wantErr || errors.Is(err, asynq.SkipRetry) != tc.wantSkip {
				t.Errorf("err = %v; want error %v, skip retry %v", err, tc.wantErr, tc.wantSkip)
			}
			if _, saved := results.byID["s1"]; saved != tc.wantSaved {
				t.Errorf("saved = %v, want %v", saved, tc.wantSaved)
			}
		})
	}
}

func TestProcessTaskIsIdempotent(t *testing.T) {
	eng := &fakeEngine{}
	results := &memResults{byID: map[string]grader.Result{"s1": {SubmissionID: "s1", Status: grader.StatusFailed}}}
	if err := newHandler(eng, results).ProcessTask(context.Background(), asynq.NewTask(TypeGrade, []byte(`{"submission_id":"s1","challenge":"notes-api"}`))); err != nil {
		t.Fatal(err)
	}
	if eng.calls != 0 || results.byID["s1"].Status != grader.StatusFailed {
		t.Errorf("a graded submission was graded again (%d calls)", eng.calls)
	}
}

func TestNewGradeTask(t *testing.T) {
	if _, err := NewGradeTask(GradePayload{SubmissionID: "s"}, QueueInteractive, time.Minute); err == nil {
		t.Error("a payload without challenge was accepted")
	}
	if _, err := NewGradeTask(GradePayload{SubmissionID: "s", Challenge: "c"}, "urgent", time.Minute); err == nil {
		t.Error("an unknown queue was accepted")
	}
	ch := &grader.Challenge{Suites: []grader.Suite{{}, {}}}
	l := grader.DefaultLimits()
	if got, want := TaskTimeout(ch), time.Minute+2*(l.BuildTimeout+l.RunTimeout+l.ReadyTimeout+30*time.Second); got != want {
		t.Errorf("TaskTimeout = %s, want %s", got, want)
	}
}

// TestQueueRoundTrip enqueues through Asynq on an in-process Redis and
// lets a real Asynq server run the handler.
func TestQueueRoundTrip(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	defer rdb.Close()
	client := asynq.NewClientFromRedisClient(rdb)
	eng := &fakeEngine{}
	results := &memResults{byID: map[string]grader.Result{}}
	srv := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency: 2, Queues: Priorities(), StrictPriority: true,
		TaskCheckInterval: 50 * time.Millisecond, DelayedTaskCheckInterval: 50 * time.Millisecond,
		Logger: quietLogger{},
	})
	mux := asynq.NewServeMux()
	mux.Handle(TypeGrade, newHandler(eng, results))
	if err := srv.Start(mux); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown()

	task, err := NewGradeTask(GradePayload{SubmissionID: "s1", Challenge: "notes-api"}, QueueInteractive, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.EnqueueContext(context.Background(), task); err != nil {
		t.Fatal(err)
	}
	if _, err := client.EnqueueContext(context.Background(), task); !errors.Is(err, asynq.ErrTaskIDConflict) {
		t.Errorf("a duplicate enqueue = %v, want ErrTaskIDConflict", err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if _, ok, _ := results.Result(context.Background(), "s1"); ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the task was not processed")
		}
		time.Sleep(20 * time.Millisecond)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	defer insp.Close()
	var info *asynq.TaskInfo
	for time.Now().Before(deadline) {
		if info, err = insp.GetTaskInfo(QueueInteractive, "s1"); err == nil && info.State == asynq.TaskStateCompleted {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if info == nil || info.State != asynq.TaskStateCompleted || string(info.Result) != `{"max_score":3,"score":3,"status":"passed"}` {
		t.Errorf("task info %+v", info)
	}
	if eng.calls != 1 {
		t.Errorf("graded %d times, want once", eng.calls)
	}
}

// quietLogger keeps Asynq's own logs out of test output.
type quietLogger struct{}

func (quietLogger) Debug(args ...any) {}
func (quietLogger) Info(args ...any)  {}
func (quietLogger) Warn(args ...any)  {}
func (quietLogger) Error(args ...any) {}
func (quietLogger) Fatal(args ...any) {}
