package grader

import (
	"fmt"
	"strings"
)

// unitCase is one reported result of a unit suite's test or subtest,
// under the challenge's names.
type unitCase struct {
	// test is the graded test's name; sub the subtest's full name, or ""
	// for the test's own result.
	test, sub string
	status    TestStatus
	message   string
	output    string
	ms        int64
}

// pytestCases maps the entries of pytest's report to the challenge's
// names: only test functions carrying the job's suffix count, and a
// parametrized case test_x_<nonce>[id] is subtest test_x[id]. orphan is
// the first failure of an entry that names no graded test (a test file
// that failed to import, say), or "".
func pytestCases(entries []junitEntry, suffix string) (cases []unitCase, orphan string) {
	for _, e := range entries {
		if e.Suite {
			continue
		}
		base, param, _ := strings.Cut(e.Name, "[")
		if !strings.HasSuffix(base, suffix) {
			if orphan == "" && e.Status == TestFailed {
				orphan = firstLine(e.Message)
			}
			continue
		}
		c := entryCase(e, strings.TrimSuffix(base, suffix), "")
		c.message = strings.ReplaceAll(c.message, suffix, "")
		c.output = strings.ReplaceAll(c.output, suffix, "")
		if param != "" {
			c.sub = c.test + "[" + param
		}
		cases = append(cases, c)
	}
	return cases, orphan
}

// nodeTestCases maps the entries of node:test's report to the
// challenge's names: a top-level test is its own name, a subtest is
// "test/subtest".
//
// Node 18's junit reporter escapes a double quote as &quot; and then the
// ampersand again, so names and messages read back with a literal
// "&quot;"; it is turned back into the quote.
func nodeTestCases(entries []junitEntry) []unitCase {
	var cases []unitCase
	unquote := strings.NewReplacer("&quot;", `"`).Replace
	for _, e := range entries {
		e.Name, e.Message = unquote(e.Name), unquote(e.Message)
		for i := range e.Path {
			e.Path[i] = unquote(e.Path[i])
		}
		full := append(append([]string{}, e.Path...), e.Name)
		c := entryCase(e, full[0], "")
		if len(full) > 1 {
			c.sub = strings.Join(full, "/")
		}
		cases = append(cases, c)
	}
	return cases
}

func entryCase(e junitEntry, test, sub string) unitCase {
	return unitCase{test: test, sub: sub, status: e.Status, message: e.Message, output: e.Output, ms: int64(e.Seconds * 1000)}
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// unitResults grades each test of s from the reported cases. A test
// that reported nothing fails with missing; one reported more than once
// fails (a learner's code may register tests of its own under a hidden
// test's name); a skipped test fails, as a graded test must run and
// pass. A test with no result of its own (pytest's parametrized cases)
// passes when all its subtests pass.
func unitResults(s Suite, cases []unitCase, missing string) []TestResult {
	out := make([]TestResult, 0, len(s.Tests))
	for _, t := range s.Tests {
		out = append(out, unitResult(s, t, cases, missing))
	}
	return out
}

func unitResult(s Suite, t TestSpec, cases []unitCase, missing string) TestResult {
	r := TestResult{Name: t.Name, Suite: s.Name, MaxPoints: t.Points, Visibility: t.Visibility}
	var own []unitCase
	seen := map[string]int{}
	for _, c := range cases {
		if c.test != t.Name {
			continue
		}
		if c.sub == "" {
			own = append(own, c)
			continue
		}
		seen[c.sub]++
		if seen[c.sub] > 1 {
			r.Status, r.Message = TestFailed, fmt.Sprintf("subtest %s reported more than once; a submission must not register tests of its own", c.sub)
			return r
		}
		sr := TestResult{Name: c.sub, Suite: s.Name, Status: c.status, Visibility: t.Visibility, DurationMS: c.ms, Message: c.message}
		sr.Output, sr.OutputTruncated = capOutput(c.output)
		if sr.Status == TestFailed && sr.Message == "" {
			sr.Message = "the subtest failed; see its output"
		}
		r.Subtests = append(r.Subtests, sr)
	}
	switch {
	case len(own) > 1:
		r.Status, r.Message = TestFailed, "reported more than once; a submission must not register tests of its own"
		return r
	case len(own) == 0 && len(r.Subtests) == 0:
		r.Status, r.Message = TestFailed, missing
		return r
	case len(own) == 1:
		c := own[0]
		r.Status, r.Message, r.DurationMS = c.status, c.message, c.ms
		r.Output, r.OutputTruncated = capOutput(c.output)
	default:
		r.Status = TestPassed
		for _, sr := range r.Subtests {
			r.DurationMS += sr.DurationMS
			if sr.Status != TestPassed && r.Status == TestPassed {
				r.Status, r.Message = TestFailed, sr.Name+": "+sr.Message
			}
		}
	}
	if r.Status == TestFailed && r.Message == "" {
		for _, sr := range r.Subtests {
			if sr.Status == TestFailed {
				r.Message = sr.Name + ": " + sr.Message
				break
			}
		}
	}
	switch r.Status {
	case TestSkipped:
		r.Status, r.Message = TestFailed, TestSkippedMessage
	case TestPassed:
		r.Points, r.Message = t.Points, ""
	case TestFailed:
		if r.Message == "" {
			r.Message = "the test failed; see its output"
		}
		r.Message = trimText(r.Message, 2048)
	}
	return r
}

// capOutput keeps at most testOutputBytes of a test's output.
func capOutput(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if len(s) <= testOutputBytes {
		return s + "\n", false
	}
	return trimText(s, testOutputBytes), true
}
