//go:build integration

package main

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/redistest"
	"github.com/gradebox/grader/internal/syncbuf"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/store"
)

// TestSweepAcrossARedisOutage: a submission the API stored but could not
// enqueue is re-queued by the sweep once Redis is back, and the sweep
// says so; while Redis is down it only warns.
func TestSweepAcrossARedisOutage(t *testing.T) {
	srv := redistest.StartDurable(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr, DialTimeout: 200 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	st := store.New(store.Config{Client: rdb})
	ac := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { ac.Close() })
	qc := queue.NewClient(ac)
	catalog := challenges.NewIndex([]*grader.Challenge{{ID: "notes-api"}})
	if _, err := st.CreateSubmission(ctx, grader.Record{ID: "sub_stranded", Challenge: "notes-api", Learner: "ada",
		Queue: queue.QueueInteractive, CreatedAt: time.Now().Add(-10 * time.Minute)},
		[]grader.File{{Name: "go.mod", Mode: 0o644, Data: []byte("module x\n")}}); err != nil {
		t.Fatal(err)
	}

	var logs syncbuf.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	srv.Stop()
	requeueUnfinished(ctx, st, qc, catalog, log)
	if l := logs.String(); !strings.Contains(l, "look for unqueued submissions") || strings.Contains(l, "re-queued") {
		t.Errorf("logs while Redis is down:\n%s", l)
	}
	if err := srv.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	requeueUnfinished(ctx, st, qc, catalog, log)
	if l := logs.String(); !strings.Contains(l, `msg="re-queued a stranded submission" submission_id=sub_stranded`) {
		t.Errorf("logs once Redis is back:\n%s", l)
	}
	insp := asynq.NewInspectorFromRedisClient(rdb)
	t.Cleanup(func() { insp.Close() })
	if ti, err := insp.GetTaskInfo(queue.QueueInteractive, "sub_stranded"); err != nil || ti.State != asynq.TaskStatePending {
		t.Errorf("task after the sweep: %+v, %v; want pending", ti, err)
	}
}
