package solve

// Solve spins forever.
func Solve() int {
	n := 0
	for {
		n++
	}
}
