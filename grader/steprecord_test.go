package grader

import (
	"context"
	"encoding/json"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// stepCollector is a StepRecorder that keeps what it is given.
type stepCollector struct {
	mu    sync.Mutex
	steps []StepRecord
}

func (c *stepCollector) Event(Event) {}

func (c *stepCollector) StepRecorded(r StepRecord) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.steps = append(c.steps, r)
}

var _ StepRecorder = (*stepCollector)(nil)

func TestGradeRecordsStepsForAStepRecorder(t *testing.T) {
	for _, recording := range []bool{false, true} {
		sb := &fakeSandbox{Files: map[string][]byte{"/work/.grader-out/service": []byte("ELF")}}
		sb.RunFn = func(spec BoxSpec) Exit {
			if spec.Role == "tester" {
				writeLines(spec.Stdout, `{"event":"fixtures_ready"}`)
				sb.await("service")
				writeLines(spec.Stdout,
					`{"event":"ready"}`,
					`{"event":"step","name":"create","step":{"step":1,"request":"POST /notes","status":201,"headers":{"Content-Type":"application/json"},"json":{"id":"7"}}}`,
					`{"event":"test","name":"create","status":"passed"}`,
				)
			}
			return Exit{}
		}
		var progress Progress = ProgressFunc(func(Event) {})
		rec := &stepCollector{}
		if recording {
			progress = rec
		}
		if _, err := testEngine(sb).Grade(context.Background(), httpChallenge(), Submission{ID: "rec"}, progress); err != nil {
			t.Fatal(err)
		}
		var plan TesterPlan
		if err := json.Unmarshal(sb.spec("tester").Files[0].Data, &plan); err != nil {
			t.Fatal(err)
		}
		if plan.Record != recording {
			t.Errorf("recording %v: plan.Record = %v", recording, plan.Record)
		}
		if !recording {
			continue
		}
		want := []StepRecord{{Suite: "api", Test: "create", Step: 1, Request: "POST /notes", Status: 201,
			Headers: map[string]string{"Content-Type": "application/json"}, JSON: json.RawMessage(`{"id":"7"}`)}}
		if diff := cmp.Diff(want, rec.steps); diff != "" {
			t.Errorf("recorded (-want +got):\n%s", diff)
		}
	}
}
