package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/report"
)

func TestResolveGradeOutput(t *testing.T) {
	tests := []struct {
		name    string
		given   []string // flags given on the command line
		format  string
		asJSON  bool
		view    string
		want    gradeOutput
		wantErr string
	}{
		{name: "defaults", format: "text", view: "learner",
			want: gradeOutput{format: "text", view: grader.ViewLearner}},
		{name: "json", given: []string{"format"}, format: "json", view: "learner",
			want: gradeOutput{format: "json", view: grader.ViewLearner}},
		{name: "deprecated --json", given: []string{"json"}, format: "text", asJSON: true, view: "learner",
			want: gradeOutput{format: "json", view: grader.ViewLearner}},
		{name: "--json with --format json", given: []string{"json", "format"}, format: "json", asJSON: true, view: "learner",
			want: gradeOutput{format: "json", view: grader.ViewLearner}},
		{name: "--json with another --format", given: []string{"json", "format"}, format: "gradescope", asJSON: true, view: "learner",
			wantErr: "--json and --format gradescope conflict"},
		{name: "--json with --format text", given: []string{"json", "format"}, format: "text", asJSON: true, view: "learner",
			wantErr: "--json and --format text conflict"},
		{name: "gradescope defaults to the instructor view", given: []string{"format"}, format: "gradescope", view: "learner",
			want: gradeOutput{format: "gradescope", view: grader.ViewInstructor}},
		{name: "gradescope keeps a given view", given: []string{"format", "view"}, format: "gradescope", view: "learner",
			want: gradeOutput{format: "gradescope", view: grader.ViewLearner}},
		{name: "instructor view", given: []string{"view"}, format: "text", view: "instructor",
			want: gradeOutput{format: "text", view: grader.ViewInstructor}},
		{name: "unknown format", given: []string{"format"}, format: "xml", view: "learner",
			wantErr: `--format "xml": use text, json, gradescope`},
		{name: "bad view", given: []string{"view"}, format: "text", view: "boss",
			wantErr: "use learner or instructor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			changed := func(flag string) bool {
				for _, g := range tc.given {
					if g == flag {
						return true
					}
				}
				return false
			}
			got, err := resolveGradeOutput(changed, tc.format, tc.asJSON, tc.view)
			if tc.wantErr != "" {
				var ee *exitError
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.As(err, &ee) || ee.code != exitUsage {
					t.Fatalf("err = %v, want a usage error mentioning %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestGradeFormatUsageErrorsExitTwo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown format", []string{"grade", "--challenge", "notes-api", "--format", "xml", "."}, "use text, json, gradescope"},
		{"conflicting --json", []string{"grade", "--challenge", "notes-api", "--json", "--format", "gradescope", "."}, "--json and --format gradescope conflict"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d mentioning %q", code, stdout, stderr, exitUsage, tc.want)
			}
		})
	}
}

// TestGradeFormatsReachGrading checks that accepted formats get as far as
// the engine: with Docker unreachable that is exit 3, not a usage error.
func TestGradeFormatsReachGrading(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
	tests := []struct {
		name       string
		flags      []string
		deprecated bool
	}{
		{"text", []string{"--format", "text"}, false},
		{"json", []string{"--format", "json"}, false},
		{"gradescope", []string{"--format", "gradescope"}, false},
		{"gradescope learner view", []string{"--format", "gradescope", "--view", "learner"}, false},
		{"deprecated --json", []string{"--json"}, true},
		{"--json with --format json", []string{"--json", "--format", "json"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--catalog", "../../challenges", "grade", "--challenge", "fix-ledger"}, tc.flags...)
			args = append(args, "../../challenges/fix-ledger/solution")
			code, stdout, stderr := runCLI(t, args...)
			if code != exitFault || !strings.Contains(stderr, "Docker Engine is not reachable") {
				t.Errorf("exit %d, stderr %q; want %d saying Docker is unreachable", code, stderr, exitFault)
			}
			if got := strings.Contains(stderr, "--json is deprecated"); got != tc.deprecated {
				t.Errorf("deprecation notice on stderr: %v, want %v (stderr %q)", got, tc.deprecated, stderr)
			}
			if strings.Contains(stdout, "deprecated") {
				t.Errorf("stdout %q holds the deprecation notice", stdout)
			}
		})
	}
}

func sampleGradeResult() grader.Result {
	return grader.Result{
		Challenge: "notes-api", ChallengeVersion: "v3", View: grader.ViewInstructor,
		Status: grader.StatusFailed, Score: 4, MaxScore: 7, Message: "1 of 2 tests failed",
		Tests: []grader.TestResult{
			{Name: "TestCreate", Suite: "unit", Status: grader.TestPassed, Points: 4, MaxPoints: 4, Visibility: grader.Visible},
			{Name: "secret", Suite: "http", Status: grader.TestFailed, MaxPoints: 3, Visibility: grader.Hidden, Message: "status 500"},
		},
	}
}

func TestPrintGradeResult(t *testing.T) {
	res := sampleGradeResult()
	t.Run("text", func(t *testing.T) {
		var b bytes.Buffer
		if err := printGradeResult(&b, gradeFormatText, "Notes API", res.As(grader.ViewLearner)); err != nil {
			t.Fatal(err)
		}
		for _, s := range []string{"Notes API (notes-api)", "PASS  TestCreate", "hidden tests, all suites: 0 of 1 passed", "score: 4/7"} {
			if !strings.Contains(b.String(), s) {
				t.Errorf("text lacks %q:\n%s", s, b.String())
			}
		}
	})
	t.Run("json", func(t *testing.T) {
		var b bytes.Buffer
		if err := printGradeResult(&b, gradeFormatJSON, "Notes API", res.As(grader.ViewLearner)); err != nil {
			t.Fatal(err)
		}
		var got grader.Result
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(res.As(grader.ViewLearner), got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})
	t.Run("gradescope", func(t *testing.T) {
		var b bytes.Buffer
		if err := printGradeResult(&b, gradeFormatGradescope, "Notes API", res); err != nil {
			t.Fatal(err)
		}
		var got report.Gradescope
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(report.GradescopeOf(res), got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if len(got.Tests) != 2 || got.Tests[1].Name != "secret" || got.Tests[1].Visibility != "after_published" {
			t.Errorf("instructor view tests %+v: want the hidden one, shown after publishing", got.Tests)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		var b bytes.Buffer
		if err := printGradeResult(&b, "xml", "Notes API", res); err == nil || b.Len() != 0 {
			t.Errorf("err %v, wrote %q; want an error and nothing written", err, b.String())
		}
	})
}

func TestGradeLanguage(t *testing.T) {
	poly := &grader.Challenge{ID: "poly", Languages: []grader.Offering{{Language: grader.LanguageGo}, {Language: grader.LanguagePython}}}
	legacy := &grader.Challenge{ID: "old"}
	tests := []struct {
		ch      *grader.Challenge
		flag    string
		want    grader.Language
		wantErr string
	}{
		{poly, "python", grader.LanguagePython, ""},
		{poly, "go", grader.LanguageGo, ""},
		{poly, "javascript", "", `--language "javascript": challenge poly is offered in go, python`},
		{poly, "cobol", "", "offered in go, python"},
		{legacy, "go", grader.LanguageGo, ""},
		{legacy, "python", "", "challenge old is offered in go"},
	}
	for _, tc := range tests {
		got, err := gradeLanguage(tc.ch, tc.flag)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s --language %s: err = %v, want %q", tc.ch.ID, tc.flag, err, tc.wantErr)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s --language %s: got %q, %v", tc.ch.ID, tc.flag, got, err)
		}
	}
}

func TestGradeSelectionUsageErrors(t *testing.T) {
	tests := []struct {
		name  string
		flags []string
		want  []string
	}{
		{"bad regex", []string{"--run", "create("}, []string{`--run "create(" is not a regular expression`, "api (http): health check answers"}},
		{"unknown suite", []string{"--suite", "unit"}, []string{`no suite "unit"`, "its suites: api (http, "}},
		{"no test matches", []string{"--suite", "api", "--run", "^nothing$"}, []string{`among suite api, tests matching "^nothing$"`, "api (http, "}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"--catalog", "../../challenges", "grade", "--challenge", "notes-api"}, tc.flags...)
			code, stdout, stderr := runCLI(t, append(args, "../../challenges/notes-api/solution")...)
			if code != exitUsage || stdout != "" {
				t.Errorf("exit %d, stdout %q; want %d", code, stdout, exitUsage)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q does not say %q", stderr, w)
				}
			}
		})
	}
}

// TestGradeSelectionReachesGrading: a selection that keeps tests gets as
// far as the engine (exit 3 with Docker unreachable).
func TestGradeSelectionReachesGrading(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
	code, _, stderr := runCLI(t, "--catalog", "../../challenges", "grade", "--challenge", "notes-api", "--suite", "api", "--run", "create", "../../challenges/notes-api/solution")
	if code != exitFault || !strings.Contains(stderr, "Docker Engine is not reachable") {
		t.Errorf("exit %d, stderr %q; want %d saying Docker is unreachable", code, stderr, exitFault)
	}
}

func TestTextShowsFailedOutputToInstructors(t *testing.T) {
	race := "==================\nWARNING: DATA RACE\nWrite at 0x00c000012345 by goroutine 8:\n  links.(*Store).Add()\n==================\n"
	res := grader.Result{
		Challenge: "links", View: grader.ViewInstructor, Status: grader.StatusFailed, MaxScore: 6,
		Tests: []grader.TestResult{
			{Name: "TestAdd", Suite: "unit", Status: grader.TestPassed, Points: 1, MaxPoints: 1, Visibility: grader.Visible, Output: "passing chatter\n"},
			{Name: "TestConcurrent", Suite: "unit", Status: grader.TestFailed, MaxPoints: 5, Visibility: grader.Hidden,
				Message: "testing.go:1617: race detected during execution of test", Output: race, OutputTruncated: true,
				Subtests: []grader.TestResult{{Name: "TestConcurrent/writers", Status: grader.TestFailed, Output: "panic: boom\n\ngoroutine 7 [running]:\n"}}},
		},
	}
	var b bytes.Buffer
	printResult(&b, "Links", res)
	text := b.String()
	for _, s := range []string{
		"output of TestConcurrent (cut: only its beginning was kept):\n          | ==================\n          | WARNING: DATA RACE\n",
		"output of TestConcurrent/writers:\n          | panic: boom\n          | \n          | goroutine 7 [running]:\n",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("instructor text lacks %q:\n%s", s, text)
		}
	}
	if strings.Contains(text, "passing chatter") {
		t.Errorf("a passed test's output is shown:\n%s", text)
	}

	b.Reset()
	printResult(&b, "Links", res.As(grader.ViewLearner))
	if strings.Contains(b.String(), "output of") || strings.Contains(b.String(), "DATA RACE") {
		t.Errorf("the learner view shows output:\n%s", b.String())
	}
}
