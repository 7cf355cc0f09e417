package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
)

// CreateRegrade stores a new regrade and its items (not done); grader.ErrExists
// if the id is taken.
func (s *Redis) CreateRegrade(ctx context.Context, rg grader.Regrade, items []grader.RegradeItem) error {
	rg.State, rg.Total, rg.Done = grader.RegradeRunning, len(items), 0
	if rg.CreatedAt.IsZero() {
		rg.CreatedAt = s.now()
	}
	rg.CreatedAt = rg.CreatedAt.UTC()
	meta, err := json.Marshal(rg)
	if err != nil {
		return fmt.Errorf("create regrade %s: %w", rg.ID, err)
	}
	ok, err := s.rdb.SetNX(ctx, s.key("regrade", rg.ID), meta, 0).Result()
	if err != nil {
		return fmt.Errorf("create regrade %s: %w", rg.ID, err)
	}
	if !ok {
		return fmt.Errorf("create regrade %s: %w", rg.ID, grader.ErrExists)
	}
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, it := range items {
			b, err := json.Marshal(it)
			if err != nil {
				return err
			}
			p.HSet(ctx, s.key("regrade", rg.ID, "items"), it.Submission, b)
		}
		p.ZAdd(ctx, s.key("regrades", "cohort", rg.Cohort), redis.Z{Score: float64(rg.CreatedAt.UnixNano()), Member: rg.ID})
		return nil
	})
	if err != nil {
		return fmt.Errorf("create regrade %s: %w", rg.ID, err)
	}
	return nil
}

// Regrade returns a regrade, its state and counts brought up to date, and
// its items by learner; an unknown id wraps grader.ErrNotFound.
func (s *Redis) Regrade(ctx context.Context, id string) (grader.Regrade, []grader.RegradeItem, error) {
	b, err := s.rdb.Get(ctx, s.key("regrade", id)).Bytes()
	if errors.Is(err, redis.Nil) {
		return grader.Regrade{}, nil, fmt.Errorf("regrade %s: %w", id, grader.ErrNotFound)
	}
	if err != nil {
		return grader.Regrade{}, nil, fmt.Errorf("read regrade %s: %w", id, err)
	}
	var rg grader.Regrade
	if err := json.Unmarshal(b, &rg); err != nil {
		return grader.Regrade{}, nil, fmt.Errorf("decode regrade %s: %w", id, err)
	}
	m, err := s.rdb.HGetAll(ctx, s.key("regrade", id, "items")).Result()
	if err != nil {
		return grader.Regrade{}, nil, fmt.Errorf("read regrade %s: %w", id, err)
	}
	items := make([]grader.RegradeItem, 0, len(m))
	for _, v := range m {
		var it grader.RegradeItem
		if err := json.Unmarshal([]byte(v), &it); err != nil {
			return grader.Regrade{}, nil, fmt.Errorf("decode regrade %s item: %w", id, err)
		}
		items = append(items, it)
		if it.Done {
			rg.Done++
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Learner < items[j].Learner })
	rg.Total = len(items)
	if rg.State == grader.RegradeRunning && rg.Done == rg.Total {
		rg.State = grader.RegradePreviewed
	}
	return rg, items, nil
}

// RegradeItemResult returns the new result of one regrade item and
// whether there is one yet.
func (s *Redis) RegradeItemResult(ctx context.Context, id, submission string) (grader.Result, bool, error) {
	b, err := s.rdb.HGet(ctx, s.key("regrade", id, "results"), submission).Bytes()
	if errors.Is(err, redis.Nil) {
		return grader.Result{}, false, nil
	}
	if err != nil {
		return grader.Result{}, false, fmt.Errorf("read regrade %s result of %s: %w", id, submission, err)
	}
	var res grader.Result
	if err := json.Unmarshal(b, &res); err != nil {
		return grader.Result{}, false, fmt.Errorf("decode regrade %s result of %s: %w", id, submission, err)
	}
	return res, true, nil
}

// saveItemScript records an item's new result unless the regrade is
// applied. KEYS: regrade, items, results. ARGV: submission, item JSON,
// result JSON. Returns 0 for an unknown item or an applied regrade.
var saveItemScript = redis.NewScript(`
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then return 0 end
local meta = cjson.decode(redis.call('GET', KEYS[1]))
if meta.state ~= 'running' then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
redis.call('HSET', KEYS[3], ARGV[1], ARGV[3])
return 1
`)

// SaveRegradeResult records the new result of a regrade's submission,
// marking its item done. Saving again replaces it; once the regrade is
// being applied nothing changes. An unknown regrade or item wraps
// grader.ErrNotFound.
func (s *Redis) SaveRegradeResult(ctx context.Context, id string, res grader.Result) error {
	raw, err := s.rdb.HGet(ctx, s.key("regrade", id, "items"), res.SubmissionID).Bytes()
	if errors.Is(err, redis.Nil) {
		return fmt.Errorf("regrade %s has no submission %s: %w", id, res.SubmissionID, grader.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("read regrade %s item %s: %w", id, res.SubmissionID, err)
	}
	it := &grader.RegradeItem{}
	if err := json.Unmarshal(raw, it); err != nil {
		return fmt.Errorf("decode regrade %s item %s: %w", id, res.SubmissionID, err)
	}
	it.Done, it.NewScore, it.NewMaxScore, it.NewVersion, it.NewStatus = true, res.Score, res.MaxScore, res.ChallengeVersion, res.Status
	ib, err := json.Marshal(it)
	if err != nil {
		return fmt.Errorf("encode regrade item: %w", err)
	}
	rb, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("encode regrade result: %w", err)
	}
	keys := []string{s.key("regrade", id), s.key("regrade", id, "items"), s.key("regrade", id, "results")}
	if err := saveItemScript.Run(ctx, s.rdb, keys, res.SubmissionID, ib, rb).Err(); err != nil {
		return fmt.Errorf("save regrade %s result of %s: %w", id, res.SubmissionID, err)
	}
	return nil
}

// setRegradeState moves a regrade from one of the states from to state
// to. KEYS: regrade. ARGV: to, applied_at, then the states allowed.
// Returns the state it was in, or "" when that was not allowed.
var setRegradeStateScript = redis.NewScript(`
local meta = cjson.decode(redis.call('GET', KEYS[1]))
for i = 3, #ARGV do
  if meta.state == ARGV[i] then
    meta.state = ARGV[1]
    if ARGV[2] ~= '' then meta.applied_at = ARGV[2] end
    redis.call('SET', KEYS[1], cjson.encode(meta))
    return ARGV[i]
  end
end
return ''
`)

// StartApplyRegrade marks a fully graded regrade as applying (again, if
// an earlier apply stopped half way); grader.ErrRegradeState otherwise.
func (s *Redis) StartApplyRegrade(ctx context.Context, id string) error {
	rg, _, err := s.Regrade(ctx, id)
	if err != nil {
		return fmt.Errorf("apply regrade: %w", err)
	}
	if rg.State != grader.RegradePreviewed && rg.State != grader.RegradeApplying {
		return fmt.Errorf("regrade %s is %s (%d of %d graded): %w", id, rg.State, rg.Done, rg.Total, grader.ErrRegradeState)
	}
	was, err := setRegradeStateScript.Run(ctx, s.rdb, []string{s.key("regrade", id)}, grader.RegradeApplying, "", grader.RegradeRunning, grader.RegradeApplying).Text()
	if err != nil {
		return fmt.Errorf("apply regrade %s: %w", id, err)
	}
	if was == "" {
		return fmt.Errorf("regrade %s: %w", id, grader.ErrRegradeState)
	}
	return nil
}

// FinishApplyRegrade marks an applying regrade applied.
func (s *Redis) FinishApplyRegrade(ctx context.Context, id string) error {
	was, err := setRegradeStateScript.Run(ctx, s.rdb, []string{s.key("regrade", id)}, grader.RegradeApplied, formatTime(s.now()), grader.RegradeApplying).Text()
	if err != nil {
		return fmt.Errorf("finish regrade %s: %w", id, err)
	}
	if was == "" {
		return fmt.Errorf("finish regrade %s: %w", id, grader.ErrRegradeState)
	}
	return nil
}

// recordRegradeScript stores a regrade's result as a submission of its
// own next to the one it regraded, and marks that one superseded. KEYS:
// new record, new files, new result, old record, old files, subs, learner
// index, challenge index, pair index, cohort index, regrade items, scope
// index (empty for none). ARGV:
// new id, creation score, result JSON, old id, item JSON, then the new
// record's field/value pairs. Returns 0 when the new record exists.
var recordRegradeScript = redis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local files = redis.call('GET', KEYS[5])
if files then redis.call('SET', KEYS[2], files) end
redis.call('SET', KEYS[3], ARGV[3])
redis.call('HSET', KEYS[1], unpack(ARGV, 6))
for i = 6, 10 do redis.call('ZADD', KEYS[i], ARGV[2], ARGV[1]) end
redis.call('HSET', KEYS[4], 'superseded_by', ARGV[1])
redis.call('HSET', KEYS[11], ARGV[4], ARGV[5])
if KEYS[12] ~= '' then redis.call('ZADD', KEYS[12], ARGV[2], ARGV[1]) end
return 1
`)

// RecordRegrade applies one regrade item: it stores res (graded from the
// files of item.Submission) as a new graded submission of kind
// grader.KindRegrade with id newID, its creation time and attempt those of the
// old one (it counts as made when the old one was), copies the files,
// marks the old record superseded, marks the item applied and sets the
// learner's leaderboard entry to their best counted result. Recording
// the same newID twice changes nothing more.
func (s *Redis) RecordRegrade(ctx context.Context, regradeID string, item grader.RegradeItem, newID string, res grader.Result) error {
	old, err := s.Record(ctx, item.Submission)
	if err != nil {
		return fmt.Errorf("record regrade: %w", err)
	}
	if res.GradedAt.IsZero() {
		res.GradedAt = s.now()
	}
	res.GradedAt = res.GradedAt.UTC()
	res.SubmissionID = newID
	rb, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("encode regrade result: %w", err)
	}
	item.Applied = newID
	ib, err := json.Marshal(item)
	if err != nil {
		return fmt.Errorf("encode regrade item: %w", err)
	}
	rec := old
	rec.ID, rec.Kind, rec.RegradeOf, rec.SupersededBy = newID, grader.KindRegrade, old.ID, ""
	rec.State, rec.Status, rec.Score, rec.MaxScore, rec.GradedAt = grader.StateGraded, res.Status, res.Score, res.MaxScore, res.GradedAt
	rec.CallbackURL = "" // CallbackView stays: it says who submitted (see Practice)
	keys := []string{
		s.key("sub", newID), s.key("sub", newID, "files"), s.key("sub", newID, "result"),
		s.key("sub", old.ID), s.key("sub", old.ID, "files"),
		s.key("subs"), s.key("subs", "learner", rec.Learner), s.key("subs", "challenge", rec.Challenge),
		s.key("subs", "learner", rec.Learner, "challenge", rec.Challenge), s.key("subs", "cohort", rec.Cohort),
		s.key("regrade", regradeID, "items"), "",
	}
	if k := rec.Scope(); k != "" {
		keys[11] = s.key("subs", "learner", rec.Learner, "scope", k)
	}
	if rec.Cohort == "" {
		keys[9] = s.key("subs", "cohort", "") // never read: no cohort has an empty id
	}
	args := []any{newID, strconv.FormatInt(old.CreatedAt.UnixNano(), 10), rb, old.ID, ib}
	fields := recordFields(rec)
	fields["attempt"] = rec.Attempt
	for k, v := range fields {
		args = append(args, k, v)
	}
	if err := recordRegradeScript.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return fmt.Errorf("record regrade of %s: %w", old.ID, err)
	}
	if err := s.RefreshStanding(ctx, rec.Challenge, rec.Learner); err != nil {
		return fmt.Errorf("record regrade of %s: %w", old.ID, err)
	}
	return nil
}

// RefreshStanding sets a learner's leaderboard entries for a challenge
// (the whole board and the practice board) to their best counted result
// (see grader.Record.Counts; grader.Record.Practice for the practice board), or removes
// them when there is none. Results normally only raise an entry; a
// regrade may lower it.
func (s *Redis) RefreshStanding(ctx context.Context, challenge, learner string) error {
	recs, err := s.Attempts(ctx, learner, challenge)
	if err != nil {
		return err
	}
	if err := s.setStanding(ctx, s.key("board", challenge), learner, recs, grader.Record.Counts); err != nil {
		return err
	}
	practice := func(r grader.Record) bool { return r.Counts() && r.Practice() }
	return s.setStanding(ctx, s.key("practice-board", challenge), learner, recs, practice)
}

// setStanding sets learner's entry in board to their best of the recs
// that count, or removes it when none does.
func (s *Redis) setStanding(ctx context.Context, board, learner string, recs []grader.Record, counts func(grader.Record) bool) error {
	var best *grader.Record
	for i := range recs {
		r := &recs[i]
		if !counts(*r) {
			continue
		}
		if best == nil || r.Score > best.Score || (r.Score == best.Score && r.GradedAt.Before(best.GradedAt)) {
			best = r
		}
	}
	if best == nil {
		return s.rdb.ZRem(ctx, board, learner).Err()
	}
	return s.rdb.ZAdd(ctx, board, redis.Z{Score: packBoard(best.Score, best.GradedAt), Member: learner}).Err()
}

// Regrades returns a cohort's regrades, newest first.
func (s *Redis) Regrades(ctx context.Context, cohort string) ([]grader.Regrade, error) {
	ids, err := s.rdb.ZRevRange(ctx, s.key("regrades", "cohort", cohort), 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("list regrades of %s: %w", cohort, err)
	}
	out := []grader.Regrade{}
	for _, id := range ids {
		rg, _, err := s.Regrade(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, rg)
	}
	return out, nil
}
