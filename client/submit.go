package client

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
	"mime/multipart"
	"net/http"
	"net/url"
	"time"

	"github.com/gradebox/grader/api/wire"
)

// Form is the multipart body of one POST /v1/submissions, encoded once
// so every send of it carries the same bytes.
type Form struct {
	body        []byte
	contentType string
}

// formFields are the fields a submission's form may carry, in the order
// they are written.
var formFields = []string{"challenge", "language", "learner", "cohort", "callback_url", "fresh"}

// NewForm encodes the fields of a submission (challenge, language,
// learner, cohort, callback_url, fresh; empty ones left out) and its archive, sent as the file
// archive named name.
func NewForm(fields map[string]string, name string, archive []byte) (Form, error) {
	for k := range fields {
		known := false
		for _, f := range formFields {
			known = known || f == k
		}
		if !known {
			return Form{}, fmt.Errorf("encode form: unknown field %q", k)
		}
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, k := range formFields {
		if v := fields[k]; v != "" {
			if err := mw.WriteField(k, v); err != nil {
				return Form{}, fmt.Errorf("encode form: %w", err)
			}
		}
	}
	fw, err := mw.CreateFormFile("archive", name)
	if err == nil {
		_, err = fw.Write(archive)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return Form{}, fmt.Errorf("encode form: %w", err)
	}
	return Form{body: body.Bytes(), contentType: mw.FormDataContentType()}, nil
}

// Body returns the encoded form.
func (f Form) Body() []byte { return f.body }

// ContentType returns the form's Content-Type, boundary included.
func (f Form) ContentType() string { return f.contentType }

// Submitted is the service's answer to a new submission.
type Submitted struct {
	wire.Accepted
	// Replayed is set when the service had this submission already (the
	// Idempotent-Replayed header).
	Replayed bool
}

// Submit sends form as a new submission under one Idempotency-Key, so the
// service makes at most one submission of it. Connection errors and 502,
// 503 and 504 answers are retried with backoff, Config.SubmitAttempts
// sends in all. A 429 (a rate limit or a cohort's quota) is waited out as
// long as its Retry-After asks (LimitedWait without one, MaxLimitedWait
// at most), until ctx ends, and is not counted as an attempt; a wait that
// would outlast ctx's deadline returns the 429 at once, which says more
// than a timeout would. onLimited, when set, hears of each such wait.
func (c *Client) Submit(ctx context.Context, form Form, onLimited func(time.Duration, *Error)) (Submitted, error) {
	key := NewIdempotencyKey()
	failures := 0
	for {
		acc, err := c.SubmitOnce(ctx, form, key)
		if err == nil {
			return acc, nil
		}
		if ctx.Err() != nil {
			return Submitted{}, ctx.Err()
		}
		ae, answered := AsError(err)
		var ue *url.Error
		var delay time.Duration
		switch {
		case answered && ae.Status == http.StatusTooManyRequests:
			delay = min(cmp.Or(ae.RetryAfter, LimitedWait), MaxLimitedWait)
			if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < delay {
				return Submitted{}, err
			}
			if onLimited != nil {
				onLimited(delay, ae)
			}
		case answered && ae.Status != http.StatusBadGateway && ae.Status != http.StatusServiceUnavailable && ae.Status != http.StatusGatewayTimeout:
			return Submitted{}, err
		case !answered && !errors.As(err, &ue):
			return Submitted{}, err // an unusable answer: sending again would not help
		default:
			if failures++; failures == c.cfg.SubmitAttempts {
				return Submitted{}, err
			}
			delay = c.retryDelay(failures)
			if answered && ae.RetryAfter > 0 {
				delay = min(ae.RetryAfter, MaxServerRetry)
			}
			c.log.Info("sending the submission again", "attempt", failures+1, "delay", delay, "err", err)
		}
		if err := sleepCtx(ctx, delay); err != nil {
			return Submitted{}, err
		}
	}
}

// SubmitOnce sends form once, with the Idempotency-Key key unless it is
// empty, and returns the service's answer: no retry, no wait.
func (c *Client) SubmitOnce(ctx context.Context, form Form, key string) (Submitted, error) {
	h := map[string]string{"Accept": "application/json"}
	if key != "" {
		h["Idempotency-Key"] = key
	}
	resp, cancel, err := c.do(ctx, call{method: http.MethodPost, url: c.URL("v1", "submissions"), body: form.body, contentType: form.contentType,
		header: h, timeout: uploadTimeout, want: []int{http.StatusAccepted, http.StatusOK}})
	if err != nil {
		return Submitted{}, err
	}
	defer cancel()
	defer resp.Body.Close()
	var acc Submitted
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDocBytes)).Decode(&acc.Accepted); err != nil {
		return Submitted{}, fmt.Errorf("decode the service's answer to the submission: %w", err)
	}
	if !ValidID(acc.ID) {
		return Submitted{}, fmt.Errorf("the service answered an unusable submission id %q", clean(acc.ID))
	}
	acc.Replayed = resp.Header.Get("Idempotent-Replayed") == "true"
	return acc, nil
}

// NewIdempotencyKey returns a random Idempotency-Key.
func NewIdempotencyKey() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Submission reads submission id's record and, once graded, its result
// in the caller's view.
func (c *Client) Submission(ctx context.Context, id string) (wire.Submission, error) {
	var doc wire.Submission
	if !ValidID(id) {
		return doc, fmt.Errorf("%q is not a submission id", clean(id))
	}
	err := c.get(ctx, c.URL("v1", "submissions", id), &doc)
	return doc, err
}

// SubmissionFilter selects the submissions GET /v1/submissions lists.
type SubmissionFilter struct {
	Challenge, Learner, Cohort string
	Offset, Limit              int
}

// Submissions reads one page of submissions, newest first.
func (c *Client) Submissions(ctx context.Context, f SubmissionFilter) (wire.SubmissionList, error) {
	q := url.Values{}
	for k, v := range map[string]string{"challenge": f.Challenge, "learner": f.Learner, "cohort": f.Cohort} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Offset > 0 {
		q.Set("offset", fmt.Sprint(f.Offset))
	}
	if f.Limit > 0 {
		q.Set("limit", fmt.Sprint(f.Limit))
	}
	u := c.URL("v1", "submissions")
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var doc wire.SubmissionList
	err := c.get(ctx, u, &doc)
	return doc, err
}

// Challenges lists the service's challenges.
func (c *Client) Challenges(ctx context.Context) (wire.ChallengeList, error) {
	var doc wire.ChallengeList
	err := c.get(ctx, c.URL("v1", "challenges"), &doc)
	return doc, err
}

// Challenge reads one challenge.
func (c *Client) Challenge(ctx context.Context, id string) (wire.Challenge, error) {
	var doc wire.Challenge
	err := c.get(ctx, c.URL("v1", "challenges", id), &doc)
	return doc, err
}
