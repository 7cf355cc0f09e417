package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gradebox/grader/grader"
)

// flagFlaky: a sample's outcome differed between runs of verify --runs.
const flagFlaky = "flaky"

// verifyOutcome is what one run of a sample made of a test (or of the
// whole result, for a flag without a test).
type verifyOutcome struct {
	// Run counts from 1.
	Run int `json:"run"`
	// Status is the test's status, or the result's for a flag without a
	// test; "absent" when the run's result does not hold the test.
	Status string `json:"status"`
	Points int    `json:"points"`
	Max    int    `json:"max_points"`
	// Message is the test's (or result's) message, when it did not pass.
	Message string `json:"message,omitempty"`
}

// absent is the status of a test a run's result does not hold.
const absent = "absent"

// flakyFlags compares the runs of one sample (r.Result, then r.Reruns)
// and flags each test whose status or points differ between them, in the
// order of the tests. When no test differs but the result's status or
// score does, the result is flagged as a whole. Messages alone may
// differ (they hold times and addresses); that is not flakiness.
func flakyFlags(r verifyRun) []verifyFlag {
	if len(r.Reruns) == 0 {
		return nil
	}
	results := append([]grader.Result{r.Result}, r.Reruns...)
	var order []testKey
	seen := map[testKey]bool{}
	for _, res := range results {
		for _, t := range res.Tests {
			k := testKey{t.Suite, t.Name}
			if !seen[k] {
				seen[k] = true
				order = append(order, k)
			}
		}
	}
	label := sampleLabel(r.Sample.Kind, r.Sample.Name)
	var flags []verifyFlag
	for _, k := range order {
		outcomes := make([]verifyOutcome, len(results))
		for i, res := range results {
			outcomes[i] = verifyOutcome{Run: i + 1, Status: absent}
			for _, t := range res.Tests {
				if t.Suite == k.suite && t.Name == k.test {
					outcomes[i] = verifyOutcome{Run: i + 1, Status: string(t.Status), Points: t.Points, Max: t.MaxPoints}
					if t.Status != grader.TestPassed {
						outcomes[i].Message = t.Message
					}
					break
				}
			}
		}
		if !differ(outcomes) {
			continue
		}
		flags = append(flags, verifyFlag{Kind: flagFlaky, Severity: severityError, Sample: r.Sample.Name, Suite: k.suite, Test: k.test, Outcomes: outcomes,
			Message: fmt.Sprintf("%s: test %s is flaky: %s; a test must have the same outcome every run: look for timing, ordering or state shared between requests in the test or the sample",
				label, testName(k.suite, k.test), describeOutcomes(outcomes))})
	}
	if len(flags) > 0 {
		return flags
	}
	outcomes := make([]verifyOutcome, len(results))
	for i, res := range results {
		outcomes[i] = verifyOutcome{Run: i + 1, Status: string(res.Status), Points: res.Score, Max: res.MaxScore}
		if !res.Passed() {
			outcomes[i].Message = res.Message
		}
	}
	if !differ(outcomes) {
		return nil
	}
	return []verifyFlag{{Kind: flagFlaky, Severity: severityError, Sample: r.Sample.Name, Outcomes: outcomes,
		Message: fmt.Sprintf("%s is flaky: %s; it must score the same every run", label, describeOutcomes(outcomes))}}
}

// differ reports whether the outcomes' statuses or points are not all
// the same.
func differ(outcomes []verifyOutcome) bool {
	for _, o := range outcomes[1:] {
		if o.Status != outcomes[0].Status || o.Points != outcomes[0].Points || o.Max != outcomes[0].Max {
			return true
		}
	}
	return false
}

// describeOutcomes says what each run made of it, runs with the same
// outcome together in the order they first happened: "runs 1, 2 passed
// (2/2 points); run 3 failed (0/2 points): want 201, got 500".
func describeOutcomes(outcomes []verifyOutcome) string {
	type same struct {
		o    verifyOutcome
		runs []string
	}
	var groups []*same
	for _, o := range outcomes {
		var g *same
		for _, c := range groups {
			if c.o.Status == o.Status && c.o.Points == o.Points && c.o.Max == o.Max {
				g = c
				break
			}
		}
		if g == nil {
			g = &same{o: o}
			groups = append(groups, g)
		}
		g.runs = append(g.runs, strconv.Itoa(o.Run))
	}
	parts := make([]string, len(groups))
	for i, g := range groups {
		word := "run "
		if len(g.runs) > 1 {
			word = "runs "
		}
		s := fmt.Sprintf("%s%s %s", word, strings.Join(g.runs, ", "), g.o.Status)
		if g.o.Status != absent {
			s += fmt.Sprintf(" (%d/%d points)", g.o.Points, g.o.Max)
		}
		if g.o.Message != "" {
			s += ": " + firstLines(g.o.Message, "")
		}
		parts[i] = s
	}
	return strings.Join(parts, "; ")
}
