//go:build integration

package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// TestUpstreamFaults grades testdata/upstream-faults, whose tests set the
// upstream's faults (a status, a hang, a drop, a slow answer and a seeded
// fraction) and assert on its counters: the reference, which retries and
// bounds each call, passes them all; a service that never retries and one
// that never gives up each fail the tests of their mistake, and nothing
// else. The reference is graded twice, with the same result: faults,
// fraction included, fail the same calls on every run.
//
// The faults are served by the tools image: GRADER_TOOLS_IMAGE names one
// built from this working copy when grader/tools:local predates them.
func TestUpstreamFaults(t *testing.T) {
	c, err := challenges.Load("testdata/upstream-faults")
	if err != nil {
		t.Fatal(err)
	}
	eng := grader.NewEngine(grader.EngineConfig{
		Sandbox:    docker,
		ToolsImage: os.Getenv("GRADER_TOOLS_IMAGE"),
		Logger:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	const (
		retried  = "a failed upstream read is retried"
		hanging  = "a hanging upstream is cut off and answered with a fallback"
		dropped  = "a dropped connection is retried"
		slow     = "a slow read is abandoned for a quicker one"
		fraction = "reads survive an upstream that fails a third of its calls"
	)
	for _, tc := range []struct {
		dir        string
		runs       int
		wantFailed []string
	}{
		{"solution", 2, nil},
		{"mutants/no-retry", 1, []string{retried, hanging, dropped, slow, fraction}},
		{"mutants/no-timeout", 1, []string{hanging, slow}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			var first grader.Result
			for run := range tc.runs {
				id := fmt.Sprintf("faults-%s-%d", strings.ReplaceAll(tc.dir, "/", "-"), run)
				sub, err := grader.ReadDirIn(id, grader.LanguageGo, filepath.Join(c.Dir, tc.dir), grader.SubmissionLimits{})
				if err != nil {
					t.Fatal(err)
				}
				res, err := eng.Grade(context.Background(), c, sub, nil)
				if err != nil {
					t.Fatal(err)
				}
				assertNoLeftovers(t, id)
				t.Logf("run %d: %s %d/%d\n%s", run, res.Status, res.Score, res.MaxScore, describe(res))
				var failed []string
				for _, tr := range res.Tests {
					if tr.Status != grader.TestPassed {
						failed = append(failed, tr.Name)
						if tr.Message == "" {
							t.Errorf("failed test %q has no message", tr.Name)
						}
					}
				}
				if diff := cmp.Diff(tc.wantFailed, failed); diff != "" {
					t.Fatalf("failed tests (-want +got):\n%s\nIf a fault was refused with 404, the tools image predates the faults: set GRADER_TOOLS_IMAGE to one built from this working copy.", diff)
				}
				if run == 0 {
					first = normalize(c, res)
				} else if diff := cmp.Diff(first, normalize(c, res)); diff != "" {
					t.Errorf("the second grading differs from the first (-first +second):\n%s", diff)
				}
			}
		})
	}
}
