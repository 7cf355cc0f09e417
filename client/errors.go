package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/internal/termsafe"
)

// Error is an error answer of the service: its status, and the code and
// message of its JSON error document (or, without one, a code made of
// the status text and the start of the body). Code and Message are safe
// to print on one terminal line.
type Error struct {
	Status  int
	Code    string
	Message string
	// RetryAfter is the wait the service asked for, zero if none.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	s := fmt.Sprintf("the service answered %d %s: %s", e.Status, e.Code, e.Message)
	if e.Status == http.StatusTooManyRequests {
		if e.RetryAfter > 0 {
			s += fmt.Sprintf("; try again in %s (Retry-After)", e.RetryAfter)
		} else {
			s += "; try again later"
		}
	}
	return s
}

// Refused reports whether the service refused the request as the
// caller's to change (a 4xx answer), a rate limit (429) included.
func (e *Error) Refused() bool { return e.Status >= 400 && e.Status < 500 }

// AsError returns the *Error in err's chain, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Retryable reports whether an error of talking to the service may go
// away on its own: anything but a 4xx answer (408 and 429 excepted).
func Retryable(err error) bool {
	if e, ok := AsError(err); ok {
		return e.Status >= 500 || e.Status == http.StatusRequestTimeout || e.Status == http.StatusTooManyRequests
	}
	return true
}

// ErrStreamEnded is an event stream that ended before its done event.
var ErrStreamEnded = errors.New("the event stream ended before the submission was done")

// readError reads a non-2xx answer: the JSON error document when there
// is one, else the start of the body.
func readError(resp *http.Response) *Error {
	e := &Error{Status: resp.StatusCode, RetryAfter: ParseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var doc wire.ErrorBody
	if json.Unmarshal(b, &doc) == nil && doc.Error.Code != "" {
		e.Code, e.Message = clean(doc.Error.Code), clean(doc.Error.Message)
		return e
	}
	e.Code = strings.ToLower(strings.ReplaceAll(http.StatusText(resp.StatusCode), " ", "_"))
	if e.Code == "" {
		e.Code = "error"
	}
	e.Message = clean(string(b))
	if e.Message == "" {
		e.Message = "(no message)"
	}
	return e
}

// ParseRetryAfter reads a Retry-After header, seconds or an HTTP date,
// as a wait from now of at most a day; zero when there is none.
func ParseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(min(n, 24*3600)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now).Round(time.Second), 24*time.Hour)
	}
	return 0
}

// clean makes text from the service safe to print on one terminal line
// (see termsafe.Text), cut at 1000 bytes.
func clean(s string) string { return termsafe.Line(s, 1000) }
