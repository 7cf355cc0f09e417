package grader

import (
	"fmt"
	"regexp"
	"strings"
)

// Selection is part of a challenge to grade, for an instructor iterating
// on one test: a suite, tests by name, or both. The zero Selection keeps
// everything.
type Selection struct {
	// Suite, when set, keeps only the suite of that name.
	Suite string
	// Run, when set, keeps only the tests whose names it matches
	// (anywhere in the name, as go test -run does; anchor it with ^ and $
	// for one test).
	Run *regexp.Regexp
}

// IsZero reports whether s keeps everything.
func (s Selection) IsZero() bool { return s.Suite == "" && s.Run == nil }

// String describes s for a report: `suite api, tests matching "^create"`.
func (s Selection) String() string {
	var parts []string
	if s.Suite != "" {
		parts = append(parts, "suite "+s.Suite)
	}
	if s.Run != nil {
		parts = append(parts, fmt.Sprintf("tests matching %q", s.Run.String()))
	}
	if len(parts) == 0 {
		return "every test"
	}
	return strings.Join(parts, ", ")
}

// Select returns a copy of c that grades, in language l, only what sel
// keeps: suites with no test left are dropped, so they are not built or
// run, and the maximum score is the points of the tests kept. It returns
// an error, naming what there is to choose from, when sel names a suite
// that does not grade l or keeps no test.
//
// The tests of an http suite share one running service, in order (see
// docs/challenge-format.md): a test that relies on what an earlier one
// left behind may fail when that one is not selected. A pytest or
// node-test suite still runs every test of its files; only the selected
// ones are graded.
func (c *Challenge) Select(l Language, sel Selection) (*Challenge, error) {
	out := *c
	if sel.IsZero() {
		return &out, nil
	}
	suites := c.SuitesFor(l)
	if sel.Suite != "" && !hasSuiteNamed(suites, sel.Suite) {
		return nil, fmt.Errorf("challenge %s has no suite %q in %s; its suites: %s", c.ID, sel.Suite, l, suiteNames(suites))
	}
	out.Suites = nil
	for _, s := range suites {
		if sel.Suite != "" && s.Name != sel.Suite {
			continue
		}
		kept := s
		kept.Tests = nil
		for _, t := range s.Tests {
			if sel.Run == nil || sel.Run.MatchString(t.Name) {
				kept.Tests = append(kept.Tests, t)
			}
		}
		if len(kept.Tests) > 0 {
			out.Suites = append(out.Suites, kept)
		}
	}
	if len(out.Suites) == 0 {
		return nil, fmt.Errorf("no test of challenge %s in %s is among %s; its suites: %s", c.ID, l, sel, suiteNames(suites))
	}
	return &out, nil
}

func hasSuiteNamed(suites []Suite, name string) bool {
	for _, s := range suites {
		if s.Name == name {
			return true
		}
	}
	return false
}

// suiteNames lists suites for a message: "api (http, 12 tests), unit (go, 3 tests)".
func suiteNames(suites []Suite) string {
	names := make([]string, len(suites))
	for i, s := range suites {
		names[i] = fmt.Sprintf("%s (%s, %d tests)", s.Name, s.Kind, len(s.Tests))
	}
	return strings.Join(names, ", ")
}

// TestCount is how many tests the suites of c that grade l hold.
func (c *Challenge) TestCount(l Language) int {
	n := 0
	for _, s := range c.SuitesFor(l) {
		n += len(s.Tests)
	}
	return n
}
