//go:build integration

package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
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

// hostileHTTPChallenge is an http suite whose hidden test wants GET
// /answer to say 42, offered in every language. Each hostile service says
// 42 only if its attack worked. env is given to the service (the address
// and port of a listener on the host, for the services that look for it).
func hostileHTTPChallenge(env map[string]string) *grader.Challenge {
	return &grader.Challenge{
		ID: "hostile-http", Version: "test", Image: "grader/go:local",
		Languages: []grader.Offering{
			{Language: grader.LanguageGo, Image: "grader/go:local"},
			{Language: grader.LanguagePython, Image: grader.LanguagePython.DefaultImage(), Start: []string{"python3", "app.py"}},
			{Language: grader.LanguageJavaScript, Image: grader.LanguageJavaScript.DefaultImage(), Start: []string{"node", "server.js"}},
		},
		Limits:   grader.Limits{RunTimeout: 20 * time.Second, ReadyTimeout: 5 * time.Second, TestTimeout: 5 * time.Second, MemoryBytes: 128 << 20, OutputBytes: 256 << 10, Pids: 64, TmpfsBytes: 16 << 20},
		Env:      env,
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
		// The first plants files, a process and a variable in its box;
		// the second, graded next in a box of the same shape (a warm one
		// from the pool), fails if it finds any of them.
		{"leavebehind", []grader.Status{grader.StatusPassed}},
		{"findleftover", []grader.Status{grader.StatusPassed}},
	}
	hits := docker.PoolStats().Hits
	runHostile(t, ch, "testdata/hostile", cases)
	// The suite ran with the pool on, as a worker grades.
	if got := docker.PoolStats().Hits; got == hits {
		t.Errorf("no box of the hostile gradings came from the pool (%+v)", docker.PoolStats())
	}
}

// hostileHTTPVerdicts are the verdicts of each hostile service, whatever
// its language: testdata/hostile-http/<case> is the Go one,
// testdata/hostile-http-<language>/<case> the others.
var hostileHTTPVerdicts = map[string][]grader.Status{
	"reference": {grader.StatusPassed},
	// A learner's own package named like an offered one (flask/, express/)
	// is the learner's code: allowed, and it only changes the learner's
	// own process; the tester is the grader's program in its own box.
	"shadow": {grader.StatusPassed},
	// sitecustomize.py, usercustomize.py and a .pth file are refused by the
	// build check, for every suite, before anything could read them.
	"customize": {grader.StatusBuildFailed},
	// A node_modules/ folder is refused by the build check.
	"nodemodules": {grader.StatusBuildFailed},
	"escape":      {grader.StatusFailed},
	"readtests":   {grader.StatusFailed},
	"crash":       {grader.StatusFailed},
	"sleeper":     {grader.StatusFailed},
	"cpuloop":     {grader.StatusFailed},
	"forkbomb":    {grader.StatusTimedOut, grader.StatusFailed, grader.StatusMemoryExceeded},
	"diskfill":    {grader.StatusFailed},
	"noisy":       {grader.StatusOutputExceeded},
	"hog":         {grader.StatusMemoryExceeded},
}

// hookMarker is what a hostile file prints when something ran it that
// should not have.
const hookMarker = "LEARNER-HOOK-RAN"

// TestHostileHTTPSubmissions grades hostile services in every language
// against an http suite, with a listener on the host that none of them
// may reach.
func TestHostileHTTPSubmissions(t *testing.T) {
	host := listenOnHost(t)
	ch := hostileHTTPChallenge(map[string]string{"HOST_ADDRS": strings.Join(host.addrs, ","), "HOST_PORT": host.port})
	for lang, dir := range map[grader.Language]string{
		grader.LanguageGo:         "testdata/hostile-http",
		grader.LanguagePython:     "testdata/hostile-http-python",
		grader.LanguageJavaScript: "testdata/hostile-http-javascript",
	} {
		t.Run(string(lang), func(t *testing.T) {
			entries, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var cases []hostileCase
			for _, e := range entries {
				want, ok := hostileHTTPVerdicts[e.Name()]
				if !ok {
					t.Fatalf("%s/%s has no verdict in hostileHTTPVerdicts", dir, e.Name())
				}
				cases = append(cases, hostileCase{e.Name(), want})
			}
			runHostileIn(t, ch, lang, dir, cases)
		})
	}
	if n := host.close(); n > 0 {
		t.Errorf("the listener on the host accepted %d connection(s) from the services", n)
	}
}

// hostListener listens on every address of the host, counting the
// connections it accepts.
type hostListener struct {
	ln       net.Listener
	addrs    []string // the host's addresses, but loopback
	port     string
	accepted atomic.Int64
	done     chan struct{}
}

func listenOnHost(t *testing.T) *hostListener {
	t.Helper()
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &hostListener{ln: ln, port: strconv.Itoa(ln.Addr().(*net.TCPAddr).Port), done: make(chan struct{})}
	t.Cleanup(func() { h.close() })
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ip, ok := a.(*net.IPNet); ok && ip.IP.To4() != nil && !ip.IP.IsLoopback() {
			h.addrs = append(h.addrs, ip.IP.String())
		}
	}
	go func() {
		defer close(h.done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			h.accepted.Add(1)
			c.Close()
		}
	}()
	return h
}

// close stops the listener and returns how many connections it accepted.
func (h *hostListener) close() int64 {
	h.ln.Close()
	<-h.done
	return h.accepted.Load()
}

func runHostile(t *testing.T, ch *grader.Challenge, dir string, cases []hostileCase) {
	runHostileIn(t, ch, grader.LanguageGo, dir, cases)
}

// runHostileIn grades each case of dir, a submission in lang: its verdict
// must be one of the case's, it scores nothing unless it is meant to pass,
// it leaves nothing behind, and no file it holds ran where it should not.
func runHostileIn(t *testing.T, ch *grader.Challenge, lang grader.Language, dir string, cases []hostileCase) {
	eng := newEngine()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			id := "hostile-" + ch.ID + "-" + string(lang) + "-" + tc.name
			sub, err := grader.ReadDirIn(id, lang, filepath.Join(dir, tc.name), grader.SubmissionLimits{})
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
			t.Logf("%s: %s %d/%d in %s: %s\n%s", tc.name, res.Status, res.Score, res.MaxScore, time.Since(start).Round(time.Millisecond), res.Message, describe(res))
			assertNoLeftovers(t, id)
			ok := false
			for _, s := range tc.want {
				ok = ok || res.Status == s
			}
			if !ok {
				t.Errorf("status %s (%s), want one of %v\n%s", res.Status, res.Message, tc.want, describe(res))
			}
			if !slices.Equal(tc.want, []grader.Status{grader.StatusPassed}) && res.Score != 0 {
				t.Errorf("a hostile submission scored %d/%d: the sandbox has a hole\n%s", res.Score, res.MaxScore, describe(res))
			}
			if strings.Contains(res.Build.Text+res.Service.Text, hookMarker) {
				t.Errorf("a learner's hook ran:\nbuild: %s\nservice: %s", res.Build.Text, res.Service.Text)
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
