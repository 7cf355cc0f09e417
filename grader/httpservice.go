package grader

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
)

// serviceRun is what running an http suite's tests against the learner's
// service found.
type serviceRun struct {
	tests   []TestResult
	verdict Status
	message string
	service Output
}

// serviceApp is what the learner's service box holds and runs: the
// compiled program of a Go submission, or the sources of an interpreted
// one with the command that starts them.
type serviceApp struct {
	files []File
	// cmd starts the service; "$PORT" is already replaced.
	cmd []string
	// env is added to the learner's environment.
	env []string
}

// runService runs the phases that runHTTPSuite lists, one function each,
// and removes every box it started when it returns.
func (j *job) runService(ctx context.Context, s Suite, svc serviceApp) (serviceRun, error) {
	boxes := &serviceBoxes{j: j}
	defer boxes.close()
	netns, err := j.startHolder(ctx, boxes)
	if err != nil {
		return serviceRun{}, err
	}
	plan, serviceEnv, err := j.startFixtures(ctx, boxes, netns, s)
	if err != nil {
		return serviceRun{}, err
	}
	tester, err := j.startTester(ctx, boxes, netns, s, plan)
	if err != nil {
		return serviceRun{}, err
	}
	app, texit, err := j.runTests(ctx, boxes, netns, svc, serviceEnv, tester)
	if err != nil {
		return serviceRun{}, err
	}
	tester.events.close()
	return j.judgeService(s, app, texit, tester.events.results)
}

// serviceBoxes are the boxes of one service run: the holder of the network
// namespace and the boxes that join it.
type serviceBoxes struct {
	j      *job
	holder Box
	boxes  []Box
}

// start starts a box that joins the namespace and keeps it for close.
func (b *serviceBoxes) start(ctx context.Context, spec BoxSpec) (Box, error) {
	box, err := b.j.startBox(ctx, spec)
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", spec.Role, err)
	}
	b.boxes = append(b.boxes, box)
	return box, nil
}

// close removes the boxes, the holder last: the others live in its
// namespace.
func (b *serviceBoxes) close() {
	b.j.closeAll(b.boxes)
	b.j.closeBox(b.holder)
}

// startHolder starts the box that owns the namespace (no network but
// loopback, with the fixtures' names resolving to it) and returns the
// namespace the other boxes join.
func (j *job) startHolder(ctx context.Context, boxes *serviceBoxes) (string, error) {
	holder := j.toolSpec("net")
	holder.Cmd = []string{"sandbox", "hold"}
	// It only sleeps, with nothing of the job: a worker's pool keeps
	// holders started.
	holder.Prestart = true
	for _, f := range j.ch.Fixtures {
		holder.Hosts = append(holder.Hosts, f.Name+":"+loopback)
	}
	hb, err := j.startBox(ctx, holder)
	if err != nil {
		return "", fmt.Errorf("start %s: %w", holder.Role, err)
	}
	boxes.holder = hb
	return hb.ID(), nil
}

// startFixtures starts the challenge's fixtures in the namespace. It
// returns the tester's plan, which names them, and the learner's service
// environment, which tells it where they are.
func (j *job) startFixtures(ctx context.Context, boxes *serviceBoxes, netns string, s Suite) (TesterPlan, []string, error) {
	svc := j.ch.Service
	port := svc.Port
	if port == 0 {
		port = 8080
	}
	plan := TesterPlan{
		BaseURL:      "http://" + loopback + ":" + strconv.Itoa(port),
		ReadyPath:    svc.ReadyPath,
		ReadyTimeout: j.limits.ReadyTimeout,
		TestTimeout:  j.limits.TestTimeout,
		Fixtures:     map[string]TesterFixture{},
		Tests:        s.Tests,
	}
	if plan.ReadyPath == "" {
		plan.ReadyPath = "/"
	}
	_, plan.Record = j.progress.(StepRecorder)
	serviceEnv := j.learnerEnv("PORT=" + strconv.Itoa(port))
	for _, f := range j.ch.Fixtures {
		spec, fx, env := j.fixtureSpec(f)
		spec.Network = netns
		if _, err := boxes.start(ctx, spec); err != nil {
			return plan, nil, err
		}
		plan.Fixtures[f.Name] = fx
		plan.WaitFor = append(plan.WaitFor, loopback+":"+strconv.Itoa(fixturePort(f)))
		serviceEnv = append(serviceEnv, env)
	}
	return plan, serviceEnv, nil
}

// boxWait is how waiting for a box ended.
type boxWait struct {
	exit Exit
	err  error
}

// runningTester is the tester's box, the reader of its events and the
// end of its wait, sent once.
type runningTester struct {
	box    Box
	events *testerReader
	done   chan boxWait
}

// startTester starts the tester with the plan; it waits for the fixtures
// before anything else and says when they listen.
func (j *job) startTester(ctx context.Context, boxes *serviceBoxes, netns string, s Suite, plan TesterPlan) (*runningTester, error) {
	planJSON, err := json.Marshal(plan)
	if err != nil {
		return nil, fmt.Errorf("encode tester plan: %w", err)
	}
	tester := j.toolSpec("tester")
	tester.Network = netns
	tester.Cmd = []string{"sandbox", "tester", workDir + "/plan.json"}
	tester.FilesDir = workDir
	tester.Files = []File{{Name: "plan.json", Mode: 0o444, Data: planJSON}}
	tester.Timeout = j.limits.RunTimeout
	tester.OutputBytes = testerOutputBytes
	events := newTesterReader(j, s)
	tester.Stdout = events
	tb, err := boxes.start(ctx, tester)
	if err != nil {
		return nil, err
	}
	t := &runningTester{box: tb, events: events, done: make(chan boxWait, 1)}
	go func() {
		exit, err := tb.Wait(ctx)
		t.done <- boxWait{exit, err}
	}()
	return t, nil
}

// runTests starts the learner's service once the fixtures listen, waits
// for the tester to run the steps against it, then stops the service. It
// returns the service's exit and the tester's; when the tester ends before
// the fixtures listen, the service never starts and its exit is zero.
func (j *job) runTests(ctx context.Context, boxes *serviceBoxes, netns string, svc serviceApp, env []string, t *runningTester) (Exit, Exit, error) {
	select {
	case <-t.events.fixturesReady:
	case w := <-t.done:
		if w.err != nil {
			return Exit{}, Exit{}, fmt.Errorf("wait for tester: %w", w.err)
		}
		return Exit{}, w.exit, nil
	case <-ctx.Done():
		<-t.done
		return Exit{}, Exit{}, ctx.Err()
	}
	app := j.boxSpec("service")
	app.Network = netns
	app.FilesDir = workDir
	app.WorkDir = workDir
	app.Files = svc.files
	app.Cmd = svc.cmd
	app.Env = append(env, svc.env...)
	app.Timeout = j.limits.RunTimeout + killGrace
	ab, err := boxes.start(ctx, app)
	if err != nil {
		_ = t.box.Kill(ctx)
		<-t.done
		return Exit{}, Exit{}, err
	}
	var stopped []Exit // the exits of services a restart stopped
	for {
		select {
		case w := <-t.done:
			_ = ab.Kill(ctx)
			aexit, err := ab.Wait(ctx)
			if err != nil {
				return Exit{}, Exit{}, fmt.Errorf("wait for service: %w", err)
			}
			if w.err != nil {
				return Exit{}, Exit{}, fmt.Errorf("wait for tester: %w", w.err)
			}
			return mergeExits(stopped, aexit), w.exit, nil
		case <-t.events.restarts:
			next, exit, err := j.restartService(ctx, boxes, ab, app, t)
			if err != nil {
				_ = t.box.Kill(ctx)
				<-t.done
				return Exit{}, Exit{}, err
			}
			stopped = append(stopped, exit)
			ab = next
		}
	}
}

// restartService stops the service box ab gracefully, waits until the
// tester saw its port close and starts a new box from the same spec: same
// command, environment and files, in the same namespace, beside the same
// fixtures. It returns the new box and the old one's exit. When the tester
// ends first, the new box is started anyway so that the caller has one to
// stop.
func (j *job) restartService(ctx context.Context, boxes *serviceBoxes, ab Box, app BoxSpec, t *runningTester) (Box, Exit, error) {
	var err error
	if st, ok := ab.(Stopper); ok {
		err = st.Stop(ctx, ServiceStopGrace)
	} else {
		err = ab.Kill(ctx)
	}
	if err != nil {
		return nil, Exit{}, fmt.Errorf("stop service for a restart: %w", err)
	}
	exit, err := ab.Wait(ctx)
	if err != nil {
		return nil, Exit{}, fmt.Errorf("wait for service to stop: %w", err)
	}
	j.closeBox(ab)
	select {
	case <-t.events.stopped:
	case w := <-t.done:
		// Hand the tester's end back to the caller's loop.
		t.done <- w
	}
	next, err := boxes.start(ctx, app)
	if err != nil {
		return nil, Exit{}, err
	}
	return next, exit, nil
}

// mergeExits folds the exits of services stopped by restarts into the last
// one: the output of all of them, and any limit one of them broke.
func mergeExits(stopped []Exit, last Exit) Exit {
	if len(stopped) == 0 {
		return last
	}
	out := Exit{Code: last.Code, TimedOut: last.TimedOut, Duration: last.Duration}
	for _, e := range append(stopped, last) {
		out.OOMKilled = out.OOMKilled || e.OOMKilled
		out.OutputExceeded = out.OutputExceeded || e.OutputExceeded
		out.Stdout.Text += e.Stdout.Text
		out.Stdout.Truncated = out.Stdout.Truncated || e.Stdout.Truncated
		out.Stderr.Text += e.Stderr.Text
		out.Stderr.Truncated = out.Stderr.Truncated || e.Stderr.Truncated
	}
	return out
}

// judgeService turns the two exits and the tester's results into the
// suite's tests and verdict. A tester that failed without reporting a test
// is a service fault, not the learner's.
func (j *job) judgeService(s Suite, aexit, texit Exit, results map[string]TestResult) (serviceRun, error) {
	var run serviceRun
	run.service = Output{Text: trimText(aexit.Stdout.Text+aexit.Stderr.Text, 8<<10), Truncated: aexit.Stdout.Truncated || aexit.Stderr.Truncated || len(aexit.Stdout.Text)+len(aexit.Stderr.Text) > 8<<10}

	missing := "did not finish: the tests stopped early"
	switch {
	case aexit.OOMKilled:
		run.verdict, run.message = StatusMemoryExceeded, fmt.Sprintf("the service ran out of memory (limit %d MiB)", j.limits.MemoryBytes>>20)
		missing = "not finished: " + run.message
	case aexit.OutputExceeded:
		run.verdict, run.message = StatusOutputExceeded, fmt.Sprintf("the service printed more than %d KiB", j.limits.OutputBytes>>10)
		missing = "not finished: " + run.message
	case texit.TimedOut:
		run.verdict, run.message = StatusTimedOut, fmt.Sprintf("the tests did not finish within %s", j.limits.RunTimeout)
		missing = "did not finish: " + run.message
	case texit.Code != 0 && len(results) == 0:
		return run, fmt.Errorf("tester failed (exit code %d): %s", texit.Code, trimText(texit.Stderr.Text, 2048))
	}
	// Every test talks to the one service: once it broke a limit, no
	// answer it gave can be trusted, so none of the suite's tests passes.
	serviceStopped := aexit.OOMKilled || aexit.OutputExceeded
	for _, t := range s.Tests {
		r, ok := results[t.Name]
		if !ok {
			r = TestResult{Name: t.Name, Suite: s.Name, Status: TestFailed, MaxPoints: t.Points, Visibility: t.Visibility, Message: missing}
		}
		if serviceStopped && r.Status == TestPassed {
			r.Status, r.Points, r.Message = TestFailed, 0, "failed because "+run.message+"; fix that first"
		}
		run.tests = append(run.tests, r)
	}
	return run, nil
}
