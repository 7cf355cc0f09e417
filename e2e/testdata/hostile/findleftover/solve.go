package solve

import (
	"os"
	"path/filepath"
	"strings"
)

// leftover names what an earlier job (testdata/hostile/leavebehind) left
// where this one runs; empty when its box is fresh.
var leftover string

func init() {
	var found []string
	for _, p := range []string{"/tmp/left-by-an-earlier-job", "left-by-an-earlier-job"} {
		if _, err := os.Stat(p); err == nil {
			found = append(found, p)
		}
	}
	if os.Getenv("LEFT_BY_AN_EARLIER_JOB") != "" {
		found = append(found, "LEFT_BY_AN_EARLIER_JOB")
	}
	cmdlines, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, c := range cmdlines {
		if b, _ := os.ReadFile(c); strings.HasPrefix(string(b), "sleep\x00300") {
			found = append(found, "process "+filepath.Dir(c))
		}
	}
	leftover = strings.Join(found, ", ")
}

// Solve returns the answer in a fresh box, and fails the test in a box
// holding anything of an earlier job.
func Solve() int {
	if leftover != "" {
		panic("found what an earlier job left: " + leftover)
	}
	return 42
}
