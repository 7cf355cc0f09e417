package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Config configures a Redis store.
type Config struct {
	// Client is the Redis connection. Required.
	Client redis.UniversalClient
	// Prefix starts every key; default "grader".
	Prefix string
	// FilesTTL is how long a submission's files and progress events are
	// kept once graded; default 24h.
	FilesTTL time.Duration
	// ResultCacheTTL is how long the result cache keeps an entry after
	// its grading; default 7 days. An expired entry costs one grading.
	ResultCacheTTL time.Duration
	// Now tells the time; time.Now by default.
	Now func() time.Time
}

// Redis is the store.
type Redis struct {
	rdb      redis.UniversalClient
	p        string
	filesTTL time.Duration
	cacheTTL time.Duration
	now      func() time.Time
}

// New returns a store on cfg.Client.
func New(cfg Config) *Redis {
	s := &Redis{rdb: cfg.Client, p: cfg.Prefix, filesTTL: cfg.FilesTTL, cacheTTL: cfg.ResultCacheTTL, now: cfg.Now}
	if s.cacheTTL <= 0 {
		s.cacheTTL = 7 * 24 * time.Hour
	}
	if s.p == "" {
		s.p = "grader"
	}
	if s.filesTTL <= 0 {
		s.filesTTL = 24 * time.Hour
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Ping checks that Redis answers.
func (s *Redis) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}

// keyEscaper keeps ':' out of the variable parts of keys, so that no
// learner, challenge or key name can spell another key.
var keyEscaper = strings.NewReplacer("%", "%25", ":", "%3A")

// key joins the prefix and parts with ':', escaping each part.
func (s *Redis) key(parts ...string) string {
	var b strings.Builder
	b.WriteString(s.p)
	for _, p := range parts {
		b.WriteByte(':')
		b.WriteString(keyEscaper.Replace(p))
	}
	return b.String()
}
