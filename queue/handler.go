package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/hibiken/asynq"

	"github.com/gradebox/grader/grader"
)

// Submissions loads stored submissions and records their progress.
type Submissions interface {
	// Record returns the submission's record, or an error wrapping
	// grader.ErrNotFound.
	Record(ctx context.Context, id string) (grader.Record, error)
	// Submission returns the submission's files, or an error wrapping
	// grader.ErrNotFound.
	Submission(ctx context.Context, id string) (grader.Submission, error)
	// MarkStarted records that grading started (never regressing a
	// graded record); an unknown id wraps grader.ErrNotFound.
	MarkStarted(ctx context.Context, id string) error
}

// Challenges finds challenges by id.
type Challenges interface {
	// Challenge returns the challenge with id, or an error wrapping
	// grader.ErrNotFound.
	Challenge(id string) (*grader.Challenge, error)
}

// Engine grades; *grader.Engine implements it.
type Engine interface {
	Grade(ctx context.Context, ch *grader.Challenge, sub grader.Submission, p grader.Progress) (grader.Result, error)
}

// Results stores results. A submission may be graded twice (a worker
// died after saving, or lost its lease and a retry ran elsewhere): it
// keeps the first result stored.
type Results interface {
	// Result returns the stored result of a submission and whether there
	// is one.
	Result(ctx context.Context, id string) (grader.Result, bool, error)
	// SaveResult stores res and appends its done event
	// (grader.DoneEvent) to the submission's event stream, unless the
	// submission has a result already, atomically, and reports whether it
	// stored them; an unknown submission wraps grader.ErrNotFound.
	SaveResult(ctx context.Context, res grader.Result) (bool, error)
}

// Events is a submission's progress event stream. The done event is not
// appended here: Results.SaveResult stores it with the result.
type Events interface {
	// AppendEvent adds an event and returns its stream id.
	AppendEvent(ctx context.Context, id string, ev grader.Event) (string, error)
}

// WebhookEnqueuer queues result deliveries; *Client implements it.
type WebhookEnqueuer interface {
	// EnqueueWebhook queues the delivery of a graded submission's
	// result; a duplicate is not an error.
	EnqueueWebhook(ctx context.Context, submissionID string) error
}

// Observer hears about every grading, for metrics. Its methods must be
// quick and safe for concurrent use.
type Observer interface {
	// Graded is called once per stored result, StatusError ones included.
	Graded(res grader.Result)
	// Fault is called for every attempt that ends in a service fault
	// returned to Asynq (not for a shutdown handing the task back).
	Fault(err error)
}

var _ WebhookEnqueuer = (*Client)(nil)

// HandlerConfig wires a Handler. Submissions, Challenges, Engine and
// Results are required.
type HandlerConfig struct {
	Submissions Submissions
	Challenges  Challenges
	Engine      Engine
	Results     Results
	// Events receives the submission's progress: started, the engine's
	// events and retrying (the done event is stored with the result by
	// Results). Nil drops them (the service sets it).
	Events Events
	// Webhooks queues result deliveries of submissions with a callback
	// URL; nil queues none.
	Webhooks WebhookEnqueuer
	// Observer hears about results and faults; optional.
	Observer Observer
	// Progress returns a further receiver of a submission's engine events
	// (besides Events); nil for none.
	Progress func(submissionID string) grader.Progress
	// Logger receives the handler's logs; never learner output.
	Logger *slog.Logger
	// Now tells the time of the handler's own events; time.Now by default.
	Now func() time.Time
	// Cache serves a submission identical to an earlier one that
	// earlier one's result; nil grades every submission. It needs Images.
	Cache *ResultCache
	// Images identifies the images of a grading, for the cache's keys and
	// each result's provenance; nil leaves the provenance without image
	// ids and turns the cache off.
	Images *Images
	// Worker names this worker in each result's provenance.
	Worker string
	// EventRetry is how long, after a progress event could not be
	// written (Redis unreachable), further progress events are dropped
	// without trying before one write tries again; default 1s. Grading
	// never waits for an unreachable Redis.
	EventRetry time.Duration
}

// Handler grades the submissions of grade tasks.
type Handler struct {
	cfg HandlerConfig
	log *slog.Logger
	// tries returns the retries so far and the most allowed; from Asynq's
	// context, replaced in tests.
	tries func(ctx context.Context) (retried, maxRetry int)
	// running counts ProcessTask calls in progress, for Wait.
	running inFlight
	// gate spares gradings a failed progress write per event while
	// Redis is unreachable.
	gate *eventGate
}

// NewHandler returns a Handler.
func NewHandler(cfg HandlerConfig) *Handler {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.EventRetry <= 0 {
		cfg.EventRetry = time.Second
	}
	return &Handler{cfg: cfg, log: cfg.Logger, tries: asynqTries,
		gate: &eventGate{log: cfg.Logger, now: cfg.Now, retry: cfg.EventRetry}}
}

// asynqTries reads the task's retry counts; outside Asynq it is the first
// try of MaxRetry+1.
func asynqTries(ctx context.Context) (int, int) {
	n, _ := asynq.GetRetryCount(ctx)
	m, ok := asynq.GetMaxRetry(ctx)
	if !ok {
		m = MaxRetry
	}
	return n, m
}

// Messages for learners: they say what happens next and never carry the
// error itself.
const (
	msgStopping = "the worker is stopping; your submission is back in the queue"
	msgFault    = "grading failed because of a fault in the grading service, not your code; this attempt is not charged to you: please resubmit"
)

// ProcessTask grades one submission: it marks it started, grades it with
// progress going to its event stream, stores the result and its done
// event (one write) and queues the webhook of a submission with a
// callback URL. It
// returns nil once the result is stored (learner failures are results).
//
// A task that can never succeed (bad payload, unknown submission,
// challenge or files) wraps asynq.SkipRetry; when the submission exists it
// first gets a StatusError result, so that waiting clients end. A service
// fault is returned for Asynq to retry, after a retrying event; on the
// last try a StatusError result is stored first. A cancelled ctx (the
// worker stopping) returns an error wrapping context.Canceled, which the
// servers of this package do not count as a try.
func (h *Handler) ProcessTask(ctx context.Context, t *asynq.Task) error {
	h.running.Add(1)
	defer h.running.Done()
	p, err := DecodeGradePayload(t.Payload())
	if err != nil {
		h.observeFault(err)
		return poison(err)
	}
	retried, maxRetry := h.tries(ctx)
	j := &job{h: h, id: p.SubmissionID, retried: retried, maxRetry: maxRetry,
		log: h.log.With("submission_id", p.SubmissionID, "challenge", p.Challenge, "attempt", retried+1)}
	res, err := j.run(ctx, p)
	if err != nil {
		if !errors.Is(err, context.Canceled) {
			h.observeFault(err)
		}
		return err
	}
	return h.writeResult(t, res)
}

// Wait blocks until every ProcessTask in progress has returned, or ctx is
// done. asynq.Server.Shutdown hands in-flight tasks back and cancels their
// contexts but does not wait for the handlers to return; a worker calls
// Wait after it, so their last events are written and their containers
// removed before it closes Redis and Docker.
func (h *Handler) Wait(ctx context.Context) error { return h.running.wait(ctx, "gradings") }

// inFlight counts the ProcessTask calls of a handler still running.
type inFlight struct{ wg sync.WaitGroup }

func (f *inFlight) Add(n int) { f.wg.Add(n) }
func (f *inFlight) Done()     { f.wg.Done() }

// wait blocks until no call is running, or ctx is done.
func (f *inFlight) wait(ctx context.Context, what string) error {
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wait for %s to return: %w", what, ctx.Err())
	}
}

// job is one try at grading one submission.
type job struct {
	h                 *Handler
	id                string
	retried, maxRetry int
	log               *slog.Logger
}

func (j *job) run(ctx context.Context, p GradePayload) (grader.Result, error) {
	h := j.h
	if res, ok, err := h.cfg.Results.Result(ctx, j.id); err != nil {
		return grader.Result{}, fmt.Errorf("look up result of %s: %w", j.id, err)
	} else if ok {
		// Graded before a crash or a duplicate delivery: the done event
		// was stored with the result; only make sure the webhook is
		// queued (a duplicate is harmless).
		j.log.Info("already graded", "status", res.Status)
		rec, err := h.cfg.Submissions.Record(ctx, j.id)
		if err != nil {
			j.log.Warn("load the record of a graded submission", "err", err)
		}
		j.webhook(ctx, rec)
		return res, nil
	}
	rec, err := h.cfg.Submissions.Record(ctx, j.id)
	if err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			return grader.Result{}, poison(fmt.Errorf("submission %s: %v", j.id, err))
		}
		return grader.Result{}, fmt.Errorf("load submission %s: %w", j.id, err)
	}
	ch, err := h.cfg.Challenges.Challenge(p.Challenge)
	if err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			j.giveUp(ctx, rec, nil, err)
			return grader.Result{}, poison(fmt.Errorf("challenge %s: %v", p.Challenge, err))
		}
		return grader.Result{}, fmt.Errorf("challenge %s: %w", p.Challenge, err)
	}
	sub, err := h.cfg.Submissions.Submission(ctx, j.id)
	if err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			j.giveUp(ctx, rec, ch, err)
			return grader.Result{}, poison(fmt.Errorf("submission %s: %v", j.id, err))
		}
		return grader.Result{}, fmt.Errorf("load submission %s: %w", j.id, err)
	}
	ids := j.imageIDs(ctx, ch, sub.Language)
	key := j.cacheKey(ch, rec, sub, ids)
	if key != "" {
		res, ok, err := j.fromCache(ctx, key)
		if err != nil {
			j.log.Warn("result cache skipped", "err", err)
		} else if ok {
			return j.store(ctx, rec, res, "served from the result cache", time.Now(), "")
		}
	}
	if err := h.cfg.Submissions.MarkStarted(ctx, j.id); err != nil {
		return grader.Result{}, fmt.Errorf("mark %s started: %w", j.id, err)
	}
	msg := ""
	if j.retried > 0 {
		msg = fmt.Sprintf("attempt %d of %d", j.retried+1, j.maxRetry+1)
	}
	j.event(ctx, grader.Event{Type: grader.EventStarted, Message: msg})

	start := time.Now()
	progress, stopProgress := j.startProgress(ctx)
	res, err := h.cfg.Engine.Grade(ctx, ch, sub, progress)
	stopProgress()
	if err != nil {
		return grader.Result{}, j.fault(ctx, rec, ch, err)
	}
	res.SubmissionID = j.id
	if res.GradedAt.IsZero() {
		res.GradedAt = h.cfg.Now().UTC()
	}
	res.Provenance = newProvenance(ch, sub, ids, h.cfg.Worker, res.GradedAt)
	return j.store(ctx, rec, res, "graded", start, key)
}

// store saves a result, with its done event, and queues its webhook;
// what says how it came (for the log). A graded result (not the
// service's fault) is filed in the result cache under key, if any.
func (j *job) store(ctx context.Context, rec grader.Record, res grader.Result, what string, start time.Time, key string) (grader.Result, error) {
	h := j.h
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	stored, err := h.cfg.Results.SaveResult(bctx, res)
	if err != nil {
		return grader.Result{}, fmt.Errorf("save result of %s: %w", j.id, err)
	}
	if !stored {
		// A duplicate grading finished second: the first result stands,
		// and what follows it was done by whoever stored it.
		j.log.Info("graded again after a result was stored: the first result stands", "status", res.Status, "score", res.Score)
		return res, nil
	}
	if h.cfg.Observer != nil {
		h.cfg.Observer.Graded(res)
	}
	j.log.Info(what, "status", res.Status, "score", res.Score, "max_score", res.MaxScore, "duration", time.Since(start))
	if key != "" && res.Status != grader.StatusError {
		if err := h.cfg.Cache.Store.RememberResult(bctx, key, j.id); err != nil {
			j.log.Warn("file the result in the result cache", "err", err)
		}
	}
	j.webhook(bctx, rec)
	return res, nil
}

// bookkeeping returns a context for writes that must happen even when the
// task's context is done (a shutdown, a deadline).
func bookkeeping(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
}

// fault handles a grading that failed for the service's reasons and
// returns the error for Asynq.
func (j *job) fault(ctx context.Context, rec grader.Record, ch *grader.Challenge, err error) error {
	f := triage(ctx, j.retried, j.maxRetry)
	switch f {
	case faultHandedBack:
		j.event(ctx, grader.Event{Type: grader.EventRetrying, Message: msgStopping})
		j.log.Info("handed back: the worker is stopping", "err", err)
	case faultLastTry:
		// Asynq logs nothing of a handler's error: say it here.
		j.log.Error("grading failed on its last try: storing an error result", "err", err)
		j.giveUp(ctx, rec, ch, err)
	default:
		j.log.Warn("grading failed: it will be retried", "err", err)
		j.event(ctx, grader.Event{Type: grader.EventRetrying, Message: fmt.Sprintf(
			"a fault in the grading service interrupted grading, not your code; it is retried automatically (attempt %d of %d next)",
			j.retried+2, j.maxRetry+1)})
	}
	return f.err("grade", j.id, err)
}

// giveUp stores a StatusError result (with its done event) for a
// submission that will not be graded, so that waiting clients end, then
// queues its webhook.
// Failures are logged: the task's error says what went wrong first.
func (j *job) giveUp(ctx context.Context, rec grader.Record, ch *grader.Challenge, cause error) {
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	res := grader.Result{SubmissionID: j.id, Challenge: rec.Challenge, View: grader.ViewInstructor,
		Status: grader.StatusError, Message: msgFault, Tests: []grader.TestResult{}, GradedAt: j.h.cfg.Now()}
	if ch != nil {
		res.ChallengeVersion = ch.Version
		res.MaxScore = ch.MaxScore()
	}
	stored, err := j.h.cfg.Results.SaveResult(bctx, res)
	if err != nil {
		j.log.Error("store the error result", "err", err, "cause", cause)
		return
	}
	if !stored {
		j.log.Info("a result was stored meanwhile: it stands", "cause", cause)
		return
	}
	if j.h.cfg.Observer != nil {
		j.h.cfg.Observer.Graded(res)
	}
	j.webhook(bctx, rec)
}

// webhook queues rec's result delivery if it has a callback URL. A failure
// is logged: it never fails a grading.
func (j *job) webhook(ctx context.Context, rec grader.Record) {
	if rec.CallbackURL == "" || j.h.cfg.Webhooks == nil {
		return
	}
	if err := j.h.cfg.Webhooks.EnqueueWebhook(ctx, j.id); err != nil {
		j.log.Error("enqueue webhook", "err", err)
	}
}

// event appends one of the handler's own events, logging a failure.
func (j *job) event(ctx context.Context, ev grader.Event) {
	if j.h.cfg.Events == nil {
		return
	}
	if ev.At.IsZero() {
		ev.At = j.h.cfg.Now()
	}
	bctx, cancel := bookkeeping(ctx)
	defer cancel()
	if _, err := j.h.cfg.Events.AppendEvent(bctx, j.id, ev); err != nil {
		j.log.Warn("append event", "type", ev.Type, "err", err)
	}
}

func (h *Handler) observeFault(err error) {
	if h.cfg.Observer != nil {
		h.cfg.Observer.Fault(err)
	}
}

// writeResult keeps a summary with the task, for Asynq's own tools.
func (h *Handler) writeResult(t *asynq.Task, res grader.Result) error {
	w := t.ResultWriter()
	if w == nil {
		return nil
	}
	b, err := json.Marshal(map[string]any{"status": res.Status, "score": res.Score, "max_score": res.MaxScore})
	if err != nil {
		return nil
	}
	if _, err := w.Write(b); err != nil {
		h.log.Warn("write task result", "submission_id", res.SubmissionID, "err", err)
	}
	return nil
}
