package api

import "sync"

// streamCaps counts the event streams open in this process, per subject
// and in all, and refuses one past either cap.
type streamCaps struct {
	perSubject, total int

	mu   sync.Mutex
	open map[string]int
	all  int
}

func newStreamCaps(perSubject, total int) *streamCaps {
	return &streamCaps{perSubject: perSubject, total: total, open: map[string]int{}}
}

// take counts a new stream of subject, or returns the error to answer:
// 429 rate_limited past the subject's cap, 503 unavailable past the
// total.
func (sc *streamCaps) take(subject string) error {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.open[subject] >= sc.perSubject {
		return Errorf(CodeRateLimited, "you have %d event streams open, the most one token may; close one (or poll GET /v1/submissions/{id}) and retry", sc.perSubject)
	}
	if sc.all >= sc.total {
		return Errorf(CodeUnavailable, "the service follows as many event streams as it can (%d); retry shortly, or poll GET /v1/submissions/{id}", sc.total)
	}
	sc.open[subject]++
	sc.all++
	return nil
}

// free counts a stream of subject as closed.
func (sc *streamCaps) free(subject string) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	sc.all--
	if sc.open[subject]--; sc.open[subject] <= 0 {
		delete(sc.open, subject)
	}
}
