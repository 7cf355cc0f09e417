package queue

import (
	"context"
	"errors"
	"fmt"

	"github.com/hibiken/asynq"
)

// poison marks the error of a task that can never succeed, so that Asynq
// archives it without retrying.
func poison(err error) error {
	return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
}

// fault is what a service fault during a grading or a regrading leads to.
type fault int

const (
	// faultRetry: the error goes back to Asynq, which retries the task.
	faultRetry fault = iota
	// faultHandedBack: the worker is stopping. Asynq hands the task back
	// (Shutdown re-queues it, a cancelled base context retries it
	// uncounted), so the try is not charged.
	faultHandedBack
	// faultLastTry: no try is left; the handler stores a StatusError
	// result first, so that whoever waits for the grading sees it end.
	faultLastTry
)

// triage says what a service fault on a try leads to, given the task's
// context and its retries so far out of the most allowed.
func triage(ctx context.Context, retried, maxRetry int) fault {
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		return faultHandedBack
	case retried >= maxRetry:
		return faultLastTry
	default:
		return faultRetry
	}
}

// err returns the task's error for cause, a fault while doing what (e.g.
// "grade") to id. A handed-back task's error wraps context.Canceled, which
// the servers of this package do not count as a try.
func (f fault) err(what, id string, cause error) error {
	if f == faultHandedBack {
		return fmt.Errorf("%s %s: %w (%w)", what, id, context.Canceled, cause)
	}
	return fmt.Errorf("%s %s: %w", what, id, cause)
}
