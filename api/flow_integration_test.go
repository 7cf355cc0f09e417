//go:build integration

package api

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/internal/redistest"
)

// TestFlowOnRedis runs the router on the real store over redis-server:
// create → list → events → leaderboard.
func TestFlowOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { rdb.Close() })
	exerciseFlow(t, rdb)
}
