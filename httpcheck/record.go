package httpcheck

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/gradebox/grader/grader"
)

// recordBodyBytes caps the body a step record carries, so that every
// event stays one modest line.
const recordBodyBytes = 16 << 10

// record reports step i of test as a "step" event: the request as sent,
// what came back (the responses in request order, a nil one when none
// came; the first is shown, the statuses of all are counted) and why it
// failed (msg).
func (r *runner) record(test string, i int, st grader.Step, sent string, all []*response, msg string, v vars) error {
	if sent != "" {
		sent = stepWhat(grader.Step{Request: st.Request, Parallel: st.Parallel, Repeat: st.Repeat}, sent)
	}
	rec := &grader.StepRecord{Step: i + 1, Name: st.Name, Request: sent, Failure: msg, Restarted: st.Restart}
	var got *response
	if len(all) > 0 {
		got = all[0]
	}
	if n := st.Requests(); n > 1 {
		rec.Requests = n
		for _, g := range all {
			if g != nil {
				if rec.Statuses == nil {
					rec.Statuses = map[int]int{}
				}
				rec.Statuses[g.StatusCode]++
			}
		}
	}
	if got != nil {
		rec.Status = got.StatusCode
		rec.Queries = got.queries
		rec.Headers = map[string]string{}
		for _, k := range slices.Sorted(maps.Keys(got.Header)) {
			rec.Headers[k] = strings.Join(got.Header[k], ", ")
		}
		body := got.body
		switch {
		case !got.truncated && len(body) <= recordBodyBytes && len(body) > 0 && gjson.ValidBytes(body):
			rec.JSON = compact(body)
		case len(body) > recordBodyBytes:
			rec.Body, rec.BodyTruncated = excerpt(string(body), recordBodyBytes), true
		default:
			rec.Body, rec.BodyTruncated = strings.ToValidUTF8(string(body), "\uFFFD"), got.truncated
		}
	}
	for name := range st.Capture {
		if c, ok := v[name]; ok {
			if rec.Captured == nil {
				rec.Captured = map[string]json.RawMessage{}
			}
			rec.Captured[name] = json.RawMessage(c.raw)
		}
	}
	return r.emit(grader.TesterEvent{Event: grader.TesterStep, Name: test, Step: rec})
}
