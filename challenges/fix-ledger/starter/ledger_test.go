package ledger

import "testing"

// TestDeposit is a first check you can run with `go test -race ./...`.
// Add your own tests here: the grader removes this file and runs its own,
// more thorough tests.
func TestDeposit(t *testing.T) {
	l := New()
	if err := l.Open("alice"); err != nil {
		t.Fatal(err)
	}
	if err := l.Deposit("alice", 1234); err != nil {
		t.Fatal(err)
	}
	if b, _ := l.Balance("alice"); b != 1234 {
		t.Errorf("balance = %d, want 1234", b)
	}
}
