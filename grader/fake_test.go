package grader

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fakeSandbox records every box spec and lets a test decide how each box
// behaves.
type fakeSandbox struct {
	mu    sync.Mutex
	specs []BoxSpec
	// RunFn decides a box's Exit; it may write to spec.Stdout.
	RunFn func(spec BoxSpec) Exit
	// Files are what ReadFile returns, by path.
	Files  map[string][]byte
	closed int
	// stops are the boxes stopped gracefully: role and grace.
	stops []string
}

var _ Sandbox = (*fakeSandbox)(nil)

func (f *fakeSandbox) Start(ctx context.Context, spec BoxSpec) (Box, error) {
	f.mu.Lock()
	f.specs = append(f.specs, spec)
	id := fmt.Sprintf("box%d", len(f.specs))
	f.mu.Unlock()
	return &fakeBox{sb: f, id: id, spec: spec}, nil
}

func (f *fakeSandbox) roles() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, s := range f.specs {
		out = append(out, s.Role)
	}
	return out
}

func (f *fakeSandbox) spec(role string) BoxSpec {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.specs {
		if s.Role == role {
			return s
		}
	}
	return BoxSpec{}
}

type fakeBox struct {
	sb   *fakeSandbox
	id   string
	spec BoxSpec
	once sync.Once
	exit Exit
	// reads counts ReadFile calls.
	reads atomic.Int32
}

func (b *fakeBox) ID() string { return b.id }

func (b *fakeBox) Wait(ctx context.Context) (Exit, error) {
	b.once.Do(func() {
		if b.sb.RunFn != nil {
			b.exit = b.sb.RunFn(b.spec)
		}
	})
	return b.exit, nil
}

func (b *fakeBox) Kill(ctx context.Context) error { return nil }

// Stop records the grace a box was stopped with.
func (b *fakeBox) Stop(ctx context.Context, grace time.Duration) error {
	b.sb.mu.Lock()
	b.sb.stops = append(b.sb.stops, b.spec.Role+" "+grace.String())
	b.sb.mu.Unlock()
	return nil
}

func (b *fakeBox) ReadFile(ctx context.Context, path string, maxBytes int64) ([]byte, error) {
	b.reads.Add(1)
	data, ok := b.sb.Files[path]
	if !ok {
		return nil, fmt.Errorf("no file %s", path)
	}
	return data, nil
}

// Costs reports fixed costs: 30ms to acquire (5 of them copying the
// box's files in, if any), 2ms per file read.
func (b *fakeBox) Costs() BoxCosts {
	c := BoxCosts{Acquire: 30 * time.Millisecond}
	if len(b.spec.Files) > 0 {
		c.CopyIn = 5 * time.Millisecond
	}
	c.CopyOut = time.Duration(b.reads.Load()) * 2 * time.Millisecond
	return c
}

func (b *fakeBox) Close() error {
	b.sb.mu.Lock()
	b.sb.closed++
	b.sb.mu.Unlock()
	return nil
}

// writeLines writes lines to w, one per line.
func writeLines(w io.Writer, lines ...string) {
	if w == nil {
		return
	}
	io.WriteString(w, strings.Join(lines, "\n")+"\n")
}

// awaitN blocks until n boxes with role have been started.
func (f *fakeSandbox) awaitN(role string, n int) {
	for i := 0; i < 200; i++ {
		got := 0
		for _, r := range f.roles() {
			if r == role {
				got++
			}
		}
		if got >= n {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// await blocks until a box with role has been started, as a real tester
// keeps probing until the service box runs.
func (f *fakeSandbox) await(role string) {
	for i := 0; i < 200; i++ {
		if f.spec(role).Role == role {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}
