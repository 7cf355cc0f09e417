package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/webhook"
)

// cohortRetryAfter is the Retry-After of a submission refused because its
// cohort is at its quota: about the time a few gradings take.
const cohortRetryAfter = 10 * time.Second

// uploadRetryAfter is the Retry-After of a submission refused because
// every upload slot is taken: about the time one upload takes.
const uploadRetryAfter = time.Second

// maxIdempotencyKey caps an Idempotency-Key header.
const maxIdempotencyKey = 200

// bookkeepingTimeout bounds the store and queue calls made after a
// submission is stored; they run even if the client has gone.
const bookkeepingTimeout = 10 * time.Second

// jsonSubmission is the JSON form of a submission: files by name.
type jsonSubmission struct {
	Challenge   string `json:"challenge"`
	Learner     string `json:"learner"`
	Cohort      string `json:"cohort"`
	CallbackURL string `json:"callback_url"`
	// Language is one the challenge offers; empty detects it from Files.
	Language string `json:"language"`
	// Fresh grades the submission even when the result cache holds a
	// result for identical files (instructors only).
	Fresh bool `json:"fresh"`
	Files []struct {
		Name    string `json:"name"`
		Content string `json:"content"`
	} `json:"files"`
}

// accepted is the answer to POST /v1/submissions.
type accepted = wire.Accepted

func acceptedOf(rec grader.Record) accepted {
	return accepted{ID: rec.ID, State: string(rec.State), Attempt: rec.Attempt, Challenge: rec.Challenge, Language: string(rec.Language), Learner: rec.Learner, Links: links(rec)}
}

// newSubmission is a checked request to create a submission.
type newSubmission struct {
	rec   grader.Record
	files []grader.File
	ch    *grader.Challenge
}

// createSubmission takes a multipart archive (fields challenge, learner,
// callback_url, cohort, language, file archive) or JSON with files, checks it, stores it
// and queues its grading. With an Idempotency-Key, a repeat answers the
// first submission instead.
func (s *Server) createSubmission(c *gin.Context) {
	p := principal(c)
	key, err := idempotencyKey(c.Request.Header)
	if err != nil {
		s.abort(c, err)
		return
	}
	// Every request counts, replays included, before its body is read:
	// a client in a retry loop cannot keep the archive reader busy.
	// Instructors and admins submit for whole cohorts at once.
	limit := s.cfg.SubmitLimit
	if p.Role != RoleLearner {
		limit = s.cfg.BulkLimit
	}
	ok, retry, err := s.cfg.Store.Allow(c.Request.Context(), "submit:"+p.Subject, limit, s.cfg.SubmitWindow)
	if err != nil {
		s.abort(c, fmt.Errorf("rate limit %s: %w", p.Subject, err))
		return
	}
	if !ok {
		secs := max(int((retry+time.Second-1)/time.Second), 1)
		c.Header("Retry-After", strconv.Itoa(secs))
		s.abort(c, Errorf(CodeRateLimited, "more than %d submissions in %s; try again in %ds", limit, s.cfg.SubmitWindow, secs))
		return
	}
	// The body is read, decoded and stored within one upload slot.
	if !s.uploads.take(c.Request.Context(), s.cfg.UploadWait) {
		c.Header("Retry-After", strconv.Itoa(int(uploadRetryAfter/time.Second)))
		s.abort(c, Errorf(CodeUnavailable, "the service is reading as many uploads as it can hold (%d); retry in %ds", s.cfg.UploadSlots, int(uploadRetryAfter/time.Second)))
		return
	}
	defer s.uploads.free()
	ns, err := s.readSubmission(c, p)
	if err != nil {
		s.abort(c, err)
		return
	}
	ctx := c.Request.Context()
	if key != "" {
		existing, err := s.cfg.Store.ClaimIdempotencyKey(ctx, p.Subject, key, ns.rec.ID, s.cfg.IdempotencyTTL)
		if err != nil {
			s.abort(c, fmt.Errorf("claim idempotency key: %w", err))
			return
		}
		if existing != "" && existing != ns.rec.ID {
			s.replay(c, existing, ns)
			return
		}
	}
	if !s.checkAttempt(c, p, ns.rec) {
		if key != "" {
			if err := s.cfg.Store.ReleaseIdempotencyKey(context.WithoutCancel(ctx), p.Subject, key, ns.rec.ID); err != nil {
				s.log.Warn("release idempotency key", "err", err)
			}
		}
		return
	}
	// Past this point the work is done even if the client goes away.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
	defer cancel()
	var rec grader.Record
	if ns.rec.Cohort != "" {
		rec, err = s.cfg.Cohorts.CreateCohortSubmission(bctx, ns.rec, ns.files, s.cfg.CohortQuota)
	} else {
		rec, err = s.cfg.Store.CreateSubmission(bctx, ns.rec, ns.files)
	}
	if errors.Is(err, grader.ErrQuota) {
		if key != "" {
			if rerr := s.cfg.Store.ReleaseIdempotencyKey(bctx, p.Subject, key, ns.rec.ID); rerr != nil {
				s.log.Warn("release idempotency key", "err", rerr)
			}
		}
		c.Header("Retry-After", strconv.Itoa(int(cohortRetryAfter/time.Second)))
		s.abort(c, Errorf(CodeRateLimited, "cohort %s already has %d submissions waiting to be graded (its quota); retry in %ds, when some are graded",
			ns.rec.Cohort, s.cfg.CohortQuota, int(cohortRetryAfter/time.Second)))
		return
	}
	if err != nil {
		if key != "" {
			if rerr := s.cfg.Store.ReleaseIdempotencyKey(bctx, p.Subject, key, ns.rec.ID); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		s.abort(c, fmt.Errorf("create submission: %w", err))
		return
	}
	if _, err := s.cfg.Store.AppendEvent(bctx, rec.ID, grader.Event{Type: grader.EventQueued, At: s.cfg.Now().UTC()}); err != nil {
		// The stream misses its first event; grading is not affected.
		s.log.Warn("append queued event", "submission_id", rec.ID, "err", err)
	}
	if err := s.cfg.Queue.Enqueue(bctx, rec, queue.TaskTimeout(ns.ch)); err != nil {
		s.abort(c, Errorf(CodeUnavailable, "submission %s is stored but could not be queued yet; it will be graded once the queue is back (GET %s)", rec.ID, links(rec)["self"]).
			withCause(fmt.Errorf("enqueue %s: %w", rec.ID, err)))
		return
	}
	c.Header("Location", links(rec)["self"])
	c.JSON(http.StatusAccepted, acceptedOf(rec))
}

// replay answers a repeated Idempotency-Key with the submission it first
// created, storing nothing. A submission still queued is enqueued again
// (duplicates are harmless), in case the first request failed there.
func (s *Server) replay(c *gin.Context, id string, ns newSubmission) {
	ctx := c.Request.Context()
	rec, err := s.cfg.Store.Record(ctx, id)
	if errors.Is(err, grader.ErrNotFound) {
		// Claimed by a request that is still storing it.
		c.Header("Retry-After", "1")
		s.abort(c, Errorf(CodeConflict, "a submission with this Idempotency-Key is still being created; retry in a moment"))
		return
	}
	if err != nil {
		s.abort(c, fmt.Errorf("replay %s: %w", id, err))
		return
	}
	if rec.Challenge != ns.rec.Challenge || rec.Language != ns.rec.Language || rec.Learner != ns.rec.Learner || rec.Scope() != ns.rec.Scope() {
		s.abort(c, Errorf(CodeConflict, "this Idempotency-Key was used for another submission (%s by %s); send a new key for a new submission", rec.Challenge, rec.Learner))
		return
	}
	if rec.State == grader.StateQueued {
		if err := s.cfg.Queue.Enqueue(ctx, rec, queue.TaskTimeout(ns.ch)); err != nil {
			s.abort(c, Errorf(CodeUnavailable, "submission %s is stored but could not be queued yet; retry later", rec.ID).
				withCause(fmt.Errorf("enqueue %s again: %w", rec.ID, err)))
			return
		}
	}
	c.Header("Idempotent-Replayed", "true")
	c.Header("Location", links(rec)["self"])
	c.JSON(http.StatusOK, acceptedOf(rec))
}

// idempotencyKey returns the request's Idempotency-Key, "" if it has none.
// A key must be 1 to 200 printable ASCII characters, sent once.
func idempotencyKey(h http.Header) (string, error) {
	vals, ok := h[http.CanonicalHeaderKey("Idempotency-Key")]
	if !ok {
		return "", nil
	}
	if len(vals) != 1 {
		return "", Errorf(CodeInvalidRequest, "send one Idempotency-Key header, not %d", len(vals))
	}
	k := vals[0]
	if k == "" || len(k) > maxIdempotencyKey {
		return "", Errorf(CodeInvalidRequest, "Idempotency-Key must be 1 to %d characters long, not %d", maxIdempotencyKey, len(k))
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return "", Errorf(CodeInvalidRequest, "Idempotency-Key may hold printable ASCII characters only (byte %d is 0x%02x); a random UUID works", i, k[i])
		}
	}
	return k, nil
}

// readSubmission decodes and checks a submission request completely:
// the body, the challenge, the files, the callback URL and who it is for.
func (s *Server) readSubmission(c *gin.Context, p Principal) (newSubmission, error) {
	c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, s.cfg.UploadBytes)
	id := s.cfg.NewID()
	var challengeID, learner, callback, cohortID, language string
	var fresh bool
	var files []grader.File
	var subErr error
	if strings.HasPrefix(c.ContentType(), "multipart/") {
		fh, err := c.FormFile("archive")
		if err != nil {
			return newSubmission{}, uploadError(err, "send the solution as a file field named archive (zip, tar or tar.gz)")
		}
		challengeID, learner, callback, cohortID = c.PostForm("challenge"), c.PostForm("learner"), c.PostForm("callback_url"), c.PostForm("cohort")
		language = c.PostForm("language")
		switch v := c.PostForm("fresh"); v {
		case "", "false":
		case "true":
			fresh = true
		default:
			return newSubmission{}, Errorf(CodeInvalidRequest, "fresh is %.20q; send true to grade the submission even if an identical one was graded, or leave it out", v)
		}
		f, err := fh.Open()
		if err != nil {
			return newSubmission{}, Errorf(CodeInvalidRequest, "cannot read the uploaded archive: %v", err)
		}
		defer f.Close()
		files, subErr = grader.ReadArchiveFiles(f, s.cfg.Limits)
	} else {
		var body jsonSubmission
		dec := jsonDecoder(c.Request.Body)
		if err := dec.Decode(&body); err != nil {
			return newSubmission{}, uploadError(err, `send JSON like {"challenge": "notes-api", "files": [{"name": "go.mod", "content": "..."}]} or a multipart archive`)
		}
		if _, err := dec.Token(); !errors.Is(err, io.EOF) {
			return newSubmission{}, uploadError(errOrTrailing(err), "send one JSON object")
		}
		challengeID, learner, callback, cohortID, language = body.Challenge, body.Learner, body.CallbackURL, body.Cohort, body.Language
		fresh = body.Fresh
		files = make([]grader.File, 0, len(body.Files))
		for _, f := range body.Files {
			files = append(files, grader.File{Name: f.Name, Mode: 0o644, Data: []byte(f.Content)})
		}
	}
	if challengeID == "" {
		return newSubmission{}, Errorf(CodeInvalidRequest, "challenge is missing: name the challenge to grade against")
	}
	if err := checkName("challenge", challengeID); err != nil {
		return newSubmission{}, err
	}
	ch, err := s.cfg.Catalog.Challenge(challengeID)
	if err != nil {
		if errors.Is(err, grader.ErrNotFound) {
			return newSubmission{}, Errorf(CodeNotFound, "no challenge %q; GET /v1/challenges lists them", challengeID)
		}
		return newSubmission{}, fmt.Errorf("look up challenge: %w", err)
	}
	if len(language) > 40 {
		return newSubmission{}, Errorf(CodeInvalidRequest, "language is %d bytes long; name one of %s, or leave it out to have it detected", len(language), offeredList(ch))
	}
	var sub grader.Submission
	if subErr == nil {
		sub, subErr = grader.NewSubmissionFor(id, grader.Language(language), ch.OfferedLanguages(), files, s.cfg.Limits)
	}
	if subErr != nil {
		var re *grader.RejectedError
		if errors.As(subErr, &re) {
			return newSubmission{}, Errorf(CodeInvalidSubmission, "%s", re.Reason)
		}
		// Anything else went wrong reading the client's own bytes (a
		// truncated tar, a corrupt zip): still their input.
		var mbe *http.MaxBytesError
		if errors.As(subErr, &mbe) {
			return newSubmission{}, uploadError(subErr, "")
		}
		return newSubmission{}, Errorf(CodeInvalidSubmission, "the archive cannot be read (%v); send a zip, tar or tar.gz of your solution", subErr)
	}
	if callback != "" {
		if s.cfg.WebhooksOff {
			return newSubmission{}, Errorf(CodeInvalidRequest, "this server delivers no webhooks (its operator has not set GRADER_WEBHOOK_SECRET); leave callback_url out and follow the submission's events instead")
		}
		if err := webhook.ValidateURL(callback); err != nil {
			return newSubmission{}, Errorf(CodeInvalidRequest, "%v", err)
		}
	}
	switch {
	case learner == "":
		learner = p.Subject
	case p.Role == RoleLearner && learner != p.Subject:
		return newSubmission{}, Errorf(CodeForbidden, "only instructors may submit for another learner; leave learner out to submit as %s", p.Subject)
	case !validLearner(learner):
		return newSubmission{}, Errorf(CodeInvalidRequest, "learner %.80q is not a valid id: use 1 to 128 printable characters without spaces", learner)
	}
	if fresh && p.Role == RoleLearner {
		return newSubmission{}, Errorf(CodeForbidden, "only instructors may ask for a fresh grading; leave fresh out (an unchanged resubmission gets the result of its first grading at once)")
	}
	rec := grader.Record{ID: id, Challenge: ch.ID, Language: sub.Language, Learner: learner, Queue: queue.QueueInteractive,
		State: grader.StateQueued, CallbackURL: callback, CallbackView: viewOf(p), TokenCohort: p.Cohort, Fresh: fresh}
	if cohortID != "" {
		if err := s.intoCohort(c, p, &rec, cohortID); err != nil {
			return newSubmission{}, err
		}
	}
	return newSubmission{rec: rec, files: sub.Files, ch: ch}, nil
}

// intoCohort checks that rec may be made in cohort id and files it
// there: the learner must be a member and the challenge one of the
// cohort's. An instructor's submission goes to the cohort's batch lane; a
// learner's stays interactive.
func (s *Server) intoCohort(c *gin.Context, p Principal, rec *grader.Record, id string) error {
	if s.cfg.Cohorts == nil {
		return Errorf(CodeNotFound, "this server keeps no cohorts; leave cohort out")
	}
	co, err := s.cfg.Cohorts.Cohort(c.Request.Context(), id)
	if errors.Is(err, grader.ErrNotFound) || (err == nil && p.Role == RoleLearner && (!co.Has(p.Subject) || !p.InCohort(co.ID))) {
		return Errorf(CodeNotFound, "no cohort %.80q", id)
	}
	if err != nil {
		return fmt.Errorf("read cohort: %w", err)
	}
	if !co.Has(rec.Learner) {
		return Errorf(CodeInvalidRequest, "%.80q is not a learner of cohort %s; add them to the cohort first (PUT /v1/cohorts/%s)", rec.Learner, co.ID, co.ID)
	}
	if !co.Covers(rec.Challenge) {
		return Errorf(CodeInvalidRequest, "challenge %s is not one of cohort %s's (%s)", rec.Challenge, co.ID, strings.Join(co.Challenges, ", "))
	}
	rec.Cohort = co.ID
	if p.Role != RoleLearner {
		rec.Queue = queue.CohortQueue(co.Lane)
	}
	return nil
}

// validLearner accepts ids an instructor may submit for: 1 to 128
// printable, non-space ASCII characters.
func validLearner(l string) bool {
	if l == "" || len(l) > 128 {
		return false
	}
	for i := 0; i < len(l); i++ {
		if l[i] <= 0x20 || l[i] > 0x7e {
			return false
		}
	}
	return true
}

func errOrTrailing(err error) error {
	if err != nil {
		return err
	}
	return errors.New("unexpected data after the JSON object")
}

// uploadError turns a body read error into a client error.
func uploadError(err error, fix string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return Errorf(CodeTooLarge, "the request is larger than %d bytes; submit only your source code", mbe.Limit)
	}
	return Errorf(CodeInvalidRequest, "%v; %s", err, fix)
}
