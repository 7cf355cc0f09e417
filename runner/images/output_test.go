package images

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestTailBuffer(t *testing.T) {
	numbered := func(from, to int) string {
		var b strings.Builder
		for i := from; i <= to; i++ {
			fmt.Fprintf(&b, "line %d\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name   string
		lines  int
		writes []string
		want   string
	}{
		{"nothing", 3, nil, ""},
		{"fewer lines than kept", 3, []string{"a\nb\n"}, "a\nb"},
		{"last lines", 3, []string{"a\nb\nc\nd\ne\n"}, "c\nd\ne"},
		{"unfinished last line", 2, []string{"a\nb\nc"}, "b\nc"},
		{"lines split across writes", 2, []string{"a\nb", "b\nc", "c\n"}, "bb\ncc"},
		{"blank lines count", 2, []string{"a\n\nb\n"}, "\nb"},
		{"leading newline", 1, []string{"\na"}, "a"},
		{"many writes trimmed on the way", 3, strings.SplitAfter(numbered(1, 500), "\n"), "line 498\nline 499\nline 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tb := newTailBuffer(tt.lines)
			for _, w := range tt.writes {
				if n, err := tb.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if got := tb.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if len(tb.buf) > 1<<12 {
				t.Errorf("kept %d bytes", len(tb.buf))
			}
		})
	}
}

func TestBuildError(t *testing.T) {
	cause := errors.New("The command '/bin/sh -c go build' returned a non-zero code: 1")
	err := fmt.Errorf("build image %s: %w", Go, &BuildError{Step: "build", Output: "Step 7/9 : RUN go build\nmain.go:3: undefined: x\n", Err: cause})
	want := "build image grader/go:local: build: The command '/bin/sh -c go build' returned a non-zero code: 1; last lines of output:\n" +
		"    Step 7/9 : RUN go build\n    main.go:3: undefined: x"
	if err.Error() != want {
		t.Errorf("Error() =\n%s\nwant\n%s", err, want)
	}
	var be *BuildError
	if !errors.As(err, &be) || !errors.Is(err, cause) {
		t.Error("the build error or its cause is lost in the chain")
	}
	if got := (&BuildError{Step: "debootstrap", Err: cause}).Error(); strings.Contains(got, "last lines") {
		t.Errorf("an error without output mentions output: %s", got)
	}
}
