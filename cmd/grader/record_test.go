package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

func TestPrintRecord(t *testing.T) {
	res := grader.Result{Tests: []grader.TestResult{
		{Name: "create and follow", Suite: "api", Status: grader.TestFailed, Message: "step 2 (GET /aZ3k9): expected status 301, got 302"},
		{Name: "stats", Suite: "api", Status: grader.TestFailed, Message: "did not finish: the tests stopped early"},
	}}
	steps := []grader.StepRecord{
		{Suite: "api", Test: "create and follow", Step: 1, Name: "create", Request: "POST /links", Status: 201,
			Headers:  map[string]string{"Content-Type": "application/json", "Location": "/aZ3k9", "Date": "Mon, 07 Dec 2026 06:00:00 GMT", "Content-Length": "88"},
			JSON:     json.RawMessage(`{"code":"aZ3k9","url":"https://example.com/a b","meta":{"gte":1,"deep":{"x":[1]}},"n":3,"ok":true,"tags":["a"],"a.b":"yes","none":null,"empty":{},"at":"2026-12-07T06:57:29.885392367Z"}`),
			Captured: map[string]json.RawMessage{"code": json.RawMessage(`"aZ3k9"`)}},
		{Suite: "api", Test: "create and follow", Step: 2, Request: "GET /aZ3k9", Status: 302,
			Headers: map[string]string{"Location": "https://example.com/a b"}, Body: "<a href=\"https://example.com/a b\">Found</a>.\n",
			Failure: "expected status 301, got 302; body: <a href=…"},
		{Suite: "api", Test: "create and follow", Step: 3, Request: "GET /aZ3k9/stats", Status: 200,
			Headers: map[string]string{"Content-Type": "application/json", "X-Code": "code-aZ3k9"}, JSON: json.RawMessage(`{"code":"aZ3k9","hits":1}`)},
		{Suite: "api", Test: "create and follow", Step: 4, Request: "GET /items", Status: 200, JSON: json.RawMessage(`[1,2]`)},
		{Suite: "api", Test: "create and follow", Step: 5, Request: "GET /x", Failure: "could not connect to the service: connection refused — did it crash?"},
	}
	var b bytes.Buffer
	printRecord(&b, res, steps)
	want := `# ── suite api, test create and follow

# step 1 "create" (POST /links)
expect:
  status: 201
  headers:
    Content-Type: application/json
    Location: /aZ3k9
  json:
    code: {type: string}   # captured as code; this time "aZ3k9"
    url: "https://example.com/a b"
    meta.gte: 1
    meta.deep.x: [1]
    "n": 3
    ok: true
    tags: ["a"]
    a\.b: "yes"
    none: null
    empty: {equals: {}}
    at: {matches: '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d'}   # a time; this time "2026-12-07T06:57:29.885392367Z"
# captured: code = "aZ3k9"

# step 2 (GET /aZ3k9)
expect:
  status: 302
  headers:
    Location: "https://example.com/a b"
  body_contains: "<a href=\"https://example.com/a b\">Found</a>."
# this step's expect fails with the reference: expected status 301, got 302; body: <a href=…

# step 3 (GET /aZ3k9/stats)
expect:
  status: 200
  headers:
    Content-Type: application/json
    X-Code: "code-${code}"
  json:
    code: "${code}"
    hits: 1

# step 4 (GET /items)
expect:
  status: 200
  json:
    "@this": [1,2]

# step 5 (GET /x)
# no response: could not connect to the service: connection refused — did it crash?

# ── suite api, test stats
# no step ran: did not finish: the tests stopped early
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}

	// Every expect block is YAML that reads back as what came.
	blocks := strings.Split(b.String(), "\n# step ")
	var first struct {
		Expect struct {
			Status  int               `yaml:"status"`
			Headers map[string]string `yaml:"headers"`
			JSON    map[string]any    `yaml:"json"`
		} `yaml:"expect"`
	}
	body := blocks[1][strings.Index(blocks[1], "\n")+1:]
	if err := yaml.Unmarshal([]byte(body), &first); err != nil {
		t.Fatalf("step 1 is not YAML: %v\n%s", err, body)
	}
	e := first.Expect
	if e.Status != 201 || e.Headers["Location"] != "/aZ3k9" || e.JSON["url"] != "https://example.com/a b" || e.JSON[`a\.b`] != "yes" || e.JSON["none"] != nil || e.JSON["meta.deep.x"] == nil {
		t.Errorf("step 1 reads back as %+v", e)
	}
	for i, blk := range blocks[2:] {
		var doc map[string]any
		if err := yaml.Unmarshal([]byte(blk[strings.Index(blk, "\n")+1:]), &doc); err != nil {
			t.Errorf("step %d is not YAML: %v\n%s", i+2, err, blk)
		}
	}
}

func TestYAMLString(t *testing.T) {
	for _, s := range []string{"application/json", "text/plain; charset=utf-8", "yes", "No", "null", "3", "1.5", "a: b", "# x", "-x", "", " lead", "${code}", "x #y", "é"} {
		out := yamlString(s)
		var back struct {
			V any `yaml:"v"`
		}
		if err := yaml.Unmarshal([]byte("v: "+out), &back); err != nil {
			t.Errorf("yamlString(%q) = %s: %v", s, out, err)
			continue
		}
		if back.V != s {
			t.Errorf("yamlString(%q) = %s reads back as %#v", s, out, back.V)
		}
	}
}

func TestRecordUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no http suite", []string{"challenge", "record", "fix-ledger"}, "challenge fix-ledger has no http suite"},
		{"unknown suite", []string{"challenge", "record", "notes-api", "--suite", "unit"}, `no suite "unit" in go; its suites: api (http, `},
		{"bad pattern", []string{"challenge", "record", "notes-api", "--run", "("}, `--run "(" is not a regular expression`},
		{"language not offered", []string{"challenge", "record", "fix-ledger", "--language", "cobol"}, `--language "cobol"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"--catalog", "../../challenges"}, tc.args...)...)
			if code != exitUsage || stdout != "" || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d mentioning %q", code, stdout, stderr, exitUsage, tc.want)
			}
		})
	}
}

func TestPrintRecordSets(t *testing.T) {
	res := grader.Result{Tests: []grader.TestResult{{Name: "pay once", Suite: "api", Status: grader.TestPassed}}}
	steps := []grader.StepRecord{
		{Suite: "api", Test: "pay once", Step: 1, Request: "PUT /pay/k1 ×5 in parallel", Status: 201, Requests: 5,
			Statuses: map[int]int{200: 4, 201: 1}, JSON: json.RawMessage(`{"ok":true}`)},
		{Suite: "api", Test: "pay once", Step: 2, Restarted: true},
		{Suite: "api", Test: "pay once", Step: 3, Restarted: true, Request: "GET /pay/k1", Status: 200},
	}
	var b bytes.Buffer
	printRecord(&b, res, steps)
	want := `# ── suite api, test pay once

# step 1 (PUT /pay/k1 ×5 in parallel)
expect:
  statuses: {200: 4, 201: 1}
  # below: the first of the 5 responses; keep what all of them share
  json:
    ok: true

# step 2 (restart)
# the service restarted and answered its ready probe

# step 3 (restart, then GET /pay/k1)
expect:
  status: 200
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
}

// TestPrintQueryStep: a query step is printed as the rows it returned,
// ready to paste into expect.
func TestPrintQueryStep(t *testing.T) {
	var b strings.Builder
	printStep(&b, grader.StepRecord{Step: 2, Name: "the row", Request: "SQL SELECT id, name FROM items", JSON: json.RawMessage(`[{"id":1,"name":"lamp"}]`)}, nil)
	want := "\n# step 2 \"the row\" (SQL SELECT id, name FROM items)\nexpect:\n  rows: [{\"id\":1,\"name\":\"lamp\"}]\n"
	if b.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", b.String(), want)
	}
}

// TestPrintQueryCount: a step of a challenge with a postgres fixture shows
// how many queries the service ran, as the bound to write.
func TestPrintQueryCount(t *testing.T) {
	var b strings.Builder
	printStep(&b, grader.StepRecord{Step: 1, Request: "GET /posts", Status: 200, JSON: json.RawMessage(`{"posts":[]}`), Queries: 3}, nil)
	if want := "# the service ran 3 database queries to answer; bound them with max_queries: 3\n"; !strings.Contains(b.String(), want) {
		t.Errorf("printed\n%s\nwant a line\n%s", b.String(), want)
	}
	b.Reset()
	printStep(&b, grader.StepRecord{Step: 1, Request: "GET /health", Status: 200}, nil)
	if strings.Contains(b.String(), "database queries") {
		t.Errorf("a step without queries printed a count:\n%s", b.String())
	}
}
