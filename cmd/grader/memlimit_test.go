package main

import (
	"context"
	"runtime/debug"
	"testing"
	"time"
)

// TestFollowMemoryLimit: the soft memory limit grows with the streams
// followed, so thousands of idle streams do not keep the collector busy.
func TestFollowMemoryLimit(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	before := debug.SetMemoryLimit(-1)
	defer debug.SetMemoryLimit(before)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		followMemoryLimit(ctx, func() int { return 5000 })
	}()
	want := int64(memoryLimit + 5000*streamMemory)
	for debug.SetMemoryLimit(-1) != want {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
}
