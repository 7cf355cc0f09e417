package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

func newChallengeVerifyCmd(cfg *Config) *cobra.Command {
	var all, asJSON bool
	cmd := &cobra.Command{
		Use:   "verify [<id|path>...|--all] [--json]",
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
mistake). --json writes the same as one JSON document.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if all == (len(args) > 0) {
				return usageErr("name challenges (ids or folders) or pass --all, not both")
			}
			list, err := verifyList(cfg, all, args)
			if err != nil {
				return err
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

			var runs []verifyRun
			var notes []string
			var drafts bytes.Buffer
			for _, c := range list {
				printWarnings(&drafts, c.ID, c.Warnings)
				samples, err := challenges.SamplesOf(c)
				if err != nil {
					return &exitError{code: exitLess, err: err}
				}
				for _, s := range samples {
					fmt.Fprintf(cmd.ErrOrStderr(), "grading %s %s %s %s…\n", c.ID, s.Language, s.Kind, s.Name)
					sub, err := grader.ReadDirIn("", s.Language, s.Dir, grader.SubmissionLimits{})
					if err != nil {
						return &exitError{code: exitLess, err: fmt.Errorf("%s %s: %w", c.ID, s.Name, err)}
					}
					res, err := env.engine.Grade(ctx, c, sub, nil)
					if err != nil {
						return faultErr(fmt.Errorf("grade %s %s: %w", c.ID, s.Name, err))
					}
					runs = append(runs, verifyRun{Challenge: c.ID, Sample: s, Result: res})
					if s.Kind == challenges.SampleSolution && !res.Passed() {
						name := s.Name
						if s.Language != grader.LanguageGo {
							name = string(s.Language) + " " + name
						}
						notes = append(notes, skippedNotes(c, name, res)...)
					}
				}
			}
			rep := analyzeVerify(runs)
			rep.Notes = append(rep.Notes, notes...)
			// A draft passes when its samples do; what it lacks is said.
			if drafts.Len() > 0 {
				rep.Notes = append(rep.Notes, strings.TrimRight(drafts.String(), "\n"))
			}
			return writeVerify(cmd, rep, asJSON)
		},
	}
	cmd.Flags().BoolVar(&all, "all", false, "verify every challenge of the catalog")
	cmd.Flags().BoolVar(&asJSON, "json", false, "write the report as JSON (samples, the test table, flags) for tooling")
	return cmd
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
