package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/golden"
)

var gradedAt = time.Date(2026, 3, 14, 9, 26, 53, 0, time.FixedZone("CET", 3600))

// sampleReport is a cohort of three learners at two challenges: full
// marks, failing and skipped tests, no submission, and a learner whose id
// and test names are hostile.
func sampleReport() Report {
	return Report{
		Cohort:      "spring-26",
		Name:        "Spring 2026",
		GeneratedAt: time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC),
		Challenges: []Challenge{
			{ID: "notes-api", Title: "Notes API", MaxScore: 10, Version: "v3"},
			{ID: "fix-ledger", Title: "Fix the ledger", MaxScore: 5, Version: "v1"},
		},
		Rows: []Row{
			{
				Learner: "alice", Challenge: "notes-api", BestScore: 10, MaxScore: 10, Attempts: 2,
				LastStatus: "passed", BestSubmission: "sub_a1", Language: "python", GradedAt: gradedAt, ChallengeVersion: "v3",
				Tests: []Test{
					{Name: "TestCreate", Suite: "unit", Status: grader.TestPassed, Points: 5, MaxPoints: 5, Visibility: grader.Visible},
					{Name: "create then get", Suite: "http", Status: grader.TestPassed, Points: 5, MaxPoints: 5, Visibility: grader.Hidden},
				},
			},
			{
				Learner: "alice", Challenge: "fix-ledger", MaxScore: 5,
			},
			{
				Learner: "bob", Challenge: "notes-api", BestScore: 4, MaxScore: 10, Attempts: 5,
				LastStatus: "build_failed", BestSubmission: "sub_b4", Language: "go", GradedAt: gradedAt.Add(time.Hour), ChallengeVersion: "v3",
				Tests: []Test{
					{Name: "TestCreate", Suite: "unit", Status: grader.TestPassed, Points: 4, MaxPoints: 5, Visibility: grader.Visible},
					{Name: "create then get", Suite: "http", Status: grader.TestFailed, MaxPoints: 3, Visibility: grader.Hidden,
						Message: "GET /notes/1: status 404, want 200\nbody: {}"},
					{Name: "TestSlow", Suite: "unit", Status: grader.TestSkipped, MaxPoints: 1, Visibility: grader.Visible, Message: "skipped: short mode"},
					{Name: "TestLater", Suite: "unit", Status: grader.TestNotRun, MaxPoints: 1, Visibility: grader.Visible},
				},
			},
			{
				Learner: "=HYPERLINK(\"http://x\")<b>&'\"\x00\x1b\x7f\xff\uFFFE", Challenge: "notes-api", BestScore: 0, MaxScore: 10, Attempts: 1,
				LastStatus: "failed", BestSubmission: "@sub", GradedAt: gradedAt,
				Tests: []Test{
					{Name: "-cmd|' /C calc'!A0 <x> & \"y\"\x01\x02", Suite: "unit\x0c", Status: grader.TestFailed, MaxPoints: 10, Visibility: grader.Visible,
						Message: "+boom ]]> </failure>\x00"},
				},
			},
		},
	}
}

func TestTestsOf(t *testing.T) {
	res := grader.Result{Tests: []grader.TestResult{
		{Name: "TestA", Suite: "unit", Status: grader.TestPassed, Points: 2, MaxPoints: 2, Visibility: grader.Visible,
			Output: "ok", DurationMS: 12, Subtests: []grader.TestResult{{Name: "TestA/x"}}},
		{Name: "b", Suite: "http", Status: grader.TestFailed, MaxPoints: 3, Visibility: grader.Hidden, Message: "status 500"},
	}}
	tests := []struct {
		name string
		res  grader.Result
		want []Test
	}{
		{"instructor view", res, []Test{
			{Name: "TestA", Suite: "unit", Status: grader.TestPassed, Points: 2, MaxPoints: 2, Visibility: grader.Visible},
			{Name: "b", Suite: "http", Status: grader.TestFailed, MaxPoints: 3, Visibility: grader.Hidden, Message: "status 500"},
		}},
		{"learner view drops hidden tests", res.As(grader.ViewLearner), []Test{
			{Name: "TestA", Suite: "unit", Status: grader.TestPassed, Points: 2, MaxPoints: 2, Visibility: grader.Visible},
		}},
		{"no tests is an empty list", grader.Result{}, []Test{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := TestsOf(tc.res)
			if got == nil {
				t.Fatal("TestsOf returned nil")
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFormatsAndContentTypes(t *testing.T) {
	tests := []struct{ format, want string }{
		{FormatJSON, "application/json"},
		{FormatCSV, "text/csv; charset=utf-8"},
		{FormatJUnit, "application/xml"},
		{"xlsx", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := ContentType(tc.format); got != tc.want {
			t.Errorf("ContentType(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
	if diff := cmp.Diff([]string{"json", "csv", "junit"}, Formats()); diff != "" {
		t.Errorf("Formats (-want +got):\n%s", diff)
	}
}

func TestWriteDispatches(t *testing.T) {
	r := sampleReport()
	writers := map[string]func(*bytes.Buffer) error{
		FormatJSON:  func(b *bytes.Buffer) error { return WriteJSON(b, r) },
		FormatCSV:   func(b *bytes.Buffer) error { return WriteCSV(b, r) },
		FormatJUnit: func(b *bytes.Buffer) error { return WriteJUnit(b, r) },
	}
	for _, format := range Formats() {
		t.Run(format, func(t *testing.T) {
			var got, want bytes.Buffer
			if err := Write(&got, r, format); err != nil {
				t.Fatal(err)
			}
			if err := writers[format](&want); err != nil {
				t.Fatal(err)
			}
			if got.String() != want.String() {
				t.Errorf("Write(%s) differs from its writer", format)
			}
		})
	}
}

func TestWriteUnknownFormat(t *testing.T) {
	var b bytes.Buffer
	err := Write(&b, sampleReport(), "xlsx")
	if err == nil || !strings.Contains(err.Error(), `"xlsx"`) || !strings.Contains(err.Error(), "json, csv or junit") {
		t.Errorf("err = %v, want one naming the format and json, csv or junit", err)
	}
	if b.Len() != 0 {
		t.Errorf("wrote %q for an unknown format", b.String())
	}
}

func TestWriteJSON(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleReport()); err != nil {
		t.Fatal(err)
	}
	golden.Bytes(t, "testdata/report.json", b.Bytes())

	var back Report
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	want := normalized(sampleReport())
	for i := range want.Rows {
		// JSON holds only UTF-8: an invalid byte reads back as U+FFFD.
		want.Rows[i].Learner = strings.ToValidUTF8(want.Rows[i].Learner, "\uFFFD")
	}
	if diff := cmp.Diff(want, back); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
}

// TestWriteJSONShapes checks the contract's promises on empty values: a
// row with no submission has tests [] and no graded_at, and an empty
// report still has lists.
func TestWriteJSONShapes(t *testing.T) {
	tests := []struct {
		name   string
		r      Report
		want   []string
		absent []string
	}{
		{
			name:   "no submission",
			r:      Report{Cohort: "c", Rows: []Row{{Learner: "x", Challenge: "y", MaxScore: 3}}},
			want:   []string{`"tests": []`, `"last_status": ""`, `"best_submission": ""`, `"attempts": 0`},
			absent: []string{"graded_at", "challenge_version", "null"},
		},
		{
			name:   "empty report",
			r:      Report{Cohort: "c"},
			want:   []string{`"challenges": []`, `"rows": []`},
			absent: []string{"null"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteJSON(&b, tc.r); err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.want {
				if !strings.Contains(b.String(), s) {
					t.Errorf("JSON lacks %s:\n%s", s, b.String())
				}
			}
			for _, s := range tc.absent {
				if strings.Contains(b.String(), s) {
					t.Errorf("JSON holds %s:\n%s", s, b.String())
				}
			}
		})
	}
}
