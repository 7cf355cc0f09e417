package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// gradeInDocs matches a `grader grade` command in the docs, up to the end
// of its line or of its code span.
var gradeInDocs = regexp.MustCompile("grader grade[^`\n]*")

// TestDocsUseCurrentGradeFlags reads every `grader grade` command in the
// README and docs/ and checks each flag it uses against the command:
// a flag grade does not know, or one its help calls deprecated, would
// teach readers what --help tells them not to use.
func TestDocsUseCurrentGradeFlags(t *testing.T) {
	flags := newGradeCmd(&Config{}).Flags()
	docs, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, path := range append(docs, "../../README.md") {
		text, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(text), "\n") {
			for _, cmd := range gradeInDocs.FindAllString(line, -1) {
				for _, word := range strings.Fields(cmd) {
					name, ok := strings.CutPrefix(word, "--")
					if !ok {
						continue
					}
					seen++
					name, _, _ = strings.Cut(name, "=")
					f := flags.Lookup(name)
					switch {
					case f == nil:
						t.Errorf("%s:%d: grade has no flag --%s: %s", path, i+1, name, cmd)
					case strings.HasPrefix(f.Usage, "deprecated"):
						t.Errorf("%s:%d: --%s is %s: %s", path, i+1, name, f.Usage, cmd)
					}
				}
			}
		}
	}
	if seen == 0 {
		t.Fatal("found no grade flags in the docs; the pattern no longer matches them")
	}
}

// envInUsage finds the variable a flag's help names: "(env NAME)".
var envInUsage = regexp.MustCompile(`\(env ([A-Z_]+)\)`)

// TestServiceSettingsAreDocumented: every environment variable a flag of
// serve, worker or status names is in docs/service.md, so the table of
// settings there stays whole.
func TestServiceSettingsAreDocumented(t *testing.T) {
	text, err := os.ReadFile("../../docs/service.md")
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	seen := 0
	for _, cmd := range []*cobra.Command{newServeCmd(&cfg), newWorkerCmd(&cfg), newStatusCmd()} {
		for _, m := range envInUsage.FindAllStringSubmatch(cmd.Flags().FlagUsages(), -1) {
			seen++
			if !strings.Contains(string(text), "`"+m[1]+"`") {
				t.Errorf("%s: docs/service.md does not document %s", cmd.Name(), m[1])
			}
		}
	}
	if seen == 0 {
		t.Fatal("found no (env NAME) in the flags' help; the pattern no longer matches them")
	}
}
