package grader

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// FixtureSecretEnv carries a fixture's secret into its box, where only
// the fixture process can read it.
const FixtureSecretEnv = "GRADER_FIXTURE_SECRET"

// Addresses inside a job's network namespace.
const (
	loopback = "127.0.0.1"
	// testerOutputBytes caps the tester's own output.
	testerOutputBytes = 4 << 20
)

// runHTTPSuite builds the learner's service, then runs it in a private
// network namespace beside the suite's fixtures and the grader's tester:
//
//  1. a holder box with no network but loopback owns the namespace;
//  2. fixtures join it (Redis, the upstream) with their own secrets;
//  3. the tester joins, waits for the fixtures' ports and says so;
//  4. the learner's service joins and is probed until ready;
//  5. the tester runs the steps and reports each test.
//
// The hidden steps live only in the tester's box; the learner's box holds
// nothing but its own compiled program.
func (j *job) runHTTPSuite(ctx context.Context, s Suite) (suiteOutcome, error) {
	var out suiteOutcome
	svc := j.ch.Service
	if svc == nil {
		return out, fmt.Errorf("challenge has an http suite but no service")
	}
	if j.lang.Interpreted() {
		return j.runInterpretedHTTPSuite(ctx, s)
	}
	spec := j.buildSpec()
	for _, f := range j.sub.Files {
		f.Writable = true
		spec.Files = append(spec.Files, f)
	}
	spec.Files = append(spec.Files, buildDirs()...)
	main := svc.Main
	if main == "" {
		main = "."
	}
	spec.Cmd = append(append([]string{"go", "build"}, GoServiceBuildFlags...), "-o", workDir+"/"+outDir+"/service", "./"+main)
	binary, err := j.buildPhase(ctx, s, &out, spec, "service", "")
	if err != nil || binary == nil {
		return out, err
	}
	app := serviceApp{
		files: []File{{Name: "service", Mode: 0o555, Data: binary}},
		cmd:   []string{workDir + "/service"},
	}
	return out, j.runPhase(ctx, s, &out, app)
}

// GoServiceBuildFlags are the flags of `go build` for a learner's Go
// service. -s -w leave out the symbol table and DWARF, which nothing
// reads (a panic's trace comes from the runtime's own tables): the link
// takes about 0.6s less and the program is a third smaller, so copying it
// out of the build box and into the service's is quicker.
var GoServiceBuildFlags = []string{"-ldflags=-s -w"}

// runPhase runs the service with the suite's tests and records what they
// found in out.
func (j *job) runPhase(ctx context.Context, s Suite, out *suiteOutcome, app serviceApp) error {
	_, err := j.phase(ctx, "run", s, &out.timings, func() (bool, string, error) {
		r, err := j.runService(ctx, s, app)
		out.tests, out.verdict, out.message, out.service = r.tests, r.verdict, r.message, r.service
		return r.verdict == "", r.message, err
	})
	return err
}

// toolSpec is a box running the grader's own tools image: not learner
// code, but held to the same isolation.
func (j *job) toolSpec(role string) BoxSpec {
	return BoxSpec{
		Job:         j.sub.ID,
		Role:        role,
		Image:       j.e.cfg.ToolsImage,
		User:        SandboxUser,
		MemoryBytes: 128 << 20,
		NanoCPUs:    500_000_000,
		Pids:        64,
		TmpfsBytes:  4 << 20,
		OutputBytes: 64 << 10,
	}
}

func fixturePort(f Fixture) int {
	if f.Port != 0 {
		return f.Port
	}
	switch f.Kind {
	case FixtureRedis:
		return 6379
	case FixturePostgres:
		return 5432
	}
	return 9000
}

// fixtureSpec returns the box of fixture f, how the tester reaches it and
// the environment variable that tells the learner's service where it is.
func (j *job) fixtureSpec(f Fixture) (BoxSpec, TesterFixture, string) {
	port := strconv.Itoa(fixturePort(f))
	spec := j.toolSpec("fixture-" + f.Name)
	switch f.Kind {
	case FixtureRedis:
		spec.Image = j.e.cfg.RedisImage
		spec.MemoryBytes = 256 << 20
		spec.Cmd = []string{"--protected-mode", "no", "--save", "", "--appendonly", "no", "--bind", loopback, "--port", port}
		return spec, TesterFixture{Kind: f.Kind, URL: "redis://" + f.Name + ":" + port}, "REDIS_ADDR=" + f.Name + ":" + port
	case FixturePostgres:
		return j.postgresSpec(spec, f, port)
	default:
		secret := j.e.cfg.Random()
		delay := f.Delay
		spec.Cmd = []string{"sandbox", "upstream", "--addr", loopback + ":" + port, "--delay", delay.String()}
		spec.Env = []string{FixtureSecretEnv + "=" + secret}
		return spec, TesterFixture{Kind: f.Kind, URL: "http://" + loopback + ":" + port, Secret: secret}, "UPSTREAM_URL=http://" + f.Name + ":" + port
	}
}

// postgresSpec completes the box of a postgres fixture. The tester's
// superuser (grader) and the learner's role (app) get fresh passwords
// each job: the learner's service is told app's in DATABASE_URL, and only
// the fixture's and the tester's boxes hold grader's, as the upstream's
// controls secret.
func (j *job) postgresSpec(spec BoxSpec, f Fixture, port string) (BoxSpec, TesterFixture, string) {
	secret, app := j.e.cfg.Random(), j.e.cfg.Random()
	spec.Image = j.e.cfg.PostgresImage
	spec.MemoryBytes = 512 << 20
	spec.NanoCPUs = 1_000_000_000
	spec.Pids = 128
	// The cluster is copied onto /tmp; tables grow there too.
	spec.TmpfsBytes = 256 << 20
	spec.OutputBytes = 256 << 10
	spec.Cmd = []string{port}
	spec.Env = []string{FixtureSecretEnv + "=" + secret, "GRADER_APP_PASSWORD=" + app}
	tf := TesterFixture{
		Kind:   f.Kind,
		URL:    "postgres://grader:" + secret + "@" + loopback + ":" + port + "/app?sslmode=disable",
		Secret: secret,
		Schema: f.Schema,
		Seed:   f.Seed,
	}
	return spec, tf, "DATABASE_URL=postgres://app:" + app + "@" + f.Name + ":" + port + "/app?sslmode=disable"
}

// testerReader reads the tester's JSON lines as they come, reporting
// progress and collecting results.
type testerReader struct {
	j     *job
	s     Suite
	specs map[string]TestSpec
	pw    *io.PipeWriter

	fixturesReady chan struct{}
	readyOnce     sync.Once
	// restarts and stopped pass on the tester's "restart" and
	// "service_stopped" events; the tester sends one of each per restart
	// and waits for the service in between.
	restarts chan struct{}
	stopped  chan struct{}
	done     chan struct{}
	results  map[string]TestResult
}

func newTesterReader(j *job, s Suite) *testerReader {
	pr, pw := io.Pipe()
	r := &testerReader{j: j, s: s, specs: map[string]TestSpec{}, pw: pw,
		fixturesReady: make(chan struct{}), done: make(chan struct{}), results: map[string]TestResult{},
		restarts: make(chan struct{}, 1), stopped: make(chan struct{}, 1)}
	for _, t := range s.Tests {
		r.specs[t.Name] = t
	}
	go r.read(pr)
	return r
}

// Write passes tester output on; it never fails the writer.
func (r *testerReader) Write(b []byte) (int, error) {
	_, _ = r.pw.Write(b)
	return len(b), nil
}

// close ends the stream and waits for every event to be handled.
func (r *testerReader) close() {
	r.pw.Close()
	<-r.done
}

func (r *testerReader) read(pr *io.PipeReader) {
	defer close(r.done)
	defer r.readyOnce.Do(func() { close(r.fixturesReady) })
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var ev TesterEvent
		if json.Unmarshal(sc.Bytes(), &ev) != nil {
			continue
		}
		r.handle(ev)
	}
	_, _ = io.Copy(io.Discard, pr)
}

func (r *testerReader) handle(ev TesterEvent) {
	now := r.j.e.cfg.Now()
	switch ev.Event {
	case TesterFixturesReady:
		r.readyOnce.Do(func() { close(r.fixturesReady) })
	case TesterRestart:
		signal(r.restarts)
	case TesterServiceStopped:
		signal(r.stopped)
	case TesterTestStarted:
		if t, ok := r.specs[ev.Name]; ok {
			r.j.progress.Event(Event{Type: EventTestStarted, Suite: r.s.Name, Test: &TestResult{Name: t.Name, Suite: r.s.Name, Visibility: t.Visibility, MaxPoints: t.Points}, At: now})
		}
	case TesterStep:
		if rec, ok := r.j.progress.(StepRecorder); ok && ev.Step != nil {
			st := *ev.Step
			st.Suite, st.Test = r.s.Name, ev.Name
			rec.StepRecorded(st)
		}
	case TesterTest:
		t, ok := r.specs[ev.Name]
		if !ok {
			return
		}
		res := TestResult{Name: t.Name, Suite: r.s.Name, Status: ev.Status, MaxPoints: t.Points, Visibility: t.Visibility, Message: ev.Message, DurationMS: ev.DurationMS}
		if res.Status == TestPassed {
			res.Points = t.Points
		} else {
			res.Status = TestFailed
		}
		r.results[t.Name] = res
		r.j.progress.Event(Event{Type: EventTestFinished, Suite: r.s.Name, Test: &res, At: now})
	}
}

// signal sends on c unless a signal is already waiting there.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}
