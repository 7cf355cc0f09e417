package images

import (
	"bytes"
	"fmt"
	"strings"
)

// tailLines is how many lines of output a BuildError keeps.
const tailLines = 30

// BuildError is a failed build step (a RUN, debootstrap, a module
// download): what failed, and the last lines of its output, which name
// the cause.
type BuildError struct {
	// Step names what failed, for example "RUN" or "debootstrap".
	Step string
	// Output is the last lines of the step's output.
	Output string
	// Err is the engine's or the command's error.
	Err error
}

// Error reports the failure followed by the output, indented.
func (e *BuildError) Error() string {
	msg := fmt.Sprintf("%s: %v", e.Step, e.Err)
	if out := strings.TrimSpace(e.Output); out != "" {
		msg += "; last lines of output:\n    " + strings.ReplaceAll(out, "\n", "\n    ")
	}
	return msg
}

// Unwrap returns Err.
func (e *BuildError) Unwrap() error { return e.Err }

// tailBuffer is an io.Writer that keeps only the last lines written.
type tailBuffer struct {
	lines int
	buf   []byte
}

func newTailBuffer(lines int) *tailBuffer { return &tailBuffer{lines: lines} }

// Write keeps p's tail; it never fails, so an io.MultiWriter using it
// keeps going.
func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	// Drop whole lines beyond the limit only now and then, so writes stay
	// linear.
	if bytes.Count(t.buf, []byte{'\n'}) > 4*t.lines {
		t.buf = append([]byte(nil), lastLines(t.buf, t.lines)...)
	}
	return len(p), nil
}

// String returns the last lines written, without a trailing newline.
func (t *tailBuffer) String() string {
	return string(bytes.TrimRight(lastLines(t.buf, t.lines), "\n"))
}

// lastLines returns the last n lines of b (an unfinished last line counts).
func lastLines(b []byte, n int) []byte {
	if n <= 0 {
		return nil
	}
	i := len(bytes.TrimRight(b, "\n"))
	for ; n > 0; n-- {
		j := bytes.LastIndexByte(b[:i], '\n')
		if j < 0 {
			return b
		}
		i = j
	}
	return b[i+1:]
}
