package api

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/miniredistest"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/store"
)

// fakeRegrades records regrade enqueues.
type fakeRegrades struct {
	mu     sync.Mutex
	queued []queue.RegradePayload
	queues []string
}

func (f *fakeRegrades) EnqueueRegrade(_ context.Context, p queue.RegradePayload, q string, _ time.Duration) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queued, f.queues = append(f.queued, p), append(f.queues, q)
	return nil
}

// cohortEnv is a server on a real store (miniredis) with cohorts.
type cohortEnv struct {
	*testEnv
	rs   *store.Redis
	regr *fakeRegrades
}

func newCohortEnv(t *testing.T, edit ...func(*Config)) *cohortEnv {
	t.Helper()
	rdb := miniredistest.Client(t)
	rs := store.New(store.Config{Client: rdb})
	regr := &fakeRegrades{}
	env := newEnv(t, append([]func(*Config){func(c *Config) {
		c.Store, c.Cohorts, c.RegradeQueue = rs, rs, regr
	}}, edit...)...)
	return &cohortEnv{testEnv: env, rs: rs, regr: regr}
}

func jsonReq(method, path, token, body string) request {
	return request{method: method, path: path, token: token, contentType: "application/json", body: []byte(body)}
}

const springJSON = `{"id":"spring","name":"Spring","learners":["ada","bob"],"challenges":["notes-api"]}`

func TestCohortCRUD(t *testing.T) {
	env := newCohortEnv(t)
	if code, out := env.do(t, jsonReq("POST", "/v1/cohorts", adaToken, springJSON)); code != 403 || errCode(out) != CodeForbidden {
		t.Errorf("a learner created a cohort: %d %v", code, out)
	}
	code, out := env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, springJSON))
	if code != 201 || out["id"] != "spring" || out["created_by"] != "teach" || out["queue"] != "cohort-0" {
		t.Fatalf("create: %d %v", code, out)
	}
	if code, out := env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, springJSON)); code != 409 {
		t.Errorf("duplicate: %d %v", code, out)
	}
	for _, bad := range []string{
		`{"id":"../x","challenges":["notes-api"]}`,
		`{"id":"k","challenges":[]}`,
		`{"id":"k","challenges":["nope"]}`,
		`{"id":"k","challenges":["notes-api"],"learners":["a b"]}`,
		`{"id":"k","challenges":["notes-api"],"learners":["a","a"]}`,
		`{"id":"k","challenges":["notes-api"],"due_at":"tomorrow"}`,
		`{"id":"k","challenges":["notes-api"],"extra":1}`,
		`not json`,
	} {
		if code, out := env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, bad)); code != 400 {
			t.Errorf("%s: %d %v, want 400", bad, code, out)
		}
	}
	// A learner sees their own cohort, and only themselves in it.
	code, out = env.do(t, get("/v1/cohorts/spring", adaToken))
	if learners, _ := out["learners"].([]any); code != 200 || len(learners) != 1 || learners[0] != "ada" {
		t.Errorf("ada's view: %d %v", code, out)
	}
	code, out = env.do(t, jsonReq("PUT", "/v1/cohorts/spring", teachToken, `{"name":"Spring 26","learners":["ada"],"challenges":["notes-api"],"due_at":"2030-01-01T00:00:00Z"}`))
	if code != 200 || out["name"] != "Spring 26" || out["due_at"] != "2030-01-01T00:00:00Z" {
		t.Errorf("update: %d %v", code, out)
	}
	if code, _ := env.do(t, get("/v1/cohorts/spring", bobToken)); code != 404 {
		t.Errorf("bob left the cohort but sees it: %d", code)
	}
	if code, out := env.do(t, get("/v1/cohorts", bobToken)); code != 200 || len(out["cohorts"].([]any)) != 0 {
		t.Errorf("bob's cohorts: %d %v", code, out)
	}
	if code, out := env.do(t, get("/v1/cohorts", teachToken)); code != 200 || len(out["cohorts"].([]any)) != 1 {
		t.Errorf("all cohorts: %d %v", code, out)
	}
}

func TestCohortTokens(t *testing.T) {
	env := newCohortEnv(t)
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, springJSON))
	if code, _ := env.do(t, jsonReq("POST", "/v1/cohorts/spring/tokens", adaToken, `{}`)); code != 403 {
		t.Errorf("a learner issued tokens: %d", code)
	}
	if code, out := env.do(t, jsonReq("POST", "/v1/cohorts/spring/tokens", teachToken, `{"learners":["eve"]}`)); code != 400 {
		t.Errorf("token for a non-member: %d %v", code, out)
	}
	w := env.serve(jsonReq("POST", "/v1/cohorts/spring/tokens", teachToken, ""))
	var out struct {
		Tokens []struct{ Learner, Token string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != 201 || len(out.Tokens) != 2 || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("issue: %d %s", w.Code, w.Body.String())
	}
	code, me := env.do(t, get("/v1/me", out.Tokens[1].Token))
	if code != 200 || me["subject"] != "bob" || me["role"] != "learner" {
		t.Errorf("issued token signs in as %d %v, want learner bob", code, me)
	}
	env.do(t, jsonReq("POST", "/v1/cohorts/spring/tokens", teachToken, `{"learners":["bob"]}`))
	if code, _ := env.do(t, get("/v1/me", out.Tokens[1].Token)); code != 401 {
		t.Errorf("a revoked token still signs in: %d", code)
	}
}

func TestCohortSubmissionsAndQuota(t *testing.T) {
	env := newCohortEnv(t, func(c *Config) { c.CohortQuota = 2 })
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, springJSON))
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, `{"id":"fall","learners":["ada"],"challenges":["notes-api"]}`))
	sub := func(token string, fields map[string]string) (int, map[string]any) {
		fields["challenge"] = "notes-api"
		return env.do(t, postForm(t, token, fields, goodZip(t)))
	}
	// An instructor's bulk submission goes to the cohort's lane.
	if code, out := sub(teachToken, map[string]string{"learner": "ada", "cohort": "spring"}); code != 202 {
		t.Fatalf("bulk submit: %d %v", code, out)
	}
	if q := env.q.queued[len(env.q.queued)-1]; q.Queue != "cohort-0" || q.Cohort != "spring" {
		t.Errorf("queued %+v, want the cohort's lane", q)
	}
	// A learner's own stays interactive.
	if code, out := sub(bobToken, map[string]string{"cohort": "spring"}); code != 202 {
		t.Fatalf("learner submit: %d %v", code, out)
	} else if q := env.q.queued[len(env.q.queued)-1]; q.Queue != queue.QueueInteractive {
		t.Errorf("a learner's cohort submission went to %s", q.Queue)
	}
	code, out := sub(teachToken, map[string]string{"learner": "bob", "cohort": "spring"})
	if code != 429 || errCode(out) != CodeRateLimited || !strings.Contains(out["error"].(map[string]any)["message"].(string), "quota") {
		t.Errorf("over the quota: %d %v", code, out)
	}
	// Another cohort is not held back.
	if code, out := sub(teachToken, map[string]string{"learner": "ada", "cohort": "fall"}); code != 202 {
		t.Errorf("other cohort: %d %v", code, out)
	}
	for _, tc := range []struct {
		token  string
		fields map[string]string
		code   int
	}{
		{teachToken, map[string]string{"learner": "eve", "cohort": "spring"}, 400},
		{teachToken, map[string]string{"learner": "ada", "cohort": "nope"}, 404},
		{bobToken, map[string]string{"cohort": "fall"}, 404},
	} {
		if code, out := sub(tc.token, tc.fields); code != tc.code {
			t.Errorf("%v: %d %v, want %d", tc.fields, code, out, tc.code)
		}
	}
	w := env.serve(postForm(t, teachToken, map[string]string{"challenge": "notes-api", "learner": "bob", "cohort": "spring"}, goodZip(t)))
	if w.Code != 429 || w.Header().Get("Retry-After") == "" {
		t.Errorf("429 without Retry-After: %d %v", w.Code, w.Header())
	}
}

// gradeAs stores a result for submission id as a worker would.
func (e *cohortEnv) gradeAs(t *testing.T, id string, score int, tests ...grader.TestResult) {
	t.Helper()
	st := grader.StatusFailed
	if score == 5 {
		st = grader.StatusPassed
	}
	if _, err := e.rs.SaveResult(context.Background(), grader.Result{SubmissionID: id, Challenge: "notes-api", ChallengeVersion: "v1",
		Status: st, Score: score, MaxScore: 5, Tests: tests}); err != nil {
		t.Fatal(err)
	}
}

func TestCohortReportsAndRegrade(t *testing.T) {
	env := newCohortEnv(t)
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, `{"id":"spring","learners":["ada","bob","cy"],"challenges":["notes-api"]}`))
	ids := map[string]string{}
	for _, l := range []string{"ada", "bob"} {
		_, out := env.do(t, postForm(t, teachToken, map[string]string{"challenge": "notes-api", "learner": l, "cohort": "spring"}, goodZip(t)))
		ids[l] = out["id"].(string)
	}
	tests := func(hiddenPassed bool) []grader.TestResult {
		st := grader.TestFailed
		if hiddenPassed {
			st = grader.TestPassed
		}
		return []grader.TestResult{{Name: "create", Suite: "api", Status: grader.TestPassed, Points: 2, MaxPoints: 2, Visibility: grader.Visible},
			{Name: "secret edge HIDDEN", Suite: "api", Status: st, MaxPoints: 3, Visibility: grader.Hidden}}
	}
	env.gradeAs(t, ids["ada"], 5, tests(true)...)
	env.gradeAs(t, ids["bob"], 2, tests(false)...)

	if code, _ := env.do(t, get("/v1/cohorts/spring/report", adaToken)); code != 403 {
		t.Errorf("a learner read the report: %d", code)
	}
	code, rep := env.do(t, get("/v1/cohorts/spring/report?format=json", teachToken))
	rows, _ := rep["rows"].([]any)
	if code != 200 || len(rows) != 3 {
		t.Fatalf("report: %d %v", code, rep)
	}
	if r := rows[2].(map[string]any); r["learner"] != "cy" || r["attempts"] != 0.0 || r["best_submission"] != "" {
		t.Errorf("cy's row %v", r)
	}
	if code, _ := env.do(t, get("/v1/cohorts/spring/report?format=pdf", teachToken)); code != 400 {
		t.Errorf("unknown format: %d", code)
	}
	w := env.serve(get("/v1/cohorts/spring/report?format=csv", teachToken))
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") || !strings.Contains(w.Header().Get("Content-Disposition"), "spring-report.csv") {
		t.Errorf("csv: %d %v", w.Code, w.Header())
	}
	// Members read the leaderboard; instructors the per-test view.
	code, lb := env.do(t, get("/v1/cohorts/spring/leaderboard", bobToken))
	entries, _ := lb["entries"].([]any)
	if code != 200 || len(entries) != 2 || entries[0].(map[string]any)["learner"] != "ada" {
		t.Errorf("leaderboard: %d %v", code, lb)
	}
	if code, _ := env.do(t, get("/v1/cohorts/spring/tests", bobToken)); code != 403 {
		t.Errorf("a learner read per-test failures: %d", code)
	}
	code, ft := env.do(t, get("/v1/cohorts/spring/tests?challenge=notes-api", teachToken))
	if tl, _ := ft["tests"].([]any); code != 200 || ft["learners"] != 2.0 || len(tl) != 2 || tl[0].(map[string]any)["name"] != "secret edge HIDDEN" || tl[0].(map[string]any)["failure_rate"] != 0.5 {
		t.Errorf("tests: %d %v", code, ft)
	}

	// Regrade: preview, then apply. The catalog now holds a new version
	// of the challenge (its hidden test got stricter).
	env.catal[0].Version = "v2"
	code, rg := env.do(t, jsonReq("POST", "/v1/cohorts/spring/regrades", teachToken, `{"challenge":"notes-api"}`))
	if code != 202 || rg["state"] != "running" || rg["total"] != 2.0 || len(env.regr.queued) != 2 || env.regr.queues[0] != "cohort-0" {
		t.Fatalf("start regrade: %d %v %v", code, rg, env.regr.queued)
	}
	rid := rg["id"].(string)
	if code, _ := env.do(t, jsonReq("POST", "/v1/cohorts/spring/regrades/"+rid+"/apply", teachToken, "")); code != 409 {
		t.Errorf("apply before the preview is done: %d", code)
	}
	ctx := context.Background()
	// Graded again: ada now fails the stricter test, bob is unchanged.
	if err := env.rs.SaveRegradeResult(ctx, rid, grader.Result{SubmissionID: ids["ada"], ChallengeVersion: "v2", Status: grader.StatusFailed, Score: 2, MaxScore: 5, Tests: tests(false)}); err != nil {
		t.Fatal(err)
	}
	if err := env.rs.SaveRegradeResult(ctx, rid, grader.Result{SubmissionID: ids["bob"], ChallengeVersion: "v2", Status: grader.StatusFailed, Score: 2, MaxScore: 5, Tests: tests(false)}); err != nil {
		t.Fatal(err)
	}
	code, rg = env.do(t, get("/v1/cohorts/spring/regrades/"+rid, teachToken))
	changes, _ := rg["changes"].([]any)
	if code != 200 || rg["state"] != "previewed" || len(changes) != 1 || rg["unchanged"] != 1.0 {
		t.Fatalf("preview: %d %v", code, rg)
	}
	if rg["version"] != "v2" || rg["outdated"] != 2.0 {
		t.Errorf("preview at version %v counts %v outdated results, want v2 and 2 (both were graded with v1)", rg["version"], rg["outdated"])
	}
	if ch := changes[0].(map[string]any); ch["learner"] != "ada" || ch["old_score"] != 5.0 || ch["new_score"] != 2.0 || ch["new_version"] != "v2" || ch["old_version"] != "v1" {
		t.Errorf("change %v", ch)
	}
	// The preview changed nothing yet.
	if _, rep := env.do(t, get("/v1/cohorts/spring/report", teachToken)); rep["rows"].([]any)[0].(map[string]any)["best_score"] != 5.0 {
		t.Errorf("the preview changed ada's score")
	}
	code, rg = env.do(t, jsonReq("POST", "/v1/cohorts/spring/regrades/"+rid+"/apply", teachToken, ""))
	if code != 200 || rg["state"] != "applied" {
		t.Fatalf("apply: %d %v", code, rg)
	}
	if code, _ := env.do(t, jsonReq("POST", "/v1/cohorts/spring/regrades/"+rid+"/apply", teachToken, "")); code != 409 {
		t.Errorf("second apply: %d", code)
	}
	_, rep = env.do(t, get("/v1/cohorts/spring/report", teachToken))
	ada := rep["rows"].([]any)[0].(map[string]any)
	if ada["best_score"] != 2.0 || ada["challenge_version"] != "v2" || ada["attempts"] != 1.0 || ada["best_submission"] == ids["ada"] {
		t.Errorf("ada after apply: %v", ada)
	}
	// The old result is kept, next to the new one.
	code, list := env.do(t, get("/v1/submissions?learner=ada", teachToken))
	if items, _ := list["items"].([]any); code != 200 || len(items) != 2 {
		t.Errorf("ada's submissions after apply: %d %v", code, list)
	}
	if code, _ := env.do(t, get("/v1/cohorts/other/regrades/"+rid, teachToken)); code != 404 {
		t.Errorf("regrade under the wrong cohort: %d", code)
	}
}
