package main

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/httpcheck"
)

// TestHostPostgres starts two instances of the host's template cluster:
// the schema and seed applied to one are the service's (owned by app,
// readable through its DATABASE_URL) and absent from the other.
func TestHostPostgres(t *testing.T) {
	if !hasHostPostgres() {
		t.Skipf("no %s on the host", hostPGPackage)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	defer removeHostPostgres()
	tmpl, err := hostPostgres(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := hostPostgres(ctx); err != nil || again != tmpl {
		t.Fatalf("the template is initialised once per run: got %p, %v, want %p", again, err, tmpl)
	}
	start := func() *pgInstance {
		pg, err := tmpl.start(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(pg.stop)
		return pg
	}
	one, two := start(), start()
	plan := grader.TesterPlan{ReadyTimeout: 30 * time.Second, Fixtures: map[string]grader.TesterFixture{
		"db": {Kind: grader.FixturePostgres, URL: one.url("grader", tmpl.secret),
			Schema: "CREATE TABLE items (id int PRIMARY KEY, name text);", Seed: "INSERT INTO items VALUES (7, 'seeded');"},
	}}
	if err := httpcheck.PrepareDatabases(ctx, plan); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, one.url("app", tmpl.app))
	if err != nil {
		t.Fatalf("connect as the service: %v", err)
	}
	defer conn.Close(ctx)
	var name, owner string
	if err := conn.QueryRow(ctx, "SELECT i.name, t.tableowner FROM items i, pg_tables t WHERE i.id = 7 AND t.tablename = 'items'").Scan(&name, &owner); err != nil {
		t.Fatal(err)
	}
	if name != "seeded" || owner != "app" {
		t.Errorf("got item %q owned by %q, want \"seeded\" owned by \"app\"", name, owner)
	}
	if _, err := pgx.Connect(ctx, one.url("app", "wrong")); err == nil {
		t.Error("a wrong password was accepted")
	}
	other, err := connectWhenReady(ctx, two.url("app", tmpl.app))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close(ctx)
	_, err = other.Exec(ctx, "SELECT 1 FROM items")
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("the second instance sees the first one's table: %v", err)
	}
	base := one.base
	one.stop()
	if _, err := os.Stat(base); !os.IsNotExist(err) {
		t.Errorf("the stopped instance's folder is still there: %v", err)
	}
}

// connectWhenReady connects to a postgres that may still be starting: no
// one waited for the second instance to accept connections.
func connectWhenReady(ctx context.Context, url string) (*pgx.Conn, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, url)
		if err == nil || time.Now().After(deadline) {
			return conn, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}
