package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

func newGradeCmd(cfg *Config) *cobra.Command {
	var (
		challengeRef string
		asJSON       bool
		view         string
		quiet        bool
	)
	cmd := &cobra.Command{
		Use:   "grade --challenge <id|path> [--json] [--view learner|instructor] <dir|archive>",
		Short: "Grade a solution locally with the same engine the service uses",
		Long: `Grade a solution (a folder or a zip/tar/tar.gz archive holding a Go module)
against a challenge from the catalog (by id) or from a folder (by path).

Exit status: 0 full marks, 1 less than full marks, 2 bad usage or a rejected
submission, 3 a fault of the grader itself (Docker, images).`,
		Args: exactArgs(1, "one folder or archive to grade"),
		RunE: func(cmd *cobra.Command, args []string) error {
			v := grader.View(view)
			if v != grader.ViewLearner && v != grader.ViewInstructor {
				return usageErr("--view %q: use learner or instructor", view)
			}
			if challengeRef == "" {
				return usageErr("--challenge is required: a challenge id (see `grader challenge list`) or a challenge folder")
			}
			log, err := cfg.logger(cmd)
			if err != nil {
				return err
			}
			ch, err := challenges.Find(cfg.Catalog, challengeRef)
			if err != nil {
				return usageErr("%v", err)
			}
			sub, err := grader.ReadPath("", args[0], grader.SubmissionLimits{})
			if err != nil {
				if grader.IsRejected(err) {
					return usageErr("%v", err)
				}
				return faultErr(err)
			}
			ctx := cmd.Context()
			env, err := newEngine(ctx, cfg, log)
			if err != nil {
				return err
			}
			defer env.Close()

			var progress grader.Progress
			var pp *progressPrinter
			if !quiet {
				pp = newProgressPrinter(cmd.ErrOrStderr(), v)
				progress = pp
			}
			res, err := env.engine.Grade(ctx, ch, sub, progress)
			if pp != nil {
				pp.Stop()
			}
			if err != nil {
				return faultErr(fmt.Errorf("grading failed through no fault of the submission: %w", err))
			}
			out := res.As(v)
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(out); err != nil {
					return faultErr(err)
				}
			} else {
				printResult(cmd.OutOrStdout(), ch.Title, out)
			}
			if !res.Passed() {
				return &exitError{code: exitLess, err: errQuiet}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&challengeRef, "challenge", "c", "", "challenge id from the catalog, or a path to a challenge folder")
	f.BoolVar(&asJSON, "json", false, "print the result document as JSON")
	f.StringVar(&view, "view", string(grader.ViewLearner), "which view of the result to print: learner or instructor")
	f.BoolVarP(&quiet, "quiet", "q", false, "do not show progress while grading")
	return cmd
}
