package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

func newChallengeCmd(cfg *Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "challenge",
		Short: "List, verify, start and record challenges",
	}
	cmd.AddCommand(newChallengeListCmd(cfg), newChallengeVerifyCmd(cfg), newChallengeNewCmd(cfg), newChallengeRecordCmd(cfg))
	return cmd
}

// challengeSummary is one row of `challenge list --json`.
type challengeSummary struct {
	ID string `json:"id"`
	// Status is "ok", "draft" (it loads, with warnings) or "broken" (it
	// does not load: only ID and Problems are set).
	Status     string   `json:"status"`
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Difficulty string   `json:"difficulty"`
	Tags       []string `json:"tags"`
	Version    string   `json:"version"`
	MaxScore   int      `json:"max_score"`
	Suites     []string `json:"suites"`
	// Languages are the languages the challenge is offered in.
	Languages []grader.Language `json:"languages"`
	// Warnings say what a draft lacks.
	Warnings []string `json:"warnings,omitempty"`
	// Problems say why a broken challenge does not load, one per line in
	// the loader's file:line: field: problem; fix style.
	Problems []string `json:"problems,omitempty"`
}

// Statuses of a challenge in `challenge list`.
const (
	listOK     = "ok"
	listDraft  = "draft"
	listBroken = "broken"
)

func newChallengeListCmd(cfg *Config) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the challenges of the catalog, with the problems of those that do not load",
		Long: `List the challenges of the catalog: id, status, difficulty, points,
languages, tags and title. A draft (no starter yet, fewer than two mutants) is
listed with its warnings; a challenge that does not load is listed as
broken, with every problem it has, and the command exits 1.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			all, broken, err := challenges.LoadEach(cfg.Catalog)
			if err != nil {
				return &exitError{code: exitLess, err: fmt.Errorf("catalog %s: %w", cfg.Catalog, err)}
			}
			rows := listRows(all, broken)
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(rows); err != nil {
					return err
				}
			} else if err := printList(cmd.OutOrStdout(), cmd.ErrOrStderr(), rows); err != nil {
				return err
			}
			if len(broken) > 0 {
				return &exitError{code: exitLess, err: fmt.Errorf("catalog %s: %d challenge(s) do not load", cfg.Catalog, len(broken))}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

// listRows makes the rows of `challenge list`, sorted by id.
func listRows(all []*grader.Challenge, broken []challenges.Broken) []challengeSummary {
	rows := make([]challengeSummary, 0, len(all)+len(broken))
	for _, c := range all {
		row := challengeSummary{ID: c.ID, Status: listOK, Title: c.Title, Summary: c.Summary, Difficulty: c.Difficulty, Tags: c.Tags, Version: c.Version, MaxScore: c.MaxScore(), Languages: c.OfferedLanguages(), Warnings: c.Warnings}
		if len(c.Warnings) > 0 {
			row.Status = listDraft
		}
		for _, s := range c.Suites {
			row.Suites = append(row.Suites, s.Name+" ("+string(s.Kind)+")")
		}
		rows = append(rows, row)
	}
	for _, b := range broken {
		row := challengeSummary{ID: b.ID, Status: listBroken, Tags: []string{}}
		for _, p := range challenges.Problems(b.Err) {
			row.Problems = append(row.Problems, p.Error())
		}
		if len(row.Problems) == 0 {
			row.Problems = []string{b.Err.Error()}
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b challengeSummary) int { return strings.Compare(a.ID, b.ID) })
	return rows
}

// printList writes the table to out, then the problems of broken
// challenges and the warnings of drafts to diag.
func printList(out, diag io.Writer, rows []challengeSummary) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tDIFFICULTY\tPOINTS\tLANGUAGES\tTAGS\tTITLE")
	for _, r := range rows {
		if r.Status == listBroken {
			fmt.Fprintf(tw, "%s\t%s\t-\t-\t-\t-\t(%d problem(s), below)\n", r.ID, r.Status, len(r.Problems))
			continue
		}
		langs := make([]string, len(r.Languages))
		for i, l := range r.Languages {
			langs[i] = string(l)
		}
		tags := strings.Join(r.Tags, ",")
		if tags == "" {
			tags = "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", r.ID, r.Status, r.Difficulty, r.MaxScore, strings.Join(langs, ","), tags, r.Title)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rows {
		switch {
		case r.Status == listBroken:
			fmt.Fprintf(diag, "%s does not load:\n", r.ID)
			for _, p := range r.Problems {
				fmt.Fprintf(diag, "  %s\n", p)
			}
		case len(r.Warnings) > 0:
			printWarnings(diag, r.ID, r.Warnings)
		}
	}
	return nil
}

// printWarnings writes what draft id lacks, one warning a line.
func printWarnings(w io.Writer, id string, warnings []string) {
	if len(warnings) == 0 {
		return
	}
	fmt.Fprintf(w, "%s is a draft:\n", id)
	for _, s := range warnings {
		fmt.Fprintf(w, "  warning: %s\n", s)
	}
}

// skippedNotes names the tests of a reference's result that failed
// because they skipped (t.Skip, pytest.skip, node:test's skip): a graded
// test must run, so the reference cannot score full marks while they
// skip.
func skippedNotes(c *grader.Challenge, sample string, res grader.Result) []string {
	how := map[string]string{}
	for _, s := range c.Suites {
		how[s.Name] = map[grader.SuiteKind]string{grader.SuiteGo: "t.Skip", grader.SuitePytest: "pytest.skip", grader.SuiteNodeTest: "skip"}[s.Kind]
	}
	var notes []string
	for _, t := range res.Tests {
		if t.Message == grader.TestSkippedMessage {
			notes = append(notes, fmt.Sprintf("%s: the %s's test %s was skipped (%s): a skipped test fails with 0 points; make it run", c.ID, sample, t.Name, how[t.Suite]))
		}
	}
	return notes
}
