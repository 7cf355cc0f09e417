package challenges

import (
	"time"

	"github.com/gradebox/grader/grader"
)

// checkSet reports the faults of a step's parallel, repeat, restart and
// set expectations, by the rules the tester applies
// (grader.CheckStepSet).
func (h *httpFile) checkSet(field string, st grader.Step) {
	for _, p := range grader.CheckStepSet(st) {
		h.bad(field+"."+p.Field, p.Fix, "%s", p.Problem)
	}
}

// maxTime converts expect.max_ms; nil is no bound.
func (h *httpFile) maxTime(field string, ms *int) time.Duration {
	if ms == nil {
		return 0
	}
	if *ms <= 0 {
		h.bad(field, "write a positive whole number of milliseconds, generous (the time includes the boxes' overhead), e.g. 500", "%d is not a positive time", *ms)
		return 0
	}
	return time.Duration(*ms) * time.Millisecond
}
