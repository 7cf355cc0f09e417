package api

import (
	"strings"
	"testing"
)

func TestCallbackURLViews(t *testing.T) {
	env := newEnv(t)
	const hook = "https://ci.example.com/hook?token=SECRET-QUERY&run=7#frag"
	code, out := env.do(t, postForm(t, teachToken, map[string]string{"challenge": "notes-api", "learner": "ada", "callback_url": hook}, goodZip(t)))
	if code != 202 {
		t.Fatalf("submit: %d %v", code, out)
	}
	id := out["id"].(string)
	for _, path := range []string{"/v1/submissions/" + id, "/v1/submissions", "/v1/submissions/" + id + "?full=true"} {
		if w := env.serve(get(path, adaToken)); w.Code != 200 || strings.Contains(w.Body.String(), "callback") || strings.Contains(w.Body.String(), "ci.example.com") {
			t.Errorf("learner reads %s: %d %s", path, w.Code, w.Body.String())
		}
	}
	for _, path := range []string{"/v1/submissions/" + id, "/v1/submissions"} {
		w := env.serve(get(path, teachToken))
		if body := w.Body.String(); w.Code != 200 || strings.Contains(body, "SECRET-QUERY") || strings.Contains(body, "frag") ||
			!strings.Contains(body, `"callback_url":"https://ci.example.com/hook?run=redacted\u0026token=redacted"`) {
			t.Errorf("instructor reads %s: %d %s", path, w.Code, body)
		}
	}
	for _, path := range []string{"/v1/submissions/" + id + "?full=true", "/v1/submissions?full=true"} {
		w := env.serve(get(path, teachToken))
		if !strings.Contains(w.Body.String(), "SECRET-QUERY&run=7#frag") && !strings.Contains(w.Body.String(), `SECRET-QUERY\u0026run=7#frag`) {
			t.Errorf("instructor asks %s for the full record: %d %s", path, w.Code, w.Body.String())
		}
	}
	if code, out := env.do(t, get("/v1/submissions/"+id+"?full=maybe", teachToken)); code != 400 || errCode(out) != CodeInvalidRequest {
		t.Errorf("full=maybe: %d %v", code, out)
	}
}
