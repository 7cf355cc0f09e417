package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
)

// csvHeader is the first line of every CSV report.
var csvHeader = []string{
	"learner", "challenge", "best_score", "max_score", "attempts", "last_status",
	"best_submission", "graded_at", "tests_passed", "tests_total", "failed_tests",
	"language",
}

// WriteCSV writes r as CSV: the header line, then one line per row in the
// report's order. graded_at is RFC 3339 in UTC, empty when the row has no
// graded submission; failed_tests names every test that did not pass
// (failed, skipped or not run), joined by ";"; language is the best
// submission's (last, so that the columns before it keep their places).
//
// Learner ids and test names come from users, so a text cell that a
// spreadsheet would read as a formula (one starting with = + - @, a tab
// or a carriage return) is written with a leading '.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	for _, row := range r.Rows {
		if err := cw.Write(csvRecord(row)); err != nil {
			return fmt.Errorf("write csv report: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv report: %w", err)
	}
	return nil
}

// csvRecord is one row's CSV line, text cells already defused.
func csvRecord(row Row) []string {
	passed := 0
	var failed []string
	for _, t := range row.Tests {
		if t.Status == grader.TestPassed {
			passed++
			continue
		}
		failed = append(failed, t.Name)
	}
	gradedAt := ""
	if !row.GradedAt.IsZero() {
		gradedAt = row.GradedAt.UTC().Format(time.RFC3339)
	}
	return []string{
		csvText(row.Learner),
		csvText(row.Challenge),
		strconv.Itoa(row.BestScore),
		strconv.Itoa(row.MaxScore),
		strconv.Itoa(row.Attempts),
		csvText(row.LastStatus),
		csvText(row.BestSubmission),
		gradedAt,
		strconv.Itoa(passed),
		strconv.Itoa(len(row.Tests)),
		csvText(strings.Join(failed, ";")),
		csvText(row.Language),
	}
}

// csvText defuses a text cell against formula injection: spreadsheets run
// a cell starting with = + - or @ (and some strip a leading tab or CR
// first), so such a cell gets a leading ' and reads as text.
func csvText(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
