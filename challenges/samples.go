package challenges

import (
	"errors"
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
	// Language is the sample's language.
	Language grader.Language
	// Kind is SampleSolution, SampleStarter or SampleMutant.
	Kind string
	// Name is "solution", "starter" or the mutant's folder name.
	Name string
	// Dir is the sample's folder: an OS path from SamplesOf, a path in the
	// given fs.FS from Submissions.
	Dir string
}

// SamplesOf lists the samples of c, which must have been loaded from disk
// (by Load, LoadAll or Find): for each offered language in turn, the
// solution, the starter, then the mutants by name, each with its folder on
// disk.
func SamplesOf(c *grader.Challenge) ([]Sample, error) {
	if c.Dir == "" {
		return nil, fmt.Errorf("samples of %s: the challenge was not loaded from a folder", c.ID)
	}
	var samples []Sample
	for _, lang := range c.OfferedLanguages() {
		o, _ := c.Offering(lang)
		list, err := SubmissionsIn(os.DirFS(c.Dir), ".", o)
		if err != nil {
			return nil, fmt.Errorf("samples of %s: %w", c.ID, err)
		}
		samples = append(samples, list...)
	}
	for i := range samples {
		samples[i].Dir = filepath.Join(c.Dir, filepath.FromSlash(samples[i].Dir))
	}
	return samples, nil
}

// Submissions lists the Go samples of the challenge in folder dir of fsys
// whose samples sit at its root: the solution, the starter, then every
// mutants/<name>/ by name. Dir is each sample's folder in fsys. A sample
// that is not a Go module (no go.mod) is an error, as the loader reports
// it.
func Submissions(fsys fs.FS, dir string) ([]Sample, error) {
	return SubmissionsIn(fsys, dir, grader.Offering{Language: grader.LanguageGo})
}

// SubmissionsIn lists the samples of offering o of the challenge in
// folder dir of fsys, in o.Samples: the solution, the starter, then every
// mutants/<name>/ by name. A sample without what a submission in the
// language needs at its root is an error, as the loader reports it. A
// draft's missing starter or mutants/ folder is left out, as the loader
// warns.
func SubmissionsIn(fsys fs.FS, dir string, o grader.Offering) ([]Sample, error) {
	var out []Sample
	base := path.Join(dir, o.Samples)
	add := func(kind, name, folder string) error {
		folder = path.Join(base, folder)
		entries, err := fs.ReadDir(fsys, folder)
		if err == nil {
			for _, e := range entries {
				if e.Type().IsRegular() && o.Language.MarksRoot(e.Name()) {
					out = append(out, Sample{Language: o.Language, Kind: kind, Name: name, Dir: folder})
					return nil
				}
			}
		}
		return fmt.Errorf("%s %s %s: %s does not hold %s", o.Language, kind, name, folder, rootNeed(o.Language))
	}
	if err := add(SampleSolution, "solution", "solution"); err != nil {
		return nil, err
	}
	if exists(fsys, path.Join(base, "starter")) {
		if err := add(SampleStarter, "starter", "starter"); err != nil {
			return nil, err
		}
	}
	entries, err := fs.ReadDir(fsys, path.Join(base, "mutants"))
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list %s mutants: %w", o.Language, err)
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

// exists reports whether name exists in fsys.
func exists(fsys fs.FS, name string) bool {
	_, err := fs.Stat(fsys, name)
	return err == nil
}

// Golden is the base name of the golden result of sample s in a
// challenge's testdata/: "solution-solution.json" for Go, as before
// languages existed, and "python-solution-solution.json" for another
// language.
func (s Sample) Golden() string {
	name := s.Kind + "-" + s.Name + ".json"
	if s.Language != "" && s.Language != grader.LanguageGo {
		name = string(s.Language) + "-" + name
	}
	return name
}
