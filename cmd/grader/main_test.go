package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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
		{"unknown challenge", []string{"--catalog", "../../challenges", "grade", "--challenge", "nope", "."}, "known: cache-aside, fix-ledger, notes-api"},
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
	for _, r := range rows {
		ids = append(ids, r.ID)
		if r.MaxScore == 0 || r.Version == "" || len(r.Suites) == 0 {
			t.Errorf("row %+v is incomplete", r)
		}
	}
	if strings.Join(ids, ",") != "cache-aside,fix-ledger,notes-api" {
		t.Errorf("ids %v", ids)
	}
	if got := rows[len(rows)-1].Languages; !cmp.Equal(got, []grader.Language{grader.LanguageGo, grader.LanguagePython, grader.LanguageJavaScript}) {
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
