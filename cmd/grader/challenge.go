package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

func newChallengeCmd(cfg *Config) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "challenge",
		Short: "List, verify and start challenges",
	}
	cmd.AddCommand(newChallengeListCmd(cfg), newChallengeVerifyCmd(cfg), newChallengeNewCmd(cfg))
	return cmd
}

// challengeSummary is one row of `challenge list --json`.
type challengeSummary struct {
	ID         string   `json:"id"`
	Title      string   `json:"title"`
	Summary    string   `json:"summary"`
	Difficulty string   `json:"difficulty"`
	Tags       []string `json:"tags"`
	Version    string   `json:"version"`
	MaxScore   int      `json:"max_score"`
	Suites     []string `json:"suites"`
	// Languages are the languages the challenge is offered in.
	Languages []grader.Language `json:"languages"`
}

func newChallengeListCmd(cfg *Config) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List the challenges of the catalog",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			all, err := challenges.LoadAll(cfg.Catalog)
			if err != nil {
				return &exitError{code: exitLess, err: fmt.Errorf("catalog %s: %w", cfg.Catalog, err)}
			}
			rows := make([]challengeSummary, 0, len(all))
			for _, c := range all {
				row := challengeSummary{ID: c.ID, Title: c.Title, Summary: c.Summary, Difficulty: c.Difficulty, Tags: c.Tags, Version: c.Version, MaxScore: c.MaxScore(), Languages: c.OfferedLanguages()}
				for _, s := range c.Suites {
					row.Suites = append(row.Suites, s.Name+" ("+string(s.Kind)+")")
				}
				rows = append(rows, row)
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rows)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tDIFFICULTY\tPOINTS\tLANGUAGES\tTITLE")
			for _, r := range rows {
				langs := make([]string, len(r.Languages))
				for i, l := range r.Languages {
					langs[i] = string(l)
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\n", r.ID, r.Difficulty, r.MaxScore, strings.Join(langs, ","), r.Title)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
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
