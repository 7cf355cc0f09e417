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
	dir := t.TempDir()
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
	eng := grader.NewEngine(grader.EngineConfig{Sandbox: docker, ToolsImage: os.Getenv("GRADER_TOOLS_IMAGE")})
	id := "pg-broken-seed"
	sub, err := grader.ReadDirIn(id, grader.LanguageGo, filepath.Join(c.Dir, "solution"), grader.SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := eng.Grade(context.Background(), c, sub, nil)
	assertNoLeftovers(t, id)
	if err == nil {
		t.Fatalf("a broken seed graded as %s %d/%d, want an error", res.Status, res.Score, res.MaxScore)
	}
	for _, want := range []string{"seed script failed", `relation "itemz" does not exist`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	t.Logf("broken seed: %v", err)
}
