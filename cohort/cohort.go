// Package cohort computes a cohort's standing from its learners'
// submissions: the report (one row per learner and challenge), the
// cohort's leaderboards, which tests fail most, and each learner's
// counted submission (what a regrade grades again: see package regrade).
// It reads the store and the catalog and writes nothing.
package cohort

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/report"
)

// Store is what the computations read; *store.Redis implements it. Both
// reads take many learners or submissions at once, so that a cohort of
// thousands costs a few round trips rather than a few per learner.
type Store interface {
	// AttemptsOf returns, by learner, each learner's submissions to a
	// challenge, oldest first; learners without any may be absent.
	AttemptsOf(ctx context.Context, learners []string, challenge string) (map[string][]grader.Record, error)
	// Results returns, by id, the results (instructor view) of the
	// submissions that have one.
	Results(ctx context.Context, ids []string) (map[string]grader.Result, error)
}

// Standings computes every learner's standing at challenge, by learner,
// with the results (by submission id) of their counted submissions.
func Standings(ctx context.Context, st Store, c grader.Cohort, challenge string) (map[string]Standing, map[string]grader.Result, error) {
	return standings(ctx, st, c, challenge, "")
}

// standings is Standings over the submissions in lang only, or all of
// them when lang is "".
func standings(ctx context.Context, st Store, c grader.Cohort, challenge string, lang grader.Language) (map[string]Standing, map[string]grader.Result, error) {
	attempts, err := st.AttemptsOf(ctx, c.Learners, challenge)
	if err != nil {
		return nil, nil, err
	}
	out := make(map[string]Standing, len(c.Learners))
	var best []string
	for _, learner := range c.Learners {
		recs := attempts[learner]
		if lang != "" {
			recs = slices.DeleteFunc(slices.Clone(recs), func(r grader.Record) bool { return r.Language != lang })
		}
		s := StandingOf(c, recs)
		out[learner] = s
		if s.Best != nil {
			best = append(best, s.Best.ID)
		}
	}
	results, err := st.Results(ctx, best)
	if err != nil {
		return nil, nil, err
	}
	return out, results, nil
}

// Catalog finds challenges; *challenges.Index implements it.
type Catalog interface {
	Challenge(id string) (*grader.Challenge, error)
}

// Standing is one learner's standing at one challenge of a cohort.
type Standing struct {
	// Best is the submission that counts: the best counted result (see
	// grader.Record.Counts) made by the due date, ties to the earliest
	// graded; nil when there is none.
	Best *grader.Record
	// Attempts counts the learner's attempts (grader.Cohort.CountsAsAttempt:
	// their own submissions made by the due date, regrades and the
	// service's failures left out), as attempt limits count them.
	Attempts int
	// Last is the learner's latest submission made by the due date, in
	// whatever state; nil when none.
	Last *grader.Record
}

// StandingOf computes a standing from a learner's records at one
// challenge (any order).
func StandingOf(c grader.Cohort, recs []grader.Record) Standing {
	var st Standing
	for i := range recs {
		r := &recs[i]
		if !c.Counts(r.CreatedAt) {
			continue
		}
		if c.CountsAsAttempt(*r) {
			st.Attempts++
		}
		if r.Kind != grader.KindRegrade && (st.Last == nil || r.CreatedAt.After(st.Last.CreatedAt)) {
			st.Last = r
		}
		if !r.Counts() {
			continue
		}
		if st.Best == nil || r.Score > st.Best.Score || (r.Score == st.Best.Score && r.GradedAt.Before(st.Best.GradedAt)) {
			st.Best = r
		}
	}
	return st
}

// lastStatus is what a report says of a learner's latest submission: its
// status once graded, else its state ("queued", "grading").
func lastStatus(r *grader.Record) string {
	if r == nil {
		return ""
	}
	if r.State == grader.StateGraded {
		return string(r.Status)
	}
	return string(r.State)
}

// Query narrows a cohort's report.
type Query struct {
	// Challenge, when set, is the only challenge reported; it must be one
	// of the cohort's.
	Challenge string
	// Language, when set, counts only submissions made in it: a learner
	// with none in it has a row with no attempts.
	Language grader.Language
}

// Report builds the cohort's report: one row per learner (in the
// cohort's order) and challenge, with the best submission's language and
// tests, narrowed by q.
func Report(ctx context.Context, st Store, cat Catalog, c grader.Cohort, q Query, now time.Time) (report.Report, error) {
	challenge := q.Challenge
	ids := c.Challenges
	if challenge != "" {
		if !c.Covers(challenge) {
			return report.Report{}, fmt.Errorf("challenge %s is not one of cohort %s's: %w", challenge, c.ID, grader.ErrNotFound)
		}
		ids = []string{challenge}
	}
	rep := report.Report{Cohort: c.ID, Name: c.Name, Language: string(q.Language), GeneratedAt: now.UTC(), Challenges: []report.Challenge{}, Rows: []report.Row{}}
	maxScore := map[string]int{}
	for _, id := range ids {
		rc := report.Challenge{ID: id, Title: id}
		if ch, err := cat.Challenge(id); err == nil {
			rc.Title, rc.MaxScore, rc.Version = ch.Title, ch.MaxScore(), ch.Version
		}
		maxScore[id] = rc.MaxScore
		rep.Challenges = append(rep.Challenges, rc)
	}
	type perChallenge struct {
		standings map[string]Standing
		results   map[string]grader.Result
	}
	byChallenge := map[string]perChallenge{}
	for _, id := range ids {
		ss, results, err := standings(ctx, st, c, id, q.Language)
		if err != nil {
			return report.Report{}, fmt.Errorf("report of %s: %w", c.ID, err)
		}
		byChallenge[id] = perChallenge{ss, results}
	}
	for _, learner := range c.Learners {
		for _, id := range ids {
			pc := byChallenge[id]
			s := pc.standings[learner]
			row := report.Row{Learner: learner, Challenge: id, MaxScore: maxScore[id], Attempts: s.Attempts, LastStatus: lastStatus(s.Last), Tests: []report.Test{}}
			if s.Best != nil {
				row.BestScore, row.MaxScore, row.BestSubmission, row.GradedAt = s.Best.Score, s.Best.MaxScore, s.Best.ID, s.Best.GradedAt
				row.Language = string(s.Best.Language)
				if res, ok := pc.results[s.Best.ID]; ok {
					row.ChallengeVersion, row.Tests = res.ChallengeVersion, report.TestsOf(res)
				}
			}
			rep.Rows = append(rep.Rows, row)
		}
	}
	return rep, nil
}

// Entry is one line of a cohort's leaderboard.
type Entry struct {
	Rank     int       `json:"rank"`
	Learner  string    `json:"learner"`
	Score    int       `json:"score"`
	MaxScore int       `json:"max_score"`
	GradedAt time.Time `json:"graded_at"`
}

// Leaderboard ranks the rows of challenge that have a graded submission:
// best score first, ties to whoever was graded first (and share a rank).
func Leaderboard(rep report.Report, challenge string) []Entry {
	out := []Entry{}
	for _, r := range rep.Rows {
		if r.Challenge == challenge && r.BestSubmission != "" {
			out = append(out, Entry{Learner: r.Learner, Score: r.BestScore, MaxScore: r.MaxScore, GradedAt: r.GradedAt})
		}
	}
	slices.SortStableFunc(out, func(a, b Entry) int {
		return cmp.Or(cmp.Compare(b.Score, a.Score), a.GradedAt.Compare(b.GradedAt), cmp.Compare(a.Learner, b.Learner))
	})
	for i := range out {
		out[i].Rank = i + 1
		if i > 0 && out[i].Score == out[i-1].Score {
			out[i].Rank = out[i-1].Rank
		}
	}
	return out
}

// TestStat is how one test fared across a cohort's best submissions.
type TestStat struct {
	Name        string            `json:"name"`
	Suite       string            `json:"suite"`
	Visibility  grader.Visibility `json:"visibility"`
	Passed      int               `json:"passed"`
	Failed      int               `json:"failed"`
	FailureRate float64           `json:"failure_rate"`
}

// Failures returns, for challenge, how many learners' best submissions
// passed and failed each test (not passed counts as failed), most failed
// first (ties in suite order), and how many learners have one.
func Failures(rep report.Report, challenge string) (graded int, tests []TestStat) {
	index := map[string]int{}
	tests = []TestStat{}
	for _, r := range rep.Rows {
		if r.Challenge != challenge || r.BestSubmission == "" {
			continue
		}
		graded++
		for _, t := range r.Tests {
			key := t.Suite + "\x00" + t.Name
			i, ok := index[key]
			if !ok {
				i = len(tests)
				index[key] = i
				tests = append(tests, TestStat{Name: t.Name, Suite: t.Suite, Visibility: t.Visibility})
			}
			if t.Status == grader.TestPassed {
				tests[i].Passed++
			} else {
				tests[i].Failed++
			}
		}
	}
	for i := range tests {
		if n := tests[i].Passed + tests[i].Failed; n > 0 {
			tests[i].FailureRate = float64(tests[i].Failed) / float64(n)
		}
	}
	slices.SortStableFunc(tests, func(a, b TestStat) int { return cmp.Compare(b.FailureRate, a.FailureRate) })
	return graded, tests
}
