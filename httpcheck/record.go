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
// what came back (got, nil when nothing did) and why it failed (msg).
func (r *runner) record(test string, i int, st grader.Step, sent string, got *response, msg string, v vars) error {
	rec := &grader.StepRecord{Step: i + 1, Name: st.Name, Request: sent, Failure: msg}
	if got != nil {
		rec.Status = got.StatusCode
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
