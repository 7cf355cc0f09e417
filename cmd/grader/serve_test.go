package main

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/store"
)

func TestRequeueUnfinishedEnqueuesStrandedSubmissions(t *testing.T) {
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	ctx := context.Background()
	st := store.New(store.Config{Client: rdb})
	ac := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { ac.Close() })
	qc := queue.NewClient(ac)
	catalog := challenges.NewIndex([]*grader.Challenge{{ID: "notes-api"}})
	files := []grader.File{{Name: "go.mod", Mode: 0o644, Data: []byte("module x\n")}}

	// Stored long ago and never enqueued (the API died in between).
	stranded, err := st.CreateSubmission(ctx, store.Record{ID: "sub_old", Challenge: "notes-api", Learner: "ada", Queue: queue.QueueInteractive,
		CreatedAt: time.Now().Add(-10 * time.Minute)}, files)
	if err != nil {
		t.Fatal(err)
	}
	// Stored long ago and enqueued: a second enqueue must be harmless.
	queued, err := st.CreateSubmission(ctx, store.Record{ID: "sub_queued", Challenge: "notes-api", Learner: "bob", Queue: queue.QueueInteractive,
		CreatedAt: time.Now().Add(-10 * time.Minute)}, files)
	if err != nil {
		t.Fatal(err)
	}
	if err := qc.Enqueue(ctx, queued, time.Minute); err != nil {
		t.Fatal(err)
	}
	// Just stored: its API may be enqueueing it right now.
	if _, err := st.CreateSubmission(ctx, store.Record{ID: "sub_new", Challenge: "notes-api", Learner: "cy", Queue: queue.QueueInteractive}, files); err != nil {
		t.Fatal(err)
	}

	requeueUnfinished(ctx, st, qc, catalog, slog.New(slog.DiscardHandler))

	insp := asynq.NewInspectorFromRedisClient(rdb)
	t.Cleanup(func() { insp.Close() })
	tasks, err := insp.ListPendingTasks(queue.QueueInteractive)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, ti := range tasks {
		got[ti.ID] = true
	}
	if !got[stranded.ID] || !got[queued.ID] || got["sub_new"] || len(tasks) != 2 {
		t.Errorf("pending tasks %v; want exactly %s (re-enqueued) and %s (once)", got, stranded.ID, queued.ID)
	}
}
