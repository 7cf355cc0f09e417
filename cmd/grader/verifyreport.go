package main

import (
	"fmt"
	"strings"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// verifyRun is one sample that `challenge verify` graded, with its result.
type verifyRun struct {
	// Challenge is the challenge's id.
	Challenge string
	// Sample is the sample graded.
	Sample challenges.Sample
	// Result is what the engine made of it (in the first run).
	Result grader.Result
	// Reruns are the results of the further runs of verify --runs, each
	// compared with Result.
	Reruns []grader.Result
}

// verifyReport is everything `challenge verify` found, as printed and as
// written by --json.
type verifyReport struct {
	// Passed is false when a check failed: a reference short of full
	// marks, a starter or mutant with them, or a test whose outcome
	// differed between runs.
	Passed bool `json:"passed"`
	// Failed counts the failed checks.
	Failed int `json:"failed"`
	// Runs is how many times each sample was graded; the table and the
	// samples' lines show the first run, and a flaky flag any difference.
	Runs int `json:"runs"`
	// Groups hold the samples of one challenge in one language, in the
	// order they were graded.
	Groups []verifyGroup `json:"groups"`
	// Flags are the problems and warnings found, group by group.
	Flags []verifyFlag `json:"flags"`
	// Notes explain failed checks further (a reference's skipped tests).
	Notes []string `json:"notes"`
}

// verifyGroup is one challenge in one language: its samples and the
// table of its tests against them.
type verifyGroup struct {
	Challenge string          `json:"challenge"`
	Language  grader.Language `json:"language"`
	Samples   []verifySample  `json:"samples"`
	// Tests are the rows of the table: every test any sample's result
	// holds, in the order of the results.
	Tests []verifyTestRow `json:"tests"`
}

// verifySample is one sample's line of the report.
type verifySample struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	// Expect is "full" for the reference, "less" for the others.
	Expect   string        `json:"expect"`
	Score    int           `json:"score"`
	MaxScore int           `json:"max_score"`
	Status   grader.Status `json:"status"`
	// OK says whether the sample scored as expected.
	OK bool `json:"ok"`
	// Flaky says whether some test's outcome differed between runs.
	Flaky bool `json:"flaky"`
	// Message is the result's summary.
	Message string `json:"message"`
	// FailedTests are the tests the sample did not pass, in order.
	FailedTests []verifyFailure `json:"failed_tests"`
}

// verifyFailure is a test a sample did not pass.
type verifyFailure struct {
	Suite   string            `json:"suite"`
	Test    string            `json:"test"`
	Status  grader.TestStatus `json:"status"`
	Message string            `json:"message,omitempty"`
}

// verifyTestRow is one test of a group and its status in every sample,
// in the order of the group's samples ("" when a sample's result does not
// hold the test).
type verifyTestRow struct {
	Suite      string              `json:"suite"`
	Test       string              `json:"test"`
	MaxPoints  int                 `json:"max_points"`
	Visibility grader.Visibility   `json:"visibility"`
	Statuses   []grader.TestStatus `json:"statuses"`
}

// Kinds of verify flags.
const (
	// flagReferenceFailed: the reference does not pass a test.
	flagReferenceFailed = "reference_failed"
	// flagFullMarks: a starter or mutant scores full marks.
	flagFullMarks = "full_marks"
	// flagProvesNothing: no mutant fails a test.
	flagProvesNothing = "proves_nothing"
	// flagStarterEarns: the starter passes a test that carries points.
	flagStarterEarns = "starter_earns_points"
	// flagMutantBroken: a mutant fails to build, so it fails every test
	// whatever its planted mistake.
	flagMutantBroken = "mutant_broken"
)

// Severities of verify flags.
const (
	severityError   = "error"   // a failed check: verify exits non-zero
	severityWarning = "warning" // worth fixing; verify still passes
)

// verifyFlag is one thing verify asks the instructor to look at.
type verifyFlag struct {
	Kind      string `json:"kind"`
	Severity  string `json:"severity"`
	Challenge string `json:"challenge"`
	// Language is the language concerned, or "" for every language the
	// test runs in (a test no mutant of any language fails).
	Language grader.Language `json:"language,omitempty"`
	// Sample is the sample concerned ("solution", "starter" or a mutant's
	// name), if any.
	Sample string `json:"sample,omitempty"`
	// Suite and Test name the test concerned, if any.
	Suite string `json:"suite,omitempty"`
	Test  string `json:"test,omitempty"`
	// Message says what is wrong and what to do, in a sentence.
	Message string `json:"message"`
	// Outcomes are, for a flaky flag, what each run made of the test (or
	// of the whole result when Test is empty).
	Outcomes []verifyOutcome `json:"outcomes,omitempty"`
}

// analyzeVerify builds the report of verify from the graded samples:
// which samples scored as expected, the table of tests against samples,
// and the flags. It only reads runs.
func analyzeVerify(runs []verifyRun) verifyReport {
	rep := verifyReport{Groups: []verifyGroup{}, Flags: []verifyFlag{}, Notes: []string{}}
	rep.Runs = 1
	if len(runs) > 0 {
		rep.Runs += len(runs[0].Reruns)
	}
	groups := groupRuns(runs)
	for _, g := range groups {
		group := verifyGroup{Challenge: g[0].Challenge, Language: g[0].Sample.Language, Tests: tableOf(g)}
		var flaky []verifyFlag
		for _, r := range g {
			s := sampleLine(r)
			if !s.OK {
				rep.Failed++
			}
			ff := flakyFlags(r)
			for i := range ff {
				ff[i].Challenge, ff[i].Language = group.Challenge, group.Language
			}
			s.Flaky = len(ff) > 0
			rep.Failed += len(ff)
			flaky = append(flaky, ff...)
			group.Samples = append(group.Samples, s)
		}
		rep.Groups = append(rep.Groups, group)
		rep.Flags = append(rep.Flags, flagsOf(group, g)...)
		rep.Flags = append(rep.Flags, flaky...)
		if last := len(rep.Groups) - 1; last == len(groups)-1 || groups[last+1][0].Challenge != group.Challenge {
			rep.Flags = append(rep.Flags, uselessTests(rep.Groups, groups, group.Challenge)...)
		}
	}
	rep.Passed = rep.Failed == 0
	return rep
}

// groupRuns splits runs by challenge and language, keeping their order.
func groupRuns(runs []verifyRun) [][]verifyRun {
	var groups [][]verifyRun
	at := map[string]int{}
	for _, r := range runs {
		key := r.Challenge + "\x00" + string(r.Sample.Language)
		i, ok := at[key]
		if !ok {
			i = len(groups)
			at[key] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], r)
	}
	return groups
}

// sampleLine is a run's line of the report.
func sampleLine(r verifyRun) verifySample {
	res := r.Result
	wantFull := r.Sample.Kind == challenges.SampleSolution
	s := verifySample{Kind: r.Sample.Kind, Name: r.Sample.Name, Expect: "less", Score: res.Score, MaxScore: res.MaxScore,
		Status: res.Status, OK: res.Passed() == wantFull, Message: res.Message, FailedTests: []verifyFailure{}}
	if wantFull {
		s.Expect = "full"
	}
	for _, t := range res.Tests {
		if t.Status != grader.TestPassed {
			s.FailedTests = append(s.FailedTests, verifyFailure{Suite: t.Suite, Test: t.Name, Status: t.Status, Message: t.Message})
		}
	}
	return s
}

// testKey names a test within a group.
type testKey struct{ suite, test string }

// tableOf lists every test of a group's results with its status in each
// sample.
func tableOf(g []verifyRun) []verifyTestRow {
	rows := []verifyTestRow{}
	at := map[testKey]int{}
	for col, r := range g {
		for _, t := range r.Result.Tests {
			k := testKey{t.Suite, t.Name}
			i, ok := at[k]
			if !ok {
				i = len(rows)
				at[k] = i
				rows = append(rows, verifyTestRow{Suite: t.Suite, Test: t.Name, Statuses: make([]grader.TestStatus, len(g))})
			}
			rows[i].MaxPoints = max(rows[i].MaxPoints, t.MaxPoints)
			if rows[i].Visibility == "" {
				rows[i].Visibility = t.Visibility
			}
			rows[i].Statuses[col] = t.Status
		}
	}
	return rows
}

// flagsOf finds what is wrong with the samples of a group: a reference
// that fails, a starter or mutant with full marks, a starter that earns
// points, a mutant that does not build.
func flagsOf(group verifyGroup, g []verifyRun) []verifyFlag {
	var flags []verifyFlag
	add := func(f verifyFlag) {
		f.Challenge, f.Language = group.Challenge, group.Language
		flags = append(flags, f)
	}
	for col, r := range g {
		s := group.Samples[col]
		switch r.Sample.Kind {
		case challenges.SampleSolution:
			for _, f := range referenceFlags(r, s) {
				add(f)
			}
		case challenges.SampleStarter:
			if !s.OK {
				add(verifyFlag{Kind: flagFullMarks, Severity: severityError, Sample: s.Name,
					Message: "the starter scores full marks: learners would pass without writing anything; make the starter fail the tests"})
			}
			for _, t := range r.Result.Tests {
				if t.Status == grader.TestPassed && t.MaxPoints > 0 {
					add(verifyFlag{Kind: flagStarterEarns, Severity: severityWarning, Sample: s.Name, Suite: t.Suite, Test: t.Name,
						Message: fmt.Sprintf("the starter passes test %s (%s), which carries points: learners earn them for nothing; give it 0 points or make the starter fail it", testName(t.Suite, t.Name), pointsWord(t.MaxPoints))})
				}
			}
		case challenges.SampleMutant:
			if !s.OK {
				add(verifyFlag{Kind: flagFullMarks, Severity: severityError, Sample: s.Name,
					Message: fmt.Sprintf("mutant %s scores full marks: no test catches its mistake; add a test that fails it", s.Name)})
			}
			if broken(r) {
				add(verifyFlag{Kind: flagMutantBroken, Severity: severityWarning, Sample: s.Name,
					Message: fmt.Sprintf("mutant %s does not build (%s), so it fails every test whatever its planted mistake; make it build, with only the mistake left", s.Name, firstLines(r.Result.Build.Text, r.Result.Message))})
			}
		}
	}
	return flags
}

// broken reports whether a mutant fails for a reason other than its
// planted mistake: it does not build, so it fails every test.
func broken(r verifyRun) bool {
	return r.Result.Status == grader.StatusBuildFailed
}

// uselessTests flags the tests of challenge id that no mutant fails, in
// any language: an http test is the same in every language, so a mutant
// of any language that fails it shows what it checks, while a unit suite's
// test belongs to one language. Mutants that do not build do not count,
// and a test is judged only when some language that runs it has mutants.
// groups and runs are parallel.
func uselessTests(groups []verifyGroup, runs [][]verifyRun, id string) []verifyFlag {
	type verdict struct {
		judged, caught bool
		languages      []grader.Language
	}
	var order []testKey
	seen := map[testKey]*verdict{}
	for gi, g := range groups {
		if g.Challenge != id {
			continue
		}
		var catching []int
		mutants := false
		for col, r := range runs[gi] {
			if r.Sample.Kind == challenges.SampleMutant {
				mutants = true
				if !broken(r) {
					catching = append(catching, col)
				}
			}
		}
		for _, row := range g.Tests {
			k := testKey{row.Suite, row.Test}
			v := seen[k]
			if v == nil {
				v = &verdict{}
				seen[k] = v
				order = append(order, k)
			}
			v.languages = append(v.languages, g.Language)
			v.judged = v.judged || mutants
			for _, col := range catching {
				if st := row.Statuses[col]; st != "" && st != grader.TestPassed {
					v.caught = true
				}
			}
		}
	}
	var flags []verifyFlag
	for _, k := range order {
		v := seen[k]
		if !v.judged || v.caught {
			continue
		}
		f := verifyFlag{Kind: flagProvesNothing, Severity: severityWarning, Challenge: id, Suite: k.suite, Test: k.test,
			Message: fmt.Sprintf("no mutant fails test %s: it proves nothing beyond the reference; plant a mutant with the mistake it is meant to catch", testName(k.suite, k.test))}
		if len(v.languages) == 1 {
			f.Language = v.languages[0]
		}
		flags = append(flags, f)
	}
	return flags
}

// referenceFlags names each test the reference does not pass, or the
// whole result when it failed before any test ran.
func referenceFlags(r verifyRun, s verifySample) []verifyFlag {
	if s.OK {
		return nil
	}
	var flags []verifyFlag
	for _, t := range s.FailedTests {
		msg := t.Message
		if msg == "" {
			msg = string(t.Status)
		}
		flags = append(flags, verifyFlag{Kind: flagReferenceFailed, Severity: severityError, Sample: s.Name, Suite: t.Suite, Test: t.Test,
			Message: fmt.Sprintf("the reference fails test %s: %s", testName(t.Suite, t.Test), msg)})
	}
	if len(flags) == 0 {
		flags = append(flags, verifyFlag{Kind: flagReferenceFailed, Severity: severityError, Sample: s.Name,
			Message: fmt.Sprintf("the reference scores %d/%d (%s): %s", s.Score, s.MaxScore, s.Status, firstLines(r.Result.Build.Text, s.Message))})
	}
	return flags
}

// testName is how a test is named in flags: suite/"name".
func testName(suite, test string) string {
	return fmt.Sprintf("%s/%q", suite, test)
}

// pointsWord is "1 point" or "n points".
func pointsWord(n int) string {
	if n == 1 {
		return "1 point"
	}
	return fmt.Sprintf("%d points", n)
}

// firstLines is the first lines of text (at most three), on one line, or
// fallback when text is empty.
func firstLines(text, fallback string) string {
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
		if len(lines) == 3 {
			break
		}
	}
	if len(lines) == 0 {
		return fallback
	}
	return strings.Join(lines, " | ")
}
