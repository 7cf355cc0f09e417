package queue

import (
	"context"
	"fmt"

	"github.com/gradebox/grader/grader"
)

// CacheStore keeps the result cache: content addresses
// (grader.ResultCacheKey) of graded submissions, each naming the
// submission whose result it is. *store.Redis implements it.
type CacheStore interface {
	// CachedSubmission returns the submission filed under key, if any.
	CachedSubmission(ctx context.Context, key string) (string, bool, error)
	// RememberResult files submission id under key unless one is there.
	RememberResult(ctx context.Context, key, id string) error
	// ForgetResult takes key out of the cache.
	ForgetResult(ctx context.Context, key string) error
}

// ResultCache serves a submission the result of an earlier one with the
// same files, challenge version, language and images, instead of grading
// it again.
type ResultCache struct {
	Store CacheStore
	// Images lists the image references a grading of ch in lang uses
	// (grader.Engine.Images).
	Images func(ch *grader.Challenge, lang grader.Language) []string
	// ImageIDs returns the Docker Engine's id of each reference.
	ImageIDs func(ctx context.Context, refs []string) (map[string]string, error)
}

// cacheKey returns the submission's content address, or "" when the
// cache does not apply: no cache, a challenge that opts out, an
// instructor's request for a fresh grading, or an image that cannot be
// inspected (logged; the submission is then graded).
func (j *job) cacheKey(ctx context.Context, ch *grader.Challenge, rec grader.Record, sub grader.Submission) string {
	c := j.h.cfg.Cache
	if c == nil || ch.NoResultCache || rec.Fresh {
		return ""
	}
	ids, err := c.ImageIDs(ctx, c.Images(ch, sub.Language))
	if err != nil {
		j.log.Warn("result cache skipped: cannot identify the images", "err", err)
		return ""
	}
	return grader.ResultCacheKey(ch, sub, ids)
}

// fromCache returns the cached result for key, made this submission's,
// and whether there is one. A cache entry whose result is gone or is the
// service's own fault is dropped.
func (j *job) fromCache(ctx context.Context, key string) (grader.Result, bool, error) {
	store := j.h.cfg.Cache.Store
	orig, ok, err := store.CachedSubmission(ctx, key)
	if err != nil || !ok {
		return grader.Result{}, false, err
	}
	res, ok, err := j.h.cfg.Results.Result(ctx, orig)
	if err != nil {
		return grader.Result{}, false, fmt.Errorf("read the cached result of %s: %w", orig, err)
	}
	if !ok || res.Status == grader.StatusError {
		if err := store.ForgetResult(ctx, key); err != nil {
			j.log.Warn("drop a stale result cache entry", "err", err)
		}
		return grader.Result{}, false, nil
	}
	from := &grader.CachedFrom{SubmissionID: orig, GradedAt: res.GradedAt}
	if res.Cached != nil {
		from = res.Cached
	}
	res.SubmissionID = j.id
	res.Cached = from
	res.GradedAt = j.h.cfg.Now().UTC()
	return res, true, nil
}
