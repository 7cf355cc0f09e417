package solve

import (
	"os"
	"strings"
)

// Solve prints gigabytes.
func Solve() int {
	chunk := []byte(strings.Repeat("flood ", 10000) + "\n")
	for i := 0; i < 1<<20; i++ {
		os.Stdout.Write(chunk)
	}
	return 42
}
