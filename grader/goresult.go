package grader

import (
	"fmt"
	"strings"
)

// TestSkippedMessage is the message of a graded go test that called
// t.Skip: it fails with no points, since a graded test must run and pass.
const TestSkippedMessage = "the test was skipped; a graded test must run and pass"

// goRunEnd says how a test program's run ended, for the tests that
// cannot say it themselves.
type goRunEnd struct {
	// missing is the message of a test that never reported.
	missing string
	// stopped is the message of the test or subtest that was running
	// when the program stopped early, if its output says nothing; "" when
	// the program did not stop early.
	stopped string
	// note is what the result's message adds: a panic outside any test.
	note string
}

// crashEnd describes a test program that stopped before every test
// reported: with its own exit status, and its panic when it panicked
// outside any test (a hidden file's package-level variable calling
// learner code, say).
func crashEnd(p *goTestParser) goRunEnd {
	status := ""
	if d := describeExit(p.exitStatus); d != "" {
		status = " (" + d + ")"
	}
	if pm := panicMessage(p.pkg.String()); pm != "" {
		when := "outside any test"
		if len(p.order) == 0 {
			when = "before any test ran"
		}
		first, _, _ := strings.Cut(pm, "\n")
		return goRunEnd{
			missing: fmt.Sprintf("did not report a result: the test program panicked %s%s:\n%s", when, status, pm),
			note:    fmt.Sprintf("the test program panicked %s%s: %s", when, status, strings.TrimPrefix(first, "panic: ")),
		}
	}
	return goRunEnd{
		missing: "did not report a result: the test program stopped early" + status + "; look for a panic, a crash or os.Exit in your code",
		stopped: "the test program stopped during this test" + status + "; look for a panic, a crash or os.Exit in your code",
	}
}

// signalNames names the signals a test program is likely to die of.
var signalNames = map[int]string{1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 15: "SIGTERM"}

// describeExit words a shell's exit status: 128+n is signal n (a
// program calling os.Exit(137) reads the same, which no test needs to
// tell apart); -1 is unknown.
func describeExit(status int) string {
	switch {
	case status < 0:
		return ""
	case status > 128 && status < 128+65:
		n := status - 128
		if name, ok := signalNames[n]; ok {
			return fmt.Sprintf("killed by signal %d, %s", n, name)
		}
		return fmt.Sprintf("killed by signal %d", n)
	}
	return fmt.Sprintf("exit status %d", status)
}

// goTestResult turns what the parser saw of test t into a TestResult.
func goTestResult(s Suite, t TestSpec, p *goTestParser, end goRunEnd) TestResult {
	r := TestResult{Name: t.Name, Suite: s.Name, MaxPoints: t.Points, Visibility: t.Visibility}
	st := p.tests[t.Name]
	if st == nil {
		r.Status, r.Message = TestFailed, end.missing
		return r
	}
	r.Status = st.status
	r.DurationMS = st.elapsed.Milliseconds()
	r.Output, r.OutputTruncated = st.output.String(), st.truncated
	switch r.Status {
	case "":
		r.Status, r.Message = TestFailed, end.missing
	case TestSkipped:
		r.Status, r.Message = TestFailed, TestSkippedMessage
	case TestPassed:
		r.Points = t.Points
	}
	panicked := panicMessage(r.Output)
	culprit := panickedSubtest(p, st, panicked)
	all := r.Output
	for _, name := range st.subtests {
		sub := p.tests[name]
		sr := TestResult{Name: name, Suite: s.Name, Status: sub.status, Visibility: t.Visibility, DurationMS: sub.elapsed.Milliseconds(), Output: sub.output.String(), OutputTruncated: sub.truncated}
		if sr.Status == "" {
			sr.Status = TestFailed
		}
		if name == culprit {
			// The testing package reports a subtest's panic on the
			// top-level test once every level has failed.
			sr.Output += panicBlock(r.Output)
		}
		if sr.Status == TestFailed {
			sr.Message = failureMessage(sr.Output)
			if sr.Message == "" && end.stopped != "" && p.ranLast(name) {
				sr.Message = end.stopped
			}
			if sr.Message == "" {
				sr.Message = "the subtest failed; see its output"
			}
		}
		all += sr.Output
		r.Subtests = append(r.Subtests, sr)
	}
	if r.Status == TestFailed && r.Message == "" {
		switch {
		case culprit != "":
			r.Message = culprit + ": " + panicked
		default:
			r.Message = failureMessage(all)
		}
		if r.Message == "" && end.stopped != "" && p.ranLast(t.Name) {
			r.Message = end.stopped
		}
		if r.Message == "" {
			r.Message = "the test failed; see its output"
		}
	}
	return r
}

// panickedSubtest returns the subtest of st that was running when the
// panic reported in st's own output happened: the last of them to fail
// without a message of its own; "" when there is none or no panic.
func panickedSubtest(p *goTestParser, st *goTestState, panicked string) string {
	if panicked == "" {
		return ""
	}
	culprit := ""
	for _, name := range st.subtests {
		sub := p.tests[name]
		if (sub.status == TestFailed || sub.status == "") && failureMessage(sub.output.String()) == "" {
			culprit = name
		}
	}
	return culprit
}

// ranLast reports whether name, or one of its subtests, was the last test
// to start: the one running when the program stopped.
func (p *goTestParser) ranLast(name string) bool {
	if len(p.order) == 0 {
		return false
	}
	last := p.order[len(p.order)-1]
	return last == name || strings.HasPrefix(last, name+"/")
}

// panicBlock is the part of output from its panic line on.
func panicBlock(output string) string {
	for _, prefix := range []string{"panic: ", "fatal error: "} {
		if i := strings.Index(output, prefix); i == 0 || i > 0 && output[i-1] == '\n' {
			return output[i:]
		}
	}
	return ""
}
