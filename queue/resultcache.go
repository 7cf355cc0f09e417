package queue

import (
	"context"
	"fmt"
	"log/slog"
	"time"

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
// it again. It needs HandlerConfig.Images.
type ResultCache struct {
	Store CacheStore
}

// Images identifies the images a grading uses, for the result cache's
// keys and results' provenance.
type Images struct {
	// Refs lists the image references a grading of ch in lang uses
	// (grader.Engine.Images).
	Refs func(ch *grader.Challenge, lang grader.Language) []string
	// IDs returns the Docker Engine's id of each reference.
	IDs func(ctx context.Context, refs []string) (map[string]string, error)
}

// imageIDs returns the id of every image a grading of sub uses, or nil
// when they are unknown: no Images configured, or an image that cannot
// be inspected (logged).
func (j *job) imageIDs(ctx context.Context, ch *grader.Challenge, lang grader.Language) map[string]string {
	return knownImages(ctx, j.log, j.h.cfg.Images, ch, lang)
}

// knownImages is imageIDs for any handler.
func knownImages(ctx context.Context, log *slog.Logger, im *Images, ch *grader.Challenge, lang grader.Language) map[string]string {
	if im == nil {
		return nil
	}
	ids, err := im.IDs(ctx, im.Refs(ch, lang))
	if err != nil {
		log.Warn("cannot identify the images: no result cache, no image ids in the provenance", "err", err)
		return nil
	}
	return ids
}

// cacheKey returns the submission's content address, or "" when the
// cache does not apply: no cache, a challenge that opts out, an
// instructor's request for a fresh grading, or images unknown (ids nil;
// the submission is then graded).
func (j *job) cacheKey(ch *grader.Challenge, rec grader.Record, sub grader.Submission, ids map[string]string) string {
	if j.h.cfg.Cache == nil || ch.NoResultCache || rec.Fresh || ids == nil {
		return ""
	}
	return grader.ResultCacheKey(ch, sub, ids)
}

// newProvenance says what a grading of sub with images ids by worker,
// finished at, graded.
func newProvenance(ch *grader.Challenge, sub grader.Submission, ids map[string]string, worker string, at time.Time) *grader.Provenance {
	lang := sub.Language
	if lang == "" {
		lang = grader.LanguageGo
	}
	if ids == nil {
		ids = map[string]string{}
	}
	return &grader.Provenance{
		SubmissionDigest: grader.SubmissionDigest(sub),
		Challenge:        ch.ID,
		ChallengeVersion: ch.Version,
		Language:         lang,
		Images:           ids,
		Worker:           worker,
		GradedAt:         at,
	}
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
