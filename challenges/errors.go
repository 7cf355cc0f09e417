package challenges

import (
	"errors"
	"fmt"
	"reflect"
	"strings"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
)

// Error is one problem in a challenge folder: which file, which field,
// what is wrong and how to fix it. The loader returns every Error of a
// challenge at once, joined with errors.Join; use errors.As (or Problems)
// to get at them.
type Error struct {
	// File is the path as the loader was given it, e.g.
	// challenges/notes-api/challenge.yaml.
	File string
	// Field is a dotted path such as limits.memory or
	// suites[1].tests[0].pattern; empty for the file as a whole.
	Field string
	// Problem says what is wrong, e.g. `"512MB" is not a size`.
	Problem string
	// Fix says what to do about it, e.g. "write it with a binary unit,
	// e.g. 512MiB".
	Fix string
}

// Error reads "file: field: problem; fix", leaving out empty parts.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Problem)
	if e.Fix != "" {
		b.WriteString("; ")
		b.WriteString(e.Fix)
	}
	return b.String()
}

// Problems returns every *Error inside err, which may be a single *Error
// or any tree of joined and wrapped errors, in order.
func Problems(err error) []*Error {
	var out []*Error
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		if e, ok := err.(*Error); ok {
			out = append(out, e)
			return
		}
		switch u := err.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				walk(inner)
			}
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		}
	}
	walk(err)
	return out
}

// problems collects the Errors of one challenge.
type problems struct {
	list []error
}

// add records a problem; format and args make its Problem text.
func (p *problems) add(file, field, fix, format string, args ...any) {
	p.list = append(p.list, &Error{File: file, Field: field, Problem: fmt.Sprintf(format, args...), Fix: fix})
}

// err joins the collected problems, or is nil when there are none.
func (p *problems) err() error {
	return errors.Join(p.list...)
}

// decodeStrict decodes YAML src into v, refusing unknown fields (and, as
// the library always does, duplicate keys). On failure it returns an *Error naming the field the
// library pointed at (found through the document's syntax tree) and the
// line and column.
func decodeStrict(file string, src []byte, v any, fix string) *Error {
	err := yaml.UnmarshalWithOptions(src, v, yaml.Strict())
	if err == nil {
		return nil
	}
	var ye yaml.Error
	if !errors.As(err, &ye) || ye.GetToken() == nil {
		return &Error{File: file, Problem: "is not valid YAML: " + strings.TrimSpace(err.Error()), Fix: fix}
	}
	tk := ye.GetToken()
	e := &Error{File: file, Field: fieldAt(src, tk.Position.Offset), Fix: fix}
	where := fmt.Sprintf(" (line %d, column %d)", tk.Position.Line, tk.Position.Column)
	var (
		unknown *yaml.UnknownFieldError
		typeErr *yaml.TypeError
		nodeErr *yaml.UnexpectedNodeTypeError
	)
	switch {
	case errors.As(err, &unknown):
		e.Problem = unknown.GetMessage() + where
		e.Fix = "remove it or correct its spelling; every field is listed in docs/challenge-format.md"
	case errors.As(err, &typeErr):
		e.Problem = fmt.Sprintf("%q is not %s%s", tk.Value, kindName(typeErr.DstType), where)
		e.Fix = "write " + kindName(typeErr.DstType) + " here"
	case errors.As(err, &nodeErr):
		e.Problem = fmt.Sprintf("%s is given where %s is expected%s", nodeName(nodeErr.Actual), nodeName(nodeErr.Expected), where)
		e.Fix = "write " + nodeName(nodeErr.Expected) + " here (see docs/challenge-format.md)"
	default:
		e.Problem = "is not valid YAML: " + ye.GetMessage() + where
	}
	return e
}

// fieldAt finds the node of src that starts at offset and returns its
// path in the loader's notation (limits.memory, suites[0].name), or "" for
// the document as a whole or when no node starts there.
func fieldAt(src []byte, offset int) string {
	f, err := parser.ParseBytes(src, 0)
	if err != nil {
		return ""
	}
	found := ""
	for _, doc := range f.Docs {
		ast.Walk(visitFunc(func(n ast.Node) bool {
			if found != "" {
				return false
			}
			if tk := n.GetToken(); tk != nil && tk.Position.Offset == offset {
				if p := strings.TrimPrefix(strings.TrimPrefix(n.GetPath(), "$"), "."); p != "" {
					found = p
					return false
				}
			}
			return true
		}), doc)
	}
	return found
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

// kindName says in words what a Go type expects from YAML.
func kindName(t reflect.Type) string {
	if t == nil {
		return "a value of another type"
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Map, reflect.Struct:
		return "a mapping"
	}
	return "a " + t.String()
}

// nodeName says in words what kind of YAML node n is.
func nodeName(n ast.NodeType) string {
	switch n {
	case ast.MappingType, ast.MappingValueType:
		return "a mapping"
	case ast.SequenceType:
		return "a list"
	case ast.StringType, ast.LiteralType:
		return "a string"
	case ast.IntegerType:
		return "a whole number"
	case ast.FloatType:
		return "a number"
	case ast.BoolType:
		return "true or false"
	case ast.NullType:
		return "null"
	}
	return "a " + strings.ToLower(n.String())
}
