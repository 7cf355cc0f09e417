package challenges

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

func raw(s string) json.RawMessage { return json.RawMessage(s) }

func TestLoadDemo(t *testing.T) {
	c, err := LoadFS(mapFS("demo", demoFiles()), "demo")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	limits := grader.DefaultLimits()
	want := &grader.Challenge{
		ID: "demo", Title: "Demo", Summary: "A demo.", Difficulty: "easy", Tags: []string{"http", "go"},
		Version:  c.Version,
		Image:    "grader/go:local",
		Limits:   limits,
		Service:  &grader.Service{Main: ".", Port: 8080, ReadyPath: "/healthz"},
		Fixtures: []grader.Fixture{{Name: "cache", Kind: grader.FixtureRedis, Port: 6379}, {Name: "upstream", Kind: grader.FixtureUpstream, Port: 9000, Delay: 300 * time.Millisecond}},
		Env:      map[string]string{"CACHE_TTL": "1s"},
		Suites: []grader.Suite{
			{Name: "api", Kind: grader.SuiteHTTP, Tests: []grader.TestSpec{
				{Name: "create", Points: 3, Visibility: grader.Visible, Steps: []grader.Step{
					{
						Name:    "create",
						Request: &grader.Request{Method: "POST", Path: "/notes", Headers: map[string]string{"X-Id": "abc"}, JSON: raw(`{"n":1.5,"tags":["a"],"title":"hi"}`)},
						Expect: grader.Expect{
							Status:  201,
							Headers: map[string]string{"Content-Type": "application/json"},
							JSON: []grader.JSONMatch{
								{Path: "id", Op: "exists"},
								{Path: "items.#", Op: "gte", Value: raw("2")},
								{Path: "items.#", Op: "lte", Value: raw("5")},
								{Path: "kind", Op: "type", Value: raw(`"string"`)},
								{Path: "meta", Op: "equals", Value: raw(`{"a":1}`)},
								{Path: "title", Op: "equals", Value: raw(`"hi"`)},
							},
							BodyContains: "hi",
						},
						Capture: map[string]string{"id": "id"},
					},
					{Wait: 10 * time.Millisecond},
					{
						Request: &grader.Request{Method: "GET", Path: "/notes/${id}"},
						Expect:  grader.Expect{Status: 200, JSON: []grader.JSONMatch{{Path: "id", Op: "equals", Value: raw(`"${id}"`)}}},
					},
				}},
				{Name: "upstream stats", Points: 1, Visibility: grader.Hidden, Steps: []grader.Step{{
					Request: &grader.Request{Target: "upstream", Method: "GET", Path: "/_fixture/stats"},
					Expect:  grader.Expect{JSON: []grader.JSONMatch{{Path: "reads", Op: "equals", Value: raw("0")}}},
				}}},
			}},
			{Name: "unit", Kind: grader.SuiteGo, Package: ".", Race: true,
				Files: map[string][]byte{"x_test.go": []byte(demoX), "y_test.go": []byte(demoY)},
				Tests: []grader.TestSpec{
					{Name: "TestA", Points: 2, Visibility: grader.Hidden},
					{Name: "TestB", Points: 5, Visibility: grader.Visible},
					{Name: "TestC1", Points: 0, Visibility: grader.Hidden},
					{Name: "TestD", Points: 2, Visibility: grader.Hidden},
				}},
		},
		Statement: "# Demo\n\nBuild it.\n",
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("LoadFS (-want +got):\n%s", diff)
	}
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(c.Version) {
		t.Errorf("Version = %q, want 16 hex digits", c.Version)
	}
	if got := c.MaxScore(); got != 3+1+2+5+0+2 {
		t.Errorf("MaxScore = %d", got)
	}
}

func TestLoadDefaults(t *testing.T) {
	files := map[string]string{
		"challenge.yaml":   "id: tiny\ntitle: Tiny\nsummary: Small.\ndifficulty: hard\nservice: {}\nfixtures:\n  - {name: up, kind: upstream}\n  - {name: db, kind: redis}\nsuites:\n  - {name: api, kind: http, file: tests/api.yaml}\n",
		"README.md":        "Do it.",
		"tests/api.yaml":   "tests:\n  - name: root\n    steps:\n      - request: {path: /}\n",
		"starter/go.mod":   "module x\n",
		"solution/go.mod":  "module x\n",
		"mutants/a/go.mod": "module x\n",
		"mutants/b/go.mod": "module x\n",
	}
	c, err := LoadFS(mapFS("tiny", files), "tiny")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	want := &grader.Challenge{
		ID: "tiny", Title: "Tiny", Summary: "Small.", Difficulty: "hard", Tags: []string{},
		Version:  c.Version,
		Image:    DefaultImage,
		Limits:   grader.DefaultLimits(),
		Service:  &grader.Service{Main: ".", Port: 8080, ReadyPath: "/"},
		Fixtures: []grader.Fixture{{Name: "up", Kind: grader.FixtureUpstream, Port: 9000, Delay: 200 * time.Millisecond}, {Name: "db", Kind: grader.FixtureRedis, Port: 6379}},
		Suites: []grader.Suite{{Name: "api", Kind: grader.SuiteHTTP, Tests: []grader.TestSpec{
			{Name: "root", Points: 1, Visibility: grader.Hidden, Steps: []grader.Step{{Request: &grader.Request{Method: "GET", Path: "/"}}}},
		}}},
		Statement: "Do it.",
	}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
}

func TestLoadExplicitValues(t *testing.T) {
	c, err := LoadFS(mapFS("demo", apply(t, demoFiles(),
		edit{"challenge.yaml", "tags: [http, go]\n", "tags: [http, go]\nimage: example/go:1\nlimits:\n  build_timeout: 2m\n  run_timeout: 90s\n  test_timeout: 20s\n  ready_timeout: 5s\n  memory: 1GiB\n  cpus: 1.5\n  pids: 512\n  output: 64KiB\n  tmpfs: 128MiB\n"},
		edit{"challenge.yaml", "  ready_path: /healthz\n", "  ready_path: /healthz\n  main: ./cmd/server/\n  port: 3000\n"},
		edit{"challenge.yaml", "    kind: redis\n", "    kind: redis\n    port: 6380\n"},
		edit{"challenge.yaml", "    files: [tests/x_test.go", "    package: internal/x\n    visibility: visible\n    files: [tests/x_test.go"},
		edit{"solution/x.go", "", ""},
		edit{"solution/internal/x/x.go", "", "package x\n"},
	)), "demo")
	if err != nil {
		t.Fatalf("LoadFS: %v", err)
	}
	wantLimits := grader.Limits{BuildTimeout: 2 * time.Minute, RunTimeout: 90 * time.Second, TestTimeout: 20 * time.Second, ReadyTimeout: 5 * time.Second,
		MemoryBytes: 1 << 30, CPUs: 1.5, Pids: 512, OutputBytes: 64 << 10, TmpfsBytes: 128 << 20}
	if diff := cmp.Diff(wantLimits, c.Limits); diff != "" {
		t.Errorf("limits (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(&grader.Service{Main: "cmd/server", Port: 3000, ReadyPath: "/healthz"}, c.Service); diff != "" {
		t.Errorf("service (-want +got):\n%s", diff)
	}
	if c.Image != "example/go:1" || c.Fixtures[0].Port != 6380 {
		t.Errorf("image %q, redis port %d", c.Image, c.Fixtures[0].Port)
	}
	unit := c.Suites[1]
	if unit.Package != "internal/x" {
		t.Errorf("package = %q", unit.Package)
	}
	// The suite's visibility is the default of tests no override sets.
	var vis []string
	for _, tt := range unit.Tests {
		vis = append(vis, tt.Name+":"+string(tt.Visibility))
	}
	if diff := cmp.Diff([]string{"TestA:visible", "TestB:visible", "TestC1:visible", "TestD:visible"}, vis); diff != "" {
		t.Errorf("visibility (-want +got):\n%s", diff)
	}
}

func TestVersion(t *testing.T) {
	version := func(edits ...edit) string {
		t.Helper()
		c, err := LoadFS(mapFS("demo", apply(t, demoFiles(), edits...)), "demo")
		if err != nil {
			t.Fatalf("LoadFS: %v", err)
		}
		return c.Version
	}
	base := version()
	if again := version(); again != base {
		t.Fatalf("the same challenge has versions %s and %s", base, again)
	}
	tests := []struct {
		name    string
		edit    edit
		changes bool
	}{
		{"hidden go test", edit{"tests/x_test.go", "func TestA(t *testing.T) {}", "func TestA(t *testing.T) { t.Fail() }"}, true},
		{"http test file", edit{"tests/api.yaml", "status: 201", "status: 200"}, true},
		{"a file no suite names", edit{"tests/data/fixture.json", "", "{}"}, true},
		{"tests/go.mod", edit{"tests/go.mod", "go 1.26", "go 1.26.1"}, true},
		{"challenge.yaml", edit{"challenge.yaml", "title: Demo", "title: Demo 2"}, true},
		{"README", edit{"README.md", "Build it.", "Build it well."}, false},
		{"starter", edit{"starter/main.go", "", "package main\n"}, false},
		{"solution", edit{"solution/x.go", "package x\n", "package x\n\nconst Answer = 42\n"}, false},
		{"mutant", edit{"mutants/a/main.go", "", "package main\n"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := version(tc.edit)
			if changed := got != base; changed != tc.changes {
				t.Errorf("version %s -> %s: changed = %v, want %v", base, got, changed, tc.changes)
			}
		})
	}
}

func TestLoadFromDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	writeFiles(t, dir, demoFiles())
	c, err := Load(dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.Dir != dir {
		t.Errorf("Dir = %q, want %q", c.Dir, dir)
	}
	fsys, err := LoadFS(mapFS("demo", demoFiles()), "demo")
	if err != nil {
		t.Fatal(err)
	}
	if c.Version != fsys.Version {
		t.Errorf("disk version %s differs from fs version %s", c.Version, fsys.Version)
	}
}

func TestLoadNamesFilesAsGiven(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "catalog", "demo")
	writeFiles(t, dir, apply(t, demoFiles(), edit{"challenge.yaml", "difficulty: easy", "difficulty: easy\nlimits:\n  memory: 512MB"}))
	t.Chdir(root)
	_, err := Load("catalog/demo")
	want := `catalog/demo/challenge.yaml:6: limits.memory: "512MB" is not a size; write it with a binary unit, e.g. 512MiB`
	if err == nil || err.Error() != want {
		t.Errorf("Load error:\n%v\nwant:\n%s", err, want)
	}
}

func TestLoadReportsEveryProblem(t *testing.T) {
	err := loadDemo(t,
		edit{"challenge.yaml", "title: Demo", "title: ''"},
		edit{"challenge.yaml", "difficulty: easy", "difficulty: extreme"},
		edit{"README.md", "", ""},
		edit{"tests/api.yaml", "status: 201", "status: 2010"},
		edit{"mutants/b/go.mod", "", ""},
	)
	var got []string
	for _, p := range Problems(err) {
		got = append(got, p.File+" "+where(p))
	}
	want := []string{
		"demo/challenge.yaml title",
		"demo/challenge.yaml difficulty",
		`demo/tests/api.yaml test "create": steps[0].expect.status`,
		"demo/README.md ",
		"demo/mutants/b ",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	var ce *Error
	if !errors.As(err, &ce) {
		t.Errorf("errors.As(*Error) failed on %v", err)
	}
}

func TestLoadRefusesLinks(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(outside, []byte("secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		link      string // path in the challenge replaced by a link
		target    string
		file      string
		field     string
		wantInMsg string
	}{
		{"hidden go file", "tests/x_test.go", "../solution/x.go", "demo/challenge.yaml", "suites[1].files[0]", "symbolic link"},
		{"http test file", "tests/api.yaml", "api2.yaml", "demo/challenge.yaml", "suites[0].file", "symbolic link"},
		{"unreferenced file under tests", "tests/extra.txt", "../README.md", "demo/tests/extra.txt", "", "symbolic link"},
		{"statement outside the folder", "README.md", outside, "demo/README.md", "", "cannot be read"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "demo")
			files := demoFiles()
			files["tests/api2.yaml"] = files["tests/api.yaml"]
			writeFiles(t, dir, files)
			p := filepath.Join(dir, filepath.FromSlash(tc.link))
			os.Remove(p)
			if err := os.Symlink(tc.target, p); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			assertProblem(t, err, strings.TrimSuffix(dir, "demo")+tc.file, tc.field, tc.wantInMsg)
		})
	}
}

func TestLoadRefusesLinkedTestsFolder(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "demo")
	files := demoFiles()
	writeFiles(t, dir, files)
	if err := os.Rename(filepath.Join(dir, "tests"), filepath.Join(dir, "real-tests")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real-tests", filepath.Join(dir, "tests")); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	assertProblem(t, err, filepath.Join(dir, "challenge.yaml"), "suites[0].file", "tests is a symbolic link")
}

// where is a problem's place inside its file: test "x": steps[0].wait,
// or the field alone outside a named test.
func where(p *Error) string {
	if p.In == "" {
		return p.Field
	}
	if p.Field == "" {
		return p.In
	}
	return p.In + ": " + p.Field
}

// assertProblem fails unless err holds an *Error at file and field whose
// Problem contains want and whose Fix is not empty.
func assertProblem(t *testing.T, err error, file, field, want string) {
	t.Helper()
	if err == nil {
		t.Fatal("loaded a broken challenge")
	}
	ps := Problems(err)
	for _, p := range ps {
		if p.File == file && where(p) == field && strings.Contains(p.Problem, want) {
			if p.Fix == "" {
				t.Errorf("problem %q says nothing about the fix", p)
			}
			return
		}
	}
	t.Errorf("no problem at %s %q mentioning %q in:%s", file, field, want, problemList(ps))
}

// TestLoadReportsEveryMistakeOfAFile: one test file with several
// mistakes gets all of them reported in one run, in line order, each with
// its line and the name of its test.
func TestLoadReportsEveryMistakeOfAFile(t *testing.T) {
	api := `tests:
  - name: create note returns 201
    visiblity: visible
    steps:
      - request: {method: post, path: /notes, json: {title: hi}}
        expect:
          status: 201
          json:
            id: {exist: true}
  - name: list notes
    visibilty: hidden
    points: lots
    steps:
      - request: {path: /notes}
        expect: {status: 200, json: {count: {gt: 0}}}
  - name: delete note
    visability: visible
    steps:
      - request: {method: delete, path: /notes/1}
        expects: {status: 204}
`
	err := loadDemo(t, edit{"tests/api.yaml", "", api})
	var got []string
	for _, p := range Problems(err) {
		got = append(got, p.Error())
	}
	ops := strings.Join(grader.MatchOps(), ", ")
	want := []string{
		`demo/tests/api.yaml:3: test "create note returns 201": visiblity: unknown field "visiblity"; did you mean visibility? remove it or correct its spelling`,
		`demo/tests/api.yaml:9: test "create note returns 201": steps[0].expect.json.id: reads as operators, but "exist" is not an operator; use the operators ` + ops + ` (exist → exists); to expect an object with these fields, write it under equals: (equals: {...})`,
		`demo/tests/api.yaml:11: test "list notes": visibilty: unknown field "visibilty"; did you mean visibility? remove it or correct its spelling`,
		`demo/tests/api.yaml:12: test "list notes": points: "lots" is not a whole number; write a whole number here`,
		`demo/tests/api.yaml:15: test "list notes": steps[0].expect.json.count: reads as operators, but "gt" is not an operator; use the operators ` + ops + ` (gt → gte); to expect an object with these fields, write it under equals: (equals: {...})`,
		`demo/tests/api.yaml:17: test "delete note": visability: unknown field "visability"; did you mean visibility? remove it or correct its spelling`,
		`demo/tests/api.yaml:20: test "delete note": steps[0].expects: unknown field "expects"; did you mean expect? remove it or correct its spelling`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}
