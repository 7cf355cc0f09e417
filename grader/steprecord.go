package grader

import "encoding/json"

// StepRecord is what one step of an http test sent and got back, as the
// tester saw it: what `grader challenge record` prints for an instructor
// to paste into the step's expect. Only a StepRecorder receives them;
// learners never do.
type StepRecord struct {
	// Suite and Test name the step's test; Step is its 1-based number and
	// Name the step's own name, if it has one.
	Suite string `json:"suite,omitempty"`
	Test  string `json:"test,omitempty"`
	Step  int    `json:"step"`
	Name  string `json:"name,omitempty"`
	// Request is the request as sent, captures filled in: "GET /aZ3k9".
	// Empty when it could not be built.
	Request string `json:"request,omitempty"`
	// Status is the response's status code; 0 when no response came.
	Status int `json:"status,omitempty"`
	// Headers are the response's headers, a header sent several times
	// as its values joined with ", ".
	Headers map[string]string `json:"headers,omitempty"`
	// JSON is the body when it is JSON; Body holds the beginning of any
	// other body, BodyTruncated set when it was cut.
	JSON          json.RawMessage `json:"json,omitempty"`
	Body          string          `json:"body,omitempty"`
	BodyTruncated bool            `json:"body_truncated,omitempty"`
	// Failure is why the step failed (its expect, a capture, or no
	// response at all), in the words a learner would read; "" when it
	// passed.
	Failure string `json:"failure,omitempty"`
	// Requests is how many times a step sent its request when it sent it
	// several times (parallel or repeat), and Statuses how many responses
	// got each status; the other fields then show the first response in
	// request order.
	Requests int         `json:"requests,omitempty"`
	Statuses map[int]int `json:"statuses,omitempty"`
	// Queries is how many database statements the service ran to answer
	// the step's request, in a challenge with a postgres fixture.
	Queries int64 `json:"queries,omitempty"`
	// Restarted is set when the step restarted the service first.
	Restarted bool `json:"restarted,omitempty"`
	// Captured are the values the step's captures took, by name, as raw
	// JSON.
	Captured map[string]json.RawMessage `json:"captured,omitempty"`
}

// StepRecorder is a Progress that also wants every http step's response.
// When the Progress given to Engine.Grade is a StepRecorder, the tester of
// each http suite records: it reports every step to StepRecorded and runs
// each test's steps to the end even after one fails (the test still fails
// with its first failure). The service never grades this way.
type StepRecorder interface {
	Progress
	// StepRecorded receives one step, in the order the tester ran them.
	StepRecorded(StepRecord)
}
