//go:build integration

package e2e

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// TestPostgresFixture grades testdata/postgres-store, whose service keeps
// items in the database DATABASE_URL names (schema and seed applied before
// it starts) and whose tests query that database: the reference, a Go
// service using pgx built offline in the go image, passes them all; a
// service that ignores DATABASE_URL and keeps items in memory answers the
// same over HTTP but fails every test that looks at the database.
//
// Query steps run in the tester: GRADER_TOOLS_IMAGE names a tools image
// built from this working copy when grader/tools:local predates them.
func TestPostgresFixture(t *testing.T) {
	c, err := challenges.Load("testdata/postgres-store")
	if err != nil {
		t.Fatal(err)
	}
	eng := grader.NewEngine(grader.EngineConfig{
		Sandbox:    docker,
		ToolsImage: os.Getenv("GRADER_TOOLS_IMAGE"),
		Logger:     slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	})
	const (
		stored = "the item is stored in the database"
		seeded = "the seeded item is served"
		quoted = "a name that looks like SQL is stored as it is"
	)
	for _, tc := range []struct {
		dir        string
		wantFailed []string
	}{
		{"solution", nil},
		{"mutants/in-memory", []string{stored, seeded, quoted}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			id := "pg-" + strings.ReplaceAll(tc.dir, "/", "-")
			sub, err := grader.ReadDirIn(id, grader.LanguageGo, filepath.Join(c.Dir, tc.dir), grader.SubmissionLimits{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := eng.Grade(context.Background(), c, sub, nil)
			if err != nil {
				t.Fatal(err)
			}
			assertNoLeftovers(t, id)
			t.Logf("%s %d/%d\n%s", res.Status, res.Score, res.MaxScore, describe(res))
			var failed []string
			for _, tr := range res.Tests {
				if tr.Status != grader.TestPassed {
					failed = append(failed, tr.Name)
					if tr.Message == "" {
						t.Errorf("failed test %q has no message", tr.Name)
					}
				}
			}
			if diff := cmp.Diff(tc.wantFailed, failed); diff != "" {
				t.Fatalf("failed tests (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPostgresBrokenSeed: a seed that fails is the challenge's fault: the
// grading ends in an error naming the script, not in a learner's score.
func TestPostgresBrokenSeed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "postgres-store")
	if err := os.CopyFS(dir, os.DirFS("testdata/postgres-store")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tests/seed.sql"), []byte("INSERT INTO itemz (name) VALUES ('typo');\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := challenges.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	// The Python service: its start needs no build, so the run comes at once.
	c.Languages = append(c.Languages, grader.Offering{Language: grader.LanguagePython, Image: grader.LanguagePython.DefaultImage(), Start: []string{"python3", "app.py"}})
	eng := grader.NewEngine(grader.EngineConfig{Sandbox: docker, ToolsImage: os.Getenv("GRADER_TOOLS_IMAGE")})
	id := "pg-broken-seed"
	sub, err := grader.ReadDirIn(id, grader.LanguagePython, "testdata/postgres-store-python", grader.SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Grade(context.Background(), c, sub, nil)
	assertNoLeftovers(t, id)
	if err == nil {
		t.Fatalf("a broken seed graded as %s %d/%d, want an error", res.Status, res.Score, res.MaxScore)
	}
	for _, want := range []string{"seed script failed", `relation "itemz" does not exist (line 1)`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	t.Logf("broken seed: %v", err)
}

// TestPostgresFixturePython grades the same challenge with a Python
// service (psycopg, the python image's driver) that also tries to reach
// past its own database: as the superuser, without a password, in another
// database, running a program or reading a file on the server, making
// itself superuser. Every attempt must fail, and the database checks pass.
func TestPostgresFixturePython(t *testing.T) {
	c, err := challenges.Load("testdata/postgres-store")
	if err != nil {
		t.Fatal(err)
	}
	c.Languages = append(c.Languages, grader.Offering{Language: grader.LanguagePython, Image: grader.LanguagePython.DefaultImage(), Start: []string{"python3", "app.py"}})
	denied := []grader.JSONMatch{}
	for _, k := range []string{"grader_with_app_password", "grader_without_password", "other_database", "copy_to_program", "read_server_file", "become_superuser"} {
		denied = append(denied, grader.JSONMatch{Path: k, Op: "equals", Value: []byte("false")})
	}
	const confined = "the service cannot reach past its own database"
	c.Suites[0].Tests = append(c.Suites[0].Tests, grader.TestSpec{Name: confined, Points: 1, Visibility: grader.Hidden,
		Steps: []grader.Step{{Request: &grader.Request{Method: "GET", Path: "/attack"}, Expect: grader.Expect{Status: 200, JSON: denied}}}})
	eng := grader.NewEngine(grader.EngineConfig{Sandbox: docker, ToolsImage: os.Getenv("GRADER_TOOLS_IMAGE")})
	id := "pg-python"
	sub, err := grader.ReadDirIn(id, grader.LanguagePython, "testdata/postgres-store-python", grader.SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Grade(context.Background(), c, sub, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertNoLeftovers(t, id)
	t.Logf("%s %d/%d\n%s", res.Status, res.Score, res.MaxScore, describe(res))
	for _, tr := range res.Tests {
		if tr.Status != grader.TestPassed {
			t.Errorf("test %q failed: %s", tr.Name, tr.Message)
		}
	}
	if res.Score != res.MaxScore || len(res.Tests) != 5 {
		t.Errorf("score %d/%d over %d tests, want full marks over 5", res.Score, res.MaxScore, len(res.Tests))
	}
}
