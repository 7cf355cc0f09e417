package httpcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/gradebox/grader/grader"
)

// runTest runs a test's steps with fresh captures and returns "" when it
// passed, else what went wrong.
func (r *runner) runTest(ctx context.Context, t grader.TestSpec) string {
	timeout := r.plan.TestTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	vars := map[string]string{}
	for i, st := range t.Steps {
		label := stepLabel(i, st)
		if st.Wait > 0 {
			select {
			case <-ctx.Done():
				return fmt.Sprintf("%s: the test ran out of time (%s)", label, timeout)
			case <-time.After(st.Wait):
			}
		}
		if st.Request == nil {
			continue
		}
		if msg := r.runStep(ctx, label, st, vars); msg != "" {
			if ctx.Err() != nil {
				return fmt.Sprintf("%s: the test ran out of time (%s)", label, timeout)
			}
			return msg
		}
	}
	return ""
}

func stepLabel(i int, st grader.Step) string {
	if st.Name != "" {
		return fmt.Sprintf("step %q", st.Name)
	}
	if st.Request != nil {
		m := st.Request.Method
		if m == "" {
			m = http.MethodGet
		}
		return fmt.Sprintf("step %d (%s %s)", i+1, m, st.Request.Path)
	}
	return fmt.Sprintf("step %d", i+1)
}

var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// expand replaces ${name} with captured values.
func expand(s string, vars map[string]string) (string, error) {
	var missing string
	out := varRef.ReplaceAllStringFunc(s, func(m string) string {
		name := m[2 : len(m)-1]
		v, ok := vars[name]
		if !ok && missing == "" {
			missing = name
		}
		return v
	})
	if missing != "" {
		return "", fmt.Errorf("uses ${%s}, which no earlier step captured", missing)
	}
	return out, nil
}

// expandJSON replaces ${name} in the string leaves of raw JSON.
func expandJSON(raw json.RawMessage, vars map[string]string) (json.RawMessage, error) {
	if len(raw) == 0 || !bytes.Contains(raw, []byte("${")) {
		return raw, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("bad JSON in the test: %w", err)
	}
	var walk func(any) (any, error)
	walk = func(x any) (any, error) {
		switch t := x.(type) {
		case string:
			return expand(t, vars)
		case map[string]any:
			for k, e := range t {
				n, err := walk(e)
				if err != nil {
					return nil, err
				}
				t[k] = n
			}
		case []any:
			for i, e := range t {
				n, err := walk(e)
				if err != nil {
					return nil, err
				}
				t[i] = n
			}
		}
		return x, nil
	}
	v, err := walk(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

func (r *runner) runStep(ctx context.Context, label string, st grader.Step, vars map[string]string) string {
	req, err := r.request(ctx, st.Request, vars)
	if err != nil {
		return fmt.Sprintf("%s: %v", label, err)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return fmt.Sprintf("%s: could not get an answer from the service: %s", label, describe(err))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes))
	resp.Body.Close()
	if err != nil {
		return fmt.Sprintf("%s: reading the response failed: %s", label, describe(err))
	}
	if msg := check(st.Expect, resp, body, vars); msg != "" {
		return fmt.Sprintf("%s: %s", label, msg)
	}
	for name, path := range st.Capture {
		res := gjson.GetBytes(body, path)
		if !gjson.ValidBytes(body) || !res.Exists() {
			return fmt.Sprintf("%s: expected a JSON value at %q to use later, found none; body: %s", label, path, snippet(body))
		}
		if res.Type == gjson.String {
			vars[name] = res.String()
		} else {
			vars[name] = res.Raw
		}
	}
	return ""
}

func (r *runner) request(ctx context.Context, rq *grader.Request, vars map[string]string) (*http.Request, error) {
	base := r.plan.BaseURL
	var secret string
	if rq.Target != "" && rq.Target != "app" {
		fx, ok := r.plan.Fixtures[rq.Target]
		if !ok {
			return nil, fmt.Errorf("unknown target %q", rq.Target)
		}
		base, secret = fx.URL, fx.Secret
	}
	path, err := expand(rq.Path, vars)
	if err != nil {
		return nil, err
	}
	method := rq.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	contentType := ""
	switch {
	case len(rq.JSON) > 0:
		b, err := expandJSON(rq.JSON, vars)
		if err != nil {
			return nil, err
		}
		body, contentType = bytes.NewReader(b), "application/json"
	case rq.Body != "":
		b, err := expand(rq.Body, vars)
		if err != nil {
			return nil, err
		}
		body = strings.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, base+path, body)
	if err != nil {
		return nil, fmt.Errorf("bad request in the test: %w", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for k, v := range rq.Headers {
		v, err := expand(v, vars)
		if err != nil {
			return nil, err
		}
		req.Header.Set(k, v)
	}
	if secret != "" {
		req.Header.Set(grader.FixtureSecretHeader, secret)
	}
	return req, nil
}

// check returns "" when the response meets exp, else the first mismatch.
func check(exp grader.Expect, resp *http.Response, body []byte, vars map[string]string) string {
	if exp.Status != 0 && resp.StatusCode != exp.Status {
		return fmt.Sprintf("expected status %d, got %d; body: %s", exp.Status, resp.StatusCode, snippet(body))
	}
	for name, want := range exp.Headers {
		want, err := expand(want, vars)
		if err != nil {
			return err.Error()
		}
		got := resp.Header.Get(name)
		if !strings.Contains(strings.ToLower(got), strings.ToLower(want)) {
			if got == "" {
				return fmt.Sprintf("expected header %s to contain %q, but it is missing", name, want)
			}
			return fmt.Sprintf("expected header %s to contain %q, got %q", name, want, got)
		}
	}
	if exp.BodyContains != "" {
		want, err := expand(exp.BodyContains, vars)
		if err != nil {
			return err.Error()
		}
		if !bytes.Contains(body, []byte(want)) {
			return fmt.Sprintf("expected the body to contain %q; body: %s", want, snippet(body))
		}
	}
	if len(exp.JSON) > 0 && !gjson.ValidBytes(body) {
		return fmt.Sprintf("the response is not JSON (Content-Type %q): %s", resp.Header.Get("Content-Type"), snippet(body))
	}
	for _, m := range exp.JSON {
		if msg := matchJSON(m, body, vars); msg != "" {
			return msg
		}
	}
	return ""
}

func matchJSON(m grader.JSONMatch, body []byte, vars map[string]string) string {
	res := gjson.GetBytes(body, m.Path)
	var want any
	if len(m.Value) > 0 {
		raw, err := expandJSON(m.Value, vars)
		if err != nil {
			return err.Error()
		}
		if err := json.Unmarshal(raw, &want); err != nil {
			return fmt.Sprintf("bad expected value for %q in the test: %v", m.Path, err)
		}
	}
	got := func() string {
		if !res.Exists() {
			return "nothing"
		}
		return trimmed(res.Raw, 120)
	}
	switch m.Op {
	case "", "equals":
		if !res.Exists() || !jsonEqual(res.Value(), want) {
			return fmt.Sprintf("json %q: expected %s, got %s", m.Path, show(want), got())
		}
	case "ne":
		if res.Exists() && jsonEqual(res.Value(), want) {
			return fmt.Sprintf("json %q: expected anything but %s", m.Path, show(want))
		}
	case "exists":
		if !res.Exists() {
			return fmt.Sprintf("json %q: expected a value, found none; body: %s", m.Path, snippet(body))
		}
	case "absent":
		if res.Exists() {
			return fmt.Sprintf("json %q: expected no value, got %s", m.Path, got())
		}
	case "type":
		if typeName(res) != want {
			return fmt.Sprintf("json %q: expected a %v, got %s", m.Path, want, got())
		}
	case "gte", "lte":
		w, ok := want.(float64)
		if !ok {
			return fmt.Sprintf("bad expected value for %q in the test: %s needs a number", m.Path, m.Op)
		}
		if res.Type != gjson.Number {
			return fmt.Sprintf("json %q: expected a number, got %s", m.Path, got())
		}
		if (m.Op == "gte" && res.Float() < w) || (m.Op == "lte" && res.Float() > w) {
			sign := ">="
			if m.Op == "lte" {
				sign = "<="
			}
			return fmt.Sprintf("json %q: expected %s %s, got %s", m.Path, sign, strconv.FormatFloat(w, 'f', -1, 64), got())
		}
	default:
		return fmt.Sprintf("unknown operator %q in the test", m.Op)
	}
	return ""
}

func typeName(r gjson.Result) string {
	switch {
	case !r.Exists():
		return "missing"
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

// jsonEqual compares decoded JSON values, numbers by value.
func jsonEqual(a, b any) bool {
	ab, err1 := json.Marshal(normalize(a))
	bb, err2 := json.Marshal(normalize(b))
	return err1 == nil && err2 == nil && bytes.Equal(ab, bb)
}

// normalize makes gjson's values (ints, floats) compare like
// encoding/json's (float64).
func normalize(v any) any {
	switch t := v.(type) {
	case int:
		return float64(t)
	case int64:
		return float64(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = normalize(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = normalize(e)
		}
		return out
	}
	return v
}

func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return trimmed(string(b), 120)
}

func snippet(body []byte) string {
	if len(bytes.TrimSpace(body)) == 0 {
		return "(empty)"
	}
	return trimmed(string(bytes.TrimSpace(body)), 200)
}

func trimmed(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
