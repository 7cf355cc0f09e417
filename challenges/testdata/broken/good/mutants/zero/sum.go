package sum

// Sum always says 0.
func Sum(xs []int) int { return 0 }
