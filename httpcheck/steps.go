package httpcheck

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
)

// steps runs a test's steps with fresh captures under the plan's
// TestTimeout and returns "" when it passed, else why it failed: the
// first step that failed. The time a restart takes does not count toward
// the limit. A plan that records runs every step (unless the time limit
// ran out or a restart failed) and reports each as a "step" event; an
// error is a failed write of one, or ctx ending during a restart.
func (r *runner) steps(ctx context.Context, t grader.TestSpec) (string, error) {
	deadline := time.Now().Add(r.plan.TestTimeout)
	v := vars{}
	failed := ""
	for i, st := range t.Steps {
		msg, stop, err := r.runStep(ctx, t.Name, i, st, v, &deadline)
		if err != nil {
			return "", err
		}
		if msg == "" {
			continue
		}
		failed = cmp.Or(failed, msg)
		if stop || !r.plan.Record {
			break
		}
	}
	return failed, nil
}

// runStep runs step i before the test's deadline and returns "" when it
// passed, else its failure with the step's label. stop is set when no
// later step can run (the time ran out, the restart failed). A restart
// runs under ctx alone and moves deadline on by the time it took.
func (r *runner) runStep(ctx context.Context, test string, i int, st grader.Step, v vars, deadline *time.Time) (msg string, stop bool, err error) {
	wctx, cancel := context.WithDeadline(ctx, *deadline)
	defer cancel()
	if st.Wait > 0 && !sleep(wctx, st.Wait) {
		return fmt.Sprintf("%s: the test's time limit (%s) ran out during the %s wait", stepLabel(i, st, ""), r.plan.TestTimeout, st.Wait), true, nil
	}
	if st.Restart {
		start := time.Now()
		why, err := r.restart(ctx)
		if err != nil {
			return "", true, err
		}
		*deadline = deadline.Add(time.Since(start))
		if why != "" {
			msg = stepLabel(i, st, "") + ": " + why
			if r.plan.Record {
				err = r.emit(grader.TesterEvent{Event: grader.TesterStep, Name: test, Step: &grader.StepRecord{Step: i + 1, Name: st.Name, Restarted: true, Failure: why}})
			}
			return msg, true, err
		}
	}
	if st.Request == nil {
		if st.Restart && r.plan.Record {
			err = r.emit(grader.TesterEvent{Event: grader.TesterStep, Name: test, Step: &grader.StepRecord{Step: i + 1, Name: st.Name, Restarted: true}})
		}
		return "", false, err
	}
	// The step's own deadline starts after its restart.
	sctx, cancel := context.WithDeadline(ctx, *deadline)
	defer cancel()
	var sent, why string
	var got []*response
	if st.Requests() > 1 {
		sent, got, why = r.stepSet(sctx, st, v)
	} else {
		var one *response
		sent, one, why = r.step(sctx, st, v)
		if one != nil {
			got = []*response{one}
		}
	}
	if r.plan.Record {
		if err := r.record(test, i, st, sent, got, why, v); err != nil {
			return "", true, err
		}
	}
	if why == "" {
		return "", false, nil
	}
	return stepLabel(i, st, sent) + ": " + why, sctx.Err() != nil, nil
}

// stepLabel names a step in messages: by its name, else by its number and
// its request as sent (sent, e.g. "GET /notes/7", with every ${} already
// substituted), or as written in the test when it could not be built.
func stepLabel(i int, st grader.Step, sent string) string {
	if st.Name != "" {
		return fmt.Sprintf("step %q", st.Name)
	}
	if what := stepWhat(st, sent); what != "" {
		return fmt.Sprintf("step %d (%s)", i+1, what)
	}
	return fmt.Sprintf("step %d", i+1)
}

// stepWhat says what a step does: "GET /x", "GET /x ×10 in parallel",
// "restart, then GET /x ×3 in a row", "restart".
func stepWhat(st grader.Step, sent string) string {
	if sent == "" && st.Request != nil {
		sent = methodOf(st.Request) + " " + st.Request.Path
	}
	switch {
	case sent == "":
	case st.Parallel > 0:
		sent += fmt.Sprintf(" ×%d in parallel", st.Parallel)
	case st.Repeat > 0:
		sent += fmt.Sprintf(" ×%d in a row", st.Repeat)
	}
	switch {
	case st.Restart && sent != "":
		return "restart, then " + sent
	case st.Restart:
		return "restart"
	}
	return sent
}

func methodOf(rq *grader.Request) string {
	if rq.Method == "" {
		return http.MethodGet
	}
	return strings.ToUpper(rq.Method)
}

// response is what a step received.
type response struct {
	*http.Response
	body []byte
	// truncated is set when the body was longer than maxBodyBytes; body
	// then holds its beginning.
	truncated bool
	// redirectedTo is where redirects led a step that follows them ("" when
	// the first answer was the last).
	redirectedTo string
	// elapsed is from just before the request was sent until its body was
	// read.
	elapsed time.Duration
	// queries is how many database statements the service ran to answer,
	// when the step counted them.
	queries int64
}

// step sends a step's request, checks the response and stores its
// captures in v (when a plan records, even if the checks failed, so that
// later steps can run). It returns the request as sent ("GET /notes/7",
// or "" when it could not be built), the response (nil when none came)
// and "" on success, else what went wrong.
func (r *runner) step(ctx context.Context, st grader.Step, v vars) (sent string, got *response, msg string) {
	if r.isQuery(st.Request) {
		return r.query(ctx, st, v)
	}
	req, err := r.request(ctx, st.Request, v)
	if err != nil {
		return "", nil, err.Error()
	}
	sent = req.Method + " " + req.URL.RequestURI()
	// A recording counts every request's queries, so an author sees what
	// bound to write.
	count := st.Expect.MaxQueries != nil || (r.plan.Record && len(postgresFixtures(r.plan)) > 0)
	var before queryCount
	if count {
		if before, err = r.countQueries(ctx); err != nil {
			return sent, nil, err.Error()
		}
	}
	got, msg = r.send(ctx, st.Request, req)
	if got == nil {
		return sent, nil, msg
	}
	// The content first, then the query count (exact), then the time
	// (coarse), so that a response that fails several says the surest.
	msg = check(st.Expect, *got, v)
	if count {
		after, err := r.countQueries(ctx)
		if err != nil {
			return sent, got, cmp.Or(msg, err.Error())
		}
		got.queries = after.calls - before.calls
		if msg == "" && st.Expect.MaxQueries != nil {
			msg = checkQueries(*st.Expect.MaxQueries, before, after)
		}
	}
	msg = cmp.Or(msg, checkTime(st.Expect, *got))
	if msg == "" || r.plan.Record {
		msg = cmp.Or(msg, captureAll(st.Capture, *got, v))
	}
	return sent, got, msg
}

// send sends req, built from rq, and reads the response; it returns nil
// and why when no complete response came.
func (r *runner) send(ctx context.Context, rq *grader.Request, req *http.Request) (*response, string) {
	client := r.client
	if rq.FollowRedirects {
		client = r.follow
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return nil, r.transportFailure(ctx, rq.Target, err, false)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	_ = resp.Body.Close()
	elapsed := time.Since(start)
	if err != nil {
		return nil, r.transportFailure(ctx, rq.Target, err, true)
	}
	got := &response{Response: resp, body: body, elapsed: elapsed}
	if resp.Request != nil && resp.Request.URL.String() != req.URL.String() {
		got.redirectedTo = resp.Request.URL.RequestURI()
	}
	if len(body) > maxBodyBytes {
		got.body, got.truncated = body[:maxBodyBytes], true
	}
	return got, ""
}

// request builds the http.Request of rq with v substituted.
func (r *runner) request(ctx context.Context, rq *grader.Request, v vars) (*http.Request, error) {
	base, secret := r.plan.BaseURL, ""
	if rq.Target != "" && rq.Target != "app" {
		fx := r.plan.Fixtures[rq.Target]
		base, secret = strings.TrimRight(fx.URL, "/"), fx.Secret
	}
	path, err := v.expand(rq.Path)
	if err != nil {
		return nil, err
	}
	var body io.Reader
	contentType := ""
	switch {
	case len(rq.JSON) > 0:
		b, err := v.expandJSON(rq.JSON)
		if err != nil {
			return nil, err
		}
		body, contentType = bytes.NewReader(b), "application/json"
	case rq.Body != "":
		b, err := v.expand(rq.Body)
		if err != nil {
			return nil, err
		}
		body = strings.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, methodOf(rq), base+path, body)
	if err != nil {
		return nil, fmt.Errorf("cannot send %s %s: %w", methodOf(rq), path, err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for _, k := range slices.Sorted(maps.Keys(rq.Headers)) {
		val, err := v.expand(rq.Headers[k])
		if err != nil {
			return nil, err
		}
		if http.CanonicalHeaderKey(k) == "Host" {
			req.Host = val
			continue
		}
		req.Header.Set(k, val)
	}
	if secret != "" {
		req.Header.Set(grader.FixtureSecretHeader, secret)
	}
	return req, nil
}

// transportFailure words a failed exchange; reading tells a failure while
// reading the body from one before the response came.
func (r *runner) transportFailure(ctx context.Context, target string, err error, reading bool) string {
	if ctx.Err() != nil && errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no complete response within the test's time limit (%s)", r.plan.TestTimeout)
	}
	who, hint := "the service", " — did it crash?"
	if target != "" && target != "app" {
		who, hint = fmt.Sprintf("fixture %q", target), ""
	}
	reason, kind := describe(err)
	switch {
	case reading:
		return fmt.Sprintf("%s broke off its response: %s%s", who, reason, hint)
	case kind == failRefused:
		return fmt.Sprintf("could not connect to %s: %s%s", who, reason, hint)
	case kind == failClosed:
		return fmt.Sprintf("%s closed the connection without a response%s", who, hint)
	}
	return fmt.Sprintf("request to %s failed: %s", who, reason)
}
