package main

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/termsafe"
)

// submitOptions are the flags of grader submit.
type submitOptions struct {
	server      string
	token       string
	challenge   string
	learner     string
	callbackURL string
	wait        bool
	asJSON      bool
	quiet       bool
	// minScore is --min-score; hasMinScore says it was given, since 0 is
	// a valid minimum.
	minScore    int
	hasMinScore bool
	timeout     time.Duration
}

func newSubmitCmd(cfg *Config) *cobra.Command {
	o := submitOptions{
		server:  envOr("GRADER_SERVER", "http://127.0.0.1:8080"),
		timeout: 15 * time.Minute,
	}
	cmd := &cobra.Command{
		Use:   "submit --server URL --token T --challenge <id> [--wait] [--json] [--min-score N] <dir|archive>",
		Short: "Send a solution to the grading service, and with --wait follow it to its result",
		Long: `Send a solution (a folder, packed as tar.gz, or a zip/tar/tar.gz archive
sent as is) to the grading service. The submission is first checked locally
with the service's limits, so a rejected one fails at once.

When the service answers 429 (over a rate limit or a quota) it waits as
long as the answer's Retry-After asks and sends again, within --timeout;
a wait longer than what is left of --timeout fails at once (exit 2).

Without --wait it prints the submission's id and links. With --wait it
shows progress on stderr and prints the result like grade (--json: the
result document).

Exit status: 0 submitted, or full marks (with --min-score N: a score of at
least N); 1 less than that; 2 bad usage or a submission the service
rejected (4xx); 3 the service failed: unreachable, 5xx, a result with
status error, or --timeout passed.`,
		Args: exactArgs(1, "one folder or archive to submit"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.hasMinScore = cmd.Flags().Changed("min-score")
			if o.token == "" {
				// Read here, not as the flag's default, so --help never
				// shows the token.
				o.token = os.Getenv("GRADER_TOKEN")
			}
			log, err := cfg.logger(cmd)
			if err != nil {
				return err
			}
			return runSubmit(cmd, log, o, args[0])
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.server, "server", o.server, "base URL of the grading service (env GRADER_SERVER)")
	f.StringVar(&o.token, "token", o.token, "bearer token for the service (env GRADER_TOKEN)")
	f.StringVarP(&o.challenge, "challenge", "c", "", "id of the challenge to grade against")
	f.StringVar(&o.learner, "learner", "", "learner to submit for (instructors only; learners always submit as themselves)")
	f.StringVar(&o.callbackURL, "callback-url", "", "URL the service calls with the result once graded")
	f.BoolVarP(&o.wait, "wait", "w", false, "follow the grading and print the result")
	f.BoolVar(&o.asJSON, "json", false, "print JSON: the result with --wait, the submission without")
	f.BoolVarP(&o.quiet, "quiet", "q", false, "do not show progress while waiting")
	f.IntVar(&o.minScore, "min-score", 0, "with --wait, exit 0 when the score is at least N (instead of full marks only)")
	f.DurationVar(&o.timeout, "timeout", o.timeout, "give up (exit 3) after this long")
	return cmd
}

func runSubmit(cmd *cobra.Command, log *slog.Logger, o submitOptions, path string) error {
	if o.token == "" {
		return usageErr("--token is required (or GRADER_TOKEN): ask the service's operator for a token; operators make them with `grader tokens new --role learner --subject <you>`")
	}
	if o.challenge == "" {
		return usageErr("--challenge is required: the id of a challenge on the service (GET /v1/challenges lists them)")
	}
	if o.timeout <= 0 {
		return usageErr("--timeout %s: use a positive duration such as 15m", o.timeout)
	}
	if !idPattern.MatchString(o.challenge) {
		return usageErr("--challenge %q: not a challenge id (letters, digits, '.', '_', '-')", o.challenge)
	}
	if o.hasMinScore && o.minScore < 0 {
		return usageErr("--min-score %d: use a score of 0 or more", o.minScore)
	}
	if o.callbackURL != "" {
		if u, err := url.Parse(o.callbackURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usageErr("--callback-url %q: use an absolute http or https URL", o.callbackURL)
		}
	}
	c, err := newAPIClient(o.server, o.token, log)
	if err != nil {
		return usageErr("--server: %v", err)
	}
	up, err := prepareUpload(path)
	if err != nil {
		return err
	}

	parent := cmd.Context()
	ctx, cancel := context.WithTimeout(parent, o.timeout)
	defer cancel()
	form := map[string]string{"challenge": o.challenge, "learner": o.learner, "callback_url": o.callbackURL}
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	var onLimited func(time.Duration, *apiError)
	if !o.quiet {
		onLimited = func(d time.Duration, ae *apiError) {
			fmt.Fprintf(stderr, "grader: the service is limiting submissions (%d %s: %s); sending again in %s\n", ae.Status, ae.Code, clean(ae.Message), d)
		}
	}
	acc, err := c.submit(ctx, form, up, onLimited)
	if err != nil {
		return c.failure(parent, ctx, o, err, "")
	}
	if !o.wait {
		return printAccepted(stdout, c, acc, o.asJSON)
	}
	if !o.quiet {
		fmt.Fprintf(stderr, "submitted %s (attempt %d); waiting for the result…\n", clean(acc.ID), max(acc.Attempt, 1))
	}

	var pp *progressPrinter
	onEvent := func(grader.Event) {}
	if !o.quiet {
		// The service sends events in the caller's view already; the
		// instructor view leaves them as they are.
		pp = newProgressPrinter(stderr, grader.ViewInstructor)
		onEvent = pp.serviceEvent
	}
	res, err := c.follow(ctx, acc.ID, onEvent)
	if pp != nil {
		pp.Stop()
	}
	if res == nil && (err == nil || (ctx.Err() == nil && retryable(err))) {
		// Done without a readable result, or the stream gave out: the
		// submission's record may hold the result.
		if rec, gerr := c.submission(ctx, acc.ID); gerr == nil && rec.Result != nil {
			res, err = rec.Result, nil
		} else if err == nil {
			// %v, not %w: a 4xx here is the service's inconsistency, not
			// the caller's mistake.
			err = fmt.Errorf("the service said submission %s is done but sent no result (reading it: %v)", acc.ID, gerr)
		}
	}
	if err != nil {
		return c.failure(parent, ctx, o, err, acc.ID)
	}

	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return faultErr(fmt.Errorf("write result: %w", err))
		}
	} else {
		printResult(stdout, c.challengeTitle(ctx, o.challenge), *res)
	}
	switch {
	case res.Status == grader.StatusError:
		return faultErr(fmt.Errorf("the service could not grade submission %s (not your fault): %s", acc.ID, clean(res.Message)))
	case o.hasMinScore:
		if res.Score < o.minScore {
			return &exitError{code: exitLess, err: errQuiet}
		}
	case !res.Passed():
		return &exitError{code: exitLess, err: errQuiet}
	}
	return nil
}

// serviceEvent shows one event of the service's stream: the service's own
// events (queued, started, retrying) as a line each, the engine's through
// Event.
func (p *progressPrinter) serviceEvent(e grader.Event) {
	var line string
	switch e.Type {
	case grader.EventQueued:
		line = "queued"
	case grader.EventStarted:
		line = "grading started"
	case grader.EventRetrying:
		line = "the service hit a fault and grades again"
		if e.Message != "" {
			line += ": " + clean(e.Message)
		}
	default:
		p.Event(e)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	fmt.Fprintln(p.w, line)
}

// failure turns an error of talking to the service into an exit: a 4xx
// answer is the caller's to fix (2), anything else the service's fault (3).
func (c *apiClient) failure(parent, ctx context.Context, o submitOptions, err error, id string) error {
	hint := ""
	if id != "" {
		hint = fmt.Sprintf("; submission %s may still be graded: see %s", id, c.path("v1", "submissions", id))
	}
	switch {
	case parent.Err() != nil:
		return faultErr(fmt.Errorf("interrupted%s", hint))
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return faultErr(fmt.Errorf("no answer within --timeout %s%s", o.timeout, hint))
	}
	var ae *apiError
	if errors.As(err, &ae) {
		if ae.Status >= 400 && ae.Status < 500 {
			return usageErr("%v", ae)
		}
		return faultErr(fmt.Errorf("%w%s", ae, hint))
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return faultErr(fmt.Errorf("cannot reach the grading service at %s: %v%s", c.base.Redacted(), ue.Err, hint))
	}
	return faultErr(fmt.Errorf("grading service at %s: %w%s", c.base.Redacted(), err, hint))
}

// accepted is the service's answer to a new submission.
type accepted struct {
	ID        string            `json:"id"`
	State     string            `json:"state"`
	Attempt   int               `json:"attempt,omitempty"`
	Challenge string            `json:"challenge,omitempty"`
	Learner   string            `json:"learner,omitempty"`
	Links     map[string]string `json:"links,omitempty"`
	// Replayed is set when the service had this submission already (the
	// Idempotent-Replayed header).
	Replayed bool `json:"replayed,omitempty"`
}

func printAccepted(w io.Writer, c *apiClient, acc accepted, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(acc); err != nil {
			return faultErr(fmt.Errorf("write submission: %w", err))
		}
		return nil
	}
	fmt.Fprintf(w, "submitted %s: %s (attempt %d)\n", clean(acc.ID), clean(acc.State), max(acc.Attempt, 1))
	for _, k := range []string{"self", "events"} {
		if l, ok := acc.Links[k]; ok {
			fmt.Fprintf(w, "  %-7s %s\n", k, clean(c.resolve(l)))
		}
	}
	return nil
}

// upload is an archive ready to send.
type upload struct {
	name string
	data []byte
}

// prepareUpload checks the submission at p with the service's limits and
// returns what to send: a folder read with grader.ReadDir and packed as
// tar.gz, an archive file as is, checked with grader.ReadArchive over the
// very bytes that will be sent.
func prepareUpload(p string) (upload, error) {
	lim := grader.SubmissionLimits{}.WithDefaults()
	st, err := os.Stat(p)
	if err != nil {
		return upload{}, usageErr("cannot read %s: %v", p, err)
	}
	if st.IsDir() {
		data, err := packDir(p, lim)
		if err != nil {
			return upload{}, checkErr(err)
		}
		return upload{name: "submission.tar.gz", data: data}, nil
	}
	f, err := os.Open(p)
	if err != nil {
		return upload{}, usageErr("cannot read %s: %v", p, err)
	}
	data, err := io.ReadAll(io.LimitReader(f, lim.ArchiveBytes+1))
	f.Close()
	if err != nil {
		return upload{}, usageErr("cannot read %s: %v", p, err)
	}
	if _, err := grader.ReadArchive("", bytes.NewReader(data), lim); err != nil {
		return upload{}, checkErr(err)
	}
	return upload{name: filepath.Base(p), data: data}, nil
}

// checkErr is the exit for a local check: a rejection is the learner's to
// fix; anything else is our fault.
func checkErr(err error) error {
	if grader.IsRejected(err) {
		return usageErr("%v", err)
	}
	return faultErr(err)
}

var errPackTooLarge = errors.New("packed folder too large")

// cappedBuffer is a buffer that refuses to grow past max bytes.
type cappedBuffer struct {
	bytes.Buffer
	max int64
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	if int64(b.Len()+len(p)) > b.max {
		return 0, errPackTooLarge
	}
	return b.Buffer.Write(p)
}

// packDir reads the folder dir with the rules the service applies to
// archives (grader.ReadDir: .git skipped, links inside the folder copied,
// links out of it and special files refused, sizes and counts bounded)
// and packs it as a tar.gz of at most lim.ArchiveBytes.
func packDir(dir string, lim grader.SubmissionLimits) ([]byte, error) {
	lim = lim.WithDefaults()
	sub, err := grader.ReadDir("", dir, lim)
	if err != nil {
		return nil, err
	}
	buf := &cappedBuffer{max: lim.ArchiveBytes}
	err = grader.WriteArchive(buf, sub.Files)
	if errors.Is(err, errPackTooLarge) {
		return nil, grader.Rejectf("the folder packs to more than %d bytes; submit only your source code", lim.ArchiveBytes)
	}
	if err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// apiClient talks to the grading service's v1 API with a bearer token.
type apiClient struct {
	base  *url.URL
	token string
	http  *http.Client
	log   *slog.Logger
}

func newAPIClient(server, token string, log *slog.Logger) (*apiClient, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q: use the service's base URL, such as http://127.0.0.1:8080", server)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	// No client-wide timeout: the event stream is long-lived. Each call
	// has its own deadline.
	return &apiClient{base: u, token: token, http: &http.Client{}, log: log}, nil
}

// path returns the URL of an API path, each part escaped.
func (c *apiClient) path(parts ...string) string {
	u := *c.base
	raw := u.EscapedPath()
	for _, p := range parts {
		u.Path += "/" + p
		raw += "/" + url.PathEscape(p)
	}
	u.RawPath = raw
	return u.String()
}

// resolve returns a link the service answered as an absolute URL.
func (c *apiClient) resolve(link string) string {
	ref, err := url.Parse(link)
	if err != nil {
		return link
	}
	return c.base.ResolveReference(ref).String()
}

func (c *apiClient) newRequest(ctx context.Context, method, u string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("new request: %w", err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("User-Agent", "grader-cli")
	return req, nil
}

const (
	// submitAttempts is how often a submission is sent before giving up.
	submitAttempts = 4
	// attemptTimeout bounds one upload.
	attemptTimeout = 2 * time.Minute
	// callTimeout bounds one small GET.
	callTimeout = 30 * time.Second
	// maxDocBytes caps a JSON answer of the service.
	maxDocBytes = 16 << 20
)

// idPattern is what a submission id from the service must look like
// before it goes into a URL.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$`)

// limitedWait is how long to wait after a 429 that names no Retry-After;
// maxLimitedWait caps one wait, whatever the service asks.
const (
	limitedWait    = 5 * time.Second
	maxLimitedWait = time.Minute
)

// submit sends up as a new submission with the fields of form (empty ones
// left out), encoded once and sent under one Idempotency-Key, so the
// service makes at most one submission of it. Connection errors and 502,
// 503 and 504 answers are retried with backoff, submitAttempts sends in
// all. A 429 (a rate limit or a cohort's quota) is waited out as long as
// its Retry-After asks, until ctx ends, and is not counted as an attempt;
// a wait that would outlast ctx's deadline returns the 429 at once, which
// says more than a timeout would. onLimited, when set, hears of each such
// wait.
func (c *apiClient) submit(ctx context.Context, form map[string]string, up upload, onLimited func(time.Duration, *apiError)) (accepted, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, k := range []string{"challenge", "learner", "cohort", "callback_url"} {
		if v := form[k]; v != "" {
			if err := mw.WriteField(k, v); err != nil {
				return accepted{}, fmt.Errorf("encode form: %w", err)
			}
		}
	}
	fw, err := mw.CreateFormFile("archive", up.name)
	if err == nil {
		_, err = fw.Write(up.data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return accepted{}, fmt.Errorf("encode form: %w", err)
	}
	key := newIdempotencyKey()

	failures := 0
	for {
		acc, err := c.submitOnce(ctx, key, mw.FormDataContentType(), body.Bytes())
		if err == nil {
			return acc, nil
		}
		if ctx.Err() != nil {
			return accepted{}, ctx.Err()
		}
		var ae *apiError
		var ue *url.Error
		answered := errors.As(err, &ae)
		var delay time.Duration
		switch {
		case answered && ae.Status == http.StatusTooManyRequests:
			delay = cmp.Or(ae.RetryAfter, limitedWait)
			delay = min(delay, maxLimitedWait)
			if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
				return accepted{}, err
			}
			if onLimited != nil {
				onLimited(delay, ae)
			}
		case answered && ae.Status != http.StatusBadGateway && ae.Status != http.StatusServiceUnavailable && ae.Status != http.StatusGatewayTimeout:
			return accepted{}, err
		case !answered && !errors.As(err, &ue):
			return accepted{}, err // an unusable answer: sending again would not help
		default:
			if failures++; failures == submitAttempts {
				return accepted{}, err
			}
			delay = retryDelay(failures)
			if answered && ae.RetryAfter > 0 {
				delay = min(ae.RetryAfter, maxServerRetry)
			}
			c.log.Info("sending the submission again", "attempt", failures+1, "delay", delay, "err", err)
		}
		if err := sleepCtx(ctx, delay); err != nil {
			return accepted{}, err
		}
	}
}

func (c *apiClient) submitOnce(ctx context.Context, key, contentType string, body []byte) (accepted, error) {
	actx, cancel := context.WithTimeout(ctx, attemptTimeout)
	defer cancel()
	req, err := c.newRequest(actx, http.MethodPost, c.path("v1", "submissions"), bytes.NewReader(body))
	if err != nil {
		return accepted{}, err
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Idempotency-Key", key)
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return accepted{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted && resp.StatusCode != http.StatusOK {
		return accepted{}, readAPIError(resp)
	}
	var acc accepted
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDocBytes)).Decode(&acc); err != nil {
		return accepted{}, fmt.Errorf("decode the service's answer to the submission: %w", err)
	}
	if !idPattern.MatchString(acc.ID) {
		return accepted{}, fmt.Errorf("the service answered an unusable submission id %q", clean(acc.ID))
	}
	acc.Replayed = resp.Header.Get("Idempotent-Replayed") == "true"
	return acc, nil
}

// submissionDoc is the service's record of a submission.
type submissionDoc struct {
	ID     string         `json:"id"`
	State  string         `json:"state"`
	Result *grader.Result `json:"result,omitempty"`
}

// submission reads submission id's record and result, if graded.
func (c *apiClient) submission(ctx context.Context, id string) (submissionDoc, error) {
	var doc submissionDoc
	err := c.getJSON(ctx, c.path("v1", "submissions", id), &doc)
	return doc, err
}

// challengeTitle returns the challenge's title, or its id when the
// service cannot say.
func (c *apiClient) challengeTitle(ctx context.Context, id string) string {
	var doc struct {
		Challenge struct {
			Title string `json:"title"`
		} `json:"challenge"`
	}
	if err := c.getJSON(ctx, c.path("v1", "challenges", id), &doc); err != nil || doc.Challenge.Title == "" {
		return id
	}
	return clean(doc.Challenge.Title)
}

func (c *apiClient) getJSON(ctx context.Context, u string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return readAPIError(resp)
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDocBytes)).Decode(v); err != nil {
		return fmt.Errorf("decode %s: %w", u, err)
	}
	return nil
}

// apiError is an error answer of the service.
type apiError struct {
	Status  int
	Code    string
	Message string
	// RetryAfter is the wait the service asked for, zero if none.
	RetryAfter time.Duration
}

func (e *apiError) Error() string {
	s := fmt.Sprintf("the service answered %d %s: %s", e.Status, e.Code, e.Message)
	switch e.Status {
	case http.StatusUnauthorized:
		s += "; check --token or GRADER_TOKEN"
	case http.StatusTooManyRequests:
		if e.RetryAfter > 0 {
			s += fmt.Sprintf("; try again in %s (Retry-After)", e.RetryAfter)
		} else {
			s += "; try again later"
		}
	}
	return s
}

// readAPIError reads a non-2xx answer: the JSON error document when there
// is one, else the start of the body.
func readAPIError(resp *http.Response) *apiError {
	e := &apiError{Status: resp.StatusCode, RetryAfter: parseRetryAfter(resp.Header.Get("Retry-After"), time.Now())}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var doc struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
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

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
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

// retryable reports whether an error of talking to the service may go
// away on its own: anything but a 4xx answer (408 and 429 excepted).
func retryable(err error) bool {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status >= 500 || ae.Status == http.StatusRequestTimeout || ae.Status == http.StatusTooManyRequests
	}
	return true
}

// retryBase is the first pause between attempts; it doubles with each
// failure up to retryMax. Tests shorten it.
var retryBase = 500 * time.Millisecond

const retryMax = 8 * time.Second

// retryDelay is the pause before attempt n (n ≥ 1 after a failure).
func retryDelay(n int) time.Duration {
	d := retryBase
	for i := 1; i < n && d < retryMax; i++ {
		d *= 2
	}
	return min(d, retryMax)
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

func newIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// clean makes text from the service or a learner's code safe to print on
// one terminal line (see termsafe.Text), cut at 1000 bytes.
func clean(s string) string { return termsafe.Line(s, 1000) }
