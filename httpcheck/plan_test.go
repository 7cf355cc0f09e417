package httpcheck

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

func validPlan() grader.TesterPlan {
	return grader.TesterPlan{
		BaseURL:      "http://127.0.0.1:8080",
		ReadyPath:    "/healthz",
		ReadyTimeout: 15 * time.Second,
		TestTimeout:  10 * time.Second,
		Fixtures: map[string]grader.TesterFixture{
			"upstream": {URL: "http://127.0.0.1:9000", Secret: "s3"},
			"redis":    {URL: "redis://redis:6379"},
		},
		WaitFor: []string{"127.0.0.1:9000"},
		Tests: []grader.TestSpec{{
			Name: "creates a note", Points: 2, Visibility: grader.Visible,
			Steps: []grader.Step{
				{Name: "create", Request: &grader.Request{Method: "POST", Path: "/notes", JSON: json.RawMessage(`{"title":"x"}`)},
					Expect:  grader.Expect{Status: 201, JSON: []grader.JSONMatch{{Path: "id", Op: "exists"}, {Path: "n", Op: "gte", Value: json.RawMessage(`2`)}}},
					Capture: map[string]string{"note_id": "id"}},
				{Wait: time.Second},
				{Request: &grader.Request{Target: "upstream", Path: "/_fixture/stats"}},
			},
		}},
	}
}

func TestDecodePlan(t *testing.T) {
	want := validPlan()
	data, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodePlan(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}

	bad := []struct {
		name, in, wantErr string
	}{
		{"unknown field", strings.Replace(string(data), `"base_url"`, `"base_uri"`, 1), `unknown field "base_uri"`},
		{"trailing data", string(data) + `{}`, "unexpected data after the plan"},
		{"not JSON", `{"base_url":`, "decode tester plan"},
		{"invalid plan", `{"base_url":"ftp://x","tests":[]}`, `invalid tester plan: base_url "ftp://x"`},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodePlan(strings.NewReader(tc.in))
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func TestValidatePlan(t *testing.T) {
	if err := validatePlan(validPlan()); err != nil {
		t.Fatalf("valid plan refused: %v", err)
	}
	tests := []struct {
		name   string
		change func(p *grader.TesterPlan)
		want   string
	}{
		{"base url", func(p *grader.TesterPlan) { p.BaseURL = "127.0.0.1:8080" }, `base_url "127.0.0.1:8080": want http://host:port`},
		{"base url with a path", func(p *grader.TesterPlan) { p.BaseURL = "http://127.0.0.1:8080/api" }, `base_url`},
		{"ready path", func(p *grader.TesterPlan) { p.ReadyPath = "healthz" }, `ready_path "healthz": must start with /`},
		{"negative timeout", func(p *grader.TesterPlan) { p.TestTimeout = -1 }, `must not be negative`},
		{"unnamed test", func(p *grader.TesterPlan) { p.Tests[0].Name = "" }, `tests[0]: missing name`},
		{"duplicate test", func(p *grader.TesterPlan) { p.Tests = append(p.Tests, p.Tests[0]) }, `tests[1]: name "creates a note" is used twice`},
		{"no steps", func(p *grader.TesterPlan) { p.Tests[0].Steps = nil }, `tests[0]: no steps`},
		{"empty step", func(p *grader.TesterPlan) { p.Tests[0].Steps[1].Wait = 0 }, `tests[0].steps[1]: neither a request, a wait nor a restart`},
		{"too many at once", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Parallel = 1000 }, `tests[0].steps[0]: parallel: 1000 is more than the 50 requests a step may send at once`},
		{"counts that do not add up", func(p *grader.TesterPlan) {
			p.Tests[0].Steps[0].Repeat = 3
			p.Tests[0].Steps[0].Expect = grader.Expect{Statuses: map[int]int{200: 2}}
		}, `tests[0].steps[0]: expect.statuses: the counts add up to 2, but the step sends 3 requests`},
		{"expect without request", func(p *grader.TesterPlan) { p.Tests[0].Steps[1].Expect.Status = 200 }, `tests[0].steps[1]: expect and capture need a request`},
		{"unknown target", func(p *grader.TesterPlan) { p.Tests[0].Steps[2].Request.Target = "db" }, `target "db" is neither app nor a fixture`},
		{"redis target", func(p *grader.TesterPlan) { p.Tests[0].Steps[2].Request.Target = "redis" }, `target "redis" is not an http fixture`},
		{"method", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Request.Method = "GE T" }, `method "GE T" is not an HTTP method`},
		{"path", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Request.Path = "notes" }, `path "notes" must start with /`},
		{"header name", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Request.Headers = map[string]string{"X: y": "z"} }, `header name "X: y" is not valid`},
		{"bad json body", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Request.JSON = json.RawMessage(`{`) }, `request json is not valid JSON`},
		{"json and body", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Request.Body = "x" }, `request has both json and body`},
		{"status", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Expect.Status = 99 }, `expect.status 99 is not an HTTP status`},
		{"operator", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Expect.JSON[0].Op = "contains" }, `expect.json[0] ("id"): unknown operator "contains"`},
		{"gte needs a number", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Expect.JSON[1].Value = json.RawMessage(`"2"`) }, `gte needs a number, not "2"`},
		{"type", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Expect.JSON[1] = match("n", "type", `"integer"`) }, `type "integer" is not one of`},
		{"equals needs a value", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Expect.JSON[1] = match("n", "equals", ``) }, `equals needs a value`},
		{"header operator", func(p *grader.TesterPlan) {
			p.Tests[0].Steps[0].Expect.HeaderMatches = []grader.HeaderMatch{{Name: "ETag", Op: "is"}}
		}, `expect.header_matches[0] ("ETag"): unknown operator "is"`},
		{"header match name", func(p *grader.TesterPlan) {
			p.Tests[0].Steps[0].Expect.HeaderMatches = []grader.HeaderMatch{{Name: "E Tag", Op: "absent"}}
		}, `not a header name`},
		{"absent header with a value", func(p *grader.TesterPlan) {
			p.Tests[0].Steps[0].Expect.HeaderMatches = []grader.HeaderMatch{{Name: "ETag", Op: "absent", Value: "x"}}
		}, `absent takes no value`},
		{"header pattern", func(p *grader.TesterPlan) {
			p.Tests[0].Steps[0].Expect.HeaderMatches = []grader.HeaderMatch{{Name: "ETag", Op: "matches", Value: "[a-"}}
		}, `not a regular expression`},
		{"body pattern", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Expect.BodyMatches = "(" }, `expect.body_matches: not a regular expression`},
		{"json pattern", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Expect.JSON[1] = match("n", "matches", `"a**"`) }, `not a regular expression`},
		{"json pattern is a string", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Expect.JSON[1] = match("n", "matches", `5`) }, `matches needs a pattern as a string, not 5`},
		{"length", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Expect.JSON[1] = match("n", "length", `-1`) }, `-1 is negative`},
		{"length bounds", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Expect.JSON[1] = match("n", "length", `{"gt":1}`) }, `"gt" is not gte or lte`},
		{"length bounds order", func(p *grader.TesterPlan) {
			p.Tests[0].Steps[0].Expect.JSON[1] = match("n", "length", `{"gte":3,"lte":1}`)
		}, `gte 3 is above lte 1`},
		{"length fraction", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Expect.JSON[1] = match("n", "length", `1.5`) }, `1.5 is neither a whole number`},
		{"capture name", func(p *grader.TesterPlan) { p.Tests[0].Steps[0].Capture = map[string]string{"note-id": "id"} }, `capture "note-id"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := validPlan()
			tc.change(&p)
			err := validatePlan(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}

	p := validPlan()
	p.BaseURL, p.Tests[0].Name = "", ""
	err := validatePlan(p)
	if err == nil || !strings.Contains(err.Error(), "base_url") || !strings.Contains(err.Error(), "missing name") {
		t.Errorf("want every fault reported at once, got %v", err)
	}
}
