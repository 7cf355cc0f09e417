package httpcheck

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/gradebox/grader/grader"
)

// PrepareDatabases waits until every postgres fixture of plan accepts
// its superuser, then applies each fixture's schema and seed as the
// learner's role (app), so the tables belong to the learner's service.
// A failing script is the challenge's fault, returned as an error that
// names the fixture and the script.
func PrepareDatabases(ctx context.Context, plan grader.TesterPlan) error {
	timeout := plan.ReadyTimeout
	if timeout <= 0 {
		timeout = defaultReadyTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for _, name := range slices.Sorted(maps.Keys(plan.Fixtures)) {
		fx := plan.Fixtures[name]
		if fx.Kind != grader.FixturePostgres {
			continue
		}
		conn, err := connectWhenReady(ctx, fx.URL)
		if err != nil {
			return fmt.Errorf("postgres fixture %q did not start: %w", name, err)
		}
		err = applyScripts(ctx, conn, fx)
		_ = conn.Close(context.WithoutCancel(ctx))
		if err != nil {
			return fmt.Errorf("postgres fixture %q: %w", name, err)
		}
	}
	return nil
}

// connectWhenReady connects until the server has finished starting.
func connectWhenReady(ctx context.Context, url string) (*pgx.Conn, error) {
	for {
		conn, err := pgx.Connect(ctx, url)
		if err == nil {
			return conn, nil
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// applyScripts runs the schema, then the seed, each in its own
// transaction, as role app.
func applyScripts(ctx context.Context, conn *pgx.Conn, fx grader.TesterFixture) error {
	for _, s := range []struct{ name, sql string }{{"schema", fx.Schema}, {"seed", fx.Seed}} {
		if strings.TrimSpace(s.sql) == "" {
			continue
		}
		if err := applyScript(ctx, conn, s.sql); err != nil {
			return fmt.Errorf("the %s script failed, fix it in the challenge's tests: %w", s.name, err)
		}
	}
	return nil
}

// applyScript runs one script (several statements, through the simple
// protocol) in a transaction as role app. An error names the script's
// line where Postgres placed it.
func applyScript(ctx context.Context, conn *pgx.Conn, sql string) error {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{})
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, "SET LOCAL ROLE app"); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, sql, pgx.QueryExecModeSimpleProtocol); err != nil {
		msg := describeDBError(err)
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Position > 0 && int(pe.Position) <= len([]rune(sql)) {
			msg += fmt.Sprintf(" (line %d)", 1+strings.Count(string([]rune(sql)[:pe.Position-1]), "\n"))
		}
		return errors.New(msg)
	}
	return tx.Commit(ctx)
}

// dbConn returns the runner's connection to a postgres fixture, opening
// it on first use.
func (r *runner) dbConn(ctx context.Context, target string) (*pgx.Conn, error) {
	if c, ok := r.dbs[target]; ok && !c.IsClosed() {
		return c, nil
	}
	c, err := pgx.Connect(ctx, r.plan.Fixtures[target].URL)
	if err != nil {
		return nil, err
	}
	if r.dbs == nil {
		r.dbs = map[string]*pgx.Conn{}
	}
	r.dbs[target] = c
	return c, nil
}

// closeDBs closes the runner's database connections.
func (r *runner) closeDBs() {
	for _, c := range r.dbs {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = c.Close(ctx)
		cancel()
	}
}

// isQuery tells a step that queries a postgres fixture.
func (r *runner) isQuery(rq *grader.Request) bool {
	return rq != nil && rq.Target != "" && r.plan.Fixtures[rq.Target].Kind == grader.FixturePostgres
}

// query runs a query step: its SQL, with each ${name} sent as a query
// parameter, in a read-only transaction as the learner's role (app): a
// function or operator the learner's service defined runs with no more
// rights than the service has. The
// rows come back as a JSON array of objects, checked and captured like a
// response body. It returns what step returns.
func (r *runner) query(ctx context.Context, st grader.Step, v vars) (sent string, got *response, msg string) {
	sql, args, err := bindSQL(st.Request.SQL, v)
	if err != nil {
		return "", nil, err.Error()
	}
	sent = "SQL " + excerpt(strings.Join(strings.Fields(st.Request.SQL), " "), 80)
	conn, err := r.dbConn(ctx, st.Request.Target)
	if err != nil {
		return sent, nil, fmt.Sprintf("could not connect to the database %q: %s", st.Request.Target, describeDBError(err))
	}
	rows, err := readRows(ctx, conn, sql, args)
	if err != nil {
		if ctx.Err() != nil {
			return sent, nil, fmt.Sprintf("the query did not finish within the test's time limit (%s)", r.plan.TestTimeout)
		}
		return sent, nil, "the query failed: " + describeDBError(err)
	}
	got = &response{Response: &http.Response{Header: http.Header{}}, body: rows}
	msg = checkRows(st.Expect, *got, v)
	if msg == "" || r.plan.Record {
		msg = cmp.Or(msg, captureAll(st.Capture, *got, v))
	}
	return sent, got, msg
}

// readRows runs sql and returns its rows as a JSON array of objects,
// column name to value, encoded by Postgres itself (numbers as numbers,
// timestamps as ISO 8601 strings).
func readRows(ctx context.Context, conn *pgx.Conn, sql string, args []any) ([]byte, error) {
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if _, err := tx.Exec(ctx, "SET LOCAL ROLE app"); err != nil {
		return nil, err
	}
	wrapped := "SELECT coalesce(json_agg(q), '[]'::json)::text FROM (\n" + sql + "\n) AS q"
	var out string
	if err := tx.QueryRow(ctx, wrapped, args...).Scan(&out); err != nil {
		return nil, err
	}
	if len(out) > maxBodyBytes {
		return nil, fmt.Errorf("the rows take more than %d MiB of JSON; select fewer", maxBodyBytes>>20)
	}
	return []byte(out), nil
}

// bindSQL replaces each ${name} in sql with a numbered parameter ($1,
// $2, ...) bound to the captured text, so a captured value is never part
// of the statement's text. The same name reuses its parameter.
func bindSQL(sql string, v vars) (string, []any, error) {
	var args []any
	index := map[string]int{}
	var missing string
	out := varRef.ReplaceAllStringFunc(sql, func(m string) string {
		name := m[2 : len(m)-1]
		c, ok := v[name]
		if !ok {
			if missing == "" {
				missing = name
			}
			return m
		}
		n, seen := index[name]
		if !seen {
			args = append(args, c.text)
			n = len(args)
			index[name] = n
		}
		return "$" + strconv.Itoa(n)
	})
	if missing != "" {
		return "", nil, fmt.Errorf("uses ${%s}, which no earlier step captured", missing)
	}
	return strings.TrimRight(strings.TrimSpace(out), "; \t\n"), args, nil
}

// checkRows checks a query's rows against row_count, rows and json, in
// that order.
func checkRows(exp grader.Expect, got response, v vars) string {
	rows, err := decodeJSON(got.body)
	list, ok := rows.([]any)
	if err != nil || !ok {
		return "the query's rows could not be read: " + excerpt(string(got.body), valueExcerptBytes)
	}
	if exp.RowCount != nil && len(list) != *exp.RowCount {
		return fmt.Sprintf("expected %d row(s), the query returned %d: %s", *exp.RowCount, len(list), snippet(got))
	}
	if len(exp.Rows) > 0 {
		raw, err := v.expandJSON(exp.Rows)
		if err != nil {
			return err.Error()
		}
		want, err := decodeJSON(raw)
		if err != nil {
			return fmt.Sprintf("expect.rows is not JSON: %v", err)
		}
		if !equalJSON(want, rows) {
			return fmt.Sprintf("expected rows %s, the query returned %s", excerpt(string(compact(raw)), bodyExcerptBytes), snippet(got))
		}
	}
	for _, m := range exp.JSON {
		if msg := matchJSON(m, got, v); msg != "" {
			return msg
		}
	}
	return ""
}

// describeDBError words a database error: Postgres's message, with its
// detail and hint when it gave them.
func describeDBError(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		s := pe.Severity + ": " + pe.Message
		if pe.Detail != "" {
			s += " (" + pe.Detail + ")"
		}
		if pe.Hint != "" {
			s += "; hint: " + pe.Hint
		}
		return s
	}
	return err.Error()
}

// statementCount is how the tester counts the statements the learner's
// role (app) has run in a fixture's database: pg_stat_statements, loaded
// by the fixture's image, adds one call per SELECT, INSERT, UPDATE or
// DELETE a client sends, before the client gets the answer. The tester
// reads it as the fixture's superuser, so its own reads are not counted.
const statementCount = `SELECT coalesce(sum(calls), 0)::bigint, (SELECT dealloc FROM pg_stat_statements_info)
FROM pg_stat_statements
WHERE userid = 'app'::regrole AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`

// queryCount is a reading of statementCount over every postgres fixture.
type queryCount struct {
	calls, evicted int64
}

// postgresFixtures names the plan's postgres fixtures, sorted.
func postgresFixtures(p grader.TesterPlan) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(p.Fixtures)) {
		if p.Fixtures[name].Kind == grader.FixturePostgres {
			out = append(out, name)
		}
	}
	return out
}

// countQueries reads how many statements the learner's service has run
// in all the plan's postgres fixtures so far.
func (r *runner) countQueries(ctx context.Context) (queryCount, error) {
	var total queryCount
	for _, name := range postgresFixtures(r.plan) {
		conn, err := r.dbConn(ctx, name)
		if err != nil {
			return total, fmt.Errorf("could not connect to the database %q to count queries: %s", name, describeDBError(err))
		}
		var c queryCount
		if err := conn.QueryRow(ctx, statementCount).Scan(&c.calls, &c.evicted); err != nil {
			return total, fmt.Errorf("could not count the queries in the database %q: %s", name, describeDBError(err))
		}
		total.calls += c.calls
		total.evicted += c.evicted
	}
	return total, nil
}

// checkQueries compares the queries a step's request cost with its bound.
func checkQueries(max int, before, after queryCount) string {
	if after.evicted != before.evicted || after.calls < before.calls {
		return "the queries could not be counted: the service ran so many different statements that the database forgot some; build each query from a fixed text with parameters"
	}
	n := after.calls - before.calls
	if n <= int64(max) {
		return ""
	}
	return fmt.Sprintf("answering it took %d database queries, at most %d are allowed; one query per item listed (the N+1 pattern) costs a round trip each: load related rows for all items at once, with a JOIN or WHERE id = ANY(...)", n, max)
}
