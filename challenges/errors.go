package challenges

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// Error is one problem in a challenge folder: which file, which field,
// what is wrong and how to fix it. The loader returns every Error of a
// challenge at once, joined with errors.Join; use errors.As (or Problems)
// to get at them.
type Error struct {
	// File is the path as the loader was given it, e.g.
	// challenges/notes-api/challenge.yaml.
	File string
	// Line is the line of File the problem is on (for a missing field,
	// the line of the part that lacks it); 0 when the problem is not on a
	// line (a missing file) or File is not YAML.
	Line int
	// In names the part of the file the problem is in, by its name: a
	// test of an http suite's file (test "create note returns 201").
	// Empty when the problem is not inside a test or the test has no
	// name.
	In string
	// Field is a dotted path such as limits.memory, inside In when In is
	// set (steps[1].expect.status), from the top of the file otherwise
	// (suites[1].tests[0].pattern, tests[8].name); empty for the file (or
	// the test) as a whole.
	Field string
	// Problem says what is wrong, e.g. `"512MB" is not a size`.
	Problem string
	// Fix says what to do about it, e.g. "write it with a binary unit,
	// e.g. 512MiB".
	Fix string
}

// Error reads "file:line: in: field: problem; fix", leaving out empty
// parts.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.In != "" {
		b.WriteString(e.In)
		b.WriteString(": ")
	}
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

// sortByLine orders the problems of each file by line, keeping the files
// in the order their first problem was found (and problems without a line
// first in their file, in the order found).
func (p *problems) sortByLine() {
	rank := map[string]int{}
	for _, e := range p.list {
		if pe, ok := e.(*Error); ok {
			if _, seen := rank[pe.File]; !seen {
				rank[pe.File] = len(rank)
			}
		}
	}
	key := func(e error) (int, int) {
		if pe, ok := e.(*Error); ok {
			return rank[pe.File], pe.Line
		}
		return len(rank), 0
	}
	slices.SortStableFunc(p.list, func(a, b error) int {
		fa, la := key(a)
		fb, lb := key(b)
		if fa != fb {
			return fa - fb
		}
		return la - lb
	})
}

// err joins the collected problems, or is nil when there are none.
func (p *problems) err() error {
	return errors.Join(p.list...)
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
