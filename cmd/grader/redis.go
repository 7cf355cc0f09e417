package main

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// redisConn is the process's Redis: a real one from a URL, or an embedded
// in-process one.
type redisConn struct {
	client *redis.Client
	opts   *redis.Options
	// embedded is set when the process runs its own Redis.
	embedded *miniredis.Miniredis
	stop     chan struct{}
	wg       sync.WaitGroup
}

// connectRedis connects to url, or starts an embedded Redis when url is
// empty, and checks it answers.
func connectRedis(ctx context.Context, url string, log *slog.Logger) (*redisConn, error) {
	rc := &redisConn{}
	if url == "" {
		mr := miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("start embedded redis: %w", err)
		}
		rc.embedded = mr
		rc.stop = make(chan struct{})
		rc.wg.Add(1)
		go rc.tickTTLs()
		url = "redis://" + mr.Addr()
		log.Warn("using an embedded in-process Redis: nothing (queue, submissions, results) survives a restart, and no other process can share it; set REDIS_URL for a real Redis", "addr", mr.Addr())
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		rc.Close()
		return nil, fmt.Errorf("REDIS_URL %q: %w (want redis://[:password@]host:port/db)", url, err)
	}
	// API requests, gradings and their events share the pool; event
	// streams hold none (the event hub's one subscription serves them).
	opts.PoolSize = max(opts.PoolSize, 200)
	rc.opts = opts
	rc.client = redis.NewClient(opts)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := rc.client.Ping(pctx).Err(); err != nil {
		rc.Close()
		return nil, fmt.Errorf("redis at %s does not answer: %w", opts.Addr, err)
	}
	return rc, nil
}

// tickTTLs lets the embedded Redis's keys expire: miniredis only moves its
// clock when told to.
func (rc *redisConn) tickTTLs() {
	defer rc.wg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-rc.stop:
			return
		case now := <-t.C:
			rc.embedded.FastForward(now.Sub(last))
			last = now
		}
	}
}

// Close closes the client and stops an embedded Redis.
func (rc *redisConn) Close() {
	if rc.client != nil {
		rc.client.Close()
	}
	if rc.embedded != nil {
		close(rc.stop)
		rc.wg.Wait()
		rc.embedded.Close()
	}
}
