package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/termsafe"
)

// statusWord is how a test status reads in the human report.
func statusWord(s grader.TestStatus) string {
	switch s {
	case grader.TestPassed:
		return "PASS"
	case grader.TestNotRun:
		return "SKIP"
	}
	return "FAIL"
}

// printResult writes the human report: one line per test with status and
// points, messages for failures (in the instructor view with what each
// failed test printed: a race report, a panic), hidden tests summed up,
// then the total.
// Everything from the result (test names and messages, build output) is
// the learner's code's doing, so it is made safe for a terminal first.
func printResult(w io.Writer, title string, r grader.Result) {
	fmt.Fprintf(w, "%s (%s) — version %s\n\n", clean(title), clean(r.Challenge), clean(r.ChallengeVersion))
	width := 20
	for _, t := range r.Tests {
		width = max(width, min(len(clean(t.Name)), 60))
	}
	suite := ""
	for _, t := range r.Tests {
		if t.Suite != suite {
			suite = t.Suite
			fmt.Fprintf(w, "suite %s\n", clean(suite))
		}
		tag := ""
		if t.Visibility == grader.Hidden {
			tag = " (hidden)"
		}
		fmt.Fprintf(w, "  %s  %-*s %3d/%-3d%s\n", statusWord(t.Status), width, clean(t.Name), t.Points, t.MaxPoints, tag)
		if t.Status != grader.TestPassed && t.Message != "" {
			fmt.Fprintln(w, indent(termsafe.Text(t.Message), "        "))
		}
		if t.Status != grader.TestPassed && r.View == grader.ViewInstructor {
			printOutput(w, t)
		}
	}
	if h := r.Hidden; h != nil {
		fmt.Fprintf(w, "  hidden tests: %d of %d passed, %d/%d points\n", h.Passed, h.Total, h.Points, h.MaxPoints)
	}
	if r.Status == grader.StatusBuildFailed && r.Build.Text != "" {
		fmt.Fprintf(w, "\nbuild output:\n%s\n", indent(strings.TrimRight(termsafe.Text(r.Build.Text), "\n"), "  "))
	}
	fmt.Fprintf(w, "\n%s: %s\n", clean(string(r.Status)), termsafe.Text(r.Message))
	fmt.Fprintf(w, "score: %d/%d\n", r.Score, r.MaxScore)
}

// printOutput writes what a failed test and its failed subtests printed,
// each under a line that says whose output it is.
func printOutput(w io.Writer, t grader.TestResult) {
	show := func(name, out string, truncated bool) {
		out = strings.TrimRight(termsafe.Text(out), "\n")
		if strings.TrimSpace(out) == "" {
			return
		}
		note := ""
		if truncated {
			note = " (cut: only its beginning was kept)"
		}
		fmt.Fprintf(w, "        output of %s%s:\n%s\n", clean(name), note, indent(out, "          | "))
	}
	show(t.Name, t.Output, t.OutputTruncated)
	for _, s := range t.Subtests {
		if s.Status != grader.TestPassed && s.Output != t.Output {
			show(s.Name, s.Output, s.OutputTruncated)
		}
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
