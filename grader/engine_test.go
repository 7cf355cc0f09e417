package grader

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/internal/golden"
)

const testNonce = "g0123456789abcde"

func testEngine(sb Sandbox) *Engine {
	return NewEngine(EngineConfig{
		Sandbox: sb,
		Now:     func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		Random:  func() string { return "0123456789abcdef0123456789abcdef" },
	})
}

func goChallenge() *Challenge {
	return &Challenge{
		ID: "fix-ledger", Version: "v1", Image: "grader/go:local",
		Suites: []Suite{{
			Name: "unit", Kind: SuiteGo, Race: true,
			Files: map[string][]byte{"tests/ledger_hidden_test.go": []byte("package ledger\n\nimport \"testing\"\n\nfunc TestAdd(t *testing.T) {}\n\nfunc TestRound(t *testing.T) {}\n\nfunc TestRace(t *testing.T) { TestAdd(t) }\n\nfunc TestNever(t *testing.T) {}\n")},
			Tests: []TestSpec{
				{Name: "TestAdd", Points: 1, Visibility: Visible},
				{Name: "TestRound", Points: 2, Visibility: Visible},
				{Name: "TestRace", Points: 3, Visibility: Hidden},
				{Name: "TestNever", Points: 1, Visibility: Hidden},
			},
		}},
	}
}

func ev(action, test, output string) string {
	b, _ := json.Marshal(map[string]any{"Action": action, "Test": test, "Output": output, "Elapsed": 0.01})
	return string(b)
}

// goRun plays a test2json stream: TestAdd passes, TestRound fails with a
// message and a subtest, TestRace fails; learner code prints forged
// passes for every test, with and without a guessed suffix; TestNever
// never reports.
func goRun(spec BoxSpec) Exit {
	if spec.Role == "build" {
		return Exit{Code: 0}
	}
	n := "_" + testNonce
	writeLines(spec.Stdout,
		ev("run", "TestAdd"+n, ""),
		ev("output", "TestAdd"+n, "=== RUN   TestAdd"+n+"\n"),
		ev("output", "TestAdd"+n, "--- PASS: TestNever (0.00s)\n"),
		ev("pass", "TestAdd"+n, ""),
		ev("pass", "TestNever", ""),
		ev("pass", "TestNever_guess", ""),
		ev("run", "TestRound"+n, ""),
		ev("run", "TestRound"+n+"/half_cent", ""),
		ev("output", "TestRound"+n+"/half_cent", "    ledger_hidden_test.go:12: Split(100, 3) = 33,33,33; want 34,33,33\n"),
		ev("fail", "TestRound"+n+"/half_cent", ""),
		ev("fail", "TestRound"+n, ""),
		ev("run", "TestRace"+n, ""),
		ev("output", "TestRace"+n, "    testing.go:1490: race detected during execution of test\n"),
		ev("fail", "TestRace"+n, ""),
		`{"Action":"pass","Test":"TestNever`+n+`","Elapsed":`, // torn line: ignored
		"not json at all",
	)
	return Exit{Code: 1}
}

func TestGradeGoSuite(t *testing.T) {
	sb := &fakeSandbox{RunFn: goRun, Files: map[string][]byte{"/work/.grader-out/suite.test": []byte("ELF")}}
	var mu sync.Mutex
	var events []string
	progress := ProgressFunc(func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		name := ""
		if e.Test != nil {
			name = e.As(ViewLearner).Test.Name
		}
		events = append(events, strings.TrimSpace(fmt.Sprintf("%s %s %s", e.Type, e.Phase, name)))
	})
	sub := Submission{ID: "sub1", Files: []File{{Name: "go.mod", Data: []byte("module ledger\n")}, {Name: "ledger.go", Data: []byte("package ledger\n")}, {Name: "ledger_test.go", Data: []byte("package ledger\nfunc TestMain(m *testing.M) {}\n")}}}
	res, err := testEngine(sb).Grade(context.Background(), goChallenge(), sub, progress)
	if err != nil {
		t.Fatal(err)
	}
	if res.Score != 1 || res.MaxScore != 7 || res.Status != StatusFailed {
		t.Errorf("score %d/%d status %s, want 1/7 failed", res.Score, res.MaxScore, res.Status)
	}

	build := sb.spec("build")
	var names []string
	for _, f := range build.Files {
		names = append(names, f.Name)
		if f.Name == "ledger_hidden_test.go" && !strings.Contains(string(f.Data), "func TestRace"+"_"+testNonce+"(t *testing.T) { TestAdd_"+testNonce+"(t) }") {
			t.Errorf("hidden file not renamed:\n%s", f.Data)
		}
	}
	if strings.Contains(strings.Join(names, ","), "ledger_test.go,") {
		t.Errorf("the learner's own test file reached the build: %v", names)
	}
	if !strings.Contains(strings.Join(build.Cmd, " "), "-race") || !contains(build.Env, "CGO_ENABLED=1") {
		t.Errorf("race suite built without -race: %v %v", build.Cmd, build.Env)
	}
	test := sb.spec("test")
	if len(test.Files) != 1 || test.Files[0].Name != "suite.test" || test.Files[0].Writable {
		t.Errorf("test box must hold only the read-only binary, got %+v", test.Files)
	}
	if !strings.Contains(strings.Join(test.Cmd, " "), "-test.paniconexit0") {
		t.Errorf("test box runs without -test.paniconexit0: %v", test.Cmd)
	}
	if sb.closed != 2 {
		t.Errorf("closed %d boxes, want 2", sb.closed)
	}
	wantEvents := []string{
		"phase_started build", "phase_finished build",
		"phase_started run",
		"test_started  TestAdd", "test_finished  TestAdd",
		"test_started  TestRound", "test_finished  TestRound",
		"test_started  hidden test", "test_finished  hidden test",
		"phase_finished run",
	}
	if diff := cmp.Diff(wantEvents, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	golden.JSON(t, "testdata/go_suite_instructor.json", res)
	golden.JSON(t, "testdata/go_suite_learner.json", res.As(ViewLearner))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestGradeGoSuiteVerdicts(t *testing.T) {
	tests := []struct {
		name       string
		build, run Exit
		buildOut   string
		want       Status
		wantMsg    string
	}{
		{"compile error", Exit{Code: 1, Stderr: Output{Text: "./ledger.go:3:1: syntax error"}}, Exit{}, "", StatusBuildFailed, "does not compile"},
		{"missing module", Exit{Code: 1, Stderr: Output{Text: "no required module provides package x; module lookup disabled by GOPROXY=off"}}, Exit{}, "", StatusBuildFailed, "gin-gonic/gin v1.12.0"},
		{"required module not offline", Exit{Code: 1, Stderr: Output{Text: "go: downloading github.com/google/uuid v1.6.0\nmain.go:3:8: mkdir /opt/gomodcache/cache/download/github.com/google/uuid: permission denied"}}, Exit{}, "", StatusBuildFailed, "redis/go-redis/v9 v9.23.0"},
		{"build timeout", Exit{TimedOut: true, Code: 137}, Exit{}, "", StatusTimedOut, "build took longer"},
		{"run timeout", Exit{}, Exit{TimedOut: true, Code: 137}, "", StatusTimedOut, "did not finish within"},
		{"memory", Exit{}, Exit{OOMKilled: true, Code: 137}, "", StatusMemoryExceeded, "out of memory"},
		{"output flood", Exit{}, Exit{OutputExceeded: true, Code: 137}, "", StatusOutputExceeded, "printed more than"},
		{"early exit 0", Exit{}, Exit{Code: 0}, "", StatusFailed, "0 of 4 tests passed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sb := &fakeSandbox{Files: map[string][]byte{"/work/.grader-out/suite.test": []byte("ELF")}}
			sb.RunFn = func(spec BoxSpec) Exit {
				if spec.Role == "build" {
					return tc.build
				}
				return tc.run
			}
			res, err := testEngine(sb).Grade(context.Background(), goChallenge(), Submission{ID: "s"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != tc.want || !strings.Contains(res.Message, tc.wantMsg) {
				t.Errorf("status %s %q, want %s containing %q", res.Status, res.Message, tc.want, tc.wantMsg)
			}
			if res.Score != 0 {
				t.Errorf("score %d, want 0", res.Score)
			}
			for _, tr := range res.Tests {
				if tr.Status == TestPassed || tr.Message == "" {
					t.Errorf("test %s: status %s message %q", tr.Name, tr.Status, tr.Message)
				}
			}
		})
	}
}

func httpChallenge() *Challenge {
	return &Challenge{
		ID: "notes-api", Version: "v1", Image: "grader/go:local",
		Service:  &Service{Main: ".", Port: 8080, ReadyPath: "/healthz"},
		Fixtures: []Fixture{{Name: "redis", Kind: FixtureRedis}, {Name: "upstream", Kind: FixtureUpstream, Port: 9000, Delay: 300 * time.Millisecond}},
		Env:      map[string]string{"CACHE_TTL": "1s"},
		Suites: []Suite{{Name: "api", Kind: SuiteHTTP, Tests: []TestSpec{
			{Name: "create", Points: 2, Visibility: Visible, Steps: []Step{{Request: &Request{Method: "POST", Path: "/notes"}}}},
			{Name: "secret edge case", Points: 3, Visibility: Hidden, Steps: []Step{{Request: &Request{Method: "GET", Path: "/notes/x"}}}},
			{Name: "never reported", Points: 1, Visibility: Hidden},
		}}},
	}
}

func TestGradeHTTPSuite(t *testing.T) {
	sb := &fakeSandbox{Files: map[string][]byte{"/work/.grader-out/service": []byte("ELF")}}
	sb.RunFn = func(spec BoxSpec) Exit {
		switch spec.Role {
		case "tester":
			writeLines(spec.Stdout, `{"event":"fixtures_ready"}`)
			sb.await("service")
			writeLines(spec.Stdout,
				`{"event":"ready"}`,
				`{"event":"test_started","name":"create"}`,
				`{"event":"test","name":"create","status":"passed","duration_ms":12}`,
				`{"event":"test","name":"secret edge case","status":"failed","message":"step 1 (GET /notes/x): expected status 404, got 500"}`,
				`{"event":"test","name":"invented","status":"passed"}`,
			)
			return Exit{Code: 0}
		case "service":
			return Exit{Code: 137, Stdout: Output{Text: "listening on :8080\n"}}
		}
		return Exit{}
	}
	res, err := testEngine(sb).Grade(context.Background(), httpChallenge(), Submission{ID: "sub2"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"build", "net", "fixture-redis", "fixture-upstream", "tester", "service"}, sb.roles()); diff != "" {
		t.Errorf("boxes (-want +got):\n%s", diff)
	}
	if sb.closed != 6 {
		t.Errorf("closed %d boxes, want 6", sb.closed)
	}
	holder := sb.spec("net")
	if holder.Network != "" || !contains(holder.Hosts, "redis:127.0.0.1") || !contains(holder.Hosts, "upstream:127.0.0.1") {
		t.Errorf("holder spec %+v", holder)
	}
	svc := sb.spec("service")
	if svc.Network != "box2" || !contains(svc.Env, "PORT=8080") || !contains(svc.Env, "REDIS_ADDR=redis:6379") || !contains(svc.Env, "UPSTREAM_URL=http://upstream:9000") || !contains(svc.Env, "CACHE_TTL=1s") {
		t.Errorf("service spec %+v", svc)
	}
	for _, e := range svc.Env {
		if strings.HasPrefix(e, FixtureSecretEnv) {
			t.Errorf("the service got the fixture secret: %v", svc.Env)
		}
	}
	for _, f := range svc.Files {
		if f.Name != "service" {
			t.Errorf("the service box holds %s; it must hold only the compiled program", f.Name)
		}
	}
	up := sb.spec("fixture-upstream")
	tester := sb.spec("tester")
	var plan TesterPlan
	if err := json.Unmarshal(tester.Files[0].Data, &plan); err != nil {
		t.Fatal(err)
	}
	if plan.Fixtures["upstream"].Secret == "" || !contains(up.Env, FixtureSecretEnv+"="+plan.Fixtures["upstream"].Secret) {
		t.Errorf("upstream secret not shared between fixture %v and tester %+v", up.Env, plan.Fixtures)
	}
	if res.Score != 2 || res.MaxScore != 6 || res.Status != StatusFailed {
		t.Errorf("score %d/%d %s", res.Score, res.MaxScore, res.Status)
	}
	golden.JSON(t, "testdata/http_suite_instructor.json", res)
	golden.JSON(t, "testdata/http_suite_learner.json", res.As(ViewLearner))
}

func TestGradeHTTPServiceOutOfMemory(t *testing.T) {
	sb := &fakeSandbox{Files: map[string][]byte{"/work/.grader-out/service": []byte("ELF")}}
	sb.RunFn = func(spec BoxSpec) Exit {
		switch spec.Role {
		case "tester":
			writeLines(spec.Stdout, `{"event":"fixtures_ready"}`)
			sb.await("service")
			writeLines(spec.Stdout, `{"event":"test","name":"create","status":"passed"}`, `{"event":"test","name":"secret edge case","status":"failed","message":"could not connect"}`)
		case "service":
			return Exit{Code: 137, OOMKilled: true}
		}
		return Exit{}
	}
	res, err := testEngine(sb).Grade(context.Background(), httpChallenge(), Submission{ID: "s"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusMemoryExceeded || res.Score != 0 {
		t.Errorf("status %s score %d", res.Status, res.Score)
	}
	// A test that passed before the service broke its limit does not count.
	if r := res.Tests[0]; r.Status != TestFailed || !strings.Contains(r.Message, "ran out of memory") {
		t.Errorf("test before the limit: %+v", r)
	}
}

func TestGradeGoSuiteRejectsLeakyBuilds(t *testing.T) {
	tests := []struct{ name, file, src, want string }{
		{"embed in tested package", "ledger.go", "package ledger\n\nimport _ \"embed\"\n\n//go:embed ledger_hidden_test.go\nvar leak string\n", "go:embed"},
		{"assembly incbin", "leak_amd64.s", ".incbin \"ledger_hidden_test.go\"\n", "assembly"},
		{"cgo", "c.go", "package ledger\n\n// #include <stdio.h>\nimport \"C\"\n", "cgo"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sb := &fakeSandbox{}
			sub := Submission{ID: "s", Files: []File{{Name: "go.mod", Data: []byte("module ledger\n")}, {Name: tc.file, Data: []byte(tc.src)}}}
			res, err := testEngine(sb).Grade(context.Background(), goChallenge(), sub, nil)
			if err != nil {
				t.Fatal(err)
			}
			if res.Status != StatusBuildFailed || !strings.Contains(res.Message, tc.want) {
				t.Errorf("status %s %q, want build_failed naming %q", res.Status, res.Message, tc.want)
			}
			if len(sb.roles()) != 0 {
				t.Errorf("boxes started for a rejected build: %v", sb.roles())
			}
		})
	}
}

// No learner code runs in a build, so a toolchain out of memory is the
// service's sizing: an error (retried), never a verdict.
func TestBuildOutOfMemoryIsAServiceFault(t *testing.T) {
	sb := &fakeSandbox{}
	sb.RunFn = func(spec BoxSpec) Exit {
		if spec.Role == "build" {
			return Exit{OOMKilled: true, Code: 137}
		}
		t.Errorf("a %s box ran after the build failed", spec.Role)
		return Exit{}
	}
	res, err := testEngine(sb).Grade(context.Background(), goChallenge(), Submission{ID: "s"}, nil)
	if err == nil || !strings.Contains(err.Error(), "toolchain ran out of memory") {
		t.Fatalf("Grade = %s %q, %v; want a service fault", res.Status, res.Message, err)
	}
}
