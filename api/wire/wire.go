// Package wire holds the JSON documents of the grading service's v1 API:
// what the server answers and what its Go client reads. The api package
// answers with these types where it has them, and package client decodes
// into them, so a field renamed here changes both sides. It imports only
// the standard library and the domain (package grader).
package wire

import (
	"time"

	"github.com/gradebox/grader/grader"
)

// ErrorBody is every failed request's answer:
// {"error": {"code": "...", "message": "..."}}.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the code and message of a failed request.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Accepted is the answer to POST /v1/submissions: the new submission (or,
// for a repeated Idempotency-Key, the first one).
type Accepted struct {
	ID        string            `json:"id"`
	State     string            `json:"state"`
	Attempt   int               `json:"attempt"`
	Challenge string            `json:"challenge"`
	Language  string            `json:"language"`
	Learner   string            `json:"learner"`
	Links     map[string]string `json:"links"`
}

// Submission is GET /v1/submissions/{id}: a submission's record and, once
// graded, its result in the caller's view.
type Submission struct {
	ID          string            `json:"id"`
	Challenge   string            `json:"challenge"`
	Language    string            `json:"language"`
	Learner     string            `json:"learner"`
	Queue       string            `json:"queue"`
	State       string            `json:"state"`
	Attempt     int               `json:"attempt"`
	CallbackURL string            `json:"callback_url,omitempty"`
	CreatedAt   time.Time         `json:"created_at"`
	StartedAt   time.Time         `json:"started_at,omitzero"`
	GradedAt    time.Time         `json:"graded_at,omitzero"`
	Status      string            `json:"status,omitempty"`
	Score       int               `json:"score"`
	MaxScore    int               `json:"max_score"`
	Cohort      string            `json:"cohort,omitempty"`
	Kind        string            `json:"kind"`
	Result      *grader.Result    `json:"result,omitempty"`
	Links       map[string]string `json:"links"`
}

// SubmissionList is GET /v1/submissions: a page of submissions, newest
// first, without their results.
type SubmissionList struct {
	Items  []Submission `json:"items"`
	Total  int          `json:"total"`
	Offset int          `json:"offset"`
	Limit  int          `json:"limit"`
}

// Event is the data of one Server-Sent Event of GET
// /v1/submissions/{id}/events: a progress event in the caller's view and,
// for done, the result in that view too.
type Event struct {
	grader.Event
	Result *grader.Result `json:"result,omitempty"`
}

// ChallengeSummary is a challenge as GET /v1/challenges lists it.
type ChallengeSummary struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Difficulty string   `json:"difficulty"`
	Tags       []string `json:"tags"`
	Version    string   `json:"version"`
	MaxScore   int      `json:"max_score"`
	// Languages are the languages the challenge is offered in, in the
	// order they are shown; the first is the one a starter is sent in
	// when none is asked for, and whose tests the challenge lists.
	Languages []grader.Language `json:"languages"`
	// BestScore is the calling learner's best score, when they have one.
	BestScore *int `json:"best_score,omitempty"`
}

// ChallengeList is GET /v1/challenges.
type ChallengeList struct {
	Items []ChallengeSummary `json:"items"`
}

// Challenge is GET /v1/challenges/{id}, the parts a client reads.
type Challenge struct {
	Challenge   ChallengeSummary `json:"challenge"`
	Statement   string           `json:"statement"`
	HiddenTests int              `json:"hidden_tests"`
}

// CohortRequest is the body of POST /v1/cohorts and PUT /v1/cohorts/{id}.
type CohortRequest struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Learners   []string `json:"learners"`
	Challenges []string `json:"challenges"`
	// DueAt is RFC 3339, or empty for none.
	DueAt string `json:"due_at"`
	// Policies are the feedback policies of its challenges, by challenge
	// id; a challenge left out has the defaults.
	Policies map[string]grader.FeedbackPolicy `json:"policies,omitempty"`
}

// Cohort is a cohort as the API shows it.
type Cohort struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Learners   []string  `json:"learners"`
	Challenges []string  `json:"challenges"`
	DueAt      time.Time `json:"due_at,omitzero"`
	// Policies are the feedback policies of its challenges that differ
	// from the defaults.
	Policies  map[string]grader.FeedbackPolicy `json:"policies,omitempty"`
	CreatedAt time.Time                        `json:"created_at"`
	CreatedBy string                           `json:"created_by"`
	Queue     string                           `json:"queue"`
}

// CohortList is GET /v1/cohorts.
type CohortList struct {
	Cohorts []Cohort `json:"cohorts"`
}

// TokensRequest is the body of POST /v1/cohorts/{id}/tokens: the learners
// to issue tokens to (none: every learner).
type TokensRequest struct {
	Learners []string `json:"learners"`
}

// IssuedToken is one learner's new token.
type IssuedToken struct {
	Learner string `json:"learner"`
	Token   string `json:"token"`
}

// TokenList is the answer to POST /v1/cohorts/{id}/tokens.
type TokenList struct {
	Tokens []IssuedToken `json:"tokens"`
}

// LeaderboardEntry is one learner's line of a cohort's leaderboard.
type LeaderboardEntry struct {
	Rank     int       `json:"rank"`
	Learner  string    `json:"learner"`
	Score    int       `json:"score"`
	MaxScore int       `json:"max_score"`
	GradedAt time.Time `json:"graded_at"`
}

// Leaderboard is GET /v1/cohorts/{id}/leaderboard.
type Leaderboard struct {
	Cohort    string             `json:"cohort"`
	Challenge string             `json:"challenge"`
	Entries   []LeaderboardEntry `json:"entries"`
}

// TestStat is how one test fared across a cohort's best submissions.
type TestStat struct {
	Name        string  `json:"name"`
	Suite       string  `json:"suite"`
	Visibility  string  `json:"visibility"`
	Passed      int     `json:"passed"`
	Failed      int     `json:"failed"`
	FailureRate float64 `json:"failure_rate"`
}

// TestStats is GET /v1/cohorts/{id}/tests.
type TestStats struct {
	Cohort    string     `json:"cohort"`
	Challenge string     `json:"challenge"`
	Learners  int        `json:"learners"`
	Tests     []TestStat `json:"tests"`
}

// RegradeRequest is the body of POST /v1/cohorts/{id}/regrades.
type RegradeRequest struct {
	Challenge string `json:"challenge"`
}

// RegradeChange is one learner whose score a regrade changes.
type RegradeChange struct {
	Learner    string `json:"learner"`
	Submission string `json:"submission"`
	OldScore   int    `json:"old_score"`
	NewScore   int    `json:"new_score"`
	MaxScore   int    `json:"max_score"`
	OldVersion string `json:"old_version"`
	NewVersion string `json:"new_version"`
	// Applied is the submission recording the new result, once applied.
	Applied string `json:"applied,omitempty"`
}

// Regrade is a regrade as the API shows it: the learners whose score
// changes, and how many do not or could not be graded again.
type Regrade struct {
	ID        string          `json:"id"`
	Cohort    string          `json:"cohort"`
	Challenge string          `json:"challenge"`
	Version   string          `json:"version"`
	State     string          `json:"state"`
	Total     int             `json:"total"`
	Done      int             `json:"done"`
	CreatedAt time.Time       `json:"created_at"`
	CreatedBy string          `json:"created_by"`
	AppliedAt time.Time       `json:"applied_at,omitzero"`
	Changes   []RegradeChange `json:"changes"`
	Unchanged int             `json:"unchanged"`
	Errors    int             `json:"errors"`
	// Outdated counts the submissions last graded with another version
	// of the challenge than the regrade's; zero means the service has
	// not loaded an edited challenge.
	Outdated int `json:"outdated"`
	// Failed lists the learners whose submission could not be graded
	// again (their result stays as it is).
	Failed []string `json:"failed"`
}

// RegradeStates of a Regrade.
const (
	RegradeRunning   = "running"
	RegradePreviewed = "previewed"
)
