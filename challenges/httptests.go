package challenges

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"github.com/gradebox/grader/grader"
)

// operators of an expect.json operator map.
var operators = map[string]bool{"equals": true, "exists": true, "absent": true, "type": true, "gte": true, "lte": true, "ne": true}

var jsonTypes = map[string]bool{"string": true, "number": true, "bool": true, "array": true, "object": true, "null": true}

// httpTests reads an http suite's test file.
func (l *loader) httpTests(name string, vis grader.Visibility) []grader.TestSpec {
	file := l.file(name)
	data, err := l.read(name)
	if err != nil {
		l.p.add(file, "", "create it", "cannot read: %v", err)
		return nil
	}
	var tf httpTestsFile
	if err := yaml.UnmarshalWithOptions(data, &tf, yaml.Strict()); err != nil {
		l.p.add(file, "", "fix the YAML; the step language is in docs/challenge-format.md", "%s", yamlError(err))
		return nil
	}
	var out []grader.TestSpec
	seen := map[string]bool{}
	for i, t := range tf.Tests {
		field := fmt.Sprintf("tests[%d]", i)
		spec := grader.TestSpec{Name: strings.TrimSpace(t.Name), Points: 1}
		if spec.Name == "" {
			l.p.add(file, field+".name", "name every test", "missing")
		} else if seen[spec.Name] {
			l.p.add(file, field+".name", "give each test its own name", "%q is used twice", spec.Name)
		}
		seen[spec.Name] = true
		if t.Points != nil {
			if *t.Points < 0 || *t.Points > 1000 {
				l.p.add(file, field+".points", "use 0 to 1000", "%d is out of range", *t.Points)
			} else {
				spec.Points = *t.Points
			}
		}
		spec.Visibility = l.visibility(file, field+".visibility", t.Visibility, vis)
		if len(t.Steps) == 0 {
			l.p.add(file, field+".steps", "add at least one step", "missing")
		}
		for j, st := range t.Steps {
			spec.Steps = append(spec.Steps, l.step(file, fmt.Sprintf("%s.steps[%d]", field, j), st))
		}
		out = append(out, spec)
	}
	if len(tf.Tests) == 0 {
		l.p.add(file, "tests", "add at least one test", "missing")
	}
	return out
}

func (l *loader) step(file, field string, sf stepFile) grader.Step {
	st := grader.Step{Name: sf.Name, Capture: sf.Capture}
	if sf.Wait != "" {
		d, err := time.ParseDuration(sf.Wait)
		if err != nil || d < 0 || d > time.Minute {
			l.p.add(file, field+".wait", "write a duration up to 1m, e.g. 1500ms", "%q is not a valid wait", sf.Wait)
		}
		st.Wait = d
	}
	if sf.Request == nil {
		if sf.Wait == "" {
			l.p.add(file, field, "add a request or a wait", "the step does nothing")
		}
		if len(sf.Capture) > 0 || sf.Expect.Status != 0 || len(sf.Expect.JSON) > 0 || len(sf.Expect.Headers) > 0 || sf.Expect.BodyContains != "" {
			l.p.add(file, field, "add a request to check", "expect and capture need a request")
		}
		return st
	}
	rq := &grader.Request{Target: sf.Request.Target, Method: strings.ToUpper(sf.Request.Method), Path: sf.Request.Path, Headers: sf.Request.Headers}
	if rq.Method == "" {
		rq.Method = http.MethodGet
	}
	switch rq.Method {
	case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
	default:
		l.p.add(file, field+".request.method", "use GET, POST, PUT, PATCH, DELETE, HEAD or OPTIONS", "%q is not a method", sf.Request.Method)
	}
	if !strings.HasPrefix(rq.Path, "/") {
		l.p.add(file, field+".request.path", "start the path with /", "%q is not a path", rq.Path)
	}
	if sf.Request.JSON != nil && sf.Request.Body != nil {
		l.p.add(file, field+".request", "keep one of json and body", "has both json and body")
	}
	if sf.Request.JSON != nil {
		raw, err := json.Marshal(jsonable(sf.Request.JSON))
		if err != nil {
			l.p.add(file, field+".request.json", "write plain YAML values", "cannot be sent as JSON: %v", err)
		}
		rq.JSON = raw
	}
	if sf.Request.Body != nil {
		rq.Body = *sf.Request.Body
	}
	st.Request = rq
	st.Expect = grader.Expect{Status: sf.Expect.Status, Headers: sf.Expect.Headers, BodyContains: sf.Expect.BodyContains}
	if st.Expect.Status != 0 && (st.Expect.Status < 100 || st.Expect.Status > 599) {
		l.p.add(file, field+".expect.status", "use an HTTP status from 100 to 599", "%d is not a status", st.Expect.Status)
	}
	paths := make([]string, 0, len(sf.Expect.JSON))
	for p := range sf.Expect.JSON {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		st.Expect.JSON = append(st.Expect.JSON, l.jsonMatches(file, field+".expect.json."+p, p, sf.Expect.JSON[p])...)
	}
	for name, p := range sf.Capture {
		if !envPattern.MatchString(name) || p == "" {
			l.p.add(file, field+".capture."+name, "map a variable name (letters, digits, _) to a JSON path", "invalid capture")
		}
	}
	return st
}

// jsonMatches turns one expect.json entry into checks: an operator map
// gives one check per operator, any other value an equality check.
func (l *loader) jsonMatches(file, field, path string, v any) []grader.JSONMatch {
	raw := func(x any) json.RawMessage {
		b, err := json.Marshal(jsonable(x))
		if err != nil {
			l.p.add(file, field, "write plain YAML values", "cannot be compared as JSON: %v", err)
		}
		return b
	}
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 || !allOperators(m) {
		return []grader.JSONMatch{{Path: path, Op: "equals", Value: raw(v)}}
	}
	ops := make([]string, 0, len(m))
	for op := range m {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	var out []grader.JSONMatch
	for _, op := range ops {
		val := m[op]
		match := grader.JSONMatch{Path: path, Op: op}
		switch op {
		case "exists", "absent":
			if b, ok := val.(bool); !ok || !b {
				l.p.add(file, field+"."+op, "write "+op+": true", "expects true")
			}
		case "type":
			if s, ok := val.(string); !ok || !jsonTypes[s] {
				l.p.add(file, field+".type", "use string, number, bool, array, object or null", "%v is not a JSON type", val)
			}
			match.Value = raw(val)
		case "gte", "lte":
			if _, ok := toFloat(val); !ok {
				l.p.add(file, field+"."+op, "compare with a number", "%v is not a number", val)
			}
			match.Value = raw(val)
		default:
			match.Value = raw(val)
		}
		out = append(out, match)
	}
	return out
}

func allOperators(m map[string]any) bool {
	for k := range m {
		if !operators[k] {
			return false
		}
	}
	return true
}

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
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
