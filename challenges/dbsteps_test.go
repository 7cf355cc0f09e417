package challenges

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

// pgEdits turn the demo into a challenge with a postgres fixture db, its
// schema and seed, and a test that queries it.
func pgEdits() []edit {
	return []edit{
		{"challenge.yaml", "    delay: 300ms\n", "    delay: 300ms\n  - name: db\n    kind: postgres\n    schema: tests/schema.sql\n    seed: tests/seed.sql\n"},
		{"tests/schema.sql", "", "CREATE TABLE todos (id bigserial PRIMARY KEY, title text NOT NULL, done boolean NOT NULL DEFAULT false);\n"},
		{"tests/seed.sql", "", "INSERT INTO todos (title) VALUES ('seeded');\n"},
		{"tests/api.yaml", "        expect: {json: {reads: 0}}\n", "        expect: {json: {reads: 0}}\n" + pgTest},
	}
}

const pgTest = `  - name: stored
    steps:
      - request: {method: post, path: /todos, json: {title: milk}}
        expect: {status: 201}
        capture: {id: id}
      - name: row stored
        request:
          target: db
          sql: SELECT title, done FROM todos WHERE id = ${id}
        expect:
          rows: [{title: milk, done: false}]
          row_count: 1
          json: {0.title: milk}
        capture: {title: 0.title}
`

func TestPostgresFixtureLoads(t *testing.T) {
	files := apply(t, demoFiles(), pgEdits()...)
	c, err := LoadFS(mapFS("demo", files), "demo")
	if err != nil {
		t.Fatalf("load: %v", problemList(Problems(err)))
	}
	var db grader.Fixture
	for _, f := range c.Fixtures {
		if f.Name == "db" {
			db = f
		}
	}
	want := grader.Fixture{Name: "db", Kind: grader.FixturePostgres, Port: 5432, Schema: files["tests/schema.sql"], Seed: files["tests/seed.sql"]}
	if diff := cmp.Diff(want, db); diff != "" {
		t.Errorf("fixture (-want +got):\n%s", diff)
	}
	tests := c.Suites[0].Tests
	step := tests[len(tests)-1].Steps[1]
	if step.Request.Target != "db" || step.Request.SQL != "SELECT title, done FROM todos WHERE id = ${id}" || step.Request.Method != "" {
		t.Errorf("request = %+v", step.Request)
	}
	if string(step.Expect.Rows) != `[{"done":false,"title":"milk"}]` || step.Expect.RowCount == nil || *step.Expect.RowCount != 1 {
		t.Errorf("expect = rows %s, row_count %v", step.Expect.Rows, step.Expect.RowCount)
	}
	if len(step.Expect.JSON) != 1 || step.Expect.JSON[0].Path != "0.title" {
		t.Errorf("expect.json = %+v", step.Expect.JSON)
	}
}

func TestPostgresFixtureProblems(t *testing.T) {
	pg := func(old, new string) []edit { return append(pgEdits(), edit{"challenge.yaml", old, new}) }
	api := func(old, new string) []edit { return append(pgEdits(), edit{"tests/api.yaml", old, new}) }
	const dbTest = `test "stored": steps[1]`
	tests := []struct {
		name        string
		edits       []edit
		file, field string
		want        string
	}{
		{"schema missing", append(pgEdits(), edit{"tests/schema.sql", "", ""}), "challenge.yaml", "fixtures[2].schema", "tests/schema.sql does not exist"},
		{"schema outside tests", pg("schema: tests/schema.sql", "schema: solution/schema.sql"), "challenge.yaml", "fixtures[2].schema", "not a path under tests/"},
		{"schema escaping tests", pg("schema: tests/schema.sql", "schema: tests/../schema.sql"), "challenge.yaml", "fixtures[2].schema", "not a path under tests/"},
		{"seed not sql", pg("seed: tests/seed.sql", "seed: tests/api.yaml"), "challenge.yaml", "fixtures[2].seed", "not a .sql file"},
		{"seed empty", append(pgEdits(), edit{"tests/seed.sql", "", " \n"}), "tests/seed.sql", "", "is empty"},
		{"schema on redis", pg("    kind: redis\n", "    kind: redis\n    schema: tests/schema.sql\n"), "challenge.yaml", "fixtures[0]", "schema or seed is set on a redis fixture"},
		{"delay on postgres", pg("    kind: postgres\n", "    kind: postgres\n    delay: 1s\n"), "challenge.yaml", "fixtures[2].delay", "set on a postgres fixture"},
		{"two postgres", pg("  - name: db\n", "  - name: db2\n    kind: postgres\n    port: 5433\n  - name: db\n"), "challenge.yaml", "fixtures[3].kind", "a second postgres fixture"},
		{"port clash", pg("    kind: postgres\n", "    kind: postgres\n    port: 6379\n"), "challenge.yaml", "fixtures[2].port", "already used by fixture cache"},
		{"sql missing", api("          sql: SELECT title, done FROM todos WHERE id = ${id}\n", ""), "tests/api.yaml", dbTest + ".request.sql", "missing"},
		{"sql not a query", api("sql: SELECT title", "sql: DELETE FROM todos; SELECT title"), "tests/api.yaml", dbTest + ".request.sql", "is not a query"},
		{"sql positional", api("id = ${id}", "id = $1"), "tests/api.yaml", dbTest + ".request.sql", "positional parameter"},
		{"sql uncaptured", api("id = ${id}", "id = ${todo}"), "tests/api.yaml", dbTest + ".request.sql", "uses ${todo}, which no earlier step captures"},
		{"sql with path", api("          target: db\n", "          target: db\n          path: /todos\n"), "tests/api.yaml", dbTest + ".request", "has method, path, headers"},
		{"sql to app", api("json: {title: milk}}", "json: {title: milk}, sql: SELECT 1}"), "tests/api.yaml", `test "stored": steps[0].request.sql`, "is set on a request to app"},
		{"status on a query", api("          row_count: 1\n", "          row_count: 1\n          status: 200\n"), "tests/api.yaml", dbTest + ".expect", "has status, headers"},
		{"rows not a list", api("rows: [{title: milk, done: false}]", "rows: {title: milk}"), "tests/api.yaml", dbTest + ".expect.rows", "is not a list"},
		{"row not a mapping", api("rows: [{title: milk, done: false}]", "rows: [[milk, false]]"), "tests/api.yaml", dbTest + ".expect.rows[0]", "is not a mapping"},
		{"row_count negative", api("row_count: 1", "row_count: -1"), "tests/api.yaml", dbTest + ".expect.row_count", "is negative"},
		{"rows on an http step", api("        expect: {status: 201}\n", "        expect: {status: 201, row_count: 1}\n"), "tests/api.yaml", `test "stored": steps[0].expect`, "rows or row_count is set on an HTTP step"},
		{"max_queries on a query", api("          row_count: 1\n", "          row_count: 1\n          max_queries: 2\n"), "tests/api.yaml", dbTest + ".expect", "max_queries on a query step"},
		{"max_queries negative", api("        expect: {status: 201}\n", "        expect: {status: 201, max_queries: -1}\n"), "tests/api.yaml", `test "stored": steps[0].expect.max_queries`, "-1 is negative"},
		{"max_queries on a set", api("      - request: {method: post, path: /todos, json: {title: milk}}\n        expect: {status: 201}\n", "      - request: {method: post, path: /todos, json: {title: milk}}\n        repeat: 2\n        expect: {statuses: {201: 2}, max_queries: 3}\n"), "tests/api.yaml", `test "stored": steps[0].expect.max_queries`, "is set on a step that sends 2 requests"},
		{"rows use uncaptured", api("rows: [{title: milk, done: false}]", `rows: [{title: "${nope}"}]`), "tests/api.yaml", dbTest + ".expect.rows", "uses ${nope}"},
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

// TestMaxQueries: max_queries reaches the plan, and is refused in a
// challenge without a postgres fixture.
func TestMaxQueries(t *testing.T) {
	bound := edit{"tests/api.yaml", "        expect: {status: 201}\n        capture: {id: id}\n", "        expect: {status: 201, max_queries: 2}\n        capture: {id: id}\n"}
	c, err := LoadFS(mapFS("demo", apply(t, demoFiles(), append(pgEdits(), bound)...)), "demo")
	if err != nil {
		t.Fatalf("load: %v", problemList(Problems(err)))
	}
	tests := c.Suites[0].Tests
	if got := tests[len(tests)-1].Steps[0].Expect.MaxQueries; got == nil || *got != 2 {
		t.Errorf("max_queries = %v, want 2", got)
	}
	noDB := apply(t, demoFiles(), edit{"tests/api.yaml", "        expect: {json: {reads: 0}}\n", "        expect: {json: {reads: 0}, max_queries: 1}\n"})
	_, err = LoadFS(mapFS("demo", noDB), "demo")
	if ps := Problems(err); len(ps) != 1 || !strings.Contains(ps[0].Problem, "the challenge has no postgres fixture") || !strings.Contains(ps[0].Field, "expect.max_queries") {
		t.Errorf("problems = %s, want one about the missing postgres fixture", problemList(ps))
	}
}

// TestPostgresProblemsNameTheLine: a problem in a query step carries its
// line in the test file.
func TestPostgresProblemsNameTheLine(t *testing.T) {
	err := loadDemo(t, append(pgEdits(), edit{"tests/api.yaml", "id = ${id}", "id = $1"})...)
	for _, p := range Problems(err) {
		if strings.Contains(p.Problem, "positional") {
			if p.Line == 0 {
				t.Errorf("problem %q has no line", p)
			}
			return
		}
	}
	t.Fatalf("no positional problem in %v", err)
}
