package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
)

func TestUnavailable(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"refused", fmt.Errorf("read: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}), true},
		{"reset", fmt.Errorf("x: %w", syscall.ECONNRESET), true},
		{"closed mid-answer", fmt.Errorf("x: %w", io.EOF), true},
		{"pool timeout", redis.ErrPoolTimeout, true},
		{"client closed", fmt.Errorf("x: %w", redis.ErrClosed), true},
		{"client went away", fmt.Errorf("x: %w", context.Canceled), false},
		{"not found", fmt.Errorf("x: %w", grader.ErrNotFound), false},
		{"a bug", errors.New("WRONGTYPE Operation against a key holding the wrong kind of value"), false},
	}
	for _, tt := range tests {
		if got := Unavailable(tt.err); got != tt.want {
			t.Errorf("%s: Unavailable(%v) = %v, want %v", tt.name, tt.err, got, tt.want)
		}
	}
}
