package api

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/grader"
)

// policyCohort returns cohort cohortID, whose feedback policy governs a
// learner's submission (grader.Record.Scope: the cohort it was made in,
// else the one of the issued token it was made with); ok is false when
// there is none.
func (s *Server) policyCohort(ctx context.Context, cohortID string) (grader.Cohort, bool, error) {
	if cohortID == "" || s.cfg.Cohorts == nil {
		return grader.Cohort{}, false, nil
	}
	co, err := s.cfg.Cohorts.Cohort(ctx, cohortID)
	if errors.Is(err, grader.ErrNotFound) {
		return grader.Cohort{}, false, nil
	}
	if err != nil {
		return grader.Cohort{}, false, fmt.Errorf("read cohort %s: %w", cohortID, err)
	}
	return co, true, nil
}

// feedbackFor returns how much the learner of rec sees of its result now,
// with a note for the result when something is held back or released
// later.
func (s *Server) feedbackFor(ctx context.Context, rec grader.Record) (grader.Feedback, *grader.FeedbackNote, error) {
	co, ok, err := s.policyCohort(ctx, rec.Scope())
	if err != nil || !ok {
		return grader.FeedbackVisible, nil, err
	}
	f, note := co.LearnerFeedback(rec.Challenge, s.cfg.Now())
	return f, note, nil
}

// checkAttempt refuses a learner's submission that the feedback policy
// of its cohort does not allow now: over the cap of graded attempts (403)
// or within the cooldown after the last one (429 with Retry-After). It
// answers and returns false when refused.
func (s *Server) checkAttempt(c *gin.Context, p Principal, rec grader.Record) bool {
	if p.Role != RoleLearner {
		return true
	}
	ctx := c.Request.Context()
	co, ok, err := s.policyCohort(ctx, rec.Scope())
	if err != nil {
		s.abort(c, err)
		return false
	}
	pol := co.Policy(rec.Challenge)
	if !ok || (pol.MaxAttempts == 0 && pol.CooldownSeconds == 0) {
		return true
	}
	attempts, err := s.cfg.Cohorts.AttemptsOf(ctx, []string{rec.Learner}, rec.Challenge)
	if err != nil {
		s.abort(c, fmt.Errorf("count attempts: %w", err))
		return false
	}
	now := s.cfg.Now()
	ref := co.CheckAttempt(rec.Challenge, attempts[rec.Learner], now)
	if ref == nil {
		return true
	}
	if ref.Cooldown > 0 {
		wait := max(int(ref.RetryAt.Sub(now).Round(time.Second)/time.Second), 1)
		c.Header("Retry-After", strconv.Itoa(wait))
		s.abort(c, Errorf(CodeRateLimited, "cohort %s asks for %s between attempts at %s: you may submit again at %s (in %ds)",
			co.ID, ref.Cooldown, rec.Challenge, ref.RetryAt.UTC().Format(time.RFC3339), wait))
		return false
	}
	msg := fmt.Sprintf("you have used all %d graded attempts at %s that cohort %s allows", ref.MaxAttempts, rec.Challenge, co.ID)
	if !ref.RetryAt.IsZero() {
		msg += fmt.Sprintf("; after its due date (%s) you may submit again, for practice: those submissions do not count", co.DueAt.UTC().Format(time.RFC3339))
	}
	s.abort(c, Errorf(CodeForbidden, "%s", msg))
	return false
}
