package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

func newChallengeVerifyCmd(cfg *Config) *cobra.Command {
	var all, asJSON bool
	var runs, jobs int
	cmd := &cobra.Command{
		Use:   "verify [<id|path>...|--all] [--runs N] [--jobs N] [--json]",
		Short: "Check that the reference scores full marks and the starter and every mutant do not",
		Long: `Grade every sample of the challenges (in every offered language, the
reference solution, the starter and each mutant) and check that the
reference scores full marks and the others do not.

For each challenge and language, verify prints the tests each sample
failed and a table of tests against samples, then flags what to look at:
a test the reference fails, a starter or mutant with full marks (both
fail verify), and, as warnings, a test no mutant fails (it proves nothing
beyond the reference), a test the starter passes that carries points, and
a mutant that does not build (it fails every test whatever its planted
mistake). --json writes the same as one JSON document.

--runs N grades every sample N times and fails verify when a test's
status or points differ between runs (a flaky test is an authoring
error), naming the challenge, language, sample and test and what each
run made of it. Gradings run --jobs at a time (the machine's cores by
default); the report keeps the catalog's order whatever order they
finish in, and each finished grading is counted on stderr.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return usageErr("name challenges (ids or folders) or pass --all, not both")
			}
			if runs < 1 {
				return usageErr("--runs %d: grade each sample at least once (--runs 1 or more)", runs)
			}
			if jobs < 1 {
				return usageErr("--jobs %d: grade at least one sample at a time (--jobs 1 or more)", jobs)
			}
			list, err := verifyList(cfg, all, args)
			if err != nil {
				return err
			}
			var work []verifyJob
			var drafts bytes.Buffer
			for _, c := range list {
				printWarnings(&drafts, c.ID, c.Warnings)
				samples, err := challenges.SamplesOf(c)
				if err != nil {
					return &exitError{code: exitLess, err: err}
				}
				for _, s := range samples {
					sub, err := grader.ReadDirIn("", s.Language, s.Dir, grader.SubmissionLimits{})
					if err != nil {
						return &exitError{code: exitLess, err: fmt.Errorf("%s %s: %w", c.ID, s.Name, err)}
					}
					work = append(work, verifyJob{Challenge: c, Sample: s, Sub: sub})
				}
			}
			log, err := cfg.logger(cmd)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			env, err := newEngine(ctx, cfg, log)
			if err != nil {
				return err
			}
			defer env.Close()

			grade := func(ctx context.Context, c *grader.Challenge, sub grader.Submission) (grader.Result, error) {
				return env.engine.Grade(ctx, c, sub, nil)
			}
			results, err := gradeAll(ctx, work, runs, jobs, grade, verifyProgress(cmd.ErrOrStderr(), time.Now))
			if err != nil {
				return faultErr(fmt.Errorf("verify: %w", err))
			}
			rep := analyzeVerify(verifyRuns(work, results))
			rep.Notes = append(rep.Notes, referenceNotes(work, results)...)
			// A draft passes when its samples do; what it lacks is said.
			if drafts.Len() > 0 {
				rep.Notes = append(rep.Notes, strings.TrimRight(drafts.String(), "\n"))
			}
			return writeVerify(cmd, rep, asJSON)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "verify every challenge of the catalog")
	cmd.Flags().BoolVar(&asJSON, "json", false, "write the report as JSON (samples, the test table, flags) for tooling")
	cmd.Flags().IntVar(&runs, "runs", 1, "grade every sample this many times and fail when an outcome differs between runs")
	cmd.Flags().IntVar(&jobs, "jobs", runtime.NumCPU(), "gradings run at once (default: the machine's cores)")
	return cmd
}

// verifyRuns pairs each job with its results: the first run, then the
// others to compare with it.
func verifyRuns(work []verifyJob, results [][]grader.Result) []verifyRun {
	runs := make([]verifyRun, len(work))
	for i, j := range work {
		runs[i] = verifyRun{Challenge: j.Challenge.ID, Sample: j.Sample, Result: results[i][0], Reruns: results[i][1:]}
	}
	return runs
}

// referenceNotes explains a reference short of full marks in its first
// run: the tests that skipped.
func referenceNotes(work []verifyJob, results [][]grader.Result) []string {
	var notes []string
	for i, j := range work {
		if j.Sample.Kind != challenges.SampleSolution || results[i][0].Passed() {
			continue
		}
		name := j.Sample.Name
		if j.Sample.Language != grader.LanguageGo {
			name = string(j.Sample.Language) + " " + name
		}
		notes = append(notes, skippedNotes(j.Challenge, name, results[i][0])...)
	}
	return notes
}

// verifyProgress counts finished gradings on w, with the time since the
// first call: "[3/50 0:42] graded notes-api go mutant created-200 (run
// 1): 8/10 failed".
func verifyProgress(w io.Writer, now func() time.Time) gradeDone {
	start := now()
	return func(done, total int, j verifyJob, run int, res grader.Result) {
		d := now().Sub(start).Round(time.Second)
		what := fmt.Sprintf("%s %s %s", clean(j.Challenge.ID), j.Sample.Language, sampleLabel(j.Sample.Kind, j.Sample.Name))
		fmt.Fprintf(w, "[%d/%d %d:%02d] graded %s (run %d): %d/%d %s\n", done, total, int(d.Minutes()), int(d.Seconds())%60, what, run, res.Score, res.MaxScore, res.Status)
	}
}

// verifyList loads the challenges verify was asked about.
func verifyList(cfg *Config, all bool, refs []string) ([]*grader.Challenge, error) {
	if all {
		list, err := challenges.LoadAll(cfg.Catalog)
		if err != nil {
			return nil, &exitError{code: exitLess, err: fmt.Errorf("catalog %s: %w", cfg.Catalog, err)}
		}
		return list, nil
	}
	var list []*grader.Challenge
	for _, ref := range refs {
		c, err := challenges.Find(cfg.Catalog, ref)
		if err != nil {
			return nil, &exitError{code: exitLess, err: err}
		}
		list = append(list, c)
	}
	return list, nil
}

// writeVerify prints the report, as text or JSON, and turns failed
// checks into the exit status.
func writeVerify(cmd *cobra.Command, rep verifyReport, asJSON bool) error {
	out := cmd.OutOrStdout()
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
		if !rep.Passed {
			return &exitError{code: exitLess, err: errQuiet}
		}
		return nil
	}
	if err := printVerify(out, rep); err != nil {
		return err
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(out, n)
	}
	if !rep.Passed {
		return &exitError{code: exitLess, err: fmt.Errorf("%d check(s) failed", rep.Failed)}
	}
	fmt.Fprintln(out, "all checks passed")
	return nil
}
