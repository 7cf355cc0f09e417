package main

import (
	"fmt"
	"io"
	"strings"
	"time"

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

// printResult writes the human report: each suite with its verdict and
// points, one line per test with status and points, messages for
// failures (in the instructor view with what each failed test printed: a
// race report, a panic), the hidden tests of every suite summed up after
// the suites, the build output when a suite did not build, then the total.
// Everything from the result (test names and messages, build output) is
// the learner's code's doing, so it is made safe for a terminal first.
func printResult(w io.Writer, title string, r grader.Result) {
	fmt.Fprintf(w, "%s (%s) — version %s\n\n", clean(title), clean(r.Challenge), clean(r.ChallengeVersion))
	width := 20
	for _, t := range r.Tests {
		width = max(width, min(len(clean(t.Name)), 60))
	}
	verdicts := map[string]grader.SuiteResult{}
	for _, s := range r.Suites {
		verdicts[s.Name] = s
	}
	printed := map[string]bool{}
	header := func(name string) {
		printed[name] = true
		v, ok := verdicts[name]
		if !ok {
			fmt.Fprintf(w, "suite %s\n", clean(name))
			return
		}
		fmt.Fprintf(w, "suite %s: %s, %d/%d points\n", clean(name), clean(string(v.Status)), v.Score, v.MaxScore)
		if stopped(v.Status) {
			fmt.Fprintln(w, indent(termsafe.Text(v.Message), "  "))
		}
	}
	suite := ""
	for _, t := range r.Tests {
		if t.Suite != suite {
			suite = t.Suite
			header(suite)
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
	// Suites whose tests are all hidden have no line above in the
	// learner view; their verdicts still show.
	for _, s := range r.Suites {
		if !printed[s.Name] {
			header(s.Name)
		}
	}
	if h := r.Hidden; h != nil {
		// The counts span every suite, so they go after the suites'
		// blocks, not inside the last one.
		if len(r.Tests) > 0 || len(r.Suites) > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "hidden tests, all suites: %d of %d passed, %d/%d points\n", h.Passed, h.Total, h.Points, h.MaxPoints)
	}
	if buildFailed(r) && r.Build.Text != "" {
		fmt.Fprintf(w, "\nbuild output:\n%s\n", indent(strings.TrimRight(termsafe.Text(r.Build.Text), "\n"), "  "))
	}
	fmt.Fprintf(w, "\n%s: %s\n", clean(string(r.Status)), termsafe.Text(r.Message))
	fmt.Fprintf(w, "score: %d/%d\n", r.Score, r.MaxScore)
	if f := r.Feedback; f != nil && feedbackLine(*f) != "" {
		fmt.Fprintln(w, feedbackLine(*f))
	}
	if c := r.Cached; c != nil {
		fmt.Fprintf(w, "(from the result cache: identical files were graded as submission %s at %s; an instructor can ask for a fresh grading with --fresh)\n",
			clean(c.SubmissionID), c.GradedAt.UTC().Format(time.RFC3339))
	}
}

// stopped reports whether a suite's status says it stopped early (its
// build failed, a limit was hit) rather than ran its tests.
func stopped(s grader.Status) bool {
	return s != grader.StatusPassed && s != grader.StatusFailed
}

// buildFailed reports whether the submission, or one of its suites, did
// not build.
func buildFailed(r grader.Result) bool {
	if r.Status == grader.StatusBuildFailed {
		return true
	}
	for _, s := range r.Suites {
		if s.Status == grader.StatusBuildFailed {
			return true
		}
	}
	return false
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

// feedbackLine says what a cohort's feedback policy held back of a
// learner's result, and when more is shown.
func feedbackLine(f grader.FeedbackNote) string {
	when := ""
	if !f.MoreAt.IsZero() {
		when = f.MoreAt.UTC().Format(time.RFC3339)
	}
	switch {
	case f.Level == grader.FeedbackScore && when != "":
		return "(your course shows only the score until the due date, " + when + ": the tests' names and messages appear then)"
	case f.Level == grader.FeedbackScore:
		return "(your course shows only the score: the tests' names and messages are held back)"
	case f.Level == grader.FeedbackAll:
		return "(the due date has passed: every test is shown, hidden ones included)"
	case when != "":
		return "(more of this result is shown after the due date, " + when + ")"
	}
	return ""
}
