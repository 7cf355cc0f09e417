package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"go.uber.org/goleak"

	"github.com/gradebox/grader/grader"
)

// Processes for the fake engine.
var (
	// printAndExit prints to both streams and exits 3.
	printAndExit = func(p fakeProc) (int, bool) {
		p.write(streamStdout, []byte("hello\n"))
		p.write(streamStderr, []byte("oops\n"))
		return 3, false
	}
	// hang runs until killed.
	hang = func(p fakeProc) (int, bool) {
		<-p.killed()
		return 137, false
	}
	// flood prints until its stream breaks (it is killed).
	flood = func(p fakeProc) (int, bool) {
		chunk := bytes.Repeat([]byte("x"), 4096)
		for p.write(streamStdout, chunk) == nil {
		}
		<-p.killed()
		return 137, false
	}
	// oom is killed by the kernel for memory.
	oom = func(fakeProc) (int, bool) { return 137, true }
)

// noLeaks fails t if a goroutine it started outlives it.
func noLeaks(t *testing.T) {
	t.Helper()
	before := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, before) })
}

// startFake starts a box on a fake engine running proc.
func startFake(t *testing.T, api *fakeAPI, spec grader.BoxSpec) (*Docker, grader.Box) {
	t.Helper()
	d := newDocker(api, false, Config{Worker: "w"})
	if spec.Image == "" {
		spec.Image = "img"
	}
	b, err := d.Start(context.Background(), spec)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return d, b
}

// closeAndCheck closes b and checks the container went with its volume.
func closeAndCheck(t *testing.T, api *fakeAPI, b grader.Box) {
	t.Helper()
	if err := b.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	c := api.container(b.ID())
	api.mu.Lock()
	defer api.mu.Unlock()
	if c.state != "removed" || !c.removeOpts.Force || !c.removeOpts.RemoveVolumes {
		t.Errorf("container %s: state %s, removed with %+v", c.id, c.state, c.removeOpts)
	}
}

func TestBoxLifecycle(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(printAndExit)
	var live bytes.Buffer
	_, b := startFake(t, api, grader.BoxSpec{Job: "j", Role: "r", Stdout: &live,
		Files: []grader.File{{Name: "in.txt", Data: []byte("given")}}})
	exit, err := b.Wait(context.Background())
	if err != nil {
		t.Fatalf("Wait: %v", err)
	}
	want := grader.Exit{Code: 3, Stdout: grader.Output{Text: "hello\n"}, Stderr: grader.Output{Text: "oops\n"}}
	if diff := cmp.Diff(want, exit, cmpopts.IgnoreFields(grader.Exit{}, "Duration")); diff != "" {
		t.Errorf("exit (-want +got):\n%s", diff)
	}
	if exit.Duration <= 0 || live.String() != "hello\n" {
		t.Errorf("duration %v, live stdout %q", exit.Duration, live.String())
	}
	// Its costs: acquiring it includes copying its one file in; nothing
	// was read out.
	if c := b.(grader.Coster).Costs(); c.CopyIn <= 0 || c.Acquire < c.CopyIn || c.CopyOut != 0 {
		t.Errorf("costs %+v: want acquire >= copy-in > 0, no copy-out", c)
	}
	closeAndCheck(t, api, b)
	// The exit is subscribed to before start, output attached before it.
	wantCalls := []string{"create", "copy", "attach", "wait", "start", "inspect", "kill SIGKILL", "remove"}
	if diff := cmp.Diff(wantCalls, api.callLog()); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	c := api.container(b.ID())
	if c.startedUnwatched {
		t.Errorf("started before the exit was subscribed to")
	}
	if got := tarListing(t, c.copied); len(got) != 1 || !strings.HasPrefix(got[0], "in.txt 0 0:0 644 5") {
		t.Errorf("copied %v", got)
	}
}

func TestBoxLimits(t *testing.T) {
	tests := []struct {
		name string
		proc func(fakeProc) (int, bool)
		spec grader.BoxSpec
		want grader.Exit
	}{
		{name: "timeout", proc: hang, spec: grader.BoxSpec{Timeout: 50 * time.Millisecond},
			want: grader.Exit{Code: 137, TimedOut: true}},
		{name: "output cap", proc: flood, spec: grader.BoxSpec{OutputBytes: 10_000, Timeout: time.Minute},
			want: grader.Exit{Code: 137, OutputExceeded: true, Stdout: grader.Output{Text: strings.Repeat("x", 10_000), Truncated: true}}},
		{name: "out of memory", proc: oom, want: grader.Exit{Code: 137, OOMKilled: true}},
		{name: "no timeout", proc: printAndExit, spec: grader.BoxSpec{Timeout: time.Minute},
			want: grader.Exit{Code: 3, Stdout: grader.Output{Text: "hello\n"}, Stderr: grader.Output{Text: "oops\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			api := newFakeAPI(tt.proc)
			_, b := startFake(t, api, tt.spec)
			exit, err := b.Wait(context.Background())
			if err != nil {
				t.Fatalf("Wait: %v", err)
			}
			if diff := cmp.Diff(tt.want, exit, cmpopts.IgnoreFields(grader.Exit{}, "Duration")); diff != "" {
				t.Errorf("exit (-want +got):\n%s", diff)
			}
			closeAndCheck(t, api, b)
		})
	}
}

func TestLiveStdoutStopsAtTheCap(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(flood)
	var live bytes.Buffer
	_, b := startFake(t, api, grader.BoxSpec{OutputBytes: 5000, Stdout: &live})
	exit, err := b.Wait(context.Background())
	if err != nil || !exit.OutputExceeded {
		t.Fatalf("Wait = %+v, %v", exit, err)
	}
	if live.Len() != 5000 {
		t.Errorf("live writer got %d bytes, want the 5000 of the cap", live.Len())
	}
	closeAndCheck(t, api, b)
}

func TestWaitCancelled(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(hang)
	_, b := startFake(t, api, grader.BoxSpec{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := b.Wait(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Wait = %v, want context.DeadlineExceeded", err)
	}
	// The box was killed; a later Wait reports that, without verdicts.
	exit, err := b.Wait(context.Background())
	if err != nil || exit.Code != 137 || exit.Killed() {
		t.Errorf("second Wait = %+v, %v; want code 137 and no verdict", exit, err)
	}
	closeAndCheck(t, api, b)
}

func TestConcurrentWaitersGetTheSameExit(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(printAndExit)
	_, b := startFake(t, api, grader.BoxSpec{})
	exits := make([]grader.Exit, 8)
	var wg sync.WaitGroup
	for i := range exits {
		wg.Go(func() {
			e, err := b.Wait(context.Background())
			if err != nil {
				t.Errorf("Wait: %v", err)
			}
			exits[i] = e
		})
	}
	wg.Wait()
	for _, e := range exits[1:] {
		if diff := cmp.Diff(exits[0], e); diff != "" {
			t.Errorf("waiters differ (-first +other):\n%s", diff)
		}
	}
	closeAndCheck(t, api, b)
}

func TestCloseIsIdempotentAndStopsARunningBox(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(hang)
	_, b := startFake(t, api, grader.BoxSpec{})
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() {
			if err := b.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
	}
	wg.Wait()
	if err := b.Close(); err != nil {
		t.Errorf("Close again: %v", err)
	}
	calls := strings.Join(api.callLog(), " ")
	if strings.Count(calls, "remove") != 1 {
		t.Errorf("calls %q: want one remove", calls)
	}
	closeAndCheck(t, api, b)
	api.procs.Wait()
}

func TestCloseToleratesAVanishedContainer(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(printAndExit)
	_, b := startFake(t, api, grader.BoxSpec{})
	b.Wait(context.Background())
	// Someone (a reaper) removed it first.
	api.ContainerRemove(context.Background(), b.ID(), client.ContainerRemoveOptions{Force: true})
	if err := b.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := b.Kill(context.Background()); err != nil {
		t.Errorf("Kill of a removed box: %v", err)
	}
}

func TestKillToleratesAStoppedBox(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(printAndExit)
	_, b := startFake(t, api, grader.BoxSpec{})
	b.Wait(context.Background())
	if err := b.Kill(context.Background()); err != nil {
		t.Errorf("Kill of an exited box: %v", err)
	}
	api.killErr = errors.New("daemon on fire")
	if err := b.Kill(context.Background()); err == nil {
		t.Errorf("Kill hid a daemon error")
	}
	closeAndCheck(t, api, b)
}

func TestStartFailuresLeaveNothing(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(*fakeAPI)
		files   []grader.File
		errText string
		calls   []string
	}{
		{name: "bad file name", files: []grader.File{{Name: "../etc/passwd"}}, errText: "leaves the files folder", calls: nil},
		{name: "create fails", setup: func(f *fakeAPI) { f.createErr = errors.New("no such image") }, errText: "create container", calls: []string{"create"}},
		{name: "copy fails", setup: func(f *fakeAPI) { f.copyErr = errors.New("disk full") }, files: []grader.File{{Name: "f"}},
			errText: "copy files", calls: []string{"create", "copy", "remove"}},
		{name: "attach fails", setup: func(f *fakeAPI) { f.attachErr = errors.New("hijack") }, errText: "attach",
			calls: []string{"create", "attach", "remove"}},
		{name: "start fails", setup: func(f *fakeAPI) { f.startErr = errors.New("runtime exploded") }, errText: "start container",
			calls: []string{"create", "attach", "wait", "start", "remove"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			api := newFakeAPI(printAndExit)
			if tt.setup != nil {
				tt.setup(api)
			}
			d := newDocker(api, false, Config{})
			b, err := d.Start(context.Background(), grader.BoxSpec{Image: "img", Files: tt.files})
			if err == nil || !strings.Contains(err.Error(), tt.errText) || b != nil {
				t.Errorf("Start = %v, %v; want an error containing %q", b, err, tt.errText)
			}
			if diff := cmp.Diff(tt.calls, api.callLog()); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
		})
	}
}

// TestCancelledStartRemovesTheCreatedBox: a job cancelled while its box
// is being created does not cancel the create (the daemon could finish it
// after a dropped request, out of sight); the box made is removed by id.
func TestCancelledStartRemovesTheCreatedBox(t *testing.T) {
	api := newFakeAPI(printAndExit)
	d := newDocker(api, false, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := d.Start(ctx, grader.BoxSpec{Image: "img", Job: "j", Role: "r"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Start = %v, want context.Canceled", err)
	}
	if api.createCtxErr != nil {
		t.Errorf("the create request was sent with a done context (%v): a box the daemon makes anyway is missed", api.createCtxErr)
	}
	if len(api.removed) != 1 || api.removed[0] != "c1" {
		t.Errorf("removed %v, want the created box c1", api.removed)
	}
}

func TestWaitReportsADaemonError(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(printAndExit)
	api.waitErr = errors.New("connection reset")
	_, b := startFake(t, api, grader.BoxSpec{})
	if _, err := b.Wait(context.Background()); err == nil || !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("Wait = %v, want the daemon's error", err)
	}
	closeAndCheck(t, api, b)
}

func TestSandboxCloseRemovesOpenBoxes(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(hang)
	d, b1 := startFake(t, api, grader.BoxSpec{})
	b2, err := d.Start(context.Background(), grader.BoxSpec{Image: "img"})
	if err != nil {
		t.Fatal(err)
	}
	if err := b2.Close(); err != nil {
		t.Fatal(err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	closeAndCheck(t, api, b1)
	if _, err := d.Start(context.Background(), grader.BoxSpec{Image: "img"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Start after Close = %v, want ErrClosed", err)
	}
	if api.closed != 0 {
		t.Errorf("closed a client it was given")
	}
	own := newDocker(api, true, Config{})
	own.Close()
	if api.closed != 1 {
		t.Errorf("did not close its own client")
	}
}

func TestReadFile(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(printAndExit)
	_, b := startFake(t, api, grader.BoxSpec{})
	b.Wait(context.Background())
	c := api.container(b.ID())
	c.files["/work/out.json"] = []byte(`{"ok":true}`)
	c.files["/work"] = nil
	tests := []struct {
		path    string
		max     int64
		want    string
		isErr   func(error) bool
		errName string
	}{
		{path: "/work/out.json", max: 100, want: `{"ok":true}`},
		{path: "/work/out.json", max: 5, isErr: func(err error) bool { return errors.Is(err, ErrTooLarge) }, errName: "ErrTooLarge"},
		{path: "/work", max: 100, isErr: func(err error) bool { return errors.Is(err, ErrNotRegular) }, errName: "ErrNotRegular"},
		{path: "/missing", max: 100, isErr: cerrdefs.IsNotFound, errName: "NotFound"},
	}
	for _, tt := range tests {
		got, err := b.ReadFile(context.Background(), tt.path, tt.max)
		if tt.isErr == nil {
			if err != nil || string(got) != tt.want {
				t.Errorf("ReadFile(%s) = %q, %v; want %q", tt.path, got, err, tt.want)
			}
		} else if !tt.isErr(err) {
			t.Errorf("ReadFile(%s, %d) error = %v, want %s", tt.path, tt.max, err, tt.errName)
		}
	}
	if c := b.(grader.Coster).Costs(); c.CopyOut <= 0 || c.CopyIn != 0 {
		t.Errorf("costs after reads of a box without files: %+v, want copy-out > 0 and no copy-in", c)
	}
	closeAndCheck(t, api, b)
}

func TestPing(t *testing.T) {
	api := newFakeAPI(nil)
	d := newDocker(api, false, Config{})
	if err := d.Ping(context.Background()); err != nil {
		t.Errorf("Ping: %v", err)
	}
	api.pingErr = errors.New("no daemon")
	if err := d.Ping(context.Background()); err == nil {
		t.Errorf("Ping hid an unreachable daemon")
	}
}

func TestNewDefaults(t *testing.T) {
	d := newDocker(newFakeAPI(nil), false, Config{})
	if d.Worker() == "" || !strings.Contains(d.Worker(), "-") || d.log == nil {
		t.Errorf("worker %q, logger %v", d.Worker(), d.log)
	}
}

// Something other than the box's process or this sandbox ended the box:
// a service fault (an error wrapping ErrBoxLost), never an Exit a caller
// could take for a verdict.
func TestBoxEndedFromOutsideIsLost(t *testing.T) {
	tests := []struct {
		name    string
		outside func(api *fakeAPI, id string)
	}{
		{"killed", func(api *fakeAPI, id string) {
			api.ContainerKill(context.Background(), id, client.ContainerKillOptions{Signal: "SIGKILL"})
		}},
		{"removed", func(api *fakeAPI, id string) {
			api.ContainerRemove(context.Background(), id, client.ContainerRemoveOptions{Force: true})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			noLeaks(t)
			api := newFakeAPI(hang)
			_, b := startFake(t, api, grader.BoxSpec{Timeout: time.Minute})
			tt.outside(api, b.ID())
			exit, err := b.Wait(context.Background())
			if !errors.Is(err, ErrBoxLost) {
				t.Errorf("Wait = %+v, %v; want ErrBoxLost", exit, err)
			}
			b.Close()
			api.procs.Wait()
		})
	}
}

// The sandbox's own kill (the engine stopping a service) is no loss.
func TestBoxKilledByTheSandboxIsNotLost(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(hang)
	_, b := startFake(t, api, grader.BoxSpec{})
	if err := b.Kill(context.Background()); err != nil {
		t.Fatal(err)
	}
	exit, err := b.Wait(context.Background())
	if err != nil || exit.Code != 137 {
		t.Errorf("Wait = %+v, %v; want exit 137 and no error", exit, err)
	}
	closeAndCheck(t, api, b)
}

func TestReapRemovesNothingWithoutTheLease(t *testing.T) {
	api := newFakeAPI(hang)
	api.listed = []container.Summary{{ID: "c1", Labels: map[string]string{LabelManaged: "true", LabelWorker: "w1"}}}
	d := newDocker(api, false, Config{Worker: "w1"})
	lost := errors.New("lease lost")
	n, err := d.Reap(context.Background(), ReapOptions{Worker: "w1", Held: func(context.Context) error { return lost }})
	if !errors.Is(err, lost) || n != 0 || len(api.removed) != 0 {
		t.Errorf("Reap = %d, %v, removed %v; want nothing removed and the lease's error", n, err, api.removed)
	}
	n, err = d.Reap(context.Background(), ReapOptions{Worker: "w1", Held: func(context.Context) error { return nil }})
	if err != nil || n != 1 {
		t.Errorf("Reap while held = %d, %v; want 1 removed", n, err)
	}
}

// A daemon under load may refuse a removal for a moment; the box is
// removed once it accepts, not left behind.
func TestCloseTriesARefusedRemovalAgain(t *testing.T) {
	noLeaks(t)
	api := newFakeAPI(printAndExit)
	_, b := startFake(t, api, grader.BoxSpec{})
	if _, err := b.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	api.mu.Lock()
	api.removeErrs = []error{
		fmt.Errorf("cannot remove container: could not kill: %w", cerrdefs.ErrUnavailable),
		fmt.Errorf("removal of container c1 is already in progress: %w", cerrdefs.ErrConflict),
	}
	api.mu.Unlock()
	closeAndCheck(t, api, b)
	if n := strings.Count(strings.Join(api.callLog(), " "), "remove"); n != 3 {
		t.Errorf("%d removals, want 3 (two refused, then done)", n)
	}
}

func TestStopIsGraceful(t *testing.T) {
	for _, tc := range []struct {
		name       string
		ignoreTERM bool
		wantCode   int
		wantKills  []string
	}{
		{"ends on SIGTERM", false, 143, []string{"kill SIGTERM"}},
		{"killed after the grace", true, 137, []string{"kill SIGTERM", "kill SIGKILL"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			noLeaks(t)
			api := newFakeAPI(hang)
			api.ignoreTERM = tc.ignoreTERM
			_, b := startFake(t, api, grader.BoxSpec{})
			if err := b.(grader.Stopper).Stop(context.Background(), 50*time.Millisecond); err != nil {
				t.Fatal(err)
			}
			exit, err := b.Wait(context.Background())
			if err != nil || exit.Code != tc.wantCode {
				t.Errorf("Wait = %+v, %v; want exit %d and no error (a stop is not a lost box)", exit, err, tc.wantCode)
			}
			var kills []string
			for _, c := range api.callLog() {
				if strings.HasPrefix(c, "kill") {
					kills = append(kills, c)
				}
			}
			if diff := cmp.Diff(tc.wantKills, kills); diff != "" {
				t.Errorf("signals (-want +got):\n%s", diff)
			}
			closeAndCheck(t, api, b)
		})
	}
}
