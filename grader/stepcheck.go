package grader

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"
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

// Bounds of a step that sends its request several times, and of a
// restart. A box has a small pids limit and two cores may be all the
// machine has: more concurrent requests would grade the machine, not the
// service.
const (
	// MaxParallel is the most requests a step sends at once.
	MaxParallel = 50
	// MaxRepeat is the most requests a step sends one after another.
	MaxRepeat = 100
	// ServiceStopGrace is how long a restart lets the service end after
	// SIGTERM before it is killed.
	ServiceStopGrace = 5 * time.Second
)

// StepProblem is a fault of a step's set fields (parallel, repeat,
// restart, expect.statuses, expect.distinct, expect.max_ms,
// expect.max_queries): Field is
// relative to the step and spelled as in a test file, Problem says what is
// wrong and Fix how to mend it.
type StepProblem struct {
	Field, Problem, Fix string
}

// CheckStepSet returns the faults of a step's set fields, in field order;
// none when it is sound. The loader reports them with the test file's
// position, the tester refuses a plan that has any.
func CheckStepSet(st Step) []StepProblem {
	var out []StepProblem
	add := func(field, fix, format string, args ...any) {
		out = append(out, StepProblem{Field: field, Problem: fmt.Sprintf(format, args...), Fix: fix})
	}
	if st.Parallel != 0 && st.Repeat != 0 {
		add("parallel", "keep one of parallel (at once) and repeat (one after another); use two steps for both", "set together with repeat")
	}
	checkCount := func(field string, n, max int, how string) {
		switch {
		case n == 0:
		case st.Request == nil:
			add(field, "add a request to send "+how, "has no request to send")
		case n < 2:
			add(field, fmt.Sprintf("write a count from 2 to %d, or drop %s for a single request", max, field), "%d is fewer than 2 requests", n)
		case n > max:
			add(field, fmt.Sprintf("write a count from 2 to %d", max), "%d is more than the %d requests a step may send %s", n, max, how)
		}
	}
	checkCount("parallel", st.Parallel, MaxParallel, "at once")
	checkCount("repeat", st.Repeat, MaxRepeat, "one after another")
	n := st.Requests()
	e := st.Expect
	if e.MaxTime < 0 || (e.MaxTime > 0 && e.MaxTime < time.Millisecond) {
		add("expect.max_ms", "write a whole number of milliseconds, e.g. 500", "%s is not a positive number of milliseconds", e.MaxTime)
	}
	if e.MaxQueries != nil {
		switch {
		case *e.MaxQueries < 0:
			add("expect.max_queries", "write how many queries the request may cost, 0 or more", "%d is negative", *e.MaxQueries)
		case n > 1:
			add("expect.max_queries", "bound the queries of a single request: drop parallel or repeat, or move max_queries to a step of its own", "is set on a step that sends %s", countOf(n, "request"))
		}
	}
	if len(e.Statuses) > 0 {
		sum := 0
		for _, code := range slices.Sorted(maps.Keys(e.Statuses)) {
			c := e.Statuses[code]
			if !IsStatus(code) {
				add(fmt.Sprintf("expect.statuses.%d", code), "use HTTP statuses from 100 to 599", "%d is not an HTTP status", code)
			}
			if c < 0 {
				add(fmt.Sprintf("expect.statuses.%d", code), "write how many responses get this status, 0 or more", "%d is a negative count", c)
			}
			sum += c
		}
		switch {
		case n < 2:
			add("expect.statuses", "add parallel or repeat to send the request several times, or check one response with status", "counts responses but the step sends %s", countOf(n, "request"))
		case e.Status != 0:
			add("expect.status", "drop status: statuses says what each response may get", "is set together with statuses")
		case sum != n:
			add("expect.statuses", fmt.Sprintf("make the counts add up to %d, one per request", n), "the counts add up to %d, but the step sends %d requests", sum, n)
		}
	}
	if len(e.Distinct) > 0 && n < 2 {
		add("expect.distinct", "add parallel or repeat to send the request several times", "compares responses but the step sends %s", countOf(n, "request"))
	}
	seen := map[string]bool{}
	for i, p := range e.Distinct {
		field := fmt.Sprintf("expect.distinct[%d]", i)
		switch {
		case strings.TrimSpace(p) == "":
			add(field, "write a JSON path of the response, e.g. id", "the path is empty")
		case seen[p]:
			add(field, "list each path once", "%q is listed twice", p)
		}
		seen[p] = true
	}
	return out
}

func countOf(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}
