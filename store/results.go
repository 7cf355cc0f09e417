package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
)

// Result returns a submission's stored result and whether there is one.
func (s *Redis) Result(ctx context.Context, id string) (grader.Result, bool, error) {
	results, err := s.Results(ctx, []string{id})
	if err != nil {
		return grader.Result{}, false, err
	}
	res, ok := results[id]
	return res, ok, nil
}

// Results returns the results (instructor view) of the submissions in ids
// that have one, by id, in a few round trips.
func (s *Redis) Results(ctx context.Context, ids []string) (map[string]grader.Result, error) {
	out := make(map[string]grader.Result, len(ids))
	for chunk := range slices.Chunk(ids, batchSize) {
		keys := make([]string, len(chunk))
		for i, id := range chunk {
			keys[i] = s.key("sub", id, "result")
		}
		vals, err := s.rdb.MGet(ctx, keys...).Result()
		if err != nil {
			return nil, fmt.Errorf("read results: %w", err)
		}
		for i, v := range vals {
			b, ok := v.(string)
			if !ok {
				continue // no result
			}
			var res grader.Result
			if err := json.Unmarshal([]byte(b), &res); err != nil {
				return nil, fmt.Errorf("decode result of %s: %w", chunk[i], err)
			}
			out[chunk[i]] = res
		}
	}
	return out, nil
}

// saveScript stores a submission's first result and everything that
// follows from it, its done event included, atomically; a submission that
// has a result already keeps it and nothing changes. It returns 1 when it
// stored, 0 when not.
//
// KEYS: result, record, unfinished, cohort unfinished (or a dummy), files,
// events, board, practice board. ARGV: result JSON, status, score, max
// score, graded at, submission id, files TTL in ms, 1 for a cohort
// submission, board score ("" for none), learner, 1 for a practice
// submission, the events' max length, the done event JSON, the notice
// channel.
var saveScript = redis.NewScript(`
if not redis.call("SET", KEYS[1], ARGV[1], "NX") then
  return 0
end
redis.call("HSET", KEYS[2], "state", "graded", "status", ARGV[2], "score", ARGV[3], "max_score", ARGV[4], "graded_at", ARGV[5])
redis.call("ZREM", KEYS[3], ARGV[6])
if ARGV[8] == "1" then
  redis.call("ZREM", KEYS[4], ARGV[6])
else
  redis.call("PEXPIRE", KEYS[5], ARGV[7])
end
redis.call("XADD", KEYS[6], "MAXLEN", "~", ARGV[12], "*", "e", ARGV[13])
redis.call("PEXPIRE", KEYS[6], ARGV[7])
if ARGV[9] ~= "" then
  redis.call("ZADD", KEYS[7], "GT", ARGV[9], ARGV[10])
  if ARGV[11] == "1" then
    redis.call("ZADD", KEYS[8], "GT", ARGV[9], ARGV[10])
  end
end
redis.call("PUBLISH", ARGV[14], ARGV[6])
return 1
`)

// SaveResult stores a submission's result, marks it graded (with
// GradedAt), takes it off the unfinished set, appends its done event
// (grader.DoneEvent) to its progress stream and announces it (see
// WatchEvents), schedules its files and events for removal and updates the
// challenge's leaderboards (the practice board too for a practice
// submission), all at once, and reports whether it did. So a stored
// result always has its done event, and a done event its result. A submission has exactly one result: the
// first stored wins, and saving another (a late duplicate grading, a
// fault's grader.StatusError after a real result, or the reverse) changes
// nothing and returns false. A grader.StatusError result (the service's
// fault) never enters the leaderboard. An unknown submission wraps
// grader.ErrNotFound.
func (s *Redis) SaveResult(ctx context.Context, res grader.Result) (bool, error) {
	rec, err := s.Record(ctx, res.SubmissionID)
	if err != nil {
		return false, fmt.Errorf("save result: %w", err)
	}
	if res.GradedAt.IsZero() {
		res.GradedAt = s.now()
	}
	res.GradedAt = res.GradedAt.UTC()
	b, err := json.Marshal(res)
	if err != nil {
		return false, fmt.Errorf("encode result of %s: %w", res.SubmissionID, err)
	}
	done, err := json.Marshal(grader.DoneEvent(res))
	if err != nil {
		return false, fmt.Errorf("encode the done event of %s: %w", res.SubmissionID, err)
	}
	id := res.SubmissionID
	cohort, cohortKey := "0", s.key("unfinished")
	if rec.Cohort != "" {
		// A cohort's files stay for regrades.
		cohort, cohortKey = "1", s.key("unfinished", "cohort", rec.Cohort)
	}
	board := ""
	if res.Status != grader.StatusError {
		board = strconv.FormatFloat(packBoard(res.Score, res.GradedAt), 'f', -1, 64)
	}
	keys := []string{s.key("sub", id, "result"), s.key("sub", id), s.key("unfinished"), cohortKey,
		s.key("sub", id, "files"), s.key("sub", id, "events"), s.key("board", rec.Challenge),
		s.key("practice-board", rec.Challenge)}
	practice := "0"
	if rec.Practice() {
		practice = "1"
	}
	n, err := saveScript.Run(ctx, s.rdb, keys, b, string(res.Status), res.Score, res.MaxScore,
		formatTime(res.GradedAt), id, s.filesTTL.Milliseconds(), cohort, board, rec.Learner, practice,
		maxEvents, done, s.key("events")).Int()
	if err != nil {
		return false, fmt.Errorf("save result of %s: %w", id, err)
	}
	return n == 1, nil
}

// A leaderboard entry packs a score and the time it was reached into one
// float64, score*boardScale + (boardScale - unix seconds), so that higher
// scores rank first and, among equal scores, the earliest. Every value is
// an integer below 2^53, so the float is exact: scores up to maxBoardScore
// (far above any challenge's total) and times to the second, from 1970 to
// the year 2286 (unix seconds below boardScale).
const (
	boardScale    = 10_000_000_000 // 1e10 > any unix time in seconds until 2286
	maxBoardScore = 900_000        // (maxBoardScore+1)*boardScale < 2^53
)

func packBoard(score int, at time.Time) float64 {
	score = min(max(score, 0), maxBoardScore)
	sec := min(max(at.Unix(), 1), boardScale-1)
	return float64(int64(score)*boardScale + (boardScale - sec))
}

func unpackBoard(v float64) (score int, at time.Time) {
	n := int64(v)
	return int(n / boardScale), time.Unix(boardScale-n%boardScale, 0).UTC()
}

// Leaderboard returns a challenge's best score per learner, best first,
// ties to whoever got there first, at most limit lines. Results with
// grader.StatusError are not on it.
func (s *Redis) Leaderboard(ctx context.Context, challenge string, limit int) ([]grader.BoardEntry, error) {
	return s.board(ctx, s.key("board", challenge), challenge, limit)
}

// PracticeLeaderboard is Leaderboard of the practice submissions alone
// (see grader.Record.Practice): what learners may be shown of one another.
func (s *Redis) PracticeLeaderboard(ctx context.Context, challenge string, limit int) ([]grader.BoardEntry, error) {
	return s.board(ctx, s.key("practice-board", challenge), challenge, limit)
}

func (s *Redis) board(ctx context.Context, key, challenge string, limit int) ([]grader.BoardEntry, error) {
	if limit <= 0 {
		return []grader.BoardEntry{}, nil
	}
	zs, err := s.rdb.ZRevRangeWithScores(ctx, key, 0, int64(limit)-1).Result()
	if err != nil {
		return nil, fmt.Errorf("read leaderboard of %s: %w", challenge, err)
	}
	out := make([]grader.BoardEntry, 0, len(zs))
	for _, z := range zs {
		score, at := unpackBoard(z.Score)
		out = append(out, grader.BoardEntry{Learner: fmt.Sprint(z.Member), Score: score, At: at})
	}
	return out, nil
}

// Best returns a learner's leaderboard entry for a challenge and whether
// there is one (none until a result other than grader.StatusError).
func (s *Redis) Best(ctx context.Context, challenge, learner string) (grader.BoardEntry, bool, error) {
	v, err := s.rdb.ZScore(ctx, s.key("board", challenge), learner).Result()
	if errors.Is(err, redis.Nil) {
		return grader.BoardEntry{}, false, nil
	}
	if err != nil {
		return grader.BoardEntry{}, false, fmt.Errorf("best of %s at %s: %w", learner, challenge, err)
	}
	score, at := unpackBoard(v)
	return grader.BoardEntry{Learner: learner, Score: score, At: at}, true, nil
}

// CachedSubmission returns the submission whose result the result cache
// holds under key (see grader.ResultCacheKey), and whether there is one.
func (s *Redis) CachedSubmission(ctx context.Context, key string) (string, bool, error) {
	id, err := s.rdb.Get(ctx, s.key("result-cache", key)).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("read the result cache: %w", err)
	}
	return id, true, nil
}

// RememberResult files submission id's result in the result cache under
// key for the store's ResultCacheTTL, unless an earlier one is filed
// there: the first grading of some content stays its cached result.
func (s *Redis) RememberResult(ctx context.Context, key, id string) error {
	if err := s.rdb.SetNX(ctx, s.key("result-cache", key), id, s.cacheTTL).Err(); err != nil {
		return fmt.Errorf("write the result cache: %w", err)
	}
	return nil
}

// ForgetResult takes key out of the result cache, so that the next
// identical submission is graded.
func (s *Redis) ForgetResult(ctx context.Context, key string) error {
	if err := s.rdb.Del(ctx, s.key("result-cache", key)).Err(); err != nil {
		return fmt.Errorf("write the result cache: %w", err)
	}
	return nil
}
