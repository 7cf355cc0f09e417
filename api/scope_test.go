package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// issueFor issues cohort tokens for learners (all when none) and returns
// them by learner.
func (e *cohortEnv) issueFor(t *testing.T, cohort string, learners ...string) map[string]string {
	t.Helper()
	body, _ := json.Marshal(map[string][]string{"learners": learners})
	w := e.serve(jsonReq("POST", "/v1/cohorts/"+cohort+"/tokens", teachToken, string(body)))
	var out struct {
		Tokens []struct{ Learner, Token string }
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || w.Code != 201 {
		t.Fatalf("issue tokens in %s: %d %s", cohort, w.Code, w.Body.String())
	}
	m := map[string]string{}
	for _, tk := range out.Tokens {
		m[tk.Learner] = tk.Token
	}
	return m
}

func TestRemovedLearnerLosesCohortToken(t *testing.T) {
	env := newCohortEnv(t)
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, springJSON))
	tok := env.issueFor(t, "spring", "bob")["bob"]
	if code, out := env.do(t, jsonReq("PUT", "/v1/cohorts/spring", teachToken, `{"learners":["ada"],"challenges":["notes-api"]}`)); code != 200 {
		t.Fatalf("remove bob: %d %v", code, out)
	}
	if code, out := env.do(t, postForm(t, tok, map[string]string{"challenge": "notes-api"}, goodZip(t))); code != 401 {
		t.Errorf("a removed learner's token still submits: %d %v", code, out)
	}
	// Back in the cohort, bob gets a new token; the old one stays dead.
	env.do(t, jsonReq("PUT", "/v1/cohorts/spring", teachToken, springJSON))
	fresh := env.issueFor(t, "spring", "bob")["bob"]
	if code, out := env.do(t, get("/v1/me", fresh)); code != 200 || out["subject"] != "bob" {
		t.Errorf("reissued token: %d %v", code, out)
	}
	if code, _ := env.do(t, get("/v1/me", tok)); code != 401 {
		t.Errorf("the token from before the removal signs in again: %d", code)
	}
}

func TestRevokeCohortToken(t *testing.T) {
	env := newCohortEnv(t)
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, springJSON))
	toks := env.issueFor(t, "spring")
	if code, out := env.do(t, jsonReq("DELETE", "/v1/cohorts/spring/tokens/bob", toks["ada"], "")); code != 403 || errCode(out) != CodeForbidden {
		t.Errorf("a learner revoked a token: %d %v", code, out)
	}
	if w := env.serve(jsonReq("DELETE", "/v1/cohorts/spring/tokens/bob", teachToken, "")); w.Code != 204 {
		t.Fatalf("revoke: %d %s", w.Code, w.Body.String())
	}
	if code, _ := env.do(t, get("/v1/me", toks["bob"])); code != 401 {
		t.Errorf("a revoked token signs in: %d", code)
	}
	if code, _ := env.do(t, get("/v1/me", toks["ada"])); code != 200 {
		t.Errorf("revoking bob's token revoked ada's: %d", code)
	}
	if code, out := env.do(t, jsonReq("DELETE", "/v1/cohorts/spring/tokens/bob", teachToken, "")); code != 404 || errCode(out) != CodeNotFound {
		t.Errorf("revoking again: %d %v", code, out)
	}
	if code, out := env.do(t, jsonReq("DELETE", "/v1/cohorts/nope/tokens/bob", teachToken, "")); code != 404 {
		t.Errorf("unknown cohort: %d %v", code, out)
	}
	if fresh := env.issueFor(t, "spring", "bob")["bob"]; fresh == "" {
		t.Error("no token reissued after a revoke")
	} else if code, _ := env.do(t, get("/v1/me", fresh)); code != 200 {
		t.Errorf("token reissued after a revoke: %d", code)
	}
}

// TestCohortTokenScope checks the rule for issued tokens: a token issued
// for a cohort acts in that cohort and on the practice submissions made
// with it, nowhere else.
func TestCohortTokenScope(t *testing.T) {
	env := newCohortEnv(t)
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, springJSON))
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, `{"id":"fall","learners":["ada"],"challenges":["notes-api"]}`))
	springTok := env.issueFor(t, "spring", "ada")["ada"]
	fallTok := env.issueFor(t, "fall", "ada")["ada"]
	submit := func(token string, fields map[string]string) string {
		t.Helper()
		fields["challenge"] = "notes-api"
		code, out := env.do(t, postForm(t, token, fields, goodZip(t)))
		if code != 202 {
			t.Fatalf("submit %v: %d %v", fields, code, out)
		}
		return out["id"].(string)
	}
	if code, me := env.do(t, get("/v1/me", springTok)); code != 200 || me["cohort"] != "spring" || me["subject"] != "ada" {
		t.Errorf("me: %d %v, want ada bound to spring", code, me)
	}
	inSpring := submit(springTok, map[string]string{"cohort": "spring"})
	practiceSpring := submit(springTok, map[string]string{})
	inFall := submit(fallTok, map[string]string{"cohort": "fall"})
	practiceOwn := submit(adaToken, map[string]string{})

	if code, out := env.do(t, postForm(t, springTok, map[string]string{"challenge": "notes-api", "cohort": "fall"}, goodZip(t))); code != 404 {
		t.Errorf("a spring token submitted into fall: %d %v", code, out)
	}
	for _, path := range []string{"/v1/cohorts/fall", "/v1/cohorts/fall/leaderboard"} {
		if code, out := env.do(t, get(path, springTok)); code != 404 {
			t.Errorf("a spring token read %s: %d %v", path, code, out)
		}
	}
	if code, out := env.do(t, get("/v1/cohorts", springTok)); code != 200 || len(out["cohorts"].([]any)) != 1 {
		t.Errorf("a spring token lists %d %v, want spring only", code, out)
	}
	for id, want := range map[string]int{inSpring: 200, practiceSpring: 200, inFall: 404, practiceOwn: 404} {
		if code, _ := env.do(t, get("/v1/submissions/"+id, springTok)); code != want {
			t.Errorf("spring token reads %s: %d, want %d", id, code, want)
		}
	}
	for _, path := range []string{"/v1/submissions", "/v1/submissions?challenge=notes-api"} {
		code, out := env.do(t, get(path, springTok))
		var got []string
		for _, it := range out["items"].([]any) {
			got = append(got, it.(map[string]any)["id"].(string))
		}
		if code != 200 || strings.Join(got, ",") != practiceSpring+","+inSpring || out["total"] != 2.0 {
			t.Errorf("spring token lists %s: %d %v, want %s and %s", path, code, got, practiceSpring, inSpring)
		}
	}
	// An Idempotency-Key used with the fall token does not answer the
	// spring token with fall's submission.
	first := env.serve(withKey(postForm(t, fallTok, map[string]string{"challenge": "notes-api", "cohort": "fall"}, goodZip(t)), "k1"))
	if first.Code != 202 {
		t.Fatalf("keyed submit: %d %s", first.Code, first.Body.String())
	}
	if w := env.serve(withKey(postForm(t, springTok, map[string]string{"challenge": "notes-api", "cohort": "spring"}, goodZip(t)), "k1")); w.Code != 409 {
		t.Errorf("a key replayed across cohort tokens: %d %s", w.Code, w.Body.String())
	}
	// A configured learner token is not bound to a cohort.
	if code, out := env.do(t, get("/v1/submissions", adaToken)); code != 200 || out["total"] != 5.0 {
		t.Errorf("ada's own token lists %d %v, want all 5", code, out["total"])
	}
}
