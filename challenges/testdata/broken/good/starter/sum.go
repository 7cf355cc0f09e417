package sum

// Sum adds xs.
func Sum(xs []int) int { return 0 }
