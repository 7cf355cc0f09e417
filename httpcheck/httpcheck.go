// Package httpcheck is the grader's http tester: it runs an http suite's
// scripted steps against a learner's service and reports each test as a
// JSON line (grader.TesterEvent). It runs in its own box inside the job's
// network namespace, so the hidden steps never enter the learner's
// container.
//
// Messages are written for the learner: a failed step names the step and
// says what was expected and what came back.
package httpcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/gradebox/grader/grader"
)

// Defaults for zero fields of a plan, and the tester's own bounds.
const (
	// defaultReadyTimeout and defaultTestTimeout match
	// grader.DefaultLimits.
	defaultReadyTimeout = 15 * time.Second
	defaultTestTimeout  = 10 * time.Second
	// maxBodyBytes caps how much of a response body is read.
	maxBodyBytes = 1 << 20
)

// Run probes the service until it is ready, then runs every test of plan
// in order, writing one grader.TesterEvent line per event to out:
// "ready" (or "not_ready" followed by every test failed with the reason),
// then "test_started" and "test" for each test, with "restart" and
// "service_stopped" in between for each step that restarts the service
// (the reader of out restarts it; see grader.TesterRestart).
//
// A learner's failure is an event, never an error. Run returns an error
// only for the tester's own faults: an invalid plan (before anything is
// written), a failed write to out, or ctx ending before the tests did.
func Run(ctx context.Context, plan grader.TesterPlan, out io.Writer) error {
	if err := validatePlan(plan); err != nil {
		return err
	}
	if plan.ReadyPath == "" {
		plan.ReadyPath = "/"
	}
	if plan.ReadyTimeout == 0 {
		plan.ReadyTimeout = defaultReadyTimeout
	}
	if plan.TestTimeout == 0 {
		plan.TestTimeout = defaultTestTimeout
	}
	r := &runner{plan: plan, enc: json.NewEncoder(out), client: newClient(false), follow: newClient(true)}
	defer r.client.CloseIdleConnections()
	defer r.follow.CloseIdleConnections()
	defer r.closeDBs()

	start := time.Now()
	reason, err := r.waitReady(ctx)
	if err != nil {
		return err
	}
	if reason != "" {
		return r.notReady(reason)
	}
	if err := r.emit(grader.TesterEvent{Event: grader.TesterReady, DurationMS: time.Since(start).Milliseconds()}); err != nil {
		return err
	}
	for _, t := range plan.Tests {
		if err := r.runTest(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// runner runs one plan.
type runner struct {
	plan   grader.TesterPlan
	enc    *json.Encoder
	client *http.Client
	// follow is the client of steps that follow redirects.
	follow *http.Client
	// dbs are the open connections to postgres fixtures, by name.
	dbs map[string]*pgx.Conn
}

// maxRedirects is how many redirects a step that follows them takes
// before it fails.
const maxRedirects = 10

// newClient returns a client that ignores proxy settings and leaves bodies
// as the service sent them (no transparent gzip), so tests see exactly what
// the service answered. Unless follow is set it reports redirects instead
// of following them.
func newClient(follow bool) *http.Client {
	redirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	if follow {
		redirect = func(_ *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("more than %d redirects, starting at %s", maxRedirects, via[0].URL.RequestURI())
			}
			return nil
		}
	}
	return &http.Client{
		CheckRedirect: redirect,
		Transport: &http.Transport{
			Proxy:              nil,
			DialContext:        (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
			DisableKeepAlives:  true,
			DisableCompression: true,
		},
	}
}

func (r *runner) emit(ev grader.TesterEvent) error {
	if err := r.enc.Encode(ev); err != nil {
		return fmt.Errorf("write %s event: %w", ev.Event, err)
	}
	return nil
}

// notReady reports that the service never answered and fails every test
// with the same reason.
func (r *runner) notReady(reason string) error {
	if err := r.emit(grader.TesterEvent{Event: grader.TesterNotReady, Message: reason}); err != nil {
		return err
	}
	for _, t := range r.plan.Tests {
		if err := r.emit(grader.TesterEvent{Event: grader.TesterTest, Name: t.Name, Status: grader.TestFailed, Message: reason}); err != nil {
			return err
		}
	}
	return nil
}

// runTest runs one test under the plan's TestTimeout and reports it.
func (r *runner) runTest(ctx context.Context, t grader.TestSpec) error {
	if err := r.emit(grader.TesterEvent{Event: grader.TesterTestStarted, Name: t.Name}); err != nil {
		return err
	}
	start := time.Now()
	msg, err := r.steps(ctx, t)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		// The tester is being stopped: the outcome is unknown, not failed.
		return fmt.Errorf("run test %q: %w", t.Name, err)
	}
	ev := grader.TesterEvent{Event: grader.TesterTest, Name: t.Name, Status: grader.TestPassed, DurationMS: time.Since(start).Milliseconds()}
	if msg != "" {
		ev.Status, ev.Message = grader.TestFailed, msg
	}
	return r.emit(ev)
}

// sleep waits d or until ctx is done; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
