package solve

import "time"

// Solve sleeps forever.
func Solve() int {
	time.Sleep(24 * time.Hour)
	return 42
}
