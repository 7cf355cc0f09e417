package challenges

import (
	"strings"
	"testing"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

func TestOperatorMaps(t *testing.T) {
	tests := []struct {
		yaml string // the value of one expect.json entry for path "p"
		want []grader.JSONMatch
	}{
		{`hello`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`"hello"`)}}},
		{`"12"`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`"12"`)}}},
		{`12`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`12`)}}},
		{`1.25`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`1.25`)}}},
		{`null`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`null`)}}},
		{`false`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`false`)}}},
		{`[1, a, {b: c}]`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`[1,"a",{"b":"c"}]`)}}},
		{`{a: 1, b: [x]}`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`{"a":1,"b":["x"]}`)}}},
		{`{}`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`{}`)}}},
		// A map with any key that is not an operator is a literal.
		{`{equals: 1, other: 2}`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`{"equals":1,"other":2}`)}}},
		{`{equals: {a: 1}}`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`{"a":1}`)}}},
		{`{equals: {exists: true}}`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`{"exists":true}`)}}},
		{`{ne: null}`, []grader.JSONMatch{{Path: "p", Op: "ne", Value: raw(`null`)}}},
		{`{exists: true}`, []grader.JSONMatch{{Path: "p", Op: "exists"}}},
		{`{exists: false}`, []grader.JSONMatch{{Path: "p", Op: "absent"}}},
		{`{absent: true}`, []grader.JSONMatch{{Path: "p", Op: "absent"}}},
		{`{absent: false}`, []grader.JSONMatch{{Path: "p", Op: "exists"}}},
		{`{type: array}`, []grader.JSONMatch{{Path: "p", Op: "type", Value: raw(`"array"`)}}},
		{`{type: "null"}`, []grader.JSONMatch{{Path: "p", Op: "type", Value: raw(`"null"`)}}},
		// Several operators give one check each, sorted by operator.
		{`{lte: 5, gte: 2.5, ne: 3}`, []grader.JSONMatch{
			{Path: "p", Op: "gte", Value: raw(`2.5`)},
			{Path: "p", Op: "lte", Value: raw(`5`)},
			{Path: "p", Op: "ne", Value: raw(`3`)},
		}},
		{`{gte: -1}`, []grader.JSONMatch{{Path: "p", Op: "gte", Value: raw(`-1`)}}},
		// Variables stay as written; the tester substitutes them.
		{`"${x}"`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`"${x}"`)}}},
		{`{equals: "id-${x}"}`, []grader.JSONMatch{{Path: "p", Op: "equals", Value: raw(`"id-${x}"`)}}},
	}
	for _, tc := range tests {
		t.Run(tc.yaml, func(t *testing.T) {
			var doc struct {
				V any `yaml:"v"`
			}
			if err := yaml.Unmarshal([]byte("v: "+tc.yaml), &doc); err != nil {
				t.Fatal(err)
			}
			l := &loader{dir: "demo", shown: "demo"}
			h := &httpFile{l: l, name: "tests/api.yaml"}
			got := h.matches("f", "p", doc.V, refChecker{h: h, defined: map[string]bool{"x": true}})
			if err := l.p.err(); err != nil {
				t.Fatalf("problems: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("matches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestExpectJSONIsSortedByPath(t *testing.T) {
	files := apply(t, demoFiles(), edit{"tests/api.yaml", "expect: {json: {reads: 0}}", "expect: {json: {z: 1, a.b: 2, m: {exists: true}, a: 3, writes: {gte: 0, lte: 9}}}"})
	for i := 0; i < 5; i++ { // map order varies from run to run
		c, err := LoadFS(mapFS("demo", files), "demo")
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range c.Suites[0].Tests[1].Steps[0].Expect.JSON {
			got = append(got, m.Path+" "+m.Op)
		}
		want := []string{"a equals", "a.b equals", "m exists", "writes gte", "writes lte", "z equals"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("order (-want +got):\n%s", diff)
		}
	}
}

func TestStepConversion(t *testing.T) {
	files := apply(t, demoFiles(), edit{"tests/api.yaml", "", `tests:
  - name: all of a step
    steps:
      - name: put
        wait: 1500ms
        request:
          target: app
          method: put
          path: /items/1?x=y
          headers: {X-Count: 5, Accept: application/json}
          body: "raw ${none}"
        expect:
          status: 200
          headers: {Content-Type: text/plain}
          body_contains: done
        capture: {v: value, n: items.#}
      - request: {method: DELETE, path: "/items/${v}/${n}", json: [1, "${v}", {deep: "${n}"}]}
      - wait: 2s
`})
	_, err := LoadFS(mapFS("demo", files), "demo")
	// ${none} is used before any capture: the only problem.
	assertProblem(t, err, "demo/tests/api.yaml", `test "all of a step": steps[0].request.body`, "uses ${none}")
	if ps := Problems(err); len(ps) != 1 {
		t.Fatalf("want 1 problem:%s", problemList(ps))
	}

	files = apply(t, files, edit{"tests/api.yaml", "raw ${none}", "raw"})
	c, err := LoadFS(mapFS("demo", files), "demo")
	if err != nil {
		t.Fatal(err)
	}
	want := []grader.Step{
		{
			Name: "put", Wait: 1500 * time.Millisecond,
			Request: &grader.Request{Target: "app", Method: "PUT", Path: "/items/1?x=y", Headers: map[string]string{"X-Count": "5", "Accept": "application/json"}, Body: "raw"},
			Expect:  grader.Expect{Status: 200, Headers: map[string]string{"Content-Type": "text/plain"}, BodyContains: "done"},
			Capture: map[string]string{"v": "value", "n": "items.#"},
		},
		{Request: &grader.Request{Method: "DELETE", Path: "/items/${v}/${n}", JSON: raw(`[1,"${v}",{"deep":"${n}"}]`)}},
		{Wait: 2 * time.Second},
	}
	if diff := cmp.Diff(want, c.Suites[0].Tests[0].Steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

func TestMisspelledOperators(t *testing.T) {
	tests := []struct {
		yaml string // the value of one expect.json entry
		want string // in the problem; "" for none
	}{
		{`{exist: true}`, `"exist" is not an operator`},
		{`{gt: 3}`, `"gt" is not an operator`},
		{`{gte: 1, lt: 9}`, `"lt" is not an operator`},
		{`{eq: 3}`, `"eq" is not an operator`},
		{`{tpye: string}`, `"tpye" is not an operator`},
		{`{min: 1, max: 5}`, `"max", "min" are not operators`},
		// An object whose fields are not near misses is a literal.
		{`{id: 3, name: x}`, ""},
		{`{type: note, title: x}`, ""},
		{`{next: 2, total: 9}`, ""},
		// equals: says the mapping is meant as it is.
		{`{equals: {exist: true}}`, ""},
		{`{equals: {gt: 3}}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.yaml, func(t *testing.T) {
			var doc struct {
				V any `yaml:"v"`
			}
			if err := yaml.Unmarshal([]byte("v: "+tc.yaml), &doc); err != nil {
				t.Fatal(err)
			}
			l := &loader{dir: "demo", shown: "demo"}
			h := &httpFile{l: l, name: "tests/api.yaml"}
			got := h.matches("f", "p", doc.V, refChecker{h: h, defined: map[string]bool{}})
			ps := Problems(l.p.err())
			if tc.want == "" {
				if len(ps) > 0 || len(got) == 0 {
					t.Fatalf("matches = %v, problems:%s; want a check and no problem", got, problemList(ps))
				}
				return
			}
			if len(ps) != 1 || !strings.Contains(ps[0].Problem, tc.want) {
				t.Fatalf("problems:%s\nwant one mentioning %s", problemList(ps), tc.want)
			}
			for _, op := range grader.MatchOps() {
				if !strings.Contains(ps[0].Fix, op) {
					t.Errorf("fix %q does not list the operator %s", ps[0].Fix, op)
				}
			}
			if !strings.Contains(ps[0].Fix, "equals:") {
				t.Errorf("fix %q does not say how to expect the object as it is", ps[0].Fix)
			}
		})
	}
}

func TestNewAssertions(t *testing.T) {
	files := apply(t, demoFiles(), edit{"tests/api.yaml", "", `tests:
  - name: short links
    steps:
      - request: {method: POST, path: /links, json: {url: "https://example.com"}}
        expect:
          status: 201
          headers:
            Content-Type: application/json
            Location: {matches: '^/[A-Za-z0-9]{5}$'}
            X-Powered-By: {absent: true}
            Cache-Control: {equals: no-store, contains: store}
            ETag: {exists: false}
            Vary: {absent: false}
          json:
            code: {matches: '^[A-Za-z0-9]{5}$', length: 5}
            tags: {length: {gte: 1, lte: 3}}
          body_matches: '"url":\s*"https://'
        capture: {code: code}
      - request: {path: "/${code}", follow_redirects: true}
        expect:
          body_matches: '^<!doctype'
          headers: {Location: {equals: "/${code}"}}
`})
	c, err := LoadFS(mapFS("demo", files), "demo")
	if err != nil {
		t.Fatal(err)
	}
	steps := c.Suites[0].Tests[0].Steps
	want := []grader.Step{
		{
			Request: &grader.Request{Method: "POST", Path: "/links", JSON: raw(`{"url":"https://example.com"}`)},
			Expect: grader.Expect{
				Status:  201,
				Headers: map[string]string{"Content-Type": "application/json"},
				HeaderMatches: []grader.HeaderMatch{
					{Name: "Cache-Control", Op: "contains", Value: "store"},
					{Name: "Cache-Control", Op: "equals", Value: "no-store"},
					{Name: "ETag", Op: "absent"},
					{Name: "Location", Op: "matches", Value: "^/[A-Za-z0-9]{5}$"},
					{Name: "Vary", Op: "exists"},
					{Name: "X-Powered-By", Op: "absent"},
				},
				JSON: []grader.JSONMatch{
					{Path: "code", Op: "length", Value: raw(`5`)},
					{Path: "code", Op: "matches", Value: raw(`"^[A-Za-z0-9]{5}$"`)},
					{Path: "tags", Op: "length", Value: raw(`{"gte":1,"lte":3}`)},
				},
				BodyMatches: `"url":\s*"https://`,
			},
			Capture: map[string]string{"code": "code"},
		},
		{
			Request: &grader.Request{Method: "GET", Path: "/${code}", FollowRedirects: true},
			Expect: grader.Expect{
				HeaderMatches: []grader.HeaderMatch{{Name: "Location", Op: "equals", Value: "/${code}"}},
				BodyMatches:   "^<!doctype",
			},
		},
	}
	if diff := cmp.Diff(want, steps); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

func TestNewAssertionProblems(t *testing.T) {
	files := apply(t, demoFiles(), edit{"tests/api.yaml", "", `tests:
  - name: mistakes
    steps:
      - request: {path: /x}
        expect:
          headers:
            Location: {is: /x}
            ETag: {absent: yes please}
            Via: {matches: '(', equals: [a]}
            X-Id: {equals: "${nope}"}
            Retry-After: [1, 2]
          json:
            code: {matches: '[z-a]'}
            n: {matches: 5}
            items: {length: {gte: 3, lte: 1}}
            tags: {length: {gt: 1}}
            s: {length: -2}
            t: {length: 1.5}
          body_matches: 'a**'
`})
	_, err := LoadFS(mapFS("demo", files), "demo")
	const f = `test "mistakes": steps[0].expect.`
	for _, p := range []struct{ field, want string }{
		{f + "headers.Location.is", `"is" is not a header operator`},
		{f + "headers.ETag.absent", "is not true or false"},
		{f + "headers.Via.matches", "is not a regular expression"},
		{f + "headers.Via.equals", "is not text"},
		{f + "headers.X-Id.equals", "uses ${nope}"},
		{f + "headers.Retry-After", "neither text nor a mapping of header operators"},
		{f + "json.code.matches", "is not a regular expression"},
		{f + "json.n.matches", "5 is not a string"},
		{f + "json.items.length", "gte 3 is above lte 1"},
		{f + "json.tags.length.gt", `"gt" is not gte or lte`},
		{f + "json.s.length", "-2 is negative"},
		{f + "json.t.length", "neither a whole number nor bounds"},
		{f + "body_matches", "is not a regular expression"},
	} {
		assertProblem(t, err, "demo/tests/api.yaml", p.field, p.want)
	}
}
