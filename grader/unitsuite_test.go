package grader

import (
	"context"
	"slices"
	"strings"
	"testing"
)

// unitChallenge is offered in Python and JavaScript, each graded by its
// own unit suite over the tests of the recorded reports, out of 14 points.
func unitChallenge() *Challenge {
	py := unitSuite(SuitePytest, "test_add", "test_fail", "test_cases", "test_skip", "test_err", "test_print", "test_never")
	py.Name = "py"
	py.Files = map[string][]byte{"test_ledger.py": []byte("from ledger import add\n\ndef test_add():\n    assert add(1, 2) == 3\n")}
	js := unitSuite(SuiteNodeTest, "adds", "fails", "cases", "skipped", "throws", "prints", "never")
	js.Name = "js"
	js.Files = map[string][]byte{"ledger.test.js": []byte("const test = require('node:test');\n")}
	return &Challenge{
		ID: "ledger", Version: "v1",
		Languages: []Offering{{Language: LanguagePython, Image: ImagePython}, {Language: LanguageJavaScript, Image: ImageNode}},
		Suites:    []Suite{py, js},
	}
}

const unitReportPath = "/work/.grader-out/report.xml"

func TestUnitSuiteRun(t *testing.T) {
	tests := []struct {
		lang   Language
		report string
		runner string
		score  int
	}{
		{LanguagePython, "pytest-report.xml", "python3", 2},
		{LanguageJavaScript, "node-test-report.xml", "node", 4},
	}
	for _, tc := range tests {
		t.Run(string(tc.lang), func(t *testing.T) {
			sb := &fakeSandbox{Files: map[string][]byte{unitReportPath: readUnit(t, tc.report)},
				RunFn: func(spec BoxSpec) Exit {
					if spec.Role == "test" {
						// What learner code prints counts for nothing.
						return Exit{Code: 1, Stdout: Output{Text: "ok 1 - never\ntest_never PASSED\n"}}
					}
					return Exit{}
				}}
			res, err := testEngine(sb).Grade(context.Background(), unitChallenge(), Submission{ID: "s", Language: tc.lang}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := sb.roles(); !slices.Equal(got, []string{"build", "test"}) {
				t.Errorf("boxes %v, want one build check and one test run", got)
			}
			if res.MaxScore != 14 || res.Score != tc.score || res.Status != StatusFailed || len(res.Tests) != 7 {
				t.Errorf("got %s %d/%d with %d tests, want failed %d/14 with the 7 tests of one suite", res.Status, res.Score, res.MaxScore, len(res.Tests), tc.score)
			}
			spec := sb.spec("test")
			if spec.Cmd[0] != tc.runner {
				t.Errorf("runner %q, want %q", spec.Cmd[0], tc.runner)
			}
			for _, e := range spec.Env {
				if strings.HasPrefix(e, "NODE_OPTIONS=") || strings.HasPrefix(e, "PYTHONPATH=") {
					t.Errorf("the run gets %s", e)
				}
			}
			for _, f := range spec.Files {
				if f.Writable && f.Name != outDir && f.Name != outDir+"/"+unitReport {
					t.Errorf("%s is writable by the run", f.Name)
				}
			}
		})
	}
}

func TestUnitSuitePytestBox(t *testing.T) {
	sb := &fakeSandbox{Files: map[string][]byte{unitReportPath: nil}}
	if _, err := testEngine(sb).Grade(context.Background(), unitChallenge(), Submission{ID: "s", Language: LanguagePython}, nil); err != nil {
		t.Fatal(err)
	}
	spec := sb.spec("test")
	cmd := strings.Join(spec.Cmd, " ")
	for _, want := range []string{"python3 -I -B -m pytest", "-c /work/.grader-tests/pytest.ini", "--noconftest", "-p no:cacheprovider", "--junitxml " + unitReportPath} {
		if !strings.Contains(cmd, want) {
			t.Errorf("command %q lacks %q", cmd, want)
		}
	}
	for _, f := range spec.Files {
		if f.Name == ".grader-tests/test_ledger.py" && !strings.Contains(string(f.Data), "def test_add_p0123456789abcde():") {
			t.Errorf("hidden file not renamed:\n%s", f.Data)
		}
	}
}

func TestUnitSuiteEndings(t *testing.T) {
	tests := []struct {
		name    string
		run     Exit
		want    Status
		wantMsg string
		testMsg string
	}{
		{"exited before the report", Exit{Code: 0}, StatusFailed, "0 of 7 tests passed", "did not report a result: the test process ended before the runner wrote its report (exit status 0)"},
		{"timeout", Exit{TimedOut: true, Code: 137}, StatusTimedOut, "did not finish within", "did not finish: the tests did not finish within"},
		{"memory", Exit{OOMKilled: true, Code: 137}, StatusMemoryExceeded, "out of memory", "not finished: the tests ran out of memory"},
		{"output flood", Exit{OutputExceeded: true, Code: 137}, StatusOutputExceeded, "printed more than", "not finished: the tests printed more than"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sb := &fakeSandbox{Files: map[string][]byte{unitReportPath: nil}, RunFn: func(spec BoxSpec) Exit {
				if spec.Role == "test" {
					return tc.run
				}
				return Exit{}
			}}
			res, err := testEngine(sb).Grade(context.Background(), unitChallenge(), Submission{ID: "s", Language: LanguageJavaScript}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.want || !strings.Contains(res.Message, tc.wantMsg) || res.Score != 0 {
				t.Errorf("got %s %d %q, want %s 0 containing %q", res.Status, res.Score, res.Message, tc.want, tc.wantMsg)
			}
			for _, tr := range res.Tests {
				if tr.Status != TestFailed || !strings.HasPrefix(tr.Message, tc.testMsg) {
					t.Errorf("test %s: %s %q, want failed %q", tr.Name, tr.Status, tr.Message, tc.testMsg)
				}
			}
		})
	}
}

func TestUnitSuiteRefusesShadowing(t *testing.T) {
	sb := &fakeSandbox{}
	sub := Submission{ID: "s", Language: LanguageJavaScript, Files: []File{{Name: "ledger.js"}, {Name: "node_modules/express/index.js"}}}
	res, err := testEngine(sb).Grade(context.Background(), unitChallenge(), sub, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusBuildFailed || !strings.Contains(res.Message, "node_modules") || len(sb.roles()) != 0 {
		t.Errorf("got %s %q after boxes %v, want build_failed naming node_modules before any box", res.Status, res.Message, sb.roles())
	}
}
