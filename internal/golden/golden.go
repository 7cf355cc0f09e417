// Package golden compares what a test produces with a file kept under the
// package's testdata, and rewrites the file instead when the test binary
// runs with -update:
//
//	go test ./grader -update
//
// The flag is defined here once; every test binary that imports the
// package accepts it. Only the tests that run write, and only files whose
// content changed are written, so a -run filter bounds what -update
// touches:
//
//	go test -tags integration ./e2e -run 'TestConformance/notes-api/' -update
//
// Review a rewritten file's diff like code.
package golden

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files with what the tests produce")

// Bytes compares got with the file at path, or under -update writes got
// there (making its folder) when the file does not already hold it. A
// mismatch fails t with a (-want +got) diff.
func Bytes(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		write(t, path, got)
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to write it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

// JSON compares v, as indented JSON ending in a newline, with the file at
// path, as Bytes does.
func JSON(t testing.TB, path string, v any) {
	t.Helper()
	got, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	Bytes(t, path, append(got, '\n'))
}

// write puts got in the file at path unless it holds got already, so an
// unchanged golden file keeps its modification time, and logs a rewrite.
func write(t testing.TB, path string, got []byte) {
	t.Helper()
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, got) {
		return
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, got, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("rewrote %s", path)
}
