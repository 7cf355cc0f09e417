package grader

import (
	"fmt"
	"strings"
)

// suiteVerdict is a suite's verdict and, when it stopped early, why, in
// words without its summary of tests and points.
type suiteVerdict struct {
	SuiteResult
	reason string
}

// suiteResult is suite s's verdict from what running it produced.
func suiteResult(s Suite, out suiteOutcome) suiteVerdict {
	r := SuiteResult{Name: s.Name, Kind: s.Kind}
	for _, t := range out.tests {
		r.Score += t.Points
		r.MaxScore += t.MaxPoints
	}
	summary := testSummary(out.tests, r.Score, r.MaxScore)
	switch {
	case out.verdict != "":
		r.Status, r.Message = out.verdict, out.message+" ("+summary+")"
	case allPassed(out.tests) && r.Score == r.MaxScore:
		r.Status, r.Message = StatusPassed, summary
	default:
		r.Status, r.Message = StatusFailed, summary
	}
	return suiteVerdict{SuiteResult: r, reason: out.message}
}

// finalStatus decides the submission's status and message from its
// suites' verdicts. The most severe verdict of a suite that stopped early
// decides, except that build_failed says the submission did not compile:
// it decides only when no suite built it. A suite that did not build
// beside one that did is a failure of its own tests (never run, no
// points), and the other suites keep what they earned. Every stopped
// suite that did not decide is named in the message with its reason.
func finalStatus(res Result, suites []suiteVerdict) (Status, string) {
	summary := testSummary(res.Tests, res.Score, res.MaxScore)
	decider := -1
	for i, s := range suites {
		if severity(s.Status) == 0 || (s.Status == StatusBuildFailed && !allBuildFailed(suites)) {
			continue
		}
		if decider < 0 || severity(s.Status) > severity(suites[decider].Status) {
			decider = i
		}
	}
	var status Status
	var msg strings.Builder
	if decider >= 0 {
		d := suites[decider]
		status = d.Status
		if len(suites) > 1 {
			msg.WriteString("suite " + d.Name + ": ")
		}
		msg.WriteString(d.reason + " (" + summary + ")")
	} else {
		status = StatusFailed
		if res.Score == res.MaxScore && allPassed(res.Tests) {
			status = StatusPassed
		}
		msg.WriteString(summary)
	}
	for i, s := range suites {
		if i != decider && severity(s.Status) > 0 {
			fmt.Fprintf(&msg, "; suite %s: %s", s.Name, s.reason)
		}
	}
	return status, msg.String()
}

// severity orders the verdicts of suites that stopped early: the most
// severe one becomes the submission's status. 0 for passed and failed.
func severity(s Status) int {
	switch s {
	case StatusBuildFailed:
		return 4
	case StatusMemoryExceeded:
		return 3
	case StatusOutputExceeded:
		return 2
	case StatusTimedOut:
		return 1
	}
	return 0
}

// allBuildFailed reports whether no suite built the submission.
func allBuildFailed(suites []suiteVerdict) bool {
	for _, s := range suites {
		if s.Status != StatusBuildFailed {
			return false
		}
	}
	return len(suites) > 0
}

// testSummary reads "3 of 5 tests passed, 7 of 12 points".
func testSummary(tests []TestResult, score, maxScore int) string {
	passed := 0
	for _, t := range tests {
		if t.Status == TestPassed {
			passed++
		}
	}
	return fmt.Sprintf("%d of %d tests passed, %d of %d points", passed, len(tests), score, maxScore)
}

func allPassed(tests []TestResult) bool {
	for _, t := range tests {
		if t.Status != TestPassed {
			return false
		}
	}
	return true
}
