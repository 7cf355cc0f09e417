package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/hibiken/asynq"

	"github.com/gradebox/grader/grader"
)

// RegradeResults stores regrade outcomes; *store.Redis implements it.
type RegradeResults interface {
	// SaveRegradeResult records the new result of one submission of a
	// regrade (idempotent; an unknown regrade or item wraps
	// grader.ErrNotFound).
	SaveRegradeResult(ctx context.Context, regradeID string, res grader.Result) error
}

// RegradeHandlerConfig wires a RegradeHandler; every field but Logger and
// Now is required.
type RegradeHandlerConfig struct {
	Submissions Submissions
	Challenges  Challenges
	Engine      Engine
	Results     RegradeResults
	// Images and Worker go into each new result's provenance, as in
	// HandlerConfig; nil Images leaves the image ids out.
	Images *Images
	Worker string
	Logger *slog.Logger
	Now    func() time.Time
}

// RegradeHandler grades the submissions of regrade tasks: the stored
// files, against the challenge as the worker has it now. Its results go
// to the regrade, never to the submission: the submission's own result,
// its events and the leaderboards stay as they are until the regrade is
// applied.
type RegradeHandler struct {
	cfg     RegradeHandlerConfig
	log     *slog.Logger
	tries   func(ctx context.Context) (retried, maxRetry int)
	running inFlight
}

// NewRegradeHandler returns a RegradeHandler.
func NewRegradeHandler(cfg RegradeHandlerConfig) *RegradeHandler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &RegradeHandler{cfg: cfg, log: cfg.Logger, tries: asynqTries}
}

// ProcessTask grades one submission of a regrade and records its new
// result. A task that can never succeed (bad payload, unknown challenge,
// files gone) records a StatusError result, so the regrade still
// finishes, and wraps asynq.SkipRetry; a service fault is retried, and
// on the last try records a StatusError result too. A StatusError result
// never changes a score when the regrade is applied.
func (h *RegradeHandler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	h.running.Add(1)
	defer h.running.Done()
	p, err := DecodeRegradePayload(t.Payload())
	if err != nil {
		return poison(err)
	}
	log := h.log.With("regrade_id", p.RegradeID, "submission_id", p.SubmissionID, "challenge", p.Challenge)
	ch, err := h.cfg.Challenges.Challenge(p.Challenge)
	if err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			h.giveUp(ctx, log, p, nil, err)
			return poison(fmt.Errorf("challenge %s: %v", p.Challenge, err))
		}
		return fmt.Errorf("challenge %s: %w", p.Challenge, err)
	}
	sub, err := h.cfg.Submissions.Submission(ctx, p.SubmissionID)
	if err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			h.giveUp(ctx, log, p, ch, err)
			return poison(fmt.Errorf("regrade %s: %v", p.SubmissionID, err))
		}
		return fmt.Errorf("load submission %s: %w", p.SubmissionID, err)
	}
	res, err := h.cfg.Engine.Grade(ctx, ch, sub, nil)
	if err != nil {
		retried, maxRetry := h.tries(ctx)
		f := triage(ctx, retried, maxRetry)
		switch f {
		case faultLastTry:
			log.Error("regrading failed on its last try: recording an error result", "err", err)
			h.giveUp(ctx, log, p, ch, err)
		case faultRetry:
			log.Warn("regrading failed: it will be retried", "err", err)
		}
		return f.err("regrade", p.SubmissionID, err)
	}
	res.SubmissionID = p.SubmissionID
	if res.GradedAt.IsZero() {
		res.GradedAt = h.cfg.Now().UTC()
	}
	res.Provenance = newProvenance(ch, sub, knownImages(ctx, log, h.cfg.Images, ch, sub.Language), h.cfg.Worker, res.GradedAt)
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if err := h.cfg.Results.SaveRegradeResult(bctx, p.RegradeID, res); err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			return poison(err)
		}
		return fmt.Errorf("save regrade result: %w", err)
	}
	log.Info("regraded", "status", res.Status, "score", res.Score, "max_score", res.MaxScore)
	return nil
}

// giveUp records a StatusError result for a regrade item that will not be
// graded; a failure is logged, the task's error says what went wrong.
func (h *RegradeHandler) giveUp(ctx context.Context, log *slog.Logger, p RegradePayload, ch *grader.Challenge, cause error) {
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	res := grader.Result{SubmissionID: p.SubmissionID, Challenge: p.Challenge, View: grader.ViewInstructor,
		Status: grader.StatusError, Message: msgFault, Tests: []grader.TestResult{}, GradedAt: h.cfg.Now()}
	if ch != nil {
		res.ChallengeVersion, res.MaxScore = ch.Version, ch.MaxScore()
	}
	if err := h.cfg.Results.SaveRegradeResult(bctx, p.RegradeID, res); err != nil {
		log.Error("record the error result", "err", err, "cause", cause)
	}
}

// Wait blocks until every ProcessTask in progress has returned, or ctx is
// done (see Handler.Wait).
func (h *RegradeHandler) Wait(ctx context.Context) error { return h.running.wait(ctx, "regradings") }
