//go:build integration

package e2e

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/redistest"
)

// TestRedisOutageChargesNoLearner stops Redis for 30 s while a worker
// grades, twice the worker lease's TTL, so Redis comes back without the
// lease. The live worker takes its lease again, a second worker started
// with its id is refused (and so removes none of its boxes), and the
// grading in flight ends with the reference's real result, not a verdict
// the outage made up.
func TestRedisOutageChargesNoLearner(t *testing.T) {
	rs := redistest.StartDurable(t)
	env := []string{"GRADER_TOKENS=" + serviceTokens}
	apiProc := startGrader(t, env, "serve", "--no-worker", "--listen", "127.0.0.1:0", "--redis-url", rs.URL())
	const workerID = "e2e-outage"
	live := startGrader(t, env, "worker", "--redis-url", rs.URL(), "--worker-id", workerID, "--metrics-listen", "")

	code, sub, _ := submit(t, apiProc.url, tokenAlice, "cache-aside", "../challenges/cache-aside/solution", "")
	if code != http.StatusAccepted {
		t.Fatalf("submit answered %d", code)
	}
	waitGrading(t, live, apiProc.url, sub.ID, workerID)

	rs.Stop()
	time.Sleep(30 * time.Second)
	if err := rs.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	live.waitLog(t, "taken again")

	second := startGrader(t, env, "worker", "--redis-url", rs.URL(), "--worker-id", workerID, "--metrics-listen", "")
	select {
	case <-second.done:
	case <-time.After(time.Minute):
		t.Fatalf("a second worker with a live worker's id still runs after a minute:\n%s", second.log())
	}
	if !strings.Contains(second.log(), "worker id in use") || strings.Contains(second.log(), "removed leftover") {
		t.Errorf("second worker, want refused before removing anything:\n%s", second.log())
	}
	select {
	case <-live.done:
		t.Fatalf("the live worker stopped:\n%s", live.log())
	default:
	}

	events := follow(t, apiProc.url, tokenAlice, sub.ID, "", 6*time.Minute)
	res := doneResult(t, events[len(events)-1])
	if res.Status != grader.StatusPassed || res.Score != res.MaxScore {
		t.Errorf("after the outage the reference scored %d/%d (%s: %s)\nworker log:\n%s", res.Score, res.MaxScore, res.Status, res.Message, live.log())
	}
}
