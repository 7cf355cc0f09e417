package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
)

// State is where a submission is in its life: queued → grading → graded.
type State string

// Submission states.
const (
	// StateQueued: stored and waiting for a worker.
	StateQueued State = "queued"
	// StateGrading: a worker is grading it (or was, before a retry).
	StateGrading State = "grading"
	// StateGraded: its result is stored. A graded record never goes back.
	StateGraded State = "graded"
)

// Record describes a submission.
type Record struct {
	ID        string `json:"id"`
	Challenge string `json:"challenge"`
	Learner   string `json:"learner"`
	Queue     string `json:"queue"`
	State     State  `json:"state"`
	// Attempt is the learner's 1-based attempt at this challenge,
	// assigned by CreateSubmission.
	Attempt int `json:"attempt"`
	// CallbackURL, when set, receives the result once graded (a webhook).
	CallbackURL string `json:"callback_url,omitempty"`
	// CallbackView is the submitter's view of results: the view the
	// webhook body carries, and what tells a learner's own submission
	// from staff's (see Practice). Empty means the learner view.
	CallbackView grader.View `json:"-"`
	CreatedAt    time.Time   `json:"created_at"`
	// StartedAt is when a worker last started grading it.
	StartedAt time.Time `json:"started_at,omitzero"`
	// GradedAt is when its result was stored.
	GradedAt time.Time     `json:"graded_at,omitzero"`
	Status   grader.Status `json:"status,omitempty"`
	Score    int           `json:"score"`
	MaxScore int           `json:"max_score"`
	// Cohort is the cohort the submission was made in, if any. A cohort's
	// submissions keep their files (a regrade grades them again).
	Cohort string `json:"cohort,omitempty"`
	// TokenCohort is the cohort of the issued token the submission was
	// made with, if any (see Scope).
	TokenCohort string `json:"-"`
	// Kind is KindSubmission, or KindRegrade for a result recorded by
	// applying a regrade.
	Kind string `json:"kind"`
	// RegradeOf is, for a regrade, the submission it graded again.
	RegradeOf string `json:"regrade_of,omitempty"`
	// SupersededBy is the regrade that replaced this submission's result
	// in standings and reports; the result itself is kept.
	SupersededBy string `json:"superseded_by,omitempty"`
}

// Scope is the cohort whose issued tokens may read the submission: its
// cohort, or for a practice submission the cohort of the token it was
// made with; "" when no issued token may.
func (r Record) Scope() string {
	if r.Cohort != "" {
		return r.Cohort
	}
	return r.TokenCohort
}

// Practice reports whether r is a practice submission: made by a learner
// themself (with the learner view, see CallbackView), outside any cohort.
// Only these enter a challenge's practice leaderboard, so that it names
// neither staff nor who belongs to which cohort.
func (r Record) Practice() bool {
	return r.Cohort == "" && r.CallbackView != grader.ViewInstructor
}

// Submission kinds.
const (
	// KindSubmission is a learner's (or an instructor's bulk) upload.
	KindSubmission = "submission"
	// KindRegrade is a submission's files graded again after the
	// challenge changed.
	KindRegrade = "regrade"
)

// Counts reports whether rec's result counts towards standings: graded,
// not a service fault and not superseded by a regrade.
func (r Record) Counts() bool {
	return r.State == StateGraded && r.Status != grader.StatusError && r.SupersededBy == ""
}

// Config configures a Redis store.
type Config struct {
	// Client is the Redis connection. Required.
	Client redis.UniversalClient
	// Prefix starts every key; default "grader".
	Prefix string
	// FilesTTL is how long a submission's files and progress events are
	// kept once graded; default 24h.
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

// Ping checks that Redis answers.
func (s *Redis) Ping(ctx context.Context) error {
	if err := s.rdb.Ping(ctx).Err(); err != nil {
		return fmt.Errorf("ping redis: %w", err)
	}
	return nil
}

// keyEscaper keeps ':' out of the variable parts of keys, so that no
// learner, challenge or key name can spell another key.
var keyEscaper = strings.NewReplacer("%", "%25", ":", "%3A")

// key joins the prefix and parts with ':', escaping each part.
func (s *Redis) key(parts ...string) string {
	var b strings.Builder
	b.WriteString(s.p)
	for _, p := range parts {
		b.WriteByte(':')
		b.WriteString(keyEscaper.Replace(p))
	}
	return b.String()
}

// ErrExists is returned when a submission id (or a cohort id) is taken.
var ErrExists = errors.New("already exists")

// ErrQuota is returned when a cohort already has as many unfinished
// submissions as its quota allows.
var ErrQuota = errors.New("cohort queue quota reached")

// ErrInvalidEventID is wrapped when an event id given to Events or
// EventsAfter (a client's Last-Event-ID) is not a stream id.
var ErrInvalidEventID = errors.New("invalid event id")
