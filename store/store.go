// Package store keeps the service's state in Redis: submission records
// and files, results, progress events and leaderboards.
//
// Key layout (prefix "grader" by default):
//
//	grader:sub:{id}            hash: the submission's record
//	grader:sub:{id}:files      gzip'd JSON of the checked files; expires FilesTTL after grading
//	grader:sub:{id}:result     JSON result (instructor view)
//	grader:sub:{id}:events     stream of progress events (for Server-Sent Events)
//	grader:subs                sorted set of all submission ids by creation time
//	grader:subs:learner:{l}    the same, per learner
//	grader:subs:challenge:{c}  the same, per challenge
//	grader:board:{c}           sorted set: learner -> best score, ties to the earliest
//
// Records, results and indexes are kept until deleted; files are dropped a
// day after grading; event streams expire with them.
package store

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/queue"
)

// State is where a submission is in its life.
type State string

// Submission states.
const (
	StateQueued State = "queued"
	StateGraded State = "graded"
)

// Record describes a submission.
type Record struct {
	ID        string        `json:"id"`
	Challenge string        `json:"challenge"`
	Learner   string        `json:"learner"`
	Queue     string        `json:"queue"`
	State     State         `json:"state"`
	CreatedAt time.Time     `json:"created_at"`
	Status    grader.Status `json:"status,omitempty"`
	Score     int           `json:"score"`
	MaxScore  int           `json:"max_score"`
}

// Config configures a Redis store.
type Config struct {
	// Client is the Redis connection. Required.
	Client redis.UniversalClient
	// Prefix starts every key; default "grader".
	Prefix string
	// FilesTTL is how long a submission's files are kept once graded;
	// default 24h.
	FilesTTL time.Duration
	// Now tells the time; time.Now by default.
	Now func() time.Time
}

// Redis is the store.
type Redis struct {
	rdb      redis.UniversalClient
	p        string
	filesTTL time.Duration
	now      func() time.Time
}

var (
	_ queue.Submissions = (*Redis)(nil)
	_ queue.Results     = (*Redis)(nil)
)

// New returns a store on cfg.Client.
func New(cfg Config) *Redis {
	s := &Redis{rdb: cfg.Client, p: cfg.Prefix, filesTTL: cfg.FilesTTL, now: cfg.Now}
	if s.p == "" {
		s.p = "grader"
	}
	if s.filesTTL <= 0 {
		s.filesTTL = 24 * time.Hour
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

func (s *Redis) key(parts ...string) string {
	k := s.p
	for _, p := range parts {
		k += ":" + p
	}
	return k
}

// ErrExists is returned when a submission id is taken.
var ErrExists = errors.New("submission already exists")

// CreateSubmission stores a new submission's record and files and indexes
// it. It fails with ErrExists if the id is taken.
func (s *Redis) CreateSubmission(ctx context.Context, rec Record, files []grader.File) error {
	if rec.CreatedAt.IsZero() {
		rec.CreatedAt = s.now().UTC()
	}
	rec.State = StateQueued
	packed, err := packFiles(files)
	if err != nil {
		return err
	}
	ok, err := s.rdb.HSetNX(ctx, s.key("sub", rec.ID), "id", rec.ID).Result()
	if err != nil {
		return fmt.Errorf("create submission %s: %w", rec.ID, err)
	}
	if !ok {
		return fmt.Errorf("create submission %s: %w", rec.ID, ErrExists)
	}
	at := float64(rec.CreatedAt.UnixNano())
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.HSet(ctx, s.key("sub", rec.ID), recordFields(rec))
		p.Set(ctx, s.key("sub", rec.ID, "files"), packed, 0)
		p.ZAdd(ctx, s.key("subs"), redis.Z{Score: at, Member: rec.ID})
		p.ZAdd(ctx, s.key("subs", "learner", rec.Learner), redis.Z{Score: at, Member: rec.ID})
		p.ZAdd(ctx, s.key("subs", "challenge", rec.Challenge), redis.Z{Score: at, Member: rec.ID})
		return nil
	})
	if err != nil {
		return fmt.Errorf("create submission %s: %w", rec.ID, err)
	}
	return nil
}

func recordFields(r Record) map[string]any {
	return map[string]any{
		"id": r.ID, "challenge": r.Challenge, "learner": r.Learner, "queue": r.Queue, "state": string(r.State),
		"created_at": r.CreatedAt.Format(time.RFC3339Nano), "status": string(r.Status),
		"score": r.Score, "max_score": r.MaxScore,
	}
}

// Record returns a submission's record, or an error wrapping
// grader.ErrNotFound.
func (s *Redis) Record(ctx context.Context, id string) (Record, error) {
	m, err := s.rdb.HGetAll(ctx, s.key("sub", id)).Result()
	if err != nil {
		return Record{}, fmt.Errorf("read submission %s: %w", id, err)
	}
	if len(m) == 0 || m["challenge"] == "" {
		return Record{}, fmt.Errorf("submission %s: %w", id, grader.ErrNotFound)
	}
	created, _ := time.Parse(time.RFC3339Nano, m["created_at"])
	score, _ := strconv.Atoi(m["score"])
	maxScore, _ := strconv.Atoi(m["max_score"])
	return Record{ID: m["id"], Challenge: m["challenge"], Learner: m["learner"], Queue: m["queue"], State: State(m["state"]),
		CreatedAt: created, Status: grader.Status(m["status"]), Score: score, MaxScore: maxScore}, nil
}

// Submission returns a submission's files for grading.
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
	return grader.Submission{ID: id, Files: files}, nil
}

// Result returns a submission's stored result.
func (s *Redis) Result(ctx context.Context, id string) (grader.Result, bool, error) {
	b, err := s.rdb.Get(ctx, s.key("sub", id, "result")).Bytes()
	if errors.Is(err, redis.Nil) {
		return grader.Result{}, false, nil
	}
	if err != nil {
		return grader.Result{}, false, fmt.Errorf("read result of %s: %w", id, err)
	}
	var res grader.Result
	if err := json.Unmarshal(b, &res); err != nil {
		return grader.Result{}, false, fmt.Errorf("decode result of %s: %w", id, err)
	}
	return res, true, nil
}

// boardScale packs a score and a time into one sorted-set score: higher
// scores first, and among equal scores the earliest.
const boardScale = 1e10

// SaveResult stores a result, marks the submission graded, schedules its
// files for removal and updates the challenge's leaderboard. Saving the
// same result twice changes nothing more.
func (s *Redis) SaveResult(ctx context.Context, res grader.Result) error {
	rec, err := s.Record(ctx, res.SubmissionID)
	if err != nil {
		return err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return fmt.Errorf("encode result of %s: %w", res.SubmissionID, err)
	}
	at := res.GradedAt
	if at.IsZero() {
		at = s.now()
	}
	board := float64(res.Score)*boardScale + (boardScale - float64(at.Unix()%int64(boardScale)))
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.Set(ctx, s.key("sub", res.SubmissionID, "result"), b, 0)
		p.HSet(ctx, s.key("sub", res.SubmissionID), "state", string(StateGraded), "status", string(res.Status), "score", res.Score, "max_score", res.MaxScore)
		p.Expire(ctx, s.key("sub", res.SubmissionID, "files"), s.filesTTL)
		p.Expire(ctx, s.key("sub", res.SubmissionID, "events"), s.filesTTL)
		p.ZAddGT(ctx, s.key("board", rec.Challenge), redis.Z{Score: board, Member: rec.Learner})
		return nil
	})
	if err != nil {
		return fmt.Errorf("save result of %s: %w", res.SubmissionID, err)
	}
	return nil
}

// Standing is one line of a leaderboard.
type Standing struct {
	Learner string    `json:"learner"`
	Score   int       `json:"score"`
	At      time.Time `json:"at"`
}

// Leaderboard returns a challenge's best score per learner, best first,
// ties to whoever got there first.
func (s *Redis) Leaderboard(ctx context.Context, challenge string, limit int) ([]Standing, error) {
	zs, err := s.rdb.ZRevRangeWithScores(ctx, s.key("board", challenge), 0, int64(limit)-1).Result()
	if err != nil {
		return nil, fmt.Errorf("read leaderboard of %s: %w", challenge, err)
	}
	out := make([]Standing, 0, len(zs))
	for _, z := range zs {
		score := int(z.Score / boardScale)
		at := int64(boardScale) - int64(z.Score-float64(score)*boardScale)
		out = append(out, Standing{Learner: fmt.Sprint(z.Member), Score: score, At: time.Unix(at, 0).UTC()})
	}
	return out, nil
}

// Filter narrows List; empty fields match all.
type Filter struct {
	Challenge string
	Learner   string
}

// List returns records newest first, from offset, at most limit, and how
// many match in all. With both filter fields set, the learner's index is
// read and filtered by challenge.
func (s *Redis) List(ctx context.Context, f Filter, offset, limit int) ([]Record, int, error) {
	index := s.key("subs")
	switch {
	case f.Learner != "":
		index = s.key("subs", "learner", f.Learner)
	case f.Challenge != "":
		index = s.key("subs", "challenge", f.Challenge)
	}
	ids, err := s.rdb.ZRevRange(ctx, index, 0, -1).Result()
	if err != nil {
		return nil, 0, fmt.Errorf("list submissions: %w", err)
	}
	var out []Record
	total := 0
	for _, id := range ids {
		rec, err := s.Record(ctx, id)
		if err != nil {
			continue
		}
		if f.Challenge != "" && rec.Challenge != f.Challenge {
			continue
		}
		if total >= offset && len(out) < limit {
			out = append(out, rec)
		}
		total++
	}
	return out, total, nil
}

// Event is a stored progress event with its stream id, which clients send
// back as Last-Event-ID to resume.
type Event struct {
	ID    string       `json:"id"`
	Event grader.Event `json:"event"`
}

// AppendEvent adds a progress event to a submission's stream.
func (s *Redis) AppendEvent(ctx context.Context, id string, ev grader.Event) (string, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return "", fmt.Errorf("encode event: %w", err)
	}
	sid, err := s.rdb.XAdd(ctx, &redis.XAddArgs{Stream: s.key("sub", id, "events"), MaxLen: 10000, Approx: true, Values: map[string]any{"e": b}}).Result()
	if err != nil {
		return "", fmt.Errorf("append event of %s: %w", id, err)
	}
	return sid, nil
}

// Events returns a submission's events after the stream id after ("" for
// all).
func (s *Redis) Events(ctx context.Context, id, after string) ([]Event, error) {
	start := "-"
	if after != "" {
		start = "(" + after
	}
	msgs, err := s.rdb.XRange(ctx, s.key("sub", id, "events"), start, "+").Result()
	if err != nil {
		return nil, fmt.Errorf("read events of %s: %w", id, err)
	}
	out := make([]Event, 0, len(msgs))
	for _, m := range msgs {
		raw, _ := m.Values["e"].(string)
		var ev grader.Event
		if json.Unmarshal([]byte(raw), &ev) != nil {
			continue
		}
		out = append(out, Event{ID: m.ID, Event: ev})
	}
	return out, nil
}

// packFiles encodes files compactly for Redis.
func packFiles(files []grader.File) ([]byte, error) {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(files); err != nil {
		return nil, fmt.Errorf("pack files: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("pack files: %w", err)
	}
	return buf.Bytes(), nil
}

func unpackFiles(b []byte) ([]grader.File, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("unpack files: %w", err)
	}
	var files []grader.File
	if err := json.NewDecoder(io.LimitReader(zr, 256<<20)).Decode(&files); err != nil {
		return nil, fmt.Errorf("unpack files: %w", err)
	}
	return files, nil
}
