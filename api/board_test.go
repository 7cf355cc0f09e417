package api

import (
	"strings"
	"testing"
)

// boardLearners reads a leaderboard as token and returns its learners in
// order and which board it is.
func (e *cohortEnv) boardLearners(t *testing.T, path, token string) (string, string) {
	t.Helper()
	code, out := e.do(t, get(path, token))
	if code != 200 {
		t.Fatalf("%s: %d %v", path, code, out)
	}
	key := "items"
	if _, ok := out["entries"]; ok {
		key = "entries"
	}
	var got []string
	for _, it := range out[key].([]any) {
		got = append(got, it.(map[string]any)["learner"].(string))
	}
	board, _ := out["board"].(string)
	return strings.Join(got, ","), board
}

// TestLeaderboardViews checks who a leaderboard shows to whom: a learner
// sees their own cohort's board (with a token issued for it) or the
// practice board, never staff and never other cohorts' learners. (A
// cohort's standings count its learners' practice submissions too, as
// its reports do.)
func TestLeaderboardViews(t *testing.T) {
	env := newCohortEnv(t)
	// teach lists themself in spring, as instructors do to try a cohort.
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, `{"id":"spring","learners":["ada","bob","teach"],"challenges":["notes-api"]}`))
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, `{"id":"fall","learners":["cy"],"challenges":["notes-api"]}`))
	bobSpring := env.issueFor(t, "spring", "bob")["bob"]
	submit := func(token string, fields map[string]string, score int) {
		t.Helper()
		fields["challenge"] = "notes-api"
		code, out := env.do(t, postForm(t, token, fields, goodZip(t)))
		if code != 202 {
			t.Fatalf("submit %v: %d %v", fields, code, out)
		}
		env.gradeAs(t, out["id"].(string), score)
	}
	submit(teachToken, map[string]string{}, 5)                                       // staff practising
	submit(teachToken, map[string]string{"learner": "teach", "cohort": "spring"}, 5) // staff in a cohort
	submit(teachToken, map[string]string{"learner": "cy", "cohort": "fall"}, 4)
	submit(bobSpring, map[string]string{"cohort": "spring"}, 3)
	submit(adaToken, map[string]string{}, 2)  // ada practising
	submit(bobSpring, map[string]string{}, 1) // bob practising

	for _, tc := range []struct {
		name, path, token, want, board string
	}{
		{"learner: practice board", "/v1/challenges/notes-api/leaderboard", adaToken, "ada,bob", "practice"},
		{"cohort token: its cohort", "/v1/challenges/notes-api/leaderboard", bobSpring, "bob,ada", "cohort"},
		{"instructor: everyone", "/v1/challenges/notes-api/leaderboard", teachToken, "teach,cy,bob,ada", "all"},
		{"cohort board to a member", "/v1/cohorts/spring/leaderboard", bobSpring, "bob,ada", ""},
		{"cohort board to staff", "/v1/cohorts/spring/leaderboard", teachToken, "teach,bob,ada", ""},
	} {
		got, board := env.boardLearners(t, tc.path, tc.token)
		if got != tc.want || board != tc.board {
			t.Errorf("%s: %s board %q, want %s board %q", tc.name, got, board, tc.want, tc.board)
		}
	}
}
