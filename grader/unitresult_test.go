package grader

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradebox/grader/internal/golden"
)

// unitSuite is a suite grading the recorded reports' tests, plus one the
// reports never mention.
func unitSuite(kind SuiteKind, names ...string) Suite {
	s := Suite{Name: "unit", Kind: kind}
	for _, n := range names {
		s.Tests = append(s.Tests, TestSpec{Name: n, Points: 2, Visibility: Visible})
	}
	return s
}

func readUnit(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "unit", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// TestUnitResultsFromRecordedReports grades real reports written by
// pytest 7.2 and Node 18's junit reporter in the images: passes, an
// assertion, an exception, a skip, parametrized cases (pytest) and
// subtests (node:test), and a test the report does not show.
func TestUnitResultsFromRecordedReports(t *testing.T) {
	missing := "did not report a result: the test process ended before the runner wrote its report"
	t.Run("pytest", func(t *testing.T) {
		entries, complete := parseJUnit(readUnit(t, "pytest-report.xml"))
		if !complete {
			t.Error("complete = false, want true")
		}
		cases, orphan := pytestCases(entries, "_p0123456789abcde")
		if orphan != "" {
			t.Errorf("orphan = %q, want none", orphan)
		}
		s := unitSuite(SuitePytest, "test_add", "test_fail", "test_cases", "test_skip", "test_err", "test_print", "test_never")
		golden.JSON(t, filepath.Join("testdata", "unit", "pytest-results.json"), unitResults(s, cases, missing))
	})
	t.Run("node-test", func(t *testing.T) {
		entries, complete := parseJUnit(readUnit(t, "node-test-report.xml"))
		if !complete {
			t.Error("complete = false, want true")
		}
		s := unitSuite(SuiteNodeTest, "adds", "fails", "cases", "skipped", "throws", "prints", "never")
		golden.JSON(t, filepath.Join("testdata", "unit", "node-test-results.json"), unitResults(s, nodeTestCases(entries), missing))
	})
}

func TestUnitResultsRefuseForgery(t *testing.T) {
	s := unitSuite(SuitePytest, "test_add")
	tests := []struct {
		name    string
		report  string
		want    TestStatus
		message string
	}{
		{"no report", "", TestFailed, "missing"},
		{"name without the nonce", `<testsuites><testsuite name="pytest"><testcase name="test_add"/></testsuite></testsuites>`, TestFailed, "missing"},
		{"another job's nonce", `<testsuites><testsuite name="pytest"><testcase name="test_add_p0000000000000000"/></testsuite></testsuites>`, TestFailed, "missing"},
		{"reported twice", `<testsuites><testsuite><testcase name="test_add_pN"/><testcase name="test_add_pN"><failure message="no"/></testcase></testsuite></testsuites>`, TestFailed, "reported more than once; a submission must not register tests of its own"},
		{"cut short", `<testsuites><testsuite name="pytest"><testcase name="test_add_pN"/><testcase name="te`, TestPassed, ""},
		{"cut inside the test", `<testsuites><testsuite name="pytest"><testcase name="test_add_pN">`, TestFailed, "missing"},
		{"forged tail after the root", `<testsuites><testsuite name="pytest"><testcase name="test_add_pN"><failure message="no"/></testcase></testsuite></testsuites><testcase name="test_add_pN"/>`, TestFailed, "no"},
		{"passes", `<testsuites><testsuite name="pytest"><testcase name="test_add_pN"/></testsuite></testsuites>`, TestPassed, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			entries, _ := parseJUnit([]byte(tc.report))
			cases, _ := pytestCases(entries, "_pN")
			got := unitResults(s, cases, "missing")[0]
			if got.Status != tc.want || got.Message != tc.message {
				t.Errorf("got %s %q, want %s %q", got.Status, got.Message, tc.want, tc.message)
			}
		})
	}
}

func TestPytestOrphanFailureExplainsMissingTests(t *testing.T) {
	// What pytest 7.2 writes when a hidden file cannot import the
	// learner's module.
	report := `<testsuites><testsuite name="pytest" errors="1"><testcase classname="" name=".grader-tests.test_ledger" time="0.000"><error message="collection failure">ImportError while importing test module</error></testcase></testsuite></testsuites>`
	entries, complete := parseJUnit([]byte(report))
	cases, orphan := pytestCases(entries, "_pN")
	if !complete || len(cases) != 0 || orphan != "collection failure" {
		t.Errorf("got complete=%v cases=%v orphan=%q", complete, cases, orphan)
	}
}

func TestRenamePytestKeepsLines(t *testing.T) {
	src := "import pytest\n\ndef test_add():\n    pass\n\nasync def test_io():\n    pass\n\ndef test_ungraded():\n    pass\n\ndef helper_test_add():\n    pass\n"
	got := string(renamePytest([]byte(src), []TestSpec{{Name: "test_add"}, {Name: "test_io"}}, "pN"))
	want := "import pytest\n\ndef test_add_pN():\n    pass\n\nasync def test_io_pN():\n    pass\n\ndef test_ungraded():\n    pass\n\ndef helper_test_add():\n    pass\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if names := PytestTests([]byte(src)); len(names) != 3 {
		t.Errorf("PytestTests = %v, want the three test_ functions", names)
	}
}

func TestShadowProblem(t *testing.T) {
	tests := []struct {
		lang Language
		name string
		want string
	}{
		{LanguageJavaScript, "node_modules/express/index.js", "may not bring a node_modules folder"},
		{LanguageJavaScript, "lib/node_modules/x.js", "may not bring a node_modules folder"},
		{LanguagePython, "sitecustomize.py", "may not bring a sitecustomize.py"},
		{LanguagePython, "pkg/usercustomize.py", "may not bring a usercustomize.py"},
		{LanguagePython, "conftest.py", "may not bring a conftest.py"},
		{LanguagePython, "evil.pth", "may not bring .pth files"},
		{LanguagePython, "venv/lib/python3.11/site-packages/flask/__init__.py", "may not bring a site-packages folder"},
		{LanguagePython, ".grader-tests/test_x.py", "kept for the grader's own files"},
		{LanguagePython, "app.py", ""},
		{LanguageJavaScript, "server.js", ""},
	}
	for _, tc := range tests {
		got := shadowProblem(tc.lang, []File{{Name: tc.name}})
		if tc.want == "" && got != "" || tc.want != "" && !strings.Contains(got, tc.want) {
			t.Errorf("%s %s: got %q, want %q", tc.lang, tc.name, got, tc.want)
		}
	}
}

// TestNodeTestNamesWithQuotes reads a report of Node 18's junit reporter,
// which escapes double quotes twice, and finds the tests by their names.
func TestNodeTestNamesWithQuotes(t *testing.T) {
	entries, complete := parseJUnit(readUnit(t, "node-test-quotes.xml"))
	if !complete {
		t.Fatal("complete = false, want true")
	}
	s := unitSuite(SuiteNodeTest, `a "q" <b> & c`, "p")
	for _, r := range unitResults(s, nodeTestCases(entries), "missing") {
		if r.Status != TestPassed {
			t.Errorf("%s: %s %q, want passed", r.Name, r.Status, r.Message)
		}
		if r.Name == "p" && (len(r.Subtests) != 1 || r.Subtests[0].Name != `p/"x" & <y>`) {
			t.Errorf("subtests of p = %+v, want one named p/\"x\" & <y>", r.Subtests)
		}
	}
}
