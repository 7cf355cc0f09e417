package grader

import (
	"fmt"
	"time"
)

// EventType names a progress event.
type EventType string

// Progress event types, in the order a submission goes through them. The
// Engine emits the phase and test events; the service adds queued when it
// accepts a submission, started when a worker takes it, retrying when a
// service fault sends it back to the queue, and done once its result is
// stored.
const (
	EventQueued        EventType = "queued"
	EventStarted       EventType = "started"
	EventPhaseStarted  EventType = "phase_started"
	EventPhaseFinished EventType = "phase_finished"
	EventTestStarted   EventType = "test_started"
	EventTestFinished  EventType = "test_finished"
	EventRetrying      EventType = "retrying"
	EventDone          EventType = "done"
)

// Event tells a Progress what grading is doing.
type Event struct {
	Type EventType `json:"type"`
	// Phase is "build" or "run" for phase events.
	Phase string `json:"phase,omitempty"`
	Suite string `json:"suite,omitempty"`
	// Test is the test a test event is about; for test_started only its
	// name, suite and visibility are set.
	Test *TestResult `json:"test,omitempty"`
	// DurationMS is a finished phase's duration.
	DurationMS int64 `json:"duration_ms,omitempty"`
	// OK is false for a phase that failed (a build error, a timeout).
	OK bool `json:"ok,omitempty"`
	// Message explains a failed phase.
	Message string    `json:"message,omitempty"`
	At      time.Time `json:"at"`
}

// As returns the event as reader v may see it: for a learner, a hidden
// test's name, message and output are removed, and a visible test's
// loses the stack frames of hidden test files.
func (e Event) As(v View) Event {
	if v != ViewLearner || e.Test == nil {
		return e
	}
	if e.Test.Visibility != Hidden {
		t := e.Test.asLearner()
		e.Test = &t
		return e
	}
	t := *e.Test
	t.Name = "hidden test"
	t.Message = ""
	t.Output = ""
	t.OutputTruncated = false
	t.Subtests = nil
	e.Test = &t
	e.Message = ""
	return e
}

// Progress receives events while a submission is graded. Implementations
// must be quick and safe for use by one grading at a time.
type Progress interface {
	Event(Event)
}

// ProgressFunc adapts a function to Progress.
type ProgressFunc func(Event)

// Event calls f(e).
func (f ProgressFunc) Event(e Event) { f(e) }

// noProgress drops every event.
type noProgress struct{}

func (noProgress) Event(Event) {}

// DoneEvent is the event that ends a submission's progress stream, stored
// with its result res: OK unless the service failed (StatusError), with
// the verdict and the score, at res.GradedAt.
func DoneEvent(res Result) Event {
	return Event{Type: EventDone, OK: res.Status != StatusError, At: res.GradedAt,
		Message: fmt.Sprintf("%s: %d of %d points", res.Status, res.Score, res.MaxScore)}
}
