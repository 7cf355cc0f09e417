package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/hibiken/asynq"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/miniredistest"
	"github.com/gradebox/grader/internal/syncbuf"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/store"
)

func TestRequeueUnfinishedEnqueuesStrandedSubmissions(t *testing.T) {
	rdb := miniredistest.Client(t)
	ctx := context.Background()
	st := store.New(store.Config{Client: rdb})
	ac := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { ac.Close() })
	qc := queue.NewClient(ac)
	catalog := challenges.NewIndex([]*grader.Challenge{{ID: "notes-api"}})
	files := []grader.File{{Name: "go.mod", Mode: 0o644, Data: []byte("module x\n")}}

	// Stored long ago and never enqueued (the API died in between).
	stranded, err := st.CreateSubmission(ctx, grader.Record{ID: "sub_old", Challenge: "notes-api", Learner: "ada", Queue: queue.QueueInteractive,
		CreatedAt: time.Now().Add(-10 * time.Minute)}, files)
	if err != nil {
		t.Fatal(err)
	}
	// Stored long ago and enqueued: a second enqueue must be harmless.
	queued, err := st.CreateSubmission(ctx, grader.Record{ID: "sub_queued", Challenge: "notes-api", Learner: "bob", Queue: queue.QueueInteractive,
		CreatedAt: time.Now().Add(-10 * time.Minute)}, files)
	if err != nil {
		t.Fatal(err)
	}
	if err := qc.Enqueue(ctx, queued, time.Minute); err != nil {
		t.Fatal(err)
	}
	// Just stored: its API may be enqueueing it right now.
	if _, err := st.CreateSubmission(ctx, grader.Record{ID: "sub_new", Challenge: "notes-api", Learner: "cy", Queue: queue.QueueInteractive}, files); err != nil {
		t.Fatal(err)
	}

	var logs syncbuf.Buffer
	requeueUnfinished(ctx, st, qc, catalog, slog.New(slog.NewTextHandler(&logs, nil)))

	// Only what it did queue again is logged.
	if l := logs.String(); !strings.Contains(l, `msg="re-queued a stranded submission" submission_id=sub_old`) || strings.Count(l, "re-queued") != 1 {
		t.Errorf("logs:\n%s\nwant one line for sub_old", l)
	}

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

// TestHangupReloadsCatalog sends the process SIGHUP: the catalog picks up
// an edited hidden test (a new version), and a broken edit is refused
// with the catalog in use kept.
func TestHangupReloadsCatalog(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "fix-ledger"), os.DirFS("../../challenges/fix-ledger")); err != nil {
		t.Fatal(err)
	}
	catalog, err := challenges.LoadIndex(root)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := catalog.Challenge("fix-ledger")
	var logs syncbuf.Buffer
	stop := reloadOnHangup(catalog, slog.New(slog.NewTextHandler(&logs, nil)))
	defer stop()

	// hangup signals the process and waits for the reload's log line.
	hangup := func(t *testing.T, want string) {
		t.Helper()
		if err := syscall.Kill(os.Getpid(), syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(logs.String(), want) {
			if time.Now().After(deadline) {
				t.Fatalf("no %q logged after SIGHUP; logs:\n%s", want, logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
	}

	hidden := filepath.Join(root, "fix-ledger", "tests", "ledger_hidden_test.go")
	f, err := os.OpenFile(hidden, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(f, "\n// a stricter test would go here")
	f.Close()
	hangup(t, "challenge=fix-ledger change=changed")
	after, _ := catalog.Challenge("fix-ledger")
	if after.Version == before.Version {
		t.Fatalf("version still %s after the hidden test changed and SIGHUP", after.Version)
	}
	if l := logs.String(); !strings.Contains(l, "to_version="+after.Version) {
		t.Errorf("the reload log does not name the new version %s:\n%s", after.Version, l)
	}

	yaml := filepath.Join(root, "fix-ledger", "challenge.yaml")
	if err := os.WriteFile(yaml, []byte("id: fix-ledger\npoints: lots\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	hangup(t, "catalog not reloaded")
	if kept, _ := catalog.Challenge("fix-ledger"); kept != after {
		t.Error("a broken challenge replaced the catalog in use")
	}
}

// TestServiceLogsBrokenChallengesAndDrafts: at start the service serves
// the challenges that load and logs the others, with their problems, and
// the drafts' warnings.
func TestServiceLogsBrokenChallengesAndDrafts(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS("../../challenges/testdata/broken")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(root, "good", "mutants", "zero")); err != nil {
		t.Fatal(err)
	}
	catalog, err := challenges.LoadIndex(root)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncbuf.Buffer
	logCatalog(catalog, slog.New(slog.NewTextHandler(&logs, nil)))
	l := logs.String()
	for _, want := range []string{
		`level=ERROR msg="challenge not served: it does not load" challenge=bad-memory err=`,
		`limits.memory`,
		`challenge=wrong-id`,
		`level=WARN msg="challenge is a draft" challenge=good warning=`,
	} {
		if !strings.Contains(l, want) {
			t.Errorf("logs do not hold %q:\n%s", want, l)
		}
	}
	if _, err := catalog.Challenge("good"); err != nil {
		t.Errorf("the draft is not served: %v", err)
	}
}
