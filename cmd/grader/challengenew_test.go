package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradebox/grader/challenges"
)

func TestChallengeNewWritesALoadableChallenge(t *testing.T) {
	catalog := t.TempDir()
	code, stdout, stderr := runCLI(t, "--catalog", catalog, "challenge", "new", "demo", "--suite", "go", "--languages", "go,python")
	if code != 0 {
		t.Fatalf("exit %d: %s%s", code, stdout, stderr)
	}
	if want := "grader challenge verify " + filepath.Join(catalog, "demo"); !strings.Contains(stdout, want) {
		t.Errorf("output does not say how to verify (%q):\n%s", want, stdout)
	}
	c, err := challenges.Find(catalog, "demo")
	if err != nil {
		t.Fatal(err)
	}
	if got := len(c.OfferedLanguages()); got != 2 {
		t.Errorf("offered in %d languages, want 2", got)
	}
}

func TestChallengeNewRefuses(t *testing.T) {
	catalog := t.TempDir()
	if code, out, errs := runCLI(t, "--catalog", catalog, "challenge", "new", "demo", "--suite", "http"); code != 0 {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no id", []string{"challenge", "new", "--suite", "http"}, "the new challenge's id"},
		{"no suite", []string{"challenge", "new", "other"}, "--suite http"},
		{"existing folder", []string{"challenge", "new", "demo", "--suite", "http"}, "already exists; choose another id or remove the folder"},
		{"invalid id", []string{"challenge", "new", "My_Challenge", "--suite", "http"}, "is not a valid challenge id: use 2 to 41 lower-case letters"},
		{"unknown suite", []string{"challenge", "new", "other", "--suite", "grpc"}, "choose one of: http, go"},
		{"unknown language", []string{"challenge", "new", "other", "--suite", "http", "--languages", "go,ruby"}, `unknown language "ruby"; choose among: go, python, javascript`},
		{"missing folder", []string{"challenge", "new", "other", "--suite", "http", "--dir", filepath.Join(catalog, "nope")}, "pass --dir"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, append([]string{"--catalog", catalog}, tc.args...)...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}
