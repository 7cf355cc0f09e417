package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/cohort"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/regrade"
	"github.com/gradebox/grader/report"
)

// CohortStore is the part of the store behind cohorts, issued tokens and
// regrades; *store.Redis implements it. Without one, the cohort routes
// answer 404 and only the configured tokens sign in.
type CohortStore interface {
	regrade.Store
	CreateCohort(ctx context.Context, c grader.Cohort) (grader.Cohort, error)
	UpdateCohort(ctx context.Context, c grader.Cohort) (grader.Cohort, error)
	Cohort(ctx context.Context, id string) (grader.Cohort, error)
	Cohorts(ctx context.Context) ([]grader.Cohort, error)
	CohortsOf(ctx context.Context, learner string) ([]grader.Cohort, error)
	CreateCohortSubmission(ctx context.Context, rec grader.Record, files []grader.File, quota int) (grader.Record, error)
	IssueLearnerToken(ctx context.Context, cohort, learner string) (string, error)
	RevokeLearnerToken(ctx context.Context, cohort, learner string) (bool, error)
	LookupToken(ctx context.Context, secret string) (grader.TokenGrant, bool, error)
}

var _ regrade.Enqueuer = (*queue.Client)(nil)

// cohortIDPattern is what a cohort id looks like: it appears in URLs,
// keys and file names.
var cohortIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Cohort limits.
const (
	maxCohortLearners = 10000
	maxCohortName     = 200
)

// cohortBody is the request body of POST and PUT /v1/cohorts.
type cohortBody = wire.CohortRequest

// cohortJSON is a cohort as the API shows it.
type cohortJSON = wire.Cohort

// cohortFor shows c to p: a learner sees only themselves among the
// learners.
func cohortFor(c grader.Cohort, p Principal) cohortJSON {
	out := cohortJSON{ID: c.ID, Name: c.Name, Learners: c.Learners, Challenges: c.Challenges, DueAt: c.DueAt, Policies: c.Policies,
		CreatedAt: c.CreatedAt, CreatedBy: c.CreatedBy, Queue: queue.CohortQueue(c.Lane)}
	if p.Role == RoleLearner {
		out.Learners = []string{p.Subject}
	}
	if out.Learners == nil {
		out.Learners = []string{}
	}
	return out
}

// requireInstructor answers 403 unless p is an instructor or admin.
func (s *Server) requireInstructor(c *gin.Context, p Principal, what string) bool {
	if p.Role == RoleLearner {
		s.abort(c, Errorf(CodeForbidden, "only instructors may %s", what))
		return false
	}
	return true
}

// cohorts returns the cohort store or answers 404 when there is none.
func (s *Server) cohortStore(c *gin.Context) (CohortStore, bool) {
	if s.cfg.Cohorts == nil {
		s.abort(c, Errorf(CodeNotFound, "this server keeps no cohorts"))
		return nil, false
	}
	return s.cfg.Cohorts, true
}

// decodeCohort reads and checks a cohort body; id is the URL's on PUT.
func (s *Server) decodeCohort(c *gin.Context, id string) (grader.Cohort, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, 4<<20)
	var b cohortBody
	if err := jsonDecoder(c.Request.Body).Decode(&b); err != nil {
		return grader.Cohort{}, uploadError(err, `send JSON like {"id": "spring-26", "name": "Spring 2026", "learners": ["alice"], "challenges": ["notes-api"], "due_at": "2026-12-31T23:59:00Z"}`)
	}
	if id != "" {
		if b.ID != "" && b.ID != id {
			return grader.Cohort{}, Errorf(CodeInvalidRequest, "the body's id %q differs from the URL's %q; leave it out or make them match", b.ID, id)
		}
		b.ID = id
	}
	if !cohortIDPattern.MatchString(b.ID) {
		return grader.Cohort{}, Errorf(CodeInvalidRequest, "cohort id %.80q: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit", b.ID)
	}
	if err := checkName("name", b.Name); err != nil {
		return grader.Cohort{}, err
	}
	if len(b.Name) > maxCohortName {
		return grader.Cohort{}, Errorf(CodeInvalidRequest, "name is %d characters long; keep it under %d", len(b.Name), maxCohortName)
	}
	if b.Name == "" {
		b.Name = b.ID
	}
	if len(b.Learners) > maxCohortLearners {
		return grader.Cohort{}, Errorf(CodeInvalidRequest, "%d learners: a cohort holds at most %d; split it", len(b.Learners), maxCohortLearners)
	}
	seen := map[string]bool{}
	for i, l := range b.Learners {
		if !validLearner(l) {
			return grader.Cohort{}, Errorf(CodeInvalidRequest, "learners[%d] %.80q is not a valid id: use 1 to 128 printable characters without spaces", i, l)
		}
		if seen[l] {
			return grader.Cohort{}, Errorf(CodeInvalidRequest, "learner %q is listed twice", l)
		}
		seen[l] = true
	}
	if len(b.Challenges) == 0 {
		return grader.Cohort{}, Errorf(CodeInvalidRequest, "challenges is empty: name at least one challenge (GET /v1/challenges lists them)")
	}
	for i, ch := range b.Challenges {
		if err := checkName(fmt.Sprintf("challenges[%d]", i), ch); err != nil {
			return grader.Cohort{}, err
		}
		if seen["\x00"+ch] {
			return grader.Cohort{}, Errorf(CodeInvalidRequest, "challenge %q is listed twice", ch)
		}
		seen["\x00"+ch] = true
		if _, err := s.cfg.Catalog.Challenge(ch); err != nil {
			return grader.Cohort{}, Errorf(CodeInvalidRequest, "challenges[%d]: no challenge %.80q; GET /v1/challenges lists them", i, ch)
		}
	}
	co := grader.Cohort{ID: b.ID, Name: b.Name, Learners: b.Learners, Challenges: b.Challenges}
	if co.Learners == nil {
		co.Learners = []string{}
	}
	if b.DueAt != "" {
		t, err := time.Parse(time.RFC3339, b.DueAt)
		if err != nil {
			return grader.Cohort{}, Errorf(CodeInvalidRequest, "due_at %.80q is not an RFC 3339 time such as 2026-12-31T23:59:00Z", b.DueAt)
		}
		co.DueAt = t.UTC()
	}
	policies, err := checkPolicies(b.Policies, co.Challenges)
	if err != nil {
		return grader.Cohort{}, err
	}
	co.Policies = policies
	return co, nil
}

// Bounds of a feedback policy.
const (
	maxPolicyAttempts = 1000
	maxCooldown       = 7 * 24 * time.Hour
)

// checkPolicies checks the feedback policies of a cohort body: each
// names one of the cohort's challenges and holds sane values. Policies
// equal to the defaults are dropped.
func checkPolicies(in map[string]grader.FeedbackPolicy, challenges []string) (map[string]grader.FeedbackPolicy, error) {
	out := map[string]grader.FeedbackPolicy{}
	for ch, p := range in {
		if !slices.Contains(challenges, ch) {
			return nil, Errorf(CodeInvalidRequest, "policies names %.80q, which is not one of the cohort's challenges (%s)", ch, strings.Join(challenges, ", "))
		}
		for _, f := range []struct {
			name string
			v    *grader.Feedback
		}{{"before_due", &p.BeforeDue}, {"after_due", &p.AfterDue}} {
			v, err := grader.ParseFeedback(string(*f.v))
			if err != nil {
				return nil, Errorf(CodeInvalidRequest, "policies[%s].%s: %v (score: the score only; visible: visible tests in full; all: hidden tests' names and messages too)", ch, f.name, err)
			}
			*f.v = v
		}
		if p.MaxAttempts < 0 || p.MaxAttempts > maxPolicyAttempts {
			return nil, Errorf(CodeInvalidRequest, "policies[%s].max_attempts is %d: use 0 (no cap) to %d", ch, p.MaxAttempts, maxPolicyAttempts)
		}
		if p.CooldownSeconds < 0 || p.Cooldown() > maxCooldown {
			return nil, Errorf(CodeInvalidRequest, "policies[%s].cooldown_seconds is %d: use 0 (none) to %d (a week)", ch, p.CooldownSeconds, int(maxCooldown/time.Second))
		}
		if p != (grader.FeedbackPolicy{BeforeDue: grader.FeedbackVisible, AfterDue: grader.FeedbackVisible}) {
			out[ch] = p
		}
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func (s *Server) createCohort(c *gin.Context) {
	p := principal(c)
	cs, ok := s.cohortStore(c)
	if !ok || !s.requireInstructor(c, p, "create cohorts") {
		return
	}
	co, err := s.decodeCohort(c, "")
	if err != nil {
		s.abort(c, err)
		return
	}
	co.CreatedBy, co.CreatedAt = p.Subject, s.cfg.Now().UTC()
	co, err = cs.CreateCohort(c.Request.Context(), co)
	if errors.Is(err, grader.ErrExists) {
		s.abort(c, Errorf(CodeConflict, "cohort %s exists; PUT /v1/cohorts/%s replaces it", co.ID, co.ID))
		return
	}
	if err != nil {
		s.abort(c, fmt.Errorf("create cohort: %w", err))
		return
	}
	c.Header("Location", "/v1/cohorts/"+co.ID)
	c.JSON(http.StatusCreated, cohortFor(co, p))
}

func (s *Server) updateCohort(c *gin.Context) {
	p := principal(c)
	cs, ok := s.cohortStore(c)
	if !ok || !s.requireInstructor(c, p, "change cohorts") {
		return
	}
	co, err := s.decodeCohort(c, c.Param("id"))
	if err != nil {
		s.abort(c, err)
		return
	}
	co, err = cs.UpdateCohort(c.Request.Context(), co)
	if errors.Is(err, grader.ErrNotFound) {
		s.abort(c, Errorf(CodeNotFound, "no cohort %s; POST /v1/cohorts creates it", c.Param("id")))
		return
	}
	if err != nil {
		s.abort(c, fmt.Errorf("update cohort: %w", err))
		return
	}
	c.JSON(http.StatusOK, cohortFor(co, p))
}

func (s *Server) listCohorts(c *gin.Context) {
	p := principal(c)
	cs, ok := s.cohortStore(c)
	if !ok {
		return
	}
	var list []grader.Cohort
	var err error
	if p.Role == RoleLearner {
		list, err = cs.CohortsOf(c.Request.Context(), p.Subject)
	} else {
		list, err = cs.Cohorts(c.Request.Context())
	}
	if err != nil {
		s.abort(c, fmt.Errorf("list cohorts: %w", err))
		return
	}
	out := make([]cohortJSON, 0, len(list))
	for _, co := range list {
		if p.InCohort(co.ID) {
			out = append(out, cohortFor(co, p))
		}
	}
	c.JSON(http.StatusOK, gin.H{"cohorts": out})
}

// loadCohort finds the URL's cohort for p: learners only find their own
// (others answer 404, as unknown ones do).
func (s *Server) loadCohort(c *gin.Context, p Principal) (CohortStore, grader.Cohort, bool) {
	cs, ok := s.cohortStore(c)
	if !ok {
		return nil, grader.Cohort{}, false
	}
	id := c.Param("id")
	co, err := cs.Cohort(c.Request.Context(), id)
	if errors.Is(err, grader.ErrNotFound) || (err == nil && p.Role == RoleLearner && (!co.Has(p.Subject) || !p.InCohort(co.ID))) {
		s.abort(c, Errorf(CodeNotFound, "no cohort %.80q", id))
		return nil, grader.Cohort{}, false
	}
	if err != nil {
		s.abort(c, fmt.Errorf("read cohort: %w", err))
		return nil, grader.Cohort{}, false
	}
	return cs, co, true
}

// instructorCohort is loadCohort for routes only instructors may call:
// it answers 403 to learners, naming what they may not do.
func (s *Server) instructorCohort(c *gin.Context, what string) (CohortStore, grader.Cohort, bool) {
	p := principal(c)
	if !s.requireInstructor(c, p, what) {
		return nil, grader.Cohort{}, false
	}
	return s.loadCohort(c, p)
}

func (s *Server) getCohort(c *gin.Context) {
	p := principal(c)
	if _, co, ok := s.loadCohort(c, p); ok {
		c.JSON(http.StatusOK, cohortFor(co, p))
	}
}

// loadCohortReport loads the URL's cohort for the caller (instructors
// only when instructorOnly), checks its ?challenge (all of the cohort's
// when empty and allowAll, else required unless the cohort has one) and
// builds the report the answer is made from.
func (s *Server) loadCohortReport(c *gin.Context, instructorOnly, allowAll bool) (grader.Cohort, string, report.Report, bool) {
	var cs CohortStore
	var co grader.Cohort
	var ok bool
	if instructorOnly {
		cs, co, ok = s.instructorCohort(c, "read a cohort's reports and per-test results")
	} else {
		cs, co, ok = s.loadCohort(c, principal(c))
	}
	if !ok {
		return grader.Cohort{}, "", report.Report{}, false
	}
	challenge := c.Query("challenge")
	if challenge == "" && !allowAll && len(co.Challenges) == 1 {
		challenge = co.Challenges[0]
	}
	switch {
	case challenge == "" && !allowAll:
		s.abort(c, Errorf(CodeInvalidRequest, "add ?challenge=<id>: one of %s", strings.Join(co.Challenges, ", ")))
		return grader.Cohort{}, "", report.Report{}, false
	case challenge != "" && !co.Covers(challenge):
		s.abort(c, Errorf(CodeInvalidRequest, "challenge %.80q is not one of cohort %s's (%s)", challenge, co.ID, strings.Join(co.Challenges, ", ")))
		return grader.Cohort{}, "", report.Report{}, false
	}
	lang := grader.Language(c.Query("language"))
	if lang != "" && !lang.Known() {
		s.abort(c, Errorf(CodeInvalidRequest, "language %.40q: use one of %s, or leave it out for every language", lang, knownLanguages()))
		return grader.Cohort{}, "", report.Report{}, false
	}
	rep, err := cohort.Report(c.Request.Context(), cs, s.cfg.Catalog, co, cohort.Query{Challenge: challenge, Language: lang}, s.cfg.Now())
	if err != nil {
		s.abort(c, fmt.Errorf("report: %w", err))
		return grader.Cohort{}, "", report.Report{}, false
	}
	return co, challenge, rep, true
}

func (s *Server) cohortReport(c *gin.Context) {
	format := c.DefaultQuery("format", report.FormatJSON)
	if report.ContentType(format) == "" {
		s.abort(c, Errorf(CodeInvalidRequest, "format %.40q: use %s", format, strings.Join(report.Formats(), ", ")))
		return
	}
	co, _, rep, ok := s.loadCohortReport(c, true, true)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, rep, format); err != nil {
		s.abort(c, fmt.Errorf("write report: %w", err))
		return
	}
	ext := map[string]string{report.FormatJSON: "json", report.FormatCSV: "csv", report.FormatJUnit: "xml"}[format]
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-report.%s"`, co.ID, ext))
	c.Data(http.StatusOK, report.ContentType(format), buf.Bytes())
}

func (s *Server) cohortLeaderboard(c *gin.Context) {
	co, ch, rep, ok := s.loadCohortReport(c, false, false)
	if ok && principal(c).Role == RoleLearner {
		rep = s.withoutStaff(rep)
	}
	if ok {
		c.JSON(http.StatusOK, gin.H{"cohort": co.ID, "challenge": ch, "entries": cohort.Leaderboard(rep, ch)})
	}
}

func (s *Server) cohortTests(c *gin.Context) {
	co, ch, rep, ok := s.loadCohortReport(c, true, false)
	if !ok {
		return
	}
	n, tests := cohort.Failures(rep, ch)
	c.JSON(http.StatusOK, gin.H{"cohort": co.ID, "challenge": ch, "learners": n, "tests": tests})
}

// knownLanguages names every language the engine grades, for messages.
func knownLanguages() string {
	names := make([]string, len(grader.Languages))
	for i, l := range grader.Languages {
		names[i] = string(l)
	}
	return strings.Join(names, ", ")
}
