package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/hibiken/asynq"
	"github.com/spf13/cobra"

	"github.com/gradebox/grader/api"
	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/internal/eventhub"
	"github.com/gradebox/grader/metrics"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/store"
	"github.com/gradebox/grader/web"
	"github.com/gradebox/grader/webhook"
)

func newServeCmd(cfg *Config) *cobra.Command {
	sc := DefaultServiceConfig()
	var noWorker bool
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR] [--redis-url URL] [--no-worker]",
		Short: "Run the grading service: the HTTP API and, unless --no-worker, a worker",
		Long: `Run the grading service. Without --redis-url (REDIS_URL) it starts an
embedded Redis: fine for trying it out, but nothing survives a restart.
With a real Redis, run any number of API processes (serve --no-worker)
and workers (grader worker) on any number of hosts against it.

SIGINT or SIGTERM stops it gracefully: the API stops accepting and drains,
the worker finishes its gradings or hands them back to the queue within
--shutdown-timeout. SIGHUP loads the catalog (--catalog) again, for
example after a challenge's hidden tests changed and before a regrade:
when a challenge fails to load, the catalog in use is kept and the
problems are logged.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runService(cmd, cfg, sc, true, !noWorker)
		},
	}
	sc.bindFlags(cmd, true, true)
	cmd.Flags().BoolVar(&noWorker, "no-worker", false, "run only the API; workers run elsewhere (grader worker)")
	return cmd
}

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

// serviceLogger is the service's logger: info level unless asked
// otherwise (the CLI's default, warn, suits one-off commands).
func serviceLogger(cmd *cobra.Command, cfg *Config) (*slog.Logger, error) {
	c := *cfg
	if !cmd.Flags().Changed("log-level") && !cmd.Root().PersistentFlags().Changed("log-level") && envOr("GRADER_LOG_LEVEL", "") == "" {
		c.LogLevel = "info"
	}
	return c.logger(cmd)
}

// runService runs the API, a worker or both until ctx is done or a part
// fails, then stops them in order.
func runService(cmd *cobra.Command, cfg *Config, sc ServiceConfig, withAPI, withWorker bool) error {
	ctx := cmd.Context()
	log, err := serviceLogger(cmd, cfg)
	if err != nil {
		return err
	}
	if err := sc.Validate(withAPI, withWorker); err != nil {
		return usageErr("%v", err)
	}
	if !withAPI && !withWorker {
		return usageErr("nothing to run")
	}
	catalog, err := challenges.LoadIndex(cfg.Catalog)
	if err != nil {
		return usageErr("%v (set --catalog or GRADER_CATALOG)", err)
	}
	var tokens []api.Token
	if withAPI {
		tokens, err = loadTokens(sc.TokensFile, sc.Tokens)
		if err != nil {
			return usageErr("%v", err)
		}
		if len(tokens) == 0 {
			return usageErr("no bearer tokens: pass --tokens FILE (GRADER_TOKENS_FILE) or set GRADER_TOKENS; make one with `grader tokens new`")
		}
	}
	if withAPI && !withWorker && sc.RedisURL == "" {
		return usageErr("--no-worker needs a Redis that workers share: pass --redis-url or set REDIS_URL")
	}

	rc, err := connectRedis(ctx, sc.RedisURL, log)
	if err != nil {
		return faultErr(err)
	}
	defer rc.Close()
	st := store.New(store.Config{Client: rc.client, FilesTTL: sc.FilesTTL})
	m := metrics.New()
	inspector := asynq.NewInspectorFromRedisClient(rc.client)
	defer inspector.Close()
	m.WatchQueues(inspector, append(queue.GradeQueues(), queue.QueueWebhooks))
	aclient := asynq.NewClientFromRedisClient(rc.client)
	defer aclient.Close()
	qc := queue.NewClient(aclient)

	checks := []api.Check{{Name: "redis", Probe: st.Ping}}
	var w *worker
	if withWorker {
		w, err = startWorker(ctx, cfg, sc, rc, st, qc, catalog, m, log)
		if err != nil {
			return err
		}
		checks = append(checks, api.Check{Name: "docker", Probe: w.env.docker.Ping})
	} else {
		checks = append(checks, api.Check{Name: "workers", Probe: workersAlive(inspector)})
	}

	// The process serves the API, or for a worker alone its metrics.
	var hs *http.Server
	var hub *eventhub.Hub
	hubDone := make(chan error, 1)
	switch {
	case withAPI:
		// One subscription and one batched read per change serve every
		// event stream of this process; it stops after the API has.
		hub = eventhub.New(eventhub.Config{Source: st, Logger: log})
		hubCtx, stopHub := context.WithCancel(context.WithoutCancel(ctx))
		limitDone := make(chan struct{})
		defer func() {
			stopHub()
			if err := <-hubDone; err != nil {
				log.Warn("event hub", "err", err)
			}
			<-limitDone
		}()
		go func() { hubDone <- hub.Run(hubCtx) }()
		go func() {
			defer close(limitDone)
			followMemoryLimit(hubCtx, hub.Followers)
		}()
		pages := web.New(web.Config{Catalog: catalog, DevTokens: devTokens(tokens), Logger: log})
		hs = api.New(api.Config{
			Store: st, Queue: qc, Catalog: catalog, Tokens: tokens, Logger: log, Unavailable: store.Unavailable,
			Ready: checks, Metrics: m, WebhooksOff: sc.WebhookSecret == "",
			SubmitLimit: sc.SubmitLimit, SubmitWindow: sc.SubmitWindow, Web: pages,
			Cohorts: st, RegradeQueue: qc, CohortQuota: sc.CohortQuota, UploadSlots: sc.UploadSlots,
			Events: hub, StreamsPerSubject: sc.StreamsPerSubject, Streams: sc.Streams,
		}).HTTPServer(sc.Listen)
		// Requests (Server-Sent Events above all) end when shutdown
		// starts, rather than holding it up to its deadline.
		reqCtx, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
		hs.BaseContext = func(net.Listener) context.Context { return reqCtx }
		hs.RegisterOnShutdown(cancelRequests)
	case sc.MetricsListen != "":
		mux := http.NewServeMux()
		mux.Handle("/metrics", m.Handler())
		mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprintln(w, `{"status":"ok"}`) })
		hs = &http.Server{Addr: sc.MetricsListen, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	}
	errc := make(chan error, 1)
	if hs != nil {
		ln, err := net.Listen("tcp", hs.Addr)
		if err != nil {
			w.stop(log)
			return faultErr(fmt.Errorf("listen on %s: %w", hs.Addr, err))
		}
		if withAPI {
			log.Info("serving the API", "url", "http://"+ln.Addr().String(), "worker", withWorker)
			fmt.Fprintf(cmd.ErrOrStderr(), "grader: serving on http://%s (open it in a browser to sign in and submit)\n", ln.Addr())
		} else {
			log.Info("serving worker metrics", "url", "http://"+ln.Addr().String()+"/metrics")
		}
		go func() { errc <- serveHTTP(hs, ln) }()
	}

	stopReloads := reloadOnHangup(catalog, log)
	defer stopReloads()

	var runErr error
	select {
	case <-ctx.Done():
		log.Info("stopping", "deadline", sc.ShutdownTimeout)
	case runErr = <-errc:
		log.Error("stopping after a failure", "err", runErr)
	case <-w.leaseLost():
		runErr = fmt.Errorf("%w: another process took worker id %q", errLeaseLost, sc.WorkerID)
		log.Error("stopping after a failure", "err", runErr)
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sc.ShutdownTimeout)
	defer cancel()
	if hs != nil {
		if err := hs.Shutdown(sctx); err != nil {
			log.Warn("requests did not drain in time", "err", err)
		}
	}
	w.stop(log)
	log.Info("stopped")
	if runErr != nil {
		return faultErr(runErr)
	}
	return nil
}

// reloadOnHangup loads the catalog again on each SIGHUP until the
// returned function is called.
func reloadOnHangup(catalog *challenges.Index, log *slog.Logger) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-done:
				return
			case <-hup:
				reloadCatalog(catalog, log)
			}
		}
	}()
	return func() { signal.Stop(hup); close(done) }
}

// reloadCatalog loads the catalog again and logs what changed, or why
// nothing did.
func reloadCatalog(catalog *challenges.Index, log *slog.Logger) {
	changes, err := catalog.Reload()
	if err != nil {
		log.Error("catalog not reloaded", "err", err)
		return
	}
	if len(changes) == 0 {
		log.Info("catalog reloaded: nothing changed", "challenges", len(catalog.Challenges()))
		return
	}
	for _, c := range changes {
		log.Info("catalog reloaded", "challenge", c.ID, "change", c.What, "from_version", c.From, "to_version", c.To)
	}
}

// serveHTTP serves until Shutdown; a closed server is not an error.
func serveHTTP(hs *http.Server, ln net.Listener) error {
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	}
	return nil
}

// workersAlive is the readiness probe of an API without its own worker:
// somebody must be there to grade.
func workersAlive(insp *asynq.Inspector) func(context.Context) error {
	return func(ctx context.Context) error {
		servers, err := insp.Servers()
		if err != nil {
			return fmt.Errorf("list workers: %w", err)
		}
		if len(servers) == 0 {
			return errors.New("no worker is running: start one with `grader worker`")
		}
		return nil
	}
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
	catalog *challenges.Index, m *metrics.Metrics, log *slog.Logger) (*worker, error) {
	lease, err := acquireLease(ctx, rc.client, sc.WorkerID, leaseTTL+2*time.Second, log)
	if err != nil {
		if errors.Is(err, errLeaseHeld) {
			return nil, usageErr("%v", err)
		}
		return nil, faultErr(err)
	}
	env, err := newWorkerEngine(ctx, cfg, sc.WorkerID, lease.Held, log)
	if err != nil {
		lease.Release()
		return nil, err
	}
	w := &worker{env: env, lease: lease, sweepStop: make(chan struct{}), sweepDone: make(chan struct{}), watchDone: make(chan struct{})}
	requeueUnfinished(ctx, st, qc, catalog, log)
	go w.sweep(st, qc, catalog, log)
	w.handler = queue.NewHandler(queue.HandlerConfig{
		Submissions: st, Results: st, Events: st, Challenges: catalog,
		Engine: env.engine, Webhooks: qc, Observer: m, Logger: log,
	})
	w.grade = queue.NewGradeServer(rc.client, queue.ServerConfig{
		Concurrency: sc.Concurrency, ShutdownTimeout: sc.ShutdownTimeout, Logger: log,
	})
	w.regrade = queue.NewRegradeHandler(queue.RegradeHandlerConfig{
		Submissions: st, Challenges: catalog, Engine: env.engine, Results: st, Logger: log,
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
		hmux.Handle(queue.TypeWebhook, queue.NewWebhookHandler(queue.WebhookHandlerConfig{Records: st, Deliverer: deliverer, Logger: log}))
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
