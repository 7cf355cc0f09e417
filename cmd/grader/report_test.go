package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

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

// TestPrintResultSuiteVerdicts: each suite's header says its verdict and
// points, a suite that did not build says why, and its build output is
// shown though the submission as a whole failed rather than failed to
// build; a suite of hidden tests only still shows its verdict.
func TestPrintResultSuiteVerdicts(t *testing.T) {
	res := grader.Result{
		Challenge: "notes-api", ChallengeVersion: "v3", View: grader.ViewInstructor,
		Status: grader.StatusFailed, Score: 3, MaxScore: 7,
		Message: "1 of 2 tests passed, 3 of 7 points; suite unit: the code does not compile; see the build output",
		Tests: []grader.TestResult{
			{Name: "TestCreate", Suite: "unit", Status: grader.TestNotRun, MaxPoints: 4, Visibility: grader.Visible, Message: "not run: the code does not compile"},
			{Name: "secret", Suite: "api", Status: grader.TestPassed, Points: 3, MaxPoints: 3, Visibility: grader.Hidden},
		},
		Suites: []grader.SuiteResult{
			{Name: "unit", Kind: grader.SuiteGo, Status: grader.StatusBuildFailed, MaxScore: 4, Message: "the code does not compile; see the build output (0 of 1 tests passed, 0 of 4 points)"},
			{Name: "api", Kind: grader.SuiteHTTP, Status: grader.StatusPassed, Score: 3, MaxScore: 3, Message: "1 of 1 tests passed, 3 of 3 points"},
		},
		Build: grader.Output{Text: "./ledger.go:3:1: syntax error\n"},
	}
	var b bytes.Buffer
	printResult(&b, "Notes API", res.As(grader.ViewLearner))
	out := b.String()
	for _, s := range []string{
		"suite unit: build_failed, 0/4 points\n  the code does not compile; see the build output (0 of 1 tests passed, 0 of 4 points)\n  SKIP  TestCreate",
		"suite api: passed, 3/3 points\n",
		"build output:\n  ./ledger.go:3:1: syntax error\n",
		"failed: 1 of 2 tests passed",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("report lacks %q:\n%s", s, out)
		}
	}
}

// TestPrintResultCached: a result from the result cache says so, naming
// the submission it was graded as; a graded one says nothing of it.
func TestPrintResultCached(t *testing.T) {
	res := sampleGradeResult()
	var b bytes.Buffer
	printResult(&b, "Notes API", res)
	if strings.Contains(b.String(), "result cache") {
		t.Errorf("a graded result mentions the cache:\n%s", b.String())
	}
	res.Cached = &grader.CachedFrom{SubmissionID: "s-first\x1b[31m", GradedAt: time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)}
	b.Reset()
	printResult(&b, "Notes API", res)
	want := "(from the result cache: identical files were graded as submission s-first at 2026-12-01T10:00:00Z"
	if !strings.Contains(b.String(), want) || strings.Contains(b.String(), "\x1b") {
		t.Errorf("cached result printed as:\n%s\nwant a line with %q and no escape", b.String(), want)
	}
}

func TestPrintResultFeedbackNote(t *testing.T) {
	res := sampleGradeResult().ForLearner(grader.FeedbackScore, &grader.FeedbackNote{Level: grader.FeedbackScore, MoreAt: time.Date(2026, 12, 20, 12, 0, 0, 0, time.UTC)})
	var b bytes.Buffer
	printResult(&b, "Notes API", res)
	if !strings.Contains(b.String(), "only the score until the due date, 2026-12-20T12:00:00Z") {
		t.Errorf("a score-only result printed as:\n%s", b.String())
	}
	for _, tr := range sampleGradeResult().Tests {
		if strings.Contains(b.String(), tr.Name) {
			t.Errorf("a score-only result names test %s:\n%s", tr.Name, b.String())
		}
	}
}
