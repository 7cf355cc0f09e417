package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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

// SaveResult stores a result, marks the submission graded (with
// GradedAt), takes it off the unfinished set, schedules its files and
// events for removal and updates the challenge's leaderboards (the
// practice board too for a practice submission). Saving the
// same result twice changes nothing more. A grader.StatusError result
// (the service's fault) never enters the leaderboard and never replaces a
// real result already stored. An unknown submission wraps
// grader.ErrNotFound.
func (s *Redis) SaveResult(ctx context.Context, res grader.Result) error {
	rec, err := s.Record(ctx, res.SubmissionID)
	if err != nil {
		return fmt.Errorf("save result: %w", err)
	}
	if res.Status == grader.StatusError && rec.State == StateGraded {
		if old, ok, err := s.Result(ctx, res.SubmissionID); err != nil {
			return fmt.Errorf("save result: %w", err)
		} else if ok && old.Status != grader.StatusError {
			return nil
		}
	}
	if res.GradedAt.IsZero() {
		res.GradedAt = s.now()
	}
	res.GradedAt = res.GradedAt.UTC()
	b, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("encode result of %s: %w", res.SubmissionID, err)
	}
	id := res.SubmissionID
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.key("sub", id, "result"), b, 0)
		p.HSet(ctx, s.key("sub", id), "state", string(StateGraded), "status", string(res.Status),
			"score", res.Score, "max_score", res.MaxScore, "graded_at", formatTime(res.GradedAt))
		p.ZRem(ctx, s.key("unfinished"), id)
		if rec.Cohort != "" {
			// A cohort's files stay for regrades.
			p.ZRem(ctx, s.key("unfinished", "cohort", rec.Cohort), id)
		} else {
			p.Expire(ctx, s.key("sub", id, "files"), s.filesTTL)
		}
		p.Expire(ctx, s.key("sub", id, "events"), s.filesTTL)
		if res.Status != grader.StatusError {
			p.ZAddGT(ctx, s.key("board", rec.Challenge), redis.Z{Score: packBoard(res.Score, res.GradedAt), Member: rec.Learner})
			if rec.Practice() {
				p.ZAddGT(ctx, s.key("practice-board", rec.Challenge), redis.Z{Score: packBoard(res.Score, res.GradedAt), Member: rec.Learner})
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save result of %s: %w", id, err)
	}
	return nil
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

// Standing is one line of a leaderboard: a learner's best score and when
// it was first reached (to the second).
type Standing struct {
	Learner string    `json:"learner"`
	Score   int       `json:"score"`
	At      time.Time `json:"at"`
}

// Leaderboard returns a challenge's best score per learner, best first,
// ties to whoever got there first, at most limit lines. Results with
// grader.StatusError are not on it.
func (s *Redis) Leaderboard(ctx context.Context, challenge string, limit int) ([]Standing, error) {
	return s.board(ctx, s.key("board", challenge), challenge, limit)
}

// PracticeLeaderboard is Leaderboard of the practice submissions alone
// (see Record.Practice): what learners may be shown of one another.
func (s *Redis) PracticeLeaderboard(ctx context.Context, challenge string, limit int) ([]Standing, error) {
	return s.board(ctx, s.key("practice-board", challenge), challenge, limit)
}

func (s *Redis) board(ctx context.Context, key, challenge string, limit int) ([]Standing, error) {
	if limit <= 0 {
		return []Standing{}, nil
	}
	zs, err := s.rdb.ZRevRangeWithScores(ctx, key, 0, int64(limit)-1).Result()
	if err != nil {
		return nil, fmt.Errorf("read leaderboard of %s: %w", challenge, err)
	}
	out := make([]Standing, 0, len(zs))
	for _, z := range zs {
		score, at := unpackBoard(z.Score)
		out = append(out, Standing{Learner: fmt.Sprint(z.Member), Score: score, At: at})
	}
	return out, nil
}

// Best returns a learner's leaderboard entry for a challenge and whether
// there is one (none until a result other than grader.StatusError).
func (s *Redis) Best(ctx context.Context, challenge, learner string) (Standing, bool, error) {
	v, err := s.rdb.ZScore(ctx, s.key("board", challenge), learner).Result()
	if errors.Is(err, redis.Nil) {
		return Standing{}, false, nil
	}
	if err != nil {
		return Standing{}, false, fmt.Errorf("best of %s at %s: %w", learner, challenge, err)
	}
	score, at := unpackBoard(v)
	return Standing{Learner: learner, Score: score, At: at}, true, nil
}
