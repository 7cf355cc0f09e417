package api

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/eventhub"
	"github.com/gradebox/grader/internal/miniredistest"
	"github.com/gradebox/grader/store"
)

// TestFlowOnMiniredis runs the whole flow on the real store over an
// in-process Redis; the integration test runs it on redis-server.
func TestFlowOnMiniredis(t *testing.T) {
	rdb := miniredistest.Client(t)
	exerciseFlow(t, rdb)
}

// exerciseFlow drives the router on a real *store.Redis: create (with an
// idempotent replay) → list → events while a simulated worker grades →
// resume → leaderboard and best score → rate limit.
func exerciseFlow(t *testing.T, rdb redis.UniversalClient) {
	t.Helper()
	ctx := context.Background()
	st := store.New(store.Config{Client: rdb, Prefix: "flow"})
	hub := eventhub.New(eventhub.Config{Source: st})
	runHub(t, hub)
	q := &fakeQueue{}
	srv := New(Config{
		Store: st, Queue: q, Catalog: challenges.NewIndex([]*grader.Challenge{notesAPI()}), Unavailable: store.Unavailable,
		Tokens: []Token{{Secret: adaToken, Subject: "ada", Role: RoleLearner}, {Secret: bobToken, Subject: "bob", Role: RoleLearner},
			{Secret: teachToken, Subject: "teach", Role: RoleInstructor}},
		Ready:       []Check{{Name: "redis", Probe: st.Ping}},
		SubmitLimit: 4, SubmitWindow: time.Hour,
		Events: hub,
	})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	call := func(method, path, token, key, body string) (*http.Response, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &out); err != nil {
			t.Fatalf("%s %s: %d %q", method, path, resp.StatusCode, b)
		}
		return resp, out
	}

	if resp, out := call("GET", "/readyz", "", "", ""); resp.StatusCode != 200 {
		t.Fatalf("readyz: %d %v", resp.StatusCode, out)
	}
	resp, out := call("POST", "/v1/submissions", adaToken, "flow-key", goodJSON)
	if resp.StatusCode != 202 || out["attempt"] != 1.0 || out["state"] != "queued" {
		t.Fatalf("create: %d %v", resp.StatusCode, out)
	}
	id := out["id"].(string)
	resp, out = call("POST", "/v1/submissions", adaToken, "flow-key", goodJSON)
	if resp.StatusCode != 200 || resp.Header.Get("Idempotent-Replayed") != "true" || out["id"] != id {
		t.Fatalf("replay: %d %v", resp.StatusCode, out)
	}
	if diff := cmp.Diff([]string{id, id}, q.ids()); diff != "" {
		t.Errorf("enqueued (-want +got):\n%s", diff)
	}

	_, out = call("GET", "/v1/submissions", adaToken, "", "")
	if out["total"] != 1.0 || out["items"].([]any)[0].(map[string]any)["id"] != id {
		t.Errorf("ada's list: %v", out)
	}
	if _, out = call("GET", "/v1/submissions?learner=ada", bobToken, "", ""); out["total"] != 0.0 {
		t.Errorf("bob's list: %v", out)
	}
	if resp, _ := call("GET", "/v1/submissions/"+id, bobToken, "", ""); resp.StatusCode != 404 {
		t.Errorf("bob reads ada's: %d", resp.StatusCode)
	}

	// Follow the stream while a worker grades.
	req, _ := http.NewRequest("GET", ts.URL+"/v1/submissions/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+adaToken)
	stream, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stream.Body.Close()
	type line struct{ id, typ, data string }
	lines := make(chan line, 100)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stream.Body)
		var cur line
		for sc.Scan() {
			l := sc.Text()
			switch {
			case strings.HasPrefix(l, "id: "):
				cur.id = l[4:]
			case strings.HasPrefix(l, "event: "):
				cur.typ = l[7:]
			case strings.HasPrefix(l, "data: "):
				cur.data = l[6:]
			case l == "" && cur.typ != "":
				lines <- cur
				cur = line{}
			}
		}
	}()
	next := func() line {
		t.Helper()
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatal("the stream ended early")
			}
			return l
		case <-time.After(10 * time.Second):
			t.Fatal("no event within 10s")
		}
		return line{}
	}
	if l := next(); l.typ != "queued" {
		t.Fatalf("first event %+v", l)
	}
	if err := st.MarkStarted(ctx, id); err != nil {
		t.Fatal(err)
	}
	run := hiddenRun()[1:8]
	for _, ev := range run {
		if _, err := st.AppendEvent(ctx, id, ev); err != nil {
			t.Fatal(err)
		}
	}
	res := grader.Result{SubmissionID: id, Challenge: "notes-api", Status: grader.StatusFailed, Score: 2, MaxScore: 5, View: grader.ViewInstructor, Tests: []grader.TestResult{
		{Name: "create", Status: grader.TestPassed, Points: 2, MaxPoints: 2, Visibility: grader.Visible},
		{Name: "secret edge HIDDEN", Status: grader.TestFailed, MaxPoints: 3, Visibility: grader.Hidden, Message: "HIDDEN message"},
	}, GradedAt: at}
	if _, err := st.SaveResult(ctx, res); err != nil { // with its done event
		t.Fatal(err)
	}
	var got []string
	var ids []string
	var doneData string
	for l := range lines {
		got = append(got, l.typ)
		ids = append(ids, l.id)
		if strings.Contains(l.data, "HIDDEN") {
			t.Errorf("hidden details in the learner's stream: %s", l.data)
		}
		doneData = l.data
	}
	want := []string{"started", "phase_started", "test_started", "test_finished", "test_started", "test_finished", "phase_finished", "done"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("stream (-want +got):\n%s", diff)
	}
	var done streamEvent
	json.Unmarshal([]byte(doneData), &done)
	if done.Result == nil || done.Result.Score != 2 || done.Result.Hidden == nil || done.Result.Hidden.Total != 1 {
		t.Errorf("done: %s", doneData)
	}

	// An id no event can follow is the client's mistake, not a fault.
	req, _ = http.NewRequest("GET", ts.URL+"/v1/submissions/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+adaToken)
	req.Header.Set("Last-Event-ID", "18446744073709551615-18446744073709551615")
	maxID, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(maxID.Body)
	maxID.Body.Close()
	if maxID.StatusCode != http.StatusBadRequest {
		t.Errorf("Last-Event-ID of the largest id: %d %s", maxID.StatusCode, b)
	}

	// Resume after the third event.
	req, _ = http.NewRequest("GET", ts.URL+"/v1/submissions/"+id+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+adaToken)
	req.Header.Set("Last-Event-ID", ids[2])
	again, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(again.Body)
	again.Body.Close()
	if n := strings.Count(string(b), "\nevent: "); n != len(want)-3 || strings.Contains(string(b), "id: "+ids[2]+"\n") {
		t.Errorf("resumed stream has %d events:\n%s", n, b)
	}

	_, out = call("GET", "/v1/challenges/notes-api/leaderboard", bobToken, "", "")
	wantBoard := map[string]any{"board": "practice", "items": []any{map[string]any{"rank": 1.0, "learner": "ada", "score": 2.0, "max_score": 5.0, "at": at.Format(time.RFC3339)}}}
	if diff := cmp.Diff(wantBoard, out); diff != "" {
		t.Errorf("leaderboard (-want +got):\n%s", diff)
	}
	_, out = call("GET", "/v1/challenges", adaToken, "", "")
	if item := out["items"].([]any)[0].(map[string]any); item["best_score"] != 2.0 {
		t.Errorf("best score: %v", out)
	}
	_, out = call("GET", "/v1/submissions/"+id, adaToken, "", "")
	if out["state"] != "graded" || out["links"].(map[string]any)["result"] == nil {
		t.Errorf("graded submission: %v", out)
	}

	// Two submissions so far count against ada's limit of 4.
	for i := range 2 {
		if resp, out := call("POST", "/v1/submissions", adaToken, fmt.Sprint("k", i), goodJSON); resp.StatusCode != 202 {
			t.Fatalf("submission %d: %d %v", i, resp.StatusCode, out)
		}
	}
	resp, out = call("POST", "/v1/submissions", adaToken, "", goodJSON)
	if resp.StatusCode != 429 || errCode(out) != CodeRateLimited || resp.Header.Get("Retry-After") == "" {
		t.Errorf("over the limit: %d %v %v", resp.StatusCode, resp.Header, out)
	}
	if _, out = call("GET", "/v1/submissions", adaToken, "", ""); out["total"] != 3.0 {
		t.Errorf("after the limit: %v", out)
	}
}
