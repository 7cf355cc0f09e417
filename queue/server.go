package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/hibiken/asynq"
	"github.com/redis/go-redis/v9"
)

// ServerConfig configures a grade or webhook server.
type ServerConfig struct {
	// Concurrency is how many tasks run at once: default runtime.NumCPU()
	// for grading (keep it at most the sandbox slots), 4 for webhooks.
	Concurrency int
	// ShutdownTimeout is how long Shutdown lets running tasks finish
	// before it hands them back to the queue (not counted as a retry) and
	// cancels them; default 10s.
	ShutdownTimeout time.Duration
	// Logger receives Asynq's own logs; none by default.
	Logger *slog.Logger
	// RetryDelay says how long to wait before retry n+1 (n = retries so
	// far) after err; DefaultRetryDelay by default.
	RetryDelay func(n int, err error) time.Duration
	// PollInterval is how often an idle server asks Redis for a task: a
	// task queued while it sleeps waits on average about this long to be
	// picked up. Default DefaultPollInterval; Asynq's own default (1s)
	// made a submission wait about 0.5–1s before grading started.
	PollInterval time.Duration
}

// DefaultPollInterval is ServerConfig.PollInterval's default. An idle
// server then sends Redis one dequeue per queue every 25 ms or so (a few
// hundred cheap commands a second per worker), which Redis serves
// without notice, and a queued task waits about 25 ms to be picked up.
const DefaultPollInterval = 25 * time.Millisecond

// DefaultRetryDelay waits d = min(2s·2^n, 1m) with jitter: a random
// delay in [d/2, d], so that tasks failed together do not retry together.
func DefaultRetryDelay(n int, err error) time.Duration {
	d := time.Minute
	if n < 5 { // 2s·2^5 > 1m
		d = 2 * time.Second << max(n, 0)
	}
	return d/2 + rand.N(d/2+1)
}

// isFailure tells Asynq which errors count against a task's retries: a
// cancelled context is a shutdown (or an operator's cancel) handing the
// task back, not a fault of the task.
func isFailure(err error) bool {
	return err != nil && !errors.Is(err, context.Canceled)
}

// NewGradeServer returns an Asynq server for grade tasks on rdb, sharing
// the caller's connection pool (Shutdown leaves rdb open). It serves
// the grading queues with Priorities' weights: interactive work goes first
// (but for under 1% of picks), the batch lanes share the rest. Register
// the Handler for TypeGrade and the RegradeHandler for TypeRegrade on its
// mux.
func NewGradeServer(rdb redis.UniversalClient, cfg ServerConfig) *asynq.Server {
	return asynq.NewServerFromRedisClient(rdb, gradeConfig(cfg))
}

// NewWebhookServer returns an Asynq server for QueueWebhooks only, apart
// from grading so deliveries never take a grading slot (default
// concurrency 4). Register the WebhookHandler for TypeWebhook on its mux.
func NewWebhookServer(rdb redis.UniversalClient, cfg ServerConfig) *asynq.Server {
	return asynq.NewServerFromRedisClient(rdb, webhookConfig(cfg))
}

func gradeConfig(cfg ServerConfig) asynq.Config {
	c := baseConfig(cfg, runtime.NumCPU())
	c.Queues = Priorities()
	return c
}

func webhookConfig(cfg ServerConfig) asynq.Config {
	c := baseConfig(cfg, 4)
	c.Queues = map[string]int{QueueWebhooks: 1}
	return c
}

func baseConfig(cfg ServerConfig, concurrency int) asynq.Config {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = concurrency
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.RetryDelay == nil {
		cfg.RetryDelay = DefaultRetryDelay
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	delay := cfg.RetryDelay
	return asynq.Config{
		Concurrency:       cfg.Concurrency,
		ShutdownTimeout:   cfg.ShutdownTimeout,
		Logger:            NewAsynqLogger(cfg.Logger),
		RetryDelayFunc:    func(n int, err error, _ *asynq.Task) time.Duration { return delay(n, err) },
		IsFailure:         isFailure,
		TaskCheckInterval: cfg.PollInterval,
	}
}

// NewAsynqLogger adapts l to Asynq's printf-style Logger (nil: discard).
// Fatal logs at Error level and does not exit: a library does not end
// the process (and Asynq v0.26 never calls it).
func NewAsynqLogger(l *slog.Logger) asynq.Logger {
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	return asynqLogger{l: l.With("component", "asynq")}
}

type asynqLogger struct{ l *slog.Logger }

func (a asynqLogger) Debug(args ...any) { a.l.Debug(fmt.Sprint(args...)) }
func (a asynqLogger) Info(args ...any)  { a.l.Info(fmt.Sprint(args...)) }
func (a asynqLogger) Warn(args ...any)  { a.l.Warn(fmt.Sprint(args...)) }
func (a asynqLogger) Error(args ...any) { a.l.Error(fmt.Sprint(args...)) }
func (a asynqLogger) Fatal(args ...any) { a.l.Error(fmt.Sprint(args...), "fatal", true) }
