package grader

import (
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"path"
	"slices"
	"strconv"
	"strings"
)

// goSources is what the grader knows of a go suite's code when it
// explains compiler messages to a learner: the hidden files as they were
// compiled, and the names the learner's own files declare. It decides
// which names may be shown: a name the learner declared and no hidden
// file declares, or a name the hidden tests take from the learner's
// package (never a hidden file's own local or helper).
type goSources struct {
	fset *token.FileSet
	// hidden are the parsed hidden files, by base name.
	hidden map[string]*ast.File
	// hiddenNames is every name a hidden file declares, at any scope:
	// functions, types, variables, parameters, fields, labels, imports.
	hiddenNames map[string]bool
	// hiddenTop is what hidden files declare at package level.
	hiddenTop map[string]bool
	// learner is every name the learner's Go files declare at package
	// level, plus their methods, struct fields and interface methods.
	learner map[string]bool
	// written is every identifier the learner's Go files hold.
	written map[string]bool
	// params are the parameter types of the learner's functions and
	// methods, by name, one per parameter; nil for a name declared twice
	// (methods of two types).
	params map[string][]string
	// diags are the compiler messages being explained.
	diags []diagnostic
	// pkgName is the learner's package name in the tested folder.
	pkgName string
}

// newGoSources parses hidden (base name to source, as compiled) and the
// learner's non-test Go files. Files that do not parse are skipped: their
// own compiler messages say why.
func newGoSources(hidden map[string][]byte, learner []File, pkg string) *goSources {
	g := &goSources{
		fset:        token.NewFileSet(),
		hidden:      map[string]*ast.File{},
		hiddenNames: map[string]bool{},
		hiddenTop:   map[string]bool{},
		learner:     map[string]bool{},
		written:     map[string]bool{},
		params:      map[string][]string{},
	}
	for _, lf := range learner {
		if path.Ext(lf.Name) != ".go" || strings.HasSuffix(lf.Name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), lf.Name, lf.Data, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		if path.Dir(lf.Name) == pkg && g.pkgName == "" {
			g.pkgName = f.Name.Name
		}
		g.noteLearner(f)
	}
	for name, src := range hidden {
		f, err := parser.ParseFile(g.fset, name, src, 0)
		if err != nil {
			continue
		}
		g.hidden[name] = f
		g.noteHidden(f)
	}
	return g
}

func (g *goSources) noteHidden(f *ast.File) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				g.hiddenTop[d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					g.hiddenTop[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						g.hiddenTop[n.Name] = true
					}
				}
			}
		}
	}
	for _, imp := range f.Imports {
		g.hiddenNames[importName(imp)] = true
	}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Ident:
			if n.Obj != nil {
				g.hiddenNames[n.Name] = true
			}
		case *ast.FuncDecl:
			g.hiddenNames[n.Name.Name] = true
		case *ast.Field:
			for _, id := range n.Names {
				g.hiddenNames[id.Name] = true
			}
		case *ast.LabeledStmt:
			g.hiddenNames[n.Label.Name] = true
		}
		return true
	})
	for name := range g.hiddenTop {
		g.hiddenNames[name] = true
	}
}

func (g *goSources) noteLearner(f *ast.File) {
	ast.Inspect(f, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok {
			g.written[id.Name] = true
		}
		return true
	})
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			g.learner[d.Name.Name] = true
			g.noteParams(d)
		case *ast.GenDecl:
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					g.learner[s.Name.Name] = true
					g.noteMembers(s.Type)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						g.learner[n.Name] = true
					}
				}
			}
		}
	}
}

// noteParams records the parameter types of a learner's function.
func (g *goSources) noteParams(d *ast.FuncDecl) {
	name := d.Name.Name
	if _, twice := g.params[name]; twice {
		g.params[name] = nil
		return
	}
	params := []string{}
	for _, f := range d.Type.Params.List {
		t := types.ExprString(f.Type)
		for range max(1, len(f.Names)) {
			params = append(params, t)
		}
	}
	g.params[name] = params
}

// noteMembers records the fields and interface methods of a type literal.
func (g *goSources) noteMembers(t ast.Expr) {
	var fields *ast.FieldList
	switch t := t.(type) {
	case *ast.StructType:
		fields = t.Fields
	case *ast.InterfaceType:
		fields = t.Methods
	}
	if fields == nil {
		return
	}
	for _, f := range fields.List {
		for _, n := range f.Names {
			g.learner[n.Name] = true
		}
		if len(f.Names) == 0 {
			// An embedded type is a field named after the type.
			if id := embeddedName(f.Type); id != "" {
				g.learner[id] = true
			}
		}
	}
}

func embeddedName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return embeddedName(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

func importName(imp *ast.ImportSpec) string {
	if imp.Name != nil {
		return imp.Name.Name
	}
	p, _ := strconv.Unquote(imp.Path.Value)
	return path.Base(p)
}

// shown reports whether name may be shown to a learner as a name of
// theirs: their files declare it and no hidden file does.
func (g *goSources) shown(name string) bool {
	return g.learner[name] && !g.hiddenNames[name]
}

// testsOnly returns the names of text that the learner's code uses but
// only a hidden file declares at package level: learner code may refer
// to them, and the compiler would then describe them (their types,
// constant values) in a message about the learner's own file.
func (g *goSources) testsOnly(text string) []string {
	var names []string
	for _, w := range identWords(text) {
		if g.hiddenTop[w] && g.written[w] && !g.learner[w] && !slices.Contains(names, w) {
			names = append(names, w)
		}
	}
	return names
}

// fromPackage reports whether id, in a hidden file, names something of
// the package under test rather than of the file itself, an import or
// the language: the names the tests take from the learner.
func (g *goSources) fromPackage(f *ast.File, id *ast.Ident) bool {
	if id.Obj != nil || id.Name == "_" || g.hiddenTop[id.Name] || types.Universe.Lookup(id.Name) != nil {
		return false
	}
	for _, imp := range f.Imports {
		if importName(imp) == id.Name {
			return false
		}
	}
	return true
}

// pathAt returns the nodes of f enclosing the position line:col, from
// the file down to the innermost, or nil when there is no such position.
func (g *goSources) pathAt(f *ast.File, line, col int) []ast.Node {
	tf := g.fset.File(f.Pos())
	if tf == nil || line < 1 || line > tf.LineCount() || col < 1 {
		return nil
	}
	pos := tf.LineStart(line) + token.Pos(col-1)
	if int(pos) > tf.Base()+tf.Size() {
		return nil
	}
	var stack []ast.Node
	ast.Inspect(f, func(n ast.Node) bool {
		if n == nil || pos < n.Pos() || pos >= n.End() {
			return false
		}
		stack = append(stack, n)
		return true
	})
	return stack
}

// callee names the function or method a call of the hidden tests calls,
// when it is the learner's: "Split", "Deposit" for l.Deposit, "Split"
// for ledger.Split in an external test package; "" otherwise.
func (g *goSources) callee(f *ast.File, call *ast.CallExpr) string {
	switch fn := ast.Unparen(call.Fun).(type) {
	case *ast.Ident:
		if g.fromPackage(f, fn) {
			return fn.Name
		}
	case *ast.SelectorExpr:
		if x, ok := fn.X.(*ast.Ident); ok && x.Obj == nil && x.Name == g.pkgName && g.pkgName != "" {
			return fn.Sel.Name
		}
		if g.shown(fn.Sel.Name) {
			return fn.Sel.Name
		}
	}
	return ""
}

// enclosingCall returns the innermost call in path whose callee is the
// learner's, its callee's name, and the index of the argument holding the position (-1
// when the position is not in an argument).
func (g *goSources) enclosingCall(f *ast.File, path []ast.Node) (call *ast.CallExpr, name string, arg int) {
	for i := len(path) - 1; i >= 0; i-- {
		call, ok := path[i].(*ast.CallExpr)
		if !ok {
			continue
		}
		name := g.callee(f, call)
		if name == "" {
			continue
		}
		arg := -1
		if i+1 < len(path) {
			for j, a := range call.Args {
				if a == path[i+1] {
					arg = j
				}
			}
		}
		return call, name, arg
	}
	return nil, "", -1
}

// uses lists the learner's names the statement at path uses, following
// local variables back to where they were set (a few steps), so that a
// message about locals still names the function whose result they hold.
func (g *goSources) uses(f *ast.File, path []ast.Node) []string {
	scope := statementAt(path)
	if scope == nil {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	visited := map[ast.Node]bool{}
	var walk func(n ast.Node, depth int)
	walk = func(n ast.Node, depth int) {
		if n == nil || visited[n] {
			return
		}
		visited[n] = true
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.SelectorExpr:
				if x, ok := n.X.(*ast.Ident); ok && x.Obj == nil && x.Name != g.pkgName {
					return false // an import's member
				}
				if g.shown(n.Sel.Name) && !seen[n.Sel.Name] {
					seen[n.Sel.Name] = true
					names = append(names, n.Sel.Name)
				}
			case *ast.Ident:
				if g.fromPackage(f, n) && g.shown(n.Name) && !seen[n.Name] {
					seen[n.Name] = true
					names = append(names, n.Name)
				}
				if n.Obj != nil && depth > 0 {
					if d, ok := n.Obj.Decl.(ast.Node); ok {
						walk(definition(d, n.Name), depth-1)
					}
				}
			case *ast.FuncLit:
				return false
			}
			return true
		})
	}
	walk(scope, 3)
	return names
}

// definition is the part of a local's declaration that gives its value
// or type.
func definition(decl ast.Node, name string) ast.Node {
	switch d := decl.(type) {
	case *ast.AssignStmt:
		return &ast.ExprStmt{X: &ast.CompositeLit{Elts: d.Rhs}}
	case *ast.ValueSpec:
		elts := append([]ast.Expr{}, d.Values...)
		if d.Type != nil {
			elts = append(elts, d.Type)
		}
		return &ast.ExprStmt{X: &ast.CompositeLit{Elts: elts}}
	case *ast.Field:
		return d.Type
	}
	return nil
}

// statementAt returns the smallest statement-level node holding the last
// node of path: a simple statement, or the header part (init, condition,
// range expression) of a compound one, never a whole block.
func statementAt(path []ast.Node) ast.Node {
	for i := len(path) - 1; i >= 0; i-- {
		switch path[i].(type) {
		case *ast.BlockStmt, *ast.CaseClause, *ast.CommClause:
			return nil
		case *ast.IfStmt, *ast.ForStmt, *ast.RangeStmt, *ast.SwitchStmt, *ast.TypeSwitchStmt:
			if i+1 < len(path) {
				return path[i+1]
			}
			return nil
		case ast.Stmt:
			return path[i]
		case *ast.ValueSpec:
			return path[i]
		}
	}
	return nil
}
