package api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/grader"
)

func newID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return "sub_" + hex.EncodeToString(b)
}

// submissionView is what the API answers about a submission.
type submissionView struct {
	grader.Record
	Result *grader.Result    `json:"result,omitempty"`
	Links  map[string]string `json:"links"`
}

// links are where to read a submission: itself, its event stream and,
// once graded, its result (the submission document, which then holds
// it).
func links(rec grader.Record) map[string]string {
	self := "/v1/submissions/" + rec.ID
	l := map[string]string{"self": self, "events": self + "/events"}
	if rec.State == grader.StateGraded {
		l["result"] = self
	}
	return l
}

// getSubmission answers a submission's record and, once graded, its
// result in the caller's view (see recordFor for the record's).
func (s *Server) getSubmission(c *gin.Context) {
	p := principal(c)
	full, err := fullParam(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	rec, ok := s.visibleRecord(c, p, c.Param("id"))
	if !ok {
		return
	}
	view := submissionView{Record: recordFor(rec, p, full), Links: links(rec)}
	if res, ok, err := s.cfg.Store.Result(c.Request.Context(), rec.ID); err != nil {
		s.abort(c, fmt.Errorf("read result of %s: %w", rec.ID, err))
		return
	} else if ok {
		if view.Result, err = s.resultFor(c.Request.Context(), rec, res, viewOf(p)); err != nil {
			s.abort(c, err)
			return
		}
	}
	c.JSON(http.StatusOK, view)
}

// visibleRecord returns the record of submission id if p may see it;
// otherwise it answers 404 and returns false. Learners cannot tell
// others' submissions from missing ones.
func (s *Server) visibleRecord(c *gin.Context, p Principal, id string) (grader.Record, bool) {
	rec, err := s.cfg.Store.Record(c.Request.Context(), id)
	if err == nil && p.Sees(rec) {
		return rec, true
	}
	if err == nil || errors.Is(err, grader.ErrNotFound) {
		s.abort(c, Errorf(CodeNotFound, "no submission %.80q", id))
		return grader.Record{}, false
	}
	s.abort(c, fmt.Errorf("read submission %s: %w", id, err))
	return grader.Record{}, false
}

// Page sizes of GET /v1/submissions.
const (
	defaultPage = 20
	maxPage     = 100
)

// listSubmissions answers a page of submissions, newest first. Learners
// get only their own, whatever learner says.
func (s *Server) listSubmissions(c *gin.Context) {
	p := principal(c)
	offset, err := intParam(c, "offset", 0, 0, 1<<31-1)
	if err != nil {
		s.abort(c, err)
		return
	}
	limit, err := intParam(c, "limit", defaultPage, 1, maxPage)
	if err != nil {
		s.abort(c, err)
		return
	}
	full, err := fullParam(c)
	if err != nil {
		s.abort(c, err)
		return
	}
	f := grader.RecordFilter{Challenge: c.Query("challenge"), Learner: c.Query("learner"), Cohort: c.Query("cohort")}
	if p.Role == RoleLearner {
		f.Learner, f.Scope = p.Subject, p.Cohort
		if f.Cohort != "" {
			s.abort(c, Errorf(CodeForbidden, "only instructors may list a cohort's submissions; leave cohort out to list yours"))
			return
		}
	}
	if f.Cohort != "" && (f.Learner != "" || f.Challenge != "") {
		s.abort(c, Errorf(CodeInvalidRequest, "cohort cannot be combined with learner or challenge"))
		return
	}
	recs, total, err := s.cfg.Store.List(c.Request.Context(), f, offset, limit)
	if err != nil {
		s.abort(c, fmt.Errorf("list submissions: %w", err))
		return
	}
	items := make([]submissionView, 0, len(recs))
	for _, r := range recs {
		items = append(items, submissionView{Record: recordFor(r, p, full), Links: links(r)})
	}
	c.JSON(http.StatusOK, gin.H{"items": items, "total": total, "offset": offset, "limit": limit})
}

// intParam reads an optional integer query parameter within [lo, hi].
func intParam(c *gin.Context, name string, def, lo, hi int) (int, error) {
	raw, ok := c.GetQuery(name)
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(raw)
	if err != nil || n < lo || n > hi {
		return 0, Errorf(CodeInvalidRequest, "%s must be a whole number from %d to %d, not %.40q", name, lo, hi, raw)
	}
	return n, nil
}

// viewOf is the result view a caller gets.
func viewOf(p Principal) grader.View {
	if p.Role == RoleLearner {
		return grader.ViewLearner
	}
	return grader.ViewInstructor
}
