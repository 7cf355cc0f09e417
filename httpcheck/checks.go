package httpcheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/gradebox/grader/grader"
)

// Lengths of response excerpts in messages, in bytes.
const (
	bodyExcerptBytes  = 200
	valueExcerptBytes = 120
)

// check returns "" when the response meets exp, else the first mismatch,
// checking in this order: status, headers (those to contain a value by
// name, then the other header checks in order), body_contains,
// body_matches, then the JSON matches in order.
func check(exp grader.Expect, resp response, v vars) string {
	if exp.Status != 0 && resp.StatusCode != exp.Status {
		return fmt.Sprintf("expected status %d, got %d%s; body: %s", exp.Status, resp.StatusCode, redirected(resp), snippet(resp))
	}
	for _, name := range slices.Sorted(maps.Keys(exp.Headers)) {
		if msg := matchHeader(grader.HeaderMatch{Name: name, Op: "contains", Value: exp.Headers[name]}, resp, v); msg != "" {
			return msg
		}
	}
	for _, m := range exp.HeaderMatches {
		if msg := matchHeader(m, resp, v); msg != "" {
			return msg
		}
	}
	if msg := checkBody(exp, resp, v); msg != "" {
		return msg
	}
	if len(exp.JSON) == 0 {
		return ""
	}
	if msg := notJSON(resp); msg != "" {
		return msg
	}
	for _, m := range exp.JSON {
		if msg := matchJSON(m, resp, v); msg != "" {
			return msg
		}
	}
	return ""
}

// redirected says where redirects led, for messages about the response.
func redirected(resp response) string {
	if resp.redirectedTo == "" {
		return ""
	}
	return " (after following redirects to " + resp.redirectedTo + ")"
}

// matchHeader checks one header of the response.
func matchHeader(m grader.HeaderMatch, resp response, v vars) string {
	values := resp.Header.Values(m.Name)
	got := strings.Join(values, ", ")
	switch m.Op {
	case "absent":
		if len(values) > 0 {
			return fmt.Sprintf("expected no header %s, got %q", m.Name, got)
		}
		return ""
	case "exists":
		if len(values) == 0 {
			return fmt.Sprintf("expected a header %s, but it is missing", m.Name)
		}
		return ""
	}
	var want string
	var ok func() bool
	switch m.Op {
	case "matches":
		re, err := v.pattern(m.Value)
		if err != nil {
			return err.Error()
		}
		want, ok = "to match the pattern "+re.String(), func() bool { return re.MatchString(got) }
	case "equals", "contains":
		text, err := v.expand(m.Value)
		if err != nil {
			return err.Error()
		}
		if m.Op == "equals" {
			want, ok = fmt.Sprintf("to be %q", text), func() bool { return got == text }
		} else {
			want, ok = fmt.Sprintf("to contain %q", text), func() bool { return strings.Contains(strings.ToLower(got), strings.ToLower(text)) }
		}
	default:
		return fmt.Sprintf("unknown header operator %q in the test", m.Op)
	}
	if len(values) == 0 {
		return fmt.Sprintf("expected header %s %s, but it is missing", m.Name, want)
	}
	if !ok() {
		return fmt.Sprintf("expected header %s %s, got %q", m.Name, want, got)
	}
	return ""
}

// checkBody checks body_contains and body_matches.
func checkBody(exp grader.Expect, resp response, v vars) string {
	where := "the body"
	if resp.truncated {
		where = "the first 1 MiB of the body"
	}
	if exp.BodyContains != "" {
		want, err := v.expand(exp.BodyContains)
		if err != nil {
			return err.Error()
		}
		if !bytes.Contains(resp.body, []byte(want)) {
			return fmt.Sprintf("expected %s to contain %q; body: %s", where, want, snippet(resp))
		}
	}
	if exp.BodyMatches != "" {
		re, err := v.pattern(exp.BodyMatches)
		if err != nil {
			return err.Error()
		}
		if !re.Match(resp.body) {
			return fmt.Sprintf("expected %s to match the pattern %s; body: %s", where, re, snippet(resp))
		}
	}
	return ""
}

// notJSON returns why the body cannot be checked as JSON, or "".
func notJSON(resp response) string {
	if resp.truncated {
		return fmt.Sprintf("the response body is larger than %d MiB, too large to check", maxBodyBytes>>20)
	}
	if gjson.ValidBytes(resp.body) {
		return ""
	}
	ct := "no Content-Type"
	if h := resp.Header.Get("Content-Type"); h != "" {
		ct = "Content-Type " + strconv.Quote(h)
	}
	return fmt.Sprintf("the response is not JSON (%s): %s", ct, snippet(resp))
}

// captureAll stores each capture (in name order) in v.
func captureAll(captures map[string]string, resp response, v vars) string {
	if len(captures) == 0 {
		return ""
	}
	if msg := notJSON(resp); msg != "" {
		return msg
	}
	for _, name := range slices.Sorted(maps.Keys(captures)) {
		path := captures[name]
		res := gjson.GetBytes(resp.body, path)
		if !res.Exists() {
			return fmt.Sprintf("json %q: expected a value (to use as ${%s}), found none; body: %s", path, name, snippet(resp))
		}
		v.set(name, res)
	}
	return ""
}

// matchJSON checks one JSON match against a body known to be JSON.
func matchJSON(m grader.JSONMatch, resp response, v vars) string {
	res := gjson.GetBytes(resp.body, m.Path)
	got := func() string {
		if !res.Exists() {
			return "nothing"
		}
		return excerpt(res.Raw, valueExcerptBytes)
	}
	missing := func(want string) string {
		return fmt.Sprintf("json %q: expected %s, found none; body: %s", m.Path, want, snippet(resp))
	}
	op := opName(m.Op)
	positive := len(m.Value) == 0 || !bytes.Equal(bytes.TrimSpace(m.Value), []byte("false"))
	switch {
	case op == "exists" && !positive:
		op = "absent"
	case op == "absent" && !positive:
		op = "exists"
	}
	switch op {
	case "equals", "ne":
		raw, err := v.expandJSON(m.Value)
		if err != nil {
			return err.Error()
		}
		want, err := decodeJSON(raw)
		if err != nil {
			return fmt.Sprintf("invalid expected value for %q in the test: %v", m.Path, err)
		}
		shown := excerpt(string(compact(raw)), valueExcerptBytes)
		equal := res.Exists() && equalJSON(gotValue(res), want)
		switch {
		case op == "equals" && !res.Exists():
			return missing(shown)
		case op == "equals" && !equal:
			return fmt.Sprintf("json %q: expected %s, got %s", m.Path, shown, got())
		case op == "ne" && equal:
			return fmt.Sprintf("json %q: expected anything but %s, got %s", m.Path, shown, got())
		}
	case "exists":
		if !res.Exists() {
			return missing("a value")
		}
	case "absent":
		if res.Exists() {
			return fmt.Sprintf("json %q: expected no value, got %s", m.Path, got())
		}
	case "type":
		var want string
		_ = json.Unmarshal(m.Value, &want)
		if !res.Exists() {
			return missing(withArticle(want))
		}
		if typeName(res) != want {
			return fmt.Sprintf("json %q: expected %s, got %s", m.Path, withArticle(want), got())
		}
	case "gte", "lte":
		want, _ := strconv.ParseFloat(string(bytes.TrimSpace(m.Value)), 64)
		sign := map[string]string{"gte": ">=", "lte": "<="}[op]
		bound := sign + " " + strconv.FormatFloat(want, 'f', -1, 64)
		switch {
		case !res.Exists():
			return missing("a number " + bound)
		case res.Type != gjson.Number:
			return fmt.Sprintf("json %q: expected a number %s, got %s", m.Path, bound, got())
		case (op == "gte" && res.Float() < want) || (op == "lte" && res.Float() > want):
			return fmt.Sprintf("json %q: expected %s, got %s", m.Path, bound, got())
		}
	case "matches":
		var pat string
		_ = json.Unmarshal(m.Value, &pat)
		re, err := v.pattern(pat)
		if err != nil {
			return err.Error()
		}
		text := res.Raw
		if res.Type == gjson.String {
			text = res.String()
		}
		switch {
		case !res.Exists():
			return missing("a value matching the pattern " + re.String())
		case !re.MatchString(text):
			return fmt.Sprintf("json %q: expected a value matching the pattern %s, got %s", m.Path, re, got())
		}
	case "length":
		return matchLength(m, res, missing, got)
	default:
		return fmt.Sprintf("unknown operator %q in the test", m.Op)
	}
	return ""
}

// gotValue decodes a gjson result, keeping numbers as written.
func gotValue(res gjson.Result) any {
	v, err := decodeJSON([]byte(res.Raw))
	if err != nil {
		return res.String()
	}
	return v
}

// equalJSON compares two decoded JSON values (numbers as json.Number):
// numbers by value, objects and arrays deeply.
func equalJSON(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		return ok && numbersEqual(x, y)
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case nil:
		return b == nil
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, xv := range x {
			yv, ok := y[k]
			if !ok || !equalJSON(xv, yv) {
				return false
			}
		}
		return true
	}
	return false
}

// numbersEqual compares integers exactly, whatever their size, and any
// other numbers (3.0, 1e3) as float64. Exponents are never expanded, so a
// hostile 1e999999999 costs nothing.
func numbersEqual(a, b json.Number) bool {
	if isInteger(string(a)) && isInteger(string(b)) {
		x, ok1 := new(big.Int).SetString(string(a), 10)
		y, ok2 := new(big.Int).SetString(string(b), 10)
		return ok1 && ok2 && x.Cmp(y) == 0
	}
	x, err1 := strconv.ParseFloat(string(a), 64)
	y, err2 := strconv.ParseFloat(string(b), 64)
	return err1 == nil && err2 == nil && x == y
}

func isInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// typeName names a value's JSON type as the type operator spells it.
func typeName(r gjson.Result) string {
	switch {
	case r.Type == gjson.String:
		return "string"
	case r.Type == gjson.Number:
		return "number"
	case r.Type == gjson.True || r.Type == gjson.False:
		return "bool"
	case r.Type == gjson.Null:
		return "null"
	case r.IsArray():
		return "array"
	}
	return "object"
}

func withArticle(typ string) string {
	switch typ {
	case "null":
		return "null"
	case "array", "object":
		return "an " + typ
	}
	return "a " + typ
}

func compact(raw []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		return raw
	}
	return b.Bytes()
}

// snippet is the start of a response body for messages.
func snippet(resp response) string {
	body := bytes.TrimSpace(resp.body)
	if len(body) == 0 {
		return "(empty)"
	}
	return excerpt(string(body), bodyExcerptBytes)
}

// excerpt returns s, valid UTF-8, cut to about n bytes: between words
// (or after a comma, between JSON members) when one ends within wordSlack
// bytes before the limit, else on a character boundary (a long token such
// as a URL or a hash).
func excerpt(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if s[cut] != ' ' && s[cut] != '\n' {
		from := max(0, cut-wordSlack)
		if i := strings.LastIndexAny(s[from:cut], " \n,"); i >= 0 {
			cut = from + i
			if s[cut] == ',' { // JSON: keep the comma, cut before the next member
				cut++
			}
		}
	}
	return strings.TrimRight(s[:cut], " \n") + "…"
}

// wordSlack is how far back excerpt looks for the end of a word.
const wordSlack = 40
