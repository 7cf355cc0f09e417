package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

// runCLI runs the CLI in-process and returns its exit code and output.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUsageErrorsExitTwo(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"grade", "--nope"}, "unknown flag"},
		{"no challenge", []string{"grade", "."}, "--challenge is required"},
		{"no submission", []string{"grade", "--challenge", "notes-api"}, "one folder or archive"},
		{"bad view", []string{"grade", "--challenge", "notes-api", "--view", "boss", "."}, "use learner or instructor"},
		{"unknown challenge", []string{"--catalog", "../../challenges", "grade", "--challenge", "nope", "."}, "known: cache-aside, fix-ledger, "},
		{"verify without names", []string{"challenge", "verify"}, "or pass --all"},
		{"bad log level", []string{"--log-level", "loud", "grade", "--challenge", "../../challenges/notes-api", "."}, "--log-level"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

func TestRejectedSubmissionExitsTwo(t *testing.T) {
	dir := t.TempDir()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	tw.WriteHeader(&tar.Header{Name: "go.mod", Mode: 0o644, Size: 9})
	tw.Write([]byte("module x\n"))
	tw.WriteHeader(&tar.Header{Name: "../../etc/evil", Mode: 0o644, Size: 1})
	tw.Write([]byte("x"))
	tw.Close()
	archive := filepath.Join(dir, "evil.tar")
	os.WriteFile(archive, buf.Bytes(), 0o644)
	code, _, stderr := runCLI(t, "--catalog", "../../challenges", "grade", "--challenge", "notes-api", archive)
	if code != exitUsage || !strings.Contains(stderr, "climbs out") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestChallengeListJSON(t *testing.T) {
	code, stdout, stderr := runCLI(t, "--catalog", "../../challenges", "challenge", "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var rows []challengeSummary
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	byID := map[string]challengeSummary{}
	for _, r := range rows {
		ids = append(ids, r.ID)
		byID[r.ID] = r
		if r.MaxScore == 0 || r.Version == "" || len(r.Suites) == 0 {
			t.Errorf("row %+v is incomplete", r)
		}
	}
	// The catalog grows; the list is sorted by id and holds at least these.
	if !slices.IsSorted(ids) {
		t.Errorf("ids %v are not sorted", ids)
	}
	for _, id := range []string{"cache-aside", "fix-ledger", "notes-api", "todo-postgres"} {
		if _, ok := byID[id]; !ok {
			t.Errorf("ids %v lack %s", ids, id)
		}
	}
	if got := byID["notes-api"].Languages; !cmp.Equal(got, []grader.Language{grader.LanguageGo, grader.LanguagePython, grader.LanguageJavaScript}) {
		t.Errorf("notes-api languages %v", got)
	}
}

func TestBrokenCatalogIsReported(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "bad"), 0o755)
	os.WriteFile(filepath.Join(dir, "bad", "challenge.yaml"), []byte("id: bad\ntitle: x\n"), 0o644)
	code, _, stderr := runCLI(t, "--catalog", dir, "challenge", "list")
	if code == 0 || !strings.Contains(stderr, "challenge.yaml: summary: missing") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestDockerUnreachableExitsThree(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix://"+filepath.Join(t.TempDir(), "no-docker.sock"))
	code, _, stderr := runCLI(t, "--catalog", "../../challenges", "grade", "--challenge", "fix-ledger", "../../challenges/fix-ledger/solution")
	if code != exitFault || !strings.Contains(stderr, "Docker Engine is not reachable") {
		t.Errorf("exit %d, stderr %q; want %d saying Docker is unreachable", code, stderr, exitFault)
	}
}

// TestChallengeListShowsBrokenAndDrafts: a broken challenge is listed with
// its problems beside the others, a draft with its warnings, and the
// command exits 1 because of the broken one.
func TestChallengeListShowsBrokenAndDrafts(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../challenges/testdata/broken")); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(filepath.Join(dir, "alpha"), os.DirFS("../../challenges/testdata/catalog/alpha")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(dir, "alpha", "mutants", "zero")); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := runCLI(t, "--catalog", dir, "challenge", "list")
	if code != exitLess {
		t.Errorf("exit %d, want %d (two challenges do not load)", code, exitLess)
	}
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`(?m)^alpha +draft +`),
		regexp.MustCompile(`(?m)^bad-memory +broken +`),
		regexp.MustCompile(`(?m)^good +ok +`),
		regexp.MustCompile(`(?m)^wrong-id +broken +`),
	} {
		if !want.MatchString(stdout) {
			t.Errorf("stdout does not match %s:\n%s", want, stdout)
		}
	}
	for _, want := range []string{
		"bad-memory does not load:\n  " + filepath.Join(dir, "bad-memory", "challenge.yaml") + ":",
		"limits.memory:",
		"wrong-id does not load:",
		"alpha is a draft:\n  warning: " + filepath.Join(dir, "alpha", "mutants") + ": holds 1 mutant(s)",
		"2 challenge(s) do not load",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}

	code, stdout, _ = runCLI(t, "--catalog", dir, "challenge", "list", "--json")
	var rows []challengeSummary
	if err := json.Unmarshal([]byte(stdout), &rows); err != nil {
		t.Fatalf("exit %d, stdout %q: %v", code, stdout, err)
	}
	got := map[string]challengeSummary{}
	for _, r := range rows {
		got[r.ID] = r
	}
	if r := got["bad-memory"]; r.Status != "broken" || len(r.Problems) == 0 || !strings.Contains(r.Problems[0], "limits.memory") {
		t.Errorf("bad-memory row %+v, want broken with its problem", r)
	}
	if r := got["alpha"]; r.Status != "draft" || len(r.Warnings) != 1 || r.MaxScore == 0 {
		t.Errorf("alpha row %+v, want a draft with one warning", r)
	}
	if r := got["good"]; r.Status != "ok" || len(r.Warnings)+len(r.Problems) != 0 {
		t.Errorf("good row %+v, want ok", r)
	}
}
