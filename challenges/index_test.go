package challenges

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

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
	for _, b := range ix.Broken() {
		t.Errorf("seed challenge %s does not load: %v", b.ID, b.Err)
	}
	for _, id := range []string{"notes-api", "cache-aside", "fix-ledger", "job-queue"} {
		c, err := ix.Challenge(id)
		if err != nil {
			t.Errorf("seed challenge %s: %v", id, err)
			continue
		}
		if len(c.Warnings) > 0 {
			t.Errorf("seed challenge %s is a draft: %q", id, c.Warnings)
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

// TestLoadIndexServesTheRest: one broken challenge is listed with its
// problems and the others are served.
func TestLoadIndexServesTheRest(t *testing.T) {
	ix, err := LoadIndex("testdata/broken")
	if err != nil {
		t.Fatalf("LoadIndex: %v", err)
	}
	if _, err := ix.Challenge("good"); err != nil {
		t.Errorf("the valid challenge is not served: %v", err)
	}
	var got []string
	for _, b := range ix.Broken() {
		got = append(got, b.ID)
		if len(Problems(b.Err)) == 0 {
			t.Errorf("broken %s has no problems: %v", b.ID, b.Err)
		}
		if _, err := ix.Challenge(b.ID); err == nil {
			t.Errorf("broken %s is served", b.ID)
		}
	}
	if diff := cmp.Diff([]string{"bad-memory", "wrong-id"}, got); diff != "" {
		t.Errorf("broken (-want +got):\n%s", diff)
	}
}

func TestLoadIndexRefusesACatalogWhereNothingLoads(t *testing.T) {
	root := t.TempDir()
	writeFiles(t, filepath.Join(root, "demo"), apply(t, demoFiles(), edit{"challenge.yaml", "difficulty: easy", "difficulty: impossible"}))
	_, err := LoadIndex(root)
	if err == nil || !strings.Contains(err.Error(), "impossible") {
		t.Fatalf("LoadIndex = %v, want an error with the challenge's problems", err)
	}
}

// TestReloadWithBrokenChallenges: a challenge broken when the catalog was
// loaded does not block reloads and is served once fixed; a served
// challenge that breaks makes the reload keep the catalog in use.
func TestReloadWithBrokenChallenges(t *testing.T) {
	root := t.TempDir()
	broken := apply(t, demoFiles(), edit{"challenge.yaml", "id: demo", "id: draft"}, edit{"challenge.yaml", "difficulty: easy", "difficulty: impossible"})
	writeFiles(t, filepath.Join(root, "demo"), demoFiles())
	writeFiles(t, filepath.Join(root, "draft"), broken)
	ix, err := LoadIndex(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.Broken()) != 1 || ix.Broken()[0].ID != "draft" {
		t.Fatalf("Broken() = %+v, want draft", ix.Broken())
	}

	// Still broken, while another challenge changes: the reload goes on.
	writeFiles(t, filepath.Join(root, "demo"), map[string]string{"README.md": "# Demo\n\nBuild it well.\n"})
	changes, err := ix.Reload()
	if err != nil {
		t.Fatalf("Reload with a challenge that was already broken: %v", err)
	}
	if len(changes) != 1 || changes[0].ID != "demo" || changes[0].What != "edited" {
		t.Errorf("changes = %+v, want demo edited", changes)
	}
	if len(ix.Broken()) != 1 {
		t.Errorf("Broken() = %+v after the reload, want draft still", ix.Broken())
	}

	// Fixed: served from now on.
	writeFiles(t, filepath.Join(root, "draft"), map[string]string{"challenge.yaml": strings.Replace(demoYAML, "id: demo", "id: draft", 1)})
	changes, err = ix.Reload()
	if err != nil {
		t.Fatalf("Reload after the fix: %v", err)
	}
	if len(changes) != 1 || changes[0].ID != "draft" || changes[0].What != "added" || len(ix.Broken()) != 0 {
		t.Errorf("changes = %+v, broken = %+v; want draft added and nothing broken", changes, ix.Broken())
	}

	// A served challenge breaks: nothing changes.
	before, _ := ix.Challenge("demo")
	writeFiles(t, filepath.Join(root, "demo"), map[string]string{"challenge.yaml": strings.Replace(demoYAML, "difficulty: easy", "difficulty: impossible", 1)})
	writeFiles(t, filepath.Join(root, "draft"), map[string]string{"README.md": "# Draft\n\nNew words.\n"})
	_, err = ix.Reload()
	if err == nil || !strings.Contains(err.Error(), "demo did not load") || !strings.Contains(err.Error(), "kept") || !strings.Contains(err.Error(), "impossible") {
		t.Fatalf("Reload breaking a served challenge = %v, want an error naming demo, its problem, and that the catalog is kept", err)
	}
	if now, _ := ix.Challenge("demo"); now != before {
		t.Error("a refused reload replaced demo")
	}
	if now, _ := ix.Challenge("draft"); strings.Contains(now.Statement, "New words") {
		t.Error("a refused reload changed draft")
	}
	if len(ix.Broken()) != 0 {
		t.Errorf("Broken() = %+v after a refused reload, want none", ix.Broken())
	}
}
