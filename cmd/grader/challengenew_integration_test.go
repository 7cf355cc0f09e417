//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/golden"
	"github.com/gradebox/grader/scaffold"
)

// testEngine is the engine verify uses, or a skip (a failure in CI) when
// Docker or the images are missing.
func testEngine(t *testing.T) *engineEnv {
	t.Helper()
	cfg := DefaultConfig()
	env, err := newEngine(context.Background(), &cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	t.Cleanup(env.Close)
	return env
}

// TestChallengeNewVerifies writes each kind of new challenge in every
// language and grades its samples as verify does: every check passes,
// nothing is flagged, and each sample's result is the golden result the
// scaffold writes beside it (-update rewrites those under
// scaffold/templates).
func TestChallengeNewVerifies(t *testing.T) {
	env := testEngine(t)
	for _, suite := range scaffold.Suites {
		t.Run(suite, func(t *testing.T) {
			dir, err := scaffold.Write(t.TempDir(), scaffold.Options{ID: "demo", Suite: suite, Languages: grader.Languages})
			if err != nil {
				t.Fatal(err)
			}
			c, err := challenges.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			samples, err := challenges.SamplesOf(c)
			if err != nil {
				t.Fatal(err)
			}
			var runs []verifyRun
			for _, s := range samples {
				sub, err := grader.ReadDirIn("", s.Language, s.Dir, grader.SubmissionLimits{})
				if err != nil {
					t.Fatal(err)
				}
				res, err := env.engine.Grade(context.Background(), c, sub, nil)
				if err != nil {
					t.Fatal(err)
				}
				runs = append(runs, verifyRun{Challenge: c.ID, Sample: s, Result: res})
				got := normalizeForGolden(c, res)
				got.Challenge, got.ChallengeVersion = "", ""
				golden.JSON(t, filepath.Join("..", "..", "scaffold", "templates", suite, string(s.Language), "testdata", s.Golden()), got)
			}
			rep := analyzeVerify(runs)
			if !rep.Passed || len(rep.Flags) > 0 {
				var b bytes.Buffer
				printVerify(&b, rep)
				t.Errorf("verify of the new challenge does not pass cleanly:\n%s", b.String())
			}
		})
	}
}

// TestChallengeNewThenVerify runs the commands as an instructor types
// them: `challenge new` then `challenge verify` passes with nothing to
// flag; a test added that no mutant fails is named by verify --json.
func TestChallengeNewThenVerify(t *testing.T) {
	testEngine(t)
	catalog := t.TempDir()
	ctx := context.Background()
	grade := func(args ...string) (string, int) {
		var out, errb bytes.Buffer
		code := run(ctx, append([]string{"--catalog", catalog}, args...), &out, &errb)
		return out.String() + errb.String(), code
	}
	if out, code := grade("challenge", "new", "demo", "--suite", "http"); code != 0 {
		t.Fatalf("challenge new exited %d:\n%s", code, out)
	}
	out, code := grade("challenge", "verify", "demo")
	if code != 0 || !strings.Contains(out, "all checks passed") || strings.Contains(out, "warning:") {
		t.Fatalf("verify of the new challenge exited %d:\n%s", code, out)
	}

	tests := filepath.Join(catalog, "demo", "tests", "api.yaml")
	src, err := os.ReadFile(tests)
	if err != nil {
		t.Fatal(err)
	}
	useless := "\n  - name: the health check answers\n    points: 1\n    steps:\n      - request: {path: /health}\n        expect: {status: 200}\n"
	if err := os.WriteFile(tests, append(src, useless...), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"--catalog", catalog, "challenge", "verify", "--json", "demo"}, &stdout, &stderr); code != 0 {
		t.Fatalf("verify --json exited %d:\n%s%s", code, stdout.String(), stderr.String())
	}
	var rep verifyReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("verify --json wrote no JSON document: %v\n%s", err, stdout.String())
	}
	var flagged []string
	for _, f := range rep.Flags {
		flagged = append(flagged, f.Kind+" "+f.Sample+" "+f.Test)
	}
	want := []string{"starter_earns_points starter the health check answers", "proves_nothing  the health check answers"}
	if strings.Join(flagged, "\n") != strings.Join(want, "\n") {
		t.Errorf("flags:\n%s\nwant:\n%s", strings.Join(flagged, "\n"), strings.Join(want, "\n"))
	}
}

var (
	goldenTimestamps = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z`)
	goldenElapsed    = regexp.MustCompile(`\(\d+\.\d+s\)`)
	goldenAddresses  = regexp.MustCompile(`0x[0-9a-f]+`)
)

// normalizeForGolden keeps what must not change between runs, exactly as
// e2e's TestConformance does before comparing a sample's result with its
// golden file: the scaffold's golden results must pass that test.
func normalizeForGolden(c *grader.Challenge, r grader.Result) grader.Result {
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
		t.Message = goldenTimestamps.ReplaceAllString(t.Message, "<time>")
		t.Message = goldenElapsed.ReplaceAllString(t.Message, "(<elapsed>)")
		t.Message = goldenAddresses.ReplaceAllString(t.Message, "0x…")
		if kinds[t.Suite] == grader.SuiteGo {
			t.Message = ""
		}
		t.Subtests = nil
		tests = append(tests, t)
	}
	r.Tests = tests
	return r
}
