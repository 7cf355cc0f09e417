package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
)

// createScript stores a new submission unless its id is taken, all at
// once, and returns its attempt number (0 when the id is taken).
//
// KEYS: record, files, subs, learner index, challenge index, pair index,
// unfinished, attempt counter, cohort index, cohort unfinished, scope
// index (see grader.Record.Scope; empty for none). ARGV:
// files, creation score, id, cohort quota (0: none), then the record's
// field/value pairs. It returns -1, storing nothing, when the record has a
// cohort whose unfinished set is at the quota.
var createScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local cohort = KEYS[9] ~= ''
local quota = tonumber(ARGV[4])
if cohort and quota > 0 and redis.call('ZCARD', KEYS[10]) >= quota then return -1 end
local n = redis.call('INCR', KEYS[8])
redis.call('HSET', KEYS[1], 'attempt', n, unpack(ARGV, 5))
redis.call('SET', KEYS[2], ARGV[1])
for i = 3, 7 do redis.call('ZADD', KEYS[i], ARGV[2], ARGV[3]) end
if cohort then
  redis.call('ZADD', KEYS[9], ARGV[2], ARGV[3])
  redis.call('ZADD', KEYS[10], ARGV[2], ARGV[3])
end
if KEYS[11] ~= '' then redis.call('ZADD', KEYS[11], ARGV[2], ARGV[3]) end
return n
`)

// CreateSubmission stores a new submission's record and files, indexes
// it, and returns the record as stored: State queued, CreatedAt set (now
// unless given) and Attempt the learner's next attempt at the challenge.
// It fails with grader.ErrExists if the id is taken, changing nothing. A record
// with a Cohort is also indexed by cohort; with quota > 0 it fails with
// grader.ErrQuota, changing nothing, while the cohort has quota submissions
// queued or grading.
func (s *Redis) CreateSubmission(ctx context.Context, rec grader.Record, files []grader.File) (grader.Record, error) {
	return s.CreateCohortSubmission(ctx, rec, files, 0)
}

// CreateCohortSubmission is CreateSubmission with a cohort quota: with
// quota > 0 and a record with a Cohort, it fails with grader.ErrQuota, changing
// nothing, while the cohort has quota submissions queued or grading.
func (s *Redis) CreateCohortSubmission(ctx context.Context, rec grader.Record, files []grader.File, quota int) (grader.Record, error) {
	switch {
	case rec.ID == "":
		return grader.Record{}, errors.New("create submission: the id is empty")
	case rec.Challenge == "":
		return grader.Record{}, fmt.Errorf("create submission %s: the challenge is empty", rec.ID)
	case rec.Learner == "":
		return grader.Record{}, fmt.Errorf("create submission %s: the learner is empty", rec.ID)
	}
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = s.now()
	}
	rec.CreatedAt = rec.CreatedAt.UTC()
	rec.State = grader.StateQueued
	rec.StartedAt, rec.GradedAt = time.Time{}, time.Time{}
	rec.Status, rec.Score, rec.MaxScore = "", 0, 0
	if rec.Kind == "" {
		rec.Kind = grader.KindSubmission
	}
	rec.Language = cmp.Or(rec.Language, grader.LanguageGo)
	packed, err := packFiles(files)
	if err != nil {
		return grader.Record{}, fmt.Errorf("create submission %s: %w", rec.ID, err)
	}
	keys := []string{
		s.key("sub", rec.ID), s.key("sub", rec.ID, "files"),
		s.key("subs"), s.key("subs", "learner", rec.Learner), s.key("subs", "challenge", rec.Challenge),
		s.key("subs", "learner", rec.Learner, "challenge", rec.Challenge),
		s.key("unfinished"), s.key("attempts", rec.Challenge, rec.Learner), "", "", "",
	}
	if rec.Cohort != "" {
		keys[8], keys[9] = s.key("subs", "cohort", rec.Cohort), s.key("unfinished", "cohort", rec.Cohort)
	}
	if k := rec.Scope(); k != "" {
		keys[10] = s.key("subs", "learner", rec.Learner, "scope", k)
	}
	args := []any{packed, strconv.FormatInt(rec.CreatedAt.UnixNano(), 10), rec.ID, max(quota, 0)}
	for k, v := range recordFields(rec) {
		args = append(args, k, v)
	}
	n, err := createScript.Run(ctx, s.rdb, keys, args...).Int()
	if err != nil {
		return grader.Record{}, fmt.Errorf("create submission %s: %w", rec.ID, err)
	}
	switch n {
	case 0:
		return grader.Record{}, fmt.Errorf("create submission %s: %w", rec.ID, grader.ErrExists)
	case -1:
		return grader.Record{}, fmt.Errorf("create submission %s in cohort %s: %d unfinished: %w", rec.ID, rec.Cohort, quota, grader.ErrQuota)
	}
	rec.Attempt = n
	return rec, nil
}

// recordFields is rec as hash fields (all but attempt, which only
// CreateSubmission sets).
func recordFields(r grader.Record) map[string]any {
	return map[string]any{
		"id": r.ID, "challenge": r.Challenge, "language": string(r.Language), "learner": r.Learner, "queue": r.Queue, "state": string(r.State),
		"callback_url": r.CallbackURL, "callback_view": string(r.CallbackView),
		"created_at": formatTime(r.CreatedAt), "started_at": formatTime(r.StartedAt), "graded_at": formatTime(r.GradedAt),
		"status": string(r.Status), "score": r.Score, "max_score": r.MaxScore,
		"cohort": r.Cohort, "token_cohort": r.TokenCohort, "kind": r.Kind, "regrade_of": r.RegradeOf, "superseded_by": r.SupersededBy,
		"fresh": boolField(r.Fresh),
	}
}

// boolField is a flag as a hash field: "1" or "".
func boolField(b bool) string {
	if b {
		return "1"
	}
	return ""
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// parseRecord reads a record's hash; ok is false when there is none.
func parseRecord(m map[string]string) (grader.Record, bool) {
	if len(m) == 0 || m["challenge"] == "" {
		return grader.Record{}, false
	}
	atoi := func(k string) int { n, _ := strconv.Atoi(m[k]); return n }
	return grader.Record{
		// Records made before submissions had a language are Go.
		ID: m["id"], Challenge: m["challenge"], Language: grader.Language(cmp.Or(m["language"], string(grader.LanguageGo))), Learner: m["learner"], Queue: m["queue"], State: grader.State(m["state"]),
		Attempt: atoi("attempt"), CallbackURL: m["callback_url"], CallbackView: grader.View(m["callback_view"]),
		CreatedAt: parseTime(m["created_at"]), StartedAt: parseTime(m["started_at"]), GradedAt: parseTime(m["graded_at"]),
		Status: grader.Status(m["status"]), Score: atoi("score"), MaxScore: atoi("max_score"),
		Cohort: m["cohort"], TokenCohort: m["token_cohort"], Kind: cmp.Or(m["kind"], grader.KindSubmission), RegradeOf: m["regrade_of"], SupersededBy: m["superseded_by"],
		Fresh: m["fresh"] == "1",
	}, true
}

// Record returns a submission's record, or an error wrapping
// grader.ErrNotFound.
func (s *Redis) Record(ctx context.Context, id string) (grader.Record, error) {
	m, err := s.rdb.HGetAll(ctx, s.key("sub", id)).Result()
	if err != nil {
		return grader.Record{}, fmt.Errorf("read submission %s: %w", id, err)
	}
	rec, ok := parseRecord(m)
	if !ok {
		return grader.Record{}, fmt.Errorf("submission %s: %w", id, grader.ErrNotFound)
	}
	return rec, nil
}

// records loads the records of ids in one round trip, in order, skipping
// ids without one.
func (s *Redis) records(ctx context.Context, ids []string) ([]grader.Record, error) {
	if len(ids) == 0 {
		return []grader.Record{}, nil
	}
	cmds := make([]*redis.MapStringStringCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HGetAll(ctx, s.key("sub", id))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read submissions: %w", err)
	}
	out := make([]grader.Record, 0, len(ids))
	for _, c := range cmds {
		if rec, ok := parseRecord(c.Val()); ok {
			out = append(out, rec)
		}
	}
	return out, nil
}

// markStartedScript moves a record to grading unless it is graded.
// Returns 0 when there is no record, 2 when it is graded, 1 otherwise.
var markStartedScript = redis.NewScript(`
local st = redis.call('HGET', KEYS[1], 'state')
if not st then return 0 end
if st == 'graded' then return 2 end
redis.call('HSET', KEYS[1], 'state', 'grading', 'started_at', ARGV[1])
return 1
`)

// MarkStarted records that a worker started grading a submission: state
// grading and StartedAt now. A graded record is left as it is (a late or
// duplicate task never regresses it). An unknown id wraps
// grader.ErrNotFound.
func (s *Redis) MarkStarted(ctx context.Context, id string) error {
	n, err := markStartedScript.Run(ctx, s.rdb, []string{s.key("sub", id)}, formatTime(s.now())).Int()
	if err != nil {
		return fmt.Errorf("mark %s started: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("mark started: submission %s: %w", id, grader.ErrNotFound)
	}
	return nil
}

// List returns records newest first, from offset, at most limit, and how
// many match in all.
func (s *Redis) List(ctx context.Context, f grader.RecordFilter, offset, limit int) ([]grader.Record, int, error) {
	index := s.key("subs")
	switch {
	case f.Scope != "" && f.Learner != "":
		return s.listScope(ctx, f, offset, limit)
	case f.Cohort != "":
		index = s.key("subs", "cohort", f.Cohort)
	case f.Learner != "" && f.Challenge != "":
		index = s.key("subs", "learner", f.Learner, "challenge", f.Challenge)
	case f.Learner != "":
		index = s.key("subs", "learner", f.Learner)
	case f.Challenge != "":
		index = s.key("subs", "challenge", f.Challenge)
	}
	return s.page(ctx, index, offset, limit)
}

// page returns the records of an index newest first, from offset, at
// most limit, and how many it holds.
func (s *Redis) page(ctx context.Context, index string, offset, limit int) ([]grader.Record, int, error) {
	offset = max(offset, 0)
	total, err := s.rdb.ZCard(ctx, index).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("list submissions: %w", err)
	}
	if limit <= 0 || int64(offset) >= total {
		return []grader.Record{}, int(total), nil
	}
	ids, err := s.rdb.ZRevRange(ctx, index, int64(offset), int64(offset+limit-1)).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("list submissions: %w", err)
	}
	recs, err := s.records(ctx, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("list submissions: %w", err)
	}
	return recs, int(total), nil
}

// listScope is List of one learner's submissions of one scope. A
// challenge is matched by reading the learner's whole scope, which holds
// only what one learner submitted in one cohort.
func (s *Redis) listScope(ctx context.Context, f grader.RecordFilter, offset, limit int) ([]grader.Record, int, error) {
	index := s.key("subs", "learner", f.Learner, "scope", f.Scope)
	if f.Challenge == "" {
		return s.page(ctx, index, offset, limit)
	}
	ids, err := s.rdb.ZRevRange(ctx, index, 0, -1).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("list submissions: %w", err)
	}
	recs, err := s.records(ctx, ids)
	if err != nil {
		return nil, 0, fmt.Errorf("list submissions: %w", err)
	}
	recs = slices.DeleteFunc(recs, func(r grader.Record) bool { return r.Challenge != f.Challenge })
	offset = min(max(offset, 0), len(recs))
	return recs[offset:min(offset+max(limit, 0), len(recs))], len(recs), nil
}

// Attempts returns a learner's submissions to a challenge, oldest first.
func (s *Redis) Attempts(ctx context.Context, learner, challenge string) ([]grader.Record, error) {
	byLearner, err := s.AttemptsOf(ctx, []string{learner}, challenge)
	if err != nil {
		return nil, err
	}
	return byLearner[learner], nil
}

// Unfinished returns the queued or grading submissions created more than
// olderThan ago, oldest first: what a crash between storing a submission
// and enqueueing it, or a lost task, left behind. Workers re-enqueue them
// at start (a duplicate enqueue is harmless).
func (s *Redis) Unfinished(ctx context.Context, olderThan time.Duration) ([]grader.Record, error) {
	cutoff := s.now().Add(-olderThan).UnixNano()
	ids, err := s.rdb.ZRangeByScore(ctx, s.key("unfinished"), &redis.ZRangeBy{Min: "-inf", Max: "(" + strconv.FormatInt(cutoff, 10)}).Result()
	if err != nil {
		return nil, fmt.Errorf("list unfinished submissions: %w", err)
	}
	recs, err := s.records(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("list unfinished submissions: %w", err)
	}
	out := recs[:0]
	for _, r := range recs {
		if r.State == grader.StateQueued || r.State == grader.StateGrading {
			out = append(out, r)
		}
	}
	return out, nil
}

// Submission returns a submission's files for grading, or an error
// wrapping grader.ErrNotFound (unknown, or files already dropped).
func (s *Redis) Submission(ctx context.Context, id string) (grader.Submission, error) {
	b, err := s.rdb.Get(ctx, s.key("sub", id, "files")).Bytes()
	if errors.Is(err, redis.Nil) {
		return grader.Submission{}, fmt.Errorf("files of submission %s: %w", id, grader.ErrNotFound)
	}
	if err != nil {
		return grader.Submission{}, fmt.Errorf("read files of %s: %w", id, err)
	}
	files, err := unpackFiles(b)
	if err != nil {
		return grader.Submission{}, fmt.Errorf("files of %s: %w", id, err)
	}
	lang, err := s.rdb.HGet(ctx, s.key("sub", id), "language").Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return grader.Submission{}, fmt.Errorf("read the language of %s: %w", id, err)
	}
	return grader.Submission{ID: id, Language: grader.Language(cmp.Or(lang, string(grader.LanguageGo))), Files: files}, nil
}

// batchSize bounds the commands of one pipeline in the batch reads, so a
// cohort of thousands is read in a few round trips without one huge
// reply.
const batchSize = 512

// AttemptsOf returns, by learner, each learner's submissions to a
// challenge, oldest first: Attempts for many learners in a few round
// trips. Learners without submissions are absent from the map.
func (s *Redis) AttemptsOf(ctx context.Context, learners []string, challenge string) (map[string][]grader.Record, error) {
	out := make(map[string][]grader.Record, len(learners))
	for chunk := range slices.Chunk(learners, batchSize) {
		cmds := make([]*redis.StringSliceCmd, len(chunk))
		_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
			for i, learner := range chunk {
				cmds[i] = p.ZRange(ctx, s.key("subs", "learner", learner, "challenge", challenge), 0, -1)
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("attempts at %s: %w", challenge, err)
		}
		var ids []string
		for _, c := range cmds {
			ids = append(ids, c.Val()...)
		}
		for idChunk := range slices.Chunk(ids, batchSize) {
			recs, err := s.records(ctx, idChunk)
			if err != nil {
				return nil, fmt.Errorf("attempts at %s: %w", challenge, err)
			}
			for _, r := range recs {
				out[r.Learner] = append(out[r.Learner], r)
			}
		}
	}
	return out, nil
}
