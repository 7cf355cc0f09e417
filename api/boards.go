package api

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/cohort"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/report"
)

// Leaderboard sizes.
const (
	defaultBoard = 10
	maxBoard     = 100
)

// Which board a leaderboard answer shows.
const (
	// boardAll is every learner's best, for instructors and admins.
	boardAll = "all"
	// boardCohort is the caller's cohort: a learner's with a token issued
	// for a cohort that has the challenge.
	boardCohort = "cohort"
	// boardPractice is the practice submissions' (grader.Record.Practice):
	// every other learner's.
	boardPractice = "practice"
)

// standing is one line of a leaderboard answer.
type standing struct {
	Rank     int       `json:"rank"`
	Learner  string    `json:"learner"`
	Score    int       `json:"score"`
	MaxScore int       `json:"max_score"`
	At       time.Time `json:"at"`
}

// leaderboard answers a challenge's best scores, best first, ties to
// whoever got there first. Instructors see every learner's; a learner
// sees only learners who may know of one another: their own cohort's
// (with a token issued for a cohort that has the challenge) or else the
// practice submissions', without staff in either.
func (s *Server) leaderboard(c *gin.Context) {
	ch := s.challenge(c)
	if ch == nil {
		return
	}
	limit, err := intParam(c, "limit", defaultBoard, 1, maxBoard)
	if err != nil {
		s.abort(c, err)
		return
	}
	p := principal(c)
	if p.Role == RoleLearner && p.Cohort != "" && s.cfg.Cohorts != nil {
		if items, ok, err := s.cohortBoard(c, p, ch, limit); err != nil {
			s.abort(c, err)
			return
		} else if ok {
			c.JSON(http.StatusOK, gin.H{"board": boardCohort, "cohort": p.Cohort, "items": items})
			return
		}
	}
	board, kind, read := s.cfg.Store.Leaderboard, boardAll, limit
	if p.Role == RoleLearner {
		// Read past the staff there may be, then drop them.
		board, kind, read = s.cfg.Store.PracticeLeaderboard, boardPractice, limit+len(s.staff)
	}
	lines, err := board(c.Request.Context(), ch.ID, read)
	if err != nil {
		s.abort(c, fmt.Errorf("leaderboard of %s: %w", ch.ID, err))
		return
	}
	items := make([]standing, 0, len(lines))
	for _, b := range lines {
		if len(items) == limit || (kind == boardPractice && s.staff[b.Learner]) {
			continue
		}
		items = append(items, standing{Rank: len(items) + 1, Learner: b.Learner, Score: b.Score, MaxScore: ch.MaxScore(), At: b.At})
	}
	c.JSON(http.StatusOK, gin.H{"board": kind, "items": items})
}

// cohortBoard is the leaderboard of p's cohort at ch, and whether there
// is one (the learner is still a member and the cohort has ch).
func (s *Server) cohortBoard(c *gin.Context, p Principal, ch *grader.Challenge, limit int) ([]standing, bool, error) {
	ctx := c.Request.Context()
	co, err := s.cfg.Cohorts.Cohort(ctx, p.Cohort)
	if errors.Is(err, grader.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read cohort %s: %w", p.Cohort, err)
	}
	if !co.Has(p.Subject) || !co.Covers(ch.ID) {
		return nil, false, nil
	}
	rep, err := cohort.Report(ctx, s.cfg.Cohorts, s.cfg.Catalog, co, cohort.Query{Challenge: ch.ID}, s.cfg.Now())
	if err != nil {
		return nil, false, fmt.Errorf("report of %s: %w", co.ID, err)
	}
	entries := cohort.Leaderboard(s.withoutStaff(rep), ch.ID)
	items := make([]standing, 0, min(len(entries), limit))
	for _, e := range entries[:min(len(entries), limit)] {
		items = append(items, standing{Rank: e.Rank, Learner: e.Learner, Score: e.Score, MaxScore: e.MaxScore, At: e.GradedAt})
	}
	return items, true, nil
}

// withoutStaff drops the rows of instructors and admins (the subjects of
// configured tokens that are not learners'), whom learners never see on
// a leaderboard.
func (s *Server) withoutStaff(rep report.Report) report.Report {
	rep.Rows = slices.DeleteFunc(slices.Clone(rep.Rows), func(r report.Row) bool { return s.staff[r.Learner] })
	return rep
}
