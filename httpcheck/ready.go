package httpcheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"time"
)

// Readiness probing: each try gets probeTimeout, and tries are spaced
// from probeFirstWait up to probeMaxWait.
const (
	probeTimeout   = 2 * time.Second
	probeFirstWait = 20 * time.Millisecond
	probeMaxWait   = 250 * time.Millisecond
)

// waitReady sends GET ReadyPath until the service answers with a status
// below 500 or ReadyTimeout passes. It returns "" when the service is
// ready, else why it is not, in words for the learner; the error is set
// only when ctx itself ended.
func (r *runner) waitReady(ctx context.Context) (string, error) {
	rctx, cancel := context.WithTimeout(ctx, r.plan.ReadyTimeout)
	defer cancel()
	target := r.plan.BaseURL + r.plan.ReadyPath
	wait := probeFirstWait
	var last string
	for {
		status, err := r.probe(rctx, target)
		switch {
		case err == nil && status < 500:
			return "", nil
		case err == nil:
			last = status5xx(status)
		case rctx.Err() == nil || last == "":
			// An attempt cut short by the overall deadline says less
			// than the one before it.
			last, _ = describe(err)
		}
		if !sleep(rctx, wait) {
			if err := ctx.Err(); err != nil {
				return "", fmt.Errorf("wait for the service: %w", err)
			}
			return fmt.Sprintf("the service did not answer GET %s on port %s within %s: %s",
				r.plan.ReadyPath, portOf(r.plan.BaseURL), r.plan.ReadyTimeout, last), nil
		}
		wait = min(wait*2, probeMaxWait)
	}
}

// probe sends one GET and returns the status.
func (r *runner) probe(ctx context.Context, target string) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return 0, err
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

func status5xx(code int) string {
	return fmt.Sprintf("it answered %d %s", code, http.StatusText(code))
}

// portOf returns the port of base, an http URL.
func portOf(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return "?"
	}
	if p := u.Port(); p != "" {
		return p
	}
	return "80"
}

// Kinds of transport failure, for messages.
const (
	failOther = iota
	failRefused
	failTimeout
	failClosed
)

// describe turns a transport error into words a learner understands and
// says what kind of failure it was.
func describe(err error) (string, int) {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var op *net.OpError
	dialing := errors.As(err, &op) && op.Op == "dial"
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused", failRefused
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		if dialing {
			return "the connection could not be opened in time", failTimeout
		}
		return "the connection was accepted but no response came in time", failTimeout
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE):
		return "the connection was closed without a response", failClosed
	}
	return err.Error(), failOther
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
