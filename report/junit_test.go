package report

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/golden"
)

// xmllint returns the path of xmllint, skipping the test when it is
// missing, or failing it when CI=true: CI installs it (scripts/setup.sh,
// Debian package libxml2-utils) and must not skip the schema check.
func xmllint(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("xmllint not found (install libxml2-utils; scripts/setup.sh does)")
	}
	t.Skip("xmllint not found: install libxml2-utils to check JUnit reports against their schema")
	return ""
}

// validate runs xmllint against the Apache Ant JUnit schema.
func validate(t *testing.T, doc []byte) {
	t.Helper()
	lint := xmllint(t)
	file := filepath.Join(t.TempDir(), "report.xml")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lint, "--noout", "--schema", filepath.Join("testdata", "JUnit.xsd"), file).CombinedOutput()
	if err != nil {
		t.Errorf("xmllint: %v\n%s\ndocument:\n%s", err, out, doc)
	}
}

func TestWriteJUnitValidatesAgainstSchema(t *testing.T) {
	reports := map[string]Report{
		"sample": sampleReport(),
		"empty":  {Cohort: "spring-26"},
		"hostile ids only": {
			Cohort: "\x00\x01",
			Rows: []Row{
				{Learner: " \t\x00", Challenge: "\x02", MaxScore: 1},
				{Learner: "x", Challenge: "y", MaxScore: 2, Attempts: 1, BestSubmission: "s", LastStatus: "failed",
					Tests: []Test{{Name: "\x03 \x04", Status: "weird\x05"}}},
			},
		},
		"learner output with terminal sequences": {
			Cohort: "c",
			Rows: []Row{{Learner: "x", Challenge: "y", MaxScore: 3, Attempts: 1, BestSubmission: "s", LastStatus: "failed",
				Tests: []Test{
					{Name: "TestA\x1b[31m", Suite: "s\x1b]0;t\x07", Status: "failed", MaxPoints: 1,
						Message: "\x1b[2J\x1b]52;c;ZXZpbA==\x1b\\want\r\n\x00\b\u009b2K \u202eexe.txt \xff"},
					{Name: "TestB", Status: "not_run", Message: "\x1b[1mskipped\x1b[0m"},
					{Name: "TestC", Status: "error\x1b", Message: "\x07boom"},
				}}},
		},
		"graded without tests": {
			Cohort: "c",
			Rows: []Row{
				{Learner: "x", Challenge: "full", BestScore: 3, MaxScore: 3, Attempts: 1, BestSubmission: "s1", LastStatus: "passed"},
				{Learner: "x", Challenge: "less", BestScore: 1, MaxScore: 3, Attempts: 1, BestSubmission: "s2", LastStatus: "timed_out"},
			},
		},
	}
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteJUnit(&b, r); err != nil {
				t.Fatal(err)
			}
			validate(t, b.Bytes())
		})
	}
}

func TestWriteJUnitGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	golden.Bytes(t, "testdata/report.xml", b.Bytes())
}

// parsed is what a test reporter reads back from the document.
type parsed struct {
	Suites []struct {
		Name       string `xml:"name,attr"`
		Package    string `xml:"package,attr"`
		ID         int    `xml:"id,attr"`
		Timestamp  string `xml:"timestamp,attr"`
		Tests      int    `xml:"tests,attr"`
		Failures   int    `xml:"failures,attr"`
		Errors     int    `xml:"errors,attr"`
		Skipped    int    `xml:"skipped,attr"`
		Properties []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"properties>property"`
		Cases []struct {
			Name      string `xml:"name,attr"`
			Classname string `xml:"classname,attr"`
			Failure   *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			Error   *struct{} `xml:"error"`
			Skipped *struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testcase"`
		SystemOut string `xml:"system-out"`
	} `xml:"testsuite"`
}

func TestWriteJUnitContent(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJUnit(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	var doc parsed
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("the document does not parse: %v\n%s", err, b.String())
	}
	if len(doc.Suites) != 3 {
		t.Fatalf("%d suites, want 3 (one per learner)", len(doc.Suites))
	}

	type suiteSum struct {
		Name, Package, Timestamp             string
		ID, Tests, Failures, Errors, Skipped int
	}
	var sums []suiteSum
	for _, s := range doc.Suites {
		sums = append(sums, suiteSum{s.Name, s.Package, s.Timestamp, s.ID, s.Tests, s.Failures, s.Errors, s.Skipped})
	}
	hostile := "=HYPERLINK(\"http://x\")<b>&'\""
	wantSums := []suiteSum{
		{"alice", "spring-26", "2026-03-14T08:26:53", 0, 3, 1, 0, 0},
		{"bob", "spring-26", "2026-03-14T09:26:53", 1, 4, 1, 0, 2},
		{hostile, "spring-26", "2026-03-14T08:26:53", 2, 1, 1, 0, 0},
	}
	if diff := cmp.Diff(wantSums, sums); diff != "" {
		t.Errorf("suites (-want +got):\n%s", diff)
	}

	alice := doc.Suites[0]
	props := map[string]string{}
	for _, p := range alice.Properties {
		props[p.Name] = p.Value
	}
	for k, v := range map[string]string{
		"cohort": "spring-26", "score": "10", "max_score": "15",
		"notes-api.score": "10", "notes-api.max_score": "10", "notes-api.attempts": "2",
		"notes-api.best_submission": "sub_a1", "notes-api.graded_at": "2026-03-14T08:26:53Z",
		"fix-ledger.score": "0", "fix-ledger.max_score": "5", "fix-ledger.attempts": "0", "fix-ledger.last_status": "",
	} {
		if got, ok := props[k]; !ok || got != v {
			t.Errorf("alice property %s = %q (present %v), want %q", k, got, ok, v)
		}
	}
	none := alice.Cases[2]
	if none.Name != "submission" || none.Classname != "fix-ledger" || none.Failure == nil || none.Failure.Message != "no graded submission" {
		t.Errorf("row without submission: %+v, want a failing testcase submission", none)
	}
	if !strings.Contains(alice.SystemOut, "notes-api: 10/10, 2 attempts, last status passed") {
		t.Errorf("system-out %q", alice.SystemOut)
	}

	bob := doc.Suites[1]
	failed := bob.Cases[1]
	if failed.Name != "create then get" || failed.Classname != "notes-api" || failed.Failure == nil ||
		failed.Failure.Message != "GET /notes/1: status 404, want 200" || failed.Failure.Type != "failed" ||
		!strings.Contains(failed.Failure.Text, "body: {}") {
		t.Errorf("failed test: %+v", failed)
	}
	if s := bob.Cases[2].Skipped; s == nil || s.Message != "skipped: short mode" {
		t.Errorf("skipped test: %+v", bob.Cases[2])
	}
	if s := bob.Cases[3].Skipped; s == nil || s.Message != "not run" {
		t.Errorf("not-run test: %+v", bob.Cases[3])
	}

	evil := doc.Suites[2].Cases[0]
	if evil.Name != "-cmd|' /C calc'!A0 <x> & \"y\"" || evil.Failure == nil || evil.Failure.Message != "+boom ]]> </failure>" {
		t.Errorf("hostile test case read back as %+v", evil)
	}
}

func TestWriteJUnitErrorStatus(t *testing.T) {
	r := Report{Cohort: "c", Rows: []Row{{Learner: "x", Challenge: "y", Attempts: 1, BestSubmission: "s",
		Tests: []Test{{Name: "t", Status: grader.TestStatus("crashed"), MaxPoints: 1}}}}}
	var b bytes.Buffer
	if err := WriteJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<error message="status crashed" type="crashed">`) || !strings.Contains(b.String(), `errors="1"`) {
		t.Errorf("an unknown test status is not an error:\n%s", b.String())
	}
	validate(t, b.Bytes())
}

func TestWriteJUnitTimestampFallsBackToGeneratedAt(t *testing.T) {
	r := Report{Cohort: "c", GeneratedAt: time.Date(2026, 1, 2, 3, 4, 5, 6e8, time.FixedZone("X", -3600)),
		Rows: []Row{{Learner: "x", Challenge: "y", MaxScore: 1}}}
	var b bytes.Buffer
	if err := WriteJUnit(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `timestamp="2026-01-02T04:04:05"`) {
		t.Errorf("want the generation time in UTC, without fraction or zone:\n%s", b.String())
	}
}

func TestXMLText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"tab\tnl\ncr\r", "tab\tnl\ncr\r"},
		{"nul\x00bell\x07esc\x1b", "nulbellesc"},
		{"del\x7f c1\u0085\u009f", "del c1"},
		{"bad\xffutf8\xc3", "badutf8"},
		{"keep \uFFFD replacement", "keep \uFFFD replacement"},
		{"no \uFFFE or \uFFFF", "no  or "},
		{"<&>\"'", "<&>\"'"},
		{"émoji 🎓", "émoji 🎓"},
	}
	for _, tc := range tests {
		if got := xmlText(tc.in); got != tc.want {
			t.Errorf("xmlText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
