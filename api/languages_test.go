package api

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// polyglot is notes-api offered in Go and Python.
func polyglot() *grader.Challenge {
	c := notesAPI()
	c.Languages = []grader.Offering{{Language: grader.LanguageGo, Image: grader.ImageGo}, {Language: grader.LanguagePython, Image: grader.ImagePython}}
	return c
}

func withCatalog(chs ...*grader.Challenge) func(*Config) {
	return func(c *Config) { c.Catalog = challenges.NewIndex(chs) }
}

const pythonJSON = `{"challenge":"notes-api","files":[{"name":"app.py","content":"print(1)\n"}]`

func TestSubmissionLanguage(t *testing.T) {
	env := newEnv(t, withCatalog(polyglot()))

	// Detected from the files.
	code, body := env.do(t, postJSON(adaToken, pythonJSON+`}`))
	if code != http.StatusAccepted || body["language"] != "python" {
		t.Fatalf("detected python: %d %v", code, body)
	}
	code, body = env.do(t, get("/v1/submissions/"+body["id"].(string), adaToken))
	if code != http.StatusOK || body["language"] != "python" {
		t.Errorf("the record of a python submission: %d language %v", code, body["language"])
	}
	// Named in a multipart form.
	code, body = env.do(t, postForm(t, adaToken, map[string]string{"challenge": "notes-api", "language": "go"}, goodZip(t)))
	if code != http.StatusAccepted || body["language"] != "go" {
		t.Fatalf("language go in a form: %d %v", code, body)
	}

	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"named but not offered", `{"challenge":"notes-api","language":"javascript","files":[{"name":"server.js","content":"x"}]}`,
			[]string{"not offered in javascript", "go, python"}},
		{"unknown", pythonJSON + `,"language":"ruby"}`, []string{`"ruby"`, "go, python, javascript"}},
		{"named, files of another", pythonJSON + `,"language":"go"}`, []string{"go.mod"}},
		{"ambiguous", `{"challenge":"notes-api","files":[{"name":"go.mod","content":"module x\n"},{"name":"requirements.txt","content":""}]}`,
			[]string{"could be go, python", "say which"}},
		{"detected, not offered", `{"challenge":"notes-api","files":[{"name":"package.json","content":"{}"}]}`,
			[]string{"javascript", "offered in go, python"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := env.do(t, postJSON(adaToken, tc.body))
			msg, _ := body["error"].(map[string]any)["message"].(string)
			if code != http.StatusBadRequest || errCode(body) != CodeInvalidSubmission {
				t.Fatalf("%d %v, want 400 %s", code, body, CodeInvalidSubmission)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not say %q", msg, w)
				}
			}
		})
	}
}

func TestGoOnlyChallengeRefusesPython(t *testing.T) {
	env := newEnv(t)
	code, body := env.do(t, postJSON(adaToken, pythonJSON+`}`))
	msg, _ := body["error"].(map[string]any)["message"].(string)
	if code != http.StatusBadRequest || !strings.Contains(msg, "python") || !strings.Contains(msg, "offered in go") {
		t.Errorf("python files for a Go challenge: %d %q", code, msg)
	}
}
