package challenges

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

// TestDrafts: a challenge without its starter or with fewer than two
// mutants loads, with a warning for each thing it lacks; a sample that is
// there but broken is still a problem.
func TestDrafts(t *testing.T) {
	noStarter := edit{"starter/go.mod", "", ""}
	noMutantB := []edit{{"mutants/b/go.mod", "", ""}, {"mutants/b/notes.txt", "", ""}}
	noMutants := append([]edit{{"mutants/a/go.mod", "", ""}}, noMutantB...)
	tests := []struct {
		name     string
		edits    []edit
		warnings []string
		samples  []string // kind:name
	}{
		{"finished", nil, nil, []string{"solution:solution", "starter:starter", "mutant:a", "mutant:b"}},
		{"no starter", []edit{noStarter}, []string{"demo/starter: is missing"}, []string{"solution:solution", "mutant:a", "mutant:b"}},
		{"one mutant", noMutantB, []string{"demo/mutants: holds 1 mutant(s); a finished challenge has at least 2"}, []string{"solution:solution", "starter:starter", "mutant:a"}},
		{"no mutants folder", noMutants, []string{"demo/mutants: is missing"}, []string{"solution:solution", "starter:starter"}},
		{"solution alone", append([]edit{noStarter}, noMutants...), []string{"demo/starter: is missing", "demo/mutants: is missing"}, []string{"solution:solution"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "demo")
			writeFiles(t, dir, apply(t, demoFiles(), tc.edits...))
			c, err := Load(dir)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(c.Warnings) != len(tc.warnings) {
				t.Fatalf("warnings = %q, want %d", c.Warnings, len(tc.warnings))
			}
			for i, w := range tc.warnings {
				got := strings.TrimPrefix(filepath.ToSlash(c.Warnings[i]), filepath.ToSlash(filepath.Dir(dir))+"/")
				if !strings.HasPrefix(got, w) || !strings.Contains(got, "; add ") {
					t.Errorf("warning %d = %q, want it to start with %q and say what to add", i, got, w)
				}
			}
			samples, err := SamplesOf(c)
			if err != nil {
				t.Fatalf("SamplesOf: %v", err)
			}
			var got []string
			for _, s := range samples {
				got = append(got, s.Kind+":"+s.Name)
			}
			if diff := cmp.Diff(tc.samples, got); diff != "" {
				t.Errorf("samples (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDraftRulesStillRefuse: what a draft may lack is a warning, but a
// starter or mutant that is there must be a complete submission, and the
// reference is never optional.
func TestDraftRulesStillRefuse(t *testing.T) {
	tests := []struct {
		name  string
		edits []edit
		file  string
		want  string
	}{
		{"no solution", []edit{{"solution/go.mod", "", ""}, {"solution/x.go", "", ""}}, "demo/solution", "is missing"},
		{"starter without go.mod", []edit{{"starter/go.mod", "", ""}, {"starter/main.go", "", "package main\n"}}, "demo/starter", "does not hold go.mod"},
		{"mutant without go.mod", []edit{{"mutants/b/go.mod", "", ""}}, "demo/mutants/b", "does not hold go.mod"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := loadDemo(t, tc.edits...)
			assertProblem(t, err, tc.file, "", tc.want)
		})
	}
}

func TestDraftInAnotherLanguage(t *testing.T) {
	c, err := LoadFS(mapFS("poly", apply(t, polyFiles(), edit{"languages/python/mutants/b/app.py", "", ""})), "poly")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	if len(c.Warnings) != 1 || !strings.Contains(c.Warnings[0], "poly/languages/python/mutants: holds 1 mutant(s)") {
		t.Errorf("warnings = %q, want one about the python mutants", c.Warnings)
	}
	if _, ok := c.Offering(grader.LanguagePython); !ok {
		t.Error("the draft lost its python offering")
	}
}
