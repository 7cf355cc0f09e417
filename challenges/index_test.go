package challenges

import (
	"errors"
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
