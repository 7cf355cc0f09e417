package api

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

func TestListChallenges(t *testing.T) {
	env := newEnv(t)
	env.mem.best["notes-api/ada"] = grader.BoardEntry{Learner: "ada", Score: 4, At: at}
	code, out := env.do(t, get("/v1/challenges", adaToken))
	want := map[string]any{"items": []any{map[string]any{"id": "notes-api", "title": "Notes API", "summary": "A small REST API", "difficulty": "easy",
		"tags": []any{"http"}, "version": "v1", "max_score": 5.0, "languages": []any{"go"}, "best_score": 4.0}}}
	if diff := cmp.Diff(want, out); code != 200 || diff != "" {
		t.Errorf("ada: %d (-want +got):\n%s", code, diff)
	}
	for _, token := range []string{bobToken, teachToken} {
		code, out := env.do(t, get("/v1/challenges", token))
		item := out["items"].([]any)[0].(map[string]any)
		if _, ok := item["best_score"]; code != 200 || ok {
			t.Errorf("%s: %d %v", token, code, out)
		}
	}
	env.st.BestFn = func(ctx context.Context, challenge, learner string) (grader.BoardEntry, bool, error) {
		return grader.BoardEntry{}, false, errors.New("redis down")
	}
	if code, out := env.do(t, get("/v1/challenges", adaToken)); code != 500 || errCode(out) != CodeInternal {
		t.Errorf("store down: %d %v", code, out)
	}
}

func TestGetChallenge(t *testing.T) {
	env := newEnv(t)
	w := env.serve(get("/v1/challenges/notes-api", adaToken))
	body := w.Body.String()
	if w.Code != 200 || strings.Contains(body, "HIDDEN") || !strings.Contains(body, `"hidden_tests":1`) ||
		!strings.Contains(body, `"visible_tests":[{"suite":"api","name":"create","points":2}]`) || !strings.Contains(body, `"statement":"# Notes"`) ||
		!strings.Contains(body, `"memory_bytes":536870912`) || !strings.Contains(body, `"languages":["go"]`) {
		t.Errorf("challenge: %d %s", w.Code, body)
	}
	if code, out := env.do(t, get("/v1/challenges/nope", adaToken)); code != 404 || errCode(out) != CodeNotFound {
		t.Errorf("unknown challenge: %d %v", code, out)
	}
	if code, out := env.do(t, get("/v1/challenges/notes-api", "")); code != 401 || errCode(out) != CodeUnauthorized {
		t.Errorf("no token: %d %v", code, out)
	}
}

// untar lists a tar.gz as name → content ("" for folders).
func untar(t *testing.T, b []byte) map[string]string {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	out := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg && h.Typeflag != tar.TypeDir {
			t.Errorf("entry %s of type %c", h.Name, h.Typeflag)
		}
		body, _ := io.ReadAll(tr)
		out[h.Name] = string(body)
	}
}

func TestStarter(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("starter/go.mod", "module notes\n")
	write("starter/main.go", "package main\n")
	write("starter/internal/store.go", "package internal\n")
	write("solution/main.go", "SOLUTION")
	write("tests/hidden_test.go", "HIDDEN TEST")
	// Links planted in starter/ must not leak what they point to.
	for name, target := range map[string]string{"starter/leak": "../solution/main.go", "starter/abs": filepath.Join(dir, "tests/hidden_test.go"), "starter/updir": ".."} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	ch := notesAPI()
	ch.Dir = dir
	empty := &grader.Challenge{ID: "no-starter", Dir: t.TempDir()}
	builtin := &grader.Challenge{ID: "builtin"}
	env := newEnv(t)
	env.srv.cfg.Catalog = challenges.NewIndex([]*grader.Challenge{ch, empty, builtin})

	w := env.serve(get("/v1/challenges/notes-api/starter", adaToken))
	if w.Code != 200 || w.Header().Get("Content-Disposition") != `attachment; filename="notes-api-starter.tar.gz"` || w.Header().Get("Content-Type") != "application/gzip" {
		t.Fatalf("%d %v %s", w.Code, w.Header(), w.Body.String())
	}
	want := map[string]string{"notes-api/go.mod": "module notes\n", "notes-api/main.go": "package main\n",
		"notes-api/internal/": "", "notes-api/internal/store.go": "package internal\n"}
	if diff := cmp.Diff(want, untar(t, w.Body.Bytes())); diff != "" {
		t.Errorf("starter (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ path, token string }{
		{"/v1/challenges/no-starter/starter", adaToken},
		{"/v1/challenges/builtin/starter", adaToken},
		{"/v1/challenges/nope/starter", adaToken},
		{"/v1/challenges/..%2F..%2Fetc/starter", adaToken},
	} {
		if code, out := env.do(t, get(tc.path, tc.token)); code != 404 || errCode(out) != CodeNotFound {
			t.Errorf("%s: %d %v", tc.path, code, out)
		}
	}
	if code, out := env.do(t, get("/v1/challenges/notes-api/starter", "")); code != 401 {
		t.Errorf("no token: %d %v", code, out)
	}
}

// TestStarterPerLanguage: ?language= picks the starter of one offered
// language; without it the first offered language's is sent, and a
// language the challenge is not offered in is refused naming those it is.
func TestStarterPerLanguage(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("starter/go.mod", "module notes\n")
	write("languages/python/starter/app.py", "# python\n")
	write("languages/python/solution/app.py", "SOLUTION")
	write("languages/javascript/starter/server.js", "// js\n")
	ch := notesAPI()
	ch.Dir = dir
	ch.Languages = []grader.Offering{{Language: grader.LanguageGo}, {Language: grader.LanguagePython, Samples: "languages/python"},
		{Language: grader.LanguageJavaScript, Samples: "languages/javascript"}}
	pyFirst := notesAPI()
	pyFirst.ID, pyFirst.Dir = "py-only", dir
	pyFirst.Languages = []grader.Offering{{Language: grader.LanguagePython, Samples: "languages/python"}}
	env := newEnv(t)
	env.srv.cfg.Catalog = challenges.NewIndex([]*grader.Challenge{ch, pyFirst})

	for _, tc := range []struct {
		path, file string
		want       map[string]string
	}{
		{"/v1/challenges/notes-api/starter", "notes-api-starter.tar.gz", map[string]string{"notes-api/go.mod": "module notes\n"}},
		{"/v1/challenges/notes-api/starter?language=go", "notes-api-starter.tar.gz", map[string]string{"notes-api/go.mod": "module notes\n"}},
		{"/v1/challenges/notes-api/starter?language=python", "notes-api-python-starter.tar.gz", map[string]string{"notes-api-python/app.py": "# python\n"}},
		{"/v1/challenges/notes-api/starter?language=javascript", "notes-api-javascript-starter.tar.gz", map[string]string{"notes-api-javascript/server.js": "// js\n"}},
		{"/v1/challenges/py-only/starter", "py-only-python-starter.tar.gz", map[string]string{"py-only-python/app.py": "# python\n"}},
	} {
		w := env.serve(get(tc.path, adaToken))
		if w.Code != 200 || w.Header().Get("Content-Disposition") != `attachment; filename="`+tc.file+`"` {
			t.Errorf("%s: %d %v %s", tc.path, w.Code, w.Header(), w.Body.String())
			continue
		}
		if diff := cmp.Diff(tc.want, untar(t, w.Body.Bytes())); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.path, diff)
		}
	}
	for _, tc := range []struct{ path, offered string }{
		{"/v1/challenges/notes-api/starter?language=ruby", "go, python, javascript"},
		{"/v1/challenges/notes-api/starter?language=Python", "go, python, javascript"},
		{"/v1/challenges/py-only/starter?language=go", "python"},
	} {
		code, out := env.do(t, get(tc.path, adaToken))
		msg, _ := out["error"].(map[string]any)["message"].(string)
		if code != 400 || errCode(out) != CodeInvalidRequest || !strings.Contains(msg, "offered in "+tc.offered+";") {
			t.Errorf("%s: %d %v", tc.path, code, out)
		}
	}
	// An offered language whose starter folder is missing.
	os.RemoveAll(filepath.Join(dir, "languages/javascript"))
	if code, out := env.do(t, get("/v1/challenges/notes-api/starter?language=javascript", adaToken)); code != 404 || errCode(out) != CodeNotFound {
		t.Errorf("no javascript starter: %d %v", code, out)
	}
}

func TestLeaderboard(t *testing.T) {
	env := newEnv(t)
	// A learner reads the practice board; staff on it are left out.
	env.mem.practice["notes-api"] = []grader.BoardEntry{{Learner: "teach", Score: 5, At: at}, {Learner: "bob", Score: 5, At: at}, {Learner: "ada", Score: 5, At: at.Add(time.Hour)}, {Learner: "cy", Score: 1, At: at}}
	code, out := env.do(t, get("/v1/challenges/notes-api/leaderboard?limit=2", adaToken))
	want := map[string]any{"board": "practice", "items": []any{
		map[string]any{"rank": 1.0, "learner": "bob", "score": 5.0, "max_score": 5.0, "at": "2030-01-02T03:04:05Z"},
		map[string]any{"rank": 2.0, "learner": "ada", "score": 5.0, "max_score": 5.0, "at": "2030-01-02T04:04:05Z"},
	}}
	if diff := cmp.Diff(want, out); code != 200 || diff != "" {
		t.Errorf("%d (-want +got):\n%s", code, diff)
	}
	var gotLimit int
	env.st.LeaderboardFn = func(ctx context.Context, challenge string, limit int) ([]grader.BoardEntry, error) {
		gotLimit = limit
		return nil, nil
	}
	if code, out := env.do(t, get("/v1/challenges/notes-api/leaderboard", teachToken)); code != 200 || gotLimit != 10 || len(out["items"].([]any)) != 0 || out["board"] != "all" {
		t.Errorf("default: %d limit %d %v", code, gotLimit, out)
	}
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/v1/challenges/notes-api/leaderboard?limit=0", 400, CodeInvalidRequest},
		{"/v1/challenges/notes-api/leaderboard?limit=101", 400, CodeInvalidRequest},
		{"/v1/challenges/notes-api/leaderboard?limit=x", 400, CodeInvalidRequest},
		{"/v1/challenges/nope/leaderboard", 404, CodeNotFound},
	} {
		if code, out := env.do(t, get(tc.path, adaToken)); code != tc.status || errCode(out) != tc.code {
			t.Errorf("%s: %d %v", tc.path, code, out)
		}
	}
}

// TestGetChallengeCountsOneLanguage: a challenge offered in two languages,
// each with a unit suite of its own, lists the tests of one language, not
// both (the hidden ones were counted twice).
func TestGetChallengeCountsOneLanguage(t *testing.T) {
	env := newEnv(t)
	env.catal = append(env.catal, &grader.Challenge{ID: "ledger", Title: "Ledger", Version: "v1",
		Languages: []grader.Offering{{Language: grader.LanguageGo}, {Language: grader.LanguagePython}},
		Suites: []grader.Suite{
			{Name: "go", Kind: grader.SuiteGo, Tests: []grader.TestSpec{{Name: "TestA", Points: 2, Visibility: grader.Visible}, {Name: "TestB", Points: 3, Visibility: grader.Hidden}}},
			{Name: "py", Kind: grader.SuitePytest, Tests: []grader.TestSpec{{Name: "test_a", Points: 2, Visibility: grader.Visible}, {Name: "test_b", Points: 3, Visibility: grader.Hidden}}},
		}})
	env.srv.cfg.Catalog = challenges.NewIndex(env.catal)
	code, out := env.do(t, get("/v1/challenges/ledger", adaToken))
	if code != 200 || out["hidden_tests"] != float64(1) || len(out["visible_tests"].([]any)) != 1 {
		t.Errorf("ledger: %d %v; want one language's tests (1 visible, 1 hidden)", code, out)
	}
	if ms := out["challenge"].(map[string]any)["max_score"]; ms != float64(5) {
		t.Errorf("max_score %v, want 5", ms)
	}
}

// TestStarterOfTheSeedCatalog: the starters of notes-api, as the loader
// reads it, are each language's starter/ folder and nothing else.
func TestStarterOfTheSeedCatalog(t *testing.T) {
	ch, err := challenges.Load(filepath.Join("..", "challenges", "notes-api"))
	if err != nil {
		t.Fatal(err)
	}
	env := newEnv(t)
	env.srv.cfg.Catalog = challenges.NewIndex([]*grader.Challenge{ch})
	for _, tc := range []struct{ lang, top, dir string }{
		{"go", "notes-api", "starter"},
		{"python", "notes-api-python", "languages/python/starter"},
		{"javascript", "notes-api-javascript", "languages/javascript/starter"},
	} {
		w := env.serve(get("/v1/challenges/notes-api/starter?language="+tc.lang, adaToken))
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", tc.lang, w.Code, w.Body.String())
		}
		want := map[string]string{}
		root := filepath.Join("..", "challenges", "notes-api", filepath.FromSlash(tc.dir))
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || p == root {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			name := tc.top + "/" + filepath.ToSlash(rel)
			if d.IsDir() {
				want[name+"/"] = ""
				return nil
			}
			b, err := os.ReadFile(p)
			want[name] = string(b)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, untar(t, w.Body.Bytes())); len(want) == 0 || diff != "" {
			t.Errorf("%s starter (-want +got):\n%s", tc.lang, diff)
		}
	}
}
