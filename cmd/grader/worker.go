package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"
	"github.com/spf13/cobra"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/metrics"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/runner"
	"github.com/gradebox/grader/signing"
	"github.com/gradebox/grader/store"
	"github.com/gradebox/grader/webhook"
)

// newWorkerCmd is `grader worker`: the grading half of the service alone.
func newWorkerCmd(cfg *Config) *cobra.Command {
	sc := DefaultServiceConfig()
	cmd := &cobra.Command{
		Use:   "worker [--redis-url URL] [--concurrency N] [--worker-id ID]",
		Short: "Grade queued submissions: one worker per Docker host, sharing one Redis",
		Long: `Grade queued submissions: one worker per Docker host, sharing the Redis
of the API (--redis-url, REDIS_URL).

SIGINT or SIGTERM stops it gracefully within --shutdown-timeout. SIGHUP
loads the catalog (--catalog) again; send it to every worker and API
process after a challenge changed (the catalog in use is kept when a
challenge fails to load).`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if sc.RedisURL == "" {
				return usageErr("a separate worker needs the Redis the API uses: pass --redis-url or set REDIS_URL (the embedded Redis lives inside `grader serve`)")
			}
			return runService(cmd, cfg, sc, false, true)
		},
	}
	sc.bindFlags(cmd, false, true)
	return cmd
}

// worker is the grading half of the process: the engine and the Asynq
// servers for grading and webhooks.
type worker struct {
	env     *engineEnv
	lease   *workerLease
	grade   *asynq.Server
	hooks   *asynq.Server
	handler *queue.Handler
	regrade *queue.RegradeHandler
	stopped sync.Once
	// sweepStop ends the goroutine that re-enqueues stranded submissions
	// and the one that watches the lease; sweepDone and watchDone are
	// closed when they have.
	sweepStop, sweepDone, watchDone chan struct{}
	// watching is set once watchLease runs.
	watching bool
}

// leaseLost is closed when another process took the worker's id; never
// for a nil worker.
func (w *worker) leaseLost() <-chan struct{} {
	if w == nil {
		return nil
	}
	return w.lease.Lost()
}

// watchLease stops the servers from fetching tasks as soon as the lease
// is lost: gradings in flight finish (their sandboxes may be removed by
// the new holder, which makes them a service fault, retried), no new one
// starts here.
func (w *worker) watchLease(log *slog.Logger) {
	defer close(w.watchDone)
	select {
	case <-w.sweepStop:
	case <-w.lease.Lost():
		w.grade.Stop()
		if w.hooks != nil {
			w.hooks.Stop()
		}
		log.Warn("stopped taking tasks: the worker id is no longer this process's")
	}
}

// requeueUnfinished enqueues again every submission still unfinished
// after unfinishedAge: one an API stored but could not enqueue (Redis
// blipped in between, or the API died). A submission whose task is still
// queued, running or waiting to retry is a duplicate, which the queue
// ignores.
//
// Each submission it does queue again is logged; one whose challenge the
// catalog lost is logged and left.
func requeueUnfinished(ctx context.Context, st *store.Redis, qc *queue.Client, catalog *challenges.Index, log *slog.Logger) {
	recs, err := st.Unfinished(ctx, unfinishedAge)
	if err != nil {
		log.Warn("look for unqueued submissions", "err", err)
		return
	}
	for _, rec := range recs {
		ch, err := catalog.Challenge(rec.Challenge)
		if err != nil {
			log.Warn("stranded submission not re-queued: its challenge is not in the catalog", "submission_id", rec.ID, "challenge", rec.Challenge, "err", err)
			continue
		}
		queued, err := qc.Requeue(ctx, rec, queue.TaskTimeout(ch))
		switch {
		case err != nil:
			log.Warn("re-enqueue submission", "submission_id", rec.ID, "err", err)
		case queued:
			log.Info("re-queued a stranded submission", "submission_id", rec.ID, "challenge", rec.Challenge,
				"state", rec.State, "created_at", rec.CreatedAt)
		}
	}
}

// sweep runs requeueUnfinished every unfinishedAge until stop, so a
// submission the API answered 503 for is graded without waiting for a
// worker to restart.
func (w *worker) sweep(st *store.Redis, qc *queue.Client, catalog *challenges.Index, log *slog.Logger) {
	defer close(w.sweepDone)
	t := time.NewTicker(unfinishedAge)
	defer t.Stop()
	for {
		select {
		case <-w.sweepStop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			requeueUnfinished(ctx, st, qc, catalog, log)
			cancel()
		}
	}
}

// handlerGrace bounds how long a stopping worker waits for handed-back
// gradings to return (they only tear down by then).
const handlerGrace = 30 * time.Second

// unfinishedAge is how old a queued submission must be before a worker
// re-enqueues it (older than any create-then-enqueue takes), and how often
// a worker looks for such submissions.
const unfinishedAge = time.Minute

// startWorker takes the worker id's lease, removes what an earlier
// process with this id left behind, re-enqueues submissions a crash left
// unqueued and starts grading.
func startWorker(ctx context.Context, cfg *Config, sc ServiceConfig, rc *redisConn, st *store.Redis, qc *queue.Client,
	catalog *challenges.Index, m *metrics.Metrics, key signing.Key, log *slog.Logger) (*worker, error) {
	lease, err := acquireLease(ctx, rc.client, sc.WorkerID, leaseTTL+2*time.Second, log)
	if err != nil {
		if errors.Is(err, errLeaseHeld) {
			return nil, usageErr("%v", err)
		}
		return nil, faultErr(err)
	}
	env, err := newWorkerEngine(ctx, cfg, sc.WorkerID, lease.Held, runner.PoolConfig{Size: sc.PoolSize, Idle: sc.PoolIdle}, log)
	if err != nil {
		lease.Release()
		return nil, err
	}
	w := &worker{env: env, lease: lease, sweepStop: make(chan struct{}), sweepDone: make(chan struct{}), watchDone: make(chan struct{})}
	if m != nil {
		m.WatchPool(func() metrics.PoolCounts {
			s := env.docker.PoolStats()
			return metrics.PoolCounts{Ready: s.Ready, Hits: s.Hits, Misses: s.Misses}
		})
	}
	requeueUnfinished(ctx, st, qc, catalog, log)
	go w.sweep(st, qc, catalog, log)
	w.handler = queue.NewHandler(queue.HandlerConfig{
		Submissions: st, Results: st, Events: st, Challenges: catalog,
		Engine: env.engine, Webhooks: qc, Observer: m, Logger: log,
		Cache: &queue.ResultCache{Store: st}, Images: env.images(), Worker: sc.WorkerID,
	})
	w.grade = queue.NewGradeServer(rc.client, queue.ServerConfig{
		Concurrency: sc.Concurrency, ShutdownTimeout: sc.ShutdownTimeout, PollInterval: sc.PollInterval, Logger: log,
	})
	w.regrade = queue.NewRegradeHandler(queue.RegradeHandlerConfig{
		Submissions: st, Challenges: catalog, Engine: env.engine, Results: st, Logger: log,
		Images: env.images(), Worker: sc.WorkerID,
	})
	mux := asynq.NewServeMux()
	mux.Handle(queue.TypeGrade, w.handler)
	mux.Handle(queue.TypeRegrade, w.regrade)
	if err := w.grade.Start(mux); err != nil {
		w.stop(log)
		return nil, faultErr(fmt.Errorf("start grading: %w", err))
	}
	if sc.WebhookSecret != "" {
		deliverer := webhook.NewDeliverer(webhook.Config{Secret: []byte(sc.WebhookSecret), AllowPrivate: sc.WebhookAllowPrivate})
		w.hooks = queue.NewWebhookServer(rc.client, queue.ServerConfig{ShutdownTimeout: sc.ShutdownTimeout, Logger: log})
		hmux := asynq.NewServeMux()
		hmux.Handle(queue.TypeWebhook, queue.NewWebhookHandler(queue.WebhookHandlerConfig{Records: st, Deliverer: deliverer, Signer: key, Cohorts: st, Logger: log}))
		if err := w.hooks.Start(hmux); err != nil {
			w.stop(log)
			return nil, faultErr(fmt.Errorf("start webhooks: %w", err))
		}
	}
	w.watching = true
	go w.watchLease(log)
	log.Info("worker started", "worker", sc.WorkerID, "concurrency", sc.Concurrency, "webhooks", sc.WebhookSecret != "")
	return w, nil
}

// stop hands back or finishes in-flight work, removes this process's
// sandboxes and frees the worker id. It is safe on a nil worker.
func (w *worker) stop(log *slog.Logger) {
	if w == nil {
		return
	}
	w.stopped.Do(func() {
		close(w.sweepStop)
		<-w.sweepDone
		if w.watching {
			<-w.watchDone
		}
		if w.grade != nil {
			w.grade.Shutdown()
			// Shutdown has handed back what did not finish in time but
			// does not wait for its handlers: let them write their last
			// events and remove their containers before Docker and
			// Redis close.
			ctx, cancel := context.WithTimeout(context.Background(), handlerGrace)
			if err := errors.Join(w.handler.Wait(ctx), w.regrade.Wait(ctx)); err != nil {
				log.Warn("gradings still running at exit; the next start removes their containers", "err", err)
			}
			cancel()
		}
		if w.hooks != nil {
			w.hooks.Shutdown()
		}
		w.env.Close()
		w.lease.Release()
	})
}
