package grader

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNPMStartCmd(t *testing.T) {
	pkg := func(json string) File { return File{Name: "package.json", Data: []byte(json)} }
	server := File{Name: "server.js"}
	tests := []struct {
		name    string
		files   []File
		want    []string
		wantErr string
	}{
		{"start script", []File{pkg(`{"scripts": {"start": "node src/index.js --port 8080"}}`)}, []string{"node", "src/index.js", "--port", "8080"}, ""},
		{"npm's default", []File{pkg(`{"name": "notes"}`), server}, []string{"node", "server.js"}, ""},
		{"no package.json", []File{server}, nil, "package.json: missing"},
		{"not JSON", []File{pkg(`{`)}, nil, "is not valid JSON"},
		{"no script, no server.js", []File{pkg(`{"scripts": {}}`)}, nil, "no start script and no server.js"},
		{"not node", []File{pkg(`{"scripts": {"start": "nodemon server.js"}}`)}, nil, `the start script "nodemon server.js" cannot run here`},
		{"shell", []File{pkg(`{"scripts": {"start": "node a.js && node b.js"}}`)}, nil, "no shell runs it"},
		{"preload", []File{pkg(`{"scripts": {"start": "node -r ./hook.js server.js"}}`)}, nil, "cannot run here"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, problem := npmStartCmd(tc.files)
			if tc.wantErr != "" {
				if !strings.Contains(problem, tc.wantErr) {
					t.Errorf("problem %q, want %q", problem, tc.wantErr)
				}
				return
			}
			if problem != "" || !cmp.Equal(got, tc.want) {
				t.Errorf("got %v, %q; want %v", got, problem, tc.want)
			}
		})
	}
}

func TestGradeNPMStart(t *testing.T) {
	ch := pythonChallenge()
	ch.Languages[2].Start = NPMStart
	sub := Submission{ID: "js1", Language: LanguageJavaScript, Files: []File{
		{Name: "package.json", Mode: 0o644, Data: []byte(`{"scripts": {"start": "node src/main.js"}}`)},
		{Name: "src/main.js", Mode: 0o644},
	}}
	sb := &fakeSandbox{}
	sb.RunFn = func(spec BoxSpec) Exit {
		if spec.Role == "tester" {
			writeLines(spec.Stdout, `{"event":"fixtures_ready"}`)
			sb.await("service")
		}
		return Exit{}
	}
	if _, err := testEngine(sb).Grade(context.Background(), ch, sub, nil); err != nil {
		t.Fatal(err)
	}
	if got := sb.spec("service").Cmd; !cmp.Equal(got, []string{"node", "src/main.js"}) {
		t.Errorf("service command %v", got)
	}

	// Without a runnable start script, nothing starts.
	sub.Files[0].Data = []byte(`{"scripts": {"start": "ts-node src/main.ts"}}`)
	sb = &fakeSandbox{}
	res, err := testEngine(sb).Grade(context.Background(), ch, sub, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != StatusBuildFailed || !strings.Contains(res.Message, `the start script "ts-node src/main.ts" cannot run here`) {
		t.Errorf("status %s %q", res.Status, res.Message)
	}
	if len(sb.roles()) != 0 {
		t.Errorf("started boxes %v", sb.roles())
	}
}
