// Package client is the Go client of the grading service's v1 API: one
// Client that sends submissions under the service's retry, rate-limit and
// idempotency rules, follows a submission's event stream across dropped
// connections, and calls the cohort routes. Its documents are those of
// package api/wire, which the server answers with; its errors are typed
// (*Error for an answer of the service) and say nothing of how a program
// reports them.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Defaults of Config.
const (
	// DefaultSubmitAttempts is how often a submission is sent before
	// giving up on connection errors and 502, 503 and 504 answers.
	DefaultSubmitAttempts = 4
	// DefaultRetryBase is the first pause between attempts; it doubles
	// with each failure up to RetryMax.
	DefaultRetryBase = 500 * time.Millisecond
	// DefaultStreamIdle is how long an event stream may stay silent (no
	// event, no heartbeat) before the client drops it and reconnects.
	DefaultStreamIdle = 60 * time.Second
	// DefaultMaxReconnects bounds consecutive reconnects of an event
	// stream that bring no new event.
	DefaultMaxReconnects = 5
	// DefaultUserAgent is sent with every request.
	DefaultUserAgent = "grader-cli"
)

const (
	// RetryMax caps the pause between attempts.
	RetryMax = 8 * time.Second
	// MaxServerRetry caps how long a server's Retry-After on a 5xx, or
	// an event stream's retry: field, makes the client wait.
	MaxServerRetry = 30 * time.Second
	// LimitedWait is how long to wait after a 429 that names no
	// Retry-After; MaxLimitedWait caps one such wait, whatever the
	// service asks.
	LimitedWait    = 5 * time.Second
	MaxLimitedWait = time.Minute
)

const (
	// uploadTimeout bounds one upload or other request that sends or
	// reads a large body.
	uploadTimeout = 2 * time.Minute
	// callTimeout bounds one small JSON GET.
	callTimeout = 30 * time.Second
	// maxDocBytes caps a JSON answer of the service.
	maxDocBytes = 16 << 20
	// maxRawBytes caps a raw answer (a report).
	maxRawBytes = 256 << 20
)

// idPattern is what an id from the service must look like before it goes
// into a URL.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// ValidID reports whether s can be a submission, cohort, challenge or
// regrade id: letters, digits, '.', '_', '-', at most 128.
func ValidID(s string) bool { return idPattern.MatchString(s) }

// Config configures a Client.
type Config struct {
	// Server is the service's base URL, such as http://127.0.0.1:8080.
	Server string
	// Token is the bearer token sent with every request.
	Token string
	// HTTPClient sends the requests (default: a new http.Client). Its
	// Timeout, if any, is not applied to event streams, which are
	// long-lived; each call has its own deadline.
	HTTPClient *http.Client
	// Logger hears of retries and reconnects (default: discarded).
	Logger *slog.Logger
	// UserAgent is sent with every request (default DefaultUserAgent).
	UserAgent string
	// SubmitAttempts, RetryBase, StreamIdle and MaxReconnects default
	// to the Default constants when zero; a negative MaxReconnects means
	// a dropped event stream is not resumed.
	SubmitAttempts int
	RetryBase      time.Duration
	StreamIdle     time.Duration
	MaxReconnects  int
}

// Client calls one grading service with one bearer token. It is safe for
// concurrent use.
type Client struct {
	base *url.URL
	cfg  Config
	http *http.Client
	// stream sends event-stream requests: http without its Timeout.
	stream *http.Client
	log    *slog.Logger
}

// New returns a Client of the service at cfg.Server.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(cfg.Server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: use the service's base URL, such as http://127.0.0.1:8080", cfg.Server)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.UserAgent == "" {
		cfg.UserAgent = DefaultUserAgent
	}
	if cfg.SubmitAttempts <= 0 {
		cfg.SubmitAttempts = DefaultSubmitAttempts
	}
	if cfg.RetryBase <= 0 {
		cfg.RetryBase = DefaultRetryBase
	}
	if cfg.StreamIdle <= 0 {
		cfg.StreamIdle = DefaultStreamIdle
	}
	switch {
	case cfg.MaxReconnects == 0:
		cfg.MaxReconnects = DefaultMaxReconnects
	case cfg.MaxReconnects < 0:
		cfg.MaxReconnects = 0
	}
	stream := *cfg.HTTPClient
	stream.Timeout = 0
	return &Client{base: u, cfg: cfg, http: cfg.HTTPClient, stream: &stream, log: cfg.Logger}, nil
}

// WithToken returns a copy of c that sends token instead.
func (c *Client) WithToken(token string) *Client {
	d := *c
	d.cfg.Token = token
	return &d
}

// Server returns the service's base URL with any password hidden.
func (c *Client) Server() string { return c.base.Redacted() }

// URL returns the absolute URL of an API path, each part escaped.
func (c *Client) URL(parts ...string) string {
	u := *c.base
	raw := u.EscapedPath()
	for _, p := range parts {
		u.Path += "/" + p
		raw += "/" + url.PathEscape(p)
	}
	u.RawPath = raw
	return u.String()
}

// Resolve returns a link the service answered as an absolute URL.
func (c *Client) Resolve(link string) string {
	ref, err := url.Parse(link)
	if err != nil {
		return link
	}
	return c.base.ResolveReference(ref).String()
}

// call is one request of the API.
type call struct {
	method string
	url    string
	// body is sent as is with contentType; jsonBody, when set, is
	// encoded instead.
	body        []byte
	contentType string
	jsonBody    any
	header      map[string]string
	// timeout bounds the call, answer read included; zero means none,
	// for an event stream, which ctx bounds.
	timeout time.Duration
	// stream sends with the client without a Timeout.
	stream bool
	// want are the statuses that succeed; empty means any 2xx.
	want []int
}

// do is the one send path of the client: it sends cl with the token and
// returns the answer, open, when its status is one of cl.want; any other
// answer is read into an *Error. The caller closes the body and then
// calls the returned cancel.
func (c *Client) do(ctx context.Context, cl call) (*http.Response, context.CancelFunc, error) {
	if cl.jsonBody != nil {
		b, err := json.Marshal(cl.jsonBody)
		if err != nil {
			return nil, nil, fmt.Errorf("encode request: %w", err)
		}
		cl.body, cl.contentType = b, "application/json"
	}
	var cancel context.CancelFunc
	if cl.timeout > 0 {
		ctx, cancel = context.WithTimeout(ctx, cl.timeout)
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	var body io.Reader
	if cl.body != nil {
		body = bytes.NewReader(cl.body)
	}
	req, err := c.newRequest(ctx, cl.method, cl.url, body)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	if cl.contentType != "" {
		req.Header.Set("Content-Type", cl.contentType)
	}
	for k, v := range cl.header {
		req.Header.Set(k, v)
	}
	hc := c.http
	if cl.stream {
		hc = c.stream
	}
	resp, err := hc.Do(req)
	if err != nil {
		cancel()
		return nil, nil, err
	}
	if !wanted(resp.StatusCode, cl.want) {
		defer cancel()
		defer resp.Body.Close()
		return nil, nil, readError(resp)
	}
	return resp, cancel, nil
}

func wanted(status int, want []int) bool {
	if len(want) == 0 {
		return status >= 200 && status <= 299
	}
	for _, w := range want {
		if status == w {
			return true
		}
	}
	return false
}

// doJSON sends cl and decodes the answer into out (none when nil).
func (c *Client) doJSON(ctx context.Context, cl call, out any) error {
	if cl.header == nil {
		cl.header = map[string]string{}
	}
	cl.header["Accept"] = "application/json"
	resp, cancel, err := c.do(ctx, cl)
	if err != nil {
		return err
	}
	defer cancel()
	defer resp.Body.Close()
	if out == nil {
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDocBytes)).Decode(out); err != nil {
		return fmt.Errorf("decode %s: %w", cl.url, err)
	}
	return nil
}

// get decodes the 200 answer to GET u into out.
func (c *Client) get(ctx context.Context, u string, out any) error {
	return c.doJSON(ctx, call{method: http.MethodGet, url: u, timeout: callTimeout, want: []int{http.StatusOK}}, out)
}

// send sends body (JSON; none when nil) with method to u and decodes a
// 2xx answer into out (none when nil).
func (c *Client) send(ctx context.Context, method, u string, body, out any) error {
	return c.doJSON(ctx, call{method: method, url: u, jsonBody: body, timeout: uploadTimeout}, out)
}

// getRaw returns the body of the 200 answer to GET u.
func (c *Client) getRaw(ctx context.Context, u string) ([]byte, error) {
	resp, cancel, err := c.do(ctx, call{method: http.MethodGet, url: u, timeout: uploadTimeout, want: []int{http.StatusOK}})
	if err != nil {
		return nil, err
	}
	defer cancel()
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxRawBytes))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	return b, nil
}

func (c *Client) newRequest(ctx context.Context, method, u string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	if c.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
	}
	req.Header.Set("User-Agent", c.cfg.UserAgent)
	return req, nil
}

// retryDelay is the pause before attempt n (n ≥ 1 after a failure).
func (c *Client) retryDelay(n int) time.Duration {
	return RetryDelay(c.cfg.RetryBase, n)
}

// RetryDelay is the pause before attempt n (n ≥ 1 after a failure) when
// the first pause is base: it doubles with each failure up to RetryMax.
func RetryDelay(base time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < RetryMax; i++ {
		d *= 2
	}
	return min(d, RetryMax)
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
