//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/internal/redistest"
	"github.com/gradebox/grader/queue"
)

// TestStatusShowsWhatAWorkerGrades runs a real Asynq server, holding a
// worker lease, whose handler blocks on a grading task: `grader status`
// shows the worker by its id, the task it grades and the queue's depth
// and oldest wait.
func TestStatusShowsWhatAWorkerGrades(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	lease, err := acquireLease(ctx, rdb, "status-w1", 0, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer lease.Release()

	ac := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { ac.Close() })
	enqueue := func(id string) {
		t.Helper()
		if _, err := ac.Enqueue(asynq.NewTask(queue.TypeGrade, nil), asynq.TaskID(id), asynq.Queue(queue.QueueInteractive)); err != nil {
			t.Fatal(err)
		}
	}
	enqueue("sub_grading")

	picked, release := make(chan string, 1), make(chan struct{})
	server := asynq.NewServerFromRedisClient(rdb, asynq.Config{
		Concurrency: 1, Queues: map[string]int{queue.QueueInteractive: 1},
		Logger: queue.NewAsynqLogger(nil), ShutdownTimeout: 5 * time.Second,
	})
	if err := server.Start(asynq.HandlerFunc(func(ctx context.Context, task *asynq.Task) error {
		id, _ := asynq.GetTaskID(ctx)
		picked <- id
		<-release
		return nil
	})); err != nil {
		t.Fatal(err)
	}
	defer server.Shutdown()
	defer close(release)
	if id := <-picked; id != "sub_grading" {
		t.Fatalf("the server took %s", id)
	}
	// The only slot is busy: this one waits.
	enqueue("sub_waiting")

	// The server's running tasks reach Redis with its next heartbeat
	// (every 5 s).
	var st serviceStatus
	deadline := time.Now().Add(20 * time.Second)
	for {
		var stdout, stderr bytes.Buffer
		if code := run(ctx, []string{"status", "--redis-url", srv.URL(), "--format", "json"}, &stdout, &stderr); code != 0 {
			t.Fatalf("status exit %d: %s", code, stderr.String())
		}
		st = serviceStatus{}
		if err := json.Unmarshal(stdout.Bytes(), &st); err != nil {
			t.Fatal(err)
		}
		if len(st.Workers) == 1 && len(st.Workers[0].Tasks) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status never showed the worker grading:\n%s", stdout.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	w := st.Workers[0]
	if w.ID != "status-w1" || w.Concurrency != 1 || w.Tasks[0].ID != "sub_grading" || w.Tasks[0].Queue != queue.QueueInteractive {
		t.Errorf("worker %+v", w)
	}
	q := st.Queues[0]
	if q.Queue != queue.QueueInteractive || q.Pending != 1 || q.Active != 1 || q.OldestPendingSeconds <= 0 {
		t.Errorf("queue %+v, want 1 pending (waiting a while) and 1 active", q)
	}

	var text, stderr bytes.Buffer
	if code := run(ctx, []string{"status", "--redis-url", srv.URL()}, &text, &stderr); code != 0 {
		t.Fatalf("status exit %d: %s", code, stderr.String())
	}
	for _, want := range []string{"interactive  1        1", "status-w1", "sub_grading  submission:grade  interactive  status-w1"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text status lacks %q:\n%s", want, text.String())
		}
	}
}
