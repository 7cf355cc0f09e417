package httpcheck

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

// TestBindSQLNeverSplices: captured values become parameters, whatever
// they hold; the statement's text holds only $n.
func TestBindSQLNeverSplices(t *testing.T) {
	v := vars{
		"id":    {text: "7", raw: "7"},
		"title": {text: "x'); DROP TABLE todos; --", raw: `"x'); DROP TABLE todos; --"`, isString: true},
	}
	sql, args, err := bindSQL("SELECT * FROM todos WHERE id = ${id} AND title = ${title} OR id = ${id};\n", v)
	if err != nil {
		t.Fatal(err)
	}
	if want := "SELECT * FROM todos WHERE id = $1 AND title = $2 OR id = $1"; sql != want {
		t.Errorf("sql = %q, want %q", sql, want)
	}
	if diff := cmp.Diff([]any{"7", "x'); DROP TABLE todos; --"}, args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	if strings.Contains(sql, "DROP") {
		t.Errorf("a captured value reached the statement: %q", sql)
	}
	if _, _, err := bindSQL("SELECT ${nope}", v); err == nil || !strings.Contains(err.Error(), "${nope}") {
		t.Errorf("missing capture: err = %v", err)
	}
}

func TestCheckRows(t *testing.T) {
	got := response{Response: &http.Response{Header: http.Header{}}, body: []byte(`[{"id":7,"title":"milk","done":false}]`)}
	one, two := 1, 2
	v := vars{"id": {text: "7", raw: "7"}}
	tests := []struct {
		name string
		exp  grader.Expect
		want string // "" passes, else text the message contains
	}{
		{"rows equal", grader.Expect{Rows: json.RawMessage(`[{"title":"milk","id":7.0,"done":false}]`)}, ""},
		{"rows with a capture", grader.Expect{Rows: json.RawMessage(`[{"title":"milk","id":"${id}","done":false}]`)}, ""},
		{"rows differ", grader.Expect{Rows: json.RawMessage(`[{"title":"milk","id":7,"done":true}]`)}, "expected rows"},
		{"a column missing", grader.Expect{Rows: json.RawMessage(`[{"title":"milk","id":7}]`)}, "expected rows"},
		{"row count", grader.Expect{RowCount: &one}, ""},
		{"row count differs", grader.Expect{RowCount: &two}, "expected 2 row(s), the query returned 1"},
		{"json over the rows", grader.Expect{JSON: []grader.JSONMatch{{Path: "0.title", Op: "equals", Value: json.RawMessage(`"tea"`)}}}, `"0.title"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			msg := checkRows(tc.exp, got, v)
			switch {
			case tc.want == "" && msg != "":
				t.Errorf("failed: %s", msg)
			case tc.want != "" && !strings.Contains(msg, tc.want):
				t.Errorf("message %q does not contain %q", msg, tc.want)
			}
		})
	}
}

func TestValidateQueryStep(t *testing.T) {
	plan := grader.TesterPlan{BaseURL: "http://127.0.0.1:8080", Fixtures: map[string]grader.TesterFixture{
		"db": {Kind: grader.FixturePostgres, URL: "postgres://grader:s@127.0.0.1:5432/app"},
	}}
	ok := grader.Step{Request: &grader.Request{Target: "db", SQL: "SELECT 1"}}
	if errs := validateStep(plan, "s", ok); len(errs) != 0 {
		t.Errorf("valid query step refused: %v", errs)
	}
	bad := grader.Step{Request: &grader.Request{Target: "db", Path: "/x"}, Expect: grader.Expect{Status: 200}}
	if errs := validateStep(plan, "s", bad); len(errs) != 3 {
		t.Errorf("got %d errors, want 3 (no sql, a path, a status): %v", len(errs), errs)
	}
	sqlToApp := grader.Step{Request: &grader.Request{Path: "/", SQL: "SELECT 1"}}
	if errs := validateStep(plan, "s", sqlToApp); len(errs) != 1 {
		t.Errorf("sql sent to the app: got %v, want one error", errs)
	}
}

func TestCheckQueries(t *testing.T) {
	at := func(calls, evicted int64) queryCount { return queryCount{calls: calls, evicted: evicted} }
	if msg := checkQueries(4, at(10, 0), at(14, 0)); msg != "" {
		t.Errorf("4 queries within a bound of 4: %q", msg)
	}
	msg := checkQueries(4, at(10, 0), at(61, 0))
	for _, want := range []string{"took 51 database queries", "at most 4 are allowed", "N+1"} {
		if !strings.Contains(msg, want) {
			t.Errorf("51 queries over a bound of 4: %q lacks %q", msg, want)
		}
	}
	for _, after := range []queryCount{at(12, 1), at(3, 0)} {
		if msg := checkQueries(4, at(10, 0), after); !strings.Contains(msg, "could not be counted") {
			t.Errorf("statements forgotten (%+v): %q", after, msg)
		}
	}
}
