package main

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// fakeRun is a graded sample of challenge demo in Go whose tests have
// the given statuses, in the order health, create, read.
func fakeRun(kind, name string, status grader.Status, tests ...grader.TestStatus) verifyRun {
	names := []string{"health", "create", "read"}
	points := []int{1, 2, 3}
	res := grader.Result{Challenge: "demo", Status: status, Message: "graded"}
	for i, st := range tests {
		t := grader.TestResult{Name: names[i], Suite: "api", Status: st, MaxPoints: points[i], Visibility: grader.Visible}
		if st == grader.TestPassed {
			t.Points = points[i]
		} else {
			t.Message = names[i] + " went wrong"
		}
		res.Tests = append(res.Tests, t)
		res.Score += t.Points
		res.MaxScore += t.MaxPoints
	}
	return verifyRun{Challenge: "demo", Sample: challenges.Sample{Language: grader.LanguageGo, Kind: kind, Name: name}, Result: res}
}

const (
	pass   = grader.TestPassed
	fail   = grader.TestFailed
	notRun = grader.TestNotRun
)

func TestAnalyzeVerifyTableAndFlags(t *testing.T) {
	broken := fakeRun(challenges.SampleMutant, "broken", grader.StatusBuildFailed, notRun, notRun, notRun)
	broken.Result.Build.Text = "./main.go:3:1: syntax error\n"
	runs := []verifyRun{
		fakeRun(challenges.SampleSolution, "solution", grader.StatusPassed, pass, pass, pass),
		fakeRun(challenges.SampleStarter, "starter", grader.StatusFailed, pass, fail, fail),
		fakeRun(challenges.SampleMutant, "created-200", grader.StatusFailed, pass, fail, pass),
		broken,
	}
	rep := analyzeVerify(runs)
	if !rep.Passed || rep.Failed != 0 {
		t.Errorf("passed %v with %d failed checks; want passed with 0", rep.Passed, rep.Failed)
	}
	wantRows := []verifyTestRow{
		{Suite: "api", Test: "health", MaxPoints: 1, Visibility: grader.Visible, Statuses: []grader.TestStatus{pass, pass, pass, notRun}},
		{Suite: "api", Test: "create", MaxPoints: 2, Visibility: grader.Visible, Statuses: []grader.TestStatus{pass, fail, fail, notRun}},
		{Suite: "api", Test: "read", MaxPoints: 3, Visibility: grader.Visible, Statuses: []grader.TestStatus{pass, fail, pass, notRun}},
	}
	if len(rep.Groups) != 1 {
		t.Fatalf("got %d groups, want 1", len(rep.Groups))
	}
	if diff := cmp.Diff(wantRows, rep.Groups[0].Tests); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
	wantFailed := []verifyFailure{{Suite: "api", Test: "create", Status: fail, Message: "create went wrong"}}
	if diff := cmp.Diff(wantFailed, rep.Groups[0].Samples[2].FailedTests); diff != "" {
		t.Errorf("created-200's failed tests (-want +got):\n%s", diff)
	}
	want := []verifyFlag{
		{Kind: flagStarterEarns, Severity: severityWarning, Challenge: "demo", Language: grader.LanguageGo, Sample: "starter", Suite: "api", Test: "health",
			Message: `the starter passes test api/"health" (1 point), which carries points: learners earn them for nothing; give it 0 points or make the starter fail it`},
		{Kind: flagMutantBroken, Severity: severityWarning, Challenge: "demo", Language: grader.LanguageGo, Sample: "broken",
			Message: "mutant broken does not build (./main.go:3:1: syntax error), so it fails every test whatever its planted mistake; make it build, with only the mistake left"},
		{Kind: flagProvesNothing, Severity: severityWarning, Challenge: "demo", Language: grader.LanguageGo, Suite: "api", Test: "health",
			Message: `no mutant fails test api/"health": it proves nothing beyond the reference; plant a mutant with the mistake it is meant to catch`},
		{Kind: flagProvesNothing, Severity: severityWarning, Challenge: "demo", Language: grader.LanguageGo, Suite: "api", Test: "read",
			Message: `no mutant fails test api/"read": it proves nothing beyond the reference; plant a mutant with the mistake it is meant to catch`},
	}
	if diff := cmp.Diff(want, rep.Flags); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}
}

func TestAnalyzeVerifyFailedChecks(t *testing.T) {
	runs := []verifyRun{
		fakeRun(challenges.SampleSolution, "solution", grader.StatusFailed, pass, fail, pass),
		fakeRun(challenges.SampleStarter, "starter", grader.StatusFailed, fail, fail, fail),
		fakeRun(challenges.SampleMutant, "harmless", grader.StatusPassed, pass, pass, pass),
	}
	rep := analyzeVerify(runs)
	if rep.Passed || rep.Failed != 2 {
		t.Errorf("passed %v with %d failed checks; want failed with 2", rep.Passed, rep.Failed)
	}
	var got []string
	for _, f := range rep.Flags {
		if f.Severity == severityError {
			got = append(got, f.Kind+" "+f.Sample+" "+f.Test+": "+f.Message)
		}
	}
	want := []string{
		`reference_failed solution create: the reference fails test api/"create": create went wrong`,
		"full_marks harmless : mutant harmless scores full marks: no test catches its mistake; add a test that fails it",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

func TestAnalyzeVerifyReferenceThatDoesNotBuild(t *testing.T) {
	ref := fakeRun(challenges.SampleSolution, "solution", grader.StatusBuildFailed, notRun, notRun, notRun)
	ref.Result.Tests = nil
	ref.Result.Score, ref.Result.MaxScore = 0, 6
	ref.Result.Build.Text = "main.go:1: expected 'package'\n"
	rep := analyzeVerify([]verifyRun{ref})
	want := []verifyFlag{{Kind: flagReferenceFailed, Severity: severityError, Challenge: "demo", Language: grader.LanguageGo, Sample: "solution",
		Message: "the reference scores 0/6 (build_failed): main.go:1: expected 'package'"}}
	if diff := cmp.Diff(want, rep.Flags); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}
}

func TestAnalyzeVerifyGroupsByChallengeAndLanguage(t *testing.T) {
	py := fakeRun(challenges.SampleSolution, "solution", grader.StatusPassed, pass)
	py.Sample.Language = grader.LanguagePython
	other := fakeRun(challenges.SampleSolution, "solution", grader.StatusPassed, pass)
	other.Challenge = "other"
	runs := []verifyRun{
		fakeRun(challenges.SampleSolution, "solution", grader.StatusPassed, pass),
		py,
		fakeRun(challenges.SampleMutant, "m", grader.StatusFailed, fail),
		other,
	}
	rep := analyzeVerify(runs)
	var got []string
	for _, g := range rep.Groups {
		got = append(got, g.Challenge+"/"+string(g.Language)+":"+strconv.Itoa(len(g.Samples)))
	}
	if diff := cmp.Diff([]string{"demo/go:2", "demo/python:1", "other/go:1"}, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	// Python has no mutant: nothing to say about its tests.
	for _, f := range rep.Flags {
		t.Errorf("unexpected flag %+v", f)
	}
}

func TestPrintVerify(t *testing.T) {
	runs := []verifyRun{
		fakeRun(challenges.SampleSolution, "solution", grader.StatusPassed, pass, pass, pass),
		fakeRun(challenges.SampleStarter, "starter", grader.StatusFailed, pass, fail, fail),
		fakeRun(challenges.SampleMutant, "created-200", grader.StatusFailed, fail, fail, fail),
	}
	var b bytes.Buffer
	if err := printVerify(&b, analyzeVerify(runs)); err != nil {
		t.Fatal(err)
	}
	want := `demo (go)
  solution: 6/6 passed, every test passed
  starter: 1/6 failed, failed 2:
    api/"create": create went wrong
    api/"read": read went wrong
  mutant created-200: 0/6 failed, failed 3:
    api/"health": health went wrong
    api/"create": create went wrong
    api/"read": read went wrong

  TEST          POINTS  solution  starter  created-200
  api/"health"  1       pass      pass     FAIL
  api/"create"  2       pass      FAIL     FAIL
  api/"read"    3       pass      FAIL     FAIL

CHALLENGE  LANGUAGE  SAMPLE              EXPECT  SCORE  STATUS  CHECK
demo       go        solution:solution   full    6/6    passed  ok
demo       go        starter:starter     less    1/6    failed  ok
demo       go        mutant:created-200  less    0/6    failed  ok
warning: demo (go): the starter passes test api/"health" (1 point), which carries points: learners earn them for nothing; give it 0 points or make the starter fail it
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("printVerify (-want +got):\n%s", diff)
	}
}

func TestVerifyReportJSON(t *testing.T) {
	runs := []verifyRun{
		fakeRun(challenges.SampleSolution, "solution", grader.StatusPassed, pass),
		fakeRun(challenges.SampleMutant, "m", grader.StatusPassed, pass),
	}
	b, err := json.Marshal(analyzeVerify(runs))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Passed bool `json:"passed"`
		Groups []struct {
			Tests []struct {
				Test     string   `json:"test"`
				Statuses []string `json:"statuses"`
			} `json:"tests"`
		} `json:"groups"`
		Flags []struct {
			Kind string `json:"kind"`
			Test string `json:"test"`
		} `json:"flags"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Passed {
		t.Errorf("a mutant without a failed test passed verify: %s", b)
	}
	if len(doc.Groups) != 1 || len(doc.Groups[0].Tests) != 1 || cmp.Diff([]string{"passed", "passed"}, doc.Groups[0].Tests[0].Statuses) != "" {
		t.Errorf("table in JSON: %s", b)
	}
	var kinds []string
	for _, f := range doc.Flags {
		kinds = append(kinds, f.Kind+":"+f.Test)
	}
	if diff := cmp.Diff([]string{"full_marks:", "proves_nothing:health"}, kinds); diff != "" {
		t.Errorf("flags in JSON (-want +got):\n%s", diff)
	}
}

func TestMessageLineCutsAtAWord(t *testing.T) {
	got := messageLine("expected status 201,\ngot 200 with a long body", 24)
	if want := "expected status 201, got…"; got != want {
		t.Errorf("messageLine = %q, want %q", got, want)
	}
}

// TestUselessTestsAcrossLanguages: an http test runs in every language,
// so a mutant of any language that fails it is enough; a unit test is
// judged by its own language's mutants, and not at all without them.
func TestUselessTestsAcrossLanguages(t *testing.T) {
	inLanguage := func(l grader.Language, r verifyRun) verifyRun {
		r.Sample.Language = l
		return r
	}
	withUnit := func(r verifyRun, suite string, st grader.TestStatus) verifyRun {
		r.Result.Tests = append(r.Result.Tests, grader.TestResult{Name: "test_unit", Suite: suite, Status: st, MaxPoints: 1})
		return r
	}
	py, js := grader.LanguagePython, grader.LanguageJavaScript
	runs := []verifyRun{
		fakeRun(challenges.SampleSolution, "solution", grader.StatusPassed, pass, pass, pass),
		fakeRun(challenges.SampleStarter, "starter", grader.StatusFailed, fail, fail, fail),
		fakeRun(challenges.SampleMutant, "created-200", grader.StatusFailed, pass, fail, pass),
		withUnit(inLanguage(py, fakeRun(challenges.SampleSolution, "solution", grader.StatusPassed, pass, pass, pass)), "unit-py", pass),
		withUnit(inLanguage(py, fakeRun(challenges.SampleStarter, "starter", grader.StatusFailed, fail, fail, fail)), "unit-py", fail),
		withUnit(inLanguage(py, fakeRun(challenges.SampleMutant, "m", grader.StatusFailed, pass, pass, fail)), "unit-py", pass),
		withUnit(inLanguage(js, fakeRun(challenges.SampleSolution, "solution", grader.StatusPassed, pass, pass, pass)), "unit-js", pass),
		withUnit(inLanguage(js, fakeRun(challenges.SampleStarter, "starter", grader.StatusFailed, fail, fail, fail)), "unit-js", fail),
	}
	var got []string
	for _, f := range analyzeVerify(runs).Flags {
		got = append(got, f.Kind+" "+string(f.Language)+" "+f.Suite+"/"+f.Test)
	}
	want := []string{
		"proves_nothing  api/health",
		"proves_nothing python unit-py/test_unit",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("flags (-want +got):\n%s", diff)
	}
}
