package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// TestStaticScripts runs the tests of the pages' scripts,
// testdata/*.test.js, with `node --test` (make setup installs node).
func TestStaticScripts(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not installed (make setup installs it)")
		}
		t.Skip("node is not installed: apt-get install nodejs (make setup does)")
	}
	files, err := filepath.Glob(filepath.Join("testdata", "*.test.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no script tests in testdata (%v)", err)
	}
	out, err := exec.Command(node, append([]string{"--test"}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("node --test %v: %v\n%s", files, err, out)
	}
}
