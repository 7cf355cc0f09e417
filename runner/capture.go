package runner

import (
	"bytes"
	"io"
	"sync"
)

// cappedBuffer keeps the first limit bytes written to it, passes them on
// to an optional live writer, and calls overflow once when more arrive.
// Write never fails, so a stream copy into it always drains its source.
type cappedBuffer struct {
	mu        sync.Mutex
	limit     int64
	buf       bytes.Buffer
	truncated bool
	live      io.Writer
	overflow  func()
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	c.mu.Lock()
	n := len(p)
	room := c.limit - int64(c.buf.Len())
	keep := p
	if int64(len(keep)) > room {
		keep = keep[:max(room, 0)]
	}
	c.buf.Write(keep)
	live := c.live
	over := int64(len(p)) > room && !c.truncated
	if int64(len(p)) > room {
		c.truncated = true
	}
	c.mu.Unlock()
	if live != nil && len(keep) > 0 {
		_, _ = live.Write(keep)
	}
	if over && c.overflow != nil {
		c.overflow()
	}
	return n, nil
}

// text returns what was kept and whether more was written.
func (c *cappedBuffer) text() (string, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String(), c.truncated
}
