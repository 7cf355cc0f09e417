package runner

import (
	"io"
	"sync"

	"github.com/gradebox/grader/grader"
)

// cappedWriter keeps the first limit bytes written to it, passes them on
// to an optional live writer, counts the rest without keeping it, and
// calls onOverflow once, when the total first passes limit.
//
// Write never fails and always reports the whole of p as written, so a
// stream copy into it (stdcopy.StdCopy) keeps draining its source however
// much the box prints: memory stays at most limit bytes.
type cappedWriter struct {
	limit      int64
	live       io.Writer
	onOverflow func()

	mu      sync.Mutex
	buf     []byte
	written int64
}

// newCappedWriter returns a writer keeping at most limit bytes.
func newCappedWriter(limit int64, live io.Writer, onOverflow func()) *cappedWriter {
	return &cappedWriter{limit: max(limit, 0), live: live, onOverflow: onOverflow}
}

// Write keeps what fits under the limit. It never returns an error.
func (c *cappedWriter) Write(p []byte) (int, error) {
	c.mu.Lock()
	room := c.limit - int64(len(c.buf))
	keep := p[:min(int64(len(p)), max(room, 0))]
	c.buf = appendCapped(c.buf, keep, c.limit)
	passed := c.written <= c.limit && c.written+int64(len(p)) > c.limit
	c.written += int64(len(p))
	c.mu.Unlock()
	// Only one goroutine (the stream copy) writes, so the live writer sees
	// the bytes in order without holding the lock while it blocks.
	if c.live != nil && len(keep) > 0 {
		_, _ = c.live.Write(keep)
	}
	if passed && c.onOverflow != nil {
		c.onOverflow()
	}
	return len(p), nil
}

// appendCapped appends p to buf, growing it geometrically but never past
// limit bytes of capacity (append alone could double a 64 MiB buffer).
func appendCapped(buf, p []byte, limit int64) []byte {
	if len(p) == 0 {
		return buf
	}
	need := len(buf) + len(p)
	if need > cap(buf) {
		newCap := int(min(int64(max(2*cap(buf), need, 4096)), limit))
		grown := make([]byte, len(buf), max(newCap, need))
		copy(grown, buf)
		buf = grown
	}
	return append(buf, p...)
}

// output returns what was kept, truncated when more was written.
func (c *cappedWriter) output() grader.Output {
	c.mu.Lock()
	defer c.mu.Unlock()
	return grader.Output{Text: string(c.buf), Truncated: c.written > c.limit}
}

// total returns how many bytes were written, kept or not.
func (c *cappedWriter) total() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.written
}
