package grader

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// mixedChallenge has a go suite and an http suite, as a challenge that
// grades a service both from outside and through its package does.
func mixedChallenge() *Challenge {
	ch := httpChallenge()
	ch.Fixtures = nil
	ch.Suites = append(goChallenge().Suites, ch.Suites...)
	return ch
}

// mixedRun plays a grading of mixedChallenge: the go suite's build ends
// with goBuild (the service's build succeeds) and the tester passes every
// http test.
func mixedRun(sb *fakeSandbox, goBuild Exit) func(BoxSpec) Exit {
	return func(spec BoxSpec) Exit {
		switch spec.Role {
		case "build":
			if strings.Contains(strings.Join(spec.Cmd, " "), "go test -c") {
				return goBuild
			}
			return Exit{}
		case "test":
			return goRun(spec)
		case "tester":
			writeLines(spec.Stdout, `{"event":"fixtures_ready"}`)
			sb.await("service")
			writeLines(spec.Stdout,
				`{"event":"ready"}`,
				`{"event":"test","name":"create","status":"passed"}`,
				`{"event":"test","name":"secret edge case","status":"passed"}`,
				`{"event":"test","name":"never reported","status":"passed"}`,
			)
			return Exit{Code: 0}
		case "service":
			return Exit{Code: 137}
		}
		return Exit{}
	}
}

// TestGradeSuiteVerdicts: each suite gets its own verdict and points, and
// a go suite that does not build makes the whole submission build_failed
// only when no other suite built it; an http suite that ran keeps the
// points it earned.
func TestGradeSuiteVerdicts(t *testing.T) {
	compileError := Exit{Code: 1, Stderr: Output{Text: "./ledger_hidden_test.go:5:2: undefined: Split\n"}}
	tests := []struct {
		name        string
		goBuild     Exit
		want        Status
		wantScore   int
		wantSuites  []SuiteResult
		wantMessage string
	}{
		{
			name: "go suite does not build", goBuild: compileError, want: StatusFailed, wantScore: 6,
			wantSuites: []SuiteResult{
				{Name: "unit", Kind: SuiteGo, Status: StatusBuildFailed, Score: 0, MaxScore: 7, Message: "the code does not compile; see the build output (0 of 4 tests passed, 0 of 7 points)"},
				{Name: "api", Kind: SuiteHTTP, Status: StatusPassed, Score: 6, MaxScore: 6, Message: "3 of 3 tests passed, 6 of 6 points"},
			},
			wantMessage: "3 of 7 tests passed, 6 of 13 points; suite unit: the code does not compile; see the build output",
		},
		{
			name: "both build", goBuild: Exit{}, want: StatusFailed, wantScore: 7,
			wantSuites: []SuiteResult{
				{Name: "unit", Kind: SuiteGo, Status: StatusFailed, Score: 1, MaxScore: 7, Message: "1 of 4 tests passed, 1 of 7 points"},
				{Name: "api", Kind: SuiteHTTP, Status: StatusPassed, Score: 6, MaxScore: 6, Message: "3 of 3 tests passed, 6 of 6 points"},
			},
			wantMessage: "4 of 7 tests passed, 7 of 13 points",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sb := &fakeSandbox{Files: map[string][]byte{"/work/.grader-out/suite.test": []byte("ELF"), "/work/.grader-out/service": []byte("ELF")}}
			sb.RunFn = mixedRun(sb, tc.goBuild)
			res, err := testEngine(sb).Grade(context.Background(), mixedChallenge(), Submission{ID: "s"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.want || res.Score != tc.wantScore || res.MaxScore != 13 {
				t.Errorf("status %s, score %d/%d; want %s, %d/13", res.Status, res.Score, res.MaxScore, tc.want, tc.wantScore)
			}
			if res.Message != tc.wantMessage {
				t.Errorf("message %q, want %q", res.Message, tc.wantMessage)
			}
			if diff := cmp.Diff(tc.wantSuites, res.Suites); diff != "" {
				t.Errorf("suites (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(res.Suites, res.As(ViewLearner).Suites); diff != "" {
				t.Errorf("the learner view changes the suites (-instructor +learner):\n%s", diff)
			}
		})
	}
}

// TestGradeBuildFailedEverywhere: when no suite builds the submission, it
// is build_failed, as a one-suite challenge's is.
func TestGradeBuildFailedEverywhere(t *testing.T) {
	sb := &fakeSandbox{}
	sb.RunFn = func(spec BoxSpec) Exit {
		return Exit{Code: 1, Stderr: Output{Text: "./ledger.go:3:1: syntax error\n"}}
	}
	res, err := testEngine(sb).Grade(context.Background(), mixedChallenge(), Submission{ID: "s"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusBuildFailed || res.Score != 0 {
		t.Errorf("status %s, score %d; want build_failed, 0", res.Status, res.Score)
	}
	for _, s := range res.Suites {
		if s.Status != StatusBuildFailed {
			t.Errorf("suite %s: status %s, want build_failed", s.Name, s.Status)
		}
	}
	if want := "suite unit: the code does not compile; see the build output (0 of 7 tests passed, 0 of 13 points); suite api: the code does not compile; see the build output"; res.Message != want {
		t.Errorf("message %q, want %q", res.Message, want)
	}
}
