// Package challenges loads the challenge catalog: folders holding a
// challenge.yaml, a statement, starter and reference code, hidden tests and
// known-wrong mutants. One loader validates all of it and reports every
// problem with the file, the field and the fix.
package challenges

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/goccy/go-yaml"

	"github.com/gradebox/grader/grader"
)

// DefaultImage builds and runs learner code unless a challenge names
// another.
const DefaultImage = "grader/go:local"

// Load reads and validates the challenge in folder dir.
func Load(dir string) (*grader.Challenge, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", dir, err)
	}
	c, err := load(os.DirFS(abs), ".", dir)
	if err != nil {
		return nil, err
	}
	c.Dir = abs
	return c, nil
}

// LoadFS reads and validates the challenge in folder dir of fsys.
func LoadFS(fsys fs.FS, dir string) (*grader.Challenge, error) {
	return load(fsys, dir, dir)
}

// load reads the challenge at dir in fsys; shown is how file names start
// in errors.
func load(fsys fs.FS, dir, shown string) (*grader.Challenge, error) {
	l := &loader{fsys: fsys, dir: dir, shown: shown}
	c := l.challenge()
	if len(l.p.list) > 0 {
		return nil, errors.Join(l.p.list...)
	}
	return c, nil
}

// LoadAll loads every sub-folder of root that holds a challenge.yaml,
// sorted by id. Problems in any challenge are all reported together.
func LoadAll(root string) ([]*grader.Challenge, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	var out []*grader.Challenge
	var errs []error
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		if _, err := os.Stat(filepath.Join(dir, "challenge.yaml")); err != nil {
			continue
		}
		c, err := Load(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, errors.Join(errs...)
}

// Find loads a challenge by reference: a path to a folder holding a
// challenge.yaml (when ref has a slash or names such a folder), else an id
// in the catalog at root.
func Find(root, ref string) (*grader.Challenge, error) {
	if strings.ContainsRune(ref, filepath.Separator) || strings.HasPrefix(ref, ".") {
		if _, err := os.Stat(filepath.Join(ref, "challenge.yaml")); err != nil {
			return nil, fmt.Errorf("%s is not a challenge folder (no challenge.yaml)", ref)
		}
		return Load(ref)
	}
	if _, err := os.Stat(filepath.Join(root, ref, "challenge.yaml")); err == nil {
		return Load(filepath.Join(root, ref))
	}
	var known []string
	entries, _ := os.ReadDir(root)
	for _, e := range entries {
		if _, err := os.Stat(filepath.Join(root, e.Name(), "challenge.yaml")); err == nil {
			known = append(known, e.Name())
		}
	}
	if len(known) == 0 {
		return nil, fmt.Errorf("unknown challenge %q: the catalog %s holds no challenges (set --catalog or GRADER_CATALOG)", ref, root)
	}
	return nil, fmt.Errorf("unknown challenge %q; known: %s", ref, strings.Join(known, ", "))
}

// Sample kinds.
const (
	SampleSolution = "solution"
	SampleStarter  = "starter"
	SampleMutant   = "mutant"
)

// Sample is a ready-made submission shipped with a challenge: the
// reference solution (must score full marks), the starter and each
// mutant (must not).
type Sample struct {
	Kind string
	Name string
	// Dir is the sample's folder on disk.
	Dir string
}

// SamplesOf lists c's samples: solution, starter, then mutants by name.
// c must have been loaded from disk.
func SamplesOf(c *grader.Challenge) ([]Sample, error) {
	if c.Dir == "" {
		return nil, fmt.Errorf("challenge %s was not loaded from a folder", c.ID)
	}
	out := []Sample{
		{Kind: SampleSolution, Name: "solution", Dir: filepath.Join(c.Dir, "solution")},
		{Kind: SampleStarter, Name: "starter", Dir: filepath.Join(c.Dir, "starter")},
	}
	entries, err := os.ReadDir(filepath.Join(c.Dir, "mutants"))
	if err != nil {
		return nil, fmt.Errorf("read mutants of %s: %w", c.ID, err)
	}
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, Sample{Kind: SampleMutant, Name: e.Name(), Dir: filepath.Join(c.Dir, "mutants", e.Name())})
		}
	}
	return out, nil
}

// loader validates one challenge, collecting problems.
type loader struct {
	fsys  fs.FS
	dir   string
	shown string
	p     problems
}

func (l *loader) path(name string) string          { return path.Join(l.dir, name) }
func (l *loader) file(name string) string          { return filepath.ToSlash(filepath.Join(l.shown, name)) }
func (l *loader) read(name string) ([]byte, error) { return fs.ReadFile(l.fsys, l.path(name)) }

func (l *loader) challenge() *grader.Challenge {
	const yamlName = "challenge.yaml"
	file := l.file(yamlName)
	data, err := l.read(yamlName)
	if err != nil {
		l.p.add(file, "", "create it (see docs/challenge-format.md)", "cannot read: %v", err)
		return nil
	}
	var cf challengeFile
	if err := yaml.UnmarshalWithOptions(data, &cf, yaml.Strict()); err != nil {
		l.p.add(file, "", "fix the YAML; field names are listed in docs/challenge-format.md", "%s", yamlError(err))
		return nil
	}
	c := l.convert(file, cf)
	l.checkFolders()
	c.Version = l.version()
	if stmt, err := l.read("README.md"); err != nil || len(strings.TrimSpace(string(stmt))) == 0 {
		l.p.add(l.file("README.md"), "", "write the statement learners read", "missing or empty")
	} else {
		c.Statement = string(stmt)
	}
	return c
}

// yamlError keeps the YAML library's message with its line and column.
func yamlError(err error) string {
	return strings.TrimSpace(yaml.FormatError(err, false, true))
}

// checkFolders checks starter/, solution/ and mutants/.
func (l *loader) checkFolders() {
	for _, d := range []string{"starter", "solution"} {
		if _, err := fs.Stat(l.fsys, l.path(d+"/go.mod")); err != nil {
			l.p.add(l.file(d), "", "add a complete Go module with go.mod at its root", "missing or has no go.mod")
		}
	}
	entries, err := fs.ReadDir(l.fsys, l.path("mutants"))
	n := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := fs.Stat(l.fsys, l.path("mutants/"+e.Name()+"/go.mod")); err != nil {
			l.p.add(l.file("mutants/"+e.Name()), "", "make each mutant a complete Go module with go.mod", "has no go.mod")
			continue
		}
		n++
	}
	if err != nil || n < 2 {
		l.p.add(l.file("mutants"), "", "add at least two known-wrong solutions, each in mutants/<name>/", "has %d mutant(s), at least 2 are required", n)
	}
}

// version digests challenge.yaml and everything under tests/.
func (l *loader) version() string {
	h := sha256.New()
	add := func(name string) {
		data, err := l.read(name)
		if err == nil {
			fmt.Fprintf(h, "%s\x00%d\x00", name, len(data))
			h.Write(data)
		}
	}
	add("challenge.yaml")
	var names []string
	_ = fs.WalkDir(l.fsys, l.path("tests"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			rel := strings.TrimPrefix(strings.TrimPrefix(p, l.dir), "/")
			names = append(names, rel)
		}
		return nil
	})
	sort.Strings(names)
	for _, n := range names {
		add(n)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}
