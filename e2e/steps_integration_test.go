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

// TestParallelRepeatRestart grades testdata/steps-concurrency, whose tests
// send a request five times at once and three times in a row, bound a
// response's time and restart the service between writing a note and
// reading it back. The reference, which claims with SETNX and keeps notes
// in Redis, passes them all, twice with the same result; a service that
// checks then sets its claims fails the concurrent test only, and one that
// keeps notes in memory fails the restart test only.
//
// The tester runs in the tools image: GRADER_TOOLS_IMAGE names one built
// from this working copy when grader/tools:local predates these steps.
func TestParallelRepeatRestart(t *testing.T) {
	c, err := challenges.Load("testdata/steps-concurrency")
	if err != nil {
		t.Fatal(err)
	}
	eng := grader.NewEngine(grader.EngineConfig{
		Sandbox:    docker,
		ToolsImage: os.Getenv("GRADER_TOOLS_IMAGE"),
		Logger:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	const (
		parallel = "a key is claimed once under concurrent claims"
		restart  = "notes survive a restart"
	)
	for _, tc := range []struct {
		dir        string
		runs       int
		wantFailed []string
		wantMsg    string // a failed test's message starts with it
	}{
		{"solution", 2, nil, ""},
		{"mutants/racy-claims", 1, []string{parallel},
			"step 1 (PUT /claims/k1 ×5 in parallel): expected exactly 1 of 5 concurrent requests to get 201, got 5 (201 ×5)"},
		{"mutants/memory-notes", 1, []string{restart},
			"step 3 (GET /notes/1): expected status 200, got 404"},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			var first grader.Result
			for run := range tc.runs {
				id := fmt.Sprintf("steps-%s-%d", strings.ReplaceAll(tc.dir, "/", "-"), run)
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
					if tr.Status == grader.TestPassed {
						continue
					}
					failed = append(failed, tr.Name)
					if !strings.HasPrefix(tr.Message, tc.wantMsg) {
						t.Errorf("test %q: message %q, want one starting with %q", tr.Name, tr.Message, tc.wantMsg)
					}
				}
				if diff := cmp.Diff(tc.wantFailed, failed); diff != "" {
					t.Fatalf("failed tests (-want +got):\n%s\nIf a step field was refused, the tools image predates it: set GRADER_TOOLS_IMAGE to one built from this working copy.", diff)
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
