package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/gradebox/grader/client"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/termsafe"
)

// submitOptions are the flags of grader submit.
type submitOptions struct {
	server      string
	token       string
	challenge   string
	language    string
	cohort      string
	learner     string
	callbackURL string
	fresh       bool
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
		Use:   "submit --server URL --token T --challenge <id> [--language go|python|javascript] [--cohort C] [--wait] [--json] [--min-score N] <dir|archive>",
		Short: "Send a solution to the grading service, and with --wait follow it to its result",
		Long: `Send a solution (a folder, packed as tar.gz, or a zip/tar/tar.gz archive
sent as is) to the grading service. The submission is first checked locally
with the service's limits, so a rejected one fails at once. Its language is
--language, or told from the files at its root as the service does (go.mod;
requirements.txt, pyproject.toml or .py files; package.json or .js files).

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
	f.StringVar(&o.language, "language", "", "the solution's language, one the challenge offers: go, python or javascript (default: told from the files)")
	f.StringVar(&o.learner, "learner", "", "learner to submit for (instructors only; learners always submit as themselves)")
	f.StringVar(&o.cohort, "cohort", "", "cohort to make the submission in (its reports count it)")
	f.StringVar(&o.callbackURL, "callback-url", "", "URL the service calls with the result once graded")
	f.BoolVar(&o.fresh, "fresh", false, "grade even if identical files were graded before, instead of taking that result from the cache (instructors only)")
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
	if !client.ValidID(o.challenge) {
		return usageErr("--challenge %q: not a challenge id (letters, digits, '.', '_', '-')", o.challenge)
	}
	if o.cohort != "" && !client.ValidID(o.cohort) {
		return usageErr("--cohort %q: not a cohort id (letters, digits, '.', '_', '-')", o.cohort)
	}
	if l := grader.Language(o.language); l != "" && !l.Known() {
		return usageErr("--language %q: use go, python or javascript, or leave it out to have it told from the files", o.language)
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
	up, err := prepareUpload(path, grader.Language(o.language))
	if err != nil {
		return err
	}
	form, err := client.NewForm(map[string]string{"challenge": o.challenge, "language": o.language, "learner": o.learner, "cohort": o.cohort, "callback_url": o.callbackURL, "fresh": freshField(o.fresh)}, up.name, up.data)
	if err != nil {
		return faultErr(err)
	}

	parent := cmd.Context()
	ctx, cancel := context.WithTimeout(parent, o.timeout)
	defer cancel()
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	var onLimited func(time.Duration, *client.Error)
	if !o.quiet {
		onLimited = func(d time.Duration, ae *client.Error) {
			fmt.Fprintf(stderr, "grader: the service is limiting submissions (%d %s: %s); sending again in %s\n", ae.Status, ae.Code, clean(ae.Message), d)
		}
	}
	acc, err := c.Submit(ctx, form, onLimited)
	if err != nil {
		return submitFailure(parent, ctx, c, o, err, "")
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
	res, err := c.Follow(ctx, acc.ID, onEvent)
	if pp != nil {
		pp.Stop()
	}
	if res == nil && (err == nil || (ctx.Err() == nil && client.Retryable(err))) {
		// Done without a readable result, or the stream gave out: the
		// submission's record may hold the result.
		if rec, gerr := c.Submission(ctx, acc.ID); gerr == nil && rec.Result != nil {
			res, err = rec.Result, nil
		} else if err == nil {
			// %v, not %w: a 4xx here is the service's inconsistency, not
			// the caller's mistake.
			err = fmt.Errorf("the service said submission %s is done but sent no result (reading it: %v)", acc.ID, gerr)
		}
	}
	if err != nil {
		return submitFailure(parent, ctx, c, o, err, acc.ID)
	}

	if o.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return faultErr(fmt.Errorf("write result: %w", err))
		}
	} else {
		printResult(stdout, challengeTitle(ctx, c, o.challenge), *res)
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

// submitFailure turns an error of submit into an exit: an interrupt or
// --timeout first, then as apiExit says. hint, for a submission already
// made, says where to look for it.
func submitFailure(parent, ctx context.Context, c *client.Client, o submitOptions, err error, id string) error {
	hint := ""
	if id != "" {
		hint = fmt.Sprintf("; submission %s may still be graded: see %s", id, c.URL("v1", "submissions", id))
	}
	switch {
	case parent.Err() != nil:
		return faultErr(fmt.Errorf("interrupted%s", hint))
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return faultErr(fmt.Errorf("no answer within --timeout %s%s", o.timeout, hint))
	}
	return apiExit(c, err, hint)
}

// challengeTitle returns the challenge's title, or its id when the
// service cannot say.
func challengeTitle(ctx context.Context, c *client.Client, id string) string {
	ch, err := c.Challenge(ctx, id)
	if err != nil || ch.Challenge.Title == "" {
		return id
	}
	return clean(ch.Challenge.Title)
}

// accepted is what submit prints of the service's answer to a new
// submission with --json.
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

func printAccepted(w io.Writer, c *client.Client, sub client.Submitted, asJSON bool) error {
	acc := accepted{ID: sub.ID, State: sub.State, Attempt: sub.Attempt, Challenge: sub.Challenge, Learner: sub.Learner, Links: sub.Links, Replayed: sub.Replayed}
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
			fmt.Fprintf(w, "  %-7s %s\n", k, clean(c.Resolve(l)))
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
// the rules of its language (lang, or told from its files when "") and
// returns what to send: a folder read with the service's rules and packed
// as tar.gz, an archive file as is, checked over the very bytes that will
// be sent.
func prepareUpload(p string, lang grader.Language) (upload, error) {
	lim := grader.SubmissionLimits{}.WithDefaults()
	st, err := os.Stat(p)
	if err != nil {
		return upload{}, usageErr("cannot read %s: %v", p, err)
	}
	if st.IsDir() {
		data, err := packDir(p, lang, lim)
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
	if _, err := grader.ReadArchiveFor("", lang, grader.Languages, bytes.NewReader(data), lim); err != nil {
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
// archives (.git skipped, links inside the folder copied, links out of it
// and special files refused, sizes and counts bounded, what lang needs at
// the root; "" tells lang from the files) and packs it as a tar.gz of at
// most lim.ArchiveBytes.
func packDir(dir string, lang grader.Language, lim grader.SubmissionLimits) ([]byte, error) {
	lim = lim.WithDefaults()
	sub, err := grader.ReadPathFor("", lang, grader.Languages, dir, lim)
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

// clean makes text from the service or a learner's code safe to print on
// one terminal line (see termsafe.Text), cut at 1000 bytes.
func clean(s string) string { return termsafe.Line(s, 1000) }

// freshField is --fresh as a form field: "true", or "" to leave it out.
func freshField(fresh bool) string {
	if fresh {
		return "true"
	}
	return ""
}
