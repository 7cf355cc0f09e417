package grader

import (
	"fmt"
	"time"
)

// Feedback is how much of a result a learner sees.
type Feedback string

const (
	// FeedbackScore shows the status, the score and the points of hidden
	// tests summed up: no test's name, message or output, and none of the
	// service's output (it may echo a hidden test's requests).
	FeedbackScore Feedback = "score"
	// FeedbackVisible is the learner view: visible tests in full, hidden
	// tests summed up. The default.
	FeedbackVisible Feedback = "visible"
	// FeedbackAll adds every hidden test's name, status, points and
	// message; their output and subtests stay hidden.
	FeedbackAll Feedback = "all"
)

// ParseFeedback reads a Feedback; empty is FeedbackVisible.
func ParseFeedback(s string) (Feedback, error) {
	switch f := Feedback(s); f {
	case "":
		return FeedbackVisible, nil
	case FeedbackScore, FeedbackVisible, FeedbackAll:
		return f, nil
	}
	return "", fmt.Errorf("feedback %q: use score, visible or all", s)
}

// FeedbackPolicy is what an instructor sets for one challenge of a
// cohort: how much learners see of their results before and after the
// cohort's due date, and how often they may submit.
type FeedbackPolicy struct {
	// BeforeDue is what learners see until the due date (and always,
	// for a cohort without one); default visible.
	BeforeDue Feedback `json:"before_due,omitempty"`
	// AfterDue is what they see once it has passed; default visible.
	// All releases the hidden tests' names and messages.
	AfterDue Feedback `json:"after_due,omitempty"`
	// MaxAttempts caps a learner's graded attempts at the challenge in
	// the cohort; zero means no cap. Attempts the service failed to
	// grade (status error) are not counted.
	MaxAttempts int `json:"max_attempts,omitempty"`
	// CooldownSeconds is the least time between two of a learner's
	// submissions to the challenge in the cohort; zero means none.
	CooldownSeconds int `json:"cooldown_seconds,omitempty"`
}

// Cooldown returns CooldownSeconds as a duration.
func (p FeedbackPolicy) Cooldown() time.Duration {
	return time.Duration(p.CooldownSeconds) * time.Second
}

// Policy returns the cohort's policy for challenge (the defaults when it
// sets none).
func (c Cohort) Policy(challenge string) FeedbackPolicy {
	return c.Policies[challenge]
}

// FeedbackAt returns what a learner of c sees of a result of challenge
// at now.
func (c Cohort) FeedbackAt(challenge string, now time.Time) Feedback {
	p := c.Policy(challenge)
	f := p.BeforeDue
	if !c.DueAt.IsZero() && now.After(c.DueAt) {
		f = p.AfterDue
	}
	if f == "" {
		return FeedbackVisible
	}
	return f
}

// LearnerFeedback returns what a learner of c sees of a result of
// challenge at now, with the note that says so on the result: nil when
// the learner sees the usual learner view and nothing more is released
// later.
func (c Cohort) LearnerFeedback(challenge string, now time.Time) (Feedback, *FeedbackNote) {
	f := c.FeedbackAt(challenge, now)
	var note *FeedbackNote
	if f != FeedbackVisible {
		note = &FeedbackNote{Level: f}
	}
	if !c.DueAt.IsZero() && !now.After(c.DueAt) && c.FeedbackAt(challenge, c.DueAt.Add(time.Second)) != f {
		if note == nil {
			note = &FeedbackNote{Level: f}
		}
		note.MoreAt = c.DueAt
	}
	return f, note
}

// FeedbackNote tells a learner's result what was held back and until
// when, so that pages and the CLI can say so.
type FeedbackNote struct {
	// Level is the feedback the result was trimmed to.
	Level Feedback `json:"level"`
	// MoreAt, when set, is when more is shown (the due date).
	MoreAt time.Time `json:"more_at,omitzero"`
}

// ForLearner returns the learner view of r with feedback f: the view
// trimmed for FeedbackScore, widened by the hidden tests' names and
// messages for FeedbackAll. note, if not nil, is attached.
func (r Result) ForLearner(f Feedback, note *FeedbackNote) Result {
	out := r.As(ViewLearner)
	out.Feedback = note
	switch f {
	case FeedbackScore:
		out.Tests = []TestResult{}
		out.Suites = nil
		out.Service = Output{}
		hidden := HiddenSummary{}
		for _, t := range r.Tests {
			hidden.add(t)
		}
		out.Hidden = nil
		if hidden.Total > 0 {
			out.Hidden = &hidden
		}
		out.Message = fmt.Sprintf("%d of %d points; test details are held back", r.Score, r.MaxScore)
	case FeedbackAll:
		out.Tests = make([]TestResult, 0, len(r.Tests))
		for _, t := range r.Tests {
			lt := t.asLearner()
			if t.Visibility == Hidden {
				lt.Output, lt.OutputTruncated, lt.Subtests = "", false, nil
			}
			out.Tests = append(out.Tests, lt)
		}
		out.Hidden = nil
	}
	return out
}

// CountsAsAttempt reports whether r counts as an attempt in c: a
// learner's own submission (not a regrade) made by the due date, which
// the service did not fail to grade (status error). Attempt limits and
// the cohort's reports count by this rule.
func (c Cohort) CountsAsAttempt(r Record) bool {
	return r.Kind != KindRegrade && c.Counts(r.CreatedAt) && !(r.State == StateGraded && r.Status == StatusError)
}

// AttemptRefusal says why a learner may not submit to a challenge now.
type AttemptRefusal struct {
	// Attempts counted so far, and the most the policy allows (zero
	// when the refusal is a cooldown).
	Attempts, MaxAttempts int
	// Cooldown is set when the refusal is the wait between attempts.
	Cooldown time.Duration
	// RetryAt is when the learner may submit again: the end of the
	// cooldown, or the due date after which submissions no longer count;
	// zero when never.
	RetryAt time.Time
}

// CheckAttempt returns why a learner whose submissions to challenge are
// recs (any order, any cohort) may not submit another at now under c's
// policy, or nil when they may.
func (c Cohort) CheckAttempt(challenge string, recs []Record, now time.Time) *AttemptRefusal {
	p := c.Policy(challenge)
	if cd := p.Cooldown(); cd > 0 {
		var last time.Time
		for _, r := range recs {
			if r.Kind != KindRegrade && !(r.State == StateGraded && r.Status == StatusError) && r.CreatedAt.After(last) {
				last = r.CreatedAt
			}
		}
		if next := last.Add(cd); !last.IsZero() && now.Before(next) {
			return &AttemptRefusal{Cooldown: cd, RetryAt: next}
		}
	}
	if p.MaxAttempts > 0 && c.Counts(now) {
		n := 0
		for _, r := range recs {
			if c.CountsAsAttempt(r) {
				n++
			}
		}
		if n >= p.MaxAttempts {
			ref := &AttemptRefusal{Attempts: n, MaxAttempts: p.MaxAttempts}
			if !c.DueAt.IsZero() {
				ref.RetryAt = c.DueAt.Add(time.Second).Truncate(time.Second)
			}
			return ref
		}
	}
	return nil
}
