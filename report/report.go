// Package report is a cohort's standing and the formats it is exported
// in.
package report

import (
	"time"

	"github.com/gradebox/grader/grader"
)

// Report is a cohort's standing: one row per learner and challenge.
type Report struct {
	Cohort      string      `json:"cohort"`
	Name        string      `json:"name"`
	GeneratedAt time.Time   `json:"generated_at"`
	Challenges  []Challenge `json:"challenges"`
	Rows        []Row       `json:"rows"`
}

// Challenge is one challenge the report covers.
type Challenge struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	MaxScore int    `json:"max_score"`
	Version  string `json:"version"`
}

// Row is one learner at one challenge.
type Row struct {
	Learner          string    `json:"learner"`
	Challenge        string    `json:"challenge"`
	BestScore        int       `json:"best_score"`
	MaxScore         int       `json:"max_score"`
	Attempts         int       `json:"attempts"`
	LastStatus       string    `json:"last_status"`
	BestSubmission   string    `json:"best_submission"`
	GradedAt         time.Time `json:"graded_at,omitzero"`
	ChallengeVersion string    `json:"challenge_version,omitempty"`
	Tests            []Test    `json:"tests"`
}

// Test is one test's outcome in a row's best submission.
type Test struct {
	Name       string            `json:"name"`
	Suite      string            `json:"suite"`
	Status     grader.TestStatus `json:"status"`
	Points     int               `json:"points"`
	MaxPoints  int               `json:"max_points"`
	Visibility grader.Visibility `json:"visibility"`
	Message    string            `json:"message,omitempty"`
}

// TestsOf converts a result's tests (instructor view) to report tests.
func TestsOf(res grader.Result) []Test {
	out := []Test{}
	for _, t := range res.Tests {
		out = append(out, Test{Name: t.Name, Suite: t.Suite, Status: t.Status, Points: t.Points, MaxPoints: t.MaxPoints, Visibility: t.Visibility, Message: t.Message})
	}
	return out
}
