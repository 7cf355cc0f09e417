package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
)

// saveCohortScript writes a cohort and its membership index and revokes
// the cohort tokens of the learners who leave. KEYS: cohort, cohorts, the
// learner-cohorts sets of the n learners who join or leave, then the
// token pointers of those who leave. ARGV: id, JSON, creation score,
// "create" or "update", the grant key prefix, n, then "+" (joins) or "-"
// (leaves) for each learner-cohorts key. It returns -1, changing
// nothing, when the cohort exists (create) or does not (update).
var saveCohortScript = redis.NewScript(`
local exists = redis.call('EXISTS', KEYS[1]) == 1
if ARGV[4] == 'create' and exists then return -1 end
if ARGV[4] == 'update' and not exists then return -1 end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
local n = tonumber(ARGV[6])
for i = 1, n do
  if ARGV[6 + i] == '+' then redis.call('SADD', KEYS[2 + i], ARGV[1]) else redis.call('SREM', KEYS[2 + i], ARGV[1]) end
end
for i = 3 + n, #KEYS do
  local old = redis.call('GET', KEYS[i])
  if old then redis.call('DEL', ARGV[5] .. old) end
  redis.call('DEL', KEYS[i])
end
return 0
`)

// CreateCohort stores a new cohort, with CreatedAt now unless set and the
// next lane, and returns it as stored; grader.ErrExists if the id is taken.
func (s *Redis) CreateCohort(ctx context.Context, c grader.Cohort) (grader.Cohort, error) {
	if c.ID == "" {
		return grader.Cohort{}, errors.New("create cohort: the id is empty")
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	c.CreatedAt = c.CreatedAt.UTC()
	n, err := s.rdb.Incr(ctx, s.key("cohort-lanes")).Result()
	if err != nil {
		return grader.Cohort{}, fmt.Errorf("create cohort %s: %w", c.ID, err)
	}
	c.Lane = int(n - 1)
	if err := s.saveCohort(ctx, c, nil, "create"); err != nil {
		return grader.Cohort{}, fmt.Errorf("create cohort %s: %w", c.ID, err)
	}
	return c, nil
}

// UpdateCohort replaces a cohort's name, learners, challenges and due
// date, keeping its creation and lane, and returns it as stored; an
// unknown id wraps grader.ErrNotFound. Learners keep their submissions
// when they leave a cohort, but their cohort token is revoked in the same
// write.
func (s *Redis) UpdateCohort(ctx context.Context, c grader.Cohort) (grader.Cohort, error) {
	old, err := s.Cohort(ctx, c.ID)
	if err != nil {
		return grader.Cohort{}, fmt.Errorf("update cohort: %w", err)
	}
	c.CreatedAt, c.CreatedBy, c.Lane = old.CreatedAt, old.CreatedBy, old.Lane
	if err := s.saveCohort(ctx, c, old.Learners, "update"); err != nil {
		return grader.Cohort{}, fmt.Errorf("update cohort %s: %w", c.ID, err)
	}
	return c, nil
}

func (s *Redis) saveCohort(ctx context.Context, c grader.Cohort, before []string, mode string) error {
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	keys := []string{s.key("cohort", c.ID), s.key("cohorts")}
	var marks []any
	var tokens []string
	for _, l := range c.Learners {
		if !slices.Contains(before, l) {
			keys, marks = append(keys, s.key("learner-cohorts", l)), append(marks, "+")
		}
	}
	for _, l := range before {
		if !slices.Contains(c.Learners, l) {
			keys, marks = append(keys, s.key("learner-cohorts", l)), append(marks, "-")
			tokens = append(tokens, s.key("cohort", c.ID, "token", l))
		}
	}
	keys = append(keys, tokens...)
	args := append([]any{c.ID, b, strconv.FormatInt(c.CreatedAt.UnixNano(), 10), mode, s.key("token") + ":", len(marks)}, marks...)
	n, err := saveCohortScript.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return err
	}
	if n == -1 && mode == "create" {
		return grader.ErrExists
	}
	if n == -1 {
		return fmt.Errorf("cohort %s: %w", c.ID, grader.ErrNotFound)
	}
	return nil
}

// Cohort returns a cohort, or an error wrapping grader.ErrNotFound.
func (s *Redis) Cohort(ctx context.Context, id string) (grader.Cohort, error) {
	b, err := s.rdb.Get(ctx, s.key("cohort", id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return grader.Cohort{}, fmt.Errorf("cohort %s: %w", id, grader.ErrNotFound)
	}
	if err != nil {
		return grader.Cohort{}, fmt.Errorf("read cohort %s: %w", id, err)
	}
	var c grader.Cohort
	if err := json.Unmarshal(b, &c); err != nil {
		return grader.Cohort{}, fmt.Errorf("decode cohort %s: %w", id, err)
	}
	return c, nil
}

// Cohorts returns every cohort, oldest first.
func (s *Redis) Cohorts(ctx context.Context) ([]grader.Cohort, error) {
	ids, err := s.rdb.ZRange(ctx, s.key("cohorts"), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("list cohorts: %w", err)
	}
	return s.cohorts(ctx, ids)
}

// CohortsOf returns the cohorts learner belongs to, oldest first.
func (s *Redis) CohortsOf(ctx context.Context, learner string) ([]grader.Cohort, error) {
	ids, err := s.rdb.SMembers(ctx, s.key("learner-cohorts", learner)).Result()
	if err != nil {
		return nil, fmt.Errorf("cohorts of %s: %w", learner, err)
	}
	out, err := s.cohorts(ctx, ids)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b grader.Cohort) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return out, nil
}

func (s *Redis) cohorts(ctx context.Context, ids []string) ([]grader.Cohort, error) {
	out := []grader.Cohort{}
	for _, id := range ids {
		c, err := s.Cohort(ctx, id)
		if errors.Is(err, grader.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// tokenPrefix starts every token the service issues, so a leaked one is
// easy to find in logs and repositories.
const tokenPrefix = "gbx_"

// issueTokenScript replaces a learner's cohort token. KEYS: the learner's
// token pointer in the cohort, the new token's grant. ARGV: the new
// token's hash, the grant's fields, the grant key prefix.
var issueTokenScript = redis.NewScript(`
local old = redis.call('GET', KEYS[1])
if old then redis.call('DEL', ARGV[5] .. old) end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], 'subject', ARGV[2], 'role', ARGV[3], 'cohort', ARGV[4])
return 1
`)

// IssueLearnerToken makes a new learner token for learner in cohort,
// revoking the one issued before, and returns its secret. Only a hash of
// the secret is stored.
func (s *Redis) IssueLearnerToken(ctx context.Context, cohort, learner string) (string, error) {
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		return "", fmt.Errorf("issue token: %w", err)
	}
	secret := tokenPrefix + hex.EncodeToString(raw)
	sum := tokenHash(secret)
	keys := []string{s.key("cohort", cohort, "token", learner), s.key("token", sum)}
	if err := issueTokenScript.Run(ctx, s.rdb, keys, sum, learner, "learner", cohort, s.key("token")+":").Err(); err != nil {
		return "", fmt.Errorf("issue token for %s in %s: %w", learner, cohort, err)
	}
	return secret, nil
}

// revokeTokenScript revokes a learner's cohort token. KEYS: the learner's
// token pointer in the cohort. ARGV: the grant key prefix. It returns 1
// when there was a token, else 0.
var revokeTokenScript = redis.NewScript(`
local old = redis.call('GET', KEYS[1])
if not old then return 0 end
redis.call('DEL', ARGV[1] .. old, KEYS[1])
return 1
`)

// RevokeLearnerToken revokes learner's token for cohort, so it no longer
// signs in, and reports whether there was one.
func (s *Redis) RevokeLearnerToken(ctx context.Context, cohort, learner string) (bool, error) {
	n, err := revokeTokenScript.Run(ctx, s.rdb, []string{s.key("cohort", cohort, "token", learner)}, s.key("token")+":").Int()
	if err != nil {
		return false, fmt.Errorf("revoke the token of %s in %s: %w", learner, cohort, err)
	}
	return n == 1, nil
}

// LookupToken returns what an issued token stands for and whether it is
// one (revoked and unknown tokens are not).
func (s *Redis) LookupToken(ctx context.Context, secret string) (grader.TokenGrant, bool, error) {
	m, err := s.rdb.HGetAll(ctx, s.key("token", tokenHash(secret))).Result()
	if err != nil {
		return grader.TokenGrant{}, false, fmt.Errorf("look up token: %w", err)
	}
	if m["subject"] == "" {
		return grader.TokenGrant{}, false, nil
	}
	return grader.TokenGrant{Subject: m["subject"], Role: m["role"], Cohort: m["cohort"]}, true, nil
}

func tokenHash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}
