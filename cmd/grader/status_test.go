package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hibiken/asynq"

	"github.com/gradebox/grader/internal/miniredistest"
)

// fakeStatusInspector is a statusInspector with function fields.
type fakeStatusInspector struct {
	QueuesFn       func() ([]string, error)
	GetQueueInfoFn func(string) (*asynq.QueueInfo, error)
	ServersFn      func() ([]*asynq.ServerInfo, error)
}

func (f *fakeStatusInspector) Queues() ([]string, error) { return f.QueuesFn() }
func (f *fakeStatusInspector) GetQueueInfo(q string) (*asynq.QueueInfo, error) {
	return f.GetQueueInfoFn(q)
}
func (f *fakeStatusInspector) Servers() ([]*asynq.ServerInfo, error) { return f.ServersFn() }

var _ statusInspector = (*fakeStatusInspector)(nil)

// busyCluster is two worker processes: host-a's with a grading server
// and a webhook server, grading two submissions, and an idle one on
// host-b whose lease lapsed.
func busyCluster(now time.Time) *fakeStatusInspector {
	return &fakeStatusInspector{
		QueuesFn: func() ([]string, error) { return []string{"interactive", "cohort-3", "webhooks", "zz-other"}, nil },
		GetQueueInfoFn: func(q string) (*asynq.QueueInfo, error) {
			switch q {
			case "interactive":
				return &asynq.QueueInfo{Queue: q, Pending: 4, Active: 1, Retry: 1, Latency: 95 * time.Second}, nil
			case "cohort-3":
				return &asynq.QueueInfo{Queue: q, Pending: 30, Active: 1, Scheduled: 2, Archived: 3, Latency: 20 * time.Minute}, nil
			}
			return &asynq.QueueInfo{Queue: q, Paused: q == "zz-other"}, nil
		},
		ServersFn: func() ([]*asynq.ServerInfo, error) {
			return []*asynq.ServerInfo{
				{Host: "host-b", PID: 7, Concurrency: 2, Queues: map[string]int{"interactive": 1000}, Started: now.Add(-time.Hour)},
				{Host: "host-a", PID: 42, Concurrency: 4, Queues: map[string]int{"interactive": 1000, "cohort-3": 1}, Started: now.Add(-3 * time.Hour),
					ActiveWorkers: []*asynq.WorkerInfo{
						{TaskID: "sub_late", TaskType: "submission:grade", Queue: "interactive", Started: now.Add(-5 * time.Second)},
						{TaskID: "sub_early", TaskType: "submission:grade", Queue: "cohort-3", Started: now.Add(-90 * time.Second)},
					}},
				{Host: "host-a", PID: 42, Concurrency: 4, Queues: map[string]int{"webhooks": 1}, Started: now.Add(-3*time.Hour + time.Second)},
			}, nil
		},
	}
}

func TestStatusText(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	leases := func(context.Context) (map[holder]string, error) {
		return map[holder]string{{"host-a", 42}: "host-a-1", {"host-a", 43}: "gone"}, nil
	}
	st, err := readStatus(context.Background(), busyCluster(now), leases, now)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := st.writeText(&out); err != nil {
		t.Fatal(err)
	}
	want := `QUEUE              PENDING  ACTIVE  SCHEDULED  RETRY  ARCHIVED  OLDEST PENDING
interactive        4        1       0          1      0         1m35s
batch              0        0       0          0      0         -
cohort-0           0        0       0          0      0         -
cohort-1           0        0       0          0      0         -
cohort-2           0        0       0          0      0         -
cohort-3           30       1       2          0      3         20m0s
cohort-4           0        0       0          0      0         -
cohort-5           0        0       0          0      0         -
cohort-6           0        0       0          0      0         -
cohort-7           0        0       0          0      0         -
webhooks           0        0       0          0      0         -
zz-other (paused)  0        0       0          0      0         -

WORKER    HOST    PID  UP      CONCURRENCY  BUSY
host-a-1  host-a  42   3h0m0s  4            2
host-b:7  host-b  7    1h0m0s  2            0

RUNNING    TYPE              QUEUE        WORKER    FOR
sub_early  submission:grade  cohort-3     host-a-1  1m30s
sub_late   submission:grade  interactive  host-a-1  5s
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestStatusNothingRunning(t *testing.T) {
	now := time.Now()
	insp := &fakeStatusInspector{
		QueuesFn:  func() ([]string, error) { return nil, nil },
		ServersFn: func() ([]*asynq.ServerInfo, error) { return nil, nil },
	}
	none := func(context.Context) (map[holder]string, error) { return nil, nil }
	st, err := readStatus(context.Background(), insp, none, now)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	_ = st.writeText(&out)
	if !strings.Contains(out.String(), "no worker is alive") {
		t.Errorf("no workers:\n%s", out.String())
	}
	insp.ServersFn = func() ([]*asynq.ServerInfo, error) {
		return []*asynq.ServerInfo{{Host: "h", PID: 1, Concurrency: 2, Started: now}}, nil
	}
	st, _ = readStatus(context.Background(), insp, none, now)
	out.Reset()
	_ = st.writeText(&out)
	if !strings.Contains(out.String(), "nothing is being graded") || strings.Contains(out.String(), "RUNNING") {
		t.Errorf("an idle worker:\n%s", out.String())
	}
}

func TestStatusErrors(t *testing.T) {
	down := errors.New("dial tcp: connection refused")
	none := func(context.Context) (map[holder]string, error) { return nil, nil }
	tests := []struct {
		name   string
		insp   *fakeStatusInspector
		leases leaseReader
		want   string
	}{
		{name: "queues", insp: &fakeStatusInspector{QueuesFn: func() ([]string, error) { return nil, down }}, leases: none, want: "list queues"},
		{name: "queue", insp: &fakeStatusInspector{QueuesFn: func() ([]string, error) { return []string{"interactive"}, nil },
			GetQueueInfoFn: func(string) (*asynq.QueueInfo, error) { return nil, down }}, leases: none, want: "read queue interactive"},
		{name: "servers", insp: &fakeStatusInspector{QueuesFn: func() ([]string, error) { return nil, nil },
			ServersFn: func() ([]*asynq.ServerInfo, error) { return nil, down }}, leases: none, want: "list workers"},
		{name: "leases", insp: &fakeStatusInspector{QueuesFn: func() ([]string, error) { return nil, nil },
			ServersFn: func() ([]*asynq.ServerInfo, error) { return nil, nil }},
			leases: func(context.Context) (map[holder]string, error) { return nil, down }, want: "connection refused"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := readStatus(context.Background(), tc.insp, tc.leases, time.Now())
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestRedisLeases reads the worker ids from the leases' keys: a lease of
// this process names it; a token of another form names nobody.
func TestRedisLeases(t *testing.T) {
	mr, rdb := miniredistest.New(t)
	mr.Set(leasePrefix+"w1", leaseToken())
	mr.Set(leasePrefix+"w2", "host-b/77/gt_x")
	mr.Set(leasePrefix+"old", "gt_0123")
	mr.Set("grader:sub:s1", "not a lease")
	ids, err := redisLeases(rdb)(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[holder]string{{leaseHost(), os.Getpid()}: "w1", {"host-b", 77}: "w2"}
	if diff := cmp.Diff(want, ids, cmp.AllowUnexported(holder{})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestStatusCommand runs `grader status`: the JSON form against a Redis,
// and the errors that say what to do.
func TestStatusCommand(t *testing.T) {
	t.Setenv("REDIS_URL", "")
	mr, rdb := miniredistest.New(t)
	ac := asynq.NewClientFromRedisClient(rdb)
	t.Cleanup(func() { ac.Close() })
	if _, err := ac.Enqueue(asynq.NewTask("submission:grade", nil), asynq.TaskID("sub_1"), asynq.Queue("interactive")); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"status", "--redis-url", "redis://" + mr.Addr(), "--format", "json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var st serviceStatus
	if err := json.Unmarshal(stdout.Bytes(), &st); err != nil {
		t.Fatalf("%v:\n%s", err, stdout.String())
	}
	if len(st.Queues) == 0 || st.Queues[0].Queue != "interactive" || st.Queues[0].Pending != 1 || st.Workers == nil {
		t.Errorf("status: %s", stdout.String())
	}

	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{name: "no redis", args: []string{"status"}, code: exitUsage, want: "pass --redis-url or set REDIS_URL"},
		{name: "redis down", args: []string{"status", "--redis-url", "redis://127.0.0.1:1"}, code: exitFault, want: "does not answer"},
		{name: "format", args: []string{"status", "--redis-url", "redis://" + mr.Addr(), "--format", "yaml"}, code: exitUsage, want: "use text or json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := run(context.Background(), tc.args, io.Discard, &stderr); code != tc.code || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, %q; want %d and %q", code, stderr.String(), tc.code, tc.want)
			}
		})
	}
}
