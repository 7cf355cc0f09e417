package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/scaffold"
)

func newChallengeNewCmd(cfg *Config) *cobra.Command {
	var (
		suite     string
		languages []string
		dir       string
	)
	cmd := &cobra.Command{
		Use:   "new <id> --suite http|go [--languages go,python,javascript] [--dir <folder>]",
		Short: "Write a new challenge that verify passes as it is, to change step by step",
		Long: `Write a complete challenge into <dir>/<id>: challenge.yaml, a statement
(README.md), a starter, a reference solution, two mutants, visible and
hidden tests and the golden results of every sample, in each language
asked for. ` + "`grader challenge verify <dir>/<id>`" + ` passes on it before you
change anything; docs/challenge-format.md walks through changing it.

--suite http writes a tiny JSON API (GET /health, POST /items, GET
/items/{id}) tested from outside by an http suite; --suite go writes one
function, clamp, with hidden unit tests (go, and pytest or node-test for
Python and JavaScript).`,
		Args: exactArgs(1, "the new challenge's id"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dir == "" {
				dir = cfg.Catalog
			}
			if suite == "" {
				return usageErr("say which suite to write: --suite http (a service tested from outside) or --suite go (unit tests of one function)")
			}
			o := scaffold.Options{ID: args[0], Suite: suite}
			for _, l := range languages {
				o.Languages = append(o.Languages, grader.Language(strings.TrimSpace(l)))
			}
			if err := o.Check(); err != nil {
				return usageErr("%w", err)
			}
			out, err := scaffold.Write(dir, o)
			if errors.Is(err, scaffold.ErrExists) || errors.Is(err, scaffold.ErrInvalid) {
				return usageErr("%w", err)
			}
			if err != nil {
				return &exitError{code: exitLess, err: err}
			}
			rel := out
			if r, err := filepath.Rel(".", out); err == nil && !strings.HasPrefix(r, "..") {
				rel = "." + string(filepath.Separator) + r
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "wrote %s\n\n", out)
			fmt.Fprintf(w, "check it (Docker and the grader's images):\n  grader challenge verify %s\n", rel)
			fmt.Fprintln(w, "then change it step by step: docs/challenge-format.md, \"Start from a new challenge\"")
			return nil
		},
	}
	cmd.Flags().StringVar(&suite, "suite", "", "the kind of suite: http (a service tested from outside) or go (unit tests of one function)")
	cmd.Flags().StringSliceVar(&languages, "languages", nil, "the languages to offer, comma-separated: go, python, javascript (default go)")
	cmd.Flags().StringVar(&dir, "dir", "", "the folder to write the challenge into (default: the catalog, --catalog)")
	return cmd
}
