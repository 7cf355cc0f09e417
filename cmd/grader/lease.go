package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// workerLease makes sure only one live process uses a worker id, since a
// worker removes every sandbox labelled with its id when it starts.
//
// The lease is a key holding a token (the process's host and pid, as
// Asynq reports its servers, so `grader status` can name the worker, and
// a random part), with a TTL renewed by
// compare-and-renew: only while it still holds this process's token. A key
// lost meanwhile (a Redis outage longer than the TTL, a Redis restarted
// without it) is taken again at once; a key another process took means
// this one no longer owns the id: Lost is closed and the worker must stop
// taking work and never remove sandboxes by its id.
type workerLease struct {
	rdb      *redis.Client
	key, own string
	log      *slog.Logger
	stop     chan struct{}
	done     chan struct{}
	lost     chan struct{}
}

// leaseTTL is how long a worker's lease outlives its last renewal: a
// killed worker's id is free again this long after it died.
const leaseTTL = 15 * time.Second

// leaseRenewEvery is how often a held lease is renewed.
var leaseRenewEvery = leaseTTL / 3

// leaseRetry is how soon a renewal that failed (Redis unreachable) is
// tried again: well within leaseTTL, so that once Redis is back the
// lease is renewed or taken again before another process can take it.
var leaseRetry = 250 * time.Millisecond

// leasePrefix starts every worker lease's key; the worker id follows.
const leasePrefix = "grader:worker:"

// leaseToken is a new lease token: "host/pid/secret", host and pid as
// Asynq's servers report them.
func leaseToken() string {
	return fmt.Sprintf("%s/%d/%s", leaseHost(), os.Getpid(), newSecret())
}

// leaseHost is the host name as Asynq's heartbeat reads it.
func leaseHost() string {
	host, err := os.Hostname()
	if err != nil {
		return "unknown-host"
	}
	return host
}

// leaseHolder reads the host and pid of a lease token; ok is false for a
// token of another form.
func leaseHolder(token string) (host string, pid int, ok bool) {
	host, rest, ok := strings.Cut(token, "/")
	if !ok {
		return "", 0, false
	}
	pidText, _, ok := strings.Cut(rest, "/")
	if !ok {
		return "", 0, false
	}
	pid, err := strconv.Atoi(pidText)
	if err != nil {
		return "", 0, false
	}
	return host, pid, true
}

// errLeaseHeld means another live worker uses the id.
var errLeaseHeld = errors.New("worker id in use")

// errLeaseLost means this process no longer holds its worker id.
var errLeaseLost = errors.New("worker lease lost")

// acquireLease takes the lease on id, waiting up to wait for a dead
// holder's lease to run out, and renews it until Release.
func acquireLease(ctx context.Context, rdb *redis.Client, id string, wait time.Duration, log *slog.Logger) (*workerLease, error) {
	l := &workerLease{rdb: rdb, key: leasePrefix + id, own: leaseToken(), log: log.With("worker", id),
		stop: make(chan struct{}), done: make(chan struct{}), lost: make(chan struct{})}
	deadline := time.Now().Add(wait)
	logged := false
	for {
		ok, err := rdb.SetNX(ctx, l.key, l.own, leaseTTL).Result()
		if err != nil {
			return nil, fmt.Errorf("take worker lease %s: %w", id, err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%w: another worker named %q is alive (or died less than %s ago); give this one another --worker-id", errLeaseHeld, id, leaseTTL)
		}
		if !logged {
			log.Info("waiting for the previous holder of this worker id to let go", "worker", id, "up_to", leaseTTL)
			logged = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	go l.renew()
	return l, nil
}

// renewScript renews the lease only while it holds our token, and takes
// it again when the key is gone. It returns 1 (renewed), 2 (taken again)
// or 0 (another process holds it).
//
// KEYS: lease. ARGV: token, ttl in ms.
var renewScript = redis.NewScript(`
local v = redis.call("GET", KEYS[1])
if v == ARGV[1] then
  redis.call("PEXPIRE", KEYS[1], ARGV[2])
  return 1
end
if not v then
  redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2])
  return 2
end
return 0
`)

// renew renews the lease every leaseRenewEvery, and every leaseRetry while
// Redis does not answer, until Release or until another process holds it.
func (l *workerLease) renew() {
	defer close(l.done)
	t := time.NewTimer(leaseRenewEvery)
	defer t.Stop()
	failing := false
	for {
		select {
		case <-l.stop:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		n, err := renewScript.Run(ctx, l.rdb, []string{l.key}, l.own, leaseTTL.Milliseconds()).Int()
		cancel()
		switch {
		case err != nil:
			if !failing {
				l.log.Warn("renew worker lease: Redis does not answer; trying again until it does", "err", err)
				failing = true
			}
			t.Reset(leaseRetry)
			continue
		case n == 0:
			l.log.Error("another process holds this worker id now: this worker stops taking work and removes no sandboxes by its id")
			close(l.lost)
			return
		case n == 2:
			l.log.Warn("the worker lease had lapsed (Redis lost the key): taken again")
		case failing:
			l.log.Info("worker lease renewed: Redis answers again")
		}
		failing = false
		t.Reset(leaseRenewEvery)
	}
}

// Lost is closed when another process took the worker id.
func (l *workerLease) Lost() <-chan struct{} { return l.lost }

// Held returns nil when this process holds the lease right now, an error
// wrapping errLeaseLost when another does or the key is gone, or Redis's
// error.
func (l *workerLease) Held(ctx context.Context) error {
	v, err := l.rdb.Get(ctx, l.key).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return fmt.Errorf("%w: %s is gone", errLeaseLost, l.key)
	case err != nil:
		return fmt.Errorf("check worker lease: %w", err)
	case v != l.own:
		return fmt.Errorf("%w: another process holds %s", errLeaseLost, l.key)
	}
	return nil
}

// releaseScript deletes the lease only if this process still holds it.
var releaseScript = redis.NewScript(`if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end return 0`)

// Release stops renewing and frees the id, if this process still holds
// it. It is safe to call more than once.
func (l *workerLease) Release() {
	select {
	case <-l.stop:
		return
	default:
	}
	close(l.stop)
	<-l.done
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = releaseScript.Run(ctx, l.rdb, []string{l.key}, l.own).Err()
}
