package challenges

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/gradebox/grader/grader"
)

// goSuite fills s from a go suite's fields: its hidden files (base name to
// content) and one graded test per top-level Test function found in them,
// in the order of files and, within a file, of the source.
func (l *loader) goSuite(field string, sf suiteFile, vis grader.Visibility, s *grader.Suite) {
	if sf.File != "" {
		l.bad(field+".file", "list go test files as files: [tests/x_test.go]; file is for http suites", "is set on a go suite")
	}
	s.Package = "."
	if sf.Package != "" {
		if p, ok := insideModule(sf.Package); ok {
			s.Package = p
		} else {
			l.bad(field+".package", "name a folder inside the submission, e.g. . or internal/ledger", "%q is not a folder inside the submission", sf.Package)
		}
	}
	s.Race = sf.Race != nil && *sf.Race
	points := l.points(yamlName, field+".points", sf.Points, 1)
	if len(sf.Files) == 0 {
		l.bad(field+".files", "list the hidden test files, e.g. [tests/ledger_hidden_test.go]", "missing")
		return
	}

	s.Files = map[string][]byte{}
	var parsed []goFile
	bases := map[string]string{}
	allParsed := true
	for j, name := range sf.Files {
		f := fmt.Sprintf("%s.files[%d]", field, j)
		if !strings.HasSuffix(name, "_test.go") {
			l.bad(f, "name hidden go test files *_test.go", "%q is not a Go test file", name)
			allParsed = false
			continue
		}
		if !l.hiddenFile(f, name) {
			allParsed = false
			continue
		}
		base := path.Base(name)
		if prev, dup := bases[base]; dup {
			l.bad(f, "rename one of them: hidden files are copied into one folder by base name", "%s has the same base name as %s", name, prev)
			allParsed = false
			continue
		}
		bases[base] = name
		data, err := l.read(name)
		if err != nil {
			l.add(name, "", "make the file readable", "cannot be read: %v", unwrapPath(err))
			allParsed = false
			continue
		}
		s.Files[base] = data
		gf, ok := l.parseGo(name, data)
		if !ok {
			allParsed = false
			continue
		}
		parsed = append(parsed, gf)
	}
	l.checkPackages(field, s.Package, parsed)

	var funcs []string
	defined := map[string]string{}
	for _, gf := range parsed {
		for _, fn := range gf.tests {
			if prev, dup := defined[fn]; dup {
				l.add(gf.name, fn, "rename one of them", "%s is also defined in %s", fn, prev)
				continue
			}
			defined[fn] = gf.name
			funcs = append(funcs, fn)
		}
	}
	if len(funcs) == 0 && allParsed {
		l.bad(field+".files", "add top-level functions func TestXxx(t *testing.T) to the files", "hold no test functions")
	}
	s.Tests = l.goTests(field, sf.Tests, funcs, points, vis, allParsed)
}

// goFile is what the loader learns from one hidden Go file.
type goFile struct {
	name  string   // path relative to the challenge
	pkg   string   // package clause
	tests []string // graded test functions, in source order
}

// parseGo parses a hidden Go file and lists its test functions. A file
// without a package clause, with syntax errors or with a Test function
// that `go test` would refuse is reported and ok is false.
func (l *loader) parseGo(name string, src []byte) (gf goFile, ok bool) {
	fset := token.NewFileSet()
	if _, err := parser.ParseFile(fset, name, src, parser.PackageClauseOnly); err != nil {
		l.add(name, "", "start the file with a package clause, e.g. package ledger", "has no package clause: %v", err)
		return gf, false
	}
	f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		l.add(name, "", "fix the Go syntax (go vet in tests/ shows it)", "is not valid Go: %v", err)
		return gf, false
	}
	gf = goFile{name: name, pkg: f.Name.Name}
	ok = true
	for _, d := range f.Decls {
		fn, isFunc := d.(*ast.FuncDecl)
		if !isFunc || fn.Recv != nil || !isTestName(fn.Name.Name) {
			continue
		}
		name := fn.Name.Name
		switch {
		case fn.Type.TypeParams.NumFields() > 0:
			l.add(gf.name, name, "remove the type parameters; go test refuses generic test functions", "has type parameters")
			ok = false
		case isTestFunc(fn, "T"):
			gf.tests = append(gf.tests, name)
		case name == "TestMain" && isTestFunc(fn, "M"):
			// Runs the tests; not a test itself.
		default:
			l.add(gf.name, name, fmt.Sprintf("write it as func %s(t *testing.T); go test refuses any other signature", name), "has the wrong signature for a test")
			ok = false
		}
	}
	return gf, ok
}

// isTestName is go test's rule for test names: "Test", then nothing or a
// rune that is not a lower-case letter.
func isTestName(name string) bool {
	rest, ok := strings.CutPrefix(name, "Test")
	if !ok {
		return false
	}
	if rest == "" {
		return true
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return !unicode.IsLower(r)
}

// isTestFunc is go test's signature check: one parameter of type *arg or
// *pkg.arg, no results.
func isTestFunc(fn *ast.FuncDecl, arg string) bool {
	ft := fn.Type
	if ft.Results.NumFields() > 0 || ft.Params == nil || len(ft.Params.List) != 1 || len(ft.Params.List[0].Names) > 1 {
		return false
	}
	ptr, ok := ft.Params.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	switch x := ptr.X.(type) {
	case *ast.Ident:
		return x.Name == arg
	case *ast.SelectorExpr:
		return x.Sel.Name == arg
	}
	return false
}

// checkPackages checks that a suite's files can share one folder: one
// package name P, or P and P_test; and, when the reference solution has Go
// files in that folder, that P is their package.
func (l *loader) checkPackages(field, pkgDir string, files []goFile) {
	if len(files) == 0 {
		return
	}
	base := strings.TrimSuffix(files[0].pkg, "_test")
	for _, gf := range files[1:] {
		if strings.TrimSuffix(gf.pkg, "_test") != base {
			l.add(gf.name, "", fmt.Sprintf("use package %s (or %s_test) like %s: the files are compiled together", base, base, files[0].name), "declares package %s", gf.pkg)
			return
		}
	}
	want := l.solutionPackage(pkgDir)
	if want == "" || want == base {
		return
	}
	l.add(files[0].name, "", fmt.Sprintf("use package %s (or %s_test), or correct %s.package", want, want, field), "declares package %s, but the reference solution's folder %q holds package %s", files[0].pkg, pkgDir, want)
}

// solutionPackage is the package name of the reference solution's Go
// files in folder dir, or "" when there are none to read.
func (l *loader) solutionPackage(dir string) string {
	folder := path.Join("solution", dir)
	entries, err := fs.ReadDir(l.fsys, l.fsPath(folder))
	if err != nil {
		return ""
	}
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") {
			continue
		}
		src, err := l.read(folder + "/" + n)
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), n, src, parser.PackageClauseOnly)
		if err == nil {
			return f.Name.Name
		}
	}
	return ""
}

// override is one entry of a go suite's tests list.
type override struct {
	field   string
	name    string
	re      *regexp.Regexp
	points  int
	vis     grader.Visibility
	matched bool // matches at least one function
	applied bool // sets at least one function
}

// goTests turns test functions into graded tests: default points and
// visibility, or those of the first override that matches. Overrides that
// match nothing (a typo) or only functions an earlier override already set
// are errors.
//
// complete says every file was read and parsed; when not, the functions
// are not all known and overrides are not checked against them.
func (l *loader) goTests(field string, list []overrideFile, funcs []string, points int, vis grader.Visibility, complete bool) []grader.TestSpec {
	var overrides []*override
	for i, o := range list {
		f := fmt.Sprintf("%s.tests[%d]", field, i)
		ov := &override{field: f, name: o.Name}
		ov.points = l.points(yamlName, f+".points", o.Points, points)
		ov.vis = l.visibility(yamlName, f+".visibility", o.Visibility, vis)
		if o.Points == nil && o.Visibility == "" {
			l.bad(f, "set points or visibility, or remove the entry", "changes nothing")
		}
		switch {
		case o.Name != "" && o.Pattern != "":
			l.bad(f, "keep one of name (a test function) and pattern (a Go regexp)", "has both name and pattern")
			continue
		case o.Name == "" && o.Pattern == "":
			l.bad(f, "add name (a test function) or pattern (a Go regexp)", "has neither name nor pattern")
			continue
		case o.Pattern != "":
			re, err := regexp.Compile(o.Pattern)
			if err != nil {
				l.bad(f+".pattern", "write a Go regular expression, e.g. ^TestConcurrent", "%q does not compile: %v", o.Pattern, err)
				continue
			}
			ov.re = re
		}
		overrides = append(overrides, ov)
	}

	out := make([]grader.TestSpec, 0, len(funcs))
	for _, fn := range funcs {
		t := grader.TestSpec{Name: fn, Points: points, Visibility: vis}
		set := false
		for _, ov := range overrides {
			if ov.name != fn && (ov.re == nil || !ov.re.MatchString(fn)) {
				continue
			}
			ov.matched = true
			if !set {
				t.Points, t.Visibility = ov.points, ov.vis
				ov.applied, set = true, true
			}
		}
		out = append(out, t)
	}

	if len(funcs) == 0 || !complete {
		return out // the functions are not all known; that is reported
	}
	found := strings.Join(funcs, ", ")
	for _, ov := range overrides {
		sub, what := ".name", strconv.Quote(ov.name)
		if ov.re != nil {
			sub, what = ".pattern", strconv.Quote(ov.re.String())
		}
		switch {
		case !ov.matched:
			l.bad(ov.field+sub, "name a top-level test function of the suite's files (found: "+found+")", "%s matches no test function", what)
		case !ov.applied:
			l.bad(ov.field, "move it above the entries that already match its functions, or remove it", "%s never applies: an earlier entry sets every function it matches", what)
		}
	}
	return out
}
