package challenges

import "fmt"

// Error is one problem in a challenge folder: which file, which field,
// what is wrong and how to fix it.
type Error struct {
	// File is the path as the loader was given it, e.g.
	// challenges/notes-api/challenge.yaml.
	File string
	// Field is a dotted path such as limits.memory or
	// suites[1].tests[0].pattern; empty for the file as a whole.
	Field   string
	Problem string
	Fix     string
}

func (e *Error) Error() string {
	s := e.File + ": "
	if e.Field != "" {
		s += e.Field + ": "
	}
	s += e.Problem
	if e.Fix != "" {
		s += "; " + e.Fix
	}
	return s
}

// problems collects every Error of one challenge.
type problems struct {
	list []error
}

func (p *problems) add(file, field, fix, format string, args ...any) {
	p.list = append(p.list, &Error{File: file, Field: field, Problem: fmt.Sprintf(format, args...), Fix: fix})
}
