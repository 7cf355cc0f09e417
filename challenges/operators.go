package challenges

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/gradebox/grader/grader"
)

// operatorAliases are words instructors reach for that are no operator
// of ours, with the operator they most likely mean ("" when none fits).
var operatorAliases = map[string]string{
	"eq": "equals", "equal": "equals", "is": "equals",
	"neq": "ne", "not": "ne", "not_equals": "ne",
	"gt": "gte", "ge": "gte", "min": "gte",
	"lt": "lte", "le": "lte", "max": "lte",
	"present": "exists", "missing": "absent",
	"contains": "", "regex": "", "match": "", "matches": "", "len": "", "length": "",
}

// operatorLike says which operator key looks like a misspelling of: ""
// when it looks like none (it may be a field of an expected object).
func operatorLike(key string) (string, bool) {
	if near, ok := operatorAliases[key]; ok {
		return near, true
	}
	near := closest(key, grader.MatchOps())
	return near, near != ""
}

// looksLikeOperators reports whether a mapping in expect.json reads as
// misspelled operators rather than an object to compare with: every key
// is an operator or a near miss of one ({exist: true}, {gt: 3}), and some
// key is not an operator.
func looksLikeOperators(m map[string]any) bool {
	if len(m) == 0 || allOperators(m) {
		return false
	}
	for k := range m {
		if _, like := operatorLike(k); !like && !grader.IsMatchOp(k) {
			return false
		}
	}
	return true
}

// badOperators reports a mapping of misspelled operators, naming them and
// the operators there are.
func (h *httpFile) badOperators(field string, m map[string]any) {
	var wrong, hints []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if grader.IsMatchOp(k) {
			continue
		}
		wrong = append(wrong, strconv.Quote(k))
		if near, _ := operatorLike(k); near != "" && grader.IsMatchOp(near) {
			hints = append(hints, k+" → "+near)
		}
	}
	fix := "use the operators " + strings.Join(grader.MatchOps(), ", ")
	if len(hints) > 0 {
		fix += " (" + strings.Join(hints, ", ") + ")"
	}
	fix += "; to expect an object with these fields, write it under equals: (equals: {...})"
	noun := "is not an operator"
	if len(wrong) > 1 {
		noun = "are not operators"
	}
	h.bad(field, fix, "reads as operators, but %s %s", strings.Join(wrong, ", "), noun)
}

func allOperators(m map[string]any) bool {
	for k := range m {
		if !grader.IsMatchOp(k) {
			return false
		}
	}
	return true
}

func isNumber(v any) bool {
	switch v.(type) {
	case int, int64, uint64, float64:
		return true
	}
	return false
}

// jsonable turns YAML-decoded values into ones encoding/json accepts
// (maps with non-string keys become string-keyed).
func jsonable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = jsonable(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[fmt.Sprint(k)] = jsonable(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = jsonable(e)
		}
		return out
	}
	return v
}
