package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/cohort"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/queue"
)

// regradeChange is one learner whose score a regrade changes.
type regradeChange = wire.RegradeChange

// regradeJSON is a regrade as the API shows it: the learners whose score
// changes, and how many do not or could not be graded again.
type regradeJSON struct {
	grader.Regrade
	Changes   []regradeChange `json:"changes"`
	Unchanged int             `json:"unchanged"`
	Errors    int             `json:"errors"`
	// Outdated counts the submissions last graded with another version of
	// the challenge than the regrade's. Zero means the service has the
	// version every result was graded with: a challenge edited on disk is
	// not loaded yet (SIGHUP or a restart loads it).
	Outdated int `json:"outdated"`
	// Failed lists the learners whose submission could not be graded
	// again (their result stays as it is).
	Failed []string `json:"failed"`
}

func regradeView(rg grader.Regrade, items []grader.RegradeItem) regradeJSON {
	out := regradeJSON{Regrade: rg, Changes: []regradeChange{}, Failed: []string{}}
	for _, it := range items {
		if it.OldVersion != rg.Version {
			out.Outdated++
		}
		switch {
		case it.Failed():
			out.Errors++
			out.Failed = append(out.Failed, it.Learner)
		case it.Changed():
			out.Changes = append(out.Changes, regradeChange{Learner: it.Learner, Submission: it.Submission, OldScore: it.OldScore, NewScore: it.NewScore,
				MaxScore: it.NewMaxScore, OldVersion: it.OldVersion, NewVersion: it.NewVersion, Applied: it.Applied})
		case it.Done:
			out.Unchanged++
		}
	}
	return out
}

// regradeRequeueAge is how old a running regrade must be before reading
// it enqueues its ungraded items again (in case enqueueing failed).
const regradeRequeueAge = time.Minute

// createRegrade starts a regrade of a cohort's counted submissions at a
// challenge, as the challenge is now.
func (s *Server) createRegrade(c *gin.Context) {
	p := principal(c)
	cs, co, ok := s.instructorCohort(c, "regrade")
	if !ok {
		return
	}
	if s.cfg.RegradeQueue == nil {
		s.abort(c, Errorf(CodeNotFound, "this server does not regrade"))
		return
	}
	var body struct {
		Challenge string `json:"challenge"`
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 64<<10)
	if err := jsonDecoder(c.Request.Body).Decode(&body); err != nil {
		s.abort(c, uploadError(err, `send {"challenge": "notes-api"}`))
		return
	}
	ch, ok := s.challengeParamValue(c, co, body.Challenge)
	if !ok {
		return
	}
	ctx := c.Request.Context()
	items, err := cohort.RegradeItems(ctx, cs, co, ch.ID)
	if err != nil {
		s.abort(c, fmt.Errorf("plan regrade: %w", err))
		return
	}
	rg := grader.Regrade{ID: "rg_" + strings.TrimPrefix(s.cfg.NewID(), "sub_"), Cohort: co.ID, Challenge: ch.ID, Version: ch.Version, CreatedBy: p.Subject, CreatedAt: s.cfg.Now().UTC()}
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	if err := cs.CreateRegrade(bctx, rg, items); err != nil {
		s.abort(c, fmt.Errorf("create regrade: %w", err))
		return
	}
	if err := s.enqueueRegrade(bctx, co, rg, items); err != nil {
		s.abort(c, Errorf(CodeUnavailable, "regrade %s is stored but not all of it could be queued; GET it in a minute to queue the rest", rg.ID).withCause(err))
		return
	}
	rg, items, err = cs.Regrade(bctx, rg.ID)
	if err != nil {
		s.abort(c, fmt.Errorf("read regrade: %w", err))
		return
	}
	c.Header("Location", "/v1/cohorts/"+co.ID+"/regrades/"+rg.ID)
	c.JSON(http.StatusAccepted, regradeView(rg, items))
}

// challengeParamValue checks that id is one of the cohort's challenges and
// in the catalog.
func (s *Server) challengeParamValue(c *gin.Context, co grader.Cohort, id string) (*grader.Challenge, bool) {
	if id == "" && len(co.Challenges) == 1 {
		id = co.Challenges[0]
	}
	if err := checkName("challenge", id); err != nil {
		s.abort(c, err)
		return nil, false
	}
	if !co.Covers(id) {
		s.abort(c, Errorf(CodeInvalidRequest, "challenge %.80q is not one of cohort %s's: name one of %v", id, co.ID, co.Challenges))
		return nil, false
	}
	ch, err := s.cfg.Catalog.Challenge(id)
	if err != nil {
		s.abort(c, Errorf(CodeNotFound, "no challenge %.80q on this server", id))
		return nil, false
	}
	return ch, true
}

// enqueueRegrade queues the items not graded yet on the cohort's lane.
func (s *Server) enqueueRegrade(ctx context.Context, co grader.Cohort, rg grader.Regrade, items []grader.RegradeItem) error {
	ch, err := s.cfg.Catalog.Challenge(rg.Challenge)
	if err != nil {
		return fmt.Errorf("challenge %s: %w", rg.Challenge, err)
	}
	var errs []error
	for _, it := range items {
		if it.Done {
			continue
		}
		p := queue.RegradePayload{RegradeID: rg.ID, SubmissionID: it.Submission, Challenge: rg.Challenge}
		if err := s.cfg.RegradeQueue.EnqueueRegrade(ctx, p, queue.CohortQueue(co.Lane), queue.TaskTimeout(ch)); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// loadRegrade finds the URL's regrade of the URL's cohort.
func (s *Server) loadRegrade(c *gin.Context) (CohortStore, grader.Cohort, grader.Regrade, []grader.RegradeItem, bool) {
	cs, co, ok := s.instructorCohort(c, "read regrades")
	if !ok {
		return nil, grader.Cohort{}, grader.Regrade{}, nil, false
	}
	rg, items, err := cs.Regrade(c.Request.Context(), c.Param("rid"))
	if errors.Is(err, grader.ErrNotFound) || (err == nil && rg.Cohort != co.ID) {
		s.abort(c, Errorf(CodeNotFound, "cohort %s has no regrade %.80q", co.ID, c.Param("rid")))
		return nil, grader.Cohort{}, grader.Regrade{}, nil, false
	}
	if err != nil {
		s.abort(c, fmt.Errorf("read regrade: %w", err))
		return nil, grader.Cohort{}, grader.Regrade{}, nil, false
	}
	return cs, co, rg, items, true
}

func (s *Server) getRegrade(c *gin.Context) {
	_, co, rg, items, ok := s.loadRegrade(c)
	if !ok {
		return
	}
	if rg.State == grader.RegradeRunning && s.cfg.Now().Sub(rg.CreatedAt) > regradeRequeueAge {
		// Queue again what a failed enqueue may have left out;
		// duplicates of queued tasks are refused by the queue.
		if err := s.enqueueRegrade(c.Request.Context(), co, rg, items); err != nil {
			s.log.Warn("re-enqueue regrade", "regrade_id", rg.ID, "err", err)
		}
	}
	c.JSON(http.StatusOK, regradeView(rg, items))
}

func (s *Server) listRegrades(c *gin.Context) {
	cs, co, ok := s.instructorCohort(c, "read regrades")
	if !ok {
		return
	}
	list, err := cs.Regrades(c.Request.Context(), co.ID)
	if err != nil {
		s.abort(c, fmt.Errorf("list regrades: %w", err))
		return
	}
	c.JSON(http.StatusOK, gin.H{"regrades": list})
}

// applyRegrade records a previewed regrade's new results next to the old
// ones: every item graded again (changed or not) gets a regrade
// submission, and the old one is superseded. Items the service failed to
// grade keep their result. Applying again after a stop resumes.
func (s *Server) applyRegrade(c *gin.Context) {
	cs, _, rg, _, ok := s.loadRegrade(c)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request.Context()), 5*time.Minute)
	defer cancel()
	if err := cs.StartApplyRegrade(ctx, rg.ID); err != nil {
		if errors.Is(err, grader.ErrRegradeState) {
			msg := fmt.Sprintf("regrade %s is %s", rg.ID, rg.State)
			if rg.State == grader.RegradeRunning {
				msg += fmt.Sprintf(" (%d of %d graded); apply it once the preview is complete", rg.Done, rg.Total)
			}
			s.abort(c, Errorf(CodeConflict, "%s", msg))
			return
		}
		s.abort(c, fmt.Errorf("apply regrade: %w", err))
		return
	}
	_, items, err := cs.Regrade(ctx, rg.ID)
	if err != nil {
		s.abort(c, fmt.Errorf("apply regrade: %w", err))
		return
	}
	for _, it := range items {
		if !it.Done || it.Failed() || it.Applied != "" {
			continue
		}
		res, ok, err := cs.RegradeItemResult(ctx, rg.ID, it.Submission)
		if err != nil || !ok {
			s.abort(c, fmt.Errorf("apply regrade: result of %s (found %v): %w", it.Submission, ok, err))
			return
		}
		if err := cs.RecordRegrade(ctx, rg.ID, it, rg.ID+"_"+it.Submission, res); err != nil {
			s.abort(c, fmt.Errorf("apply regrade: %w", err))
			return
		}
	}
	if err := cs.FinishApplyRegrade(ctx, rg.ID); err != nil {
		s.abort(c, fmt.Errorf("apply regrade: %w", err))
		return
	}
	rg, items, err = cs.Regrade(ctx, rg.ID)
	if err != nil {
		s.abort(c, fmt.Errorf("apply regrade: %w", err))
		return
	}
	c.JSON(http.StatusOK, regradeView(rg, items))
}
