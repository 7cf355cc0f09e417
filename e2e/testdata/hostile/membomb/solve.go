package solve

var keep [][]byte

// Solve allocates until it is stopped.
func Solve() int {
	for {
		b := make([]byte, 16<<20)
		for i := range b {
			b[i] = 1
		}
		keep = append(keep, b)
	}
}
