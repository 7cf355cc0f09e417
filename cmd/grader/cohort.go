package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/client"
	"github.com/gradebox/grader/grader"
)

// cohortFlags are the connection flags every cohort command shares.
type cohortFlags struct {
	server, token, cohort string
}

func (f *cohortFlags) bind(cmd *cobra.Command, needCohort bool) {
	cmd.Flags().StringVar(&f.server, "server", envOr("GRADER_SERVER", "http://127.0.0.1:8080"), "base URL of the grading service (env GRADER_SERVER)")
	cmd.Flags().StringVar(&f.token, "token", "", "instructor's bearer token (env GRADER_TOKEN)")
	if needCohort {
		cmd.Flags().StringVar(&f.cohort, "cohort", "", "cohort id")
	}
}

// client checks the flags and returns an API client.
func (f *cohortFlags) client(cmd *cobra.Command, cfg *Config, needCohort bool) (*client.Client, error) {
	if f.token == "" {
		f.token = os.Getenv("GRADER_TOKEN")
	}
	if f.token == "" {
		return nil, usageErr("--token is required (or GRADER_TOKEN): an instructor's token")
	}
	if needCohort && !client.ValidID(f.cohort) {
		return nil, usageErr("--cohort %q: give the cohort's id (grader cohort list shows them)", f.cohort)
	}
	log, err := cfg.logger(cmd)
	if err != nil {
		return nil, err
	}
	c, err := newAPIClient(f.server, f.token, log)
	if err != nil {
		return nil, usageErr("--server: %v", err)
	}
	return c, nil
}

func newCohortCmd(cfg *Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "cohort",
		Short: "Manage cohorts on a grading service: create, issue tokens, grade in bulk, report, regrade",
		Long: `Cohorts are groups of learners graded together on some challenges. Every
command talks to a grading service (--server, env GRADER_SERVER) with an
instructor's token (--token, env GRADER_TOKEN).

Exit status: 0 done; 1 some learners were not graded (grade), or the
regrade changes scores (regrade, without --apply); 2 bad usage or a request
the service refused (4xx); 3 the service failed.`,
	}
	cmd.AddCommand(newCohortCreateCmd(cfg), newCohortListCmd(cfg), newCohortShowCmd(cfg), newCohortTokensCmd(cfg), newCohortRevokeCmd(cfg),
		newCohortGradeCmd(cfg), newCohortReportCmd(cfg), newCohortLeaderboardCmd(cfg), newCohortTestsCmd(cfg), newCohortRegradeCmd(cfg))
	return cmd
}

func newCohortCreateCmd(cfg *Config) *cobra.Command {
	var f cohortFlags
	var id, name, learners, roster, challenges, due string
	var policies []string
	var update bool
	cmd := &cobra.Command{
		Use:   "create --id C --challenges X[,Y] (--learners a,b | --roster roster.csv) [--name N] [--due RFC3339] [--policy X:key=value,...] [--update]",
		Short: "Create a cohort (with --update: replace it)",
		Long: `Create a cohort of learners and challenges (with --update: replace it).

--policy sets a challenge's feedback policy, once per challenge:

  --policy notes-api:before_due=score,after_due=all,max_attempts=3,cooldown=10m

before_due and after_due say what learners see of their results before and
after --due: score (the score only, no test names), visible (the default:
visible tests in full, hidden ones summed up) or all (hidden tests' names
and messages too). max_attempts caps graded attempts by the due date;
cooldown is the least time between two of a learner's submissions.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, cfg, false)
			if err != nil {
				return err
			}
			body := wire.CohortRequest{ID: id, Name: name, Challenges: splitList(challenges), Learners: splitList(learners), DueAt: due}
			if body.Policies, err = parsePolicies(policies); err != nil {
				return err
			}
			if roster != "" {
				entries, err := readRoster(roster)
				if err != nil {
					return err
				}
				var ls []string
				for _, e := range entries {
					ls = append(ls, e.learner)
				}
				body.Learners = ls
			}
			send := c.CreateCohort
			if update {
				send = c.ReplaceCohort
			}
			out, err := send(cmd.Context(), body)
			if err != nil {
				return apiExit(c, err, "")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "cohort %s: %d learners, challenges %s\n", clean(out.ID), len(out.Learners), clean(strings.Join(out.Challenges, ", ")))
			return nil
		},
	}
	f.bind(cmd, false)
	fl := cmd.Flags()
	fl.StringVar(&id, "id", "", "cohort id: letters, digits, '.', '_', '-'")
	fl.StringVar(&name, "name", "", "display name (default: the id)")
	fl.StringVar(&learners, "learners", "", "learner ids, comma-separated")
	fl.StringVar(&roster, "roster", "", "CSV roster whose first column is the learner id (as for cohort grade)")
	fl.StringVar(&challenges, "challenges", "", "challenge ids, comma-separated")
	fl.StringVar(&due, "due", "", "due date, e.g. 2026-12-31T23:59:00Z: later submissions do not count")
	fl.StringArrayVar(&policies, "policy", nil, "a challenge's feedback policy, CHALLENGE:before_due=score|visible|all,after_due=...,max_attempts=N,cooldown=DURATION (repeat per challenge)")
	fl.BoolVar(&update, "update", false, "replace an existing cohort instead")
	return cmd
}

// parsePolicies reads --policy values into feedback policies by
// challenge; the service checks the values themselves.
func parsePolicies(flags []string) (map[string]grader.FeedbackPolicy, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	out := map[string]grader.FeedbackPolicy{}
	const example = "e.g. --policy notes-api:before_due=score,after_due=all,max_attempts=3,cooldown=10m"
	for _, f := range flags {
		ch, settings, ok := strings.Cut(f, ":")
		if !ok || ch == "" {
			return nil, usageErr("--policy %q: start with the challenge's id and a colon, %s", f, example)
		}
		if _, dup := out[ch]; dup {
			return nil, usageErr("--policy: %s is given twice; put all its settings in one --policy", ch)
		}
		var p grader.FeedbackPolicy
		for _, kv := range splitList(settings) {
			k, v, _ := strings.Cut(kv, "=")
			switch k {
			case "before_due":
				p.BeforeDue = grader.Feedback(v)
			case "after_due":
				p.AfterDue = grader.Feedback(v)
			case "max_attempts":
				n, err := strconv.Atoi(v)
				if err != nil {
					return nil, usageErr("--policy %s: max_attempts=%q is not a whole number", ch, v)
				}
				p.MaxAttempts = n
			case "cooldown":
				d, err := time.ParseDuration(v)
				if err != nil || d < 0 || d%time.Second != 0 {
					return nil, usageErr("--policy %s: cooldown=%q: use whole seconds, e.g. 90s, 10m or 1h", ch, v)
				}
				p.CooldownSeconds = int(d / time.Second)
			default:
				return nil, usageErr("--policy %s: unknown setting %q: use before_due, after_due, max_attempts or cooldown (%s)", ch, k, example)
			}
		}
		out[ch] = p
	}
	return out, nil
}

func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func newCohortListCmd(cfg *Config) *cobra.Command {
	var f cohortFlags
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List cohorts",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, cfg, false)
			if err != nil {
				return err
			}
			out, err := c.Cohorts(cmd.Context())
			if err != nil {
				return apiExit(c, err, "")
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tLEARNERS\tCHALLENGES\tDUE")
			for _, co := range out.Cohorts {
				dueAt := "-"
				if !co.DueAt.IsZero() {
					dueAt = co.DueAt.Format(time.RFC3339)
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", clean(co.ID), clean(co.Name), len(co.Learners), clean(strings.Join(co.Challenges, ",")), dueAt)
			}
			return tw.Flush()
		},
	}
	f.bind(cmd, false)
	return cmd
}

func newCohortShowCmd(cfg *Config) *cobra.Command {
	var f cohortFlags
	cmd := &cobra.Command{
		Use:   "show --cohort C",
		Short: "Print a cohort as JSON",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, cfg, true)
			if err != nil {
				return err
			}
			out, err := c.Cohort(cmd.Context(), f.cohort)
			if err != nil {
				return apiExit(c, err, "")
			}
			return printJSON(cmd.OutOrStdout(), out)
		},
	}
	f.bind(cmd, true)
	return cmd
}

func newCohortReportCmd(cfg *Config) *cobra.Command {
	var f cohortFlags
	var challenge, language, format, output string
	cmd := &cobra.Command{
		Use:   "report --cohort C [--challenge X] [--language L] [--format csv|json|junit] [-o FILE]",
		Short: "Download a cohort's report: one row per learner and challenge",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, cfg, true)
			if err != nil {
				return err
			}
			switch format {
			case "csv", "json", "junit":
			default:
				return usageErr("--format %q: use csv, json or junit", format)
			}
			if l := grader.Language(language); l != "" && !l.Known() {
				return usageErr("--language %q: use go, python or javascript, or leave it out for every language", language)
			}
			b, err := c.Report(cmd.Context(), f.cohort, challenge, language, format)
			if err != nil {
				return apiExit(c, err, "")
			}
			return writeOutput(cmd, output, b, 0o644)
		},
	}
	f.bind(cmd, true)
	cmd.Flags().StringVar(&challenge, "challenge", "", "only this challenge")
	cmd.Flags().StringVar(&language, "language", "", "count only submissions made in this language: go, python or javascript")
	cmd.Flags().StringVar(&format, "format", "csv", "csv, json or junit")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

// newCohortViewCmd is a command that reads one view of a cohort at a
// challenge with read and prints it with print.
func newCohortViewCmd[T any](cfg *Config, view, short string, read func(c *client.Client) func(ctx context.Context, cohort, challenge string) (T, error),
	print func(w io.Writer, doc T) error) *cobra.Command {
	var f cohortFlags
	var challenge string
	cmd := &cobra.Command{
		Use:   view + " --cohort C [--challenge X]",
		Short: short,
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, cfg, true)
			if err != nil {
				return err
			}
			doc, err := read(c)(cmd.Context(), f.cohort, challenge)
			if err != nil {
				return apiExit(c, err, "")
			}
			return print(cmd.OutOrStdout(), doc)
		},
	}
	f.bind(cmd, true)
	cmd.Flags().StringVar(&challenge, "challenge", "", "challenge (may be left out when the cohort has one)")
	return cmd
}

func newCohortLeaderboardCmd(cfg *Config) *cobra.Command {
	read := func(c *client.Client) func(context.Context, string, string) (wire.Leaderboard, error) {
		return c.Leaderboard
	}
	return newCohortViewCmd(cfg, "leaderboard", "Print a cohort's leaderboard at a challenge", read, func(w io.Writer, doc wire.Leaderboard) error {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "RANK\tLEARNER\tSCORE\tGRADED\n")
		for _, e := range doc.Entries {
			fmt.Fprintf(tw, "%d\t%s\t%d/%d\t%s\n", e.Rank, clean(e.Learner), e.Score, e.MaxScore, e.GradedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	})
}

func newCohortTestsCmd(cfg *Config) *cobra.Command {
	read := func(c *client.Client) func(context.Context, string, string) (wire.TestStats, error) {
		return c.TestStats
	}
	return newCohortViewCmd(cfg, "tests", "Print which tests fail most across a cohort's best submissions", read, func(w io.Writer, doc wire.TestStats) error {
		fmt.Fprintf(w, "%d learners with a graded submission\n", doc.Learners)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "FAILED\tRATE\tTEST\tVISIBILITY\n")
		for _, t := range doc.Tests {
			fmt.Fprintf(tw, "%d/%d\t%.0f%%\t%s/%s\t%s\n", t.Failed, t.Failed+t.Passed, 100*t.FailureRate, clean(t.Suite), clean(t.Name), clean(t.Visibility))
		}
		return tw.Flush()
	})
}

func newCohortRegradeCmd(cfg *Config) *cobra.Command {
	var f cohortFlags
	var challenge, apply string
	var asJSON bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "regrade --cohort C [--challenge X] | --apply ID",
		Short: "Preview a regrade of a cohort against the challenge as it is now, or apply a previewed one",
		Long: `Without --apply: grade every learner's counted submission again with the
challenge as the service has it now, wait, and list the learners whose
score would change. Nothing is recorded; the exit status is 1 when some
score changes, 0 when none does.

With --apply ID: record the previewed regrade's results next to the old
ones; the new ones count from then on.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, cfg, true)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			if apply != "" {
				if !client.ValidID(apply) {
					return usageErr("--apply %q: give the id the preview printed", apply)
				}
				rg, err := c.ApplyRegrade(ctx, f.cohort, apply)
				if err != nil {
					return apiExit(c, err, "")
				}
				fmt.Fprintf(cmd.OutOrStdout(), "regrade %s applied: %d scores changed, %d unchanged, %d kept (could not be graded again)\n", clean(rg.ID), len(rg.Changes), rg.Unchanged, rg.Errors)
				return nil
			}
			rg, err := c.StartRegrade(ctx, f.cohort, challenge)
			if err != nil {
				return apiExit(c, err, "")
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			bar := newProgressBar(cmd.ErrOrStderr(), "regrading", rg.Total)
			for rg.State == wire.RegradeRunning {
				bar.Set(rg.Done, 0, 0)
				if err := sleepCtx(ctx, 2*time.Second); err != nil {
					bar.Finish()
					return faultErr(fmt.Errorf("regrade %s still running after %s: %w", rg.ID, timeout, err))
				}
				if rg, err = c.Regrade(ctx, f.cohort, rg.ID); err != nil {
					bar.Finish()
					return apiExit(c, err, "")
				}
			}
			bar.Set(rg.Done, 0, 0)
			bar.Finish()
			if asJSON {
				if err := printJSON(cmd.OutOrStdout(), rg); err != nil {
					return err
				}
			} else {
				printRegrade(cmd.OutOrStdout(), f.cohort, rg)
			}
			if len(rg.Changes) > 0 {
				return &exitError{code: exitLess, err: errQuiet}
			}
			return nil
		},
	}
	f.bind(cmd, true)
	cmd.Flags().StringVar(&challenge, "challenge", "", "challenge to regrade (may be left out when the cohort has one)")
	cmd.Flags().StringVar(&apply, "apply", "", "apply the previewed regrade with this id")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the preview as JSON")
	cmd.Flags().DurationVar(&timeout, "timeout", time.Hour, "give up waiting for the preview (exit 3) after this long")
	return cmd
}

func printRegrade(w io.Writer, cohort string, rg wire.Regrade) {
	fmt.Fprintf(w, "regrade %s of %s at %s (version %s): %d graded again\n", clean(rg.ID), clean(cohort), clean(rg.Challenge), clean(rg.Version), rg.Total)
	if len(rg.Changes) == 0 {
		fmt.Fprintln(w, "no score changes")
	} else {
		fmt.Fprintf(w, "%d scores change:\n", len(rg.Changes))
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "  LEARNER\tOLD\tNEW\tVERSIONS")
		for _, ch := range rg.Changes {
			fmt.Fprintf(tw, "  %s\t%d\t%d/%d\t%s -> %s\n", clean(ch.Learner), ch.OldScore, ch.NewScore, ch.MaxScore, clean(ch.OldVersion), clean(ch.NewVersion))
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "%d unchanged", rg.Unchanged)
	if rg.Errors > 0 {
		fmt.Fprintf(w, ", %d could not be graded again (%s): they keep their result", rg.Errors, clean(strings.Join(rg.Failed, ", ")))
	}
	fmt.Fprintln(w)
	if rg.Total > 0 && rg.Outdated == 0 {
		fmt.Fprintf(w, "every result was already graded with version %s: if you changed the challenge, the service has not loaded it yet\n"+
			"(send SIGHUP to grader serve and every grader worker, or restart them, then preview again)\n", clean(rg.Version))
	}
	if rg.State == wire.RegradePreviewed {
		fmt.Fprintf(w, "nothing is recorded yet; apply with: grader cohort regrade --cohort %s --apply %s\n", clean(cohort), clean(rg.ID))
	}
}

// printJSON prints v as indented JSON.
func printJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return faultErr(fmt.Errorf("encode the service's answer: %w", err))
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeOutput writes b to path (stdout when empty).
func writeOutput(cmd *cobra.Command, path string, b []byte, mode os.FileMode) error {
	if path == "" || path == "-" {
		_, err := cmd.OutOrStdout().Write(b)
		return err
	}
	if err := os.WriteFile(path, b, mode); err != nil {
		return usageErr("write %s: %v", path, err)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s (%d bytes)\n", path, len(b))
	return nil
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
