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
	// TypeRegrade grades one cohort submission again for a regrade.
	TypeRegrade = "regrade:grade"
)

// Queues. Interactive submissions (a learner waiting) go before batch
// ones: QueueBatch for bulk work outside cohorts, and one of CohortLanes
// lanes per cohort (CohortQueue), so that cohorts graded at the same time
// share the workers instead of queueing behind each other. Regrades go to
// their cohort's lane too. Webhook deliveries have a queue, and a server,
// of their own, so they never take a grading slot.
const (
	QueueInteractive = "interactive"
	QueueBatch       = "batch"
	QueueWebhooks    = "webhooks"
)

// CohortLanes is how many batch lanes cohorts are spread over
// (round-robin by creation): up to this many cohorts graded at once each
// have a lane of their own.
const CohortLanes = 8

// CohortQueue returns the batch lane of a cohort's lane number.
func CohortQueue(lane int) string {
	return fmt.Sprintf("cohort-%d", ((lane%CohortLanes)+CohortLanes)%CohortLanes)
}

// InteractiveWeight is the interactive queue's weight against 1 for each
// batch lane: whenever a slot frees, interactive work is taken first with
// probability InteractiveWeight/(InteractiveWeight+1+CohortLanes), above
// 99%, while the batch lanes share the rest equally.
const InteractiveWeight = 1000

// Priorities returns the grading queues with their weights for
// asynq.Config.Queues (served with weighted, not strict, priority: strict
// priority would always serve the first lane before the others).
func Priorities() map[string]int {
	m := map[string]int{QueueInteractive: InteractiveWeight, QueueBatch: 1}
	for i := range CohortLanes {
		m[CohortQueue(i)] = 1
	}
	return m
}

// GradeQueues lists the grading queues: interactive, batch, then the
// cohort lanes.
func GradeQueues() []string {
	out := []string{QueueInteractive, QueueBatch}
	for i := range CohortLanes {
		out = append(out, CohortQueue(i))
	}
	return out
}

// isGradeQueue reports whether q is one of GradeQueues.
func isGradeQueue(q string) bool {
	_, ok := Priorities()[q]
	return ok
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
	if !isGradeQueue(queue) {
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
	return decodePayload[GradePayload]("grade", b)
}

// decodePayload reads a task's JSON payload and checks it with its
// Validate; kind names the task in errors.
func decodePayload[P interface{ Validate() error }](kind string, b []byte) (P, error) {
	var p P
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("decode %s payload: %w", kind, err)
	}
	if err := p.Validate(); err != nil {
		return p, fmt.Errorf("decode %s payload: %w", kind, err)
	}
	return p, nil
}

// RegradePayload names one submission of a regrade. Its files and the
// challenge (as it is now) come from the store and the catalog.
type RegradePayload struct {
	RegradeID    string `json:"regrade_id"`
	SubmissionID string `json:"submission_id"`
	Challenge    string `json:"challenge"`
}

// Validate reports what is missing from p.
func (p RegradePayload) Validate() error {
	switch {
	case p.RegradeID == "":
		return errors.New("regrade_id is missing")
	case p.SubmissionID == "":
		return errors.New("submission_id is missing")
	case p.Challenge == "":
		return errors.New("challenge is missing")
	}
	return nil
}

// DecodeRegradePayload reads and checks a regrade task's payload.
func DecodeRegradePayload(b []byte) (RegradePayload, error) {
	return decodePayload[RegradePayload]("regrade", b)
}

// NewRegradeTask returns the task grading one submission of a regrade on
// queue, with task id "regrade:<regrade>:<submission>" so that a
// duplicate enqueue is refused.
func NewRegradeTask(p RegradePayload, queue string, timeout time.Duration) (*asynq.Task, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("regrade task: %w", err)
	}
	if !isGradeQueue(queue) {
		return nil, fmt.Errorf("regrade task: unknown queue %q", queue)
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode regrade payload: %w", err)
	}
	return asynq.NewTask(TypeRegrade, b,
		asynq.TaskID("regrade:"+p.RegradeID+":"+p.SubmissionID),
		asynq.Queue(queue),
		asynq.MaxRetry(MaxRetry),
		asynq.Timeout(timeout),
		asynq.Retention(Retention),
	), nil
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

// Validate reports what is missing from p.
func (p WebhookPayload) Validate() error {
	if p.SubmissionID == "" {
		return errors.New("submission_id is missing")
	}
	return nil
}

// NewWebhookTask returns the task delivering a submission's result, on
// QueueWebhooks with task id "webhook:"+id, so that one submission's
// result is delivered by one task.
func NewWebhookTask(submissionID string) (*asynq.Task, error) {
	p := WebhookPayload{SubmissionID: submissionID}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("webhook task: %w", err)
	}
	b, err := json.Marshal(p)
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
	return decodePayload[WebhookPayload]("webhook", b)
}
