package grader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradebox/grader/internal/golden"
)

// crashChallenge has two visible tests and a hidden one, as the recorded
// streams in testdata/crash name them.
func crashChallenge() *Challenge {
	return &Challenge{ID: "crash", Version: "v1", Image: "grader/go:local", Suites: []Suite{{
		Name: "ledger", Kind: SuiteGo, Package: ".",
		Files: map[string][]byte{"ledger_hidden_test.go": []byte("package ledger\n")},
		Tests: []TestSpec{
			{Name: "TestA", Points: 1, Visibility: Visible},
			{Name: "TestB", Points: 2, Visibility: Visible},
			{Name: "TestC", Points: 1, Visibility: Hidden},
		},
	}}}
}

// TestGradeGoSuiteCrashes plays test2json streams recorded from real test
// programs (testdata/crash/<name>.jsonl, run as the box runs them, paths
// as in the box) and checks what learners and instructors are told.
func TestGradeGoSuiteCrashes(t *testing.T) {
	tests := []struct {
		name string
		// want are texts the learner view must hold.
		want []string
	}{
		// A hidden file's package-level variable calls learner code that
		// panics: no test runs.
		{"init", []string{
			"the test program panicked before any test ran (exit status 2):\npanic: runtime error: integer divide by zero\nledger.Div(...)\n\t/work/ledger.go:4",
			"0 of 3 tests passed, 0 of 4 points; the test program panicked before any test ran (exit status 2): runtime error: integer divide by zero",
		}},
		// A subtest panics: the panic is its message, not an empty one.
		{"subpanic", []string{
			"TestB/by_zero: panic: runtime error: integer divide by zero [recovered, repanicked]\nledger.Div(...)\n\t/work/ledger.go:4\n",
			"TestB: TestB/by_zero: panic: runtime error",
			"TestC: did not report a result: the test program stopped early (exit status 2)",
		}},
		// A subtest calls os.Exit(3): the program's status, not test2json's.
		{"exit3", []string{
			"TestB/exits: the test program stopped during this test (exit status 3); look for a panic, a crash or os.Exit in your code",
			"TestB: did not report a result: the test program stopped early (exit status 3)",
		}},
		// A hidden test skips: it fails with no points, saying why.
		{"skip", []string{"TestB: " + TestSkippedMessage}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stream, err := os.ReadFile(filepath.Join("testdata/crash", tc.name+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			sb := &fakeSandbox{Files: map[string][]byte{"/work/.grader-out/suite.test": []byte("ELF")}}
			sb.RunFn = func(spec BoxSpec) Exit {
				if spec.Role == "test" {
					spec.Stdout.Write(stream)
					return Exit{Code: 1} // test2json's own status
				}
				return Exit{}
			}
			res, err := testEngine(sb).Grade(t.Context(), crashChallenge(), Submission{ID: "crash-" + tc.name}, nil)
			if err != nil {
				t.Fatal(err)
			}
			golden.JSON(t, filepath.Join("testdata", "crash", tc.name+"_instructor.json"), res)
			learner := res.As(ViewLearner)
			golden.JSON(t, filepath.Join("testdata", "crash", tc.name+"_learner.json"), learner)
			messages := []string{learner.Message}
			for _, tr := range res.Tests {
				messages = append(messages, tr.Name+": "+tr.Message)
				for _, sub := range tr.Subtests {
					messages = append(messages, sub.Name+": "+sub.Message)
				}
			}
			all := strings.Join(messages, "\n")
			for _, w := range tc.want {
				if !strings.Contains(all, w) {
					t.Errorf("messages lack %q:\n%s", w, all)
				}
			}
			b, _ := os.ReadFile(filepath.Join("testdata/crash", tc.name+"_learner.json"))
			for _, leak := range []string{"ledger_hidden_test.go", "exit code 1", "TestC"} {
				if strings.Contains(string(b), leak) {
					t.Errorf("learner view holds %q", leak)
				}
			}
		})
	}
}

func TestDescribeExit(t *testing.T) {
	for status, want := range map[int]string{-1: "", 0: "exit status 0", 2: "exit status 2", 137: "killed by signal 9, SIGKILL", 139: "killed by signal 11, SIGSEGV", 200: "exit status 200"} {
		if got := describeExit(status); got != want {
			t.Errorf("describeExit(%d) = %q, want %q", status, got, want)
		}
	}
}
