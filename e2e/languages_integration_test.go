//go:build integration

package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/gradebox/grader/challenges"
	"github.com/gradebox/grader/grader"
)

// gradeFiles grades files as a submission in lang to notes-api.
func gradeFiles(t *testing.T, lang grader.Language, files map[string]string) grader.Result {
	t.Helper()
	c, err := challenges.Load("../challenges/notes-api")
	if err != nil {
		t.Fatal(err)
	}
	var list []grader.File
	for name, data := range files {
		list = append(list, grader.File{Name: name, Mode: 0o644, Data: []byte(data)})
	}
	id := fmt.Sprintf("lang-%s-%s", lang, strings.ReplaceAll(strings.ToLower(t.Name()[strings.LastIndex(t.Name(), "/")+1:]), "_", "-"))
	sub, err := grader.NewSubmissionIn(id, lang, list, grader.SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := newEngine().Grade(context.Background(), c, sub, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertNoLeftovers(t, id)
	return res
}

// TestLanguageReferencesPass grades the Python and JavaScript references
// of notes-api: full marks, as the Go one.
func TestLanguageReferencesPass(t *testing.T) {
	for _, lang := range []grader.Language{grader.LanguagePython, grader.LanguageJavaScript} {
		t.Run(string(lang), func(t *testing.T) {
			c, err := challenges.Load("../challenges/notes-api")
			if err != nil {
				t.Fatal(err)
			}
			o, ok := c.Offering(lang)
			if !ok {
				t.Fatalf("notes-api is not offered in %s", lang)
			}
			id := "lang-ref-" + string(lang)
			sub, err := grader.ReadDirIn(id, lang, "../challenges/notes-api/"+o.Samples+"/solution", grader.SubmissionLimits{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := newEngine().Grade(context.Background(), c, sub, nil)
			if err != nil {
				t.Fatal(err)
			}
			assertNoLeftovers(t, id)
			if !res.Passed() {
				t.Fatalf("reference scored %d/%d (%s: %s)\n%s", res.Score, res.MaxScore, res.Status, res.Message, describe(res))
			}
		})
	}
}

// TestLanguageBuildStep checks what the build step of Python and
// JavaScript reports, and that it runs none of the learner's code: every
// file below prints a marker and exits at load time, so a checker that
// imported or ran one would show the marker or end early.
func TestLanguageBuildStep(t *testing.T) {
	const marker = "LEARNER-CODE-RAN"
	py := func(body string) string {
		return "import os, sys\nprint('" + marker + "')\nopen('/work/" + marker + "', 'w').write('x')\n" + body + "\nos._exit(3)\n"
	}
	js := func(body string) string {
		return "console.log('" + marker + "');\nrequire('fs').writeFileSync('/work/" + marker + "', 'x');\n" + body + "\nprocess.exit(3);\n"
	}
	tests := []struct {
		name  string
		lang  grader.Language
		files map[string]string
		want  []string // in the message, in order
	}{
		{"python syntax error", grader.LanguagePython, map[string]string{
			"app.py":    py("import helper"),
			"helper.py": "def broken(:\n    pass\n",
		}, []string{"helper.py:1: syntax error"}},
		{"python missing package", grader.LanguagePython, map[string]string{
			"app.py":          py("import flask\nimport helper\nfrom pkg import sub\ntry:\n    import ujson\nexcept ImportError:\n    pass\nimport numpy.linalg"),
			"helper.py":       py(""),
			"pkg/__init__.py": py(""),
			"pkg/sub.py":      py(""),
		}, []string{"app.py:11: imports numpy, which the image does not offer; offered: ", "flask", "uvicorn"}},
		{"javascript syntax error", grader.LanguageJavaScript, map[string]string{
			"server.js": js("const h = require('./helper');"),
			"helper.js": "module.exports = function ( {\n",
		}, []string{"helper.js:", "syntax error"}},
		{"javascript missing package", grader.LanguageJavaScript, map[string]string{
			"server.js":     js("const express = require('express');\nconst h = require('./lib/helper');\nconst fs = require('node:fs');\nconst _ = require('mongoose');"),
			"lib/helper.js": js(""),
		}, []string{"server.js:6: requires mongoose, which the image does not offer; offered: ", "express"}},
		{"javascript node_modules", grader.LanguageJavaScript, map[string]string{
			"server.js":                     js("const express = require('express');"),
			"node_modules/express/index.js": js(""),
		}, []string{"may not bring a node_modules folder"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := gradeFiles(t, tc.lang, tc.files)
			if res.Status != grader.StatusBuildFailed {
				t.Fatalf("status %s (%s), want build_failed\n%s", res.Status, res.Message, describe(res))
			}
			rest := res.Message
			for _, w := range tc.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("message %q lacks %q", res.Message, w)
				}
				rest = rest[i+len(w):]
			}
			if strings.Contains(res.Build.Text, marker) || strings.Contains(res.Message, "could not be checked") {
				t.Errorf("learner code ran in the build step:\n%s", res.Build.Text)
			}
			if res.Service.Text != "" {
				t.Errorf("the service started after a failed build: %s", res.Service.Text)
			}
		})
	}
}

// TestLanguageServiceRunsAfterCleanBuild shows the marker of the files
// above does appear once the service starts: the build step's silence is
// not a lost output.
func TestLanguageServiceRunsAfterCleanBuild(t *testing.T) {
	res := gradeFiles(t, grader.LanguagePython, map[string]string{"app.py": "print('SERVICE-STARTED', flush=True)\n"})
	if res.Status == grader.StatusBuildFailed {
		t.Fatalf("build failed: %s", res.Message)
	}
	if !strings.Contains(res.Service.Text, "SERVICE-STARTED") {
		t.Errorf("service output %q lacks the marker", res.Service.Text)
	}
}

// TestLanguageNPMStart grades the JavaScript reference moved to src/ and
// started by its package.json, as `start: [npm, start]` asks, with no npm
// in the image.
func TestLanguageNPMStart(t *testing.T) {
	c, err := challenges.Load("../challenges/notes-api")
	if err != nil {
		t.Fatal(err)
	}
	for i := range c.Languages {
		if c.Languages[i].Language == grader.LanguageJavaScript {
			c.Languages[i].Start = grader.NPMStart
		}
	}
	ref, err := grader.ReadDirIn("", grader.LanguageJavaScript, "../challenges/notes-api/languages/javascript/solution", grader.SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	files := []grader.File{{Name: "package.json", Mode: 0o644, Data: []byte(`{"name": "notes", "scripts": {"start": "node src/server.js"}}`)}}
	for _, f := range ref.Files {
		f.Name = "src/" + f.Name
		files = append(files, f)
	}
	sub, err := grader.NewSubmissionIn("lang-npm-start", grader.LanguageJavaScript, files, grader.SubmissionLimits{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := newEngine().Grade(context.Background(), c, sub, nil)
	if err != nil {
		t.Fatal(err)
	}
	assertNoLeftovers(t, sub.ID)
	if !res.Passed() {
		t.Fatalf("scored %d/%d (%s: %s)\n%s", res.Score, res.MaxScore, res.Status, res.Message, describe(res))
	}
}
