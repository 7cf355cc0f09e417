package challenges

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

func TestSubmissions(t *testing.T) {
	got, err := Submissions(mapFS("demo", demoFiles()), "demo")
	if err != nil {
		t.Fatal(err)
	}
	want := []Sample{
		{Language: grader.LanguageGo, Kind: SampleSolution, Name: "solution", Dir: "demo/solution"},
		{Language: grader.LanguageGo, Kind: SampleStarter, Name: "starter", Dir: "demo/starter"},
		{Language: grader.LanguageGo, Kind: SampleMutant, Name: "a", Dir: "demo/mutants/a"},
		{Language: grader.LanguageGo, Kind: SampleMutant, Name: "b", Dir: "demo/mutants/b"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Submissions (-want +got):\n%s", diff)
	}
}

func TestSubmissionsRefusesFoldersWithoutGoMod(t *testing.T) {
	for _, drop := range []string{"solution/go.mod", "starter/go.mod", "mutants/b/go.mod"} {
		files := demoFiles()
		delete(files, drop)
		// The folder stays: only a missing starter is left out.
		files[filepath.ToSlash(filepath.Join(filepath.Dir(drop), "notes.txt"))] = "x\n"
		_, err := Submissions(mapFS("demo", files), "demo")
		if err == nil || !strings.Contains(err.Error(), "does not hold go.mod") {
			t.Errorf("without %s: err = %v", drop, err)
		}
	}
}

func TestSamplesOf(t *testing.T) {
	c, err := Load("testdata/catalog/alpha")
	if err != nil {
		t.Fatal(err)
	}
	got, err := SamplesOf(c)
	if err != nil {
		t.Fatal(err)
	}
	want := []Sample{
		{Language: grader.LanguageGo, Kind: SampleSolution, Name: "solution", Dir: filepath.Join(c.Dir, "solution")},
		{Language: grader.LanguageGo, Kind: SampleStarter, Name: "starter", Dir: filepath.Join(c.Dir, "starter")},
		{Language: grader.LanguageGo, Kind: SampleMutant, Name: "off-by-one", Dir: filepath.Join(c.Dir, "mutants", "off-by-one")},
		{Language: grader.LanguageGo, Kind: SampleMutant, Name: "zero", Dir: filepath.Join(c.Dir, "mutants", "zero")},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SamplesOf (-want +got):\n%s", diff)
	}
	// Each sample reads as a submission.
	for _, s := range got {
		if _, err := grader.ReadDirIn(s.Name, s.Language, s.Dir, grader.SubmissionLimits{}); err != nil {
			t.Errorf("%s: %v", s.Name, err)
		}
	}
	if _, err := SamplesOf(&grader.Challenge{ID: "mem"}); err == nil {
		t.Error("SamplesOf accepted a challenge not loaded from disk")
	}
}
