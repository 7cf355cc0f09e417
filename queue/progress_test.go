package queue

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/gradebox/grader/internal/syncbuf"
)

func TestEventGate(t *testing.T) {
	var logs syncbuf.Buffer
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	g := &eventGate{log: slog.New(slog.NewTextHandler(&logs, nil)), now: func() time.Time { return now }, retry: time.Second}
	if !g.open() {
		t.Fatal("a gate with no failure is closed")
	}
	g.done(errors.New("connection refused"))
	for range 10 {
		if g.open() {
			t.Fatal("open within the retry interval after a failure")
		}
		g.drop()
	}
	now = now.Add(time.Second)
	if !g.open() {
		t.Fatal("closed after the retry interval")
	}
	if g.open() {
		t.Fatal("two writers let through in one retry interval")
	}
	g.drop()
	g.done(nil)
	if !g.open() || g.isDown() {
		t.Fatal("closed after a write succeeded")
	}
	l := logs.String()
	if strings.Count(l, "cannot be written") != 1 || !strings.Contains(l, `msg="Redis answers again: progress events are written again" dropped=12`) {
		t.Errorf("logs:\n%s", l)
	}
}
