package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"sync"

	"github.com/gradebox/grader/grader"
)

// hostService is the learner's service run on the host: argv in dir with
// env, restarted with the same command and environment when the tester
// asks (a step with restart: true).
type hostService struct {
	ctx  context.Context
	argv []string
	dir  string
	env  []string
	out  *tailBuffer

	mu       sync.Mutex
	cur      *child
	restarts int // how many times it was started again
}

// start starts the service.
func (s *hostService) start() error {
	cmd := exec.CommandContext(s.ctx, s.argv[0], s.argv[1:]...)
	cmd.Dir = s.dir
	cmd.Env = s.env
	cmd.Stdout, cmd.Stderr = s.out, s.out
	c, err := startChild("the service", cmd)
	if err != nil {
		return fmt.Errorf("start the service with %v: %w", s.argv, err)
	}
	s.mu.Lock()
	s.cur = c
	s.mu.Unlock()
	return nil
}

// stop ends the service as the engine does for a restart: SIGTERM, then
// SIGKILL after grader.ServiceStopGrace.
func (s *hostService) stop() {
	s.mu.Lock()
	c := s.cur
	s.mu.Unlock()
	if c != nil {
		c.stop(grader.ServiceStopGrace)
	}
}

// pid is the running service's process id (0 before the first start).
func (s *hostService) pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return 0
	}
	return s.cur.cmd.Process.Pid
}

// testerEvents passes the tester's event lines on to w and plays the
// engine's part in a restart: on "restart" it stops the service, and on
// "service_stopped" (the tester saw its port close) it starts it again,
// before the tester probes it. A service that cannot be started again
// fails the write, and so the tester's run.
type testerEvents struct {
	w       io.Writer
	svc     *hostService
	pending []byte // a line not yet ended
}

func (e *testerEvents) Write(p []byte) (int, error) {
	if _, err := e.w.Write(p); err != nil {
		return 0, err
	}
	e.pending = append(e.pending, p...)
	for {
		line, rest, ok := bytes.Cut(e.pending, []byte("\n"))
		if !ok {
			break
		}
		e.pending = rest
		var ev grader.TesterEvent
		if json.Unmarshal(line, &ev) != nil {
			continue
		}
		switch ev.Event {
		case grader.TesterRestart:
			e.svc.stop()
		case grader.TesterServiceStopped:
			if err := e.svc.start(); err != nil {
				return 0, fmt.Errorf("restart: %w", err)
			}
			e.svc.mu.Lock()
			e.svc.restarts++
			e.svc.mu.Unlock()
		}
	}
	return len(p), nil
}
