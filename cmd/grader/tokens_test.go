package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradebox/grader/api"
)

func TestLoadTokens(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `{"tokens":[{"token":"0123456789abcdef-a","subject":"alice","role":"learner"}]}`)
	tests := []struct {
		name, path, env string
		want            int
		wantErr         string
	}{
		{name: "file", path: good, want: 1},
		{name: "env", env: "instructor:teacher:0123456789abcdef-t, learner:bob:0123456789abcdef-b", want: 2},
		{name: "file and env", path: good, env: "admin:root:0123456789abcdef-r", want: 2},
		{name: "missing file", path: filepath.Join(dir, "nope.json"), wantErr: "read tokens file"},
		{name: "not json", path: write("bad.json", "tokens: []"), wantErr: "expected {\"tokens\""},
		{name: "unknown field", path: write("field.json", `{"tokens":[],"extra":1}`), wantErr: "unknown field"},
		{name: "bad role", env: "boss:alice:0123456789abcdef-a", wantErr: `role "boss"`},
		{name: "short token", env: "learner:alice:short", wantErr: "shorter than 16"},
		{name: "bad subject", env: "learner:a/b:0123456789abcdef-a", wantErr: `subject "a/b"`},
		{name: "malformed entry", env: "learner-alice", wantErr: "want role:subject:token"},
		{name: "duplicate", path: good, env: "learner:eve:0123456789abcdef-a", wantErr: "listed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := loadTokens(tc.path, tc.env)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to mention %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || len(got) != tc.want {
				t.Fatalf("got %d tokens, %v; want %d", len(got), err, tc.want)
			}
		})
	}
}

func TestDevTokensFileLoads(t *testing.T) {
	toks, err := loadTokens("../../deploy/tokens.dev.json", "")
	if err != nil {
		t.Fatal(err)
	}
	roles := map[api.Role]int{}
	for _, tk := range toks {
		roles[tk.Role]++
	}
	if roles[api.RoleLearner] < 2 || roles[api.RoleInstructor] < 1 || roles[api.RoleAdmin] < 1 {
		t.Errorf("dev tokens have roles %v, want two learners, an instructor and an admin", roles)
	}
}

func TestTokensNewAppendsToFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	for _, subject := range []string{"alice", "bob"} {
		code, stdout, stderr := runCLI(t, "tokens", "new", "--role", "learner", "--subject", subject, "--file", path)
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if !strings.HasPrefix(strings.TrimSpace(stdout), "gt_") {
			t.Errorf("stdout %q does not end with the token", stdout)
		}
	}
	toks, err := loadTokens(path, "")
	if err != nil || len(toks) != 2 || toks[0].Secret == toks[1].Secret {
		t.Fatalf("tokens file holds %+v, %v; want two distinct tokens", toks, err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("tokens file mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestTokensNewPrintsEntry(t *testing.T) {
	code, stdout, _ := runCLI(t, "tokens", "new", "--role", "instructor", "--subject", "teacher")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	var tk api.Token
	if err := json.Unmarshal([]byte(lines[0]), &tk); err != nil || tk.Role != api.RoleInstructor || tk.Secret != lines[1] {
		t.Errorf("printed %q; want a JSON entry then its token", stdout)
	}
	if code, _, stderr := runCLI(t, "tokens", "new", "--role", "boss", "--subject", "x"); code != exitUsage || !strings.Contains(stderr, "learner, instructor or admin") {
		t.Errorf("bad role: exit %d, %q", code, stderr)
	}
}

func TestDevTokensOnlyForADevelopmentTokenSet(t *testing.T) {
	dev, err := loadTokens("../../deploy/tokens.dev.json", "")
	if err != nil {
		t.Fatal(err)
	}
	if got := devTokens(dev); len(got) != len(dev) || got[0].Token != "dev-learner-alice-0001" || got[0].Subject != "alice" || got[0].Role != "learner" {
		t.Errorf("development tokens offered: %+v", got)
	}
	// One real token among them and none is shown.
	mixed := append(dev[:len(dev):len(dev)], api.Token{Secret: newSecret(), Subject: "carol", Role: api.RoleLearner})
	if got := devTokens(mixed); got != nil {
		t.Errorf("with a real token the page offers %+v", got)
	}
	if got := devTokens(nil); got != nil {
		t.Errorf("no tokens: %+v", got)
	}
}
