package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/grader"
)

// hostile is learner-controlled text that would drive a terminal: colour,
// clear screen, a window title and clipboard write by OSC, a carriage
// return that overwrites the line, a backspace, an 8-bit CSI and a bidi
// override.
const hostile = "\x1b[31mred\x1b[0m \x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x1b\\ PASS\rFAIL\b \u009b2K \u202etxt.exe"

// checkTerminalSafe fails if out holds anything a terminal would act on
// rather than show.
func checkTerminalSafe(t *testing.T, where, out string) {
	t.Helper()
	for _, r := range out {
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			t.Errorf("%s prints %U: %q", where, r, out)
			return
		}
	}
	if !strings.Contains(out, "red") || !strings.Contains(out, "txt.exe") {
		t.Errorf("%s lost the text around the sequences: %q", where, out)
	}
}

// TestPrintSitesAreTerminalSafe drives every text printer of learner- or
// service-supplied strings with hostile ones.
func TestPrintSitesAreTerminalSafe(t *testing.T) {
	test := grader.TestResult{Name: "Test" + hostile, Suite: "suite" + hostile, Status: grader.TestFailed, MaxPoints: 1,
		Message: "want 1\n" + hostile, Visibility: grader.Visible}
	res := grader.Result{Challenge: "notes" + hostile, ChallengeVersion: "v" + hostile, Status: grader.StatusBuildFailed,
		Message: "message " + hostile, Tests: []grader.TestResult{test}, Build: grader.Output{Text: "./x.go:1: " + hostile},
		Suites: []grader.SuiteResult{{Name: "suite" + hostile, Status: grader.StatusBuildFailed, Message: "why " + hostile}}}

	var b bytes.Buffer
	printResult(&b, "Title "+hostile, res)
	checkTerminalSafe(t, "printResult", b.String())

	b.Reset()
	p := newProgressPrinter(&b, grader.ViewInstructor)
	p.Event(grader.Event{Type: grader.EventPhaseStarted, Phase: "run", Suite: "s" + hostile})
	p.Event(grader.Event{Type: grader.EventPhaseFinished, Phase: "build", Suite: "s" + hostile, Message: "failed " + hostile})
	p.Event(grader.Event{Type: grader.EventTestFinished, Test: &test})
	p.serviceEvent(grader.Event{Type: grader.EventRetrying, Message: hostile})
	p.Stop()
	checkTerminalSafe(t, "the progress printer", b.String())

	for _, waited := range []bool{false, true} {
		b.Reset()
		printCohortRuns(&b, []learnerRun{
			{Learner: "ada" + hostile, Submission: "sub" + hostile, State: "graded" + hostile, Status: "failed" + hostile},
			{Learner: "bob" + hostile, Error: "refused: " + hostile},
		}, waited)
		checkTerminalSafe(t, "printCohortRuns", b.String())
	}

	b.Reset()
	rg := wire.Regrade{ID: "rg" + hostile, Challenge: "ch" + hostile, Version: "v" + hostile, State: "previewed", Total: 1, Errors: 1, Failed: []string{hostile}}
	printRegrade(&b, "cohort"+hostile, rg)
	checkTerminalSafe(t, "printRegrade", b.String())

	b.Reset()
	printError(&b, errors.New("the service said: "+hostile))
	checkTerminalSafe(t, "errors", b.String())
}
