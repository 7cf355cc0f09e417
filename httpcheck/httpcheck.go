// Package httpcheck is the grader's http tester: it runs an http suite's
// scripted steps against a learner's service and reports each test as a
// JSON line. It runs in its own box inside the job's network namespace,
// so the hidden steps never enter the learner's container.
package httpcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
)

// maxBodyBytes caps how much of a response is read.
const maxBodyBytes = 1 << 20

// Run probes the service until it is ready, then runs every test of plan
// in order, writing grader.TesterEvent lines to out. A learner's failure
// is an event; the error is for the tester's own faults (writing out).
func Run(ctx context.Context, plan grader.TesterPlan, out io.Writer) error {
	r := &runner{plan: plan, enc: json.NewEncoder(out), client: newClient()}
	if err := r.ready(ctx); err != nil {
		msg := err.Error()
		if werr := r.emit(grader.TesterEvent{Event: grader.TesterNotReady, Message: msg}); werr != nil {
			return werr
		}
		for _, t := range plan.Tests {
			if werr := r.emit(grader.TesterEvent{Event: grader.TesterTest, Name: t.Name, Status: grader.TestFailed, Message: "not run: " + msg}); werr != nil {
				return werr
			}
		}
		return nil
	}
	if err := r.emit(grader.TesterEvent{Event: grader.TesterReady}); err != nil {
		return err
	}
	for _, t := range plan.Tests {
		if err := r.emit(grader.TesterEvent{Event: grader.TesterTestStarted, Name: t.Name}); err != nil {
			return err
		}
		start := time.Now()
		msg := r.runTest(ctx, t)
		ev := grader.TesterEvent{Event: grader.TesterTest, Name: t.Name, Status: grader.TestPassed, DurationMS: time.Since(start).Milliseconds()}
		if msg != "" {
			ev.Status, ev.Message = grader.TestFailed, msg
		}
		if err := r.emit(ev); err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
}

// DecodePlan reads a plan, refusing unknown fields.
func DecodePlan(rd io.Reader) (grader.TesterPlan, error) {
	var plan grader.TesterPlan
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&plan); err != nil {
		return plan, fmt.Errorf("decode tester plan: %w", err)
	}
	return plan, nil
}

type runner struct {
	plan   grader.TesterPlan
	enc    *json.Encoder
	client *http.Client
}

func newClient() *http.Client {
	return &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport: &http.Transport{
			Proxy:               nil,
			DisableKeepAlives:   true,
			MaxIdleConnsPerHost: -1,
		},
	}
}

func (r *runner) emit(ev grader.TesterEvent) error {
	if err := r.enc.Encode(ev); err != nil {
		return fmt.Errorf("write event: %w", err)
	}
	return nil
}

// ready polls GET ReadyPath until the service answers below 500.
func (r *runner) ready(ctx context.Context) error {
	timeout := r.plan.ReadyTimeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	url := r.plan.BaseURL + r.plan.ReadyPath
	var last error
	wait := 20 * time.Millisecond
	for {
		tctx, tcancel := context.WithTimeout(ctx, time.Second)
		req, _ := http.NewRequestWithContext(tctx, http.MethodGet, url, nil)
		resp, err := r.client.Do(req)
		if err == nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, maxBodyBytes))
			resp.Body.Close()
			if resp.StatusCode < 500 {
				tcancel()
				return nil
			}
			err = fmt.Errorf("it answered %d", resp.StatusCode)
		}
		tcancel()
		last = err
		select {
		case <-ctx.Done():
			return fmt.Errorf("the service did not answer GET %s on %s within %s: %s", r.plan.ReadyPath, strings.TrimPrefix(r.plan.BaseURL, "http://"), timeout, describe(last))
		case <-time.After(wait):
		}
		wait = min(wait*2, 250*time.Millisecond)
	}
}

// describe turns a client error into words a learner understands.
func describe(err error) string {
	if err == nil {
		return "no answer"
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "connection refused"):
		return "connection refused (is it listening on the right port, on all addresses?)"
	case errors.Is(err, context.DeadlineExceeded) || strings.Contains(msg, "deadline exceeded") || strings.Contains(msg, "Timeout"):
		return "it did not answer in time"
	case strings.Contains(msg, "EOF") || strings.Contains(msg, "connection reset"):
		return "the connection was closed without an answer (did it crash?)"
	}
	return msg
}
