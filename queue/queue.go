// Package queue is the Asynq glue between the API, which enqueues one
// grading task per submission, and the workers, which grade: the task
// types and their payloads, the queues, the client that enqueues, the
// servers that run tasks and the task handlers (grading, and webhook
// deliveries of results).
//
// A submission goes queued → grading → graded. Learner failures are
// results; an error returned to Asynq is always the service's fault and is
// retried with backoff, except for tasks that can never succeed (they wrap
// asynq.SkipRetry). Tasks carry the submission id as task id, so a
// duplicate enqueue is refused by Asynq and counts as success; handlers are
// idempotent for the cases Asynq still runs twice (a worker lost after
// saving, before acknowledging).
package queue

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/hibiken/asynq"

	"github.com/gradebox/grader/grader"
)

// Task types.
const (
	// TypeGrade grades one submission.
	TypeGrade = "submission:grade"
	// TypeWebhook delivers a graded submission's result to its callback
	// URL.
	TypeWebhook = "submission:webhook"
)

// Queues. Interactive submissions (a learner waiting) go before batch ones
// (a cohort graded at once).
// Webhook deliveries have a queue, and a server, of their own, so they
// never take a grading slot.
const (
	QueueInteractive = "interactive"
	QueueBatch       = "batch"
	QueueWebhooks    = "webhooks"
)

// Priorities returns the queues with their weights for asynq.Config.Queues;
// with StrictPriority set, interactive work always goes first.
func Priorities() map[string]int {
	return map[string]int{QueueInteractive: 10, QueueBatch: 1}
}

// MaxRetry is how many times a service fault is retried. A learner's
// failure is a result, never a retry.
const MaxRetry = 5

// Retention keeps a finished task visible to Asynq's tools for a day; a
// retained task's id also refuses duplicates of it for that long.
const Retention = 24 * time.Hour

// Webhook delivery budgets: up to WebhookMaxRetry retries, each delivery
// task bounded by WebhookTimeout.
const (
	WebhookMaxRetry = 10
	WebhookTimeout  = 30 * time.Second
)

// GradePayload names the submission to grade. The submission's files
// live in the store, not in the queue.
type GradePayload struct {
	SubmissionID string `json:"submission_id"`
	Challenge    string `json:"challenge"`
}

// Validate reports what is missing from p.
func (p GradePayload) Validate() error {
	switch {
	case p.SubmissionID == "":
		return errors.New("submission_id is missing")
	case p.Challenge == "":
		return errors.New("challenge is missing")
	}
	return nil
}

// NewGradeTask returns the task grading p on queue, with the submission
// id as task id (a duplicate enqueue is refused with
// asynq.ErrTaskIDConflict, so resubmitting is harmless) and the given
// timeout (see TaskTimeout).
func NewGradeTask(p GradePayload, queue string, timeout time.Duration) (*asynq.Task, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("grade task: %w", err)
	}
	if queue != QueueInteractive && queue != QueueBatch {
		return nil, fmt.Errorf("grade task: unknown queue %q", queue)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode grade payload: %w", err)
	}
	return asynq.NewTask(TypeGrade, b,
		asynq.TaskID(p.SubmissionID),
		asynq.Queue(queue),
		asynq.MaxRetry(MaxRetry),
		asynq.Timeout(timeout),
		asynq.Retention(Retention),
	), nil
}

// DecodeGradePayload reads and checks a grade task's payload.
func DecodeGradePayload(b []byte) (GradePayload, error) {
	var p GradePayload
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("decode grade payload: %w", err)
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("decode grade payload: %w", err)
	}
	return p, nil
}

// TaskTimeout is how long grading ch may take as a whole: every suite's
// build and run limits, plus room for starting and removing containers.
func TaskTimeout(ch *grader.Challenge) time.Duration {
	l := ch.Limits.WithDefaults()
	d := time.Minute
	for range ch.Suites {
		d += l.BuildTimeout + l.RunTimeout + l.ReadyTimeout + 30*time.Second
	}
	return d
}

// WebhookPayload names the graded submission whose result to deliver.
type WebhookPayload struct {
	SubmissionID string `json:"submission_id"`
}

// NewWebhookTask returns the task delivering a submission's result, on
// QueueWebhooks with task id "webhook:"+id, so that one submission's
// result is delivered by one task.
func NewWebhookTask(submissionID string) (*asynq.Task, error) {
	if submissionID == "" {
		return nil, errors.New("webhook task: submission_id is missing")
	}
	b, err := json.Marshal(WebhookPayload{SubmissionID: submissionID})
	if err != nil {
		return nil, fmt.Errorf("encode webhook payload: %w", err)
	}
	return asynq.NewTask(TypeWebhook, b,
		asynq.TaskID("webhook:"+submissionID),
		asynq.Queue(QueueWebhooks),
		asynq.MaxRetry(WebhookMaxRetry),
		asynq.Timeout(WebhookTimeout),
		asynq.Retention(Retention),
	), nil
}

// DecodeWebhookPayload reads and checks a webhook task's payload.
func DecodeWebhookPayload(b []byte) (WebhookPayload, error) {
	var p WebhookPayload
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("decode webhook payload: %w", err)
	}
	if p.SubmissionID == "" {
		return p, errors.New("decode webhook payload: submission_id is missing")
	}
	return p, nil
}
