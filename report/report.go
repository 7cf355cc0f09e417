// Package report holds a cohort's standing, one row per learner and
// challenge, and writes it in the formats instructors and pipelines read:
// JSON (the API's document), CSV (spreadsheets) and JUnit XML (CI test
// reporters). It also converts one result into Gradescope's results.json.
//
// The package only formats: building a Report from stored submissions is
// the caller's work. Learner ids and test names come from users, so every
// writer treats them as hostile: CSV cells cannot start a formula and JUnit
// XML holds only characters XML 1.0 allows.
package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
)

// Report is a cohort's standing: one row per learner and challenge.
type Report struct {
	Cohort string `json:"cohort"`
	Name   string `json:"name"`
	// Language, when set, is the only language whose submissions count.
	Language    string      `json:"language,omitempty"`
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

// Row is one learner at one challenge. A learner with no submission has
// Attempts 0, LastStatus "", BestScore 0 and no tests.
type Row struct {
	Learner   string `json:"learner"`
	Challenge string `json:"challenge"`
	BestScore int    `json:"best_score"`
	MaxScore  int    `json:"max_score"`
	Attempts  int    `json:"attempts"`
	// LastStatus is the status of the latest graded submission, "" when
	// there is none.
	LastStatus string `json:"last_status"`
	// BestSubmission is the id of the best-scoring submission, "" when
	// there is none.
	BestSubmission string `json:"best_submission"`
	// Language is the best submission's language, "" when there is none.
	Language string `json:"language,omitempty"`
	// GradedAt is when the best submission was graded; zero (and left out
	// of the JSON) when there is none.
	GradedAt time.Time `json:"graded_at,omitzero"`
	// ChallengeVersion is the challenge version the best submission was
	// graded against.
	ChallengeVersion string `json:"challenge_version,omitempty"`
	// Tests are the best submission's tests, empty when there is none.
	Tests []Test `json:"tests"`
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

// TestsOf converts a result's tests (instructor view) to report tests, in
// the result's order. Output, durations and subtests are left out. The
// slice is never nil. Given a learner view, hidden tests are missing,
// since that view no longer holds them.
func TestsOf(res grader.Result) []Test {
	out := make([]Test, 0, len(res.Tests))
	for _, t := range res.Tests {
		out = append(out, Test{
			Name:       t.Name,
			Suite:      t.Suite,
			Status:     t.Status,
			Points:     t.Points,
			MaxPoints:  t.MaxPoints,
			Visibility: t.Visibility,
			Message:    t.Message,
		})
	}
	return out
}

// Formats the report can be written in.
const (
	FormatJSON  = "json"
	FormatCSV   = "csv"
	FormatJUnit = "junit"
)

// Formats lists the formats the report can be written in, for error
// messages ("json, csv or junit").
func Formats() []string { return []string{FormatJSON, FormatCSV, FormatJUnit} }

// ContentType returns the MIME type of a format (application/json,
// text/csv; charset=utf-8, application/xml), "" for an unknown one.
func ContentType(format string) string {
	switch format {
	case FormatJSON:
		return "application/json"
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatJUnit:
		return "application/xml"
	}
	return ""
}

// Write writes r in format to w; an unknown format is an error naming the
// formats, and nothing is written.
func Write(w io.Writer, r Report, format string) error {
	switch format {
	case FormatJSON:
		return WriteJSON(w, r)
	case FormatCSV:
		return WriteCSV(w, r)
	case FormatJUnit:
		return WriteJUnit(w, r)
	}
	return fmt.Errorf("report format %q: use %s", format, orList(Formats()))
}

// WriteJSON writes r as indented JSON, the document of GET
// /v1/cohorts/{id}/report?format=json. Empty lists are written as [],
// never null.
func WriteJSON(w io.Writer, r Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(normalized(r)); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

// normalized returns a copy of r whose nil slices are empty, so the JSON
// holds [] where readers expect a list.
func normalized(r Report) Report {
	out := r
	if out.Challenges == nil {
		out.Challenges = []Challenge{}
	}
	out.Rows = make([]Row, len(r.Rows))
	for i, row := range r.Rows {
		if row.Tests == nil {
			row.Tests = []Test{}
		}
		out.Rows[i] = row
	}
	return out
}

// orList joins words as "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}
