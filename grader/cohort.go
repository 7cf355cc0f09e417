package grader

import (
	"slices"
	"time"
)

// Cohort is a group of learners graded together on some challenges: a
// bootcamp's class, a course's term.
type Cohort struct {
	ID         string   `json:"id"`
	Name       string   `json:"name"`
	Learners   []string `json:"learners"`
	Challenges []string `json:"challenges"`
	// DueAt, when set, is the deadline: submissions made after it do not
	// count in the cohort's reports and standings.
	DueAt time.Time `json:"due_at,omitzero"`
	// Policies are the feedback policies of its challenges, by challenge
	// id; a challenge without one has the defaults.
	Policies  map[string]FeedbackPolicy `json:"policies,omitempty"`
	CreatedAt time.Time                 `json:"created_at"`
	CreatedBy string                    `json:"created_by"`
	// Lane numbers the batch queue lane the cohort's bulk submissions go
	// to, assigned round-robin at creation so that cohorts graded at the
	// same time share the workers.
	Lane int `json:"lane"`
}

// Has reports whether learner is a member of c.
func (c Cohort) Has(learner string) bool { return slices.Contains(c.Learners, learner) }

// Covers reports whether challenge is one of c's challenges.
func (c Cohort) Covers(challenge string) bool { return slices.Contains(c.Challenges, challenge) }

// Counts reports whether a submission made at t counts for c: before its
// due date, if it has one.
func (c Cohort) Counts(t time.Time) bool { return c.DueAt.IsZero() || !t.After(c.DueAt) }

// TokenGrant is what a token issued by the service stands for.
type TokenGrant struct {
	Subject string `json:"subject"`
	Role    string `json:"role"`
	// Cohort is the cohort the token was issued for.
	Cohort string `json:"cohort"`
}
