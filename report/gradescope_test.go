package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/golden"
)

// sampleResult is an instructor-view result with a visible pass, a visible
// skip, and hidden tests that pass and fail, in two suites.
func sampleResult() grader.Result {
	return grader.Result{
		SubmissionID:     "sub_1",
		Challenge:        "notes-api",
		ChallengeVersion: "v3",
		View:             grader.ViewInstructor,
		Status:           grader.StatusFailed,
		Score:            7,
		MaxScore:         12,
		Message:          "2 of 5 tests failed",
		Tests: []grader.TestResult{
			{Name: "TestCreate", Suite: "unit", Status: grader.TestPassed, Points: 4, MaxPoints: 4, Visibility: grader.Visible, Output: "=== RUN TestCreate\n", DurationMS: 20},
			{Name: "TestSlow", Suite: "unit", Status: grader.TestSkipped, MaxPoints: 1, Visibility: grader.Visible, Message: "needs -long"},
			{Name: "TestSecret", Suite: "unit", Status: grader.TestPassed, Points: 3, MaxPoints: 3, Visibility: grader.Hidden},
			{Name: "create then get", Suite: "http", Status: grader.TestFailed, MaxPoints: 3, Visibility: grader.Hidden,
				Message: "GET /notes/1: status 404, want 200", Output: "body: {}", OutputTruncated: true},
			{Name: "TestCreate", Suite: "http", Status: grader.TestNotRun, MaxPoints: 1, Visibility: grader.Visible},
		},
		Build: grader.Output{Text: "./main.go:3:2: declared and not used: x\n"},
		// The box timings are part of run:unit: not added again.
		Timings: []grader.PhaseTiming{{Phase: "prepare", DurationMS: 700}, {Phase: "run:unit", DurationMS: 1900},
			{Phase: "box:acquire:test", DurationMS: 1400}, {Phase: "box:copy-in:test", DurationMS: 900}},
		GradedAt: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC),
	}
}

func TestGradescopeOfInstructorView(t *testing.T) {
	g := GradescopeOf(sampleResult())
	want := Gradescope{
		Score:            7,
		ExecutionTime:    3,
		Output:           "failed: 2 of 5 tests failed\nscore: 7/12\n\nbuild output:\n./main.go:3:2: declared and not used: x\n",
		Visibility:       "visible",
		StdoutVisibility: "hidden",
		ExtraData:        GradescopeExtra{Challenge: "notes-api", ChallengeVersion: "v3", SubmissionID: "sub_1", Status: grader.StatusFailed, MaxScore: 12},
		Tests: []GradescopeTest{
			{Score: 4, MaxScore: 4, Status: "passed", Name: "TestCreate", Number: "1.1", Output: "=== RUN TestCreate", Tags: []string{"unit"}, Visibility: "visible"},
			{Score: 0, MaxScore: 1, Status: "failed", Name: "TestSlow", Number: "1.2", Output: "skipped\n\nneeds -long", Tags: []string{"unit"}, Visibility: "visible"},
			{Score: 3, MaxScore: 3, Status: "passed", Name: "TestSecret", Number: "1.3", Tags: []string{"unit"}, Visibility: "after_published"},
			{Score: 0, MaxScore: 3, Status: "failed", Name: "create then get", Number: "2.1",
				Output: "GET /notes/1: status 404, want 200\n\nbody: {}\n(output truncated)", Tags: []string{"http"}, Visibility: "after_published"},
			{Score: 0, MaxScore: 1, Status: "failed", Name: "TestCreate", Number: "2.2", Output: "not run", Tags: []string{"http"}, Visibility: "visible"},
		},
	}
	if diff := cmp.Diff(want, g); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestGradescopeOfLearnerView(t *testing.T) {
	g := GradescopeOf(sampleResult().As(grader.ViewLearner))
	var names []string
	sum := 0.0
	for _, gt := range g.Tests {
		names = append(names, gt.Number+" "+gt.Name+" "+gt.Visibility+" "+gt.Status)
		sum += gt.Score
	}
	want := []string{
		"1.1 TestCreate visible passed",
		"1.2 TestSlow visible failed",
		"2.1 TestCreate visible failed",
		"3.1 hidden tests after_published failed",
	}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("tests (-want +got):\n%s", diff)
	}
	last := g.Tests[len(g.Tests)-1]
	if last.Score != 3 || last.MaxScore != 6 || last.Output != "1 of 2 hidden tests passed" {
		t.Errorf("hidden summary %+v", last)
	}
	if sum != g.Score {
		t.Errorf("tests add up to %v, score is %v", sum, g.Score)
	}
	for _, gt := range g.Tests {
		if gt.Name == "TestSecret" || gt.Name == "create then get" {
			t.Errorf("learner view names a hidden test: %+v", gt)
		}
	}
}

func TestGradescopeOfEdgeCases(t *testing.T) {
	tests := []struct {
		name string
		res  grader.Result
		want Gradescope
	}{
		{
			name: "no tests",
			res:  grader.Result{Challenge: "c", Status: grader.StatusBuildFailed, MaxScore: 5, Message: "the build failed", Build: grader.Output{Text: "boom", Truncated: true}},
			want: Gradescope{
				Output:     "build_failed: the build failed\nscore: 0/5\n\nbuild output:\nboom\n(build output truncated)\n",
				Visibility: "visible", StdoutVisibility: "hidden",
				ExtraData: GradescopeExtra{Challenge: "c", Status: grader.StatusBuildFailed, MaxScore: 5},
				Tests:     []GradescopeTest{},
			},
		},
		{
			name: "all hidden tests passed, learner view",
			res: grader.Result{Challenge: "c", Status: grader.StatusPassed, Score: 2, MaxScore: 2, Message: "all tests passed",
				Tests: []grader.TestResult{}, Hidden: &grader.HiddenSummary{Total: 2, Passed: 2, Points: 2, MaxPoints: 2}},
			want: Gradescope{
				Score: 2, Output: "passed: all tests passed\nscore: 2/2\n",
				Visibility: "visible", StdoutVisibility: "hidden",
				ExtraData: GradescopeExtra{Challenge: "c", Status: grader.StatusPassed, MaxScore: 2},
				Tests: []GradescopeTest{{Score: 2, MaxScore: 2, Status: "passed", Name: "hidden tests", Number: "1.1",
					Output: "2 of 2 hidden tests passed", Visibility: "after_published"}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, GradescopeOf(tc.res)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestGradescopeJSON pins the document's field names to the specification.
func TestGradescopeJSON(t *testing.T) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(GradescopeOf(sampleResult())); err != nil {
		t.Fatal(err)
	}
	golden.Bytes(t, "testdata/gradescope.json", b.Bytes())

	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"score", "execution_time", "output", "visibility", "stdout_visibility", "extra_data", "tests"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("results.json lacks %q", k)
		}
	}
	test := doc["tests"].([]any)[0].(map[string]any)
	for _, k := range []string{"score", "max_score", "status", "name", "number", "output", "visibility"} {
		if _, ok := test[k]; !ok {
			t.Errorf("a test lacks %q", k)
		}
	}
}
