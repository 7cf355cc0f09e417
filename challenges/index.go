package challenges

import (
	"fmt"

	"github.com/gradebox/grader/grader"
)

// Index is a loaded catalog the service looks challenges up in. It is
// read-only after NewIndex and safe for concurrent use.
type Index struct {
	list []*grader.Challenge
	byID map[string]*grader.Challenge
}

// NewIndex indexes list by id; list keeps its order for Challenges.
func NewIndex(list []*grader.Challenge) *Index {
	ix := &Index{list: list, byID: make(map[string]*grader.Challenge, len(list))}
	for _, c := range list {
		ix.byID[c.ID] = c
	}
	return ix
}

// LoadIndex loads every challenge under root (see LoadAll) and indexes
// them. Unlike LoadAll it fails when any challenge is broken: a service
// must not start with part of its catalog missing.
func LoadIndex(root string) (*Index, error) {
	list, err := LoadAll(root)
	if err != nil {
		return nil, fmt.Errorf("load catalog %s: %w", root, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("load catalog %s: no challenges in it (each needs a folder with a challenge.yaml)", root)
	}
	return NewIndex(list), nil
}

// Challenge returns the challenge with id, or an error wrapping
// grader.ErrNotFound.
func (ix *Index) Challenge(id string) (*grader.Challenge, error) {
	if c, ok := ix.byID[id]; ok {
		return c, nil
	}
	return nil, fmt.Errorf("challenge %q: %w", id, grader.ErrNotFound)
}

// Challenges returns every challenge, sorted by id.
func (ix *Index) Challenges() []*grader.Challenge { return ix.list }
