package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
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
func (f *cohortFlags) client(cmd *cobra.Command, cfg *Config, needCohort bool) (*apiClient, error) {
	if f.token == "" {
		f.token = os.Getenv("GRADER_TOKEN")
	}
	if f.token == "" {
		return nil, usageErr("--token is required (or GRADER_TOKEN): an instructor's token")
	}
	if needCohort && !idPattern.MatchString(f.cohort) {
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

// cohortDoc is a cohort as the service answers it.
type cohortDoc struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	Learners   []string  `json:"learners"`
	Challenges []string  `json:"challenges"`
	DueAt      time.Time `json:"due_at,omitzero"`
	CreatedAt  time.Time `json:"created_at"`
	CreatedBy  string    `json:"created_by"`
	Queue      string    `json:"queue"`
}

func newCohortCreateCmd(cfg *Config) *cobra.Command {
	var f cohortFlags
	var id, name, learners, roster, challenges, due string
	var update bool
	cmd := &cobra.Command{
		Use:   "create --id C --challenges X[,Y] (--learners a,b | --roster roster.csv) [--name N] [--due RFC3339] [--update]",
		Short: "Create a cohort (with --update: replace it)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, cfg, false)
			if err != nil {
				return err
			}
			body := map[string]any{"id": id, "name": name, "challenges": splitList(challenges), "learners": splitList(learners)}
			if roster != "" {
				entries, err := readRoster(roster)
				if err != nil {
					return err
				}
				var ls []string
				for _, e := range entries {
					ls = append(ls, e.learner)
				}
				body["learners"] = ls
			}
			if due != "" {
				body["due_at"] = due
			}
			method, u := http.MethodPost, c.path("v1", "cohorts")
			if update {
				method, u = http.MethodPut, c.path("v1", "cohorts", id)
			}
			var out cohortDoc
			if err := c.sendJSON(cmd.Context(), method, u, body, &out); err != nil {
				return apiExit(err)
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
	fl.BoolVar(&update, "update", false, "replace an existing cohort instead")
	return cmd
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
			var out struct {
				Cohorts []cohortDoc `json:"cohorts"`
			}
			if err := c.getJSON(cmd.Context(), c.path("v1", "cohorts"), &out); err != nil {
				return apiExit(err)
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
			var out json.RawMessage
			if err := c.getJSON(cmd.Context(), c.path("v1", "cohorts", f.cohort), &out); err != nil {
				return apiExit(err)
			}
			return printIndented(cmd.OutOrStdout(), out)
		},
	}
	f.bind(cmd, true)
	return cmd
}

func newCohortReportCmd(cfg *Config) *cobra.Command {
	var f cohortFlags
	var challenge, format, output string
	cmd := &cobra.Command{
		Use:   "report --cohort C [--challenge X] [--format csv|json|junit] [-o FILE]",
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
			q := url.Values{"format": {format}}
			if challenge != "" {
				q.Set("challenge", challenge)
			}
			b, err := c.getRaw(cmd.Context(), c.path("v1", "cohorts", f.cohort, "report")+"?"+q.Encode())
			if err != nil {
				return apiExit(err)
			}
			return writeOutput(cmd, output, b, 0o644)
		},
	}
	f.bind(cmd, true)
	cmd.Flags().StringVar(&challenge, "challenge", "", "only this challenge")
	cmd.Flags().StringVar(&format, "format", "csv", "csv, json or junit")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file instead of stdout")
	return cmd
}

// newCohortViewCmd is a command that reads one view of a cohort at a
// challenge, GET /v1/cohorts/{id}/<view>?challenge=, into a T and prints
// it with print.
func newCohortViewCmd[T any](cfg *Config, view, short string, print func(w io.Writer, doc T) error) *cobra.Command {
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
			var doc T
			if err := c.getJSON(cmd.Context(), c.path("v1", "cohorts", f.cohort, view)+queryOf("challenge", challenge), &doc); err != nil {
				return apiExit(err)
			}
			return print(cmd.OutOrStdout(), doc)
		},
	}
	f.bind(cmd, true)
	cmd.Flags().StringVar(&challenge, "challenge", "", "challenge (may be left out when the cohort has one)")
	return cmd
}

// leaderboardDoc is GET /v1/cohorts/{id}/leaderboard.
type leaderboardDoc struct {
	Entries []struct {
		Rank     int       `json:"rank"`
		Learner  string    `json:"learner"`
		Score    int       `json:"score"`
		MaxScore int       `json:"max_score"`
		GradedAt time.Time `json:"graded_at"`
	} `json:"entries"`
}

func newCohortLeaderboardCmd(cfg *Config) *cobra.Command {
	return newCohortViewCmd(cfg, "leaderboard", "Print a cohort's leaderboard at a challenge", func(w io.Writer, doc leaderboardDoc) error {
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "RANK\tLEARNER\tSCORE\tGRADED\n")
		for _, e := range doc.Entries {
			fmt.Fprintf(tw, "%d\t%s\t%d/%d\t%s\n", e.Rank, clean(e.Learner), e.Score, e.MaxScore, e.GradedAt.Format(time.RFC3339))
		}
		return tw.Flush()
	})
}

// testsDoc is GET /v1/cohorts/{id}/tests.
type testsDoc struct {
	Learners int `json:"learners"`
	Tests    []struct {
		Name        string  `json:"name"`
		Suite       string  `json:"suite"`
		Visibility  string  `json:"visibility"`
		Passed      int     `json:"passed"`
		Failed      int     `json:"failed"`
		FailureRate float64 `json:"failure_rate"`
	} `json:"tests"`
}

func newCohortTestsCmd(cfg *Config) *cobra.Command {
	return newCohortViewCmd(cfg, "tests", "Print which tests fail most across a cohort's best submissions", func(w io.Writer, doc testsDoc) error {
		fmt.Fprintf(w, "%d learners with a graded submission\n", doc.Learners)
		tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "FAILED\tRATE\tTEST\tVISIBILITY\n")
		for _, t := range doc.Tests {
			fmt.Fprintf(tw, "%d/%d\t%.0f%%\t%s/%s\t%s\n", t.Failed, t.Failed+t.Passed, 100*t.FailureRate, clean(t.Suite), clean(t.Name), clean(t.Visibility))
		}
		return tw.Flush()
	})
}

// regradeDoc is a regrade as the service answers it.
type regradeDoc struct {
	ID        string `json:"id"`
	Challenge string `json:"challenge"`
	Version   string `json:"version"`
	State     string `json:"state"`
	Total     int    `json:"total"`
	Done      int    `json:"done"`
	Changes   []struct {
		Learner    string `json:"learner"`
		OldScore   int    `json:"old_score"`
		NewScore   int    `json:"new_score"`
		MaxScore   int    `json:"max_score"`
		OldVersion string `json:"old_version"`
		NewVersion string `json:"new_version"`
	} `json:"changes"`
	Unchanged int      `json:"unchanged"`
	Errors    int      `json:"errors"`
	Outdated  int      `json:"outdated"`
	Failed    []string `json:"failed"`
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
			var rg regradeDoc
			if apply != "" {
				if !idPattern.MatchString(apply) {
					return usageErr("--apply %q: give the id the preview printed", apply)
				}
				if err := c.sendJSON(ctx, http.MethodPost, c.path("v1", "cohorts", f.cohort, "regrades", apply, "apply"), nil, &rg); err != nil {
					return apiExit(err)
				}
				fmt.Fprintf(cmd.OutOrStdout(), "regrade %s applied: %d scores changed, %d unchanged, %d kept (could not be graded again)\n", clean(rg.ID), len(rg.Changes), rg.Unchanged, rg.Errors)
				return nil
			}
			if err := c.sendJSON(ctx, http.MethodPost, c.path("v1", "cohorts", f.cohort, "regrades"), map[string]any{"challenge": challenge}, &rg); err != nil {
				return apiExit(err)
			}
			ctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			bar := newProgressBar(cmd.ErrOrStderr(), "regrading", rg.Total)
			for rg.State == "running" {
				bar.Set(rg.Done, 0, 0)
				if err := sleepCtx(ctx, 2*time.Second); err != nil {
					bar.Finish()
					return faultErr(fmt.Errorf("regrade %s still running after %s: %w", rg.ID, timeout, err))
				}
				if err := c.getJSON(ctx, c.path("v1", "cohorts", f.cohort, "regrades", rg.ID), &rg); err != nil {
					bar.Finish()
					return apiExit(err)
				}
			}
			bar.Set(rg.Done, 0, 0)
			bar.Finish()
			if asJSON {
				b, _ := json.Marshal(rg)
				if err := printIndented(cmd.OutOrStdout(), b); err != nil {
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

func printRegrade(w io.Writer, cohort string, rg regradeDoc) {
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
	if rg.State == "previewed" {
		fmt.Fprintf(w, "nothing is recorded yet; apply with: grader cohort regrade --cohort %s --apply %s\n", clean(cohort), clean(rg.ID))
	}
}

func queryOf(k, v string) string {
	if v == "" {
		return ""
	}
	return "?" + url.Values{k: {v}}.Encode()
}

func printIndented(w io.Writer, raw []byte) error {
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		return faultErr(fmt.Errorf("the service answered unusable JSON: %w", err))
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
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

// apiExit maps a failed call to the exit status: the service refusing
// the request (4xx) is a usage error, anything else its fault.
func apiExit(err error) error {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != http.StatusTooManyRequests {
		return usageErr("%v", err)
	}
	return faultErr(err)
}

// sendJSON sends body (JSON; none when nil) with method to u and decodes
// a 2xx answer into out (none when out is nil).
func (c *apiClient) sendJSON(ctx context.Context, method, u string, body, out any) error {
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := c.newRequest(ctx, method, u, rd)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return readAPIError(resp)
	}
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDocBytes)).Decode(out); err != nil {
		return fmt.Errorf("decode %s: %w", u, err)
	}
	return nil
}

// getRaw returns the body of a 200 answer to GET u.
func (c *apiClient) getRaw(ctx context.Context, u string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, readAPIError(resp)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	return b, nil
}
