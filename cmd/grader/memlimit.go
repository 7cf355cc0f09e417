package main

import (
	"context"
	"os"
	"runtime/debug"
	"time"
)

// streamMemory is what the soft memory limit grows by per open event
// stream: an idle stream holds about 40 KiB (its goroutine's stack and
// its connection's buffers), plus room for the collector to work in.
const streamMemory = 64 << 10

// followMemoryLimit keeps the process's soft memory limit at memoryLimit
// plus streamMemory per event stream the hub follows, checking every
// second until ctx is done. Without it, a process holding thousands of
// idle streams sits above the fixed limit and collects garbage without
// pause. It does nothing when GOMEMLIMIT sets the limit.
func followMemoryLimit(ctx context.Context, followers func() int) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	t := time.NewTicker(time.Second)
	defer t.Stop()
	last := -1
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if n := followers(); n != last {
			debug.SetMemoryLimit(memoryLimit + int64(n)*streamMemory)
			last = n
		}
	}
}
