//go:build integration

package redistest

import "testing"

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
