package grader

import (
	"fmt"
	"go/ast"
	"go/types"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// A compiler message located in a hidden test file would show a learner
// the file's name, its lines, the literal inputs of its calls and the
// names of its locals. The learner view keeps the messages about the
// learner's own files word for word and puts, in place of each message
// about a hidden file, one line that says which of the learner's names
// the tests use and how: "hidden tests: the tests call Split(number,
// number); your Split takes (Cents)". A message that cannot be summed up
// safely becomes a generic line naming only names the learner declared.

// hiddenPrefix starts every line the learner view writes in place of a
// message about a hidden file.
const hiddenPrefix = "hidden tests: "

// genericHidden is the line for a message about the hidden tests that
// names nothing of the learner's.
const genericHidden = hiddenPrefix + "a test does not compile with your package; check the names and signatures the statement asks for"

// diagLine matches a compiler or vet message: "path.go:12:5: text".
var diagLine = regexp.MustCompile(`^(\S+?\.go):(\d+)(?::(\d+))?: (.*)$`)

// testFilePos matches a position in a test file anywhere in a line.
var testFilePos = regexp.MustCompile(`[\w.\-/]*_test\.go:\d+`)

// diagnostic is one compiler message and the indented lines under it.
type diagnostic struct {
	file      string
	line, col int
	text      string
	more      []string
}

// isHiddenFile reports whether a file named in build output is one of the
// hidden tests: the learner's own _test.go files never reach a build, so
// every test file there is hidden.
func isHiddenFile(name string) bool {
	return strings.HasSuffix(path.Base(name), "_test.go")
}

// learnerBuildText returns what a learner may see of a go suite's build
// output text.
func learnerBuildText(text string, g *goSources) string {
	lines := strings.Split(text, "\n")
	var out []string
	seen := map[string]bool{}
	emit := func(l string) {
		if strings.HasPrefix(l, hiddenPrefix) {
			if seen[l] {
				return
			}
			seen[l] = true
		}
		out = append(out, l)
	}
	g.diags = nil
	for _, l := range lines {
		if m := diagLine.FindStringSubmatch(l); m != nil {
			g.diags = append(g.diags, parseDiagnostic(m))
		}
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		m := diagLine.FindStringSubmatch(l)
		if m == nil {
			if testFilePos.MatchString(l) {
				emit(genericHidden)
				continue
			}
			emit(l)
			continue
		}
		d := parseDiagnostic(m)
		for i+1 < len(lines) && strings.HasPrefix(lines[i+1], "\t") {
			d.more = append(d.more, lines[i+1])
			i++
		}
		if names := g.testsOnly(d.text); !isHiddenFile(d.file) && len(names) > 0 {
			pos := strings.TrimSuffix(l, ": "+d.text)
			emit(fmt.Sprintf("%s: your code uses %s, which only the tests declare; declare what your code needs in your own files", pos, strings.Join(names, ", ")))
			continue
		}
		if !isHiddenFile(d.file) {
			emit(l)
			for _, c := range d.more {
				if c, ok := g.continuation(c); ok {
					emit(c)
				}
			}
			continue
		}
		emit(hiddenPrefix + g.summarize(d))
	}
	return strings.Join(out, "\n")
}

// parseDiagnostic reads the parts of a diagLine match.
func parseDiagnostic(m []string) diagnostic {
	d := diagnostic{file: m[1], text: m[4]}
	d.line, _ = strconv.Atoi(m[2])
	d.col, _ = strconv.Atoi(m[3])
	return d
}

// continuation returns what a learner may see of an indented line under a
// message about their own file: as is, unless it points into a hidden
// file ("\t./x_test.go:3:6: other declaration of helper").
func (g *goSources) continuation(l string) (string, bool) {
	if !testFilePos.MatchString(l) {
		return l, true
	}
	m := diagLine.FindStringSubmatch(strings.TrimSpace(l))
	if m != nil {
		if name, ok := strings.CutPrefix(m[4], "other declaration of "); ok && g.shown(name) {
			return "\tother declaration of " + name + ": in the hidden tests", true
		}
	}
	return "", false
}

// Messages of the Go type checker the summary understands.
var (
	reUndefined  = regexp.MustCompile(`^undefined: (?:(\w+)\.)?(\w+)$`)
	reNoMember   = regexp.MustCompile(`^.+ undefined \(type (.+) has no field or method (\w+)(.*)\)$`)
	reDoesHave   = regexp.MustCompile(`but does have (?:\w+ )*(\w+)$`)
	reArgCount   = regexp.MustCompile(`^(not enough|too many) arguments in call to .+$`)
	reCannotUse  = regexp.MustCompile(`^cannot use (.+) as (.+) value in (.+)$`)
	reMismatch   = regexp.MustCompile(`^assignment mismatch: (\d+) variables? but .+ returns? (\d+) values?$`)
	reRedeclared = regexp.MustCompile(`^(\w+) redeclared in this block$`)
	reMismatched = regexp.MustCompile(`\((mismatched types .+ and .+)\)$`)
	reOfType     = regexp.MustCompile(`(?:^|\s)of (?:[\w.]+ )?type (.+)$`)
	reUntyped    = regexp.MustCompile(`^untyped (\w+) constant\b`)
)

// summarize says, in words naming only the learner's names, what a
// message about a hidden file asks of the learner's package.
func (g *goSources) summarize(d diagnostic) string {
	f := g.hidden[path.Base(d.file)]
	if f == nil {
		return g.generic(d, nil)
	}
	at := g.pathAt(f, d.line, d.col)
	if len(at) == 0 {
		return g.generic(d, nil)
	}
	if s := g.specific(d, f, at); s != "" {
		return s
	}
	return g.generic(d, g.uses(f, at))
}

func (g *goSources) specific(d diagnostic, f *ast.File, at []ast.Node) string {
	if m := reUndefined.FindStringSubmatch(d.text); m != nil {
		if m[1] != "" && m[1] != g.pkgName {
			return ""
		}
		id, ok := at[len(at)-1].(*ast.Ident)
		if !ok || id.Name != m[2] || (m[1] == "" && !g.fromPackage(f, id)) {
			return ""
		}
		s := fmt.Sprintf("the tests use %s, which your package does not declare", m[2])
		var like []string
		for name := range g.learner {
			if name != m[2] && strings.EqualFold(name, m[2]) && g.shown(name) {
				like = append(like, name)
			}
		}
		if len(like) > 0 {
			sort.Strings(like)
			s += fmt.Sprintf(" (yours is named %s)", strings.Join(like, " or "))
		}
		return s
	}
	if m := reNoMember.FindStringSubmatch(d.text); m != nil {
		if !g.safeType(m[1]) || g.hiddenNames[m[2]] {
			return ""
		}
		s := fmt.Sprintf("the tests use %s on a %s, which your package does not declare", m[2], m[1])
		if h := reDoesHave.FindStringSubmatch(m[3]); h != nil && g.shown(h[1]) {
			s += fmt.Sprintf(" (yours is named %s)", h[1])
		}
		return s
	}
	if reArgCount.MatchString(d.text) {
		_, name, _ := g.enclosingCall(f, at)
		have, want := g.haveWant(d.more)
		if name == "" || have == "" || want == "" {
			return ""
		}
		return fmt.Sprintf("the tests call %s%s; your %s takes %s", name, have, name, want)
	}
	if m := reCannotUse.FindStringSubmatch(d.text); m != nil {
		return g.cannotUse(f, at, m[1], m[2], m[3])
	}
	if m := reMismatch.FindStringSubmatch(d.text); m != nil {
		name := g.assignedCall(f, at)
		if name == "" {
			return ""
		}
		return fmt.Sprintf("the tests use %s %s of %s; your %s returns %s", m[1], plural(m[1], "result"), name, name, m[2])
	}
	// The learner wrote the name, so saying the tests declare it too
	// tells nothing they do not know.
	if m := reRedeclared.FindStringSubmatch(d.text); m != nil && g.learner[m[1]] {
		return fmt.Sprintf("your package declares %s, which the tests declare too: rename yours", m[1])
	}
	return ""
}

func plural(n, word string) string {
	if n == "1" {
		return word
	}
	return word + "s"
}

// haveWant reads the "have (...)" and "want (...)" lines under an
// argument count message, when every type in them may be shown.
func (g *goSources) haveWant(more []string) (have, want string) {
	for _, l := range more {
		l = strings.TrimSpace(l)
		if t, ok := strings.CutPrefix(l, "have "); ok && g.safeType(t) {
			have = t
		}
		if t, ok := strings.CutPrefix(l, "want "); ok && g.safeType(t) {
			want = t
		}
	}
	return have, want
}

// cannotUse sums up "cannot use X (desc) as T value in context".
func (g *goSources) cannotUse(f *ast.File, at []ast.Node, operand, want, context string) string {
	got := operandType(operand)
	if got != "" && !g.safeType(strings.TrimPrefix(got, "an ")) {
		got = ""
	}
	if !g.safeType(want) {
		return ""
	}
	if strings.HasPrefix(context, "argument to ") {
		call, name, arg := g.enclosingCall(f, at)
		if name == "" || arg < 0 {
			return ""
		}
		if shape := g.callShape(f, call, name); shape != "" {
			return fmt.Sprintf("the tests call %s; your %s takes (%s)", shape, name, strings.Join(g.params[name], ", "))
		}
		if got == "" {
			return fmt.Sprintf("the tests pass argument %d of %s a value your %s does not take as %s", arg+1, name, name, want)
		}
		return fmt.Sprintf("the tests pass %s as argument %d of %s; your %s takes %s there", got, arg+1, name, name, want)
	}
	call, ok := operandAt(at).(*ast.CallExpr)
	if !ok {
		return ""
	}
	name := g.callee(f, call)
	if name == "" {
		return ""
	}
	if got == "" {
		return fmt.Sprintf("the tests use the result of %s as %s", name, want)
	}
	return fmt.Sprintf("the tests use the result of %s as %s; yours is %s", name, want, got)
}

// callShape writes how the tests call the learner's function name at
// call, "Split(Cents, int)": each argument's type as the compiler gave it
// in a message about that argument or, for an argument it took, the
// learner's own parameter type; "" when some type is unknown or may not
// be shown.
func (g *goSources) callShape(f *ast.File, call *ast.CallExpr, name string) string {
	params := g.params[name]
	if params == nil || len(params) != len(call.Args) || call.Ellipsis.IsValid() {
		return ""
	}
	args := append([]string(nil), params...)
	for _, d := range g.diags {
		m := reCannotUse.FindStringSubmatch(d.text)
		if m == nil || !strings.HasPrefix(m[3], "argument to ") || g.hidden[path.Base(d.file)] != f {
			continue
		}
		at := g.pathAt(f, d.line, d.col)
		if len(at) == 0 {
			continue
		}
		n := at[len(at)-1]
		for j, a := range call.Args {
			if n.Pos() < a.Pos() || n.End() > a.End() {
				continue
			}
			t := strings.TrimPrefix(operandType(m[1]), "an ")
			if t == "" || !g.safeType(t) {
				return ""
			}
			args[j] = t
		}
	}
	for _, a := range args {
		if strings.HasPrefix(a, "...") || !g.safeType(a) {
			return ""
		}
	}
	return name + "(" + strings.Join(args, ", ") + ")"
}

// operandType reads the type from go/types' description of an operand,
// the last parenthesised part of "100 (untyped int constant)", "total
// (variable of int64 type Cents)" or "c (constant 5 of type Cents)",
// without its value or expression.
func operandType(operand string) string {
	if !strings.HasSuffix(operand, ")") {
		return ""
	}
	depth := 0
	for i := len(operand) - 1; i >= 0; i-- {
		switch operand[i] {
		case ')':
			depth++
		case '(':
			depth--
			if depth == 0 {
				desc := operand[i+1 : len(operand)-1]
				if m := reOfType.FindStringSubmatch(desc); m != nil {
					return m[1]
				}
				if m := reUntyped.FindStringSubmatch(desc); m != nil {
					return "an untyped " + m[1] + " constant"
				}
				if desc == "untyped nil" {
					return "nil"
				}
				return ""
			}
		}
	}
	return ""
}

// operandAt returns the largest expression of path that starts where its
// innermost node does: the operand a message at that position is about.
func operandAt(at []ast.Node) ast.Node {
	var op ast.Node
	pos := at[len(at)-1].Pos()
	for i := len(at) - 1; i >= 0; i-- {
		if _, ok := at[i].(ast.Expr); !ok || at[i].Pos() != pos {
			break
		}
		op = at[i]
	}
	return op
}

// assignedCall names the learner's function called on the right of the
// assignment or declaration at path.
func (g *goSources) assignedCall(f *ast.File, at []ast.Node) string {
	var rhs []ast.Expr
	for i := len(at) - 1; i >= 0 && rhs == nil; i-- {
		switch n := at[i].(type) {
		case *ast.AssignStmt:
			rhs = n.Rhs
		case *ast.ValueSpec:
			rhs = n.Values
		}
	}
	for _, e := range rhs {
		if call, ok := ast.Unparen(e).(*ast.CallExpr); ok {
			if name := g.callee(f, call); name != "" {
				return name
			}
		}
	}
	return ""
}

// generic is the fail-closed line: the learner's names the statement
// uses or the message names, and a type mismatch when its types may be
// shown.
func (g *goSources) generic(d diagnostic, uses []string) string {
	seen := map[string]bool{}
	for _, n := range uses {
		seen[n] = true
	}
	for _, w := range identWords(d.text) {
		if g.shown(w) && !seen[w] {
			seen[w] = true
			uses = append(uses, w)
		}
	}
	if len(uses) == 0 {
		return strings.TrimPrefix(genericHidden, hiddenPrefix)
	}
	s := "a test does not compile with your package where it uses " + strings.Join(uses, ", ")
	if m := reMismatched.FindStringSubmatch(d.text); m != nil {
		parts := strings.SplitN(strings.TrimPrefix(m[1], "mismatched types "), " and ", 2)
		if len(parts) == 2 && g.safeType(parts[0]) && g.safeType(parts[1]) {
			s += " (" + m[1] + ")"
		}
	}
	return s
}

// identWords returns the identifier-like words of s.
func identWords(s string) []string { return identWord.FindAllString(s, -1) }

var (
	identWord = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*`)
	typeName  = regexp.MustCompile(`[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?`)
)

// typeWords are the words a type may be written with besides names.
var typeWords = map[string]bool{
	"func": true, "map": true, "chan": true, "struct": true, "interface": true,
	"number": true, "untyped": true, "constant": true, "nil": true,
}

// safeType reports whether a type as go/types prints it names only the
// language's types, exported types of imported packages, and types the
// learner declared: never a hidden file's own type or field.
func (g *goSources) safeType(t string) bool {
	if t == "" || strings.ContainsAny(t, "\"`'") {
		return false
	}
	for _, w := range typeName.FindAllString(t, -1) {
		pkg, name, qualified := strings.Cut(w, ".")
		switch {
		case !qualified && (typeWords[w] || types.Universe.Lookup(w) != nil || g.shown(w)):
		case qualified && pkg == g.pkgName && g.shown(name):
		case qualified && g.imported(pkg) && ast.IsExported(name):
		default:
			return false
		}
	}
	return true
}

// imported reports whether a hidden file imports a package named name.
func (g *goSources) imported(name string) bool {
	for _, f := range g.hidden {
		for _, imp := range f.Imports {
			if importName(imp) == name {
				return true
			}
		}
	}
	return false
}
