package solve

import (
	"os"
	"os/exec"
)

// init tries to leave something for the next job graded in its box:
// files in /tmp and in its own folder, a process that outlives the
// tests, and a variable. Solve is right, so it passes.
func init() {
	os.WriteFile("/tmp/left-by-an-earlier-job", []byte("planted"), 0o644)
	os.WriteFile("left-by-an-earlier-job", []byte("planted"), 0o644)
	os.Setenv("LEFT_BY_AN_EARLIER_JOB", "1")
	sleeper := exec.Command("sleep", "300")
	sleeper.Env = os.Environ()
	sleeper.Start() // never waited for
}

// Solve returns the answer.
func Solve() int { return 42 }
