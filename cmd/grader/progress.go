package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/gradebox/grader/grader"
)

// progressPrinter shows grading progress on stderr: a line per phase and
// per finished test, and on a terminal a live timer for the running phase.
type progressPrinter struct {
	w    io.Writer
	view grader.View
	tty  bool

	mu       sync.Mutex
	phase    string
	started  time.Time
	drawn    bool
	stop     chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once
}

func newProgressPrinter(w io.Writer, view grader.View) *progressPrinter {
	p := &progressPrinter{w: w, view: view, stop: make(chan struct{}), stopped: make(chan struct{})}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
		go p.tick()
	} else {
		close(p.stopped)
	}
	return p
}

// Stop ends the live timer and waits for it.
func (p *progressPrinter) Stop() {
	p.stopOnce.Do(func() {
		close(p.stop)
		<-p.stopped
		p.mu.Lock()
		p.clear()
		p.mu.Unlock()
	})
}

func (p *progressPrinter) tick() {
	defer close(p.stopped)
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.phase != "" {
				fmt.Fprintf(p.w, "\r\033[K  … %s %.1fs", p.phase, time.Since(p.started).Seconds())
				p.drawn = true
			}
			p.mu.Unlock()
		}
	}
}

// clear removes the live line; the caller holds mu.
func (p *progressPrinter) clear() {
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}

// Event prints one grading event.
func (p *progressPrinter) Event(e grader.Event) {
	e = e.As(p.view)
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	switch e.Type {
	case grader.EventPhaseStarted:
		p.phase = clean(e.Phase + " " + e.Suite)
		p.started = time.Now()
		if !p.tty {
			fmt.Fprintf(p.w, "%s…\n", p.phase)
		}
	case grader.EventPhaseFinished:
		mark := "ok"
		if !e.OK {
			mark = "failed: " + clean(e.Message)
		}
		fmt.Fprintf(p.w, "%s %s: %s (%.1fs)\n", clean(e.Phase), clean(e.Suite), mark, float64(e.DurationMS)/1000)
		p.phase = ""
	case grader.EventTestFinished:
		fmt.Fprintf(p.w, "  %s %s\n", statusWord(e.Test.Status), clean(e.Test.Name))
	}
}
