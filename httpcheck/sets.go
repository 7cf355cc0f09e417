package httpcheck

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"

	"github.com/gradebox/grader/grader"
)

// checkOne checks one response against exp: check, then the time bound.
func checkOne(exp grader.Expect, resp response, v vars) string {
	if msg := check(exp, resp, v); msg != "" {
		return msg
	}
	return checkTime(exp, resp)
}

// checkTime checks a response's time against exp.MaxTime.
func checkTime(exp grader.Expect, resp response) string {
	if exp.MaxTime > 0 && resp.elapsed > exp.MaxTime {
		return fmt.Sprintf("the response took %d ms, more than the %d ms allowed (measured by the tester from sending the request to reading the whole body)",
			resp.elapsed.Milliseconds(), exp.MaxTime.Milliseconds())
	}
	return ""
}

// stepSet sends a step's request several times (parallel or repeat) and
// checks the set: the status counts first, then every response against
// the step's plain expectations, then the distinct values. It captures from
// the last response in request order. It returns the first request as
// sent, the responses in request order (nil when one did not come) and ""
// on success, else what went wrong.
func (r *runner) stepSet(ctx context.Context, st grader.Step, v vars) (string, []*response, string) {
	n := st.Requests()
	reqs := make([]*http.Request, n)
	for i := range reqs {
		req, err := r.request(ctx, st.Request, v)
		if err != nil {
			return "", nil, err.Error()
		}
		reqs[i] = req
	}
	sent := reqs[0].Method + " " + reqs[0].URL.RequestURI()
	got := make([]*response, n)
	why := make([]string, n)
	if st.Parallel > 0 {
		// Every request is built; release them together, so that they
		// reach the service as close to at once as the box allows.
		release := make(chan struct{})
		var wg sync.WaitGroup
		for i := range reqs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-release
				got[i], why[i] = r.send(ctx, st.Request, reqs[i])
			}()
		}
		close(release)
		wg.Wait()
	} else {
		for i := range reqs {
			got[i], why[i] = r.send(ctx, st.Request, reqs[i])
		}
	}
	set := responseSet{st: st, n: n}
	for i := range got {
		if got[i] == nil {
			return sent, got, set.which(i) + ": " + why[i]
		}
	}
	msg := set.statuses(got)
	if msg == "" {
		msg = set.each(got, v)
	}
	if msg == "" {
		msg = set.distinct(got)
	}
	if msg == "" || r.plan.Record {
		msg = cmp.Or(msg, captureAll(st.Capture, *got[n-1], v))
	}
	return sent, got, msg
}

// responseSet words the checks of a step's set of responses.
type responseSet struct {
	st grader.Step
	n  int
}

// requests names the set: "5 concurrent requests", "5 repeated requests".
func (s responseSet) requests() string {
	if s.st.Parallel > 0 {
		return fmt.Sprintf("%d concurrent requests", s.n)
	}
	return fmt.Sprintf("%d repeated requests", s.n)
}

// which names response i. Concurrent responses come in no set order, so
// they are not numbered.
func (s responseSet) which(i int) string {
	if s.st.Parallel > 0 {
		return fmt.Sprintf("one of %s", s.requests())
	}
	return fmt.Sprintf("request %d of %d", i+1, s.n)
}

// statuses checks the count of each expected status.
func (s responseSet) statuses(got []*response) string {
	want := s.st.Expect.Statuses
	if len(want) == 0 {
		return ""
	}
	counts := map[int]int{}
	for _, g := range got {
		counts[g.StatusCode]++
	}
	// A status that too many got says most about what went wrong (two
	// requests created what one should have), so it is named first.
	for _, tooMany := range []bool{true, false} {
		for _, code := range slices.Sorted(maps.Keys(want)) {
			if c := counts[code]; c != want[code] && (c > want[code]) == tooMany {
				return fmt.Sprintf("expected exactly %d of %s to get %d, got %d (%s)", want[code], s.requests(), code, c, countText(counts))
			}
		}
	}
	return ""
}

// countText lists counts by status: "201 ×1, 200 ×4".
func countText(counts map[int]int) string {
	var parts []string
	for _, code := range slices.Sorted(maps.Keys(counts)) {
		parts = append(parts, fmt.Sprintf("%d ×%d", code, counts[code]))
	}
	return strings.Join(parts, ", ")
}

// each checks every response against the step's plain expectations and
// reports the first that fails, with how many did.
func (s responseSet) each(got []*response, v vars) string {
	first, failed := "", 0
	for i, g := range got {
		msg := checkOne(s.st.Expect, *g, v)
		if msg == "" {
			continue
		}
		failed++
		if first == "" {
			first = s.which(i) + ": " + msg
		}
	}
	if failed > 1 && s.st.Parallel > 0 {
		return fmt.Sprintf("%d of %s failed; %s", failed, s.requests(), first)
	}
	return first
}

// distinct checks that each distinct path has a value in every response
// and no two share one.
func (s responseSet) distinct(got []*response) string {
	for _, p := range s.st.Expect.Distinct {
		seen := map[string]int{}
		for i, g := range got {
			if msg := notJSON(*g); msg != "" {
				return s.which(i) + ": " + msg
			}
			res := gjson.GetBytes(g.body, p)
			if !res.Exists() {
				return fmt.Sprintf("%s: expected %s in the response, but it is missing; body: %s", s.which(i), p, snippet(*g))
			}
			seen[string(compact([]byte(res.Raw)))]++
		}
		if len(seen) == s.n {
			continue
		}
		dup, most := "", 0
		for _, val := range slices.Sorted(maps.Keys(seen)) {
			if seen[val] > most {
				dup, most = val, seen[val]
			}
		}
		return fmt.Sprintf("expected %s to differ between all %s, but %d of them got %s", p, s.requests(), most, excerpt(dup, valueExcerptBytes))
	}
	return ""
}

// restartStopWait bounds how long the tester waits for the service's port
// to close after asking for a restart: the Engine's grace before it kills
// the service, and time for its own calls.
const restartStopWait = grader.ServiceStopGrace + 15*time.Second

// restart asks the Engine to restart the service, waits until its port
// closes, says so, and probes the new service as at the first start. It
// returns "" when the service is ready again, else why not in words for
// the learner; the error is a failed write or ctx ending.
func (r *runner) restart(ctx context.Context) (string, error) {
	if err := r.emit(grader.TesterEvent{Event: grader.TesterRestart}); err != nil {
		return "", err
	}
	if err := r.waitClosed(ctx); err != nil {
		return "", err
	}
	if err := r.emit(grader.TesterEvent{Event: grader.TesterServiceStopped}); err != nil {
		return "", err
	}
	reason, err := r.waitReady(ctx)
	if err != nil || reason == "" {
		return "", err
	}
	return "after the restart, " + reason, nil
}

// waitClosed dials the service's port until no connection is accepted.
func (r *runner) waitClosed(ctx context.Context) error {
	addr := hostPort(r.plan.BaseURL)
	wctx, cancel := context.WithTimeout(ctx, restartStopWait)
	defer cancel()
	d := net.Dialer{Timeout: time.Second}
	for {
		c, err := d.DialContext(wctx, "tcp", addr)
		if err != nil {
			if ctx.Err() != nil {
				return fmt.Errorf("wait for the service to stop: %w", ctx.Err())
			}
			if wctx.Err() != nil {
				return fmt.Errorf("the service still accepted connections %s after the restart began", restartStopWait)
			}
			return nil
		}
		_ = c.Close()
		if !sleep(wctx, probeFirstWait) && ctx.Err() != nil {
			return fmt.Errorf("wait for the service to stop: %w", ctx.Err())
		}
	}
}

// hostPort returns the host:port of base, an http URL.
func hostPort(base string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	return net.JoinHostPort(u.Hostname(), portOf(base))
}
