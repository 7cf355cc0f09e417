package queue

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/hibiken/asynq"
)

// Client enqueues grade and webhook tasks. It is safe for concurrent use.
type Client struct {
	c *asynq.Client
}

// NewClient returns a Client on c; closing c stays the caller's job.
func NewClient(c *asynq.Client) *Client { return &Client{c: c} }

// Enqueue queues rec's grading on rec.Queue (QueueInteractive when empty)
// with the given timeout for the whole task (see TaskTimeout). The task id
// is the submission id: a duplicate, which Asynq refuses with
// asynq.ErrTaskIDConflict while the first is pending, running or retained,
// counts as success.
func (c *Client) Enqueue(ctx context.Context, rec grader.Record, timeout time.Duration) error {
	_, err := c.Requeue(ctx, rec, timeout)
	return err
}

// Requeue is Enqueue that also reports whether it queued a task, false
// for a duplicate of one still pending, running or retained: the sweep
// that re-queues stranded submissions logs the ones it did queue.
func (c *Client) Requeue(ctx context.Context, rec grader.Record, timeout time.Duration) (bool, error) {
	q := rec.Queue
	if q == "" {
		q = QueueInteractive
	}
	task, err := NewGradeTask(GradePayload{SubmissionID: rec.ID, Challenge: rec.Challenge}, q, timeout)
	if err != nil {
		return false, err
	}
	_, err = c.c.EnqueueContext(ctx, task)
	switch {
	case errors.Is(err, asynq.ErrTaskIDConflict):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("enqueue grading of %s: %w", rec.ID, err)
	}
	return true, nil
}

// EnqueueWebhook queues the delivery of a graded submission's result on
// QueueWebhooks (task id "webhook:"+id; a duplicate counts as success).
func (c *Client) EnqueueWebhook(ctx context.Context, submissionID string) error {
	task, err := NewWebhookTask(submissionID)
	if err != nil {
		return err
	}
	if _, err := c.c.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue webhook of %s: %w", submissionID, err)
	}
	return nil
}

// EnqueueRegrade queues one submission of a regrade on queue with the
// given timeout; a duplicate counts as success.
func (c *Client) EnqueueRegrade(ctx context.Context, p RegradePayload, queue string, timeout time.Duration) error {
	task, err := NewRegradeTask(p, queue, timeout)
	if err != nil {
		return err
	}
	if _, err := c.c.EnqueueContext(ctx, task); err != nil && !errors.Is(err, asynq.ErrTaskIDConflict) {
		return fmt.Errorf("enqueue regrade of %s: %w", p.SubmissionID, err)
	}
	return nil
}
