package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/termsafe"
)

// messageWidth is how much of a test's message verify prints on its line.
const messageWidth = 160

// printVerify writes the human report of verify: for each challenge and
// language, the tests each sample failed and the table of tests against
// samples; then the summary of every sample, and the flags. Names and
// messages come from challenge files and learner-like code, so they are
// made safe for a terminal.
func printVerify(w io.Writer, rep verifyReport) error {
	for _, g := range rep.Groups {
		fmt.Fprintf(w, "%s (%s)\n", clean(g.Challenge), g.Language)
		printFailures(w, g)
		fmt.Fprintln(w)
		if err := printTestTable(w, g); err != nil {
			return err
		}
		fmt.Fprintln(w)
	}
	if err := printSummary(w, rep); err != nil {
		return err
	}
	printFlags(w, rep.Flags)
	return nil
}

// printFailures writes, for each sample of g, its score and the tests it
// failed with their messages.
func printFailures(w io.Writer, g verifyGroup) {
	for _, s := range g.Samples {
		fmt.Fprintf(w, "  %s: %d/%d %s", sampleLabel(s.Kind, s.Name), s.Score, s.MaxScore, s.Status)
		if len(s.FailedTests) == 0 {
			fmt.Fprintln(w, ", every test passed")
			continue
		}
		fmt.Fprintf(w, ", failed %d:\n", len(s.FailedTests))
		for _, t := range s.FailedTests {
			msg := t.Message
			if msg == "" {
				msg = string(t.Status)
			}
			fmt.Fprintf(w, "    %s: %s\n", clean(testName(t.Suite, t.Test)), messageLine(msg, messageWidth))
		}
	}
}

// printTestTable writes the table of g's tests against its samples.
func printTestTable(w io.Writer, g verifyGroup) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprint(tw, "  TEST\tPOINTS")
	for _, s := range g.Samples {
		fmt.Fprintf(tw, "\t%s", clean(columnLabel(s)))
	}
	fmt.Fprintln(tw)
	for _, row := range g.Tests {
		fmt.Fprintf(tw, "  %s\t%d", messageLine(testName(row.Suite, row.Test), 60), row.MaxPoints)
		for _, st := range row.Statuses {
			fmt.Fprintf(tw, "\t%s", markOf(st))
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// printSummary writes one line per sample: expected and actual score,
// and whether the check passed.
func printSummary(w io.Writer, rep verifyReport) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CHALLENGE\tLANGUAGE\tSAMPLE\tEXPECT\tSCORE\tSTATUS\tCHECK")
	for _, g := range rep.Groups {
		for _, s := range g.Samples {
			check := "ok"
			if !s.OK {
				check = "FAIL"
			}
			if s.Flaky && s.OK {
				check = "FLAKY"
			} else if s.Flaky {
				check += ", FLAKY"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d/%d\t%s\t%s\n", clean(g.Challenge), g.Language, clean(s.Kind+":"+s.Name), s.Expect, s.Score, s.MaxScore, s.Status, check)
		}
	}
	return tw.Flush()
}

// printFlags writes the errors, then the warnings.
func printFlags(w io.Writer, flags []verifyFlag) {
	for _, sev := range []string{severityError, severityWarning} {
		for _, f := range flags {
			if f.Severity == sev {
				where := clean(f.Challenge)
				if f.Language != "" {
					where += " (" + string(f.Language) + ")"
				}
				fmt.Fprintf(w, "%s: %s: %s\n", sev, where, messageLine(f.Message, 400))
			}
		}
	}
}

// sampleLabel names a sample in prose: "solution", "starter",
// "mutant created-200".
func sampleLabel(kind, name string) string {
	if kind == challenges.SampleMutant {
		return "mutant " + clean(name)
	}
	return kind
}

// columnLabel names a sample's column of the test table: a mutant by its
// name alone, to keep the table narrow.
func columnLabel(s verifySample) string {
	if s.Kind == challenges.SampleMutant {
		return s.Name
	}
	return s.Kind
}

// markOf is how a test's status reads in the table; "-" when the sample's
// result does not hold the test.
func markOf(st grader.TestStatus) string {
	switch st {
	case grader.TestPassed:
		return "pass"
	case "":
		return "-"
	case grader.TestNotRun:
		return "not run"
	case grader.TestSkipped:
		return "skip"
	}
	return "FAIL"
}

// messageLine is s on one line, safe for a terminal, cut at a word
// boundary to at most width bytes (with "…" when cut).
func messageLine(s string, width int) string {
	s = termsafe.Line(s, 0)
	if len(s) <= width {
		return s
	}
	cut := strings.ToValidUTF8(s[:width], "")
	if i := strings.LastIndexByte(cut, ' '); s[len(cut)] != ' ' && i > width/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ") + "…"
}
