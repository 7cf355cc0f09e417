package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/regrade"
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

// createRegrade starts a regrade of a cohort's counted submissions at a
// challenge, as the challenge is now.
func (s *Server) createRegrade(c *gin.Context) {
	p := principal(c)
	_, co, ok := s.instructorCohort(c, "regrade")
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
	id := "rg_" + strings.TrimPrefix(s.cfg.NewID(), "sub_")
	rg, items, err := s.regrades.Start(c.Request.Context(), co, ch, id, p.Subject)
	if errors.Is(err, regrade.ErrNotQueued) {
		s.abort(c, Errorf(CodeUnavailable, "regrade %s is stored but not all of it could be queued; GET it in a minute to queue the rest", rg.ID).withCause(err))
		return
	}
	if err != nil {
		s.abort(c, err)
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

// regradeError answers a failed read or apply of the URL's regrade of co.
func (s *Server) regradeError(c *gin.Context, co grader.Cohort, err error) {
	if errors.Is(err, grader.ErrNotFound) {
		s.abort(c, Errorf(CodeNotFound, "cohort %s has no regrade %.80q", co.ID, c.Param("rid")))
		return
	}
	s.abort(c, err)
}

func (s *Server) getRegrade(c *gin.Context) {
	_, co, ok := s.instructorCohort(c, "read regrades")
	if !ok {
		return
	}
	rg, items, err := s.regrades.Get(c.Request.Context(), co, c.Param("rid"))
	if err != nil {
		s.regradeError(c, co, err)
		return
	}
	c.JSON(http.StatusOK, regradeView(rg, items))
}

func (s *Server) listRegrades(c *gin.Context) {
	_, co, ok := s.instructorCohort(c, "read regrades")
	if !ok {
		return
	}
	list, err := s.regrades.List(c.Request.Context(), co.ID)
	if err != nil {
		s.abort(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"regrades": list})
}

// applyRegrade records a previewed regrade's new results next to the old
// ones (see regrade.Service.Apply); a regrade not fully graded, or
// applied already, answers 409.
func (s *Server) applyRegrade(c *gin.Context) {
	_, co, ok := s.instructorCohort(c, "read regrades")
	if !ok {
		return
	}
	rg, _, err := s.regrades.Find(c.Request.Context(), co, c.Param("rid"))
	if err != nil {
		s.regradeError(c, co, err)
		return
	}
	applied, items, err := s.regrades.Apply(c.Request.Context(), rg)
	if errors.Is(err, grader.ErrRegradeState) {
		msg := fmt.Sprintf("regrade %s is %s", rg.ID, rg.State)
		if rg.State == grader.RegradeRunning {
			msg += fmt.Sprintf(" (%d of %d graded); apply it once the preview is complete", rg.Done, rg.Total)
		}
		s.abort(c, Errorf(CodeConflict, "%s", msg))
		return
	}
	if err != nil {
		s.abort(c, err)
		return
	}
	c.JSON(http.StatusOK, regradeView(applied, items))
}
