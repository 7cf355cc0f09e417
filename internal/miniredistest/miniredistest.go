// Package miniredistest gives unit tests an in-process Redis (miniredis)
// and a go-redis client on it, both closed when the test ends. Tests that
// need a real redis-server use package redistest instead, behind the
// integration build tag.
package miniredistest

import (
	"testing"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"
)

// New starts a fresh in-process Redis for t and returns it, for tests
// that move its clock or edit keys behind the client's back, with a
// client on it.
func New(t testing.TB) (*miniredis.Miniredis, *redis.Client) {
	t.Helper()
	mr := miniredis.RunT(t)
	rdb := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	t.Cleanup(func() { rdb.Close() })
	return mr, rdb
}

// Client returns a client on a fresh in-process Redis.
func Client(t testing.TB) *redis.Client {
	t.Helper()
	_, rdb := New(t)
	return rdb
}
