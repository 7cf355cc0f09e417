package challenges

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/gradebox/grader/grader"
)

// Index is a loaded catalog the service looks challenges up in. It is safe
// for concurrent use; Reload swaps in a new catalog as a whole, so a
// caller sees either the old one or the new one, never a mix. A challenge
// that does not load is left out of the index and listed by Broken.
type Index struct {
	root string
	cur  atomic.Pointer[snapshot]
}

// snapshot is one loaded catalog.
type snapshot struct {
	list   []*grader.Challenge
	byID   map[string]*grader.Challenge
	broken []Broken
}

func newSnapshot(list []*grader.Challenge, broken []Broken) *snapshot {
	s := &snapshot{list: list, byID: make(map[string]*grader.Challenge, len(list)), broken: broken}
	for _, c := range list {
		s.byID[c.ID] = c
	}
	return s
}

// NewIndex indexes list by id; list keeps its order for Challenges. An
// index made this way has no folder to Reload from.
func NewIndex(list []*grader.Challenge) *Index {
	ix := &Index{}
	ix.cur.Store(newSnapshot(list, nil))
	return ix
}

// LoadIndex loads every challenge under root (see LoadEach) and indexes
// the ones that load; the others are listed by Broken, each with its
// problems, for the caller to report. It fails when root cannot be read or
// no challenge in it loads: a service with nothing to grade must not
// start.
func LoadIndex(root string) (*Index, error) {
	list, broken, err := loadCatalog(root)
	if err != nil {
		return nil, err
	}
	ix := &Index{root: root}
	ix.cur.Store(newSnapshot(list, broken))
	return ix, nil
}

// loadCatalog loads root, failing when no challenge of it loads.
func loadCatalog(root string) ([]*grader.Challenge, []Broken, error) {
	list, broken, err := LoadEach(root)
	if err != nil {
		return nil, nil, fmt.Errorf("load catalog %s: %w", root, err)
	}
	if len(list) == 0 {
		if len(broken) > 0 {
			return nil, nil, fmt.Errorf("load catalog %s: no challenge in it loads: %w", root, brokenErr(broken))
		}
		return nil, nil, fmt.Errorf("load catalog %s: no challenges in it (each needs a folder with a challenge.yaml)", root)
	}
	return list, broken, nil
}

// brokenErr joins the problems of broken challenges.
func brokenErr(broken []Broken) error {
	errs := make([]error, len(broken))
	for i, b := range broken {
		errs[i] = b.Err
	}
	return errors.Join(errs...)
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

// Reload loads the catalog's folder again and, when no challenge that
// the current catalog serves or that is new has broken, puts it in place
// of the current one and returns what changed. Only the challenges that
// were already broken may still be broken: they stay listed by Broken (a
// fixed one is served from now on).
//
// Otherwise it changes nothing and returns an error naming the challenges
// that broke, with their problems: the service goes on grading with the
// catalog it had, so a mistake made while editing a challenge never takes
// it away from learners. Gradings already running finish with the
// challenge they started with.
func (ix *Index) Reload() ([]Change, error) {
	if ix.root == "" {
		return nil, fmt.Errorf("reload catalog: this catalog was not loaded from a folder")
	}
	list, broken, err := loadCatalog(ix.root)
	if err != nil {
		return nil, fmt.Errorf("%w (the catalog in use is kept)", err)
	}
	prev := ix.cur.Load()
	if newly := newlyBroken(prev, broken); len(newly) > 0 {
		ids := make([]string, len(newly))
		for i, b := range newly {
			ids[i] = b.ID
		}
		return nil, fmt.Errorf("reload catalog %s: %s did not load (the catalog in use is kept): %w",
			ix.root, strings.Join(ids, ", "), brokenErr(newly))
	}
	next := newSnapshot(list, broken)
	prev = ix.cur.Swap(next)
	return diff(prev, next), nil
}

// newlyBroken lists the broken challenges that were not broken in prev:
// ones prev served, and new ones.
func newlyBroken(prev *snapshot, broken []Broken) []Broken {
	was := map[string]bool{}
	for _, b := range prev.broken {
		was[b.ID] = true
	}
	var out []Broken
	for _, b := range broken {
		if !was[b.ID] {
			out = append(out, b)
		}
	}
	return out
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

// Broken returns the folders of the catalog whose challenge does not load,
// each with its problems, sorted by name; none for an index made with
// NewIndex.
func (ix *Index) Broken() []Broken { return ix.cur.Load().broken }
