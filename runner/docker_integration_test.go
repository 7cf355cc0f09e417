//go:build integration

package runner

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
)

func TestExitCodesAndOutput(t *testing.T) {
	d, job := newTestDocker(t)
	tests := []struct {
		cmd  []string
		want grader.Exit
	}{
		{[]string{"echo"}, grader.Exit{Code: 3, Stdout: grader.Output{Text: "hello\n"}, Stderr: grader.Output{Text: "oops\n"}}},
		{[]string{"line"}, grader.Exit{Code: 0, Stdout: grader.Output{Text: "hello\n"}}},
		{[]string{"exit", "42"}, grader.Exit{Code: 42}},
		// A program failing its own way is an Exit, not an error.
		{[]string{"nope"}, grader.Exit{Code: 2, Stderr: grader.Output{Text: "unknown mode nope\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.cmd[0], func(t *testing.T) {
			exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "exit", Cmd: tt.cmd})
			if diff := cmp.Diff(tt.want, exit, cmpopts.IgnoreFields(grader.Exit{}, "Duration")); diff != "" {
				t.Errorf("exit (-want +got):\n%s", diff)
			}
			if exit.Duration <= 0 || exit.Duration > 10*time.Second {
				t.Errorf("duration %v", exit.Duration)
			}
		})
	}
}

func TestEnvironmentIsOnlyWhatIsGiven(t *testing.T) {
	t.Setenv("GRADER_SECRET_OF_THE_HOST", "s3cret")
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "env", Cmd: []string{"env"}, Env: []string{"A=1"}})
	mustContain(t, exit.Stdout.Text, "A=1\n")
	if strings.Contains(exit.Stdout.Text, "s3cret") {
		t.Errorf("the host's environment leaked in:\n%s", exit.Stdout.Text)
	}
}

func TestFilesAreRootOwnedAndReadOnly(t *testing.T) {
	d, job := newTestDocker(t)
	tests := []struct {
		name     string
		writable bool   // WritableRoot
		dir      string // FilesDir
	}{
		{name: "volume", dir: "/work"},
		// /work is the sandbox user's in the image; the files stay root's.
		{name: "writable root", writable: true, dir: "/work"},
		{name: "folder made by docker", writable: true, dir: "/srv/files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "files", Cmd: []string{"files", tt.dir}, FilesDir: tt.dir, WritableRoot: tt.writable,
				Files: []grader.File{{Name: "data/in.txt", Mode: 0o644, Data: []byte("given")}}})
			mustContain(t, exit.Stdout.Text,
				`read: "given" <nil>`,
				"overwrite: denied: open "+tt.dir+"/data/in.txt: permission denied",
				"create: denied: open "+tt.dir+"/data/new.txt: permission denied",
				"owner data: 0:0 755", "owner data/in.txt: 0:0 644")
			if tt.name != "writable root" {
				mustContain(t, exit.Stdout.Text, "create in root: denied", "owner .: 0:0 755")
			}
		})
	}
}

func TestWritableFilesAndReadFile(t *testing.T) {
	d, job := newTestDocker(t)
	tests := []struct {
		name     string
		writable bool   // WritableRoot
		dir      string // FilesDir
	}{
		{name: "volume", dir: "/work"},
		{name: "folder made by docker", writable: true, dir: "/srv/files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := startBox(t, d, grader.BoxSpec{Job: job, Role: "rw", Cmd: []string{"files", tt.dir}, FilesDir: tt.dir, WritableRoot: tt.writable,
				Files: []grader.File{
					{Name: ".", Mode: fs.ModeDir | 0o750, Writable: true},
					{Name: "data", Mode: fs.ModeDir | 0o700, Writable: true},
					{Name: "data/in.txt", Mode: 0o600, Data: []byte("given"), Writable: true},
				}})
			exit, err := b.Wait(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			mustContain(t, exit.Stdout.Text, "overwrite: ALLOWED", "create: ALLOWED", "create in root: ALLOWED",
				"owner .: 65534:65534 750", "owner data: 65534:65534 700", "owner data/in.txt: 65534:65534 600")
			ctx := context.Background()
			in := tt.dir + "/data/in.txt"
			data, err := b.ReadFile(ctx, in, 1<<10)
			if err != nil || string(data) != "changed" {
				t.Errorf("ReadFile = %q, %v; want the box's change", data, err)
			}
			if _, err := b.ReadFile(ctx, in, 3); !errors.Is(err, ErrTooLarge) {
				t.Errorf("ReadFile past maxBytes = %v, want ErrTooLarge", err)
			}
			if _, err := b.ReadFile(ctx, tt.dir+"/missing", 1<<10); !cerrdefs.IsNotFound(err) {
				t.Errorf("ReadFile of a missing file = %v, want NotFound", err)
			}
			if _, err := b.ReadFile(ctx, tt.dir+"/data", 1<<10); !errors.Is(err, ErrNotRegular) {
				t.Errorf("ReadFile of a folder = %v, want ErrNotRegular", err)
			}
		})
	}
}

func TestRootIsReadOnlyAndTmpIsBounded(t *testing.T) {
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "fill", Cmd: []string{"fill"}, TmpfsBytes: 8 << 20, MemoryBytes: 128 << 20,
		Timeout: 30 * time.Second, Files: []grader.File{{Name: "x", Data: []byte("x")}}})
	mustContain(t, exit.Stdout.Text,
		"tmp owner: 65534",
		`exec from tmp: "hello\n" <nil>`,
		"no space left on device",
		"root: denied: open /evil: read-only file system",
		"work: denied: open /work/evil: permission denied")
	if exit.Code != 0 || exit.Killed() {
		t.Errorf("exit %+v", exit)
	}
}

func TestFileSizeIsCapped(t *testing.T) {
	d, job := newTestDocker(t)
	// A writable root writes to the daemon's disk: no file passes 64 MiB.
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "bigfile", Cmd: []string{"bigfile", "/work/big"}, WritableRoot: true, Timeout: 30 * time.Second})
	mustContain(t, exit.Stdout.Text, "wrote 64 MiB then: write /work/big: file too large")
}

func TestTimeouts(t *testing.T) {
	for _, mode := range []string{"sleep", "cpu"} {
		t.Run(mode, func(t *testing.T) {
			d, job := newTestDocker(t)
			const timeout = 2 * time.Second
			exit := runBox(t, d, grader.BoxSpec{Job: job, Role: mode, Cmd: []string{mode}, Timeout: timeout})
			if !exit.TimedOut || exit.OOMKilled || exit.OutputExceeded || exit.Code != 137 {
				t.Errorf("exit %+v, want timed out with code 137", exit)
			}
			if exit.Duration < timeout || exit.Duration > timeout+5*time.Second {
				t.Errorf("ended after %v, timeout %v", exit.Duration, timeout)
			}
		})
	}
}

func TestBombsAreContained(t *testing.T) {
	tests := []struct {
		mode string
		// sign is what the box must show of the pids limit.
		sign func(grader.Exit) bool
	}{
		{"fork", func(e grader.Exit) bool {
			return strings.Contains(e.Stdout.Text, "resource temporarily unavailable") && e.TimedOut
		}},
		{"threads", func(e grader.Exit) bool {
			return strings.Contains(e.Stderr.Text, "failed to create new OS thread") || strings.Contains(e.Stderr.Text, "resource temporarily unavailable")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			d, job := newTestDocker(t)
			exit := runBox(t, d, grader.BoxSpec{Job: job, Role: tt.mode, Cmd: []string{tt.mode}, Pids: 64, Timeout: 5 * time.Second})
			if !tt.sign(exit) {
				t.Errorf("bomb not stopped by the pids limit: %+v", exit)
			}
			// The host (and the daemon) are fine: the next box just runs.
			if next := runBox(t, d, grader.BoxSpec{Job: job, Role: "after", Cmd: []string{"line"}}); next.Code != 0 {
				t.Errorf("box after the bomb: %+v", next)
			}
		})
	}
}

func TestMemoryBombIsOOMKilled(t *testing.T) {
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "mem", Cmd: []string{"mem"}, MemoryBytes: 64 << 20, Timeout: 30 * time.Second})
	if !exit.OOMKilled || exit.TimedOut || exit.Code != 137 {
		t.Errorf("exit %+v, want OOM killed with code 137", exit)
	}
}

// countingWriter counts what it is given and keeps none of it.
type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}

// heapPeak samples the heap until stop is called, returning the peaks of
// HeapInuse and HeapSys.
func heapPeak() (stop func() (inuse, sys uint64)) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	var inuse, sys uint64
	wg.Go(func() {
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			inuse, sys = max(inuse, m.HeapInuse), max(sys, m.HeapSys)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		return inuse, sys
	}
}

func TestOutputFloodIsCutOffAndKeepsTheGraderSmall(t *testing.T) {
	const limit = 1 << 20
	for _, stream := range []string{"stdout", "stderr"} {
		t.Run(stream, func(t *testing.T) {
			d, job := newTestDocker(t)
			live := &countingWriter{}
			runtime.GC()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			stop := heapPeak()
			// The box tries to print 4 GiB; only the first MiB is kept.
			b := startBox(t, d, grader.BoxSpec{Job: job, Role: "flood", Cmd: []string{"flood", stream, fmt.Sprint(4 << 30)},
				OutputBytes: limit, Stdout: live, Timeout: 60 * time.Second})
			exit, err := b.Wait(context.Background())
			inuse, sys := stop()
			if err != nil {
				t.Fatal(err)
			}
			kept := exit.Stdout
			if stream == "stderr" {
				kept = exit.Stderr
			}
			if !exit.OutputExceeded || exit.TimedOut || len(kept.Text) != limit || !kept.Truncated {
				t.Errorf("exceeded %v, timed out %v, kept %d bytes (truncated %v), want the %d of the cap", exit.OutputExceeded, exit.TimedOut, len(kept.Text), kept.Truncated, limit)
			}
			if stream == "stdout" && live.n.Load() != limit {
				t.Errorf("live writer got %d bytes, want %d", live.n.Load(), limit)
			}
			w := b.(*box).stdout
			if stream == "stderr" {
				w = b.(*box).stderr
			}
			t.Logf("drained %d MiB before the kill landed; heap in use peaked %+d MiB, heap reserved %+d MiB", w.total()>>20,
				(int64(inuse)-int64(before.HeapInuse))>>20, (int64(sys)-int64(before.HeapSys))>>20)
			if grown := int64(inuse) - int64(before.HeapInuse); grown > 32<<20 {
				t.Errorf("heap in use grew by %d MiB during the flood", grown>>20)
			}
			if grown := int64(sys) - int64(before.HeapSys); grown > 32<<20 {
				t.Errorf("heap reserved grew by %d MiB during the flood", grown>>20)
			}
		})
	}
}

// hostAddresses returns the host's own non-loopback IPv4 addresses and the
// default bridge's gateway.
func hostAddresses(t *testing.T) []string {
	t.Helper()
	var addrs []string
	seen := map[string]bool{}
	add := func(ip string) {
		if !seen[ip] {
			seen[ip] = true
			addrs = append(addrs, ip)
		}
	}
	ifAddrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ifAddrs {
		if ipn, ok := a.(*net.IPNet); ok && ipn.IP.To4() != nil && !ipn.IP.IsLoopback() {
			add(ipn.IP.String())
		}
	}
	if nw, err := testCli.NetworkInspect(context.Background(), "bridge", client.NetworkInspectOptions{}); err == nil {
		for _, c := range nw.Network.IPAM.Config {
			switch {
			case c.Gateway.IsValid():
				add(c.Gateway.String())
			case c.Subnet.IsValid():
				add(c.Subnet.Addr().Next().String())
			}
		}
	}
	return addrs
}

func TestNoNetwork(t *testing.T) {
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "net", Cmd: []string{"net"}})
	var got struct {
		Interfaces   []string `json:"interfaces"`
		Dev          []string `json:"dev"`
		DefaultRoute bool     `json:"default_route"`
		Resolves     bool     `json:"resolves"`
	}
	if err := json.Unmarshal([]byte(exit.Stdout.Text), &got); err != nil {
		t.Fatalf("%v: %s", err, exit.Stdout.Text)
	}
	want := struct {
		Interfaces   []string `json:"interfaces"`
		Dev          []string `json:"dev"`
		DefaultRoute bool     `json:"default_route"`
		Resolves     bool     `json:"resolves"`
	}{Interfaces: []string{"lo"}, Dev: []string{"lo"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("network seen from the box (-want +got):\n%s", diff)
	}
}

func TestHostIsOutOfReach(t *testing.T) {
	d, job := newTestDocker(t)
	// A listener on every host address, as an API or a Redis might be.
	ln, err := net.Listen("tcp4", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
	targets := []string{net.JoinHostPort("127.0.0.1", port)}
	for _, ip := range hostAddresses(t) {
		addr := net.JoinHostPort(ip, port)
		// The listener answers there from the host (the kernel accepts
		// into the backlog), so a failure in the box means isolation.
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			t.Fatalf("the host cannot reach its own listener at %s: %v", addr, err)
		}
		c.Close()
		targets = append(targets, addr)
	}
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "dial", Cmd: append([]string{"dialfail"}, targets...), Timeout: 30 * time.Second})
	for _, a := range targets {
		mustContain(t, exit.Stdout.Text, a+": failed")
	}
	if strings.Contains(exit.Stdout.Text, "CONNECTED") {
		t.Errorf("the box reached the host:\n%s", exit.Stdout.Text)
	}
}

func TestSharedNamespace(t *testing.T) {
	d, job := newTestDocker(t)
	// Docker takes extra hosts with NetworkMode none; boxes joining the
	// holder's namespace share its /etc/hosts.
	holder := startBox(t, d, grader.BoxSpec{Job: job, Role: "net", Cmd: []string{"sleep"}, Hosts: []string{"fixture:127.0.0.1", "upstream:127.0.0.1"}})
	startBox(t, d, grader.BoxSpec{Job: job, Role: "server", Cmd: []string{"serve"}, Network: holder.ID()})
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "client", Cmd: []string{"dial", "fixture:7070"}, Network: holder.ID(), Timeout: 30 * time.Second})
	mustContain(t, exit.Stdout.Text, "resolved fixture: [127.0.0.1] <nil>", "got pong\n")
	hosts := runBox(t, d, grader.BoxSpec{Job: job, Role: "hosts", Cmd: []string{"hosts"}, Network: holder.ID()})
	mustContain(t, hosts.Stdout.Text, "127.0.0.1\tfixture", "127.0.0.1\tupstream")
	view := runBox(t, d, grader.BoxSpec{Job: job, Role: "net2", Cmd: []string{"net"}, Network: holder.ID()})
	mustContain(t, view.Stdout.Text, `"interfaces":["lo"]`, `"default_route":false`, `"resolves":false`)
}

func TestPrivileges(t *testing.T) {
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "priv", Cmd: []string{"priv"}})
	mustContain(t, exit.Stdout.Text,
		"CapEff: 0000000000000000",
		"NoNewPrivs: 1",
		"setuid: denied: operation not permitted",
		"mount: denied: operation not permitted",
		"chroot: denied: operation not permitted",
		"docker.sock: denied: stat /var/run/docker.sock: no such file or directory",
		"uid 65534 euid 65534 gid 65534")
}

func TestCancelledWaitKillsTheBox(t *testing.T) {
	d, job := newTestDocker(t)
	b, err := d.Start(context.Background(), grader.BoxSpec{Job: job, Role: "sleep", Image: testImage, Cmd: []string{"sleep"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	if _, err := b.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("Wait returned %v after the cancel", took)
	}
	insp, err := testCli.ContainerInspect(context.Background(), b.ID(), client.ContainerInspectOptions{})
	if err != nil || insp.Container.State.Running {
		t.Errorf("after a cancelled Wait the box still runs (%v)", err)
	}
	for range 2 {
		if err := b.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	if _, err := testCli.ContainerInspect(context.Background(), b.ID(), client.ContainerInspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("inspect after Close = %v, want NotFound", err)
	}
}

func TestKill(t *testing.T) {
	d, job := newTestDocker(t)
	b := startBox(t, d, grader.BoxSpec{Job: job, Role: "sleep", Cmd: []string{"sleep"}, Timeout: time.Minute})
	if err := b.Kill(context.Background()); err != nil {
		t.Fatal(err)
	}
	exit, err := b.Wait(context.Background())
	if err != nil || exit.Code != 137 || exit.Killed() {
		t.Errorf("Wait after Kill = %+v, %v; want code 137, no verdict", exit, err)
	}
	if err := b.Kill(context.Background()); err != nil {
		t.Errorf("Kill of a stopped box: %v", err)
	}
}

func TestRuntimeOption(t *testing.T) {
	_, job := newTestDocker(t)
	runc, err := New(Config{Client: testCli, Worker: testWorker, Runtime: "runc"})
	if err != nil {
		t.Fatal(err)
	}
	defer runc.Close()
	if exit := runBox(t, runc, grader.BoxSpec{Job: job, Role: "runc", Cmd: []string{"line"}}); exit.Code != 0 {
		t.Errorf("box on runc: %+v", exit)
	}
	bad, err := New(Config{Client: testCli, Worker: testWorker, Runtime: "no-such-runtime"})
	if err != nil {
		t.Fatal(err)
	}
	defer bad.Close()
	if _, err := bad.Start(context.Background(), grader.BoxSpec{Job: job, Role: "bad", Image: testImage, Cmd: []string{"line"}}); err == nil {
		t.Errorf("Start on an unknown runtime succeeded")
	}
}

func TestReapRemovesLeftovers(t *testing.T) {
	_, job := newTestDocker(t)
	ctx := context.Background()
	worker := "crashed-" + runID
	crashed, err := New(Config{Client: testCli, Worker: worker})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := crashed.Start(ctx, grader.BoxSpec{Job: job, Role: "left", Image: testImage, Cmd: []string{"sleep"},
			Files: []grader.File{{Name: "x", Data: []byte("x")}}}); err != nil {
			t.Fatal(err)
		}
	}
	nw, err := testCli.NetworkCreate(ctx, "grader-"+job, client.NetworkCreateOptions{Driver: "bridge", Internal: true,
		Labels: map[string]string{LabelManaged: "true", LabelJob: job, LabelWorker: worker}})
	if err != nil {
		t.Fatal(err)
	}
	// A box of a live worker, just made: spared.
	live, err := New(Config{Client: testCli, Worker: "live-" + runID})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	spared := startBox(t, live, grader.BoxSpec{Job: job, Role: "live", Cmd: []string{"sleep"}})

	reaper, err := New(Config{Client: testCli, Worker: testWorker})
	if err != nil {
		t.Fatal(err)
	}
	defer reaper.Close()
	// Ages are spared for a decade, so only the worker rule applies and
	// other users of this daemon are left alone.
	n, err := reaper.Reap(ctx, ReapOptions{Worker: worker, OlderThan: 10 * 365 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Errorf("reaped %d, want 2 containers and 1 network", n)
	}
	if _, err := testCli.NetworkInspect(ctx, nw.ID, client.NetworkInspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("network still there: %v", err)
		testCli.NetworkRemove(ctx, nw.ID, client.NetworkRemoveOptions{})
	}
	if insp, err := testCli.ContainerInspect(ctx, spared.ID(), client.ContainerInspectOptions{}); err != nil || !insp.Container.State.Running {
		t.Errorf("the live worker's box was reaped: %v", err)
	}
	// The crashed sandbox's own goroutines end with its containers.
	if err := crashed.Close(); err != nil {
		t.Errorf("close the crashed sandbox: %v", err)
	}
	spared.Close()
	assertNoLeftovers(t, job)
}

func BenchmarkBoxLifecycle(b *testing.B) {
	d, job := newTestDocker(b)
	for b.Loop() {
		exit := runBox(b, d, grader.BoxSpec{Job: job, Role: "bench", Cmd: []string{"line"}})
		if exit.Stdout.Text != "hello\n" {
			b.Fatalf("exit %+v", exit)
		}
	}
}

func BenchmarkDockerRunCLI(b *testing.B) {
	if _, err := exec.LookPath("docker"); err != nil {
		b.Skip("no docker CLI")
	}
	_, job := newTestDocker(b)
	for b.Loop() {
		out, err := exec.Command("docker", "run", "--rm", "--label", LabelJob+"="+job, testImage, "line").Output()
		if err != nil || string(out) != "hello\n" {
			b.Fatalf("docker run: %q, %v", out, err)
		}
	}
}

// A box killed or removed by someone else (an operator, another worker's
// reaper) is a service fault, not an exit a verdict could be drawn from.
func TestBoxEndedFromOutsideIsLostOnDocker(t *testing.T) {
	for _, how := range []string{"kill", "remove"} {
		t.Run(how, func(t *testing.T) {
			d, job := newTestDocker(t)
			b := startBox(t, d, grader.BoxSpec{Job: job, Role: "sleep", Cmd: []string{"sleep"}})
			ctx := context.Background()
			var err error
			if how == "kill" {
				_, err = testCli.ContainerKill(ctx, b.ID(), client.ContainerKillOptions{Signal: "SIGKILL"})
			} else {
				_, err = testCli.ContainerRemove(ctx, b.ID(), client.ContainerRemoveOptions{Force: true})
			}
			if err != nil {
				t.Fatal(err)
			}
			if exit, err := b.Wait(ctx); !errors.Is(err, ErrBoxLost) {
				t.Errorf("Wait = %+v, %v; want ErrBoxLost", exit, err)
			}
			b.Close()
		})
	}
}
