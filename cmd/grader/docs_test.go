package main

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
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

// TestDocsYAMLParses checks every YAML example of the docs parses, and
// that an example of a Kubernetes object (apiVersion and kind) names it
// and has a spec: they are validated here rather than left as prose.
func TestDocsYAMLParses(t *testing.T) {
	files, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, "../../deploy/README.md", "../../README.md")
	blocks := 0
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, block := range yamlBlocks(string(data)) {
			blocks++
			var docs []map[string]any
			dec := yaml.NewDecoder(strings.NewReader(block))
			for {
				var v any
				if err := dec.Decode(&v); err == io.EOF {
					break
				} else if err != nil {
					t.Errorf("%s: YAML example %d does not parse: %v\n%s", f, i+1, err, block)
					break
				}
				if m, ok := v.(map[string]any); ok {
					docs = append(docs, m)
				}
			}
			for _, d := range docs {
				if d["apiVersion"] == nil || d["kind"] == nil {
					continue
				}
				meta, _ := d["metadata"].(map[string]any)
				if meta == nil || meta["name"] == nil || d["spec"] == nil {
					t.Errorf("%s: the %v example has no metadata.name or no spec", f, d["kind"])
				}
			}
		}
	}
	if blocks == 0 {
		t.Fatal("found no YAML example in the docs")
	}
}

// yamlBlocks returns the fenced ```yaml blocks of a Markdown text,
// their common indentation removed.
func yamlBlocks(md string) []string {
	var out []string
	var cur []string
	in, indent := false, ""
	for _, line := range strings.Split(md, "\n") {
		trimmed := strings.TrimLeft(line, " ")
		switch {
		case !in && strings.HasPrefix(trimmed, "```yaml"):
			in, indent, cur = true, line[:len(line)-len(trimmed)], nil
		case in && strings.HasPrefix(trimmed, "```"):
			in = false
			out = append(out, strings.Join(cur, "\n"))
		case in:
			cur = append(cur, strings.TrimPrefix(line, indent))
		}
	}
	return out
}
