package grader

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestGradeHTTPRestart plays a tester that asks for a restart: the engine
// stops the service gracefully, waits for the tester to see it gone,
// starts the same service again beside the same fixtures, and counts the
// output of both runs.
func TestGradeHTTPRestart(t *testing.T) {
	sb := &fakeSandbox{Files: map[string][]byte{"/work/.grader-out/service": []byte("ELF")}}
	services := 0
	sb.RunFn = func(spec BoxSpec) Exit {
		switch spec.Role {
		case "tester":
			writeLines(spec.Stdout, `{"event":"fixtures_ready"}`)
			sb.awaitN("service", 1)
			writeLines(spec.Stdout, `{"event":"ready"}`, `{"event":"test_started","name":"create"}`, `{"event":"restart"}`, `{"event":"service_stopped"}`)
			sb.awaitN("service", 2)
			writeLines(spec.Stdout, `{"event":"test","name":"create","status":"passed"}`)
			return Exit{Code: 0}
		case "service":
			sb.mu.Lock()
			services++
			n := services
			sb.mu.Unlock()
			if n == 1 {
				return Exit{Code: 143, Stdout: Output{Text: "first run\n"}}
			}
			return Exit{Code: 137, Stdout: Output{Text: "second run\n"}}
		}
		return Exit{}
	}
	ch := httpChallenge()
	ch.Suites[0].Tests = ch.Suites[0].Tests[:1]
	ch.Suites[0].Tests[0].Steps = []Step{{Restart: true, Request: &Request{Method: "GET", Path: "/notes"}}}
	res, err := testEngine(sb).Grade(context.Background(), ch, Submission{ID: "sub-restart"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"build", "net", "fixture-redis", "fixture-upstream", "tester", "service", "service"}
	if diff := cmp.Diff(want, sb.roles()); diff != "" {
		t.Errorf("boxes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"service " + ServiceStopGrace.String()}, sb.stops); diff != "" {
		t.Errorf("graceful stops (-want +got):\n%s", diff)
	}
	var svcs []BoxSpec
	for _, s := range sb.specs {
		if s.Role == "service" {
			svcs = append(svcs, s)
		}
	}
	if diff := cmp.Diff(svcs[0].Env, svcs[1].Env); diff != "" || svcs[0].Network != svcs[1].Network || !cmp.Equal(svcs[0].Cmd, svcs[1].Cmd) {
		t.Errorf("the restarted service differs (env -first +second):\n%s\nfirst %+v\nsecond %+v", diff, svcs[0], svcs[1])
	}
	if res.Status != StatusPassed || res.Score != res.MaxScore {
		t.Errorf("status %s score %d/%d: %+v", res.Status, res.Score, res.MaxScore, res.Tests)
	}
	if got := res.Service.Text; got != "first run\nsecond run\n" {
		t.Errorf("service output %q, want both runs", got)
	}
}
