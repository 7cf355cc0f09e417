//go:build integration

package e2e

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// TestLearnerViewOfABuildAgainstHiddenTests grades the fix-ledger starter
// with Split's first parameter changed, so the package no longer compiles
// against the hidden tests: the learner view names Split and how the
// tests call it, and nothing of the hidden file.
func TestLearnerViewOfABuildAgainstHiddenTests(t *testing.T) {
	ch, err := challenges.Load("../challenges/fix-ledger")
	if err != nil {
		t.Fatal(err)
	}
	dir := copySample(t, "../challenges/fix-ledger/starter")
	editSample(t, filepath.Join(dir, "money.go"),
		"func Split(total Cents, n int) []Cents {", "func Split(total struct{}, n int) []Cents {\n\t_ = total",
		"each := total / Cents(n)", "each := Cents(0) / Cents(n)")
	id := "learnerview-split"
	sub, err := grader.ReadDir(id, dir, grader.SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := newEngine().Grade(context.Background(), ch, sub, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertNoLeftovers(t, id)
	if res.Status != grader.StatusBuildFailed || !strings.Contains(res.Build.Text, "ledger_hidden_test.go:") {
		t.Fatalf("instructor view: %s, build text %q; want build_failed with the compiler's full text", res.Status, res.Build.Text)
	}
	learner := res.As(grader.ViewLearner)
	doc, err := json.Marshal(learner)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("learner build text:\n%s", learner.Build.Text)
	for _, leak := range []string{"ledger_hidden_test", "_test.go", "learner_text"} {
		if strings.Contains(string(doc), leak) {
			t.Errorf("the learner view holds %q:\n%s", leak, doc)
		}
	}
	if regexp.MustCompile(`:\d+:\d+`).MatchString(strings.ReplaceAll(learner.Build.Text, "./money.go:", "")) {
		t.Errorf("the learner's build text holds a position outside their files:\n%s", learner.Build.Text)
	}
	// The hidden calls are Split(100, 3) and Split(total, n).
	for _, literal := range []string{"100", "total", "(3)", " n)"} {
		if strings.Contains(learner.Build.Text, literal) {
			t.Errorf("the learner's build text holds %q of the hidden file:\n%s", literal, learner.Build.Text)
		}
	}
	if !strings.Contains(learner.Build.Text, "hidden tests: ") || !strings.Contains(learner.Build.Text, "hidden tests: the tests call Split(Cents, int); your Split takes (struct{}, int)") {
		t.Errorf("the learner's build text does not say how the tests call Split:\n%s", learner.Build.Text)
	}
}

// crashHidden is a hidden test file whose package-level variable calls
// learner code, and whose subtest calls learner code that may panic or
// exit.
const crashHidden = `package crash

import "testing"

var mode = Mode()

func TestFirst(t *testing.T) {}

func TestSub(t *testing.T) {
	t.Run("fine", func(t *testing.T) {})
	t.Run("risky", func(t *testing.T) { Risky(mode) })
}

func TestLater(t *testing.T) {}
`

// TestCrashMessagesInTheBox runs learner code that panics while the
// package initialises, panics in a subtest, or exits in a subtest, in
// the real box: the learner sees the panic on the right test with the
// program's own exit status.
func TestCrashMessagesInTheBox(t *testing.T) {
	ch := &grader.Challenge{
		ID: "crash", Version: "test", Image: "grader/go:local",
		Limits: grader.Limits{RunTimeout: 20 * time.Second},
		Suites: []grader.Suite{{
			Name: "crash", Kind: grader.SuiteGo, Package: ".",
			Files: map[string][]byte{"tests/crash_hidden_test.go": []byte(crashHidden)},
			Tests: []grader.TestSpec{
				{Name: "TestFirst", Points: 1, Visibility: grader.Visible},
				{Name: "TestSub", Points: 1, Visibility: grader.Visible},
				{Name: "TestLater", Points: 1, Visibility: grader.Visible},
			},
		}},
	}
	cases := []struct {
		name, mode, risky string
		// want maps a test (or subtest) to text its message must hold.
		want map[string]string
	}{
		{"init", `panic("mode is not set")`, "", map[string]string{
			"":          "the test program panicked before any test ran (exit status 2): mode is not set",
			"TestFirst": "panicked before any test ran (exit status 2):\npanic: mode is not set\ncrash.Mode(",
		}},
		{"subtest panic", "return 1", `panic("risky broke")`, map[string]string{
			"TestSub/risky": "panic: risky broke",
			"TestSub":       "TestSub/risky: panic: risky broke",
			"TestLater":     "the test program stopped early (exit status 2)",
		}},
		{"subtest exit", "return 1", "os.Exit(3)", map[string]string{
			"TestSub/risky": "the test program stopped during this test (exit status 3)",
			"TestLater":     "the test program stopped early (exit status 3)",
		}},
	}
	eng := newEngine()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			risky := tc.risky
			if risky == "" {
				risky = "_ = m"
			}
			writeSample(t, filepath.Join(dir, "go.mod"), "module crash\n\ngo 1.26\n")
			writeSample(t, filepath.Join(dir, "crash.go"), "package crash\n\nimport \"os\"\n\nvar _ = os.Exit\n\n// Mode is read by the tests at start.\nfunc Mode() int {\n\t"+tc.mode+"\n}\n\n// Risky is called by a subtest.\nfunc Risky(m int) {\n\t"+risky+"\n}\n")
			id := "crash-" + strings.ReplaceAll(tc.name, " ", "-")
			sub, err := grader.ReadDir(id, dir, grader.SubmissionLimits{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := eng.Grade(context.Background(), ch, sub, nil)
			if err != nil {
				t.Fatal(err)
			}
			assertNoLeftovers(t, id)
			learner := res.As(grader.ViewLearner)
			messages := map[string]string{"": learner.Message}
			for _, tr := range learner.Tests {
				messages[tr.Name] = tr.Message
				for _, s := range tr.Subtests {
					messages[s.Name] = s.Message
				}
			}
			for name, want := range tc.want {
				if !strings.Contains(messages[name], want) {
					t.Errorf("message of %q = %q, want it to hold %q", name, messages[name], want)
				}
			}
			doc, _ := json.Marshal(learner)
			for _, leak := range []string{"crash_hidden_test.go", "exit code 1"} {
				if strings.Contains(string(doc), leak) {
					t.Errorf("the learner view holds %q:\n%s", leak, doc)
				}
			}
		})
	}
}

func writeSample(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// copySample copies the regular files of src into a fresh folder.
func copySample(t *testing.T, src string) string {
	t.Helper()
	dst := t.TempDir()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		writeSample(t, filepath.Join(dst, e.Name()), string(b))
	}
	return dst
}

// editSample replaces, in the file at path, each old of pairs with the new
// that follows it.
func editSample(t *testing.T, path string, pairs ...string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	for i := 0; i+1 < len(pairs); i += 2 {
		if !strings.Contains(text, pairs[i]) {
			t.Fatalf("%s does not hold %q", path, pairs[i])
		}
		text = strings.Replace(text, pairs[i], pairs[i+1], 1)
	}
	writeSample(t, path, text)
}

// TestVerifyNamesSkippedReferenceTests runs `grader challenge verify` on
// a copy of fix-ledger whose hidden test skips: the reference fails with
// the skipped test named.
func TestVerifyNamesSkippedReferenceTests(t *testing.T) {
	bin := os.Getenv("GRADER_BIN")
	if bin == "" {
		t.Skip("GRADER_BIN is not set (make integration sets it)")
	}
	dir := filepath.Join(t.TempDir(), "fix-ledger")
	if out, err := exec.Command("cp", "-r", "../challenges/fix-ledger", dir).CombinedOutput(); err != nil {
		t.Fatalf("copy the challenge: %v: %s", err, out)
	}
	editSample(t, filepath.Join(dir, "tests", "ledger_hidden_test.go"),
		"func TestSplitKeepsEveryCent(t *testing.T) {\n", "func TestSplitKeepsEveryCent(t *testing.T) {\n\tt.Skip(\"later\")\n")
	out, err := exec.Command(bin, "challenge", "verify", dir).CombinedOutput()
	if err == nil {
		t.Fatalf("verify passed a reference whose test skips:\n%s", out)
	}
	want := "fix-ledger: the solution's test TestSplitKeepsEveryCent was skipped (t.Skip): a skipped test fails with 0 points; make it run"
	if !strings.Contains(string(out), want) {
		t.Errorf("verify output lacks %q:\n%s", want, out)
	}
}
