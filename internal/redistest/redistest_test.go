//go:build integration

package redistest

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

func TestRunAndStop(t *testing.T) {
	a := Start(t)
	b := Start(t)
	if a.Addr == b.Addr {
		t.Fatalf("two servers share %s", a.Addr)
	}
	if err := Ping(a.Addr); err != nil {
		t.Fatalf("ping: %v", err)
	}
	if u := a.URL(); u != "redis://"+a.Addr {
		t.Errorf("URL = %q", u)
	}
	a.Stop()
	a.Stop()
	if err := Ping(a.Addr); err == nil {
		t.Error("redis-server still answers after Stop")
	}
	if err := Ping(b.Addr); err != nil {
		t.Errorf("stopping one server stopped the other: %v", err)
	}
}

func TestDurableServerKeepsItsDataOverARestart(t *testing.T) {
	s := StartDurable(t)
	send(t, s.Addr, "SET k v")
	s.Stop()
	if err := Ping(s.Addr); err == nil {
		t.Fatal("redis-server still answers after Stop")
	}
	if err := s.Restart(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := send(t, s.Addr, "GET k"); got != "$1" {
		t.Errorf("GET k after restart answered %q, want the value back", got)
	}
}

// send sends one inline command and returns the first line of the answer.
func send(t *testing.T, addr, cmd string) string {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(conn, cmd+"\r\n"); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(line)
}
