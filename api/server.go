// Package api is the grading service's HTTP API (Gin): it decodes and
// checks requests, calls the store, the queue and the catalog through
// small interfaces, and answers JSON. No grading rules live here.
package api

import (
	"context"
	"crypto/sha256"
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/store"
)

// Store is the part of the store the API uses.
type Store interface {
	CreateSubmission(ctx context.Context, rec store.Record, files []grader.File) error
	Record(ctx context.Context, id string) (store.Record, error)
	Result(ctx context.Context, id string) (grader.Result, bool, error)
}

// Enqueuer queues a submission for grading.
type Enqueuer interface {
	// Enqueue queues rec's grading on its queue with the given timeout.
	Enqueue(ctx context.Context, rec store.Record, timeout time.Duration) error
}

// Catalog lists the challenges learners may submit to.
type Catalog interface {
	// Challenge returns a challenge, or an error wrapping grader.ErrNotFound.
	Challenge(id string) (*grader.Challenge, error)
	Challenges() []*grader.Challenge
}

// Config configures a Server.
type Config struct {
	Store   Store
	Queue   Enqueuer
	Catalog Catalog
	Tokens  []Token
	Logger  *slog.Logger
	// UploadBytes caps a request body; default 12 MiB (the archive limit
	// plus form overhead).
	UploadBytes int64
	// Limits bound what a submission may hold.
	Limits grader.SubmissionLimits
	// NewID makes submission ids; random by default.
	NewID func() string
}

// Server is the HTTP API.
type Server struct {
	cfg       Config
	log       *slog.Logger
	tokens    []Token
	tokenSums [][32]byte
	router    *gin.Engine
}

// New returns the API server.
func New(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.UploadBytes <= 0 {
		cfg.UploadBytes = 12 << 20
	}
	cfg.Limits = cfg.Limits.WithDefaults()
	if cfg.NewID == nil {
		cfg.NewID = newID
	}
	s := &Server{cfg: cfg, log: cfg.Logger, tokens: cfg.Tokens}
	for _, t := range cfg.Tokens {
		s.tokenSums = append(s.tokenSums, sha256.Sum256([]byte(t.Secret)))
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.Use(gin.CustomRecovery(func(c *gin.Context, rec any) {
		s.log.Error("panic in handler", "path", c.FullPath(), "panic", rec)
		abort(c, s.log, Errorf(CodeInternal, "the service failed; try again later"))
	}))
	_ = r.SetTrustedProxies(nil)
	r.MaxMultipartMemory = 16 << 20
	r.NoRoute(func(c *gin.Context) {
		abort(c, s.log, Errorf(CodeNotFound, "no route %s %s", c.Request.Method, c.Request.URL.Path))
	})
	r.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	v1 := r.Group("/v1", s.authenticate)
	v1.POST("/submissions", s.createSubmission)
	v1.GET("/submissions/:id", s.getSubmission)
	v1.GET("/challenges", s.listChallenges)
	v1.GET("/challenges/:id", s.getChallenge)
	s.router = r
	return s
}

// Handler returns the http.Handler serving the API.
func (s *Server) Handler() http.Handler { return s.router }
