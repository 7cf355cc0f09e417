//go:build integration

package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
)

// hostileGoChallenge is a go suite whose hidden test wants Solve() == 42.
// Each hostile module returns 42 only if its attack worked, so full marks
// would mean a hole in the sandbox.
func hostileGoChallenge(t *testing.T) *grader.Challenge {
	t.Helper()
	src, err := os.ReadFile("testdata/hidden/solve_hidden_test.go")
	if err != nil {
		t.Fatal(err)
	}
	return &grader.Challenge{
		ID: "hostile-go", Version: "test", Image: "grader/go:local",
		Limits: grader.Limits{RunTimeout: 8 * time.Second, MemoryBytes: 256 << 20, Pids: 128, OutputBytes: 256 << 10, TmpfsBytes: 16 << 20},
		Suites: []grader.Suite{{
			Name: "solve", Kind: grader.SuiteGo, Package: ".",
			Files: map[string][]byte{"tests/solve_hidden_test.go": src},
			Tests: []grader.TestSpec{{Name: "TestSolve", Points: 1, Visibility: grader.Hidden}},
		}},
	}
}

func hostileHTTPChallenge() *grader.Challenge {
	return &grader.Challenge{
		ID: "hostile-http", Version: "test", Image: "grader/go:local",
		Limits:   grader.Limits{RunTimeout: 20 * time.Second, ReadyTimeout: 5 * time.Second, TestTimeout: 5 * time.Second, MemoryBytes: 128 << 20, OutputBytes: 256 << 10},
		Service:  &grader.Service{Main: ".", Port: 8080, ReadyPath: "/healthz"},
		Fixtures: []grader.Fixture{{Name: "upstream", Kind: grader.FixtureUpstream, Port: 9000}},
		Suites: []grader.Suite{{Name: "api", Kind: grader.SuiteHTTP, Tests: []grader.TestSpec{{
			Name: "the answer HIDDEN-MARKER", Points: 1, Visibility: grader.Hidden,
			Steps: []grader.Step{{Request: &grader.Request{Method: "GET", Path: "/answer"}, Expect: grader.Expect{Status: 200, JSON: []grader.JSONMatch{{Path: "answer", Op: "equals", Value: []byte("42")}}}}},
		}}}},
	}
}

type hostileCase struct {
	name string
	want []grader.Status // acceptable verdicts
}

func TestHostileGoSubmissions(t *testing.T) {
	ch := hostileGoChallenge(t)
	cases := []hostileCase{
		{"reference", []grader.Status{grader.StatusPassed}},
		{"forkbomb", []grader.Status{grader.StatusTimedOut, grader.StatusFailed, grader.StatusMemoryExceeded}},
		{"membomb", []grader.Status{grader.StatusMemoryExceeded}},
		{"cpuloop", []grader.Status{grader.StatusTimedOut}},
		{"sleeper", []grader.Status{grader.StatusTimedOut}},
		{"flood", []grader.Status{grader.StatusOutputExceeded}},
		{"diskfill", []grader.Status{grader.StatusFailed}},
		{"network", []grader.Status{grader.StatusFailed}},
		{"readhidden", []grader.Status{grader.StatusFailed}},
		{"forge", []grader.Status{grader.StatusFailed}},
		{"exitinit", []grader.Status{grader.StatusFailed}},
		{"privilege", []grader.Status{grader.StatusFailed}},
		{"embed", []grader.Status{grader.StatusBuildFailed}},
	}
	runHostile(t, ch, "testdata/hostile", cases)
}

func TestHostileHTTPSubmissions(t *testing.T) {
	cases := []hostileCase{
		{"reference", []grader.Status{grader.StatusPassed}},
		{"escape", []grader.Status{grader.StatusFailed}},
		{"crash", []grader.Status{grader.StatusFailed}},
		{"noisy", []grader.Status{grader.StatusOutputExceeded}},
		{"hog", []grader.Status{grader.StatusMemoryExceeded}},
	}
	runHostile(t, hostileHTTPChallenge(), "testdata/hostile-http", cases)
}

func runHostile(t *testing.T, ch *grader.Challenge, dir string, cases []hostileCase) {
	eng := newEngine()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := "hostile-" + ch.ID + "-" + tc.name
			sub, err := grader.ReadDir(id, filepath.Join(dir, tc.name), grader.SubmissionLimits{})
			if err != nil {
				t.Fatal(err)
			}
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			start := time.Now()
			res, err := eng.Grade(context.Background(), ch, sub, nil)
			if err != nil {
				t.Fatalf("grading failed: %v", err)
			}
			runtime.ReadMemStats(&after)
			t.Logf("%s: %s %d/%d in %s: %s", tc.name, res.Status, res.Score, res.MaxScore, time.Since(start).Round(time.Millisecond), res.Message)
			assertNoLeftovers(t, id)
			ok := false
			for _, s := range tc.want {
				ok = ok || res.Status == s
			}
			if !ok {
				t.Errorf("status %s (%s), want one of %v\n%s", res.Status, res.Message, tc.want, describe(res))
			}
			if tc.name != "reference" && res.Score != 0 {
				t.Errorf("a hostile submission scored %d/%d: the sandbox has a hole\n%s", res.Score, res.MaxScore, describe(res))
			}
			learner := res.As(grader.ViewLearner)
			doc := fmt.Sprintf("%+v", learner)
			if strings.Contains(doc, "HIDDEN-MARKER") {
				t.Errorf("the learner view shows hidden test details: %s", doc)
			}
			if grown := int64(after.HeapSys) - int64(before.HeapSys); grown > 100<<20 {
				t.Errorf("the grader's heap grew by %d MiB", grown>>20)
			}
		})
	}
}

// TestRejectedArchivesExitTwo runs the CLI on hostile archives: each is
// refused before anything runs, with exit code 2 and a reason.
func TestRejectedArchivesExitTwo(t *testing.T) {
	bin := os.Getenv("GRADER_BIN")
	if bin == "" {
		t.Skip("GRADER_BIN is not set (make integration sets it)")
	}
	dir := t.TempDir()
	mk := func(name string, script string) string {
		p := filepath.Join(dir, name)
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make %s: %v: %s", name, err, out)
		}
		return p
	}
	cases := map[string]string{
		"dotdot.tar":   "mkdir -p a && echo 'module x' > a/go.mod && echo x > evil && tar -cPf dotdot.tar -C a go.mod ../evil",
		"absolute.tar": "echo 'module x' > go.mod && tar -cPf absolute.tar go.mod /etc/hostname",
		"link.tar":     "mkdir -p l && echo 'module x' > l/go.mod && ln -sf /etc/passwd l/passwd && tar -cf link.tar -C l go.mod passwd",
		"bomb.tar.gz":  "mkdir -p b && echo 'module x' > b/go.mod && head -c 64M /dev/zero > b/zero && tar -czf bomb.tar.gz -C b go.mod zero && rm -r b",
	}
	for name, script := range cases {
		t.Run(name, func(t *testing.T) {
			p := mk(name, script)
			cmd := exec.Command(bin, "grade", "--catalog", "../challenges", "--challenge", "notes-api", p)
			out, err := cmd.CombinedOutput()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			}
			if code != 2 || !strings.Contains(string(out), "rejected") {
				t.Errorf("exit %d, output %s; want exit 2 with the reason", code, out)
			}
		})
	}
}
