package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/signing"
)

// signedFixture writes a signed result (indented, as `grader submit
// --json` prints it) and the key set that checks it, and returns their
// paths and the document.
func signedFixture(t *testing.T) (doc []byte, resultPath, keysPath string, set signing.KeySet) {
	t.Helper()
	key, err := signing.NewKey()
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	res, err := key.Sign(grader.Result{SubmissionID: "sub_00aa", Challenge: "notes-api", ChallengeVersion: "3", Language: grader.LanguageGo,
		View: grader.ViewLearner, Status: grader.StatusPassed, Score: 10, MaxScore: 10, Tests: []grader.TestResult{
			{Name: "creates a note", Suite: "api", Status: grader.TestPassed, Points: 10, MaxPoints: 10, Visibility: grader.Visible}},
		GradedAt: at,
		Provenance: &grader.Provenance{SubmissionDigest: "sha256:1234", Challenge: "notes-api", ChallengeVersion: "3", Language: grader.LanguageGo,
			Images: map[string]string{"grader/go:local": "sha256:abcd"}, Worker: "w1", GradedAt: at}})
	if err != nil {
		t.Fatal(err)
	}
	doc, err = json.MarshalIndent(res, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	resultPath, keysPath = filepath.Join(dir, "result.json"), filepath.Join(dir, "keys.json")
	set = signing.KeySet{Keys: []signing.PublicKey{key.Public(at)}}
	keys, _ := json.Marshal(set)
	if err := os.WriteFile(resultPath, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keysPath, keys, 0o644); err != nil {
		t.Fatal(err)
	}
	return doc, resultPath, keysPath, set
}

func TestResultVerifyFile(t *testing.T) {
	doc, resultPath, keysPath, _ := signedFixture(t)
	code, out, errOut := runCLI(t, "result", "verify", "--keys", keysPath, resultPath)
	if code != 0 || !strings.Contains(out, "valid: ") || !strings.Contains(out, "passed 10/10") || !strings.Contains(out, "graded by w1") {
		t.Fatalf("a fresh result: exit %d\n%s%s", code, out, errOut)
	}
	tampered := map[string][2]string{
		"score":      {`"score": 10`, `"score": 11`},
		"test name":  {`"creates a note"`, `"creates a notE"`},
		"test state": {`"status": "passed",` + "\n      \"points\"", `"status": "failed",` + "\n      \"points\""},
		"digest":     {`"sha256:1234"`, `"sha256:1235"`},
		"worker":     {`"worker": "w1"`, `"worker": "w2"`},
		"image":      {`"sha256:abcd"`, `"sha256:abce"`},
	}
	for name, r := range tampered {
		t.Run(name, func(t *testing.T) {
			if !strings.Contains(string(doc), r[0]) {
				t.Fatalf("%q is not in the document:\n%s", r[0], doc)
			}
			path := filepath.Join(t.TempDir(), "tampered.json")
			if err := os.WriteFile(path, []byte(strings.Replace(string(doc), r[0], r[1], 1)), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runCLI(t, "result", "verify", "--keys", keysPath, path)
			if code != exitLess || !strings.Contains(out, "INVALID") || !strings.Contains(errOut, "does not match") {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
		})
	}
	if code, _, errOut := runCLI(t, "result", "verify", "--keys", keysPath, filepath.Join(t.TempDir(), "missing.json")); code != exitUsage {
		t.Errorf("a missing file: exit %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "result", "verify", "--keys", resultPath, resultPath); code != exitUsage || !strings.Contains(errOut, "key set") {
		t.Errorf("--keys naming no key set: exit %d %s", code, errOut)
	}
}

// TestResultVerifyURL reads the result from the service with the token
// and checks it with the same service's keys, asked without one.
func TestResultVerifyURL(t *testing.T) {
	doc, _, _, set := signedFixture(t)
	sub := []byte(`{"id":"sub_00aa","state":"graded","result":` + string(doc) + `}`)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /base/v1/keys", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			t.Error("the token was sent for the public keys")
		}
		_ = json.NewEncoder(w).Encode(set)
	})
	mux.HandleFunc("GET /base/v1/submissions/sub_00aa", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-123456789012" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"code":"unauthorized","message":"no token"}}`))
			return
		}
		_, _ = w.Write(sub)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	u := srv.URL + "/base/v1/submissions/sub_00aa"
	if code, out, errOut := runCLI(t, "result", "verify", "--token", "tok-123456789012", u); code != 0 || !strings.Contains(out, "valid") {
		t.Fatalf("by URL: exit %d\n%s%s", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, "result", "verify", u); code != exitUsage || !strings.Contains(errOut, "token") {
		t.Fatalf("by URL without a token: exit %d %s", code, errOut)
	}
	// A file checked against --server's keys.
	path := filepath.Join(t.TempDir(), "sub.json")
	if err := os.WriteFile(path, sub, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runCLI(t, "result", "verify", "--server", srv.URL+"/base", path); code != 0 || !strings.Contains(out, "keys from "+srv.URL+"/base/v1/keys") {
		t.Fatalf("a file with --server: exit %d\n%s%s", code, out, errOut)
	}
}
