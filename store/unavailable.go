package store

import (
	"context"
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/redis/go-redis/v9"
)

// Unavailable reports whether err says Redis could not be reached or
// could not serve right now (connection refused, reset or timed out, the
// pool exhausted, Redis still loading its data, a replica without its
// primary), rather than a bug or a refused request: the same request may
// succeed once Redis is back. A cancelled context (the client went away)
// is not unavailability.
func Unavailable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	switch {
	case errors.As(err, &ne),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, redis.ErrPoolTimeout), errors.Is(err, redis.ErrPoolExhausted), errors.Is(err, redis.ErrClosed),
		redis.IsLoadingError(err), redis.IsMasterDownError(err), redis.IsReadOnlyError(err),
		redis.IsTryAgainError(err), redis.IsMaxClientsError(err), redis.IsOOMError(err):
		return true
	}
	return false
}
