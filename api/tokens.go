package api

import (
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/api/wire"
)

// Issued tokens. An instructor issues each learner of a cohort a token
// (gbx_...) for that cohort. Such a token acts only in its cohort: it
// submits into it or practises outside any cohort, and reads its
// cohort's submissions of its learner and the practice submissions made
// with a token of the same cohort; other cohorts answer 404 as unknown
// ones do. Issuing again, revoking, or removing the learner from the
// cohort ends the token.

// issueTokens makes a new learner token for each learner named (every
// member when none is), revoking their previous cohort token.
func (s *Server) issueTokens(c *gin.Context) {
	cs, co, ok := s.instructorCohort(c, "issue tokens")
	if !ok {
		return
	}
	var body struct {
		Learners []string `json:"learners"`
	}
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 1<<20)
	if c.Request.ContentLength != 0 {
		if err := jsonDecoder(c.Request.Body).Decode(&body); err != nil {
			s.abort(c, uploadError(err, `send {"learners": ["alice"]}, or no body for every learner`))
			return
		}
	}
	learners := body.Learners
	if len(learners) == 0 {
		learners = co.Learners
	}
	for i, l := range learners {
		if err := checkName(fmt.Sprintf("learners[%d]", i), l); err != nil {
			s.abort(c, err)
			return
		}
		if !co.Has(l) {
			s.abort(c, Errorf(CodeInvalidRequest, "%.80q is not a learner of cohort %s; PUT the cohort with them first", l, co.ID))
			return
		}
	}
	out := make([]wire.IssuedToken, 0, len(learners))
	for _, l := range learners {
		tok, err := cs.IssueLearnerToken(c.Request.Context(), co.ID, l)
		if err != nil {
			s.abort(c, fmt.Errorf("issue tokens: %w", err))
			return
		}
		out = append(out, wire.IssuedToken{Learner: l, Token: tok})
	}
	c.JSON(http.StatusCreated, gin.H{"tokens": out})
}

// revokeToken revokes the URL's learner's token for the URL's cohort:
// 204, or 404 when they hold none.
func (s *Server) revokeToken(c *gin.Context) {
	cs, co, ok := s.instructorCohort(c, "revoke tokens")
	if !ok {
		return
	}
	learner := c.Param("learner")
	revoked, err := cs.RevokeLearnerToken(c.Request.Context(), co.ID, learner)
	if err != nil {
		s.abort(c, fmt.Errorf("revoke token: %w", err))
		return
	}
	if !revoked {
		s.abort(c, Errorf(CodeNotFound, "%.80q holds no token of cohort %s", learner, co.ID))
		return
	}
	c.Status(http.StatusNoContent)
}
