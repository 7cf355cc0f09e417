// Package redistest starts a real redis-server (Debian's package, which
// make setup installs) for integration tests, one per test, on a free
// loopback port, and stops it when the test ends.
package redistest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"
)

// Server is a running redis-server.
type Server struct {
	// Addr is host:port of the server.
	Addr string
	cmd  *exec.Cmd
}

// URL returns the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr }

// Start runs a redis-server for the rest of tb. Without the binary the
// test is skipped, or failed when CI is set, so CI never passes by
// skipping.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatal("redis-server is required in CI: apt-get install redis-server (make setup does)")
		}
		tb.Skip("redis-server is not installed: apt-get install redis-server (make setup does)")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("find a free port: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{Addr: fmt.Sprintf("127.0.0.1:%d", port)}
	s.cmd = exec.Command(bin, "--port", fmt.Sprint(port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--protected-mode", "no")
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start redis-server: %v", err)
	}
	tb.Cleanup(s.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "tcp", s.Addr)
		if err == nil {
			c.Close()
			return s
		}
		select {
		case <-ctx.Done():
			tb.Fatalf("redis-server at %s did not start: %v", s.Addr, err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Stop kills the server (as a crash would) and waits for it. Calling it
// again does nothing.
func (s *Server) Stop() {
	if s.cmd.Process == nil || s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}
