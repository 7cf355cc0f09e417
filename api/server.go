// Package api is the grading service's HTTP API (Gin): it decodes and
// checks requests, calls the store, the queue and the catalog through
// small interfaces, and answers JSON. No grading rules live here.
//
// Every /v1 route but /v1/openapi.json needs a bearer token; the OpenAPI
// document (openapi.json, served at /v1/openapi.json) describes them all.
// Errors answer {"error": {"code", "message"}} with the codes of
// errors.go. Every answer, pages and errors included, carries the headers
// of internal/secheaders: a strict Content-Security-Policy,
// X-Content-Type-Options: nosniff and Cache-Control: no-store (pages and
// assets, which are public, set their own caching).
package api

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/eventhub"
	"github.com/gradebox/grader/internal/secheaders"
	"github.com/gradebox/grader/regrade"
)

// Store is the part of the store the API uses. Lookups of unknown ids
// return errors wrapping grader.ErrNotFound; every other error is a
// service fault.
type Store interface {
	// CreateSubmission stores a new submission and returns the record as
	// stored (CreatedAt, Attempt set), or an error wrapping
	// grader.ErrExists if the id is taken.
	CreateSubmission(ctx context.Context, rec grader.Record, files []grader.File) (grader.Record, error)
	// Record returns a submission's record.
	Record(ctx context.Context, id string) (grader.Record, error)
	// Result returns a submission's result (instructor view) and whether
	// there is one yet.
	Result(ctx context.Context, id string) (grader.Result, bool, error)
	// List returns matching records newest first, from offset, at most
	// limit, and how many match in all.
	List(ctx context.Context, f grader.RecordFilter, offset, limit int) ([]grader.Record, int, error)
	// Best returns a learner's best standing at a challenge and whether
	// there is one.
	Best(ctx context.Context, challenge, learner string) (grader.BoardEntry, bool, error)
	// Leaderboard returns a challenge's best standings, best first.
	Leaderboard(ctx context.Context, challenge string, limit int) ([]grader.BoardEntry, error)
	// PracticeLeaderboard returns a challenge's best standings among
	// practice submissions (grader.Record.Practice), best first.
	PracticeLeaderboard(ctx context.Context, challenge string, limit int) ([]grader.BoardEntry, error)
	// AppendEvent adds a progress event to a submission's stream.
	AppendEvent(ctx context.Context, id string, ev grader.Event) (string, error)
	// Events returns the stored events after the stream id after ("" for
	// all), oldest first. A malformed after wraps
	// grader.ErrInvalidEventID.
	Events(ctx context.Context, id, after string) ([]grader.StoredEvent, error)
	// ClaimIdempotencyKey maps (subject, key) to id for ttl unless it is
	// mapped already; it returns "" when claimed now, else the id it
	// maps to.
	ClaimIdempotencyKey(ctx context.Context, subject, key, id string, ttl time.Duration) (string, error)
	// ReleaseIdempotencyKey drops the claim of (subject, key) while it
	// still maps to id.
	ReleaseIdempotencyKey(ctx context.Context, subject, key, id string) error
	// Allow counts one request against key in a fixed window and reports
	// whether it is admitted and, if not, when to retry.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error)
}

// Enqueuer queues a submission for grading.
type Enqueuer interface {
	// Enqueue queues rec's grading on its queue with the given timeout.
	// Enqueueing a submission already queued is harmless.
	Enqueue(ctx context.Context, rec grader.Record, timeout time.Duration) error
}

// Catalog lists the challenges learners may submit to.
type Catalog interface {
	// Challenge returns a challenge, or an error wrapping grader.ErrNotFound.
	Challenge(id string) (*grader.Challenge, error)
	// Challenges returns every challenge.
	Challenges() []*grader.Challenge
}

// Metrics records requests; *metrics.Metrics implements it.
type Metrics interface {
	// ObserveHTTP records one answered request by route template.
	ObserveHTTP(route, method string, status int, d time.Duration)
}

// Check is one readiness probe of GET /readyz.
type Check struct {
	// Name labels the check in the answer ("redis").
	Name string
	// Probe returns nil when the dependency is usable. It gets a context
	// that ends after CheckTimeout.
	Probe func(ctx context.Context) error
}

// CheckTimeout bounds each readiness probe.
const CheckTimeout = 2 * time.Second

// Config configures a Server. Store, Queue and Catalog are required.
type Config struct {
	Store   Store
	Queue   Enqueuer
	Catalog Catalog
	// Tokens are the bearer tokens that may call /v1.
	Tokens []Token
	// Logger receives 5xx failures; discarded if nil.
	Logger *slog.Logger
	// Metrics, when set, times every request.
	Metrics Metrics
	// MetricsPage, when set, serves GET /metrics (the Prometheus page,
	// guarded by a token or not, as the caller built it). Nil leaves the
	// route out: the process serves its metrics on another address, or
	// has none.
	MetricsPage http.Handler
	// Ready are the probes of GET /readyz, run in parallel; none means
	// always ready.
	Ready []Check
	// UploadBytes caps a request body; default 12 MiB (the archive limit
	// plus form overhead).
	UploadBytes int64
	// UploadSlots is how many submission bodies may be read, decoded and
	// stored at once; default 4. Each holds up to about UploadBytes plus
	// Limits.TotalBytes of memory (the archive and its unpacked files)
	// until it is stored, so this bounds the memory of uploads in flight.
	// A submission waits up to UploadWait for a slot, before its body is
	// read; then it answers 503 unavailable with Retry-After.
	UploadSlots int
	// UploadWait is how long a submission may wait for an upload slot;
	// default 2 seconds, negative for not at all.
	UploadWait time.Duration
	// Limits bound what a submission may hold.
	Limits grader.SubmissionLimits
	// SubmitLimit is how many submissions one subject may make per
	// SubmitWindow; default 30.
	SubmitLimit int
	// SubmitWindow is the rate limit's window; default 1 minute, at
	// least 1 second.
	SubmitWindow time.Duration
	// Cohorts keeps cohorts, issued tokens and regrades; without it the
	// cohort routes answer 404.
	Cohorts CohortStore
	// RegradeQueue queues regrades; without it regrades answer 404.
	RegradeQueue regrade.Enqueuer
	// CohortQuota is how many of a cohort's submissions may wait or be
	// graded at once; more answer 429 until some are graded. Default
	// 1000.
	CohortQuota int
	// BulkLimit is how many submissions an instructor or admin may make
	// per SubmitWindow (bulk cohort grading); default 600.
	BulkLimit int
	// Web, when set, serves every GET or HEAD request outside /v1,
	// /healthz, /readyz and /metrics: the web pages and their assets.
	Web http.Handler
	// WebhooksOff refuses submissions with a callback_url, for a service
	// that has no webhook secret to sign deliveries with. Default: webhooks
	// are accepted.
	WebhooksOff bool
	// IdempotencyTTL is how long an Idempotency-Key answers its first
	// submission; default 24 hours.
	IdempotencyTTL time.Duration
	// Events hands new events to the event streams; its owner runs and
	// stops it. Without it, event streams answer 503.
	Events *eventhub.Hub
	// StreamsPerSubject caps the event streams one subject (one token's
	// learner or instructor) may have open in this process; past it a
	// stream answers 429 with Retry-After. Default 16.
	StreamsPerSubject int
	// Streams caps the event streams open in this process in all; past
	// it a stream answers 503 with Retry-After. Default 10000.
	Streams int
	// Heartbeat is how often an idle event stream sends a comment line,
	// so proxies and clients keep it open; default 15 seconds.
	Heartbeat time.Duration
	// Unavailable reports whether an error of the stores says they could
	// not be reached right now (the service answers 503 unavailable with
	// Retry-After, to be retried, instead of 500); the service sets the
	// Redis store's. Nil treats every such error as internal.
	Unavailable func(err error) bool
	// Signer, when set, signs every result the API answers, in the view
	// it answers it in (a submission's document, the done event).
	Signer ResultSigner
	// Keys, when set, answers GET /v1/keys with the public keys that
	// check those signatures; without it that route answers 404.
	Keys KeySource
	// NewID makes submission ids; random by default.
	NewID func() string
	// Now tells the time; time.Now by default.
	Now func() time.Time
}

// Server is the HTTP API.
type Server struct {
	cfg       Config
	log       *slog.Logger
	tokens    []Token
	tokenSums [][32]byte
	// staff are the subjects of configured tokens that are not
	// learners': never shown to learners on a leaderboard.
	staff  map[string]bool
	router *gin.Engine
	// handler is router behind the security headers' middleware.
	handler http.Handler
	uploads slots
	streams *streamCaps
	// regrades starts, reads and applies regrades; nil without
	// Config.Cohorts.
	regrades *regrade.Service
}

// New returns the API server.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.UploadBytes <= 0 {
		cfg.UploadBytes = 12 << 20
	}
	if cfg.UploadSlots <= 0 {
		cfg.UploadSlots = 4
	}
	if cfg.UploadWait == 0 {
		cfg.UploadWait = 2 * time.Second
	}
	cfg.Limits = cfg.Limits.WithDefaults()
	if cfg.SubmitLimit <= 0 {
		cfg.SubmitLimit = 30
	}
	if cfg.CohortQuota <= 0 {
		cfg.CohortQuota = 1000
	}
	if cfg.BulkLimit <= 0 {
		cfg.BulkLimit = 600
	}
	if cfg.SubmitWindow < time.Second {
		cfg.SubmitWindow = time.Minute
	}
	if cfg.IdempotencyTTL <= 0 {
		cfg.IdempotencyTTL = 24 * time.Hour
	}
	if cfg.StreamsPerSubject <= 0 {
		cfg.StreamsPerSubject = 16
	}
	if cfg.Streams <= 0 {
		cfg.Streams = 10000
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.NewID == nil {
		cfg.NewID = newID
	}
	if cfg.Unavailable == nil {
		cfg.Unavailable = func(error) bool { return false }
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, log: cfg.Logger, tokens: cfg.Tokens, staff: map[string]bool{},
		uploads: newSlots(cfg.UploadSlots), streams: newStreamCaps(cfg.StreamsPerSubject, cfg.Streams)}
	for _, t := range cfg.Tokens {
		s.tokenSums = append(s.tokenSums, sha256.Sum256([]byte(t.Secret)))
		if t.Role != RoleLearner {
			s.staff[t.Subject] = true
		}
	}
	if cfg.Cohorts != nil {
		s.regrades = regrade.New(regrade.Config{Store: cfg.Cohorts, Queue: cfg.RegradeQueue, Catalog: cfg.Catalog, Logger: cfg.Logger, Now: cfg.Now})
	}
	s.router = s.routes()
	// Outside the router, so that what Gin answers without running its
	// middleware (trailing-slash redirects) carries the headers too.
	s.handler = secheaders.Handler(s.router)
	return s
}

func (s *Server) routes() *gin.Engine {
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	if s.cfg.Metrics != nil {
		r.Use(s.observe)
	}
	r.Use(gin.CustomRecovery(func(c *gin.Context, rec any) {
		s.log.Error("panic in handler", "route", c.FullPath(), "panic", rec)
		s.abort(c, Errorf(CodeInternal, "the service failed; try again later"))
	}))
	_ = r.SetTrustedProxies(nil)
	// An uploaded archive past 1 MiB waits in a temporary file, not in
	// memory, until it is decoded.
	r.MaxMultipartMemory = 1 << 20
	r.HandleMethodNotAllowed = true
	r.NoRoute(func(c *gin.Context) {
		if s.cfg.Web != nil && isPage(c.Request) {
			c.Status(http.StatusOK) // Gin presets 404 for NoRoute handlers
			s.cfg.Web.ServeHTTP(c.Writer, c.Request)
			return
		}
		s.abort(c, Errorf(CodeNotFound, "no route %s %s; GET /v1/openapi.json lists them", c.Request.Method, c.Request.URL.Path))
	})
	r.NoMethod(func(c *gin.Context) {
		s.abort(c, Errorf(CodeMethodNotAllowed, "%s is not allowed on %s; allowed: %s", c.Request.Method, c.Request.URL.Path, c.Writer.Header().Get("Allow")))
	})

	r.GET("/healthz", s.healthz)
	r.GET("/readyz", s.readyz)
	if s.cfg.MetricsPage != nil {
		r.GET("/metrics", gin.WrapH(s.cfg.MetricsPage))
	}
	r.GET("/v1/openapi.json", serveOpenAPI)
	r.GET("/v1/keys", s.keys)

	v1 := r.Group("/v1", s.authenticate)
	v1.GET("/me", s.me)
	v1.POST("/submissions", s.createSubmission)
	v1.GET("/submissions", s.listSubmissions)
	v1.GET("/submissions/:id", s.getSubmission)
	v1.GET("/submissions/:id/events", s.streamEvents)
	v1.GET("/challenges", s.listChallenges)
	v1.GET("/challenges/:id", s.getChallenge)
	v1.GET("/challenges/:id/starter", s.getStarter)
	v1.GET("/challenges/:id/leaderboard", s.leaderboard)
	v1.POST("/cohorts", s.createCohort)
	v1.GET("/cohorts", s.listCohorts)
	v1.GET("/cohorts/:id", s.getCohort)
	v1.PUT("/cohorts/:id", s.updateCohort)
	v1.POST("/cohorts/:id/tokens", s.issueTokens)
	v1.DELETE("/cohorts/:id/tokens/:learner", s.revokeToken)
	v1.GET("/cohorts/:id/report", s.cohortReport)
	v1.GET("/cohorts/:id/leaderboard", s.cohortLeaderboard)
	v1.GET("/cohorts/:id/tests", s.cohortTests)
	v1.POST("/cohorts/:id/regrades", s.createRegrade)
	v1.GET("/cohorts/:id/regrades", s.listRegrades)
	v1.GET("/cohorts/:id/regrades/:rid", s.getRegrade)
	v1.POST("/cohorts/:id/regrades/:rid/apply", s.applyRegrade)
	return r
}

// isPage reports whether r is for the web pages: a GET or HEAD outside
// the API's own paths.
func isPage(r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		return false
	}
	return r.URL.Path != "/v1" && !strings.HasPrefix(r.URL.Path, "/v1/")
}

// Handler returns the http.Handler serving the API.
func (s *Server) Handler() http.Handler { return s.handler }

// HTTPServer returns an http.Server for the API on addr with limits for
// serving it to the internet:
//   - ReadHeaderTimeout 5s and MaxHeaderBytes 64 KiB: slow or bloated
//     headers cannot hold connections;
//   - ReadTimeout 60s: a whole request, upload included, is read within
//     a minute (it ends once the body is read, so event streams are not
//     cut by it; a test checks);
//   - WriteTimeout 0: an event stream writes for as long as grading
//     takes, and a server-wide write deadline would cut every stream at
//     that age; streams have heartbeats and end with the client instead;
//   - IdleTimeout 120s: idle keep-alive connections are closed.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s.handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      0,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// observe times a request for the metrics, by route template.
func (s *Server) observe(c *gin.Context) {
	start := time.Now()
	c.Next()
	s.cfg.Metrics.ObserveHTTP(c.FullPath(), c.Request.Method, c.Writer.Status(), time.Since(start))
}
