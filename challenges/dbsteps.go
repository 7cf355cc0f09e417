package challenges

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/gradebox/grader/grader"
)

// Query steps: a step whose request targets a postgres fixture sends
// sql instead of an HTTP request and checks the rows it returns.

// maxSQLBytes caps a postgres fixture's schema or seed file.
const maxSQLBytes = 1 << 20

// readOnlyStart is how a query step's SQL must begin: a query, whose rows
// the step checks.
var readOnlyStart = regexp.MustCompile(`(?i)^\s*(select|with|values|table)\b`)

// positional finds $1-style parameters, which the tester assigns itself.
var positional = regexp.MustCompile(`\$[0-9]`)

// isQuery tells a target that names a postgres fixture.
func (h *httpFile) isQuery(target string) bool {
	return target != "" && h.targets[target] == grader.FixturePostgres
}

// hasPostgres tells a challenge with a postgres fixture.
func (h *httpFile) hasPostgres() bool {
	for _, kind := range h.targets {
		if kind == grader.FixturePostgres {
			return true
		}
	}
	return false
}

// queryRequest converts the request of a query step: sql alone.
func (h *httpFile) queryRequest(field string, rf requestFile, refs refChecker) *grader.Request {
	rq := &grader.Request{Target: rf.Target}
	if rf.Method != "" || rf.Path != "" || len(rf.Headers) > 0 || rf.JSON != nil || rf.Body != nil || rf.FollowRedirects {
		h.bad(field, "keep target and sql only; a query step sends no HTTP request", "has method, path, headers, json, body or follow_redirects on a query to postgres fixture %q", rf.Target)
	}
	switch {
	case rf.SQL == nil || strings.TrimSpace(*rf.SQL) == "":
		h.bad(field+".sql", "write the query whose rows the step checks, e.g. SELECT title FROM todos WHERE id = ${id}", "missing")
		return rq
	case !readOnlyStart.MatchString(*rf.SQL):
		h.bad(field+".sql", "write one query starting with SELECT or WITH; it runs in a read-only transaction", "%q is not a query", excerptText(*rf.SQL, 60))
	case positional.MatchString(*rf.SQL):
		h.bad(field+".sql", "write captured values as ${name}; the grader binds them as $1, $2, ... itself", "uses a positional parameter such as $1")
	}
	rq.SQL = *rf.SQL
	refs.check(field+".sql", rq.SQL)
	return rq
}

// queryExpect converts the checks of a query step: rows (a list of
// mappings, column to value, in the query's order), row_count, and json
// matches over the rows as a JSON array.
func (h *httpFile) queryExpect(field string, ef expectFile, refs refChecker) grader.Expect {
	var exp grader.Expect
	if ef.Status != nil || len(ef.Headers) > 0 || ef.BodyContains != "" || ef.BodyMatches != "" || ef.MaxQueries != nil {
		h.bad(field, "check rows, row_count or json; a query step has no status, headers or body, and max_queries counts the service's queries", "has status, headers, body_contains, body_matches or max_queries on a query step")
	}
	if ef.RowCount != nil {
		if *ef.RowCount < 0 {
			h.bad(field+".row_count", "write the number of rows the query returns, 0 or more", "%d is negative", *ef.RowCount)
		}
		exp.RowCount = ef.RowCount
	}
	if ef.Rows != nil {
		list, ok := ef.Rows.([]any)
		if !ok {
			h.bad(field+".rows", "write a list of rows, each a mapping of column to value, e.g. [{title: milk, done: false}]", "is not a list")
		}
		for i, row := range list {
			if _, ok := row.(map[string]any); !ok {
				h.bad(fmt.Sprintf("%s.rows[%d]", field, i), "write the row as a mapping of column name to value, e.g. {title: milk, done: false}", "is not a mapping")
			}
		}
		exp.Rows = h.rawJSON(field+".rows", ef.Rows)
		refs.checkValue(field+".rows", ef.Rows)
	}
	for _, p := range slices.Sorted(maps.Keys(ef.JSON)) {
		f := field + ".json." + p
		if strings.TrimSpace(p) == "" {
			h.bad(f, "write a JSON path of the rows, e.g. 0.title or #", "the path is empty")
			continue
		}
		exp.JSON = append(exp.JSON, h.matches(f, p, ef.JSON[p], refs)...)
	}
	return exp
}

// sqlFile reads a postgres fixture's schema or seed file, a hidden file
// under tests/; "" when name is empty or the file is wrong (reported).
func (l *loader) sqlFile(field, name string) string {
	if name == "" {
		return ""
	}
	if !strings.HasSuffix(name, ".sql") {
		l.bad(field, "name an SQL file under tests/, e.g. tests/schema.sql", "%q is not a .sql file", name)
		return ""
	}
	if !l.hiddenFile(field, name) {
		return ""
	}
	b, err := l.read(name)
	switch {
	case err != nil:
		l.add(name, "", "make the file readable", "cannot be read: %v", unwrapPath(err))
		return ""
	case len(b) > maxSQLBytes:
		l.add(name, "", fmt.Sprintf("keep it under %d KiB", maxSQLBytes>>10), "is %d bytes", len(b))
		return ""
	case strings.TrimSpace(string(b)) == "":
		l.add(name, "", "write the SQL, or remove the field", "is empty")
		return ""
	}
	return string(b)
}

// excerptText is s on one line, cut to about n bytes.
func excerptText(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "..."
}
