package challenges

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradebox/grader/grader"
)

func TestIndex(t *testing.T) {
	ix := NewIndex([]*grader.Challenge{{ID: "a-one"}, {ID: "b-two"}})
	c, err := ix.Challenge("b-two")
	if err != nil || c.ID != "b-two" {
		t.Fatalf("Challenge(b-two) = %v, %v", c, err)
	}
	if _, err := ix.Challenge("nope"); !errors.Is(err, grader.ErrNotFound) {
		t.Errorf("Challenge(nope) = %v, want grader.ErrNotFound", err)
	}
	if got := len(ix.Challenges()); got != 2 {
		t.Errorf("Challenges() has %d, want 2", got)
	}
}

func TestLoadIndexOfSeedCatalog(t *testing.T) {
	ix, err := LoadIndex(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"notes-api", "cache-aside", "fix-ledger"} {
		if _, err := ix.Challenge(id); err != nil {
			t.Errorf("seed challenge %s: %v", id, err)
		}
	}
}

func TestLoadIndexRefusesEmptyCatalog(t *testing.T) {
	if _, err := LoadIndex(t.TempDir()); err == nil {
		t.Fatal("LoadIndex of an empty folder succeeded")
	}
}

func TestReload(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, filepath.Join(root, "demo"), demoFiles())
	ix, err := LoadIndex(root)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := ix.Challenge("demo")

	reload := func(t *testing.T, want ...Change) {
		t.Helper()
		got, err := ix.Reload()
		if err != nil {
			t.Fatalf("Reload: %v", err)
		}
		if len(got) != len(want) {
			t.Fatalf("Reload changes = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i].ID != want[i].ID || got[i].What != want[i].What {
				t.Errorf("change %d = %+v, want %s %s", i, got[i], want[i].ID, want[i].What)
			}
		}
	}

	t.Run("nothing changed", func(t *testing.T) { reload(t) })

	t.Run("a hidden test changes the version", func(t *testing.T) {
		writeFiles(t, filepath.Join(root, "demo"), map[string]string{"tests/x_test.go": demoX + "\n// stricter now\n"})
		reload(t, Change{ID: "demo", What: "changed"})
		now, _ := ix.Challenge("demo")
		if now.Version == first.Version {
			t.Errorf("version %s did not change with a hidden test", now.Version)
		}
	})

	t.Run("a statement edit keeps the version", func(t *testing.T) {
		before, _ := ix.Challenge("demo")
		writeFiles(t, filepath.Join(root, "demo"), map[string]string{"README.md": "# Demo\n\nBuild it well.\n"})
		reload(t, Change{ID: "demo", What: "edited"})
		now, _ := ix.Challenge("demo")
		if now.Version != before.Version || !strings.Contains(now.Statement, "well") {
			t.Errorf("after a statement edit: version %s (was %s), statement %q", now.Version, before.Version, now.Statement)
		}
	})

	t.Run("a broken challenge keeps the catalog in use", func(t *testing.T) {
		before, _ := ix.Challenge("demo")
		other := apply(t, demoFiles(), edit{"challenge.yaml", "id: demo", "id: other"})
		other = apply(t, other, edit{"challenge.yaml", "difficulty: easy", "difficulty: impossible"})
		writeFiles(t, filepath.Join(root, "other"), other)
		_, err := ix.Reload()
		if err == nil || !strings.Contains(err.Error(), "other") || !strings.Contains(err.Error(), "kept") {
			t.Fatalf("Reload with a broken challenge = %v, want an error naming it and saying the catalog is kept", err)
		}
		if now, _ := ix.Challenge("demo"); now != before {
			t.Error("a failed reload replaced the catalog")
		}
		if _, err := ix.Challenge("other"); !errors.Is(err, grader.ErrNotFound) {
			t.Errorf("Challenge(other) after a failed reload = %v, want not found", err)
		}
	})

	t.Run("added and removed", func(t *testing.T) {
		if err := os.RemoveAll(filepath.Join(root, "other")); err != nil {
			t.Fatal(err)
		}
		writeFiles(t, filepath.Join(root, "other"), apply(t, demoFiles(), edit{"challenge.yaml", "id: demo", "id: other"}))
		reload(t, Change{ID: "other", What: "added"})
		if got := len(ix.Challenges()); got != 2 {
			t.Errorf("Challenges() has %d after adding one, want 2", got)
		}
		if err := os.RemoveAll(filepath.Join(root, "other")); err != nil {
			t.Fatal(err)
		}
		reload(t, Change{ID: "other", What: "removed"})
	})
}

func TestReloadNeedsAFolder(t *testing.T) {
	if _, err := NewIndex(nil).Reload(); err == nil {
		t.Fatal("Reload of an index made from a list succeeded")
	}
}
