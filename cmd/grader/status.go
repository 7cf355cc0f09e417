package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
	"github.com/spf13/cobra"

	"github.com/gradebox/grader/internal/termsafe"
	"github.com/gradebox/grader/queue"
)

// newStatusCmd is `grader status`: the queues, the workers alive and what
// each is grading, read from the service's Redis.
func newStatusCmd() *cobra.Command {
	redisURL := envOr("REDIS_URL", "")
	format := "text"
	cmd := &cobra.Command{
		Use:   "status [--redis-url URL] [--format text|json]",
		Short: "Show the queues, the workers alive and what each is grading",
		Long: `Show, from the service's Redis (--redis-url, REDIS_URL): each queue's
tasks by state (pending, active, scheduled, retry, archived) and how long
its oldest pending task has waited; each worker process alive (its
--worker-id, host, pid, start and concurrency); and every task running now
(for a grading, the task id is the submission id), on which worker and
since when.

A worker is alive while Asynq has its heartbeat: one killed without a
goodbye is listed for up to 10 s more (its last heartbeat's life).`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageErr("--format %q: use text or json", format)
			}
			if redisURL == "" {
				return usageErr("status reads the Redis the service uses: pass --redis-url or set REDIS_URL (an embedded Redis lives inside its `grader serve` and cannot be read)")
			}
			// go-redis logs each failed dial on stderr; the one error
			// below says it all for a one-shot command.
			redis.SetLogger(discardRedisLog{})
			rc, err := connectRedis(cmd.Context(), redisURL, slog.New(slog.DiscardHandler))
			if err != nil {
				return faultErr(fmt.Errorf("%w; check that --redis-url (REDIS_URL) names the service's Redis and that it runs", err))
			}
			defer rc.Close()
			insp := asynq.NewInspectorFromRedisClient(rc.client)
			defer insp.Close()
			st, err := readStatus(cmd.Context(), insp, redisLeases(rc.client), time.Now())
			if err != nil {
				return faultErr(err)
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(st)
			}
			return st.writeText(cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&redisURL, "redis-url", redisURL, "the service's Redis (env REDIS_URL)")
	cmd.Flags().StringVar(&format, "format", format, "text, or json (the same fields, times in RFC 3339)")
	return cmd
}

// discardRedisLog drops go-redis's own log lines.
type discardRedisLog struct{}

func (discardRedisLog) Printf(context.Context, string, ...any) {}

// serviceStatus is what `grader status` reports.
type serviceStatus struct {
	// At is when it was read.
	At time.Time `json:"at"`
	// Queues are the service's queues, then any other Asynq knows.
	Queues []queueStatus `json:"queues"`
	// Workers are the worker processes alive, oldest first.
	Workers []workerStatus `json:"workers"`
}

// queueStatus is one queue's tasks by state.
type queueStatus struct {
	Queue     string `json:"queue"`
	Pending   int    `json:"pending"`
	Active    int    `json:"active"`
	Scheduled int    `json:"scheduled"`
	Retry     int    `json:"retry"`
	Archived  int    `json:"archived"`
	// OldestPendingSeconds is how long the oldest pending task has
	// waited; 0 when none waits.
	OldestPendingSeconds float64 `json:"oldest_pending_seconds"`
	Paused               bool    `json:"paused,omitempty"`
}

// workerStatus is one worker process: its Asynq servers (grading, and
// webhooks when it delivers them) together.
type workerStatus struct {
	// ID is the worker's --worker-id, when its lease names this process;
	// empty for another Asynq server on the Redis.
	ID   string `json:"id,omitempty"`
	Host string `json:"host"`
	PID  int    `json:"pid"`
	// Started is when its first server started.
	Started time.Time `json:"started"`
	// Concurrency is how many submissions it may grade at once: its
	// servers on the grading queues (not its webhook deliveries).
	Concurrency int `json:"concurrency"`
	// Queues are the queues it takes tasks from.
	Queues []string `json:"queues"`
	// Tasks are the tasks it runs now, oldest first.
	Tasks []taskStatus `json:"tasks"`
}

// taskStatus is one task being run.
type taskStatus struct {
	// ID is the task id: the submission id for a grading.
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Queue   string    `json:"queue"`
	Started time.Time `json:"started"`
}

// statusInspector is the part of *asynq.Inspector that status reads.
type statusInspector interface {
	// Queues names the queues that exist.
	Queues() ([]string, error)
	// GetQueueInfo returns a queue's counts and latency.
	GetQueueInfo(queue string) (*asynq.QueueInfo, error)
	// Servers lists the Asynq servers alive, with their running tasks.
	Servers() ([]*asynq.ServerInfo, error)
}

var _ statusInspector = (*asynq.Inspector)(nil)

// holder is a worker process: host and pid.
type holder struct {
	host string
	pid  int
}

// leaseReader returns the worker id leased by each process that holds
// one.
type leaseReader func(ctx context.Context) (map[holder]string, error)

// readStatus reads the queues and the workers.
func readStatus(ctx context.Context, insp statusInspector, leases leaseReader, now time.Time) (*serviceStatus, error) {
	queues, err := readQueues(insp)
	if err != nil {
		return nil, err
	}
	servers, err := insp.Servers()
	if err != nil {
		return nil, fmt.Errorf("list workers: %w", err)
	}
	ids, err := leases(ctx)
	if err != nil {
		return nil, err
	}
	return &serviceStatus{At: now, Queues: queues, Workers: groupWorkers(servers, ids)}, nil
}

// readQueues reads the service's queues, then any other Asynq knows. A
// service queue Asynq never saw (nothing was enqueued on it) is all
// zeros.
func readQueues(insp statusInspector) ([]queueStatus, error) {
	existing, err := insp.Queues()
	if err != nil {
		return nil, fmt.Errorf("list queues: %w", err)
	}
	names := append(queue.GradeQueues(), queue.QueueWebhooks)
	var others []string
	for _, q := range existing {
		if !slices.Contains(names, q) {
			others = append(others, q)
		}
	}
	sort.Strings(others)
	names = append(names, others...)
	out := make([]queueStatus, 0, len(names))
	for _, q := range names {
		qs := queueStatus{Queue: q}
		if slices.Contains(existing, q) {
			info, err := insp.GetQueueInfo(q)
			if err != nil {
				return nil, fmt.Errorf("read queue %s: %w", q, err)
			}
			qs = queueStatus{Queue: q, Pending: info.Pending, Active: info.Active, Scheduled: info.Scheduled,
				Retry: info.Retry, Archived: info.Archived, OldestPendingSeconds: info.Latency.Seconds(), Paused: info.Paused}
		}
		out = append(out, qs)
	}
	return out, nil
}

// groupWorkers merges the Asynq servers of one process (host and pid)
// into one worker, named by the lease it holds.
func groupWorkers(servers []*asynq.ServerInfo, ids map[holder]string) []workerStatus {
	byProcess := map[holder]*workerStatus{}
	var order []holder
	for _, s := range servers {
		h := holder{s.Host, s.PID}
		w := byProcess[h]
		if w == nil {
			w = &workerStatus{ID: ids[h], Host: s.Host, PID: s.PID, Started: s.Started, Queues: []string{}, Tasks: []taskStatus{}}
			byProcess[h] = w
			order = append(order, h)
		}
		if s.Started.Before(w.Started) {
			w.Started = s.Started
		}
		grading := false
		for q := range s.Queues {
			if !slices.Contains(w.Queues, q) {
				w.Queues = append(w.Queues, q)
			}
			grading = grading || slices.Contains(queue.GradeQueues(), q)
		}
		if grading {
			w.Concurrency += s.Concurrency
		}
		for _, a := range s.ActiveWorkers {
			w.Tasks = append(w.Tasks, taskStatus{ID: a.TaskID, Type: a.TaskType, Queue: a.Queue, Started: a.Started})
		}
	}
	out := make([]workerStatus, 0, len(order))
	for _, h := range order {
		w := byProcess[h]
		sort.Strings(w.Queues)
		sort.SliceStable(w.Tasks, func(i, j int) bool { return w.Tasks[i].Started.Before(w.Tasks[j].Started) })
		out = append(out, *w)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Started.Equal(out[j].Started) {
			return out[i].Started.Before(out[j].Started)
		}
		return out[i].Host < out[j].Host || out[i].Host == out[j].Host && out[i].PID < out[j].PID
	})
	return out
}

// redisLeases reads the worker leases (see workerLease) from rdb.
func redisLeases(rdb *redis.Client) leaseReader {
	return func(ctx context.Context) (map[holder]string, error) {
		ids := map[holder]string{}
		iter := rdb.Scan(ctx, 0, leasePrefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			key := iter.Val()
			token, err := rdb.Get(ctx, key).Result()
			if errors.Is(err, redis.Nil) {
				continue // released meanwhile
			}
			if err != nil {
				return nil, fmt.Errorf("read worker lease %s: %w", key, err)
			}
			if host, pid, ok := leaseHolder(token); ok {
				ids[holder{host, pid}] = strings.TrimPrefix(key, leasePrefix)
			}
		}
		if err := iter.Err(); err != nil {
			return nil, fmt.Errorf("list worker leases: %w", err)
		}
		return ids, nil
	}
}

// writeText prints the status as three tables: queues, workers, tasks.
func (s *serviceStatus) writeText(out io.Writer) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "QUEUE\tPENDING\tACTIVE\tSCHEDULED\tRETRY\tARCHIVED\tOLDEST PENDING")
	for _, q := range s.Queues {
		name := termsafe.Text(q.Queue)
		if q.Paused {
			name += " (paused)"
		}
		fmt.Fprintf(w, "%s\t%d\t%d\t%d\t%d\t%d\t%s\n", name, q.Pending, q.Active, q.Scheduled, q.Retry, q.Archived,
			age(time.Duration(q.OldestPendingSeconds*float64(time.Second))))
	}
	fmt.Fprintln(w)
	if len(s.Workers) == 0 {
		fmt.Fprintln(w, "no worker is alive: nothing is graded until one starts (grader worker, or grader serve with its worker)")
		return w.Flush()
	}
	fmt.Fprintln(w, "WORKER\tHOST\tPID\tUP\tCONCURRENCY\tBUSY")
	running := 0
	for _, wk := range s.Workers {
		fmt.Fprintf(w, "%s\t%s\t%d\t%s\t%d\t%d\n", workerName(wk), termsafe.Text(wk.Host), wk.PID, age(s.At.Sub(wk.Started)),
			wk.Concurrency, len(wk.Tasks))
		running += len(wk.Tasks)
	}
	fmt.Fprintln(w)
	if running == 0 {
		fmt.Fprintln(w, "nothing is being graded")
		return w.Flush()
	}
	fmt.Fprintln(w, "RUNNING\tTYPE\tQUEUE\tWORKER\tFOR")
	for _, wk := range s.Workers {
		for _, t := range wk.Tasks {
			fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", termsafe.Text(t.ID), termsafe.Text(t.Type), termsafe.Text(t.Queue),
				workerName(wk), age(s.At.Sub(t.Started)))
		}
	}
	return w.Flush()
}

// workerName is the worker's id, or host:pid for a process without a
// lease (not a grader worker, or one whose lease lapsed).
func workerName(w workerStatus) string {
	if w.ID != "" {
		return termsafe.Text(w.ID)
	}
	return fmt.Sprintf("%s:%d", termsafe.Text(w.Host), w.PID)
}

// age prints a duration to the second ("-" for none).
func age(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	if d < time.Second {
		return "<1s"
	}
	return d.Truncate(time.Second).String()
}
