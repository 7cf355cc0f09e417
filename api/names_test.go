package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestTypedNamesRefuseControls sends control and bidi-override characters
// in every name a person types: each is refused with 400, naming the
// field, and nothing is stored.
func TestTypedNamesRefuseControls(t *testing.T) {
	env := newCohortEnv(t)
	env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, springJSON))
	for _, bad := range []string{"a\x00b", "bell\a", "evil\u202Egnp.exe", "iso\u2066late", "del\x7f", "c1\u0085", "line\u2028sep"} {
		q, _ := json.Marshal(bad)
		for _, tc := range []struct {
			name string
			req  request
		}{
			{"cohort name", jsonReq("POST", "/v1/cohorts", teachToken, fmt.Sprintf(`{"id":"k","name":%s,"challenges":["notes-api"]}`, q))},
			{"cohort name on PUT", jsonReq("PUT", "/v1/cohorts/spring", teachToken, fmt.Sprintf(`{"name":%s,"learners":["ada"],"challenges":["notes-api"]}`, q))},
			{"cohort learner", jsonReq("POST", "/v1/cohorts", teachToken, fmt.Sprintf(`{"id":"k","learners":[%s],"challenges":["notes-api"]}`, q))},
			{"cohort challenge", jsonReq("POST", "/v1/cohorts", teachToken, fmt.Sprintf(`{"id":"k","challenges":[%s]}`, q))},
			{"token learner", jsonReq("POST", "/v1/cohorts/spring/tokens", teachToken, fmt.Sprintf(`{"learners":[%s]}`, q))},
			{"submission challenge", postJSON(teachToken, fmt.Sprintf(`{"challenge":%s,"files":[{"name":"go.mod","content":"module x\n"}]}`, q))},
			{"submission learner", postJSON(teachToken, fmt.Sprintf(`{"challenge":"notes-api","learner":%s,"files":[{"name":"go.mod","content":"module x\n"}]}`, q))},
			{"regrade challenge", jsonReq("POST", "/v1/cohorts/spring/regrades", teachToken, fmt.Sprintf(`{"challenge":%s}`, q))},
		} {
			code, out := env.do(t, tc.req)
			e, _ := out["error"].(map[string]any)
			msg, _ := e["message"].(string)
			if code != 400 || errCode(out) != CodeInvalidRequest || !strings.Contains(msg, "character") {
				t.Errorf("%s %q: %d %v, want 400 naming the character", tc.name, bad, code, out)
			}
		}
	}
	if code, out := env.do(t, get("/v1/cohorts/spring", teachToken)); out["name"] != "Spring" {
		t.Errorf("a refused PUT changed the cohort: %d %v", code, out)
	}
	if code, out := env.do(t, get("/v1/cohorts", teachToken)); len(out["cohorts"].([]any)) != 1 {
		t.Errorf("a refused POST stored a cohort: %d %v", code, out)
	}
	// Letters of any script, and marks, are names.
	if code, out := env.do(t, jsonReq("POST", "/v1/cohorts", teachToken, `{"id":"k","name":"Été 2026 — 東京 عربي","challenges":["notes-api"]}`)); code != 201 {
		t.Errorf("a plain international name: %d %v", code, out)
	}
}
