package grader

import (
	"strings"
	"testing"
)

func TestTrimTextCutsBetweenWords(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"expected 3 items, got 2", 20, "expected 3 items,…"},
		{"line one\nline two", 12, "line one…"},
		{"exactly here", 7, "exactly…"},
		{strings.Repeat("a", 80) + " b", 60, strings.Repeat("a", 60) + "…"}, // one long token
		{"déjà vu déjà vu", 12, "déjà vu…"},
	}
	for _, tc := range tests {
		if got := trimText(tc.s, tc.n); got != tc.want {
			t.Errorf("trimText(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
