package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
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
