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

	"github.com/gradebox/grader/grader"
)

// steps runs a test's steps with fresh captures under the plan's
// TestTimeout and returns "" when it passed, else why it failed: the
// first step that failed. A plan that records runs every step (unless
// the time limit ran out) and reports each as a "step" event; an error
// is a failed write of one.
func (r *runner) steps(ctx context.Context, t grader.TestSpec) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, r.plan.TestTimeout)
	defer cancel()
	v := vars{}
	failed := ""
	for i, st := range t.Steps {
		if st.Wait > 0 && !sleep(ctx, st.Wait) {
			return cmp.Or(failed, fmt.Sprintf("%s: the test's time limit (%s) ran out during the %s wait", stepLabel(i, st, ""), r.plan.TestTimeout, st.Wait)), nil
		}
		if st.Request == nil {
			continue
		}
		sent, got, msg := r.step(ctx, st, v)
		if r.plan.Record {
			if err := r.record(t.Name, i, st, sent, got, msg, v); err != nil {
				return "", err
			}
		}
		if msg == "" {
			continue
		}
		failed = cmp.Or(failed, stepLabel(i, st, sent)+": "+msg)
		if !r.plan.Record || ctx.Err() != nil {
			break
		}
	}
	return failed, nil
}

// stepLabel names a step in messages: by its name, else by its number and
// its request as sent (sent, e.g. "GET /notes/7", with every ${} already
// substituted), or as written in the test when it could not be built.
func stepLabel(i int, st grader.Step, sent string) string {
	if st.Name != "" {
		return fmt.Sprintf("step %q", st.Name)
	}
	if sent == "" && st.Request != nil {
		sent = methodOf(st.Request) + " " + st.Request.Path
	}
	if sent != "" {
		return fmt.Sprintf("step %d (%s)", i+1, sent)
	}
	return fmt.Sprintf("step %d", i+1)
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
	client := r.client
	if st.Request.FollowRedirects {
		client = r.follow
	}
	resp, err := client.Do(req)
	if err != nil {
		return sent, nil, r.transportFailure(ctx, st.Request.Target, err, false)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	_ = resp.Body.Close()
	if err != nil {
		return sent, nil, r.transportFailure(ctx, st.Request.Target, err, true)
	}
	got = &response{Response: resp, body: body}
	if resp.Request != nil && resp.Request.URL.String() != req.URL.String() {
		got.redirectedTo = resp.Request.URL.RequestURI()
	}
	if len(body) > maxBodyBytes {
		got.body, got.truncated = body[:maxBodyBytes], true
	}
	msg = check(st.Expect, *got, v)
	if msg == "" || r.plan.Record {
		msg = cmp.Or(msg, captureAll(st.Capture, *got, v))
	}
	return sent, got, msg
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
