package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/fixture"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/httpcheck"
)

// benchChallenge grades c's reference with the engine and does the same
// work directly on the host.
func benchChallenge(ctx context.Context, eng *grader.Engine, c *grader.Challenge, runs int) (row, error) {
	samples, err := challenges.SamplesOf(c)
	if err != nil {
		return row{}, err
	}
	dir := samples[0].Dir
	sub, err := grader.ReadDirIn("bench", samples[0].Language, dir, grader.SubmissionLimits{})
	if err != nil {
		return row{}, err
	}
	host := hostGoSuite
	target := 1.5
	what := "go test on the host"
	if c.HasSuite(grader.SuiteHTTP) {
		host, target, what = hostHTTPSuite, 1.5, "build, start and requests on the host"
	}
	missing := hostFixturesMissing(c)
	if len(missing) > 0 {
		host = nil
	} else if _, err := host(ctx, c, sub); err != nil { // warm the host's caches
		return row{}, fmt.Errorf("host baseline: %w", err)
	}
	var engine, baseline []time.Duration
	for i := 0; i < runs; i++ {
		start := time.Now()
		res, err := eng.Grade(ctx, c, sub, nil)
		if err != nil {
			return row{}, err
		}
		if !res.Passed() {
			return row{}, fmt.Errorf("the reference scored %d/%d", res.Score, res.MaxScore)
		}
		engine = append(engine, time.Since(start))
		if host == nil {
			continue
		}
		d, err := host(ctx, c, sub)
		if err != nil {
			return row{}, fmt.Errorf("host baseline: %w", err)
		}
		baseline = append(baseline, d)
	}
	if host == nil {
		return row{measure: "grade " + c.ID + " reference", value: secs(median(engine)), baseline: "-",
			target: fmt.Sprintf("<= %.1fx", target), skipped: true, note: missingNote(missing)}, nil
	}
	e, b := median(engine), median(baseline)
	ratio := e.Seconds() / b.Seconds()
	return row{
		measure: "grade " + c.ID + " reference", value: secs(e), baseline: secs(b) + " (" + what + ")",
		ratio: ratio, target: fmt.Sprintf("<= %.1fx", target), met: ratio <= target, note: missedBy(ratio, target),
	}, nil
}

// writeTree writes the submission's files (without its own tests) to a
// fresh folder.
func writeTree(sub grader.Submission) (string, error) {
	dir, err := os.MkdirTemp("", "gradebench-")
	if err != nil {
		return "", err
	}
	for _, f := range sub.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return "", err
		}
	}
	return dir, nil
}

func goCmd(ctx context.Context, dir string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %v: %w: %s", args, err, out.String())
	}
	return nil
}

// hostGoSuite runs the go suites' hidden tests with the learner's code
// on the host, as `go test -json` would.
func hostGoSuite(ctx context.Context, c *grader.Challenge, sub grader.Submission) (time.Duration, error) {
	dir, err := writeTree(sub)
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	for _, s := range c.Suites {
		if s.Kind != grader.SuiteGo {
			continue
		}
		for name, data := range s.Files {
			os.WriteFile(filepath.Join(dir, s.Package, filepath.Base(name)), data, 0o644)
		}
		args := []string{"test", "-json", "-count=1", "-vet=off"}
		env := []string{"CGO_ENABLED=0"}
		if s.Race {
			args = append(args, "-race")
			env = []string{"CGO_ENABLED=1"}
		}
		if err := goCmd(ctx, dir, env, append(args, "./"+s.Package)...); err != nil {
			return 0, err
		}
	}
	return time.Since(start), nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// hostHTTPSuite builds the Go service, starts it with its fixtures on the
// host's loopback, and runs the same scripted requests.
func hostHTTPSuite(ctx context.Context, c *grader.Challenge, sub grader.Submission) (time.Duration, error) {
	t, err := hostHTTP(ctx, c, grader.LanguageGo, sub)
	return t.total, err
}

// hostTimes are the host baseline's durations: its build step and the
// whole of it (build, start and requests).
type hostTimes struct {
	build, total time.Duration
}

// hostHTTP does on the host what an http suite does with sub in lang:
// the build step (see hostBuild), the fixtures and the service on the
// host's loopback, then the same tester plan. Every test must pass.
func hostHTTP(ctx context.Context, c *grader.Challenge, lang grader.Language, sub grader.Submission) (hostTimes, error) {
	var t hostTimes
	dir, err := writeTree(sub)
	if err != nil {
		return t, err
	}
	defer os.RemoveAll(dir)
	start := time.Now()
	if err := hostBuild(ctx, c, lang, dir, sub); err != nil {
		return t, err
	}
	t.build = time.Since(start)
	port, err := freePort()
	if err != nil {
		return t, err
	}
	env := append(os.Environ(), "PORT="+strconv.Itoa(port))
	env = append(env, hostEnv(lang)...)
	for k, v := range c.Env {
		env = append(env, k+"="+v)
	}
	plan := grader.TesterPlan{BaseURL: "http://127.0.0.1:" + strconv.Itoa(port), ReadyPath: c.Service.ReadyPath,
		ReadyTimeout: 15 * time.Second, TestTimeout: c.Limits.TestTimeout, Fixtures: map[string]grader.TesterFixture{}}
	var cleanups []func()
	defer func() {
		for _, f := range cleanups {
			f()
		}
	}()
	for _, f := range c.Fixtures {
		fport, err := freePort()
		if err != nil {
			return t, err
		}
		addr := "127.0.0.1:" + strconv.Itoa(fport)
		switch f.Kind {
		case grader.FixtureRedis:
			cmd := exec.CommandContext(ctx, "redis-server", "--port", strconv.Itoa(fport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
			if err := cmd.Start(); err != nil {
				return t, fmt.Errorf("start redis-server (apt-get install redis-server): %w", err)
			}
			cleanups = append(cleanups, func() { cmd.Process.Kill(); cmd.Wait() })
			env = append(env, "REDIS_ADDR="+addr)
			waitTCP(addr)
		case grader.FixtureUpstream:
			srv := &http.Server{Handler: fixture.NewUpstream(fixture.UpstreamConfig{Delay: f.Delay, Secret: "bench"})}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return t, err
			}
			go srv.Serve(ln)
			cleanups = append(cleanups, func() { srv.Close() })
			plan.Fixtures[f.Name] = grader.TesterFixture{URL: "http://" + addr, Secret: "bench"}
			env = append(env, "UPSTREAM_URL=http://"+addr)
		case grader.FixturePostgres:
			tmpl, err := hostPostgres(ctx)
			if err != nil {
				return t, err
			}
			pg, err := tmpl.start(ctx)
			if err != nil {
				return t, err
			}
			cleanups = append(cleanups, pg.stop)
			plan.Fixtures[f.Name] = grader.TesterFixture{Kind: f.Kind, URL: pg.url("grader", tmpl.secret), Secret: tmpl.secret,
				Schema: f.Schema, Seed: f.Seed}
			env = append(env, "DATABASE_URL="+pg.url("app", tmpl.app))
		}
	}
	// As the tester does before it reports the fixtures ready: wait for
	// every database, then apply its schema and seed.
	if err := httpcheck.PrepareDatabases(ctx, plan); err != nil {
		return t, err
	}
	argv, err := hostStart(c, lang, dir, port)
	if err != nil {
		return t, err
	}
	svc := &hostService{ctx: ctx, argv: argv, dir: dir, env: env, out: &tailBuffer{max: 4 << 10}}
	if err := svc.start(); err != nil {
		return t, err
	}
	cleanups = append(cleanups, svc.stop)
	for _, s := range c.Suites {
		if s.Kind == grader.SuiteHTTP {
			plan.Tests = append(plan.Tests, s.Tests...)
		}
	}
	var events bytes.Buffer
	if err := httpcheck.Run(ctx, plan, &testerEvents{w: &events, svc: svc}); err != nil {
		return t, fmt.Errorf("%w; the service printed: %s", err, svc.out.String())
	}
	t.total = time.Since(start)
	if err := testerFailures(events.Bytes()); err != nil {
		return t, fmt.Errorf("%w; the service printed: %s", err, svc.out.String())
	}
	return t, nil
}

// hostFixturesMissing lists the Debian packages the host lacks to run c's
// fixtures.
func hostFixturesMissing(c *grader.Challenge) []string {
	var missing []string
	for _, f := range c.Fixtures {
		switch f.Kind {
		case grader.FixtureRedis:
			if _, err := exec.LookPath("redis-server"); err != nil && !slices.Contains(missing, "redis-server") {
				missing = append(missing, "redis-server")
			}
		case grader.FixturePostgres:
			if !hasHostPostgres() && !slices.Contains(missing, hostPGPackage) {
				missing = append(missing, hostPGPackage)
			}
		}
	}
	return missing
}

func waitTCP(addr string) {
	for i := 0; i < 100; i++ {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}
