package challenges

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

const goodYAML = `id: demo
title: Demo
summary: A demo.
difficulty: easy
service:
  port: 8080
  ready_path: /healthz
fixtures:
  - name: upstream
    kind: upstream
    delay: 300ms
suites:
  - name: api
    kind: http
    file: tests/api.yaml
  - name: unit
    kind: go
    files: [tests/x_test.go]
    points: 2
    tests:
      - name: TestB
        points: 5
        visibility: visible
      - pattern: ^TestC
        points: 0
`

const goodAPI = `tests:
  - name: create
    points: 3
    visibility: visible
    steps:
      - request: {method: post, path: /notes, json: {title: hi, tags: [a]}}
        expect:
          status: 201
          json:
            title: hi
            id: {exists: true}
            items.#: {gte: 2}
            meta: {equals: {a: 1}}
        capture: {id: id}
      - wait: 10ms
  - name: read
    steps:
      - request: {path: "/notes/${id}"}
`

const goodTest = "package x\n\nimport \"testing\"\n\nfunc TestA(t *testing.T) {}\nfunc TestB(t *testing.T) {}\nfunc TestC1(t *testing.T) {}\nfunc helper(t *testing.T) {}\nfunc Testlower(t *testing.T) {}\nfunc TestMain(m *testing.M) {}\n"

func demoFS(overrides map[string]string) fstest.MapFS {
	files := map[string]string{
		"demo/challenge.yaml":   goodYAML,
		"demo/README.md":        "# Demo\n",
		"demo/tests/api.yaml":   goodAPI,
		"demo/tests/x_test.go":  goodTest,
		"demo/starter/go.mod":   "module x\n",
		"demo/solution/go.mod":  "module x\n",
		"demo/mutants/a/go.mod": "module x\n",
		"demo/mutants/b/go.mod": "module x\n",
	}
	for k, v := range overrides {
		if v == "" {
			delete(files, k)
		} else {
			files[k] = v
		}
	}
	m := fstest.MapFS{}
	for k, v := range files {
		m[k] = &fstest.MapFile{Data: []byte(v)}
	}
	return m
}

func TestLoadGood(t *testing.T) {
	c, err := LoadFS(demoFS(nil), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if c.Image != DefaultImage || c.Limits != grader.DefaultLimits() || c.Service.Main != "." || c.Fixtures[0].Port != 9000 || c.Fixtures[0].Delay != 300*time.Millisecond {
		t.Errorf("defaults not applied: %+v %+v %+v", c.Limits, c.Service, c.Fixtures)
	}
	api := c.Suites[0]
	if api.Tests[0].Points != 3 || api.Tests[0].Visibility != grader.Visible || api.Tests[1].Points != 1 || api.Tests[1].Visibility != grader.Hidden {
		t.Errorf("http tests: %+v", api.Tests)
	}
	step := api.Tests[0].Steps[0]
	if step.Request.Method != "POST" || string(step.Request.JSON) != `{"tags":["a"],"title":"hi"}` {
		t.Errorf("request: %+v %s", step.Request, step.Request.JSON)
	}
	var ops []string
	for _, m := range step.Expect.JSON {
		ops = append(ops, m.Path+" "+m.Op+" "+string(m.Value))
	}
	want := []string{"id exists ", "items.# gte 2", `meta equals {"a":1}`, `title equals "hi"`}
	if diff := cmp.Diff(want, ops); diff != "" {
		t.Errorf("json matches (-want +got):\n%s", diff)
	}
	if api.Tests[0].Steps[1].Wait != 10*time.Millisecond || api.Tests[0].Steps[1].Request != nil {
		t.Errorf("wait step: %+v", api.Tests[0].Steps[1])
	}
	unit := c.Suites[1]
	got := []string{}
	for _, tt := range unit.Tests {
		got = append(got, tt.Name+" "+string(tt.Visibility)+" "+string(rune('0'+tt.Points)))
	}
	if diff := cmp.Diff([]string{"TestA hidden 2", "TestB visible 5", "TestC1 hidden 0"}, got); diff != "" {
		t.Errorf("go tests (-want +got):\n%s", diff)
	}
	if c.MaxScore() != 3+1+2+5+0 {
		t.Errorf("max score %d", c.MaxScore())
	}
}

func TestLoadProblems(t *testing.T) {
	replace := func(old, new string) map[string]string {
		return map[string]string{"demo/challenge.yaml": strings.Replace(goodYAML, old, new, 1)}
	}
	api := func(old, new string) map[string]string {
		return map[string]string{"demo/tests/api.yaml": strings.Replace(goodAPI, old, new, 1)}
	}
	tests := []struct {
		name      string
		change    map[string]string
		file      string
		field     string
		wantInMsg string
	}{
		{"bad id", replace("id: demo", "id: Demo!"), "demo/challenge.yaml", "id", "not a valid id"},
		{"id not folder", replace("id: demo", "id: other"), "demo/challenge.yaml", "id", "does not match the folder"},
		{"no title", replace("title: Demo", "title: ''"), "demo/challenge.yaml", "title", "missing"},
		{"difficulty", replace("difficulty: easy", "difficulty: trivial"), "demo/challenge.yaml", "difficulty", "not a difficulty"},
		{"unknown field", replace("summary: A demo.", "summary: A demo.\ncolour: red"), "demo/challenge.yaml", "", "colour"},
		{"memory unit", replace("service:", "limits:\n  memory: 512MB\nservice:"), "demo/challenge.yaml", "limits.memory", "not a size"},
		{"memory range", replace("service:", "limits:\n  memory: 16GiB\nservice:"), "demo/challenge.yaml", "limits.memory", "out of range"},
		{"timeout", replace("service:", "limits:\n  run_timeout: forever\nservice:"), "demo/challenge.yaml", "limits.run_timeout", "not a duration"},
		{"pids", replace("service:", "limits:\n  pids: 2\nservice:"), "demo/challenge.yaml", "limits.pids", "out of range"},
		{"reserved env", replace("service:", "env:\n  PORT: '1'\nservice:"), "demo/challenge.yaml", "env.PORT", "set by the grader"},
		{"fixture kind", replace("kind: upstream", "kind: mysql"), "demo/challenge.yaml", "fixtures[0].kind", "not a fixture kind"},
		{"fixture port clash", replace("    delay: 300ms", "    delay: 300ms\n    port: 8080"), "demo/challenge.yaml", "fixtures[0].port", "already used"},
		{"suite kind", replace("kind: http", "kind: shell"), "demo/challenge.yaml", "suites[0].kind", "not a suite kind"},
		{"http file outside tests", replace("file: tests/api.yaml", "file: ../api.yaml"), "demo/challenge.yaml", "suites[0].file", "not under tests/"},
		{"http file missing", replace("file: tests/api.yaml", "file: tests/nope.yaml"), "demo/challenge.yaml", "suites[0].file", "does not exist"},
		{"no service", replace("service:\n  port: 8080\n  ready_path: /healthz\n", ""), "demo/challenge.yaml", "service", "required by the http suite"},
		{"override typo", replace("name: TestB", "name: TestBee"), "demo/challenge.yaml", "suites[1].tests[0].name", "matches no test function"},
		{"pattern typo", replace("pattern: ^TestC", "pattern: ^TestZ"), "demo/challenge.yaml", "suites[1].tests[1].pattern", "matches no test function"},
		{"bad regexp", replace("pattern: ^TestC", "pattern: '(('"), "demo/challenge.yaml", "suites[1].tests[1].pattern", "does not compile"},
		{"name and pattern", replace("- name: TestB", "- name: TestB\n        pattern: x"), "demo/challenge.yaml", "suites[1].tests[0]", "needs name or pattern"},
		{"not a test file", replace("files: [tests/x_test.go]", "files: [tests/api.yaml]"), "demo/challenge.yaml", "suites[1].files[0]", "not a test file"},
		{"bad go", map[string]string{"demo/tests/x_test.go": "package x\nfunc {"}, "demo/tests/x_test.go", "", "not valid Go"},
		{"no readme", map[string]string{"demo/README.md": ""}, "demo/README.md", "", "missing or empty"},
		{"one mutant", map[string]string{"demo/mutants/b/go.mod": ""}, "demo/mutants", "", "at least 2"},
		{"no starter", map[string]string{"demo/starter/go.mod": ""}, "demo/starter", "", "no go.mod"},
		{"step path", api("path: /notes,", "path: notes,"), "demo/tests/api.yaml", "tests[0].steps[0].request.path", "not a path"},
		{"step method", api("method: post", "method: fetch"), "demo/tests/api.yaml", "tests[0].steps[0].request.method", "not a method"},
		{"json type op", api("id: {exists: true}", "id: {type: text}"), "demo/tests/api.yaml", "tests[0].steps[0].expect.json.id.type", "not a JSON type"},
		{"gte number", api("items.#: {gte: 2}", "items.#: {gte: two}"), "demo/tests/api.yaml", "tests[0].steps[0].expect.json.items.#.gte", "not a number"},
		{"duplicate test", api("- name: read", "- name: create"), "demo/tests/api.yaml", "tests[1].name", "used twice"},
		{"empty step", api("      - wait: 10ms", "      - name: nothing"), "demo/tests/api.yaml", "tests[0].steps[1]", "does nothing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := LoadFS(demoFS(tc.change), "demo")
			if err == nil {
				t.Fatal("loaded a broken challenge")
			}
			var found *Error
			for _, e := range unwrapAll(err) {
				var ce *Error
				if errors.As(e, &ce) && ce.File == tc.file && ce.Field == tc.field && strings.Contains(ce.Problem, tc.wantInMsg) {
					found = ce
				}
			}
			if found == nil {
				t.Fatalf("no problem at %s %s mentioning %q in:\n%v", tc.file, tc.field, tc.wantInMsg, err)
			}
			if found.Fix == "" {
				t.Errorf("problem %v says nothing about the fix", found)
			}
		})
	}
}

func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

func TestVersion(t *testing.T) {
	base, _ := LoadFS(demoFS(nil), "demo")
	readme, _ := LoadFS(demoFS(map[string]string{"demo/README.md": "# Changed\n"}), "demo")
	hidden, _ := LoadFS(demoFS(map[string]string{"demo/tests/x_test.go": goodTest + "\n// changed\n"}), "demo")
	if base.Version != readme.Version {
		t.Errorf("a statement change changed the version")
	}
	if base.Version == hidden.Version {
		t.Errorf("a hidden test change kept the version %s", base.Version)
	}
}

func TestSizes(t *testing.T) {
	for in, want := range map[string]int64{"512MiB": 512 << 20, "1GiB": 1 << 30, "64KiB": 64 << 10, "100B": 100} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"512MB", "12", "-1MiB", "x MiB"} {
		if _, err := ParseSize(bad); err == nil {
			t.Errorf("ParseSize(%q) succeeded", bad)
		}
	}
}

func TestCatalog(t *testing.T) {
	all, err := LoadAll(".")
	if err != nil {
		t.Fatalf("the seed catalog does not load: %v", err)
	}
	if len(all) < 3 {
		t.Fatalf("catalog has %d challenges", len(all))
	}
	if _, err := Find(".", "nope"); err == nil || !strings.Contains(err.Error(), "notes-api") {
		t.Errorf("Find(unknown) = %v, want the known ids listed", err)
	}
	c, err := Find(".", "fix-ledger")
	if err != nil {
		t.Fatal(err)
	}
	samples, err := SamplesOf(c)
	if err != nil || len(samples) < 4 || samples[0].Kind != SampleSolution || samples[1].Kind != SampleStarter {
		t.Errorf("samples %+v %v", samples, err)
	}
}
