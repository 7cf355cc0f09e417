package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/hibiken/asynq"

	"github.com/gradebox/grader/grader"
)

// Submissions loads stored submissions.
type Submissions interface {
	// Submission returns the submission with id, or an error wrapping
	// grader.ErrNotFound.
	Submission(ctx context.Context, id string) (grader.Submission, error)
}

// Challenges finds challenges by id.
type Challenges interface {
	// Challenge returns the challenge with id, or an error wrapping
	// grader.ErrNotFound.
	Challenge(id string) (*grader.Challenge, error)
}

// Engine grades; *grader.Engine implements it.
type Engine interface {
	Grade(ctx context.Context, ch *grader.Challenge, sub grader.Submission, p grader.Progress) (grader.Result, error)
}

// Results stores results. SaveResult must be idempotent: the same
// submission may be graded twice when a worker dies after saving.
type Results interface {
	// Result returns the stored result of a submission and whether there
	// is one.
	Result(ctx context.Context, id string) (grader.Result, bool, error)
	SaveResult(ctx context.Context, res grader.Result) error
}

// HandlerConfig wires a Handler.
type HandlerConfig struct {
	Submissions Submissions
	Challenges  Challenges
	Engine      Engine
	Results     Results
	// Progress returns where a submission's progress events go; nil
	// drops them.
	Progress func(submissionID string) grader.Progress
	Logger   *slog.Logger
}

// Handler grades the submissions of grade tasks.
type Handler struct {
	cfg HandlerConfig
}

// NewHandler returns a Handler.
func NewHandler(cfg HandlerConfig) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	return &Handler{cfg: cfg}
}

// ProcessTask grades one submission. It returns nil once the result is
// stored (learner failures are results); a task that can never succeed
// (bad payload, unknown submission or challenge) wraps asynq.SkipRetry;
// any other error is a service fault and Asynq retries it.
func (h *Handler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	p, err := DecodeGradePayload(t.Payload())
	if err != nil {
		return fmt.Errorf("%v: %w", err, asynq.SkipRetry)
	}
	log := h.cfg.Logger.With("submission_id", p.SubmissionID, "challenge", p.Challenge)
	if res, ok, err := h.cfg.Results.Result(ctx, p.SubmissionID); err != nil {
		return fmt.Errorf("look up result of %s: %w", p.SubmissionID, err)
	} else if ok {
		// Graded before a crash or a duplicate delivery: nothing to do.
		log.Info("already graded", "status", res.Status)
		return h.writeResult(t, res)
	}
	ch, err := h.cfg.Challenges.Challenge(p.Challenge)
	if err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			return fmt.Errorf("challenge %s: %v: %w", p.Challenge, err, asynq.SkipRetry)
		}
		return fmt.Errorf("challenge %s: %w", p.Challenge, err)
	}
	sub, err := h.cfg.Submissions.Submission(ctx, p.SubmissionID)
	if err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			return fmt.Errorf("submission %s: %v: %w", p.SubmissionID, err, asynq.SkipRetry)
		}
		return fmt.Errorf("load submission %s: %w", p.SubmissionID, err)
	}
	var progress grader.Progress
	if h.cfg.Progress != nil {
		progress = h.cfg.Progress(p.SubmissionID)
	}
	res, err := h.cfg.Engine.Grade(ctx, ch, sub, progress)
	if err != nil {
		return fmt.Errorf("grade %s: %w", p.SubmissionID, err)
	}
	if err := h.cfg.Results.SaveResult(context.WithoutCancel(ctx), res); err != nil {
		return fmt.Errorf("save result of %s: %w", p.SubmissionID, err)
	}
	log.Info("graded", "status", res.Status, "score", res.Score, "max_score", res.MaxScore)
	return h.writeResult(t, res)
}

// writeResult keeps a summary with the task, for Asynq's own tools.
func (h *Handler) writeResult(t *asynq.Task, res grader.Result) error {
	w := t.ResultWriter()
	if w == nil {
		return nil
	}
	b, err := json.Marshal(map[string]any{"status": res.Status, "score": res.Score, "max_score": res.MaxScore})
	if err != nil {
		return nil
	}
	if _, err := w.Write(b); err != nil {
		h.cfg.Logger.Warn("write task result", "submission_id", res.SubmissionID, "err", err)
	}
	return nil
}
