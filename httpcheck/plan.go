package httpcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strings"

	"github.com/gradebox/grader/grader"
)

// DecodePlan reads one JSON plan from rd, refusing unknown fields and
// trailing data, and checks it as Run would.
func DecodePlan(rd io.Reader) (grader.TesterPlan, error) {
	var plan grader.TesterPlan
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&plan); err != nil {
		return grader.TesterPlan{}, fmt.Errorf("decode tester plan: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return grader.TesterPlan{}, errors.New("decode tester plan: unexpected data after the plan")
	}
	if err := validatePlan(plan); err != nil {
		return grader.TesterPlan{}, err
	}
	return plan, nil
}

// varName is what a capture may be called and ${name} may refer to.
var varName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// validatePlan reports every fault of a plan at once. These are faults of
// the challenge or the engine (the loader rejects them earlier), never of
// the learner.
func validatePlan(p grader.TesterPlan) error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if u, err := url.Parse(p.BaseURL); err != nil || u.Scheme != "http" || u.Host == "" || (u.Path != "" && u.Path != "/") {
		add("base_url %q: want http://host:port", p.BaseURL)
	}
	if p.ReadyPath != "" && !strings.HasPrefix(p.ReadyPath, "/") {
		add("ready_path %q: must start with /", p.ReadyPath)
	}
	if p.ReadyTimeout < 0 || p.TestTimeout < 0 {
		add("ready_timeout and test_timeout must not be negative")
	}
	seen := map[string]bool{}
	for i, t := range p.Tests {
		field := fmt.Sprintf("tests[%d]", i)
		switch {
		case t.Name == "":
			add("%s: missing name", field)
		case seen[t.Name]:
			add("%s: name %q is used twice", field, t.Name)
		}
		seen[t.Name] = true
		if len(t.Steps) == 0 {
			add("%s: no steps", field)
		}
		for j, st := range t.Steps {
			errs = append(errs, validateStep(p, fmt.Sprintf("%s.steps[%d]", field, j), st)...)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("invalid tester plan: %w", err)
	}
	return nil
}

func validateStep(p grader.TesterPlan, field string, st grader.Step) []error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(field+": "+format, args...))
	}
	if st.Wait < 0 {
		add("negative wait")
	}
	for _, pr := range grader.CheckStepSet(st) {
		add("%s: %s", pr.Field, pr.Problem)
	}
	rq := st.Request
	if rq == nil {
		if st.Wait == 0 && !st.Restart {
			add("neither a request, a wait nor a restart")
		}
		if !isZeroExpect(st.Expect) || len(st.Capture) > 0 {
			add("expect and capture need a request")
		}
		return errs
	}
	if fx, ok := p.Fixtures[rq.Target]; ok && fx.Kind == grader.FixturePostgres {
		return append(errs, validateQueryStep(field, st)...)
	}
	if rq.SQL != "" || len(st.Expect.Rows) > 0 || st.Expect.RowCount != nil {
		add("sql, expect.rows and expect.row_count need a postgres fixture as target")
	}
	if st.Expect.MaxQueries != nil && len(postgresFixtures(p)) == 0 {
		add("expect.max_queries needs a postgres fixture, whose queries it counts")
	}
	if rq.Target != "" && rq.Target != "app" {
		fx, ok := p.Fixtures[rq.Target]
		if !ok {
			add("target %q is neither app nor a fixture", rq.Target)
		} else if u, err := url.Parse(fx.URL); err != nil || u.Scheme != "http" || u.Host == "" {
			add("target %q is not an http fixture (%q)", rq.Target, fx.URL)
		}
	}
	if rq.Method != "" && !grader.IsStepMethod(rq.Method) {
		add("method %q is not an HTTP method", rq.Method)
	}
	if !strings.HasPrefix(rq.Path, "/") {
		add("path %q must start with /", rq.Path)
	}
	for k := range rq.Headers {
		if !grader.IsHeaderName(k) {
			add("header name %q is not valid", k)
		}
	}
	if len(rq.JSON) > 0 && !json.Valid(rq.JSON) {
		add("request json is not valid JSON")
	}
	if len(rq.JSON) > 0 && rq.Body != "" {
		add("request has both json and body")
	}
	if s := st.Expect.Status; s != 0 && !grader.IsStatus(s) {
		add("expect.status %d is not an HTTP status", s)
	}
	for i, m := range st.Expect.HeaderMatches {
		if err := validateHeaderMatch(m); err != nil {
			add("expect.header_matches[%d] (%q): %v", i, m.Name, err)
		}
	}
	if p := st.Expect.BodyMatches; p != "" {
		if err := grader.CheckPattern(p); err != nil {
			add("expect.body_matches: %v", err)
		}
	}
	for i, m := range st.Expect.JSON {
		if err := validateMatch(m); err != nil {
			add("expect.json[%d] (%q): %v", i, m.Path, err)
		}
	}
	for name, path := range st.Capture {
		if !varName.MatchString(name) || path == "" {
			add("capture %q: want a name of letters, digits and _ mapped to a JSON path", name)
		}
	}
	return errs
}

// validateQueryStep checks a step that queries a postgres fixture: SQL
// and no HTTP request fields; only rows, row_count and json checks.
func validateQueryStep(field string, st grader.Step) []error {
	var errs []error
	add := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf(field+": "+format, args...))
	}
	rq := st.Request
	if strings.TrimSpace(rq.SQL) == "" {
		add("a step to a postgres fixture needs sql")
	}
	if rq.Method != "" || rq.Path != "" || len(rq.Headers) > 0 || len(rq.JSON) > 0 || rq.Body != "" || rq.FollowRedirects {
		add("a step to a postgres fixture sends sql, not an HTTP request")
	}
	e := st.Expect
	if e.Status != 0 || len(e.Headers) > 0 || len(e.HeaderMatches) > 0 || e.BodyContains != "" || e.BodyMatches != "" || e.MaxQueries != nil {
		add("a query step checks rows, row_count and json only")
	}
	if len(e.Rows) > 0 && !json.Valid(e.Rows) {
		add("expect.rows is not valid JSON")
	}
	if e.RowCount != nil && *e.RowCount < 0 {
		add("expect.row_count must not be negative")
	}
	for i, m := range e.JSON {
		if err := validateMatch(m); err != nil {
			add("expect.json[%d] (%q): %v", i, m.Path, err)
		}
	}
	for name, path := range st.Capture {
		if !varName.MatchString(name) || path == "" {
			add("capture %q: want a name of letters, digits and _ mapped to a JSON path", name)
		}
	}
	return errs
}

func validateMatch(m grader.JSONMatch) error {
	if m.Path == "" {
		return errors.New("empty path")
	}
	var v any
	if len(m.Value) > 0 {
		if err := json.Unmarshal(m.Value, &v); err != nil {
			return fmt.Errorf("value is not JSON: %w", err)
		}
	}
	if m.Op != "" && !grader.IsMatchOp(m.Op) {
		return fmt.Errorf("unknown operator %q", m.Op)
	}
	switch m.Op {
	case "", "equals", "ne":
		if len(m.Value) == 0 {
			return fmt.Errorf("%s needs a value", opName(m.Op))
		}
	case "exists", "absent":
		if _, ok := v.(bool); len(m.Value) > 0 && !ok {
			return fmt.Errorf("%s takes true or false", m.Op)
		}
	case "type":
		if s, ok := v.(string); !ok || !grader.IsJSONType(s) {
			return fmt.Errorf("type %s is not one of string, number, bool, array, object, null", m.Value)
		}
	case "gte", "lte":
		if _, ok := v.(float64); !ok {
			return fmt.Errorf("%s needs a number, not %s", m.Op, m.Value)
		}
	case "matches":
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("matches needs a pattern as a string, not %s", m.Value)
		}
		return grader.CheckPattern(s)
	case "length":
		_, err := parseLength(m.Value)
		return err
	}
	return nil
}

func validateHeaderMatch(m grader.HeaderMatch) error {
	switch {
	case !grader.IsHeaderName(m.Name):
		return errors.New("not a header name")
	case !grader.IsHeaderOp(m.Op):
		return fmt.Errorf("unknown operator %q", m.Op)
	case (m.Op == "exists" || m.Op == "absent") && m.Value != "":
		return fmt.Errorf("%s takes no value", m.Op)
	case m.Op == "matches":
		return grader.CheckPattern(m.Value)
	}
	return nil
}

func opName(op string) string {
	if op == "" {
		return "equals"
	}
	return op
}

func isZeroExpect(e grader.Expect) bool {
	return e.Status == 0 && len(e.Headers) == 0 && len(e.HeaderMatches) == 0 && len(e.JSON) == 0 && e.BodyContains == "" && e.BodyMatches == "" &&
		e.MaxTime == 0 && e.MaxQueries == nil && len(e.Statuses) == 0 && len(e.Distinct) == 0
}
