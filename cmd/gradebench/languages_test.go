package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/gradebox/grader/grader"
)

func TestLanguageCases(t *testing.T) {
	http := []grader.Suite{{Name: "api", Kind: grader.SuiteHTTP}}
	all := []*grader.Challenge{
		{ID: "notes-api", Suites: http, Languages: []grader.Offering{
			{Language: grader.LanguageJavaScript}, {Language: grader.LanguageGo}, {Language: grader.LanguagePython}}},
		{ID: "fix-ledger", Suites: []grader.Suite{{Name: "unit", Kind: grader.SuiteGo}}},
		{ID: "go-only", Suites: http},
	}
	var got []string
	for _, lc := range languageCases(all) {
		got = append(got, lc.name())
	}
	want := []string{"languages-notes-api-go", "languages-notes-api-python", "languages-notes-api-javascript", "languages-go-only-go"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cases (-want +got):\n%s", diff)
	}
	selected = map[string]bool{"languages": true}
	defer func() { selected = nil }()
	for _, name := range got {
		if !wanted(name) {
			t.Errorf("-only languages does not select %s", name)
		}
	}
}

func TestHostImports(t *testing.T) {
	py := []grader.File{
		{Name: "app.py", Data: []byte("\"\"\"Doc.\"\"\"\nimport os, re\nimport urllib.request as r\nfrom flask import Flask\nfrom . import x\nfrom money import split\n  import redis\nimport flask\n")},
		{Name: "money.py", Data: []byte("import re\n")},
		{Name: "README.md", Data: []byte("import requests\n")},
	}
	if diff := cmp.Diff([]string{"os", "re", "urllib", "flask", "redis"}, hostImports(grader.LanguagePython, py)); diff != "" {
		t.Errorf("python imports (-want +got):\n%s", diff)
	}
	js := []grader.File{
		{Name: "server.js", Data: []byte("const express = require('express');\nconst { createClient } = require(\"redis\"); const m = require('./money');\nimport pg from 'pg';\nimport 'node:fs';\nconst c = require('@redis/client/dist/x');\n")},
	}
	if diff := cmp.Diff([]string{"express", "redis", "pg", "@redis/client"}, hostImports(grader.LanguageJavaScript, js)); diff != "" {
		t.Errorf("javascript imports (-want +got):\n%s", diff)
	}
}

func TestDebianPackage(t *testing.T) {
	for _, tc := range []struct {
		lang        grader.Language
		module      string
		wantPackage string
	}{
		{grader.LanguagePython, "flask", "python3-flask"},
		{grader.LanguagePython, "typing_extensions", "python3-typing-extensions"},
		{grader.LanguagePython, "yaml", "python3-yaml"},
		{grader.LanguageJavaScript, "express", "node-express"},
		{grader.LanguageJavaScript, "@redis/client", "node-redis"},
		{grader.LanguageJavaScript, "@scope/thing", "node-scope-thing"},
	} {
		if got := debianPackage(tc.lang, tc.module); got != tc.wantPackage {
			t.Errorf("debianPackage(%s, %s) = %s, want %s", tc.lang, tc.module, got, tc.wantPackage)
		}
	}
}

func TestHostArgv(t *testing.T) {
	for _, tc := range []struct {
		start, want []string
	}{
		{[]string{"python3", "app.py"}, []string{hostPython, "app.py"}},
		{[]string{"uvicorn", "app:app", "--port", "$PORT"}, []string{hostPython, "-m", "uvicorn", "app:app", "--port", "4711"}},
		{[]string{"node", "server.js", "--port=${PORT}"}, []string{"node", "server.js", "--port=4711"}},
	} {
		if diff := cmp.Diff(tc.want, hostArgv(tc.start, 4711)); diff != "" {
			t.Errorf("hostArgv(%v) (-want +got):\n%s", tc.start, diff)
		}
	}
}

func TestTesterFailures(t *testing.T) {
	ok := `{"event":"ready"}
{"event":"test_started","name":"create"}
{"event":"test","name":"create","status":"passed"}
`
	if err := testerFailures([]byte(ok)); err != nil {
		t.Errorf("all passed: %v", err)
	}
	failed := ok + `{"event":"test","name":"list","status":"failed"}
{"event":"test","name":"delete","status":"failed"}
`
	err := testerFailures([]byte(failed))
	if err == nil || !strings.Contains(err.Error(), "2 tests did not pass: list, delete") {
		t.Errorf("two failed: %v", err)
	}
	err = testerFailures([]byte(`{"event":"not_ready","message":"connection refused"}` + "\n"))
	if err == nil || !strings.Contains(err.Error(), "connection refused") {
		t.Errorf("not ready: %v", err)
	}
}

func TestBuildTime(t *testing.T) {
	res := grader.Result{Timings: []grader.PhaseTiming{
		{Phase: "prepare", DurationMS: 100}, {Phase: "build:api", DurationMS: 1250}, {Phase: "run:api", DurationMS: 3000},
	}}
	if got := buildTime(res); got != 1250*time.Millisecond {
		t.Errorf("buildTime = %s, want 1.25s", got)
	}
}

func TestLanguageRowsAndTable(t *testing.T) {
	lc := langCase{c: &grader.Challenge{ID: "notes-api"}, lang: grader.LanguagePython}
	rows := languageRows(lc, 6*time.Second, 900*time.Millisecond, 2*time.Second, 300*time.Millisecond)
	rows = append(rows, skippedRows(langCase{c: lc.c, lang: grader.LanguageJavaScript}, 5*time.Second, time.Second, []string{"node-express"})...)
	var out bytes.Buffer
	if err := writeTable(&out, rows); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 5 {
		t.Fatalf("want a header and 4 rows, got:\n%s", out.String())
	}
	for i, want := range [][]string{
		{"grade notes-api reference (python)", "6.00s", "2.00s (py_compile, start, requests on the host)", "3.00", "<= 1.5x", "NO", "missed by 100%"},
		{"build step notes-api (python)", "0.90s", "0.30s (py_compile on the host)", "3.00", "yes"},
		{"grade notes-api reference (javascript)", "5.00s", "skip", "apt-get install -y node-express"},
		{"build step notes-api (javascript)", "1.00s", "skip"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("row %d lacks %q:\n%s", i+1, w, lines[i+1])
			}
		}
	}
	if strings.Contains(lines[3], " NO ") || strings.Contains(lines[3], " yes ") {
		t.Errorf("a skipped row is neither met nor missed:\n%s", lines[3])
	}
}
