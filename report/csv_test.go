package report

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/internal/golden"
)

func TestWriteCSV(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	golden.Bytes(t, "testdata/report.csv", b.Bytes())

	records, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatalf("the CSV does not parse: %v", err)
	}
	want := [][]string{
		{"learner", "challenge", "best_score", "max_score", "attempts", "last_status", "best_submission", "graded_at", "tests_passed", "tests_total", "failed_tests", "language"},
		{"alice", "notes-api", "10", "10", "2", "passed", "sub_a1", "2026-03-14T08:26:53Z", "2", "2", "", "python"},
		{"alice", "fix-ledger", "0", "5", "0", "", "", "", "0", "0", "", ""},
		{"bob", "notes-api", "4", "10", "5", "build_failed", "sub_b4", "2026-03-14T09:26:53Z", "1", "4", "create then get;TestSlow;TestLater", "go"},
		{"'=HYPERLINK(\"http://x\")<b>&'\"\x00\x1b\x7f\xff\uFFFE", "notes-api", "0", "10", "1", "failed", "'@sub", "2026-03-14T08:26:53Z", "0", "1", "'-cmd|' /C calc'!A0 <x> & \"y\"\x01\x02", ""},
	}
	if diff := cmp.Diff(want, records); diff != "" {
		t.Errorf("records (-want +got):\n%s", diff)
	}
}

func TestCSVText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"alice", "alice"},
		{"=1+2", "'=1+2"},
		{"+1", "'+1"},
		{"-1", "'-1"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"a=1", "a=1"},
		{"'quoted", "'quoted"},
	}
	for _, tc := range tests {
		if got := csvText(tc.in); got != tc.want {
			t.Errorf("csvText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriteCSVEmptyReportIsHeaderOnly(t *testing.T) {
	var b bytes.Buffer
	if err := WriteCSV(&b, Report{Cohort: "c"}); err != nil {
		t.Fatal(err)
	}
	want := strings.Join(csvHeader, ",") + "\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}
