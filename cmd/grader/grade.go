package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/report"
)

// Output formats of grader grade.
const (
	gradeFormatText       = "text"       // the human report
	gradeFormatJSON       = "json"       // the result document
	gradeFormatGradescope = "gradescope" // Gradescope's results.json
)

var gradeFormats = []string{gradeFormatText, gradeFormatJSON, gradeFormatGradescope}

// gradeOutput is what grade prints: a format and the view of the result.
type gradeOutput struct {
	format string
	view   grader.View
}

// resolveGradeOutput checks --format, the deprecated --json and --view
// together; changed reports whether a flag was given. --json is --format
// json, so it conflicts with any other --format. --format gradescope
// prints the instructor view unless --view says otherwise: Gradescope
// itself hides tests from students by their visibility.
func resolveGradeOutput(changed func(flag string) bool, format string, asJSON bool, view string) (gradeOutput, error) {
	known := false
	for _, f := range gradeFormats {
		known = known || f == format
	}
	if !known {
		return gradeOutput{}, usageErr("--format %q: use %s", format, strings.Join(gradeFormats, ", "))
	}
	if asJSON {
		if changed("format") && format != gradeFormatJSON {
			return gradeOutput{}, usageErr("--json and --format %s conflict: --json means --format json", format)
		}
		format = gradeFormatJSON
	}
	v := grader.View(view)
	if !changed("view") && format == gradeFormatGradescope {
		v = grader.ViewInstructor
	}
	if v != grader.ViewLearner && v != grader.ViewInstructor {
		return gradeOutput{}, usageErr("--view %q: use learner or instructor", view)
	}
	return gradeOutput{format: format, view: v}, nil
}

// printGradeResult writes res, already in the view to show, in format.
func printGradeResult(w io.Writer, format, title string, res grader.Result) error {
	var doc any
	switch format {
	case gradeFormatText:
		printResult(w, title, res)
		return nil
	case gradeFormatJSON:
		doc = res
	case gradeFormatGradescope:
		doc = report.GradescopeOf(res)
	default:
		return fmt.Errorf("print result: unknown format %q", format)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("print result: %w", err)
	}
	return nil
}

func newGradeCmd(cfg *Config) *cobra.Command {
	var (
		challengeRef string
		format       string
		asJSON       bool
		view         string
		quiet        bool
		language     string
		run          string
		suite        string
	)
	cmd := &cobra.Command{
		Use:   "grade --challenge <id|path> [--language go|python|javascript] [--suite NAME] [--run REGEX] [--format text|json|gradescope] [--view learner|instructor] <dir|archive>",
		Short: "Grade a solution locally with the same engine the service uses",
		Long: `Grade a solution (a folder or a zip/tar/tar.gz archive) against a challenge
from the catalog (by id) or from a folder (by path), in one of the languages
the challenge offers: go (a Go module, go.mod at its root), python (.py files,
started as the challenge says: python3 app.py by default) or javascript (.js
files, node server.js by default). Without --language the language is told
from the files at the solution's root: go.mod; requirements.txt,
pyproject.toml or .py files; package.json or .js files.

--format text (the default) prints a report for people, --format json the
result document, --format gradescope Gradescope's results.json (in the
instructor view unless --view is given: Gradescope shows hidden tests to
students only once grades are published). --json is the deprecated
spelling of --format json.

--suite NAME and --run REGEX grade part of the challenge while you work on
it: one suite, the tests whose names match a Go regular expression (as go
test -run does), or both. The maximum score is then the points of the tests
that ran, and the result's message says the run was partial. An http
suite's tests share one running service, in order, so a test that relies on
what a skipped one left behind may fail on its own.

Exit status: 0 full marks, 1 less than full marks, 2 bad usage or a rejected
submission, 3 a fault of the grader itself (Docker, images).`,
		Args: exactArgs(1, "one folder or archive to grade"),
		RunE: func(cmd *cobra.Command, args []string) error {
			out, err := resolveGradeOutput(cmd.Flags().Changed, format, asJSON, view)
			if err != nil {
				return err
			}
			if asJSON {
				fmt.Fprintln(cmd.ErrOrStderr(), "grader: --json is deprecated: use --format json")
			}
			v := out.view
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
			printWarnings(cmd.ErrOrStderr(), ch.ID, ch.Warnings)
			lang, err := gradeLanguage(ch, language)
			if err != nil {
				return err
			}
			sub, err := grader.ReadPathFor("", lang, ch.OfferedLanguages(), args[0], grader.SubmissionLimits{})
			if err != nil {
				if grader.IsRejected(err) {
					return usageErr("%v", err)
				}
				return faultErr(err)
			}
			lang = sub.Language
			full := ch
			sel, err := gradeSelection(ch, lang, suite, run)
			if err != nil {
				return err
			}
			if ch, err = ch.Select(lang, sel); err != nil {
				return usageErr("%v", err)
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
			if !sel.IsZero() {
				res.Message = fmt.Sprintf("partial run (%s: %d of %d tests): %s", sel, ch.TestCount(lang), full.TestCount(lang), res.Message)
			}
			if err := printGradeResult(cmd.OutOrStdout(), out.format, ch.Title, res.As(v)); err != nil {
				return faultErr(err)
			}
			if !res.Passed() {
				return &exitError{code: exitLess, err: errQuiet}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&challengeRef, "challenge", "c", "", "challenge id from the catalog, or a path to a challenge folder")
	f.StringVar(&format, "format", gradeFormatText, "how to print the result: text, json (the result document) or gradescope (Gradescope's results.json)")
	// Not cobra's MarkDeprecated: its notice goes to the command's output,
	// which is stdout here, and would corrupt the JSON.
	f.BoolVar(&asJSON, "json", false, "deprecated: use --format json")
	f.StringVar(&view, "view", string(grader.ViewLearner), "which view of the result to print: learner or instructor (--format gradescope: instructor unless given)")
	f.BoolVarP(&quiet, "quiet", "q", false, "do not show progress while grading")
	f.StringVar(&language, "language", "", "the submission's language, one the challenge offers: go, python or javascript (default: told from the files)")
	f.StringVar(&suite, "suite", "", "grade only the suite of this name")
	f.StringVar(&run, "run", "", "grade only the tests whose names match this regular expression")
	return cmd
}

// gradeSelection checks --suite and --run against the suites of ch that
// grade lang; a mistake is a usage error that names them.
func gradeSelection(ch *grader.Challenge, lang grader.Language, suite, run string) (grader.Selection, error) {
	sel := grader.Selection{Suite: suite}
	if run != "" {
		re, err := regexp.Compile(run)
		if err != nil {
			return sel, usageErr("--run %q is not a regular expression (%v); the suites of %s: %s", run, err, ch.ID, suiteList(ch, lang))
		}
		sel.Run = re
	}
	return sel, nil
}

// suiteList names the suites of ch that grade lang, with their tests:
// "api (http): create a link, follow a link; unit (go): TestRace".
func suiteList(ch *grader.Challenge, lang grader.Language) string {
	var parts []string
	for _, s := range ch.SuitesFor(lang) {
		names := make([]string, len(s.Tests))
		for i, t := range s.Tests {
			names[i] = t.Name
		}
		parts = append(parts, fmt.Sprintf("%s (%s): %s", s.Name, s.Kind, strings.Join(names, ", ")))
	}
	return strings.Join(parts, "; ")
}

// gradeLanguage checks --language against what ch offers; "" (detect
// from the files) passes.
func gradeLanguage(ch *grader.Challenge, flag string) (grader.Language, error) {
	if flag == "" {
		return "", nil
	}
	lang := grader.Language(flag)
	offered := ch.OfferedLanguages()
	names := make([]string, len(offered))
	for i, l := range offered {
		names[i] = string(l)
	}
	if _, ok := ch.Offering(lang); !ok {
		return "", usageErr("--language %q: challenge %s is offered in %s", flag, ch.ID, strings.Join(names, ", "))
	}
	return lang, nil
}
