package httpcheck

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/gradebox/grader/grader"
)

// matchLength checks the length operator: the characters of a string or
// the elements of an array.
func matchLength(m grader.JSONMatch, res gjson.Result, missing func(string) string, got func() string) string {
	bounds, err := parseLength(m.Value)
	if err != nil {
		return fmt.Sprintf("invalid length for %q in the test: %v", m.Path, err)
	}
	if !res.Exists() {
		return missing("a string or an array of length " + bounds.String())
	}
	var n int
	var kind, unit string
	switch {
	case res.Type == gjson.String:
		n, kind, unit = utf8.RuneCountInString(res.String()), "a string", "characters"
	case res.IsArray():
		n, kind, unit = len(res.Array()), "an array", "elements"
	default:
		return fmt.Sprintf("json %q: expected a string or an array of length %s, got %s", m.Path, bounds, got())
	}
	if !bounds.holds(n) {
		if n == 1 {
			unit = strings.TrimSuffix(unit, "s")
		}
		return fmt.Sprintf("json %q: expected %s of length %s, got %d %s: %s", m.Path, kind, bounds, n, unit, got())
	}
	return ""
}

// lengthBounds is the operand of the length operator: an exact length, or
// a lower and/or an upper bound (-1 when absent).
type lengthBounds struct{ gte, lte int64 }

// parseLength reads a length operand: a whole number, or an object with
// gte and/or lte, each a whole number.
func parseLength(raw json.RawMessage) (lengthBounds, error) {
	b := lengthBounds{gte: -1, lte: -1}
	var exact int64
	if err := json.Unmarshal(raw, &exact); err == nil {
		if exact < 0 {
			return b, fmt.Errorf("%d is negative", exact)
		}
		return lengthBounds{gte: exact, lte: exact}, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || len(obj) == 0 {
		return b, fmt.Errorf("%s is neither a whole number nor {gte: n, lte: m}", raw)
	}
	for k, v := range obj {
		var n int64
		if err := json.Unmarshal(v, &n); err != nil || n < 0 {
			return b, fmt.Errorf("%s: %s is not a whole number", k, v)
		}
		switch k {
		case "gte":
			b.gte = n
		case "lte":
			b.lte = n
		default:
			return b, fmt.Errorf("%q is not gte or lte", k)
		}
	}
	if b.lte >= 0 && b.gte > b.lte {
		return b, fmt.Errorf("gte %d is above lte %d", b.gte, b.lte)
	}
	return b, nil
}

func (b lengthBounds) holds(n int) bool {
	return (b.gte < 0 || int64(n) >= b.gte) && (b.lte < 0 || int64(n) <= b.lte)
}

// String words the bounds as messages show them: "3", ">= 1", "1 to 5".
func (b lengthBounds) String() string {
	switch {
	case b.gte >= 0 && b.gte == b.lte:
		return strconv.FormatInt(b.gte, 10)
	case b.gte >= 0 && b.lte >= 0:
		return fmt.Sprintf("%d to %d", b.gte, b.lte)
	case b.gte >= 0:
		return ">= " + strconv.FormatInt(b.gte, 10)
	}
	return "<= " + strconv.FormatInt(b.lte, 10)
}
