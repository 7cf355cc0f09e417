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
	"syscall"

	"github.com/hibiken/asynq"
	"github.com/spf13/cobra"

	"github.com/gradebox/grader/api"
	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/internal/eventhub"
	"github.com/gradebox/grader/metrics"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/signing"
	"github.com/gradebox/grader/store"
	"github.com/gradebox/grader/web"
)

func newServeCmd(cfg *Config) *cobra.Command {
	sc := DefaultServiceConfig()
	// The API serves its metrics on its own address unless told where else.
	sc.MetricsListen = os.Getenv("GRADER_METRICS_LISTEN")
	var noWorker bool
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR] [--redis-url URL] [--no-worker]",
		Short: "Run the grading service: the HTTP API and, unless --no-worker, a worker",
		Long: `Run the grading service. Without --redis-url (REDIS_URL) it starts an
embedded Redis: fine for trying it out, but nothing survives a restart.
With a real Redis, run any number of API processes (serve --no-worker)
and workers (grader worker) on any number of hosts against it; grader
status shows the queues, the workers and what each is grading.

Prometheus metrics are served at /metrics on the API's address, or only
on --metrics-listen when it is set; --metrics-token-file (or
GRADER_METRICS_TOKEN) makes /metrics ask for that bearer token.

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
	if err := sc.loadMetricsToken(); err != nil {
		return usageErr("%v", err)
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
	logCatalog(catalog, log)
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

	key, err := signingKey(ctx, sc, st, log)
	if err != nil {
		return faultErr(err)
	}
	checks := []api.Check{{Name: "redis", Probe: st.Ping}}
	var w *worker
	if withWorker {
		w, err = startWorker(ctx, cfg, sc, rc, st, qc, catalog, m, key, log)
		if err != nil {
			return err
		}
		checks = append(checks, api.Check{Name: "docker", Probe: w.env.docker.Ping})
	} else {
		checks = append(checks, api.Check{Name: "workers", Probe: workersAlive(inspector)})
	}

	// The process serves the API, its metrics, or both on two addresses.
	page := metricsPage(m, sc.MetricsToken)
	var hs, ms *http.Server
	if sc.MetricsListen != "" {
		ms = metricsServer(sc.MetricsListen, page)
		page = nil
	}
	if withAPI {
		var stopHub func()
		hs, stopHub = apiServer(ctx, sc, apiParts{
			store: st, queue: qc, catalog: catalog, tokens: tokens, checks: checks, metrics: m, page: page, key: key, log: log,
		})
		defer stopHub()
	}
	// Both addresses are taken before either is served, so a busy one
	// stops the process with nothing half started.
	var servers []*http.Server
	var listeners []net.Listener
	for _, srv := range []*http.Server{hs, ms} {
		if srv == nil {
			continue
		}
		ln, err := net.Listen("tcp", srv.Addr)
		if err != nil {
			for _, l := range listeners {
				l.Close()
			}
			w.stop(log)
			return faultErr(fmt.Errorf("listen on %s: %w", srv.Addr, err))
		}
		servers, listeners = append(servers, srv), append(listeners, ln)
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		ln := listeners[i]
		if srv == hs {
			log.Info("serving the API", "url", "http://"+ln.Addr().String(), "worker", withWorker)
			fmt.Fprintf(cmd.ErrOrStderr(), "grader: serving on http://%s (open it in a browser to sign in and submit)\n", ln.Addr())
		} else {
			log.Info("serving metrics", "url", "http://"+ln.Addr().String()+"/metrics", "token", sc.MetricsToken != "")
		}
		go func() { errc <- serveHTTP(srv, ln) }()
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
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil {
			log.Warn("requests did not drain in time", "addr", srv.Addr, "err", err)
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
	}
	for _, c := range changes {
		log.Info("catalog reloaded", "challenge", c.ID, "change", c.What, "from_version", c.From, "to_version", c.To)
	}
	logCatalog(catalog, log)
}

// logCatalog logs the challenges of the catalog that are not served
// (broken, with their problems) and the drafts among those that are.
func logCatalog(catalog *challenges.Index, log *slog.Logger) {
	for _, b := range catalog.Broken() {
		log.Error("challenge not served: it does not load", "challenge", b.ID, "err", b.Err)
	}
	for _, c := range catalog.Challenges() {
		for _, w := range c.Warnings {
			log.Warn("challenge is a draft", "challenge", c.ID, "warning", w)
		}
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

// apiParts are what the API server is built from.
type apiParts struct {
	store   *store.Redis
	queue   *queue.Client
	catalog *challenges.Index
	tokens  []api.Token
	checks  []api.Check
	metrics *metrics.Metrics
	// page serves /metrics on the API's address; nil when they are
	// served elsewhere.
	page http.Handler
	// key signs the results the API answers.
	key signing.Key
	log *slog.Logger
}

// apiServer builds the API's server and starts the event hub its event
// streams follow; stop ends the hub once the server has shut down.
func apiServer(ctx context.Context, sc ServiceConfig, p apiParts) (hs *http.Server, stop func()) {
	// One subscription and one batched read per change serve every
	// event stream of this process; it stops after the API has.
	hub := eventhub.New(eventhub.Config{Source: p.store, Logger: p.log})
	hubCtx, stopHub := context.WithCancel(context.WithoutCancel(ctx))
	hubDone := make(chan error, 1)
	limitDone := make(chan struct{})
	go func() { hubDone <- hub.Run(hubCtx) }()
	go func() {
		defer close(limitDone)
		followMemoryLimit(hubCtx, hub.Followers)
	}()
	stop = func() {
		stopHub()
		if err := <-hubDone; err != nil {
			p.log.Warn("event hub", "err", err)
		}
		<-limitDone
	}
	pages := web.New(web.Config{Catalog: p.catalog, DevTokens: devTokens(p.tokens), Logger: p.log})
	hs = api.New(api.Config{
		Store: p.store, Queue: p.queue, Catalog: p.catalog, Tokens: p.tokens, Logger: p.log, Unavailable: store.Unavailable,
		Ready: p.checks, Metrics: p.metrics, MetricsPage: p.page, WebhooksOff: sc.WebhookSecret == "",
		SubmitLimit: sc.SubmitLimit, SubmitWindow: sc.SubmitWindow, Web: pages,
		Cohorts: p.store, RegradeQueue: p.queue, CohortQuota: sc.CohortQuota, UploadSlots: sc.UploadSlots,
		Events: hub, StreamsPerSubject: sc.StreamsPerSubject, Streams: sc.Streams,
		Signer: p.key, Keys: signing.PublishedKeys{Store: p.store},
	}).HTTPServer(sc.Listen)
	// Requests (Server-Sent Events above all) end when shutdown
	// starts, rather than holding it up to its deadline.
	reqCtx, cancelRequests := context.WithCancel(context.WithoutCancel(ctx))
	hs.BaseContext = func(net.Listener) context.Context { return reqCtx }
	hs.RegisterOnShutdown(cancelRequests)
	return hs, stop
}
