package challenges

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// The loader decodes a YAML file in two passes, so that one run reports
// every mistake of the file rather than the first: a walk of the syntax
// tree against the Go type finds every unknown field and every value of
// the wrong kind (and replaces those values with null), then the library
// decodes what is left, leniently. The walk also records the line of every
// field, which places the problems the later checks find.

// yamlDoc is what the loader keeps of a decoded YAML file to place its
// problems.
type yamlDoc struct {
	// lines maps a field path (tests[0].steps[1].expect) to its line.
	lines map[string]int
	// labels maps the path of a named part (tests[3]) to how problems
	// name it: test "create note returns 201".
	labels map[string]string
	// bad are the fields whose values could not be decoded: a later
	// problem inside one of them is a knock-on and is not reported.
	bad []string
}

// line returns the line of field, or of its nearest ancestor that has one
// (a missing field is placed at its parent); 0 when none is known.
func (d *yamlDoc) line(field string) int {
	for p := field; ; p = parentPath(p) {
		if n, ok := d.lines[p]; ok {
			return n
		}
		if p == "" {
			return 0
		}
	}
}

// label splits field into the label of its nearest named ancestor and the
// rest of the path: tests[3].steps[1].wait gives `test "x"` and
// steps[1].wait. Without a named ancestor it returns "" and field.
func (d *yamlDoc) label(field string) (string, string) {
	for p := field; p != ""; p = parentPath(p) {
		if l, ok := d.labels[p]; ok {
			return l, strings.TrimPrefix(strings.TrimPrefix(field, p), ".")
		}
	}
	return "", field
}

// knockOn reports whether field is, or is inside, a field whose value
// could not be decoded.
func (d *yamlDoc) knockOn(field string) bool {
	for _, b := range d.bad {
		if within(field, b) {
			return true
		}
	}
	return false
}

// within reports whether path is p or a path inside it.
func within(path, p string) bool {
	if !strings.HasPrefix(path, p) {
		return false
	}
	rest := path[len(p):]
	return rest == "" || rest[0] == '.' || rest[0] == '['
}

// parentPath drops the last element of a path: a.b[2] gives a.b, a.b
// gives a, a gives "". Keys may hold dots (items.#), so a parent found
// this way may be no field at all; callers look for the nearest known one.
func parentPath(p string) string {
	i := strings.LastIndexAny(p, ".[")
	if i < 0 {
		return ""
	}
	return p[:i]
}

// decodeYAML decodes src, the file name of the challenge, into v. Every
// unknown field and every value of the wrong kind is recorded as a
// problem, with its line, and the rest of the file is decoded all the
// same. ok is false when the file is not YAML at all (a syntax error,
// also recorded) or not a mapping: then v is left as it was. The caller
// adds the problems once it has named the file's parts (see readYAML).
func (l *loader) decodeYAML(name string, src []byte, v any, fix string) (doc *yamlDoc, found []*Error, ok bool) {
	doc = &yamlDoc{lines: map[string]int{}, labels: map[string]string{}}
	file, err := parser.ParseBytes(src, 0)
	if err != nil {
		e := &Error{File: l.file(name), Problem: "is not valid YAML: " + yamlMessage(err), Fix: fix}
		var ye yaml.Error
		if errors.As(err, &ye) && ye.GetToken() != nil {
			e.Line = ye.GetToken().Position.Line
		}
		return doc, []*Error{e}, false
	}
	if len(file.Docs) == 0 || file.Docs[0].Body == nil {
		return doc, nil, true
	}
	w := &walker{doc: doc, anchors: map[string]ast.Node{}, file: l.file(name)}
	body := file.Docs[0].Body
	// Anchors first, so an alias resolves even to an anchor inside a
	// field the walk skips (an unknown one).
	ast.Walk(visitFunc(func(n ast.Node) bool {
		if a, ok := n.(*ast.AnchorNode); ok && a.Name != nil {
			w.anchors[a.Name.GetToken().Value] = a.Value
		}
		return true
	}), body)
	if w.walk(body, reflect.TypeOf(v).Elem(), "") {
		// Not a mapping at all: nothing in it can be checked.
		return doc, w.found, false
	}
	if err := yaml.NodeToValue(body, v); err != nil {
		// The walk should have caught whatever the library refuses; if it
		// did not, say what the library says.
		w.found = append(w.found, &Error{File: l.file(name), Problem: "cannot be decoded: " + yamlMessage(err), Fix: fix})
	}
	return doc, w.found, true
}

// yamlMessage is the library's message without its source excerpt.
func yamlMessage(err error) string {
	var ye yaml.Error
	if errors.As(err, &ye) {
		return ye.GetMessage()
	}
	msg, _, _ := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	return msg
}

// walker checks a YAML syntax tree against a Go type.
type walker struct {
	doc     *yamlDoc
	anchors map[string]ast.Node
	file    string
	found   []*Error
}

// problem records a problem at field, on line.
func (w *walker) problem(field string, line int, fix, format string, args ...any) {
	w.found = append(w.found, &Error{File: w.file, Line: line, Field: field, Problem: fmt.Sprintf(format, args...), Fix: fix})
}

// resolve follows anchors and aliases to the node that holds the value.
func (w *walker) resolve(n ast.Node) ast.Node {
	for {
		switch t := n.(type) {
		case *ast.AnchorNode:
			n = t.Value
		case *ast.AliasNode:
			target, ok := w.anchors[t.Value.GetToken().Value]
			if !ok {
				return n
			}
			n = target
		default:
			return n
		}
	}
}

// walk checks n against t at path and reports whether n is unusable (its
// path is then among the bad ones): the caller replaces it with null, so
// that the decode after the walk leaves the field unset instead of
// failing.
func (w *walker) walk(n ast.Node, t reflect.Type, path string) (bad bool) {
	if n == nil {
		return false
	}
	line := n.GetToken().Position.Line
	// The file as a whole has no line: a field missing at the top is
	// missing from the file, not from its first line.
	if _, ok := w.doc.lines[path]; !ok && path != "" {
		w.doc.lines[path] = line
	}
	n = w.resolve(n)
	if tag, ok := n.(*ast.TagNode); ok && !isScalarType(t) {
		n = w.resolve(tag.Value)
	}
	if n == nil || n.Type() == ast.NullType {
		return false
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Interface:
		return false
	case reflect.Struct, reflect.Map:
		m, ok := n.(*ast.MappingNode)
		if !ok {
			w.kindProblem(path, line, n, "a mapping")
			return true
		}
		w.mapping(m, t, path)
		return false
	case reflect.Slice:
		seq, ok := n.(*ast.SequenceNode)
		if !ok {
			w.kindProblem(path, line, n, "a list")
			return true
		}
		for i, e := range seq.Values {
			if w.walk(e, t.Elem(), fmt.Sprintf("%s[%d]", path, i)) {
				seq.Values[i] = nullLike(e)
			}
		}
		return false
	}
	switch n.Type() {
	case ast.MappingType, ast.SequenceType:
		w.kindProblem(path, line, n, kindName(t))
		return true
	}
	if err := yaml.NodeToValue(n, reflect.New(t).Interface()); err != nil {
		w.doc.bad = append(w.doc.bad, path)
		w.problem(path, line, "write "+kindName(t)+" here", "%q is not %s", scalarText(n), kindName(t))
		return true
	}
	return false
}

// mapping checks the entries of m against a struct or a string-keyed map.
func (w *walker) mapping(m *ast.MappingNode, t reflect.Type, path string) {
	for _, mv := range m.Values {
		if mv.Key.IsMergeKey() {
			// <<: *base merges the anchored mapping's fields.
			if merged, ok := w.resolve(mv.Value).(*ast.MappingNode); ok {
				w.mapping(merged, t, path)
			}
			continue
		}
		key := mv.Key.GetToken().Value
		field := joinPath(path, key)
		line := mv.Key.GetToken().Position.Line
		w.doc.lines[field] = line
		var ft reflect.Type
		if t.Kind() == reflect.Map {
			ft = t.Elem()
		} else if f, ok := yamlField(t, key); ok {
			ft = f.Type
		} else {
			fix := "remove it or correct its spelling; every field is listed in docs/challenge-format.md"
			if near := closest(key, yamlFields(t)); near != "" {
				fix = fmt.Sprintf("did you mean %s? remove it or correct its spelling", near)
			}
			w.problem(field, line, fix, "unknown field %q", key)
			continue
		}
		if w.walk(mv.Value, ft, field) {
			mv.Value = nullLike(mv.Value)
		}
	}
}

// kindProblem records a value of the wrong kind.
func (w *walker) kindProblem(path string, line int, n ast.Node, want string) {
	w.doc.bad = append(w.doc.bad, path)
	w.problem(path, line, "write "+want+" here (see docs/challenge-format.md)", "%s is given where %s is expected", nodeName(n.Type()), want)
}

// joinPath appends key to path.
func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// nullLike is a null node at n's position.
func nullLike(n ast.Node) ast.Node {
	pos := *n.GetToken().Position
	return ast.Null(token.New("null", "null", &pos))
}

// scalarText is how a scalar was written, for messages.
func scalarText(n ast.Node) string {
	if tag, ok := n.(*ast.TagNode); ok && tag.Value != nil {
		n = tag.Value
	}
	return n.GetToken().Value
}

// isScalarType reports whether t (through pointers) decodes from a scalar.
func isScalarType(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map, reflect.Slice, reflect.Interface:
		return false
	}
	return true
}

// yamlField finds the field of struct t whose yaml tag is key.
func yamlField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name == key {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// yamlFields lists the yaml names of struct t's fields.
func yamlFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		if name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); name != "" && name != "-" {
			out = append(out, name)
		}
	}
	return out
}

// visitFunc adapts a function to ast.Visitor; it returns false to stop
// descending.
type visitFunc func(ast.Node) bool

func (f visitFunc) Visit(n ast.Node) ast.Visitor {
	if f(n) {
		return f
	}
	return nil
}
