package api

import (
	"context"
	"time"
)

// slots is a counting semaphore whose waits are short and bounded: a
// request that finds every slot taken waits a moment for one, before it
// reads its body (so a waiting request holds no memory), then is refused.
type slots chan struct{}

func newSlots(n int) slots { return make(slots, n) }

// take takes a slot, waiting up to wait for one while ctx lasts, and
// reports whether it did.
func (s slots) take(ctx context.Context, wait time.Duration) bool {
	select {
	case s <- struct{}{}:
		return true
	default:
	}
	if wait <= 0 {
		return false
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case s <- struct{}{}:
		return true
	case <-t.C:
		return false
	case <-ctx.Done():
		return false
	}
}

// free gives back a slot taken by take.
func (s slots) free() { <-s }
