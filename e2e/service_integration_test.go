//go:build integration

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/redistest"
	"github.com/gradebox/grader/internal/sse"
	"github.com/gradebox/grader/runner"
)

// TestServiceGradesSubmissions runs `grader serve` on a real Redis and
// Docker and drives it over HTTP as learners and an instructor would.
func TestServiceGradesSubmissions(t *testing.T) {
	rs := redistest.Start(t)
	svc := startGrader(t, []string{"GRADER_TOKENS=" + serviceTokens},
		"serve", "--listen", "127.0.0.1:0", "--redis-url", rs.URL(), "--worker-id", "e2e-serve", "--concurrency", "2")
	ch, err := challenges.Load("../challenges/notes-api")
	if err != nil {
		t.Fatal(err)
	}
	hidden := hiddenNames(t, ch)

	code, sub, _ := submit(t, svc.url, tokenAlice, "notes-api", "../challenges/notes-api/solution", "alice-try-1")
	if code != http.StatusAccepted || sub.Attempt != 1 {
		t.Fatalf("submit answered %d %+v, want 202 and attempt 1", code, sub)
	}
	// The same Idempotency-Key again is the same submission, not a new one.
	code, again, hdr := submit(t, svc.url, tokenAlice, "notes-api", "../challenges/notes-api/solution", "alice-try-1")
	if code != http.StatusOK || again.ID != sub.ID || hdr.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("replayed submit answered %d %+v (replayed %q), want 200 with id %s", code, again, hdr.Get("Idempotent-Replayed"), sub.ID)
	}

	events := follow(t, svc.url, tokenAlice, sub.ID, "", 5*time.Minute)
	checkEventOrder(t, events)
	res := doneResult(t, events[len(events)-1])
	if !res.Passed() || res.Score != ch.MaxScore() {
		t.Fatalf("reference over the service scored %d/%d (%s: %s)", res.Score, res.MaxScore, res.Status, res.Message)
	}
	for _, ev := range events {
		mustNotMention(t, "learner event "+ev.Type, []byte(ev.Data), hidden)
	}
	// Resuming after the first event replays everything after it.
	resumed := follow(t, svc.url, tokenAlice, sub.ID, events[0].ID, time.Minute)
	if len(resumed) != len(events)-1 || resumed[0].ID != events[1].ID {
		t.Errorf("resume after %s gave %d events starting %v; want %d starting %s", events[0].ID, len(resumed), resumed[0].ID, len(events)-1, events[1].ID)
	}

	status, learnerBody := getJSON(t, svc.url, tokenAlice, "/v1/submissions/"+sub.ID, nil)
	if status != http.StatusOK {
		t.Fatalf("alice reads her submission: %d %s", status, learnerBody)
	}
	mustNotMention(t, "learner's GET", learnerBody, hidden)
	_, instructorBody := getJSON(t, svc.url, tokenInstructor, "/v1/submissions/"+sub.ID, nil)
	if !slices.ContainsFunc(hidden, func(n string) bool { return contains(instructorBody, n) }) {
		t.Errorf("the instructor's view names no hidden test: %s", instructorBody)
	}
	if status, body := getJSON(t, svc.url, tokenBob, "/v1/submissions/"+sub.ID, nil); status != http.StatusNotFound {
		t.Errorf("bob reads alice's submission: %d %s, want 404", status, body)
	}
	var bobs struct {
		Total int `json:"total"`
	}
	getJSON(t, svc.url, tokenBob, "/v1/submissions?learner=alice", &bobs)
	if bobs.Total != 0 {
		t.Errorf("bob lists %d of alice's submissions, want 0", bobs.Total)
	}
	var alices struct {
		Total int `json:"total"`
	}
	getJSON(t, svc.url, tokenInstructor, "/v1/submissions?learner=alice&challenge=notes-api", &alices)
	if alices.Total != 1 {
		t.Errorf("alice has %d submissions after an idempotent resubmit, want 1", alices.Total)
	}

	// Alice sends the same files again: the result cache answers with the
	// first grading's result, without a grading (no started event).
	code, cached, _ := submit(t, svc.url, tokenAlice, "notes-api", "../challenges/notes-api/solution", "alice-try-2")
	if code != http.StatusAccepted || cached.ID == sub.ID {
		t.Fatalf("unchanged resubmission answered %d %+v, want 202 and a new submission", code, cached)
	}
	cachedEvents := follow(t, svc.url, tokenAlice, cached.ID, "", time.Minute)
	var types []string
	for _, e := range cachedEvents {
		types = append(types, e.Type)
	}
	if !slices.Equal(types, []string{string(grader.EventQueued), string(grader.EventDone)}) {
		t.Errorf("events of an unchanged resubmission: %v, want queued, done", types)
	}
	var rec struct {
		Result grader.Result `json:"result"`
	}
	getJSON(t, svc.url, tokenAlice, "/v1/submissions/"+cached.ID, &rec)
	if c := rec.Result.Cached; c == nil || c.SubmissionID != sub.ID || rec.Result.Score != res.Score || rec.Result.SubmissionID != cached.ID {
		t.Errorf("unchanged resubmission's result: cached %+v, score %d, id %s; want cached from %s with score %d", c, rec.Result.Score, rec.Result.SubmissionID, sub.ID, res.Score)
	}

	checkSignedResult(t, svc.url, sub.ID, instructorBody)

	// The starter through the CLI client: graded, less than full marks.
	cli := exec.Command(os.Getenv("GRADER_BIN"), "submit", "--server", svc.url, "--token", tokenBob,
		"--challenge", "notes-api", "--wait", "../challenges/notes-api/starter")
	out, err := cli.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("grader submit of the starter: %v, want exit 1\n%s", err, out)
	}
	mustNotMention(t, "grader submit output", out, hidden)

	var board struct {
		Items []struct {
			Rank    int    `json:"rank"`
			Learner string `json:"learner"`
			Score   int    `json:"score"`
		} `json:"items"`
	}
	getJSON(t, svc.url, tokenInstructor, "/v1/challenges/notes-api/leaderboard", &board)
	if len(board.Items) != 2 || board.Items[0].Learner != "alice" || board.Items[0].Score != ch.MaxScore() || board.Items[1].Learner != "bob" {
		t.Errorf("leaderboard = %+v, want alice with full marks first, then bob", board.Items)
	}
}

func contains(b []byte, s string) bool { return bytes.Contains(b, []byte(s)) }

// checkEventOrder asserts a submission's life reads queued, started,
// phases and tests (each test's start before its finish), done.
func checkEventOrder(t *testing.T, events []sse.Event) {
	t.Helper()
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	if len(types) < 4 || types[0] != string(grader.EventQueued) || types[1] != string(grader.EventStarted) || types[len(types)-1] != string(grader.EventDone) {
		t.Fatalf("event types %v: want queued, started, …, done", types)
	}
	if !slices.Contains(types, string(grader.EventPhaseStarted)) || !slices.Contains(types, string(grader.EventTestFinished)) {
		t.Errorf("event types %v: no phase or test events", types)
	}
	open := 0
	for _, ty := range types {
		switch ty {
		case string(grader.EventTestStarted):
			open++
		case string(grader.EventTestFinished):
			open--
			if open < 0 {
				t.Fatalf("event types %v: a test finished before it started", types)
			}
		}
	}
	for i := 1; i < len(events); i++ {
		if events[i].ID == events[i-1].ID {
			t.Errorf("events %d and %d share id %s", i-1, i, events[i].ID)
		}
	}
}

// TestWorkerKilledMidGradeLosesNothing kills a worker while it grades,
// restarts it under the same id and checks the submission is graded once
// and nothing of the killed worker's sandboxes is left.
func TestWorkerKilledMidGradeLosesNothing(t *testing.T) {
	rs := redistest.Start(t)
	env := []string{"GRADER_TOKENS=" + serviceTokens}
	apiProc := startGrader(t, env, "serve", "--no-worker", "--listen", "127.0.0.1:0", "--redis-url", rs.URL())
	const workerID = "e2e-killed"
	first := startGrader(t, env, "worker", "--redis-url", rs.URL(), "--worker-id", workerID, "--metrics-listen", "")

	code, sub, _ := submit(t, apiProc.url, tokenAlice, "cache-aside", "../challenges/cache-aside/solution", "")
	if code != http.StatusAccepted {
		t.Fatalf("submit answered %d", code)
	}
	waitGrading(t, first, apiProc.url, sub.ID, workerID)
	first.stop(t, syscall.SIGKILL)
	if n := len(workerContainers(t, workerID)); n == 0 {
		t.Log("the killed worker left no container behind (it was between boxes)")
	}

	second := startGrader(t, env, "worker", "--redis-url", rs.URL(), "--worker-id", workerID, "--metrics-listen", "")
	events := follow(t, apiProc.url, tokenAlice, sub.ID, "", 6*time.Minute)
	res := doneResult(t, events[len(events)-1])
	if !res.Passed() {
		t.Errorf("after the restart the reference scored %d/%d (%s: %s)", res.Score, res.MaxScore, res.Status, res.Message)
	}
	dones := 0
	for _, e := range events {
		if e.Type == string(grader.EventDone) {
			dones++
		}
	}
	if dones != 1 {
		t.Errorf("%d done events, want exactly one", dones)
	}
	var list struct {
		Total int `json:"total"`
	}
	getJSON(t, apiProc.url, tokenInstructor, "/v1/submissions?learner=alice", &list)
	if list.Total != 1 {
		t.Errorf("%d submissions recorded, want 1", list.Total)
	}
	// The killed worker's boxes, warm ones included, were removed when its
	// successor started; the successor's own go once grading is done, and
	// its warm boxes when it stops.
	second.stop(t, syscall.SIGTERM)
	deadline := time.Now().Add(time.Minute)
	for len(workerContainers(t, workerID)) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("containers of worker %s left: %v", workerID, workerContainers(t, workerID))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// workerContainers lists the containers labelled with a worker id.
func workerContainers(t *testing.T, worker string) []string {
	t.Helper()
	f := make(client.Filters).Add("label", fmt.Sprintf("%s=%s", runner.LabelWorker, worker))
	list, err := cli.ContainerList(context.Background(), client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range list.Items {
		ids = append(ids, c.ID[:12])
	}
	return ids
}

// TestSIGTERMHandsBackInFlightWork stops a service with SIGTERM while it
// grades, with a shutdown budget shorter than the grading: the process
// must exit within the budget, leave no containers, and the submission,
// handed back to the queue, must be graded once by the next process.
func TestSIGTERMHandsBackInFlightWork(t *testing.T) {
	rs := redistest.Start(t)
	env := []string{"GRADER_TOKENS=" + serviceTokens}
	const workerID = "e2e-sigterm"
	args := []string{"serve", "--listen", "127.0.0.1:0", "--redis-url", rs.URL(), "--worker-id", workerID, "--shutdown-timeout", "2s"}
	first := startGrader(t, env, args...)
	code, sub, _ := submit(t, first.url, tokenAlice, "cache-aside", "../challenges/cache-aside/solution", "")
	if code != http.StatusAccepted {
		t.Fatalf("submit answered %d", code)
	}
	waitGrading(t, first, first.url, sub.ID, workerID)
	stopped := time.Now()
	first.stop(t, syscall.SIGTERM)
	// Budget 2s, plus removing the containers and closing down.
	if took := time.Since(stopped); took > 30*time.Second {
		t.Errorf("SIGTERM took %s to stop the service, with a 2s shutdown budget", took)
	}
	if left := workerContainers(t, workerID); len(left) > 0 {
		t.Errorf("the stopped service left containers %v", left)
	}

	second := startGrader(t, env, args...)
	events := follow(t, second.url, tokenAlice, sub.ID, "", 5*time.Minute)
	res := doneResult(t, events[len(events)-1])
	if !res.Passed() {
		t.Errorf("after the hand-back the reference scored %d/%d (%s: %s)", res.Score, res.MaxScore, res.Status, res.Message)
	}
	var types []string
	for _, e := range events {
		types = append(types, e.Type)
	}
	if !slices.Contains(types, string(grader.EventRetrying)) {
		t.Errorf("event types %v: no retrying event for the hand-back", types)
	}
	if n := len(slices.DeleteFunc(types, func(s string) bool { return s != string(grader.EventDone) })); n != 1 {
		t.Errorf("%d done events, want exactly one", n)
	}
}

// waitGrading waits until the submission is being graded by the worker
// and it has containers running.
func waitGrading(t *testing.T, p *proc, base, id, workerID string) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var rec struct {
			State string `json:"state"`
		}
		getJSON(t, base, tokenAlice, "/v1/submissions/"+id, &rec)
		if rec.State == "grading" && len(workerContainers(t, workerID)) > 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the worker never started grading (state %q):\n%s", rec.State, p.log())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkSignedResult checks a graded submission's result is signed and
// carries its provenance: `grader result verify` accepts it read from the
// service by URL and saved to a file (instructor view, doc), and refuses
// the file with one byte of its score, a test or its provenance changed.
func checkSignedResult(t *testing.T, base, id string, doc []byte) {
	t.Helper()
	var sub struct {
		Result grader.Result `json:"result"`
	}
	if err := json.Unmarshal(doc, &sub); err != nil {
		t.Fatal(err)
	}
	p := sub.Result.Provenance
	if sub.Result.Signature == nil || p == nil || p.Worker != "e2e-serve" || !strings.HasPrefix(p.SubmissionDigest, "sha256:") ||
		p.Challenge != "notes-api" || p.Language != grader.LanguageGo || p.Images["grader/go:local"] == "" || p.Images["grader/tools:local"] == "" {
		t.Fatalf("result's signature %+v and provenance %+v: want both, graded by e2e-serve with the go and tools images", sub.Result.Signature, p)
	}
	verify := func(args ...string) (int, string) {
		cmd := exec.Command(os.Getenv("GRADER_BIN"), append([]string{"result", "verify"}, args...)...)
		out, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), string(out)
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, string(out)
	}
	if code, out := verify("--token", tokenAlice, base+"/v1/submissions/"+id); code != 0 || !strings.Contains(out, "valid: ") || !strings.Contains(out, "learner view") {
		t.Errorf("grader result verify of the learner's result by URL: exit %d\n%s", code, out)
	}
	// The result alone, as a CI job keeps it.
	var raw struct {
		Result json.RawMessage `json:"result"`
	}
	if err := json.Unmarshal(doc, &raw); err != nil {
		t.Fatal(err)
	}
	doc = raw.Result
	dir := t.TempDir()
	file := filepath.Join(dir, "result.json")
	if err := os.WriteFile(file, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := verify("--server", base, file); code != 0 || !strings.Contains(out, "instructor view") {
		t.Fatalf("grader result verify of the saved instructor view: exit %d\n%s", code, out)
	}
	name := sub.Result.Tests[0].Name
	for what, change := range map[string][2]string{
		"score":      {fmt.Sprintf(`"score":%d,"max_score"`, sub.Result.Score), fmt.Sprintf(`"score":%d,"max_score"`, sub.Result.Score-1)},
		"a test":     {`"name":"` + name + `"`, `"name":"` + name + `x"`},
		"provenance": {`"worker":"e2e-serve"`, `"worker":"e2e-servf"`},
	} {
		if !bytes.Contains(doc, []byte(change[0])) {
			t.Errorf("%s: %s is not in the result", what, change[0])
			continue
		}
		forged := filepath.Join(dir, "forged.json")
		if err := os.WriteFile(forged, bytes.Replace(doc, []byte(change[0]), []byte(change[1]), 1), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, out := verify("--server", base, forged); code != 1 || !strings.Contains(out, "INVALID") {
			t.Errorf("grader result verify with %s changed: exit %d, want 1\n%s", what, code, out)
		}
	}
}
