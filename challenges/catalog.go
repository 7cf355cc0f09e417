package challenges

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gradebox/grader/grader"
)

// ErrNotFound is returned (wrapped) by Find when a reference names neither
// a challenge folder nor a challenge of the catalog.
var ErrNotFound = errors.New("unknown challenge")

// LoadAll loads every sub-folder of root that holds a challenge.yaml,
// sorted by id. Every problem of every challenge is reported: when any
// challenge fails to load, the error joins all their problems, and the
// challenges that did load are returned beside it.
func LoadAll(root string) ([]*grader.Challenge, error) {
	list, broken, err := LoadEach(root)
	if err != nil {
		return nil, err
	}
	return list, brokenErr(broken)
}

// Broken is a folder of the catalog whose challenge does not load.
type Broken struct {
	// ID is the folder's name, which a valid challenge's id equals.
	ID string
	// Err holds every problem of the challenge (see Problems).
	Err error
}

// LoadEach loads every sub-folder of root that holds a challenge.yaml,
// like LoadAll, but keeps the ones that do not load apart: it returns the
// challenges that load, sorted by id, and the broken folders, sorted by
// name, each with its problems. The error is for the catalog as a whole
// (root cannot be read).
func LoadEach(root string) ([]*grader.Challenge, []Broken, error) {
	ids, err := catalogIDs(root)
	if err != nil {
		return nil, nil, err
	}
	var out []*grader.Challenge
	var broken []Broken
	for _, id := range ids {
		c, err := Load(filepath.Join(root, id))
		if err != nil {
			broken = append(broken, Broken{ID: id, Err: err})
			continue
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, broken, nil
}

// Find loads the challenge ref names. ref is a path to a folder holding a
// challenge.yaml when it contains a slash or such a folder exists;
// otherwise it is an id of the catalog at root. An unknown id yields an
// error wrapping ErrNotFound that lists the known ids.
func Find(root, ref string) (*grader.Challenge, error) {
	if strings.ContainsRune(ref, '/') || strings.ContainsRune(ref, filepath.Separator) || hasChallenge(ref) {
		if !hasChallenge(ref) {
			return nil, fmt.Errorf("%w: %s is not a challenge folder (it has no challenge.yaml)", ErrNotFound, ref)
		}
		return Load(ref)
	}
	if idPattern.MatchString(ref) && hasChallenge(filepath.Join(root, ref)) {
		return Load(filepath.Join(root, ref))
	}
	known, err := catalogIDs(root)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %w", ErrNotFound, ref, err)
	}
	if len(known) == 0 {
		return nil, fmt.Errorf("%w %q: the catalog %s holds no challenges", ErrNotFound, ref, root)
	}
	return nil, fmt.Errorf("%w %q; known: %s", ErrNotFound, ref, strings.Join(known, ", "))
}

// catalogIDs lists root's sub-folders that hold a challenge.yaml, sorted.
func catalogIDs(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("read catalog %s: %w", root, err)
	}
	var ids []string
	for _, e := range entries {
		if e.IsDir() && hasChallenge(filepath.Join(root, e.Name())) {
			ids = append(ids, e.Name())
		}
	}
	return ids, nil
}

// hasChallenge reports whether dir holds a challenge.yaml.
func hasChallenge(dir string) bool {
	info, err := os.Stat(filepath.Join(dir, yamlName))
	return err == nil && info.Mode().IsRegular()
}
