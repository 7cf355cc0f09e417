package challenges

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gradebox/grader/grader"
)

func statNoFollow(l *loader, name string) (fs.FileInfo, error) {
	return fs.Lstat(l.fsys, l.path(name))
}

// testFuncs lists the top-level `func TestXxx(t *testing.T)` of a Go
// test file, in file order.
func testFuncs(name string, src []byte) ([]string, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv != nil || !isTestName(fn.Name.Name) {
			continue
		}
		params := fn.Type.Params.List
		if len(params) != 1 {
			continue
		}
		if star, ok := params[0].Type.(*ast.StarExpr); ok {
			if sel, ok := star.X.(*ast.SelectorExpr); ok && sel.Sel.Name == "T" {
				out = append(out, fn.Name.Name)
			}
		}
	}
	return out, nil
}

// isTestName is go test's rule: "Test" then nothing or a non-lower-case rune.
func isTestName(name string) bool {
	if !strings.HasPrefix(name, "Test") || name == "TestMain" {
		return false
	}
	if len(name) == 4 {
		return true
	}
	r, _ := utf8.DecodeRuneInString(name[4:])
	return !unicode.IsLower(r)
}

// goTests turns the hidden files' test functions into graded tests, with
// the points and visibility of the first matching override.
func (l *loader) goTests(file, field string, sf suiteFile, files map[string][]byte, points int, vis grader.Visibility) []grader.TestSpec {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var funcs []string
	seen := map[string]string{}
	for _, n := range names {
		fns, err := testFuncs(n, files[n])
		if err != nil {
			l.p.add(l.file(n), "", "fix the Go syntax", "is not valid Go: %v", err)
			continue
		}
		for _, fn := range fns {
			if prev, dup := seen[fn]; dup {
				l.p.add(l.file(n), fn, "rename one of them", "%s is also defined in %s", fn, prev)
				continue
			}
			seen[fn] = n
			funcs = append(funcs, fn)
		}
	}
	type override struct {
		re     *regexp.Regexp
		name   string
		points int
		vis    grader.Visibility
		used   bool
		field  string
	}
	var overrides []*override
	for i, o := range sf.Tests {
		f := fmt.Sprintf("%s.tests[%d]", field, i)
		ov := &override{name: o.Name, points: points, field: f}
		ov.vis = l.visibility(file, f+".visibility", o.Visibility, vis)
		if o.Points != nil {
			if *o.Points < 0 || *o.Points > 1000 {
				l.p.add(file, f+".points", "use 0 to 1000", "%d is out of range", *o.Points)
			} else {
				ov.points = *o.Points
			}
		}
		switch {
		case (o.Name == "") == (o.Pattern == ""):
			l.p.add(file, f, "give exactly one of name (a test function) or pattern (a Go regexp)", "needs name or pattern")
			continue
		case o.Pattern != "":
			re, err := regexp.Compile(o.Pattern)
			if err != nil {
				l.p.add(file, f+".pattern", "write a valid Go regular expression", "%q does not compile: %v", o.Pattern, err)
				continue
			}
			ov.re = re
		}
		overrides = append(overrides, ov)
	}
	var out []grader.TestSpec
	for _, fn := range funcs {
		t := grader.TestSpec{Name: fn, Points: points, Visibility: vis}
		for _, ov := range overrides {
			if (ov.re != nil && ov.re.MatchString(fn)) || ov.name == fn {
				t.Points, t.Visibility = ov.points, ov.vis
				ov.used = true
				break
			}
		}
		out = append(out, t)
	}
	for _, ov := range overrides {
		if !ov.used {
			what := ov.name
			sub := ".name"
			if ov.re != nil {
				what, sub = ov.re.String(), ".pattern"
			}
			l.p.add(file, ov.field+sub, "name a top-level test function of the suite's files (found: "+strings.Join(funcs, ", ")+")", "%q matches no test function", what)
		}
	}
	return out
}
