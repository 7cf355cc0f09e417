package main

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
)

func newCohortTokensCmd(cfg *Config) *cobra.Command {
	var f cohortFlags
	var learners, output string
	cmd := &cobra.Command{
		Use:   "tokens --cohort C [--learners a,b] [-o tokens.csv]",
		Short: "Issue learner tokens for a cohort (revoking each learner's previous one) as CSV: learner,token",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, cfg, true)
			if err != nil {
				return err
			}
			out, err := c.IssueTokens(cmd.Context(), f.cohort, splitList(learners))
			if err != nil {
				return apiExit(c, err, "")
			}
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			_ = w.Write([]string{"learner", "token"})
			for _, t := range out.Tokens {
				_ = w.Write([]string{t.Learner, t.Token})
			}
			w.Flush()
			return writeOutput(cmd, output, buf.Bytes(), 0o600)
		},
	}
	f.bind(cmd, true)
	cmd.Flags().StringVar(&learners, "learners", "", "learners to issue tokens to, comma-separated (default: every learner)")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file (mode 0600) instead of stdout")
	return cmd
}

func newCohortRevokeCmd(cfg *Config) *cobra.Command {
	var f cohortFlags
	var learners string
	cmd := &cobra.Command{
		Use:   "revoke --cohort C --learners a,b",
		Short: "Revoke learners' tokens for a cohort: they no longer sign in",
		Long: `Revoke the tokens issued to learners for a cohort. Each is tried in turn;
the command exits 2 if the service refused any (a learner holding no token
of the cohort), 3 if it failed. Removing a learner from a cohort (cohort
create --update) revokes their token too; cohort tokens issues new ones.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := f.client(cmd, cfg, true)
			if err != nil {
				return err
			}
			names := splitList(learners)
			if len(names) == 0 {
				return usageErr("--learners is required: the learners whose tokens to revoke, comma-separated")
			}
			code := 0
			for _, l := range names {
				err := c.RevokeToken(cmd.Context(), f.cohort, l)
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "grader: %s: %v\n", l, err)
					var ee *exitError
					if errors.As(apiExit(c, err, ""), &ee) {
						code = max(code, ee.code)
					}
					continue
				}
				fmt.Fprintf(cmd.OutOrStdout(), "revoked the token of %s in cohort %s\n", l, f.cohort)
			}
			if code != 0 {
				return &exitError{code: code, err: fmt.Errorf("some tokens of cohort %s were not revoked", f.cohort)}
			}
			return nil
		},
	}
	f.bind(cmd, true)
	cmd.Flags().StringVar(&learners, "learners", "", "learners whose tokens to revoke, comma-separated")
	return cmd
}
