package challenges

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  Error
		want string
	}{
		{Error{File: "challenges/notes-api/challenge.yaml", Field: "limits.memory", Problem: `"512MB" is not a size`, Fix: "write it with a binary unit, e.g. 512MiB"},
			`challenges/notes-api/challenge.yaml: limits.memory: "512MB" is not a size; write it with a binary unit, e.g. 512MiB`},
		{Error{File: "x/README.md", Problem: "is empty", Fix: "write it"}, "x/README.md: is empty; write it"},
		{Error{File: "x/challenge.yaml", Field: "id", Problem: "missing"}, "x/challenge.yaml: id: missing"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

func TestProblemsUnwrapsEverything(t *testing.T) {
	a, b, c := &Error{File: "a"}, &Error{File: "b"}, &Error{File: "c"}
	err := errors.Join(errors.Join(a, errors.New("other")), fmt.Errorf("load: %w", errors.Join(b, c)))
	if diff := cmp.Diff([]*Error{a, b, c}, Problems(err)); diff != "" {
		t.Errorf("Problems (-want +got):\n%s", diff)
	}
	if Problems(nil) != nil {
		t.Error("Problems(nil) is not empty")
	}
}
