package challenges

import (
	"testing"
)

// TestProblems breaks one thing of the valid demo challenge per case and
// checks the problem names the right file and field, says what is wrong
// and how to fix it, and comes alone (no knock-on problems).
func TestProblems(t *testing.T) {
	y := func(old, new string) []edit { return []edit{{"challenge.yaml", old, new}} }
	lim := func(line string) []edit { return y("difficulty: easy\n", "difficulty: easy\nlimits:\n  "+line+"\n") }
	api := func(old, new string) []edit { return []edit{{"tests/api.yaml", old, new}} }
	gox := func(old, new string) []edit { return []edit{{"tests/x_test.go", old, new}} }
	tests := []struct {
		name  string
		edits []edit
		file  string // relative to the challenge folder
		field string
		want  string // in Problem
	}{
		// challenge.yaml: identity
		{"id missing", y("id: demo\n", ""), "challenge.yaml", "id", "missing"},
		{"id invalid", y("id: demo", "id: Demo!"), "challenge.yaml", "id", "not a valid id"},
		{"id too short", y("id: demo", "id: d"), "challenge.yaml", "id", "not a valid id"},
		{"id not the folder", y("id: demo", "id: other"), "challenge.yaml", "id", `does not match the folder name "demo"`},
		{"title missing", y("title: Demo", "title: ''"), "challenge.yaml", "title", "missing"},
		{"title on two lines", y("title: Demo", `title: "De\nmo"`), "challenge.yaml", "title", "several lines"},
		{"summary missing", y("summary: A demo.\n", ""), "challenge.yaml", "summary", "missing"},
		{"difficulty unknown", y("difficulty: easy", "difficulty: trivial"), "challenge.yaml", "difficulty", `"trivial" is not a difficulty`},
		{"difficulty missing", y("difficulty: easy\n", ""), "challenge.yaml", "difficulty", "missing"},
		{"tag twice", y("tags: [http, go]", "tags: [http, http]"), "challenge.yaml", "tags[1]", "listed twice"},
		{"tag empty", y("tags: [http, go]", "tags: [http, '']"), "challenge.yaml", "tags[1]", "empty"},
		{"image with spaces", y("tags: [http, go]", "tags: [http, go]\nimage: my image"), "challenge.yaml", "image", "not an image reference"},

		// challenge.yaml: YAML itself
		{"unknown field", y("summary: A demo.", "summary: A demo.\ncolour: red"), "challenge.yaml", "colour", `unknown field "colour"`},
		{"unknown nested field", y("    race: true", "    race: true\n    parallel: true"), "challenge.yaml", "suites[1].parallel", `unknown field "parallel"`},
		{"wrong type", lim("pids: many"), "challenge.yaml", "limits.pids", `"many" is not a whole number`},
		{"bool expected", y("race: true", "race: sometimes"), "challenge.yaml", "suites[1].race", "is not true or false"},
		{"list expected", y("files: [tests/x_test.go, tests/y_test.go]", "files: tests/x_test.go"), "challenge.yaml", "suites[1].files", "a string is given where a list is expected"},
		{"syntax error", y("tags: [http, go]", "tags: [http, go"), "challenge.yaml", "", "is not valid YAML"},
		{"duplicate key", y("title: Demo", "title: Demo\ntitle: Again"), "challenge.yaml", "", "already defined"},
		{"not a mapping", y("id: demo", "- id: demo"), "challenge.yaml", "", "is not valid YAML"},

		// limits
		{"build_timeout not a duration", lim("build_timeout: 2 minutes"), "challenge.yaml", "limits.build_timeout", `"2 minutes" is not a duration`},
		{"build_timeout without unit", lim("build_timeout: 120"), "challenge.yaml", "limits.build_timeout", `"120" is not a duration`},
		{"build_timeout too long", lim("build_timeout: 11m"), "challenge.yaml", "limits.build_timeout", "out of range"},
		{"run_timeout too short", lim("run_timeout: 500ms"), "challenge.yaml", "limits.run_timeout", "out of range"},
		{"test_timeout too short", lim("test_timeout: 50ms"), "challenge.yaml", "limits.test_timeout", "out of range"},
		{"test_timeout too long", lim("test_timeout: 3m"), "challenge.yaml", "limits.test_timeout", "out of range"},
		{"ready_timeout too long", lim("ready_timeout: 121s"), "challenge.yaml", "limits.ready_timeout", "out of range"},
		{"memory decimal unit", lim("memory: 512MB"), "challenge.yaml", "limits.memory", `"512MB" is not a size`},
		{"memory without unit", lim("memory: 512"), "challenge.yaml", "limits.memory", `"512" is not a size`},
		{"memory too large", lim("memory: 16GiB"), "challenge.yaml", "limits.memory", "16GiB is out of range"},
		{"memory too small", lim("memory: 16MiB"), "challenge.yaml", "limits.memory", "out of range"},
		{"output too small", lim("output: 512B"), "challenge.yaml", "limits.output", "out of range"},
		{"output too large", lim("output: 65MiB"), "challenge.yaml", "limits.output", "out of range"},
		{"tmpfs too large", lim("tmpfs: 2GiB"), "challenge.yaml", "limits.tmpfs", "out of range"},
		{"tmpfs fraction", lim("tmpfs: 1.5GiB"), "challenge.yaml", "limits.tmpfs", "not a size"},
		{"cpus zero", lim("cpus: 0"), "challenge.yaml", "limits.cpus", "out of range"},
		{"cpus too many", lim("cpus: 4.5"), "challenge.yaml", "limits.cpus", "out of range"},
		{"pids too few", lim("pids: 8"), "challenge.yaml", "limits.pids", "out of range"},
		{"pids too many", lim("pids: 5000"), "challenge.yaml", "limits.pids", "out of range"},

		// env
		{"env PORT", y("  CACHE_TTL: 1s", "  PORT: '9999'"), "challenge.yaml", "env.PORT", "set by the grader"},
		{"env HOME", y("  CACHE_TTL: 1s", "  HOME: /root"), "challenge.yaml", "env.HOME", "set by the grader"},
		{"env REDIS_ADDR", y("  CACHE_TTL: 1s", "  REDIS_ADDR: x:1"), "challenge.yaml", "env.REDIS_ADDR", "set by the grader"},
		{"env UPSTREAM_URL", y("  CACHE_TTL: 1s", "  UPSTREAM_URL: http://x"), "challenge.yaml", "env.UPSTREAM_URL", "set by the grader"},
		{"env GOFLAGS", y("  CACHE_TTL: 1s", "  GOFLAGS: -mod=mod"), "challenge.yaml", "env.GOFLAGS", "set by the grader"},
		{"env GRADER_", y("  CACHE_TTL: 1s", "  GRADER_FIXTURE_SECRET: x"), "challenge.yaml", "env.GRADER_FIXTURE_SECRET", "set by the grader"},
		{"env bad name", y("  CACHE_TTL: 1s", "  1TTL: 1s"), "challenge.yaml", "env.1TTL", "not a valid variable name"},

		// service
		{"service missing", y("service:\n  ready_path: /healthz\n", ""), "challenge.yaml", "service", "the http suite needs it"},
		{"service without http suite", []edit{
			{"challenge.yaml", "  - name: api\n    kind: http\n    file: tests/api.yaml\n", ""},
			{"challenge.yaml", "fixtures:\n  - name: cache\n    kind: redis\n  - name: upstream\n    kind: upstream\n    delay: 300ms\n", ""},
		}, "challenge.yaml", "service", "only http suites start a service"},
		{"service port privileged", y("  ready_path: /healthz", "  ready_path: /healthz\n  port: 80"), "challenge.yaml", "service.port", "80 is out of range"},
		{"service main outside", y("  ready_path: /healthz", "  ready_path: /healthz\n  main: ../cmd"), "challenge.yaml", "service.main", "not a folder inside the submission"},
		{"service main absolute", y("  ready_path: /healthz", "  ready_path: /healthz\n  main: /cmd"), "challenge.yaml", "service.main", "not a folder inside the submission"},
		{"ready_path relative", y("ready_path: /healthz", "ready_path: healthz"), "challenge.yaml", "service.ready_path", "not a path"},

		// fixtures
		{"fixtures without http suite", []edit{
			{"challenge.yaml", "  - name: api\n    kind: http\n    file: tests/api.yaml\n", ""},
			{"challenge.yaml", "service:\n  ready_path: /healthz\n", ""},
		}, "challenge.yaml", "fixtures", "only beside an http suite"},
		{"fixture name invalid", y("name: cache", "name: Cache"), "challenge.yaml", "fixtures[0].name", "not a valid fixture name"},
		{"fixture name app", y("name: cache", "name: app"), "challenge.yaml", "fixtures[0].name", `"app" is reserved`},
		{"fixture name twice", y("name: cache", "name: upstream"), "challenge.yaml", "fixtures[1].name", "used twice"},
		{"fixture kind unknown", y("kind: redis", "kind: mysql"), "challenge.yaml", "fixtures[0].kind", `"mysql" is not a fixture kind`},
		{"fixture kind missing", y("    kind: redis\n", ""), "challenge.yaml", "fixtures[0].kind", "missing"},
		{"two fixtures of a kind", y("kind: redis", "kind: upstream\n    port: 9001"), "challenge.yaml", "fixtures[1].kind", "a second upstream fixture"},
		{"fixture port taken by the service", y("    delay: 300ms", "    delay: 300ms\n    port: 8080"), "challenge.yaml", "fixtures[1].port", "8080 is already used by the service"},
		{"fixture ports clash", y("    delay: 300ms", "    delay: 300ms\n    port: 6379"), "challenge.yaml", "fixtures[1].port", "already used by fixture cache"},
		{"fixture port out of range", y("kind: redis", "kind: redis\n    port: 70000"), "challenge.yaml", "fixtures[0].port", "out of range"},
		{"fixture port zero", y("kind: redis", "kind: redis\n    port: 0"), "challenge.yaml", "fixtures[0].port", "0 is out of range"},
		{"delay on redis", y("kind: redis", "kind: redis\n    delay: 1s"), "challenge.yaml", "fixtures[0].delay", "redis fixture"},
		{"delay not a duration", y("delay: 300ms", "delay: slow"), "challenge.yaml", "fixtures[1].delay", "not a valid delay"},
		{"delay too long", y("delay: 300ms", "delay: 11s"), "challenge.yaml", "fixtures[1].delay", "not a valid delay"},

		// suites
		{"no suites", []edit{
			{"challenge.yaml", demoYAML[len("id: demo\ntitle: Demo\nsummary: A demo.\ndifficulty: easy\ntags: [http, go]\nenv:\n  CACHE_TTL: 1s\n"):], "suites: []\n"},
		}, "challenge.yaml", "suites", "missing"},
		{"suite name invalid", y("name: unit", "name: Unit Tests"), "challenge.yaml", "suites[1].name", "not a valid suite name"},
		{"suite name twice", y("name: unit", "name: api"), "challenge.yaml", "suites[1].name", "used twice"},
		{"suite kind unknown", y("kind: go", "kind: shell"), "challenge.yaml", "suites[1].kind", `"shell" is not a suite kind`},
		{"suite kind missing", y("    kind: go\n", ""), "challenge.yaml", "suites[1].kind", "missing"},
		{"suite visibility", y("    race: true", "    race: true\n    visibility: public"), "challenge.yaml", "suites[1].visibility", `"public" is not a visibility`},

		// http suites
		{"http file missing", y("    file: tests/api.yaml\n", ""), "challenge.yaml", "suites[0].file", "missing"},
		{"http file not yaml", y("file: tests/api.yaml", "file: tests/api.json"), "challenge.yaml", "suites[0].file", "not a .yaml file"},
		{"http file outside tests", y("file: tests/api.yaml", "file: ../api.yaml"), "challenge.yaml", "suites[0].file", "not a path under tests/"},
		{"http file not clean", y("file: tests/api.yaml", "file: tests/../tests/api.yaml"), "challenge.yaml", "suites[0].file", "not a path under tests/"},
		{"http file does not exist", y("file: tests/api.yaml", "file: tests/nope.yaml"), "challenge.yaml", "suites[0].file", "does not exist"},
		{"http file is a folder", append(y("file: tests/api.yaml", "file: tests/dir.yaml"), edit{"tests/dir.yaml/a", "", "x"}), "challenge.yaml", "suites[0].file", "not a regular file"},
		{"go fields on http suite", y("    file: tests/api.yaml", "    file: tests/api.yaml\n    points: 2"), "challenge.yaml", "suites[0]", "fields of a go suite"},

		// go suites
		{"go files missing", y("    files: [tests/x_test.go, tests/y_test.go]\n", ""), "challenge.yaml", "suites[1].files", "missing"},
		{"go file not a test file", y("files: [tests/x_test.go, tests/y_test.go]", "files: [tests/x_test.go, tests/api.yaml]"), "challenge.yaml", "suites[1].files[1]", "not a Go test file"},
		{"go file does not exist", y("tests/y_test.go]", "tests/z_test.go]"), "challenge.yaml", "suites[1].files[1]", "does not exist"},
		{"go file outside tests", y("tests/y_test.go]", "solution/y_test.go]"), "challenge.yaml", "suites[1].files[1]", "not a path under tests/"},
		{"go files share a base name", append(y("tests/y_test.go]", "tests/sub/x_test.go]"), edit{"tests/sub/x_test.go", "", demoY}), "challenge.yaml", "suites[1].files[1]", "same base name"},
		{"file on a go suite", y("    race: true", "    race: true\n    file: tests/api.yaml"), "challenge.yaml", "suites[1].file", "set on a go suite"},
		{"go package outside", y("    race: true", "    race: true\n    package: ../other"), "challenge.yaml", "suites[1].package", "not a folder inside the submission"},
		{"go points too many", y("    points: 2\n", "    points: 2000\n"), "challenge.yaml", "suites[1].points", "2000 is out of range"},
		{"override name typo", y("name: TestB", "name: TestBee"), "challenge.yaml", "suites[1].tests[0].name", `"TestBee" matches no test function`},
		{"override pattern typo", y("pattern: ^TestC", "pattern: ^TestZ"), "challenge.yaml", "suites[1].tests[1].pattern", `"^TestZ" matches no test function`},
		{"override pattern invalid", y("pattern: ^TestC", "pattern: '(('"), "challenge.yaml", "suites[1].tests[1].pattern", "does not compile"},
		{"override name and pattern", y("      - name: TestB\n", "      - name: TestB\n        pattern: ^TestB\n"), "challenge.yaml", "suites[1].tests[0]", "both name and pattern"},
		{"override neither", y("      - name: TestB\n        points: 5\n", "      - points: 5\n"), "challenge.yaml", "suites[1].tests[0]", "neither name nor pattern"},
		{"override changes nothing", y("      - pattern: ^TestC\n        points: 0\n", "      - pattern: ^TestC\n"), "challenge.yaml", "suites[1].tests[1]", "changes nothing"},
		{"override shadowed", y("      - pattern: ^TestC\n", "      - pattern: ^Test\n        points: 1\n      - pattern: ^TestC\n"), "challenge.yaml", "suites[1].tests[2]", "never applies"},
		{"override points negative", y("points: 5", "points: -1"), "challenge.yaml", "suites[1].tests[0].points", "-1 is out of range"},
		{"override visibility", y("visibility: visible", "visibility: shown"), "challenge.yaml", "suites[1].tests[0].visibility", `"shown" is not a visibility`},

		// hidden go files
		{"go syntax error", gox("func TestA(t *testing.T) {}", "func TestA(t *testing.T) {"), "tests/x_test.go", "", "is not valid Go"},
		{"go without package clause", gox("package x\n", ""), "tests/x_test.go", "", "has no package clause"},
		{"go test with wrong signature", gox("func TestA(t *testing.T) {}", "func TestA(b *testing.B) {}"), "tests/x_test.go", "TestA", "wrong signature"},
		{"go test with a result", gox("func TestA(t *testing.T) {}", "func TestA(t *testing.T) error { return nil }"), "tests/x_test.go", "TestA", "wrong signature"},
		{"go test with type parameters", gox("func TestA(t *testing.T) {}", "func TestA[T any](t *testing.T) {}"), "tests/x_test.go", "TestA", "type parameters"},
		{"go test defined twice", []edit{{"tests/y_test.go", "func TestD(", "func TestA("}}, "tests/y_test.go", "TestA", "also defined in tests/x_test.go"},
		{"go packages differ", []edit{{"tests/y_test.go", "package x_test", "package y"}}, "tests/y_test.go", "", "declares package y"},
		{"go package differs from the solution", []edit{{"solution/x.go", "package x", "package ledger"}}, "tests/x_test.go", "", "holds package ledger"},
		{"go files without tests", []edit{
			{"tests/x_test.go", "", "package x\n"},
			{"tests/y_test.go", "", "package x\n"},
			{"challenge.yaml", "    tests:\n      - name: TestB\n        points: 5\n        visibility: visible\n      - pattern: ^TestC\n        points: 0\n", ""},
		}, "challenge.yaml", "suites[1].files", "hold no test functions"},

		// the folder
		{"challenge.yaml missing", []edit{{"challenge.yaml", "", ""}}, "challenge.yaml", "", "cannot be read"},
		{"README missing", []edit{{"README.md", "", ""}}, "README.md", "", "cannot be read"},
		{"README blank", []edit{{"README.md", "", " \n\n"}}, "README.md", "", "is empty"},
		{"starter without go.mod", []edit{{"starter/go.mod", "", ""}, {"starter/main.go", "", "package main\n"}}, "starter", "", "does not hold go.mod"},
		{"solution missing", []edit{{"solution/go.mod", "", ""}, {"solution/x.go", "", ""}}, "solution", "", "is missing"},
		{"mutant without go.mod", []edit{{"mutants/b/go.mod", "", ""}}, "mutants/b", "", "does not hold go.mod"},
		{"tests/go.mod missing", []edit{{"tests/go.mod", "", ""}}, "tests/go.mod", "", "is missing while tests/ holds Go files"},
		{"all tests worth nothing", []edit{
			{"challenge.yaml", "  - name: api\n    kind: http\n    file: tests/api.yaml\n", ""},
			{"challenge.yaml", "service:\n  ready_path: /healthz\n", ""},
			{"challenge.yaml", "fixtures:\n  - name: cache\n    kind: redis\n  - name: upstream\n    kind: upstream\n    delay: 300ms\n", ""},
			{"challenge.yaml", "    points: 2\n", "    points: 0\n"},
			{"challenge.yaml", "points: 5", "points: 0"},
		}, "challenge.yaml", "suites", "every test is worth 0 points"},

		// http test files
		{"http unknown field", api("body_contains: hi", "body_contain: hi"), "tests/api.yaml", `test "create": steps[0].expect.body_contain`, `unknown field "body_contain"`},
		{"http wrong type", api("status: 201", "status: created"), "tests/api.yaml", `test "create": steps[0].expect.status`, "is not a whole number"},
		{"http no tests", []edit{{"tests/api.yaml", "", "tests: []\n"}}, "tests/api.yaml", "tests", "missing"},
		{"http test name missing", api("  - name: upstream stats\n", "  - points: 1\n"), "tests/api.yaml", "tests[1].name", "missing"},
		{"http test name twice", api("name: upstream stats", "name: create"), "tests/api.yaml", `test "create": name`, `"create" is used twice`},
		{"http test points", api("points: 3", "points: 1001"), "tests/api.yaml", `test "create": points`, "out of range"},
		{"http test visibility", api("visibility: visible", "visibility: everyone"), "tests/api.yaml", `test "create": visibility`, "not a visibility"},
		{"http test unknown field", api("  - name: upstream stats\n", "  - name: upstream stats\n    x: 1\n"), "tests/api.yaml", `test "upstream stats": x`, "unknown field"},
		{"http steps empty", api("  - name: upstream stats\n    steps:\n      - request: {target: upstream, path: /_fixture/stats}\n        expect: {json: {reads: 0}}\n", "  - name: upstream stats\n    steps: []\n"), "tests/api.yaml", `test "upstream stats": steps`, "missing"},
		{"step does nothing", api("      - wait: 10ms", "      - name: idle"), "tests/api.yaml", `test "create": steps[1]`, "does nothing"},
		{"step wait invalid", api("wait: 10ms", "wait: soon"), "tests/api.yaml", `test "create": steps[1].wait`, "not a valid wait"},
		{"step wait negative", api("wait: 10ms", "wait: -1s"), "tests/api.yaml", `test "create": steps[1].wait`, "not a valid wait"},
		{"expect without request", api("      - wait: 10ms", "      - wait: 10ms\n        expect: {status: 200}"), "tests/api.yaml", `test "create": steps[1]`, "no request"},
		{"waits exceed the test timeout", api("wait: 10ms", "wait: 10s"), "tests/api.yaml", `test "create": steps`, "the waits add up to 10s"},
		{"method unknown", api("method: post", "method: fetch"), "tests/api.yaml", `test "create": steps[0].request.method`, `"fetch" is not an HTTP method`},
		{"path relative", api("path: /notes,", "path: notes,"), "tests/api.yaml", `test "create": steps[0].request.path`, `"notes" is not a request path`},
		{"path missing", api("path: /_fixture/stats", "method: GET"), "tests/api.yaml", `test "upstream stats": steps[0].request.path`, "missing"},
		{"target unknown", api("target: upstream", "target: upstrem"), "tests/api.yaml", `test "upstream stats": steps[0].request.target`, `"upstrem" is neither app nor a fixture`},
		{"target redis", api("target: upstream", "target: cache"), "tests/api.yaml", `test "upstream stats": steps[0].request.target`, "redis fixture"},
		{"json and body", api("json: {title: hi, tags: [a], n: 1.5}", "json: {title: hi}, body: hi"), "tests/api.yaml", `test "create": steps[0].request`, "both json and body"},
		{"json not encodable", api("n: 1.5", "n: .inf"), "tests/api.yaml", `test "create": steps[0].request.json`, "cannot be written as JSON"},
		{"header name", api("headers: {X-Id: abc}", "headers: {'X Id': abc}"), "tests/api.yaml", `test "create": steps[0].request.headers.X Id`, "not a header name"},
		{"status out of range", api("status: 201", "status: 700"), "tests/api.yaml", `test "create": steps[0].expect.status`, "700 is not an HTTP status"},
		{"type operator", api("kind: {type: string}", "kind: {type: text}"), "tests/api.yaml", `test "create": steps[0].expect.json.kind.type`, "text is not a JSON type"},
		{"gte not a number", api("{gte: 2, lte: 5}", "{gte: two, lte: 5}"), "tests/api.yaml", `test "create": steps[0].expect.json.items.#.gte`, "two is not a number"},
		{"exists not a bool", api("id: {exists: true}", "id: {exists: yes please}"), "tests/api.yaml", `test "create": steps[0].expect.json.id.exists`, "not true or false"},
		{"variable never captured", api(`path: "/notes/${id}"`, `path: "/notes/${note}"`), "tests/api.yaml", `test "create": steps[2].request.path`, "uses ${note}, which no earlier step captures"},
		{"variable used in its own step", api("path: /notes,", `path: "/notes/${id}",`), "tests/api.yaml", `test "create": steps[0].request.path`, "uses ${id}"},
		{"variable from another test", api("path: /_fixture/stats", `path: "/_fixture/${id}"`), "tests/api.yaml", `test "upstream stats": steps[0].request.path`, "uses ${id}"},
		{"variable in an expected value", api(`json: {id: "${id}"}`, `json: {id: {ne: "${ident}"}}`), "tests/api.yaml", `test "create": steps[2].expect.json.id.ne`, "uses ${ident}"},
		{"variable in a header", api("headers: {X-Id: abc}", `headers: {X-Id: "${nope}"}`), "tests/api.yaml", `test "create": steps[0].request.headers.X-Id`, "uses ${nope}"},
		{"capture name invalid", api("capture: {id: id}", "capture: {id: id, 2x: id}"), "tests/api.yaml", `test "create": steps[0].capture.2x`, "not a variable name"},
		{"capture path empty", api("capture: {id: id}", "capture: {id: ''}"), "tests/api.yaml", `test "create": steps[0].capture.id`, "no JSON path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := loadDemo(t, tc.edits...)
			assertProblem(t, err, "demo/"+tc.file, tc.field, tc.want)
			if ps := Problems(err); len(ps) != 1 {
				t.Errorf("got %d problems, want 1:%s", len(ps), problemList(ps))
			}
		})
	}
}
