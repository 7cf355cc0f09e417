package challenges

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
)

// varRef is a reference to a captured variable; the tester substitutes
// the same syntax.
var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// httpSuite fills s from an http suite's fields and its test file.
func (l *loader) httpSuite(field string, sf suiteFile, vis grader.Visibility, fixtures []grader.Fixture, limits grader.Limits, s *grader.Suite) {
	if len(sf.Files) > 0 || sf.Package != "" || sf.Race != nil || len(sf.Tests) > 0 || sf.Points != nil {
		l.bad(field, "remove files, package, race, points and tests; an http suite's tests and their points live in its file", "has fields of a go suite")
	}
	switch {
	case sf.File == "":
		l.bad(field+".file", "name the test file, e.g. tests/api.yaml", "missing")
		return
	case !strings.HasSuffix(sf.File, ".yaml") && !strings.HasSuffix(sf.File, ".yml"):
		l.bad(field+".file", "name a YAML test file, e.g. tests/api.yaml", "%q is not a .yaml file", sf.File)
		return
	case !l.hiddenFile(field+".file", sf.File):
		return
	}
	h := httpFile{l: l, name: sf.File, vis: vis, testTimeout: limits.TestTimeout, targets: map[string]grader.FixtureKind{}}
	for _, f := range fixtures {
		h.targets[f.Name] = f.Kind
	}
	s.Tests = h.tests()
}

// httpFile converts one http test file.
type httpFile struct {
	l           *loader
	name        string // path relative to the challenge
	vis         grader.Visibility
	testTimeout time.Duration
	targets     map[string]grader.FixtureKind // fixtures by name
}

// bad records a problem in the test file.
func (h *httpFile) bad(field, fix, format string, args ...any) {
	h.l.add(h.name, field, fix, format, args...)
}

func (h *httpFile) tests() []grader.TestSpec {
	if _, err := h.l.read(h.name); err != nil {
		h.bad("", "make the file readable", "cannot be read: %v", unwrapPath(err))
		return nil
	}
	var tf httpTestsFile
	if !h.l.readYAML(h.name, &tf, "fix the YAML (the step language is in docs/challenge-format.md)", tf.labels) {
		return nil
	}
	if len(tf.Tests) == 0 {
		h.bad("tests", "add at least one test", "missing")
	}
	out := make([]grader.TestSpec, 0, len(tf.Tests))
	seen := map[string]bool{}
	for i, t := range tf.Tests {
		field := fmt.Sprintf("tests[%d]", i)
		spec := grader.TestSpec{Name: strings.TrimSpace(t.Name)}
		switch {
		case spec.Name == "":
			h.bad(field+".name", "name every test; learners see the names of visible tests", "missing")
		case strings.Contains(spec.Name, "\n"):
			h.bad(field+".name", "keep the name on one line", "spans several lines")
		case seen[spec.Name]:
			h.bad(field+".name", "give each test of the suite its own name", "%q is used twice", spec.Name)
		}
		seen[spec.Name] = true
		spec.Points = h.l.points(h.name, field+".points", t.Points, 1)
		spec.Visibility = h.l.visibility(h.name, field+".visibility", t.Visibility, h.vis)
		if len(t.Steps) == 0 {
			h.bad(field+".steps", "add at least one step", "missing")
		}
		defined := map[string]bool{}
		var waits time.Duration
		for j, st := range t.Steps {
			step := h.step(fmt.Sprintf("%s.steps[%d]", field, j), st, defined)
			waits += step.Wait
			spec.Steps = append(spec.Steps, step)
		}
		if h.testTimeout > 0 && waits >= h.testTimeout {
			h.bad(field+".steps", fmt.Sprintf("shorten the waits or raise limits.test_timeout in challenge.yaml above %s", waits), "the waits add up to %s, which the test's time limit (%s) does not leave room for", waits, h.testTimeout)
		}
		out = append(out, spec)
	}
	return out
}

// step converts one step. defined holds the variables earlier steps
// captured; the step's own captures are added after its checks, as the
// tester does.
func (h *httpFile) step(field string, sf stepFile, defined map[string]bool) grader.Step {
	st := grader.Step{Name: strings.TrimSpace(sf.Name), Restart: sf.Restart, Parallel: sf.Parallel, Repeat: sf.Repeat}
	if sf.Wait != "" {
		d, err := time.ParseDuration(sf.Wait)
		if err != nil || d <= 0 {
			h.bad(field+".wait", "write a positive Go duration, e.g. 1500ms", "%q is not a valid wait", sf.Wait)
		} else {
			st.Wait = d
		}
	}
	refs := refChecker{h: h, defined: defined}
	if sf.Request == nil {
		if sf.Wait == "" && !sf.Restart {
			h.bad(field, "add a request, a wait or restart: true", "does nothing")
		}
		if sf.Expect != nil || len(sf.Capture) > 0 {
			h.bad(field, "add a request for expect and capture to check", "has expect or capture but no request")
		}
		h.checkSet(field, st)
		return st
	}
	st.Request = h.request(field+".request", *sf.Request, refs)
	switch {
	case sf.Expect != nil && h.isQuery(st.Request.Target):
		st.Expect = h.queryExpect(field+".expect", *sf.Expect, refs)
	case sf.Expect != nil:
		st.Expect = h.expect(field+".expect", *sf.Expect, refs)
		if sf.Expect.Rows != nil || sf.Expect.RowCount != nil {
			h.bad(field+".expect", "check rows and row_count in a step whose request targets a postgres fixture", "rows or row_count is set on an HTTP step")
		}
	}
	if len(sf.Capture) > 0 {
		st.Capture = make(map[string]string, len(sf.Capture))
		for _, name := range slices.Sorted(maps.Keys(sf.Capture)) {
			p := sf.Capture[name]
			switch {
			case !envPattern.MatchString(name):
				h.bad(field+".capture."+name, "name the variable with letters, digits and _, not starting with a digit", "%q is not a variable name", name)
			case strings.TrimSpace(p) == "":
				h.bad(field+".capture."+name, "map the variable to a JSON path of the response, e.g. id or items.0.id", "has no JSON path")
			default:
				st.Capture[name] = p
			}
		}
		// Even a faulty capture defines its name, so later uses of it are
		// not reported as well.
		for name := range sf.Capture {
			defined[name] = true
		}
	}
	h.checkSet(field, st)
	return st
}

// request converts a step's request.
func (h *httpFile) request(field string, rf requestFile, refs refChecker) *grader.Request {
	if h.isQuery(rf.Target) {
		return h.queryRequest(field, rf, refs)
	}
	rq := &grader.Request{Target: rf.Target, Method: strings.ToUpper(rf.Method), Path: rf.Path, FollowRedirects: rf.FollowRedirects}
	if rf.SQL != nil {
		h.bad(field+".sql", "set target to the name of a postgres fixture to send a query, or remove sql", "is set on a request to %s", cmp.Or(rf.Target, "app"))
	}
	switch kind, isFixture := h.targets[rf.Target]; {
	case rf.Target == "" || rf.Target == "app":
	case !isFixture:
		h.bad(field+".target", "use app (the learner's service) or the name of a fixture in challenge.yaml", "%q is neither app nor a fixture", rf.Target)
	case kind != grader.FixtureUpstream:
		h.bad(field+".target", "send requests to app, to an upstream fixture, or sql to a postgres fixture", "%q is a %s fixture, which does not speak HTTP", rf.Target, kind)
	}
	if rq.Method == "" {
		rq.Method = http.MethodGet
	} else if !grader.IsStepMethod(rq.Method) {
		h.bad(field+".method", "use "+strings.Join(grader.StepMethods(), ", "), "%q is not an HTTP method", rf.Method)
	}
	switch {
	case rq.Path == "":
		h.bad(field+".path", "write the request path, starting with /", "missing")
	case !strings.HasPrefix(rq.Path, "/") || strings.ContainsAny(rq.Path, " \t\r\n"):
		h.bad(field+".path", "start the path with / and escape spaces as %20", "%q is not a request path", rq.Path)
	}
	refs.check(field+".path", rq.Path)
	if len(rf.Headers) > 0 {
		rq.Headers = make(map[string]string, len(rf.Headers))
		for _, k := range slices.Sorted(maps.Keys(rf.Headers)) {
			v := rf.Headers[k]
			if h.header(field+".headers."+k, k, v) {
				rq.Headers[k] = v
			}
			refs.check(field+".headers."+k, v)
		}
	}
	if rf.JSON != nil && rf.Body != nil {
		h.bad(field, "keep one of json (sent as JSON) and body (sent as is)", "has both json and body")
	}
	if rf.JSON != nil {
		rq.JSON = h.rawJSON(field+".json", rf.JSON)
		refs.checkValue(field+".json", rf.JSON)
	}
	if rf.Body != nil {
		rq.Body = *rf.Body
		refs.check(field+".body", rq.Body)
	}
	return rq
}

// header checks a header name and value.
func (h *httpFile) header(field, name, value string) bool {
	if !grader.IsHeaderName(name) {
		h.bad(field, "write a header name of letters, digits and dashes, e.g. X-Request-Id", "%q is not a header name", name)
		return false
	}
	if strings.ContainsAny(value, "\r\n\x00") {
		h.bad(field, "keep the value on one line", "the value holds a line break or NUL")
		return false
	}
	return true
}

// expect converts a step's expectations; JSON matches are sorted by path
// (then operator), so the order is stable whatever the map order.
func (h *httpFile) expect(field string, ef expectFile, refs refChecker) grader.Expect {
	exp := grader.Expect{BodyContains: ef.BodyContains, BodyMatches: ef.BodyMatches, Statuses: ef.Statuses, Distinct: ef.Distinct}
	exp.MaxTime = h.maxTime(field+".max_ms", ef.MaxMS)
	exp.MaxQueries = ef.MaxQueries
	if ef.MaxQueries != nil && !h.hasPostgres() {
		h.bad(field+".max_queries", "add a fixture of kind postgres to challenge.yaml, whose queries the step counts, or remove max_queries", "counts database queries but the challenge has no postgres fixture")
	}
	if ef.Status != nil {
		exp.Status = *ef.Status
		if !grader.IsStatus(exp.Status) {
			h.bad(field+".status", "use an HTTP status from 100 to 599", "%d is not an HTTP status", exp.Status)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(ef.Headers)) {
		h.expectHeader(field+".headers."+k, k, ef.Headers[k], refs, &exp)
	}
	refs.check(field+".body_contains", ef.BodyContains)
	if ef.BodyMatches != "" {
		h.pattern(field+".body_matches", ef.BodyMatches, refs)
	}
	for _, p := range slices.Sorted(maps.Keys(ef.JSON)) {
		f := field + ".json." + p
		if strings.TrimSpace(p) == "" {
			h.bad(f, "write a JSON path of the response, e.g. id or items.#", "the path is empty")
			continue
		}
		exp.JSON = append(exp.JSON, h.matches(f, p, ef.JSON[p], refs)...)
	}
	return exp
}

// expectHeader converts one expect.headers entry: text the header must
// contain, or a mapping of header operators (one check each, sorted by
// operator).
func (h *httpFile) expectHeader(field, name string, v any, refs refChecker, exp *grader.Expect) {
	ops, isMap := v.(map[string]any)
	if !isMap {
		text, ok := scalarValueText(v)
		if !ok {
			h.bad(field, "write the text the header must contain, or one of "+strings.Join(grader.HeaderOps(), ", ")+" (e.g. {equals: /notes/7}, {absent: true})", "%v is neither text nor a mapping of header operators", v)
			return
		}
		if h.header(field, name, text) {
			if exp.Headers == nil {
				exp.Headers = map[string]string{}
			}
			exp.Headers[name] = text
		}
		refs.check(field, text)
		return
	}
	if !h.header(field, name, "") {
		return
	}
	if len(ops) == 0 {
		h.bad(field, "use one of "+strings.Join(grader.HeaderOps(), ", "), "names no header operator")
	}
	for _, op := range slices.Sorted(maps.Keys(ops)) {
		f := field + "." + op
		m := grader.HeaderMatch{Name: name, Op: op}
		switch op {
		case "exists", "absent":
			b, ok := ops[op].(bool)
			if !ok {
				h.bad(f, "write "+op+": true", "%v is not true or false", ops[op])
				continue
			}
			if !b { // Keep the positive form: exists: false is absent.
				m.Op = map[string]string{"exists": "absent", "absent": "exists"}[op]
			}
		case "contains", "equals", "matches":
			text, ok := scalarValueText(ops[op])
			if !ok || !h.header(f, name, text) {
				if !ok {
					h.bad(f, "write the value as text", "%v is not text", ops[op])
				}
				continue
			}
			if op != "matches" {
				refs.check(f, text)
			} else if !h.pattern(f, text, refs) {
				continue
			}
			m.Value = text
		default:
			h.bad(f, "use one of "+strings.Join(grader.HeaderOps(), ", "), "%q is not a header operator", op)
			continue
		}
		exp.HeaderMatches = append(exp.HeaderMatches, m)
	}
}

// pattern checks a regular expression of the test file and the variables
// it uses; it reports whether the pattern compiles.
func (h *httpFile) pattern(field, p string, refs refChecker) bool {
	refs.check(field, p)
	if err := grader.CheckPattern(p); err != nil {
		h.bad(field, "write a regular expression in Go's syntax (https://github.com/google/re2/wiki/Syntax); escape a literal . ( [ { * + ? | ^ $ or \\ with \\", "%q is %v", p, err)
		return false
	}
	return true
}

// scalarValueText is a decoded YAML string, number or bool as text.
func scalarValueText(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case int, int64, uint64, float64, bool:
		return fmt.Sprint(t), true
	}
	return "", false
}

// matches turns one expect.json entry into checks: a map whose keys are
// all operators gives one check per operator (sorted by operator); any
// other value one equals check.
func (h *httpFile) matches(field, path string, v any, refs refChecker) []grader.JSONMatch {
	m, isMap := v.(map[string]any)
	if isMap && looksLikeOperators(m) {
		h.badOperators(field, m)
		return nil
	}
	if !isMap || len(m) == 0 || !allOperators(m) {
		refs.checkValue(field, v)
		return []grader.JSONMatch{{Path: path, Op: "equals", Value: h.rawJSON(field, v)}}
	}
	out := make([]grader.JSONMatch, 0, len(m))
	for _, op := range slices.Sorted(maps.Keys(m)) {
		val := m[op]
		f := field + "." + op
		match := grader.JSONMatch{Path: path, Op: op}
		switch op {
		case "exists", "absent":
			b, ok := val.(bool)
			if !ok {
				h.bad(f, "write "+op+": true", "%v is not true or false", val)
				continue
			}
			// Keep the positive form: exists: false is absent.
			if !b {
				match.Op = map[string]string{"exists": "absent", "absent": "exists"}[op]
			}
		case "type":
			if s, ok := val.(string); !ok || !grader.IsJSONType(s) {
				h.bad(f, "use string, number, bool, array, object or null", "%v is not a JSON type", val)
				continue
			}
			match.Value = h.rawJSON(f, val)
		case "gte", "lte":
			if !isNumber(val) {
				h.bad(f, "compare with a number, e.g. "+op+": 2", "%v is not a number", val)
				continue
			}
			match.Value = h.rawJSON(f, val)
		case "matches":
			p, ok := val.(string)
			if !ok {
				h.bad(f, "write the pattern as a string, e.g. matches: '^[a-z0-9]{5}$'", "%v is not a string", val)
				continue
			}
			if !h.pattern(f, p, refs) {
				continue
			}
			match.Value = h.rawJSON(f, val)
		case "length":
			if !h.length(f, val) {
				continue
			}
			match.Value = h.rawJSON(f, val)
		default: // equals, ne
			refs.checkValue(f, val)
			match.Value = h.rawJSON(f, val)
		}
		out = append(out, match)
	}
	return out
}

// length checks the operand of the length operator: a whole number, or a
// mapping of gte and/or lte to whole numbers.
func (h *httpFile) length(field string, v any) bool {
	const fix = "write a whole number (length: 3) or bounds (length: {gte: 1, lte: 10})"
	if n, ok := wholeNumber(v); ok {
		if n < 0 {
			h.bad(field, fix, "%d is negative", n)
		}
		return n >= 0
	}
	bounds, ok := v.(map[string]any)
	if !ok || len(bounds) == 0 {
		h.bad(field, fix, "%v is neither a whole number nor bounds", v)
		return false
	}
	good := true
	for _, k := range slices.Sorted(maps.Keys(bounds)) {
		n, ok := wholeNumber(bounds[k])
		switch {
		case !grader.IsLengthBound(k):
			h.bad(field+"."+k, fix, "%q is not gte or lte", k)
			good = false
		case !ok || n < 0:
			h.bad(field+"."+k, fix, "%v is not a whole number", bounds[k])
			good = false
		}
	}
	if lo, ok1 := wholeNumber(bounds["gte"]); ok1 {
		if hi, ok2 := wholeNumber(bounds["lte"]); ok2 && lo > hi {
			h.bad(field, fix, "gte %d is above lte %d", lo, hi)
			good = false
		}
	}
	return good
}

// wholeNumber is a YAML integer.
func wholeNumber(v any) (int64, bool) {
	switch t := v.(type) {
	case int:
		return int64(t), true
	case int64:
		return t, true
	case uint64:
		return int64(min(t, 1<<62)), true
	}
	return 0, false
}

// rawJSON encodes a YAML value as JSON.
func (h *httpFile) rawJSON(field string, v any) json.RawMessage {
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		h.bad(field, "write plain YAML values (strings, numbers, booleans, null, lists, mappings)", "cannot be written as JSON: %v", err)
		return nil
	}
	return b
}

// refChecker reports ${name} references to variables no earlier step of
// the test captured.
type refChecker struct {
	h       *httpFile
	defined map[string]bool
}

func (r refChecker) check(field, s string) {
	for _, m := range varRef.FindAllStringSubmatch(s, -1) {
		if !r.defined[m[1]] {
			r.h.bad(field, fmt.Sprintf("capture %s in an earlier step of the same test (capture: {%s: <json path>}), or correct the name", m[1], m[1]), "uses ${%s}, which no earlier step captures", m[1])
		}
	}
}

// checkValue checks the string leaves of a YAML value.
func (r refChecker) checkValue(field string, v any) {
	switch t := v.(type) {
	case string:
		r.check(field, t)
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			r.checkValue(field, t[k])
		}
	case []any:
		for _, e := range t {
			r.checkValue(field, e)
		}
	}
}
