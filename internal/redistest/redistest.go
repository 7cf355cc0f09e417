// Package redistest starts throwaway redis-servers (Debian's package,
// which make setup installs) on free loopback ports, keeping nothing on
// disk: one per integration test (Start) or per benchmark measure (Run).
// StartDurable starts one that keeps its data in a folder, so a test can
// stop it (an outage) and Restart it on the same port with its data.
package redistest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running redis-server.
type Server struct {
	// Addr is host:port of the server.
	Addr string
	bin  string
	args []string

	mu   sync.Mutex
	cmd  *exec.Cmd
	log  *lockedBuffer
	done chan struct{}
}

// URL returns the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr }

// Run starts a redis-server and waits until it answers PING. The caller
// must Stop it.
func Run(ctx context.Context) (*Server, error) {
	return run(ctx, "--save", "", "--appendonly", "no")
}

// run starts a redis-server on a free port with extra arguments.
func run(ctx context.Context, extra ...string) (*Server, error) {
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return nil, fmt.Errorf("redis-server is not installed: apt-get install redis-server (make setup does): %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("find a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{Addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), bin: bin,
		args: append([]string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--protected-mode", "no", "--loglevel", "warning"}, extra...)}
	if err := s.start(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// start runs the server's command and waits until it answers PING.
func (s *Server) start(ctx context.Context) error {
	s.mu.Lock()
	cmd := exec.Command(s.bin, s.args...)
	log, done := &lockedBuffer{}, make(chan struct{})
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		s.mu.Unlock()
		return fmt.Errorf("start redis-server: %w", err)
	}
	s.cmd, s.log, s.done = cmd, log, done
	s.mu.Unlock()
	go func() { _ = cmd.Wait(); close(done) }()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for {
		err := Ping(s.Addr)
		if err == nil {
			return nil
		}
		select {
		case <-done:
			return fmt.Errorf("redis-server exited at start: %s", log.String())
		case <-ctx.Done():
			s.Stop()
			return fmt.Errorf("redis-server on %s did not answer PING: %w: %s", s.Addr, err, log.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Start runs a redis-server for the rest of tb. Without the binary the
// test is skipped, or failed when CI is set, so CI never passes by
// skipping.
func Start(tb testing.TB) *Server {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("redis-server is required in CI: apt-get install redis-server (make setup does)")
		}
		tb.Skip("redis-server is not installed: apt-get install redis-server (make setup does)")
	}
	s, err := Run(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// StartDurable is Start for a server that writes every change to an
// append-only file in a folder of tb's, so that Restart brings its data
// back, as a production Redis with persistence would.
func StartDurable(tb testing.TB) *Server {
	tb.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("redis-server is required in CI: apt-get install redis-server (make setup does)")
		}
		tb.Skip("redis-server is not installed: apt-get install redis-server (make setup does)")
	}
	s, err := run(context.Background(), "--dir", tb.TempDir(), "--save", "",
		"--appendonly", "yes", "--appendfsync", "always")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	return s
}

// Stop kills the server (as a crash would) and waits for it. Calling it
// again, or on a stopped server, does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-done
}

// Restart starts a stopped server again on the same address, with the
// data a StartDurable server kept.
func (s *Server) Restart(ctx context.Context) error {
	s.Stop()
	return s.start(ctx)
}

// Ping sends PING to the Redis at addr and checks the answer.
func Ping(addr string) error {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(conn, "PING\r\n"); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return errors.New("PING answered " + strconv.Quote(strings.TrimSpace(line)))
	}
	return nil
}

// lockedBuffer keeps the first 64 KiB of what the server prints.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := 64<<10 - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.TrimSpace(b.buf.String())
}
