package challenges

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/gradebox/grader/grader"
)

// Sample kinds.
const (
	// SampleSolution is the reference solution: it must score full marks.
	SampleSolution = "solution"
	// SampleStarter is the code learners start from: it must not.
	SampleStarter = "starter"
	// SampleMutant is a known-wrong solution: it must not either.
	SampleMutant = "mutant"
)

// Sample is a ready-made submission shipped with a challenge, which
// `grader challenge verify` grades to prove the hidden tests tell right
// from wrong.
type Sample struct {
	// Kind is SampleSolution, SampleStarter or SampleMutant.
	Kind string
	// Name is "solution", "starter" or the mutant's folder name.
	Name string
	// Dir is the sample's folder: an OS path from SamplesOf, a path in the
	// given fs.FS from Submissions.
	Dir string
}

// SamplesOf lists the samples of c, which must have been loaded from disk
// (by Load, LoadAll or Find): the solution, the starter, then the mutants
// by name, each with its folder on disk.
func SamplesOf(c *grader.Challenge) ([]Sample, error) {
	if c.Dir == "" {
		return nil, fmt.Errorf("samples of %s: the challenge was not loaded from a folder", c.ID)
	}
	samples, err := Submissions(os.DirFS(c.Dir), ".")
	if err != nil {
		return nil, fmt.Errorf("samples of %s: %w", c.ID, err)
	}
	for i := range samples {
		samples[i].Dir = filepath.Join(c.Dir, filepath.FromSlash(samples[i].Dir))
	}
	return samples, nil
}

// Submissions lists the samples of the challenge in folder dir of fsys:
// the solution, the starter, then every mutants/<name>/ by name. Dir is
// each sample's folder in fsys. A sample that is not a Go module (no
// go.mod) is an error, as the loader reports it.
func Submissions(fsys fs.FS, dir string) ([]Sample, error) {
	var out []Sample
	add := func(kind, name, folder string) error {
		folder = path.Join(dir, folder)
		info, err := fs.Stat(fsys, path.Join(folder, "go.mod"))
		if err != nil || !info.Mode().IsRegular() {
			return fmt.Errorf("%s %s: %s has no go.mod", kind, name, folder)
		}
		out = append(out, Sample{Kind: kind, Name: name, Dir: folder})
		return nil
	}
	if err := add(SampleSolution, "solution", "solution"); err != nil {
		return nil, err
	}
	if err := add(SampleStarter, "starter", "starter"); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(fsys, path.Join(dir, "mutants"))
	if err != nil {
		return nil, fmt.Errorf("list mutants: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if err := add(SampleMutant, e.Name(), "mutants/"+e.Name()); err != nil {
			return nil, err
		}
	}
	return out, nil
}
