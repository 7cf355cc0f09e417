package challenges

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

// The poly challenge is offered in every language, Go's samples at its
// root as before languages existed.
const polyYAML = `id: poly
title: Poly
summary: One API in three languages.
difficulty: easy
service:
  ready_path: /healthz
languages:
  go:
  python:
    start: [uvicorn, app:app, --port, $PORT]
  javascript: {}
suites:
  - name: api
    kind: http
    file: tests/api.yaml
`

func polyFiles() map[string]string {
	files := map[string]string{
		"challenge.yaml": polyYAML,
		"README.md":      "# Poly\n",
		"tests/api.yaml": "tests:\n  - name: health\n    points: 1\n    steps:\n      - request: {path: /healthz}\n        expect: {status: 200}\n",
	}
	for _, d := range []string{"starter", "solution", "mutants/a", "mutants/b"} {
		files[d+"/go.mod"] = "module x\n\ngo 1.26\n"
		files["languages/python/"+d+"/app.py"] = "print('hi')\n"
		files["languages/javascript/"+d+"/server.js"] = "console.log('hi')\n"
	}
	return files
}

func loadPoly(t *testing.T, edits ...edit) (*grader.Challenge, error) {
	t.Helper()
	return LoadFS(mapFS("poly", apply(t, polyFiles(), edits...)), "poly")
}

func TestLoadLanguages(t *testing.T) {
	c, err := loadPoly(t)
	if err != nil {
		t.Fatal(err)
	}
	want := []grader.Offering{
		{Language: grader.LanguageGo, Image: grader.ImageGo},
		{Language: grader.LanguagePython, Image: grader.ImagePython, Start: []string{"uvicorn", "app:app", "--port", "$PORT"}, Samples: "languages/python"},
		{Language: grader.LanguageJavaScript, Image: grader.ImageNode, Samples: "languages/javascript"},
	}
	if diff := cmp.Diff(want, c.Languages); diff != "" {
		t.Errorf("languages (-want +got):\n%s", diff)
	}
	samples, err := SubmissionsIn(mapFS("poly", polyFiles()), "poly", want[1])
	if err != nil {
		t.Fatal(err)
	}
	if len(samples) != 4 || samples[0].Dir != "poly/languages/python/solution" || samples[0].Language != grader.LanguagePython || samples[0].Golden() != "python-solution-solution.json" {
		t.Errorf("python samples %+v", samples)
	}
}

func TestLoadLanguagesGoUnderLanguages(t *testing.T) {
	files := polyFiles()
	for _, d := range []string{"starter", "solution", "mutants/a", "mutants/b"} {
		delete(files, d+"/go.mod")
		files["languages/go/"+d+"/go.mod"] = "module x\n\ngo 1.26\n"
	}
	c, err := LoadFS(mapFS("poly", files), "poly")
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := c.Offering(grader.LanguageGo); o.Samples != "languages/go" {
		t.Errorf("go samples in %q, want languages/go", o.Samples)
	}
}

func TestLanguageProblems(t *testing.T) {
	y := func(old, new string) []edit { return []edit{{"challenge.yaml", old, new}} }
	tests := []struct {
		name  string
		edits []edit
		file  string
		field string
		want  string
	}{
		{"unknown language", y("  javascript: {}", "  javascript: {}\n  ruby: {}"), "challenge.yaml", "languages.ruby", `"ruby" is not a language`},
		{"empty section", y("languages:\n  go:\n  python:\n    start: [uvicorn, app:app, --port, $PORT]\n  javascript: {}\n", "languages: {}\n"), "challenge.yaml", "languages", "is empty"},
		{"start for go", y("  go:\n", "  go:\n    start: [./service]\n"), "challenge.yaml", "languages.go.start", "is set for Go"},
		{"start empty", y("start: [uvicorn, app:app, --port, $PORT]", "start: []"), "challenge.yaml", "languages.python.start", "is empty"},
		{"start blank argument", y("start: [uvicorn, app:app, --port, $PORT]", "start: [python3, ' ']"), "challenge.yaml", "languages.python.start[1]", "is not an argument"},
		{"npm start for python", y("start: [uvicorn, app:app, --port, $PORT]", "start: [npm, start]"), "challenge.yaml", "languages.python.start", "npm start runs a JavaScript package"},
		{"image with spaces", y("  javascript: {}", "  javascript: {image: my image}"), "challenge.yaml", "languages.javascript.image", "not an image reference"},
		{"unknown field", y("  javascript: {}", "  javascript: {main: server.js}"), "challenge.yaml", "languages.javascript.main", "unknown field"},
		{"python solution missing", []edit{{"languages/python/solution/app.py", "", ""}}, "languages/python/solution", "", "does not hold a .py file"},
		{"javascript mutant empty", []edit{{"languages/javascript/mutants/b/server.js", "", ""}, {"languages/javascript/mutants/b/notes.txt", "", "x"}}, "languages/javascript/mutants/b", "", "does not hold package.json or a .js file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loadPoly(t, tc.edits...)
			assertProblem(t, err, "poly/"+tc.file, tc.field, tc.want)
			if ps := Problems(err); len(ps) != 1 {
				t.Errorf("got %d problems, want 1:%s", len(ps), problemList(ps))
			}
		})
	}
}

func TestLanguageGradedOutOfTheSameScore(t *testing.T) {
	// The demo's go suite grades Go alone: Python gets only the http
	// suite's points.
	err := loadDemo(t, edit{"challenge.yaml", "tags: [http, go]", "tags: [http, go]\nlanguages:\n  go:\n  python: {}"})
	assertProblem(t, err, "demo/challenge.yaml", "suites", "go is graded out of 13 points, python out of 4")
}
