package solve

import "testing"

// HIDDEN-MARKER: the hidden test's source must never reach learner code.
func TestSolve(t *testing.T) {
	if got := Solve(); got != 42 {
		t.Fatalf("Solve() = %d, want 42", got)
	}
}
