package grader

import "time"

// The grading service keeps a Record of every submission, next to its
// files (a Submission) and its Result. These records, the cohorts and
// regrades below and the errors of errors.go are the service's domain:
// adapters (the Redis store, the HTTP API, the queue) store and show
// them, and none of them owns them.

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
	// Language is the language of the submission's files, chosen by the
	// submitter or detected when it was made.
	Language Language `json:"language,omitempty"`
	Learner  string   `json:"learner"`
	Queue    string   `json:"queue"`
	State    State    `json:"state"`
	// Attempt is the learner's 1-based attempt at this challenge,
	// assigned by CreateSubmission.
	Attempt int `json:"attempt"`
	// CallbackURL, when set, receives the result once graded (a webhook).
	CallbackURL string `json:"callback_url,omitempty"`
	// CallbackView is the submitter's view of results: the view the
	// webhook body carries, and what tells a learner's own submission
	// from staff's (see Practice). Empty means the learner view.
	CallbackView View      `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	// StartedAt is when a worker last started grading it.
	StartedAt time.Time `json:"started_at,omitzero"`
	// GradedAt is when its result was stored.
	GradedAt time.Time `json:"graded_at,omitzero"`
	Status   Status    `json:"status,omitempty"`
	Score    int       `json:"score"`
	MaxScore int       `json:"max_score"`
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
	// Fresh asks for a grading even when the result cache holds a result
	// for identical files: an instructor's choice at submission.
	Fresh bool `json:"fresh,omitempty"`
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
	return r.Cohort == "" && r.CallbackView != ViewInstructor
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
	return r.State == StateGraded && r.Status != StatusError && r.SupersededBy == ""
}

// RecordFilter narrows a listing of records; empty fields match all.
// Scope, with Learner, keeps the learner's submissions of that scope (see
// Record.Scope). Cohort, when set, is used alone.
type RecordFilter struct {
	Challenge string
	Learner   string
	Cohort    string
	Scope     string
}

// BoardEntry is one line of a challenge's leaderboard: a learner's best
// score and when it was first reached (to the second). A cohort's
// standing of a learner is another thing (see package cohort).
type BoardEntry struct {
	Learner string    `json:"learner"`
	Score   int       `json:"score"`
	At      time.Time `json:"at"`
}

// StoredEvent is a progress event as stored, with its stream id, which
// clients send back as Last-Event-ID to resume.
type StoredEvent struct {
	ID    string `json:"id"`
	Event Event  `json:"event"`
}
