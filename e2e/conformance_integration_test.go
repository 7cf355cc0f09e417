//go:build integration

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/golden"
)

// TestConformance grades every sample of every seed challenge: the
// reference must score full marks, the starter and each mutant less, and
// each result must match its golden file in challenges/<id>/testdata/.
// These are the failing checks of `grader challenge verify --all`, so
// `make test` grades each sample once, here, and leaves repeated
// gradings to `make verify-catalog`. Each sample is a subtest named
// <id>/<language>/<kind>-<name>, so
//
//	go test -tags integration ./e2e -run 'TestConformance/<id>/' -update
//
// grades one challenge and rewrites only its changed golden files. The
// samples are graded in parallel, as many at once as the machine has
// cores (GRADER_CONFORMANCE_JOBS to change it); each golden file is
// written from its own sample's result, so the files do not depend on
// the order gradings finish in.
func TestConformance(t *testing.T) {
	all, err := challenges.LoadAll("../challenges")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 3 {
		t.Fatalf("found %d challenges, want the three seed challenges", len(all))
	}
	eng := newEngine()
	slots := make(chan struct{}, conformanceJobs(t))
	for _, c := range all {
		samples, err := challenges.SamplesOf(c)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range samples {
			t.Run(c.ID+"/"+string(s.Language)+"/"+s.Kind+"-"+s.Name, func(t *testing.T) {
				t.Parallel()
				slots <- struct{}{}
				defer func() { <-slots }()
				id := fmt.Sprintf("conf-%s-%s-%s", c.ID, s.Language, s.Name)
				sub, err := grader.ReadDirIn(id, s.Language, s.Dir, grader.SubmissionLimits{})
				if err != nil {
					t.Fatal(err)
				}
				res, err := eng.Grade(context.Background(), c, sub, nil)
				if err != nil {
					t.Fatal(err)
				}
				assertNoLeftovers(t, id)
				if s.Kind == challenges.SampleSolution {
					if !res.Passed() {
						t.Fatalf("reference scored %d/%d (%s: %s)\n%s", res.Score, res.MaxScore, res.Status, res.Message, describe(res))
					}
				} else if res.Passed() || res.Score >= res.MaxScore {
					t.Fatalf("%s %s scored full marks", s.Kind, s.Name)
				}
				for _, tr := range res.Tests {
					if tr.Status != grader.TestPassed && tr.Message == "" {
						t.Errorf("failed test %s has no message for the learner", tr.Name)
					}
				}
				golden.JSON(t, filepath.Join(c.Dir, "testdata", s.Golden()), normalize(c, res))
			})
		}
	}
}

// conformanceJobs is how many samples TestConformance grades at once:
// GRADER_CONFORMANCE_JOBS, or the machine's cores.
func conformanceJobs(t *testing.T) int {
	v := os.Getenv("GRADER_CONFORMANCE_JOBS")
	if v == "" {
		return runtime.NumCPU()
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("GRADER_CONFORMANCE_JOBS=%q: want a number of gradings at once, 1 or more", v)
	}
	return n
}

func describe(r grader.Result) string {
	var b strings.Builder
	for _, t := range r.Tests {
		fmt.Fprintf(&b, "  %s %s %d/%d %s\n", t.Status, t.Name, t.Points, t.MaxPoints, t.Message)
	}
	fmt.Fprintf(&b, "build: %s\nservice: %s\n", r.Build.Text, r.Service.Text)
	return b.String()
}

var (
	timestamps = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	elapsed    = regexp.MustCompile(`\(\d+\.\d+s\)`)
	addresses  = regexp.MustCompile(`0x[0-9a-f]+`)
	// tookMS is a response time in a max_ms failure, which varies from
	// run to run while the verdict does not.
	tookMS = regexp.MustCompile(`the response took \d+ ms`)
)

// normalize keeps what must not change between runs: statuses, points
// and messages, without times, durations and output.
func normalize(c *grader.Challenge, r grader.Result) grader.Result {
	kinds := map[string]grader.SuiteKind{}
	for _, s := range c.Suites {
		kinds[s.Name] = s.Kind
	}
	r.SubmissionID = ""
	r.GradedAt = time.Time{}
	r.Timings = nil
	r.Build = grader.Output{}
	r.Service = grader.Output{}
	var tests []grader.TestResult
	for _, t := range r.Tests {
		t.DurationMS = 0
		t.Output, t.OutputTruncated = "", false
		t.Message = clean(t.Message)
		if kinds[t.Suite] == grader.SuiteGo {
			// A race or a lost update reads differently from run to run.
			t.Message = ""
		}
		t.Subtests = nil
		tests = append(tests, t)
	}
	r.Tests = tests
	return r
}

func clean(s string) string {
	s = timestamps.ReplaceAllString(s, "<time>")
	s = elapsed.ReplaceAllString(s, "(<elapsed>)")
	s = tookMS.ReplaceAllString(s, "the response took <n> ms")
	return addresses.ReplaceAllString(s, "0x…")
}
