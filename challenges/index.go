package challenges

import (
	"fmt"
	"slices"
	"sync/atomic"

	"github.com/gradebox/grader/grader"
)

// Index is a loaded catalog the service looks challenges up in. It is safe
// for concurrent use; Reload swaps in a new catalog as a whole, so a
// caller sees either the old one or the new one, never a mix.
type Index struct {
	root string
	cur  atomic.Pointer[snapshot]
}

// snapshot is one loaded catalog.
type snapshot struct {
	list []*grader.Challenge
	byID map[string]*grader.Challenge
}

func newSnapshot(list []*grader.Challenge) *snapshot {
	s := &snapshot{list: list, byID: make(map[string]*grader.Challenge, len(list))}
	for _, c := range list {
		s.byID[c.ID] = c
	}
	return s
}

// NewIndex indexes list by id; list keeps its order for Challenges. An
// index made this way has no folder to Reload from.
func NewIndex(list []*grader.Challenge) *Index {
	ix := &Index{}
	ix.cur.Store(newSnapshot(list))
	return ix
}

// LoadIndex loads every challenge under root (see LoadAll) and indexes
// them. Unlike LoadAll it fails when any challenge is broken: a service
// must not start with part of its catalog missing.
func LoadIndex(root string) (*Index, error) {
	list, err := loadComplete(root)
	if err != nil {
		return nil, err
	}
	ix := &Index{root: root}
	ix.cur.Store(newSnapshot(list))
	return ix, nil
}

func loadComplete(root string) ([]*grader.Challenge, error) {
	list, err := LoadAll(root)
	if err != nil {
		return nil, fmt.Errorf("load catalog %s: %w", root, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("load catalog %s: no challenges in it (each needs a folder with a challenge.yaml)", root)
	}
	return list, nil
}

// Change is what a Reload did to one challenge.
type Change struct {
	ID string
	// What is "added", "removed", "changed" (a new version: tests, points
	// or limits differ) or "edited" (same version; title, summary, tags, difficulty or statement).
	What string
	// From and To are the versions before and after ("" when absent).
	From, To string
}

// Reload loads the catalog's folder again and, when every challenge in it
// loads, puts it in place of the current one and returns what changed.
// When any challenge is broken it changes nothing and returns the error:
// the service goes on grading with the catalog it had. Gradings already
// running finish with the challenge they started with.
func (ix *Index) Reload() ([]Change, error) {
	if ix.root == "" {
		return nil, fmt.Errorf("reload catalog: this catalog was not loaded from a folder")
	}
	list, err := loadComplete(ix.root)
	if err != nil {
		return nil, fmt.Errorf("%w (the catalog in use is kept)", err)
	}
	next := newSnapshot(list)
	prev := ix.cur.Swap(next)
	return diff(prev, next), nil
}

// diff lists what differs between two catalogs, by id.
func diff(prev, next *snapshot) []Change {
	var out []Change
	for _, c := range next.list {
		old, ok := prev.byID[c.ID]
		switch {
		case !ok:
			out = append(out, Change{ID: c.ID, What: "added", To: c.Version})
		case old.Version != c.Version:
			out = append(out, Change{ID: c.ID, What: "changed", From: old.Version, To: c.Version})
		case old.Statement != c.Statement || old.Title != c.Title || old.Summary != c.Summary ||
			old.Difficulty != c.Difficulty || !slices.Equal(old.Tags, c.Tags):
			out = append(out, Change{ID: c.ID, What: "edited", From: old.Version, To: c.Version})
		}
	}
	for _, c := range prev.list {
		if _, ok := next.byID[c.ID]; !ok {
			out = append(out, Change{ID: c.ID, What: "removed", From: c.Version})
		}
	}
	return out
}

// Challenge returns the challenge with id, or an error wrapping
// grader.ErrNotFound.
func (ix *Index) Challenge(id string) (*grader.Challenge, error) {
	if c, ok := ix.cur.Load().byID[id]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("challenge %q: %w", id, grader.ErrNotFound)
}

// Challenges returns every challenge, sorted by id.
func (ix *Index) Challenges() []*grader.Challenge { return ix.cur.Load().list }
