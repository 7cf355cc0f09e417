package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/webhook"
)

// WebhookRecords loads what a delivery sends.
type WebhookRecords interface {
	// Record returns the submission's record, or an error wrapping
	// grader.ErrNotFound.
	Record(ctx context.Context, id string) (grader.Record, error)
	// Result returns the submission's result and whether there is one.
	Result(ctx context.Context, id string) (grader.Result, bool, error)
}

// Deliverer POSTs signed JSON; *webhook.Deliverer implements it. Errors
// not worth retrying wrap webhook.ErrPermanent.
type Deliverer interface {
	Deliver(ctx context.Context, url string, body []byte) error
}

var _ Deliverer = (*webhook.Deliverer)(nil)

// WebhookHandlerConfig wires a WebhookHandler; Records and Deliverer are
// required.
type WebhookHandlerConfig struct {
	Records   WebhookRecords
	Deliverer Deliverer
	// Signer, when set, signs the body's result (in the view it carries),
	// as the API signs the results it answers.
	Signer ResultSigner
	// Cohorts, when set, gives a learner's body the feedback policy of
	// the submission's cohort, as the API does; nil sends the learner
	// view as it is.
	Cohorts CohortReader
	// Now tells the time for those policies; time.Now by default.
	Now    func() time.Time
	Logger *slog.Logger
}

// CohortReader reads a cohort; *store.Redis implements it.
type CohortReader interface {
	// Cohort returns a cohort, or an error wrapping grader.ErrNotFound.
	Cohort(ctx context.Context, id string) (grader.Cohort, error)
}

// ResultSigner signs a result document; signing.Key implements it.
type ResultSigner interface {
	Sign(r grader.Result) (grader.Result, error)
}

// WebhookHandler delivers results of webhook tasks.
type WebhookHandler struct {
	cfg WebhookHandlerConfig
	log *slog.Logger
}

// NewWebhookHandler returns a WebhookHandler.
func NewWebhookHandler(cfg WebhookHandlerConfig) *WebhookHandler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &WebhookHandler{cfg: cfg, log: cfg.Logger}
}

// ProcessTask delivers one submission's result to its callback URL. It
// returns nil once the receiver answered 2xx (or when there is nothing to
// deliver: no callback URL). A delivery that can never succeed (bad
// payload, unknown submission, a refused URL or address, a 4xx answer
// other than 408 and 429) wraps asynq.SkipRetry; any other failure is
// returned for Asynq to retry with backoff.
func (h *WebhookHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := DecodeWebhookPayload(t.Payload())
	if err != nil {
		return poison(err)
	}
	log := h.log.With("submission_id", p.SubmissionID)
	rec, err := h.cfg.Records.Record(ctx, p.SubmissionID)
	if err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			return fmt.Errorf("webhook: %v: %w", err, asynq.SkipRetry)
		}
		return fmt.Errorf("webhook: load submission %s: %w", p.SubmissionID, err)
	}
	if rec.CallbackURL == "" {
		log.Warn("webhook task for a submission without callback URL")
		return nil
	}
	res, ok, err := h.cfg.Records.Result(ctx, p.SubmissionID)
	if err != nil {
		return fmt.Errorf("webhook: load result of %s: %w", p.SubmissionID, err)
	}
	if !ok {
		// Queued after the result is saved: a replica behind, most likely.
		return fmt.Errorf("webhook: submission %s has no result yet", p.SubmissionID)
	}
	view := grader.ViewLearner
	if rec.CallbackView == grader.ViewInstructor {
		view = grader.ViewInstructor
	}
	out := res.As(view)
	if view == grader.ViewLearner {
		f, note, err := h.learnerFeedback(ctx, rec)
		if err != nil {
			return fmt.Errorf("webhook: %w", err)
		}
		out = res.ForLearner(f, note)
	}
	if h.cfg.Signer != nil {
		if out, err = h.cfg.Signer.Sign(out); err != nil {
			return fmt.Errorf("webhook: sign the result of %s: %w", p.SubmissionID, err)
		}
	}
	body, err := json.Marshal(webhook.Body{SubmissionID: rec.ID, Challenge: rec.Challenge, Learner: rec.Learner,
		Attempt: rec.Attempt, Result: out})
	if err != nil {
		return fmt.Errorf("webhook: encode body of %s: %v: %w", p.SubmissionID, err, asynq.SkipRetry)
	}
	if err := h.cfg.Deliverer.Deliver(ctx, rec.CallbackURL, body); err != nil {
		if errors.Is(err, webhook.ErrPermanent) {
			log.Warn("webhook refused: not retried", "err", err)
			return fmt.Errorf("webhook of %s: %v: %w", p.SubmissionID, err, asynq.SkipRetry)
		}
		retried, _ := asynq.GetRetryCount(ctx)
		if m, ok := asynq.GetMaxRetry(ctx); ok && retried >= m {
			log.Warn("webhook failed on its last try", "err", err, "attempt", retried+1)
		} else {
			log.Warn("webhook failed: it will be retried", "err", err, "attempt", retried+1)
		}
		return fmt.Errorf("webhook of %s: %w", p.SubmissionID, err)
	}
	log.Info("webhook delivered")
	return nil
}

// learnerFeedback is what the learner of rec sees of its result now,
// under the feedback policy of the submission's cohort (or its token's).
func (h *WebhookHandler) learnerFeedback(ctx context.Context, rec grader.Record) (grader.Feedback, *grader.FeedbackNote, error) {
	id := rec.Scope()
	if id == "" || h.cfg.Cohorts == nil {
		return grader.FeedbackVisible, nil, nil
	}
	co, err := h.cfg.Cohorts.Cohort(ctx, id)
	if errors.Is(err, grader.ErrNotFound) {
		return grader.FeedbackVisible, nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("read cohort %s: %w", id, err)
	}
	f, note := co.LearnerFeedback(rec.Challenge, h.cfg.Now())
	return f, note, nil
}
