//go:build integration

package main

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

func TestStartRedis(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := startRedis(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := startRedis(ctx)
	if err != nil {
		a.stop(5 * time.Second)
		t.Fatal(err)
	}
	if a.addr == b.addr {
		t.Errorf("two measures share %s", a.addr)
	}
	if err := pingRedis(a.addr); err != nil {
		t.Errorf("ping: %v", err)
	}
	if u := a.url(); u != "redis://"+a.addr {
		t.Errorf("url = %q", u)
	}
	a.stop(5 * time.Second)
	b.stop(5 * time.Second)
	if err := pingRedis(a.addr); err == nil {
		t.Error("redis-server still answers after stop")
	}
}
