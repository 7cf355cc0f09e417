package challenges

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// The demo challenge is valid and uses every feature; tests break one
// thing at a time.
const demoYAML = `id: demo
title: Demo
summary: A demo.
difficulty: easy
tags: [http, go]
env:
  CACHE_TTL: 1s
service:
  ready_path: /healthz
fixtures:
  - name: cache
    kind: redis
  - name: upstream
    kind: upstream
    delay: 300ms
suites:
  - name: api
    kind: http
    file: tests/api.yaml
  - name: unit
    kind: go
    files: [tests/x_test.go, tests/y_test.go]
    race: true
    points: 2
    tests:
      - name: TestB
        points: 5
        visibility: visible
      - pattern: ^TestC
        points: 0
`

const demoAPI = `tests:
  - name: create
    points: 3
    visibility: visible
    steps:
      - name: create
        request: {method: post, path: /notes, headers: {X-Id: abc}, json: {title: hi, tags: [a], n: 1.5}}
        expect:
          status: 201
          headers: {Content-Type: application/json}
          json:
            title: hi
            id: {exists: true}
            items.#: {gte: 2, lte: 5}
            meta: {equals: {a: 1}}
            kind: {type: string}
          body_contains: hi
        capture: {id: id}
      - wait: 10ms
      - request: {path: "/notes/${id}"}
        expect: {status: 200, json: {id: "${id}"}}
  - name: upstream stats
    steps:
      - request: {target: upstream, path: /_fixture/stats}
        expect: {json: {reads: 0}}
`

const demoX = `package x

import "testing"

func TestA(t *testing.T) {}

func helper(t *testing.T) {}

func TestB(t *testing.T) {
	t.Run("sub", func(t *testing.T) {})
}

func Testlower(t *testing.T) {}

func TestMain(m *testing.M) { m.Run() }
`

const demoY = `package x_test

import tst "testing"

func TestC1(t *tst.T) {}

func TestD(t *tst.T) {}

func BenchmarkE(b *tst.B) {}
`

// demoFiles are the demo challenge's files, relative to its folder.
func demoFiles() map[string]string {
	return map[string]string{
		"challenge.yaml":      demoYAML,
		"README.md":           "# Demo\n\nBuild it.\n",
		"tests/go.mod":        "module hidden\n\ngo 1.26\n",
		"tests/api.yaml":      demoAPI,
		"tests/x_test.go":     demoX,
		"tests/y_test.go":     demoY,
		"starter/go.mod":      "module x\n\ngo 1.26\n",
		"solution/go.mod":     "module x\n\ngo 1.26\n",
		"solution/x.go":       "package x\n",
		"mutants/a/go.mod":    "module x\n\ngo 1.26\n",
		"mutants/b/go.mod":    "module x\n\ngo 1.26\n",
		"mutants/b/notes.txt": "a mutant may hold any files\n",
	}
}

// edit changes one file of a challenge: it replaces old with new once
// (old must occur), sets the whole file when old is empty, and deletes
// the file when both are empty.
type edit struct {
	file, old, new string
}

// apply returns files with the edits applied; an edit whose old text is
// missing fails the test, so a case can never silently test nothing.
func apply(t *testing.T, files map[string]string, edits ...edit) map[string]string {
	t.Helper()
	for _, e := range edits {
		switch {
		case e.old == "" && e.new == "":
			if _, ok := files[e.file]; !ok {
				t.Fatalf("edit deletes %s, which does not exist", e.file)
			}
			delete(files, e.file)
		case e.old == "":
			files[e.file] = e.new
		default:
			if !strings.Contains(files[e.file], e.old) {
				t.Fatalf("edit of %s: %q not found", e.file, e.old)
			}
			files[e.file] = strings.Replace(files[e.file], e.old, e.new, 1)
		}
	}
	return files
}

// mapFS puts files into folder dir of a MapFS.
func mapFS(dir string, files map[string]string) fstest.MapFS {
	m := fstest.MapFS{}
	for name, data := range files {
		m[dir+"/"+name] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
	}
	return m
}

// writeFiles writes files under dir on disk.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// loadDemo loads the demo challenge with edits applied from a MapFS.
func loadDemo(t *testing.T, edits ...edit) error {
	t.Helper()
	_, err := LoadFS(mapFS("demo", apply(t, demoFiles(), edits...)), "demo")
	return err
}

// problemList formats problems one a line for failure messages.
func problemList(ps []*Error) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("\n\t" + p.Error())
	}
	return b.String()
}
