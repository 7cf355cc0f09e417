package main

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/runner"
)

// ServiceConfig configures `grader serve` and `grader worker`, from flags
// and environment variables; DefaultServiceConfig holds the defaults.
type ServiceConfig struct {
	// Listen is the API's address (GRADER_LISTEN; default 127.0.0.1:8080,
	// loopback only: set 0.0.0.0:8080 to serve other machines).
	Listen string
	// RedisURL is the Redis holding the queue and the store (REDIS_URL,
	// e.g. redis://localhost:6379/0). Empty starts an embedded in-process
	// Redis, for trying the service out: nothing it holds survives a
	// restart, and other processes cannot share it.
	RedisURL string
	// Concurrency is how many submissions a worker grades at once
	// (GRADER_CONCURRENCY; default the number of CPUs).
	Concurrency int
	// WorkerID names this worker's sandboxes so a restarted worker removes
	// what it left behind (GRADER_WORKER_ID; default the host name). Two
	// workers on one host need different ids; a second worker with a live
	// id refuses to start.
	WorkerID string
	// PoolSize is how many warm boxes a worker keeps started ahead of need
	// (GRADER_POOL_SIZE; default 6; 0 turns the pool off). PoolIdle is how
	// long a kind of box nobody asked for stays warm (GRADER_POOL_IDLE;
	// default 10m).
	PoolSize int
	PoolIdle time.Duration
	// TokensFile is the JSON file of bearer tokens (GRADER_TOKENS_FILE;
	// see `grader tokens new`). Tokens may also come from GRADER_TOKENS
	// ("role:subject:token,...").
	TokensFile string
	// Tokens is GRADER_TOKENS.
	Tokens string
	// WebhookSecret signs webhook bodies (GRADER_WEBHOOK_SECRET). Empty
	// turns webhooks off: submissions with a callback_url are refused.
	WebhookSecret string
	// WebhookAllowPrivate lets webhooks reach loopback and private
	// addresses (GRADER_WEBHOOK_ALLOW_PRIVATE=true; default false, so a
	// callback URL cannot probe the service's own network).
	WebhookAllowPrivate bool
	// SigningKeyFile is the PEM Ed25519 private key that signs results
	// (GRADER_SIGNING_KEY_FILE), made there on first start when missing.
	// Empty: the key shared in Redis, made by the first process to start.
	SigningKeyFile string
	// ShutdownTimeout bounds a graceful stop: the API drains its requests
	// and the worker finishes its gradings or hands them back to the queue
	// (GRADER_SHUTDOWN_TIMEOUT; default 20s).
	ShutdownTimeout time.Duration
	// SubmitLimit and SubmitWindow bound how many submissions one learner
	// makes (GRADER_SUBMIT_LIMIT, default 30, per GRADER_SUBMIT_WINDOW,
	// default 1m).
	SubmitLimit  int
	SubmitWindow time.Duration
	// CohortQuota is how many of one cohort's submissions may wait or be
	// graded at once; more answer 429 (GRADER_COHORT_QUOTA; default 1000).
	CohortQuota int
	// UploadSlots is how many submission uploads the API reads and
	// decodes at once; more answer 503 with Retry-After
	// (GRADER_UPLOAD_SLOTS; default 4, each up to about 32 MiB).
	UploadSlots int
	// StreamsPerSubject caps the event streams one token's subject may
	// have open on one API process; more answer 429
	// (GRADER_STREAMS_PER_SUBJECT; default 16).
	StreamsPerSubject int
	// Streams caps the event streams open on one API process; more answer
	// 503 (GRADER_STREAMS; default 10000).
	Streams int
	// FilesTTL is how long a graded submission's files and events are kept
	// (GRADER_FILES_TTL; default 24h).
	FilesTTL time.Duration
	// MetricsListen is a separate address serving /metrics and /healthz
	// (GRADER_METRICS_LISTEN). For `grader worker` it defaults to
	// 127.0.0.1:9090, and empty turns metrics off. For `grader serve` it
	// defaults to empty: /metrics is served on Listen with the API; an
	// address moves it there, off the API's address (which then answers
	// /metrics with 404), e.g. to keep it on a private interface.
	MetricsListen string
	// MetricsToken, when set, is the bearer token /metrics asks for
	// wherever it is served: without it, 401 (GRADER_METRICS_TOKEN, or
	// the first line of the file GRADER_METRICS_TOKEN_FILE names, which
	// keeps it out of the environment; default empty: no token). At least
	// 16 characters. It is not one of the API's tokens.
	MetricsToken string
	// MetricsTokenFile is --metrics-token-file (GRADER_METRICS_TOKEN_FILE);
	// loadMetricsToken reads it into MetricsToken.
	MetricsTokenFile string
	// PollInterval is how often an idle worker asks Redis for a task
	// (GRADER_POLL_INTERVAL; default 25ms): about how long a submission
	// waits to be picked up by an idle worker.
	PollInterval time.Duration
}

// defaultWorkerMetrics is where a lone worker serves its metrics.
const defaultWorkerMetrics = "127.0.0.1:9090"

// DefaultServiceConfig returns the defaults, overridden by environment
// variables. MetricsListen is the worker's default; newServeCmd clears it
// unless GRADER_METRICS_LISTEN is set.
func DefaultServiceConfig() ServiceConfig {
	host, _ := os.Hostname()
	return ServiceConfig{
		Listen:              envOr("GRADER_LISTEN", "127.0.0.1:8080"),
		RedisURL:            os.Getenv("REDIS_URL"),
		Concurrency:         envInt("GRADER_CONCURRENCY", runtime.NumCPU()),
		WorkerID:            envOr("GRADER_WORKER_ID", host),
		PoolSize:            envInt("GRADER_POOL_SIZE", runner.DefaultPoolSize),
		PoolIdle:            envDuration("GRADER_POOL_IDLE", runner.DefaultPoolIdle),
		TokensFile:          os.Getenv("GRADER_TOKENS_FILE"),
		Tokens:              os.Getenv("GRADER_TOKENS"),
		WebhookSecret:       os.Getenv("GRADER_WEBHOOK_SECRET"),
		WebhookAllowPrivate: os.Getenv("GRADER_WEBHOOK_ALLOW_PRIVATE") == "true",
		SigningKeyFile:      os.Getenv("GRADER_SIGNING_KEY_FILE"),
		ShutdownTimeout:     envDuration("GRADER_SHUTDOWN_TIMEOUT", 20*time.Second),
		SubmitLimit:         envInt("GRADER_SUBMIT_LIMIT", 30),
		CohortQuota:         envInt("GRADER_COHORT_QUOTA", 1000),
		SubmitWindow:        envDuration("GRADER_SUBMIT_WINDOW", time.Minute),
		UploadSlots:         envInt("GRADER_UPLOAD_SLOTS", 4),
		StreamsPerSubject:   envInt("GRADER_STREAMS_PER_SUBJECT", 16),
		Streams:             envInt("GRADER_STREAMS", 10000),
		FilesTTL:            envDuration("GRADER_FILES_TTL", 24*time.Hour),
		MetricsListen:       envOr("GRADER_METRICS_LISTEN", defaultWorkerMetrics),
		MetricsToken:        os.Getenv("GRADER_METRICS_TOKEN"),
		MetricsTokenFile:    os.Getenv("GRADER_METRICS_TOKEN_FILE"),
		PollInterval:        envDuration("GRADER_POLL_INTERVAL", queue.DefaultPollInterval),
	}
}

// envInt and envDuration read a number or a duration, keeping def when
// the variable is unset; a malformed value is caught by Validate through
// the sentinel -1.
func envInt(key string, def int) int {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return -1
	}
	return n
}

func envDuration(key string, def time.Duration) time.Duration {
	v := os.Getenv(key)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return -1
	}
	return d
}

// bindFlags adds the service flags to cmd; api and worker say which
// parts of the process the command runs.
func (c *ServiceConfig) bindFlags(cmd *cobra.Command, api, worker bool) {
	f := cmd.Flags()
	f.StringVar(&c.RedisURL, "redis-url", c.RedisURL, "Redis URL; empty starts an embedded Redis that keeps nothing across restarts (env REDIS_URL)")
	f.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long a graceful stop may take (env GRADER_SHUTDOWN_TIMEOUT)")
	if api {
		f.StringVar(&c.Listen, "listen", c.Listen, "API address (env GRADER_LISTEN)")
		f.StringVar(&c.TokensFile, "tokens", c.TokensFile, "JSON file of bearer tokens (env GRADER_TOKENS_FILE)")
		f.IntVar(&c.CohortQuota, "cohort-quota", c.CohortQuota, "submissions of one cohort that may wait or be graded at once (env GRADER_COHORT_QUOTA)")
		f.IntVar(&c.SubmitLimit, "submit-limit", c.SubmitLimit, "submissions one learner may make per --submit-window (env GRADER_SUBMIT_LIMIT)")
		f.DurationVar(&c.SubmitWindow, "submit-window", c.SubmitWindow, "rate limit window (env GRADER_SUBMIT_WINDOW)")
		f.IntVar(&c.UploadSlots, "upload-slots", c.UploadSlots, "submission uploads read and decoded at once; more answer 503 (env GRADER_UPLOAD_SLOTS)")
		f.IntVar(&c.StreamsPerSubject, "streams-per-subject", c.StreamsPerSubject, "event streams one token may have open; more answer 429 (env GRADER_STREAMS_PER_SUBJECT)")
		f.IntVar(&c.Streams, "streams", c.Streams, "event streams open in all; more answer 503 (env GRADER_STREAMS)")
	}
	if worker {
		f.IntVar(&c.Concurrency, "concurrency", c.Concurrency, "submissions graded at once (env GRADER_CONCURRENCY)")
		f.StringVar(&c.WorkerID, "worker-id", c.WorkerID, "stable name of this worker, unique per host (env GRADER_WORKER_ID)")
		f.IntVar(&c.PoolSize, "pool-size", c.PoolSize, "warm sandboxes kept started ahead of need; 0 turns the pool off (env GRADER_POOL_SIZE)")
		f.DurationVar(&c.PoolIdle, "pool-idle", c.PoolIdle, "how long a kind of sandbox nobody asked for stays warm (env GRADER_POOL_IDLE)")
		f.DurationVar(&c.PollInterval, "poll-interval", c.PollInterval, "how often an idle worker asks Redis for a task, about how long a submission waits to be picked up (env GRADER_POLL_INTERVAL)")
		f.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", c.WebhookAllowPrivate, "let webhooks reach loopback and private addresses (env GRADER_WEBHOOK_ALLOW_PRIVATE)")
	}
	if api {
		f.StringVar(&c.MetricsListen, "metrics-listen", c.MetricsListen, "serve /metrics and /healthz on this address instead of the API's; empty: on the API's (env GRADER_METRICS_LISTEN)")
	} else {
		f.StringVar(&c.MetricsListen, "metrics-listen", c.MetricsListen, "address of the worker's /metrics and /healthz; empty: none (env GRADER_METRICS_LISTEN)")
	}
	f.StringVar(&c.MetricsTokenFile, "metrics-token-file", c.MetricsTokenFile, "file whose first line is the bearer token /metrics asks for; empty: GRADER_METRICS_TOKEN, or no token (env GRADER_METRICS_TOKEN_FILE)")
	f.DurationVar(&c.FilesTTL, "files-ttl", c.FilesTTL, "how long graded submissions' files and events are kept (env GRADER_FILES_TTL)")
	f.StringVar(&c.SigningKeyFile, "signing-key", c.SigningKeyFile, "PEM Ed25519 private key that signs results, made there if missing; empty: a key shared in Redis (env GRADER_SIGNING_KEY_FILE)")
}

// Validate names the first field that cannot work.
func (c *ServiceConfig) Validate(api, worker bool) error {
	if api {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			return fmt.Errorf("--listen %q: want host:port, e.g. 127.0.0.1:8080", c.Listen)
		}
		if c.SubmitLimit < 1 {
			return fmt.Errorf("--submit-limit (GRADER_SUBMIT_LIMIT) must be a whole number of at least 1")
		}
		if c.CohortQuota < 1 {
			return fmt.Errorf("--cohort-quota (GRADER_COHORT_QUOTA) must be a whole number of at least 1")
		}
		if c.UploadSlots < 1 {
			return fmt.Errorf("--upload-slots (GRADER_UPLOAD_SLOTS) must be a whole number of at least 1")
		}
		if c.StreamsPerSubject < 1 {
			return fmt.Errorf("--streams-per-subject (GRADER_STREAMS_PER_SUBJECT) must be a whole number of at least 1")
		}
		if c.Streams < 1 {
			return fmt.Errorf("--streams (GRADER_STREAMS) must be a whole number of at least 1")
		}
		if c.SubmitWindow < time.Second {
			return fmt.Errorf("--submit-window (GRADER_SUBMIT_WINDOW) must be a duration of at least 1s, e.g. 1m")
		}
	}
	if worker {
		if c.Concurrency < 1 || c.Concurrency > 64 {
			return fmt.Errorf("--concurrency (GRADER_CONCURRENCY) must be a whole number from 1 to 64")
		}
		if c.PollInterval < time.Millisecond || c.PollInterval > 10*time.Second {
			return fmt.Errorf("--poll-interval (GRADER_POLL_INTERVAL) must be a duration from 1ms to 10s, e.g. 25ms")
		}
		if c.PoolSize < 0 || c.PoolSize > 64 {
			return fmt.Errorf("--pool-size (GRADER_POOL_SIZE) must be a whole number from 0 (no pool) to 64")
		}
		if c.PoolIdle < time.Second {
			return fmt.Errorf("--pool-idle (GRADER_POOL_IDLE) must be a duration of at least 1s, e.g. 10m")
		}
		if !subjectPattern.MatchString(c.WorkerID) {
			return fmt.Errorf("--worker-id %q: use 1 to 64 letters, digits, '.', '_', '@' or '-'", c.WorkerID)
		}
	}
	if c.MetricsListen != "" {
		if _, _, err := net.SplitHostPort(c.MetricsListen); err != nil {
			return fmt.Errorf("--metrics-listen %q (GRADER_METRICS_LISTEN): want host:port, e.g. 127.0.0.1:9090", c.MetricsListen)
		}
		// Port 0 (any free port) twice is two addresses.
		if _, port, _ := net.SplitHostPort(c.MetricsListen); api && c.MetricsListen == c.Listen && port != "0" {
			return fmt.Errorf("--metrics-listen %q is the API's --listen: leave it empty to serve /metrics with the API", c.MetricsListen)
		}
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < minSecretLen {
		return fmt.Errorf("the metrics token (GRADER_METRICS_TOKEN or --metrics-token-file) must be at least %d characters, e.g. from `openssl rand -hex 24`", minSecretLen)
	}
	if c.ShutdownTimeout < time.Second {
		return fmt.Errorf("--shutdown-timeout (GRADER_SHUTDOWN_TIMEOUT) must be a duration of at least 1s")
	}
	if c.FilesTTL < time.Minute {
		return fmt.Errorf("--files-ttl (GRADER_FILES_TTL) must be a duration of at least 1m")
	}
	return nil
}
