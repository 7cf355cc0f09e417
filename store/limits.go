package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// claimScript maps KEYS[1] to ARGV[1] for ARGV[2] ms unless it is mapped
// already; returns "" when it claimed, else the id it maps to.
var claimScript = redis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ''
`)

// releaseScript deletes KEYS[1] only while it maps to ARGV[1].
var releaseScript = redis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`)

// ClaimIdempotencyKey maps (subject, key) to the submission id for ttl,
// unless the pair is mapped already. It returns "" when it claimed the
// pair now for id, else the id the pair already maps to (which may be id
// itself, when the same claim is made twice). Of many concurrent claims
// exactly one gets "". The claim expires after ttl, which must be positive.
func (s *Redis) ClaimIdempotencyKey(ctx context.Context, subject, key, id string, ttl time.Duration) (string, error) {
	if ttl < time.Millisecond {
		return "", fmt.Errorf("claim idempotency key: ttl %s is below 1ms", ttl)
	}
	if id == "" {
		return "", errors.New("claim idempotency key: the submission id is empty")
	}
	got, err := claimScript.Run(ctx, s.rdb, []string{s.key("idem", subject, key)}, id, ttl.Milliseconds()).Text()
	if err != nil {
		return "", fmt.Errorf("claim idempotency key of %s: %w", subject, err)
	}
	return got, nil
}

// ReleaseIdempotencyKey drops the claim of (subject, key) if it still maps
// to id, so that a request which failed after claiming can be retried with
// the same key. A claim that expired or belongs to another id is left as
// it is; neither is an error.
func (s *Redis) ReleaseIdempotencyKey(ctx context.Context, subject, key, id string) error {
	if err := releaseScript.Run(ctx, s.rdb, []string{s.key("idem", subject, key)}, id).Err(); err != nil {
		return fmt.Errorf("release idempotency key of %s: %w", subject, err)
	}
	return nil
}

// allowScript counts one request in a window and sets the window's expiry
// with its first request; returns the count.
var allowScript = redis.NewScript(`
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`)

// Allow counts one request against key in a fixed window shared by every
// replica: windows are consecutive spans of length window from the Unix
// epoch, and a window admits the first limit requests. It reports whether
// this request is admitted and, when it is not, how long until the window
// ends, rounded up to a whole second and at least 1s (for Retry-After).
// limit must be at least 1 and window at least 1s.
func (s *Redis) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, time.Duration, error) {
	if limit < 1 {
		return false, 0, fmt.Errorf("rate limit %s: limit %d is below 1", key, limit)
	}
	if window < time.Second {
		return false, 0, fmt.Errorf("rate limit %s: window %s is below 1s", key, window)
	}
	now := s.now()
	n := now.UnixNano() / int64(window)
	end := time.Unix(0, (n+1)*int64(window))
	// The window's key outlives the window by a second, for clock skew
	// between replicas.
	ttl := end.Sub(now) + time.Second
	count, err := allowScript.Run(ctx, s.rdb, []string{s.key("rate", key, strconv.FormatInt(n, 10))}, ttl.Milliseconds()).Int64()
	if err != nil {
		return false, 0, fmt.Errorf("rate limit %s: %w", key, err)
	}
	if count <= int64(limit) {
		return true, 0, nil
	}
	wait := end.Sub(now)
	if r := wait % time.Second; r != 0 {
		wait += time.Second - r
	}
	return false, max(wait, time.Second), nil
}
