package grader

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// The rules below are what an http step may say. The challenge loader
// applies them to a test file (with messages for its author) and the
// tester to the plan it is given (refusing what the loader would have);
// both read them from here.

// stepMethods are the HTTP methods a step may send.
var stepMethods = []string{"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}

// StepMethods returns the HTTP methods a step may send, in the order
// messages list them.
func StepMethods() []string { return slices.Clone(stepMethods) }

// IsStepMethod reports whether a step may send method (upper case).
func IsStepMethod(method string) bool { return slices.Contains(stepMethods, method) }

// IsHeaderName reports whether s may name a header: an RFC 9110 token,
// one or more visible ASCII characters other than delimiters.
func IsHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// IsStatus reports whether code is an HTTP status a step may expect
// (100 to 599).
func IsStatus(code int) bool { return code >= 100 && code <= 599 }

// matchOps are the operators of a JSONMatch.
var matchOps = []string{"equals", "exists", "absent", "type", "gte", "lte", "ne", "matches", "length"}

// IsMatchOp reports whether op is an operator of a JSONMatch (see
// JSONMatch.Op; the empty operator of a plan means equals and is not one).
func IsMatchOp(op string) bool { return slices.Contains(matchOps, op) }

// MatchOps returns the operators of a JSONMatch, in the order messages
// list them.
func MatchOps() []string { return slices.Clone(matchOps) }

// headerOps are the operators of a HeaderMatch.
var headerOps = []string{"contains", "equals", "matches", "exists", "absent"}

// IsHeaderOp reports whether op is an operator of a HeaderMatch.
func IsHeaderOp(op string) bool { return slices.Contains(headerOps, op) }

// HeaderOps returns the operators of a HeaderMatch, in the order messages
// list them.
func HeaderOps() []string { return slices.Clone(headerOps) }

// lengthBounds are the keys of a length operand written as bounds
// ({"gte": 1, "lte": 5}).
var lengthBounds = []string{"gte", "lte"}

// IsLengthBound reports whether k may bound a length ("gte" or "lte").
func IsLengthBound(k string) bool { return slices.Contains(lengthBounds, k) }

// jsonTypes are the operands of the type operator.
var jsonTypes = []string{"string", "number", "bool", "array", "object", "null"}

// IsJSONType reports whether t is an operand of the type operator.
func IsJSONType(t string) bool { return slices.Contains(jsonTypes, t) }

// patternVarRef is a ${name} inside a pattern.
var patternVarRef = regexp.MustCompile(`\$\{[A-Za-z_][A-Za-z0-9_]*\}`)

// CheckPattern returns nil when p is a pattern a step may use: a regular
// expression in RE2 syntax (https://github.com/google/re2/wiki/Syntax)
// in which each ${name} stands for a captured value, matched literally.
// The error says what is wrong with it.
func CheckPattern(p string) error {
	if _, err := regexp.Compile(patternVarRef.ReplaceAllString(p, "x")); err != nil {
		return fmt.Errorf("not a regular expression: %w", err)
	}
	return nil
}
