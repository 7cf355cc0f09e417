package scaffold

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

var all = []grader.Language{grader.LanguageGo, grader.LanguagePython, grader.LanguageJavaScript}

// TestWriteLoads writes every variant and loads it with the loader: each
// offered language has a solution, a starter and two mutants, and the
// suites grade every language out of the same points.
func TestWriteLoads(t *testing.T) {
	variants := []struct {
		name      string
		suite     string
		languages []grader.Language
		suites    []string
	}{
		{"http go", SuiteHTTP, nil, []string{"api (http)"}},
		{"http all", SuiteHTTP, all, []string{"api (http)"}},
		{"http python", SuiteHTTP, []grader.Language{grader.LanguagePython}, []string{"api (http)"}},
		{"go go", SuiteGo, nil, []string{"unit (go)"}},
		{"go all", SuiteGo, all, []string{"unit (go)", "unit-py (pytest)", "unit-js (node-test)"}},
		{"go javascript", SuiteGo, []grader.Language{grader.LanguageJavaScript}, []string{"unit-js (node-test)"}},
	}
	for _, v := range variants {
		t.Run(v.name, func(t *testing.T) {
			dir := t.TempDir()
			got, err := Write(dir, Options{ID: "demo", Suite: v.suite, Languages: v.languages})
			if err != nil {
				t.Fatal(err)
			}
			if want := filepath.Join(dir, "demo"); got != want {
				t.Errorf("Write = %s, want %s", got, want)
			}
			c, err := challenges.Load(got)
			if err != nil {
				t.Fatalf("the new challenge does not load:\n%v", err)
			}
			var suites []string
			for _, s := range c.Suites {
				suites = append(suites, s.Name+" ("+string(s.Kind)+")")
			}
			if diff := cmp.Diff(v.suites, suites); diff != "" {
				t.Errorf("suites (-want +got):\n%s", diff)
			}
			langs := v.languages
			if langs == nil {
				langs = []grader.Language{grader.LanguageGo}
			}
			if diff := cmp.Diff(langs, c.OfferedLanguages()); diff != "" {
				t.Errorf("languages (-want +got):\n%s", diff)
			}
			samples, err := challenges.SamplesOf(c)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[grader.Language][]string{}
			for _, s := range samples {
				kinds[s.Language] = append(kinds[s.Language], s.Kind)
				golden := filepath.Join(got, "testdata", s.Golden())
				b, err := os.ReadFile(golden)
				if err != nil {
					t.Errorf("%s %s: no golden result: %v", s.Language, s.Name, err)
					continue
				}
				if !strings.Contains(string(b), `"challenge_version": "`+c.Version+`"`) || !strings.Contains(string(b), `"challenge": "demo"`) {
					t.Errorf("%s does not name challenge demo at version %s:\n%s", golden, c.Version, b)
				}
			}
			for _, l := range langs {
				want := []string{challenges.SampleSolution, challenges.SampleStarter, challenges.SampleMutant, challenges.SampleMutant}
				if diff := cmp.Diff(want, kinds[l]); diff != "" {
					t.Errorf("%s samples (-want +got):\n%s", l, diff)
				}
			}
			var visible, hidden int
			for _, s := range c.Suites {
				for _, tc := range s.Tests {
					if tc.Visibility == grader.Hidden {
						hidden++
					} else {
						visible++
					}
				}
			}
			if visible == 0 || hidden == 0 {
				t.Errorf("%d visible and %d hidden tests; want some of each", visible, hidden)
			}
			leftovers, _ := filepath.Glob(filepath.Join(dir, ".new-*"))
			if len(leftovers) > 0 {
				t.Errorf("left behind: %v", leftovers)
			}
		})
	}
}

func TestWriteRefuses(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "taken"), 0o755); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		o    Options
		want string
	}{
		{"existing folder", Options{ID: "taken", Suite: SuiteHTTP}, "already exists; choose another id or remove the folder"},
		{"upper case", Options{ID: "Demo", Suite: SuiteHTTP}, `"Demo" is not a valid challenge id: use 2 to 41 lower-case letters, digits and dashes, starting with a letter`},
		{"too short", Options{ID: "d", Suite: SuiteHTTP}, `"d" is not a valid challenge id`},
		{"a path", Options{ID: "../demo", Suite: SuiteHTTP}, `"../demo" is not a valid challenge id`},
		{"unknown suite", Options{ID: "demo", Suite: "grpc"}, `unknown suite "grpc"; choose one of: http, go`},
		{"unknown language", Options{ID: "demo", Suite: SuiteGo, Languages: []grader.Language{"rust"}}, `unknown language "rust"; choose among: go, python, javascript`},
		{"language twice", Options{ID: "demo", Suite: SuiteGo, Languages: []grader.Language{"go", "go"}}, "language go is named twice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Write(dir, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Write = %v, want an error containing %q", err, tc.want)
			}
		})
	}
	if _, err := Write(dir, Options{ID: "taken", Suite: SuiteHTTP}); !errors.Is(err, ErrExists) {
		t.Errorf("Write over a folder = %v, want ErrExists", err)
	}
	if _, err := Write(dir, Options{ID: "Demo", Suite: SuiteHTTP}); !errors.Is(err, ErrInvalid) {
		t.Errorf("Write with an invalid id = %v, want ErrInvalid", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("refusals left files behind: %v", entries)
	}
	if _, err := Write(filepath.Join(dir, "missing"), Options{ID: "demo", Suite: SuiteHTTP}); err == nil || !strings.Contains(err.Error(), "pass --dir") {
		t.Errorf("Write into a missing folder = %v, want advice on --dir", err)
	}
}
