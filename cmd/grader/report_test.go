package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/gradebox/grader/grader"
)

// TestPrintResultHiddenSummaryAfterSuites checks that the learner's
// summary of hidden tests, which counts the hidden tests of every suite,
// is printed after all the suites' blocks, not inside the last one: here
// the only hidden test is in suite http, which has no visible test, so
// inside a block it would read as suite unit's.
func TestPrintResultHiddenSummaryAfterSuites(t *testing.T) {
	var b bytes.Buffer
	printResult(&b, "Notes API", sampleGradeResult().As(grader.ViewLearner))
	lines := strings.Split(b.String(), "\n")
	summary, unit := -1, -1
	for i, l := range lines {
		switch {
		case strings.Contains(l, "hidden tests"):
			summary = i
		case l == "suite unit":
			unit = i
		}
	}
	if summary < 0 || unit < 0 {
		t.Fatalf("no suite unit block or no hidden summary:\n%s", b.String())
	}
	if want := "hidden tests, all suites: 0 of 1 passed, 0/3 points"; lines[summary] != want {
		t.Errorf("summary line %q, want %q unindented:\n%s", lines[summary], want, b.String())
	}
	if lines[summary-1] != "" {
		t.Errorf("summary line follows %q, want a blank line ending the suites' blocks:\n%s", lines[summary-1], b.String())
	}
}
