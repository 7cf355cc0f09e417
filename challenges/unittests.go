package challenges

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/gradebox/grader/grader"
)

// nodeTestCall finds a top-level node:test test at the start of a line:
// test('name', ...) or it("name", ...).
var nodeTestCall = regexp.MustCompile("(?m)^(?:test|it)\\(\\s*(['\"`])([^'\"`\\n]+)['\"`]")

// unitSuite fills s from a pytest or node-test suite's fields: its hidden
// files (base name to content) and one graded test per top-level test
// found in them (a pytest function def test_xxx, a node:test call
// test('name', ...) at the start of a line), in the order of files and
// source.
func (l *loader) unitSuite(field string, sf suiteFile, vis grader.Visibility, s *grader.Suite) {
	kind := grader.SuiteKind(sf.Kind)
	example, fileRule := "tests/test_ledger.py", "name hidden pytest files test_*.py"
	if kind == grader.SuiteNodeTest {
		example, fileRule = "tests/ledger.test.js", "name hidden node:test files *.test.js"
	}
	switch {
	case sf.File != "":
		l.bad(field+".file", "list the test files as files: ["+example+"]; file is for http suites", "is set on a %s suite", kind)
	case sf.Package != "" || sf.Race != nil:
		l.bad(field, "remove package and race; they belong to go suites", "has fields of a go suite")
	}
	points := l.points(yamlName, field+".points", sf.Points, 1)
	if len(sf.Files) == 0 {
		l.bad(field+".files", "list the hidden test files, e.g. ["+example+"]", "missing")
		return
	}
	s.Files = map[string][]byte{}
	var names []string
	defined := map[string]string{}
	complete := true
	for j, name := range sf.Files {
		f := fmt.Sprintf("%s.files[%d]", field, j)
		base := path.Base(name)
		ok := strings.HasPrefix(base, "test_") && strings.HasSuffix(base, ".py")
		if kind == grader.SuiteNodeTest {
			ok = strings.HasSuffix(base, ".test.js") || strings.HasSuffix(base, ".test.cjs")
		}
		if !ok {
			l.bad(f, fileRule, "%q is not a %s test file", name, kind)
			complete = false
			continue
		}
		if !l.hiddenFile(f, name) {
			complete = false
			continue
		}
		if _, dup := s.Files[base]; dup {
			l.bad(f, "rename one of them: hidden files are copied into one folder by base name", "%s has a base name already listed", name)
			complete = false
			continue
		}
		data, err := l.read(name)
		if err != nil {
			l.add(name, "", "make the file readable", "cannot be read: %v", unwrapPath(err))
			complete = false
			continue
		}
		s.Files[base] = data
		for _, t := range unitTestNames(kind, data) {
			if prev, dup := defined[t]; dup {
				l.add(name, t, "rename one of them", "%s is also defined in %s", t, prev)
				continue
			}
			defined[t] = name
			names = append(names, t)
		}
	}
	if len(names) == 0 && complete {
		l.bad(field+".files", "add top-level tests to the files (def test_xxx(): for pytest, test('name', ...) at the start of a line for node:test)", "hold no tests")
	}
	s.Tests = l.goTests(field, sf.Tests, names, points, vis, complete)
}

// unitTestNames lists the graded tests of a hidden pytest or node:test
// file.
func unitTestNames(kind grader.SuiteKind, src []byte) []string {
	if kind == grader.SuitePytest {
		return grader.PytestTests(src)
	}
	var out []string
	for _, m := range nodeTestCall.FindAllSubmatch(src, -1) {
		out = append(out, string(m[2]))
	}
	return out
}
