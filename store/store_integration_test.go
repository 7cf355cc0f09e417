//go:build integration

package store

import (
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/internal/redistest"
)

// TestStoreOnRedis runs the store's contract against a real redis-server.
func TestStoreOnRedis(t *testing.T) {
	srv := redistest.Start(t)
	rdb := redis.NewClient(&redis.Options{Addr: srv.Addr})
	t.Cleanup(func() { rdb.Close() })
	exerciseStore(t, rdb)
}
