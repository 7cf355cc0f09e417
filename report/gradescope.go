package report

import (
	"fmt"
	"strings"

	"github.com/gradebox/grader/grader"
)

// Gradescope is the results.json document of Gradescope's autograder
// (https://gradescope-autograders.readthedocs.io/en/latest/specs/), which a
// run_autograder script writes to /autograder/results/results.json.
//
// Score is set at the top level, so it is the submission's score whatever
// the tests add up to. The specification has no top-level maximum:
// Gradescope takes the assignment's points from its own settings (the
// challenge's max score is in ExtraData).
type Gradescope struct {
	// Score is the submission's score.
	Score float64 `json:"score"`
	// ExecutionTime is how long grading took, in whole seconds.
	ExecutionTime int64 `json:"execution_time"`
	// Output is the verdict for the whole submission, with the build
	// output when there is one.
	Output string `json:"output"`
	// Visibility is the submission's visibility: "visible", so each test's
	// own setting decides.
	Visibility string `json:"visibility"`
	// StdoutVisibility is "hidden": what run_autograder prints is for
	// instructors only.
	StdoutVisibility string `json:"stdout_visibility"`
	// ExtraData is stored by Gradescope and shown to no one: the
	// challenge, its version, the result's status and max score.
	ExtraData GradescopeExtra `json:"extra_data"`
	// Tests has one entry per test, in the result's order.
	Tests []GradescopeTest `json:"tests"`
}

// GradescopeExtra is what a Gradescope document stores beyond the
// specification's fields.
type GradescopeExtra struct {
	Challenge        string        `json:"challenge"`
	ChallengeVersion string        `json:"challenge_version"`
	SubmissionID     string        `json:"submission_id,omitempty"`
	Status           grader.Status `json:"status"`
	MaxScore         int           `json:"max_score"`
}

// GradescopeTest is one test of a Gradescope document.
type GradescopeTest struct {
	Score    float64 `json:"score"`
	MaxScore float64 `json:"max_score"`
	// Status is "passed" or "failed" (skipped and not-run tests are
	// failed: they earned nothing).
	Status string `json:"status"`
	// Name is the test's name.
	Name string `json:"name"`
	// Number is "<suite>.<test>", both counted from 1 in the result's
	// order, so equal names in two suites stay apart.
	Number string `json:"number"`
	// Output is the test's message and output.
	Output string `json:"output,omitempty"`
	// Tags holds the test's suite.
	Tags []string `json:"tags,omitempty"`
	// Visibility is "visible" for visible tests and "after_published"
	// for hidden ones: students see those once grades are published.
	Visibility string `json:"visibility"`
}

// Gradescope's visibility words.
const (
	gradescopeVisible        = "visible"
	gradescopeHidden         = "hidden"
	gradescopeAfterPublished = "after_published"
)

// GradescopeOf converts a result (instructor view or learner view) into a
// Gradescope document: one test per TestResult, hidden tests with
// visibility "after_published" and visible ones "visible", status "passed"
// or "failed". A learner view holds no hidden tests; its hidden summary
// becomes one test, "hidden tests", carrying their points, so the tests
// still add up to the score.
func GradescopeOf(res grader.Result) Gradescope {
	g := Gradescope{
		Score:            float64(res.Score),
		ExecutionTime:    executionSeconds(res.Timings),
		Output:           gradescopeOutput(res),
		Visibility:       gradescopeVisible,
		StdoutVisibility: gradescopeHidden,
		ExtraData: GradescopeExtra{
			Challenge:        res.Challenge,
			ChallengeVersion: res.ChallengeVersion,
			SubmissionID:     res.SubmissionID,
			Status:           res.Status,
			MaxScore:         res.MaxScore,
		},
		Tests: make([]GradescopeTest, 0, len(res.Tests)+1),
	}
	suite, suiteN, testN := "", 0, 0
	for i, t := range res.Tests {
		if i == 0 || t.Suite != suite {
			suite, suiteN, testN = t.Suite, suiteN+1, 0
		}
		testN++
		gt := GradescopeTest{
			Score:      float64(t.Points),
			MaxScore:   float64(t.MaxPoints),
			Status:     "failed",
			Name:       t.Name,
			Number:     fmt.Sprintf("%d.%d", suiteN, testN),
			Output:     gradescopeTestOutput(t),
			Visibility: gradescopeVisible,
		}
		if t.Suite != "" {
			gt.Tags = []string{t.Suite}
		}
		if t.Status == grader.TestPassed {
			gt.Status = "passed"
		}
		if t.Visibility == grader.Hidden {
			gt.Visibility = gradescopeAfterPublished
		}
		g.Tests = append(g.Tests, gt)
	}
	if h := res.Hidden; h != nil && h.Total > 0 {
		gt := GradescopeTest{
			Score:      float64(h.Points),
			MaxScore:   float64(h.MaxPoints),
			Status:     "failed",
			Name:       "hidden tests",
			Number:     fmt.Sprintf("%d.1", suiteN+1),
			Output:     fmt.Sprintf("%d of %d hidden tests passed", h.Passed, h.Total),
			Visibility: gradescopeAfterPublished,
		}
		if h.Failed == 0 {
			gt.Status = "passed"
		}
		g.Tests = append(g.Tests, gt)
	}
	return g
}

// executionSeconds is the sum of the phase timings, rounded to seconds;
// the box timings are part of the other phases, so they are not added.
func executionSeconds(timings []grader.PhaseTiming) int64 {
	var ms int64
	for _, p := range timings {
		if !strings.HasPrefix(p.Phase, grader.BoxPhasePrefix) {
			ms += p.DurationMS
		}
	}
	return (ms + 500) / 1000
}

// gradescopeOutput is the submission's verdict, then its build output.
func gradescopeOutput(res grader.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\nscore: %d/%d\n", res.Status, res.Message, res.Score, res.MaxScore)
	if text := strings.TrimRight(res.Build.Text, "\n"); text != "" {
		fmt.Fprintf(&b, "\nbuild output:\n%s\n", text)
		if res.Build.Truncated {
			b.WriteString("(build output truncated)\n")
		}
	}
	return b.String()
}

// gradescopeTestOutput is a test's status when it did not run, its
// message and its captured output.
func gradescopeTestOutput(t grader.TestResult) string {
	var parts []string
	switch t.Status {
	case grader.TestSkipped:
		parts = append(parts, "skipped")
	case grader.TestNotRun:
		parts = append(parts, "not run")
	}
	if t.Message != "" {
		parts = append(parts, strings.TrimRight(t.Message, "\n"))
	}
	if t.Output != "" {
		out := strings.TrimRight(t.Output, "\n")
		if t.OutputTruncated {
			out += "\n(output truncated)"
		}
		parts = append(parts, out)
	}
	return strings.Join(parts, "\n\n")
}
