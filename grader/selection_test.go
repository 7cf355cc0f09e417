package grader

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func selectionChallenge() *Challenge {
	return &Challenge{ID: "links", Suites: []Suite{
		{Name: "api", Kind: SuiteHTTP, Tests: []TestSpec{{Name: "create a link", Points: 2}, {Name: "follow a link", Points: 3}, {Name: "create twice", Points: 1}}},
		{Name: "unit", Kind: SuiteGo, Tests: []TestSpec{{Name: "TestCreate", Points: 4}, {Name: "TestRace", Points: 5}}},
		{Name: "py", Kind: SuitePytest, Tests: []TestSpec{{Name: "test_create", Points: 4}}},
	}}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		name string
		sel  Selection
		want map[string][]string // suite → tests kept, in order
		max  int
	}{
		{"everything", Selection{}, map[string][]string{"api": {"create a link", "follow a link", "create twice"}, "unit": {"TestCreate", "TestRace"}, "py": {"test_create"}}, 15},
		{"one suite", Selection{Suite: "unit"}, map[string][]string{"unit": {"TestCreate", "TestRace"}}, 9},
		{"by name across suites", Selection{Run: regexp.MustCompile("(?i)create")}, map[string][]string{"api": {"create a link", "create twice"}, "unit": {"TestCreate"}}, 7},
		{"by name in a suite", Selection{Suite: "api", Run: regexp.MustCompile("^follow")}, map[string][]string{"api": {"follow a link"}}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := selectionChallenge()
			got, err := c.Select(LanguageGo, tc.sel)
			if err != nil {
				t.Fatal(err)
			}
			kept := map[string][]string{}
			for _, s := range got.Suites {
				for _, ts := range s.Tests {
					kept[s.Name] = append(kept[s.Name], ts.Name)
				}
			}
			if diff := cmp.Diff(tc.want, kept); diff != "" {
				t.Errorf("kept (-want +got):\n%s", diff)
			}
			if m := got.MaxScoreFor(LanguageGo); m != tc.max {
				t.Errorf("max score %d, want %d", m, tc.max)
			}
			if len(c.Suites) != 3 || len(c.Suites[0].Tests) != 3 {
				t.Error("Select changed the challenge it was given")
			}
		})
	}
}

func TestSelectRefuses(t *testing.T) {
	c := selectionChallenge()
	for _, tc := range []struct {
		sel  Selection
		want []string
	}{
		{Selection{Suite: "http"}, []string{`no suite "http"`, "api (http, 3 tests), unit (go, 2 tests)"}},
		{Selection{Suite: "py"}, []string{`no suite "py" in go`}},
		{Selection{Run: regexp.MustCompile("delete")}, []string{`among tests matching "delete"`, "api (http, 3 tests)"}},
		{Selection{Suite: "unit", Run: regexp.MustCompile("link")}, []string{`among suite unit, tests matching "link"`}},
	} {
		_, err := c.Select(LanguageGo, tc.sel)
		if err == nil {
			t.Errorf("%s: selected", tc.sel)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", tc.sel, err, w)
			}
		}
	}
}
