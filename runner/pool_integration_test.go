//go:build integration

package runner

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
)

// poolImage is an image of the grader with a shell and no entry point,
// as learner images are; `make images` builds it.
const poolImage = "grader/base:local"

// newPoolDocker returns a sandbox with a pool of warm boxes, its worker
// label unique to the test, and a job label; at the end it closes the
// sandbox and fails the test if any container or volume of the worker,
// warm or not, is left.
func newPoolDocker(t *testing.T) (*Docker, string) {
	return newPoolDockerSized(t, 4)
}

// newPoolDockerSized is newPoolDocker with a pool of size boxes.
func newPoolDockerSized(t *testing.T, size int) (*Docker, string) {
	t.Helper()
	if _, err := testCli.ImageInspect(context.Background(), poolImage); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing (`make images` builds it): %v", poolImage, err)
		}
		t.Skipf("%s is missing; `make images` builds it", poolImage)
	}
	_, job := newTestDocker(t) // only for its job label and leftover check
	worker := "pool-" + job
	d, err := New(Config{Client: testCli, Worker: worker, Pool: PoolConfig{Size: size}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("close sandbox: %v", err)
		}
		f := make(client.Filters).Add("label", LabelWorker+"="+worker)
		list, err := testCli.ContainerList(context.Background(), client.ContainerListOptions{All: true, Filters: f})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range list.Items {
			t.Errorf("container %v (%s) of worker %s left after Close: the pool was not drained", c.Names, c.State, worker)
		}
		vols, err := testCli.VolumeList(context.Background(), client.VolumeListOptions{Filters: f})
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range vols.Items {
			t.Errorf("volume %s of worker %s left after Close", v.Name, worker)
		}
	})
	return d, job
}

// waitWarm waits until the pool holds a warm box.
func waitWarm(t *testing.T, d *Docker) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for d.PoolStats().Ready == 0 {
		if time.Now().After(deadline) {
			t.Fatalf("the pool made no warm box in a minute: %+v", d.PoolStats())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// runWarm runs spec in a warm box, failing t if it started cold.
func runWarm(t *testing.T, d *Docker, spec grader.BoxSpec) (grader.Exit, string) {
	t.Helper()
	waitWarm(t, d)
	hits := d.PoolStats().Hits
	b := startBox(t, d, spec)
	if got := d.PoolStats().Hits; got != hits+1 {
		t.Fatalf("box %v started cold (pool %+v)", spec.Cmd, d.PoolStats())
	}
	exit, err := b.Wait(context.Background())
	if err != nil {
		t.Fatalf("wait %v: %v", spec.Cmd, err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("close box: %v", err)
	}
	if _, err := testCli.ContainerInspect(context.Background(), b.ID(), client.ContainerInspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("box %s still exists after its job (inspect: %v): a box serves one job", b.ID(), err)
	}
	return exit, b.ID()
}

// poolSpec is the shape of these tests' boxes: small limits, a read-only
// root, files.
func poolSpec(job string, cmd ...string) grader.BoxSpec {
	return grader.BoxSpec{
		Job: job, Role: "pooled", Image: poolImage, Cmd: cmd,
		MemoryBytes: 64 << 20, Pids: 32, TmpfsBytes: 8 << 20, OutputBytes: 64 << 10,
		Timeout: 30 * time.Second,
		Env:     []string{"JOB_SECRET=it's \"quoted\"\nover two lines"},
		Files: []grader.File{
			{Name: "given.txt", Mode: 0o644, Data: []byte("given\n")},
			{Name: "notes.txt", Mode: 0o644, Data: []byte("mine\n"), Writable: true},
		},
	}
}

// TestWarmBoxCarriesNothingToTheNextJob runs a job that tries to leave
// files, processes and environment behind in its box, then another job of
// the same shape: the second sees a fresh box.
func TestWarmBoxCarriesNothingToTheNextJob(t *testing.T) {
	d, job := newPoolDocker(t)
	// The first request of a shape starts cold and makes the shape wanted.
	runBox(t, d, poolSpec(job, "true"))
	if s := d.PoolStats(); s.Misses != 1 || s.Hits != 0 {
		t.Fatalf("after the first box: %+v, want one miss", s)
	}

	leave := `echo left > /tmp/left; echo left > /tmp/.hidden; mkdir /tmp/dir;
echo left >> /work/notes.txt; echo left > /work/left 2>/dev/null;
export LEFT_BEHIND=1; nohup sleep 300 >/dev/null 2>&1 &
echo started`
	exit, first := runWarm(t, d, poolSpec(job, "sh", "-c", leave))
	if exit.Code != 0 || exit.Stdout.Text != "started\n" {
		t.Fatalf("the leaving job: %+v", exit)
	}

	look := `ls -A /tmp; echo --; ls -A /work; echo --; cat /work/notes.txt; echo --;
for p in /proc/[0-9]*; do tr '\0' ' ' < $p/cmdline; echo; done; echo --; env | sort; printf '%s' "$JOB_SECRET"`
	exit, second := runWarm(t, d, poolSpec(job, "sh", "-c", look))
	if first == second {
		t.Fatalf("both jobs ran in box %s", first)
	}
	parts := strings.Split(exit.Stdout.Text, "--\n")
	if len(parts) != 5 {
		t.Fatalf("unexpected output (%+v):\n%s", exit, exit.Stdout.Text)
	}
	if parts[0] != "" {
		t.Errorf("/tmp of the next job holds %q", parts[0])
	}
	if parts[1] != "given.txt\nnotes.txt\n" {
		t.Errorf("/work of the next job holds %q, want only its own files", parts[1])
	}
	if parts[2] != "mine\n" {
		t.Errorf("the next job's notes.txt reads %q", parts[2])
	}
	if strings.Contains(parts[3], "sleep") {
		t.Errorf("a process of the earlier job runs in the next one:\n%s", parts[3])
	}
	if strings.Contains(parts[4], "LEFT_BEHIND") {
		t.Errorf("the earlier job's environment reached the next one:\n%s", parts[4])
	}
	if !strings.HasSuffix(parts[4], "\nit's \"quoted\"\nover two lines") {
		t.Errorf("the job's own environment is missing or mangled:\n%s", parts[4])
	}

	// A warm box's environment is what a cold box of the same spec gets.
	cold, err := New(Config{Client: testCli, Worker: d.Worker() + "-cold"})
	if err != nil {
		t.Fatal(err)
	}
	defer cold.Close()
	// env itself is the box's process, so the warm box's shell is seen
	// if it left anything in the environment.
	coldExit := runBox(t, cold, poolSpec(job, "env"))
	warmExit, _ := runWarm(t, d, poolSpec(job, "env"))
	if a, b := withoutHostname(coldExit.Stdout.Text), withoutHostname(warmExit.Stdout.Text); a != b {
		t.Errorf("environment of a cold box:\n%s\nof a warm box:\n%s", a, b)
	}
}

// withoutHostname drops the HOSTNAME line, the container's own id, and
// sorts the rest.
func withoutHostname(env string) string {
	lines := strings.Split(env, "\n")
	lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, "HOSTNAME=") })
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// TestWarmBoxKeepsEveryLimit runs hostile and probing jobs in warm boxes:
// each limit of the job's spec holds as in a cold box.
func TestWarmBoxKeepsEveryLimit(t *testing.T) {
	d, job := newPoolDocker(t)
	runBox(t, d, poolSpec(job, "true"))

	tests := []struct {
		name  string
		cmd   string
		tweak func(*grader.BoxSpec)
		check func(t *testing.T, e grader.Exit)
	}{
		{"memory", `x=aaaaaaaaaaaaaaaa; while :; do x=$x$x; done`, nil, func(t *testing.T, e grader.Exit) {
			if !e.OOMKilled {
				t.Errorf("a memory bomb was not OOM-killed: %+v", e)
			}
		}},
		{"pids", `sh -c 'i=0; while [ $i -lt 100 ]; do sleep 20 & i=$((i+1)); done' 2>/dev/null; set -- /proc/[0-9]*; echo $#`, nil, func(t *testing.T, e grader.Exit) {
			var n int
			if _, err := fmt.Sscan(e.Stdout.Text, &n); err != nil || n > 32 || n < 16 {
				t.Errorf("processes running: %q, want up to the pids limit 32", e.Stdout.Text)
			}
		}},
		{"cgroup and ulimits", `cd /sys/fs/cgroup; if [ -f pids.max ]; then cat pids.max memory.max cpu.max; else cat pids/pids.max memory/memory.limit_in_bytes; echo $(cat cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us); fi; ulimit -n; ulimit -c; ulimit -f`, nil, func(t *testing.T, e grader.Exit) {
			// cgroup v2 or v1. fsize is in 512-byte blocks: the larger of /tmp
			// and 64 MiB.
			want := "32\n67108864\n100000 100000\n1024\n0\n131072\n"
			if e.Stdout.Text != want {
				t.Errorf("limits\n%s\nwant\n%s", e.Stdout.Text, want)
			}
		}},
		{"timeout", `sleep 60`, func(s *grader.BoxSpec) { s.Timeout = time.Second }, func(t *testing.T, e grader.Exit) {
			if !e.TimedOut {
				t.Errorf("not timed out: %+v", e)
			}
		}},
		{"output", `yes`, nil, func(t *testing.T, e grader.Exit) {
			if !e.OutputExceeded || int64(len(e.Stdout.Text)) > 64<<10 {
				t.Errorf("output flood: exceeded %v, %d bytes kept", e.OutputExceeded, len(e.Stdout.Text))
			}
		}},
		{"tmpfs", `head -c 16777216 /dev/zero > /tmp/fill; echo $?`, nil, func(t *testing.T, e grader.Exit) {
			if strings.TrimSpace(e.Stdout.Text) == "0" || !strings.Contains(e.Stderr.Text, "No space left") {
				t.Errorf("16 MiB fitted in an 8 MiB /tmp: %+v", e)
			}
		}},
		{"readonly", `touch /etc/x /work/given.txt`, nil, func(t *testing.T, e grader.Exit) {
			if e.Code == 0 || !strings.Contains(e.Stderr.Text, "Read-only file system") || !strings.Contains(e.Stderr.Text, "Permission denied") {
				t.Errorf("wrote to the root or a read-only file: %+v", e)
			}
		}},
		{"network", `ls /sys/class/net`, nil, func(t *testing.T, e grader.Exit) {
			if e.Stdout.Text != "lo\n" {
				t.Errorf("interfaces %q, want only lo", e.Stdout.Text)
			}
		}},
		{"identity", `id -u; id -g; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status; tr '\0' ' ' < /proc/1/cmdline; echo; cat; echo eof`, nil, func(t *testing.T, e grader.Exit) {
			want := "65534\n65534\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\nsh -c id -u; id -g; grep CapEff /proc/self/status; grep NoNewPrivs /proc/self/status; tr '\\0' ' ' < /proc/1/cmdline; echo; cat; echo eof \neof\n"
			if e.Stdout.Text != want {
				t.Errorf("got\n%s\nwant\n%s", e.Stdout.Text, want)
			}
		}},
		{"exit code", `exit 7`, nil, func(t *testing.T, e grader.Exit) {
			if e.Code != 7 {
				t.Errorf("exit code %d, want 7", e.Code)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := poolSpec(job, "sh", "-c", tt.cmd)
			if tt.tweak != nil {
				tt.tweak(&spec)
			}
			exit, _ := runWarm(t, d, spec)
			tt.check(t, exit)
		})
	}
}

// TestPoolServesOnlyWhatItCan: boxes of an image with an entry point, and
// boxes joining another's network, start cold and leave the pool empty.
func TestPoolServesOnlyWhatItCan(t *testing.T) {
	d, job := newPoolDocker(t)
	for range 3 {
		runBox(t, d, grader.BoxSpec{Job: job, Role: "entrypoint", Image: testImage, Cmd: []string{"line"}})
	}
	time.Sleep(time.Second)
	if s := d.PoolStats(); s != (PoolStats{}) {
		t.Errorf("pool after boxes of an image with an entry point: %+v, want nothing", s)
	}
	owner := startBox(t, d, poolSpec(job, "sleep", "30"))
	waitWarm(t, d)
	ready := d.PoolStats().Ready
	joined := runBox(t, d, grader.BoxSpec{Job: job, Role: "joined", Image: poolImage, Network: owner.ID(), Cmd: []string{"true"}})
	if joined.Code != 0 {
		t.Errorf("joining box: %+v", joined)
	}
	if s := d.PoolStats(); s.Hits != 0 || s.Ready < ready {
		t.Errorf("a joining box came from the pool: %+v", s)
	}
}

// TestReapSparesWarmBoxes: the owner's reap and another process's reap by
// age leave a live pool alone; Close removes it.
func TestReapSparesWarmBoxes(t *testing.T) {
	d, job := newPoolDocker(t)
	runBox(t, d, poolSpec(job, "true"))
	// The pool keeps two boxes of a shape: wait for both, so the count
	// below is not taken while one is being made.
	deadline := time.Now().Add(time.Minute)
	for d.PoolStats().Ready < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("the pool made fewer than two warm boxes in a minute: %+v", d.PoolStats())
		}
		time.Sleep(20 * time.Millisecond)
	}
	ctx := context.Background()
	if _, err := d.Reap(ctx, ReapOptions{Worker: d.Worker(), OlderThan: time.Hour}); err != nil {
		t.Fatal(err)
	}
	other, err := New(Config{Client: testCli, Worker: d.Worker() + "-other"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := other.Reap(ctx, ReapOptions{Worker: other.Worker(), OlderThan: time.Hour}); err != nil {
		t.Fatal(err)
	}
	f := make(client.Filters).Add("label", LabelWorker+"="+d.Worker()).Add("label", LabelPool+"=true")
	list, err := testCli.ContainerList(ctx, client.ContainerListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 2 || d.PoolStats().Ready != 2 {
		t.Errorf("%d warm containers running, pool holds %d", len(list.Items), d.PoolStats().Ready)
	}
	// A job still runs in a warm box after the reaps.
	runWarm(t, d, poolSpec(job, "true"))
}

// TestPrestartBoxesComeRunning: a Prestart box (a network holder) comes
// from the pool already running its own command, even in an image with
// an entry point and no shell; boxes join its namespace and see its
// hosts; its timeout counts from the hand-over; a warm box that stopped
// is not handed over.
func TestPrestartBoxesComeRunning(t *testing.T) {
	d, job := newPoolDocker(t)
	holder := grader.BoxSpec{Job: job, Role: "net", Image: testImage, Cmd: []string{"sleep"}, Prestart: true, Hosts: []string{"fixture:127.0.0.1"}}
	first := startBox(t, d, holder)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	waitWarm(t, d)
	hits := d.PoolStats().Hits
	h := startBox(t, d, holder)
	if d.PoolStats().Hits != hits+1 {
		t.Fatalf("the holder started cold: %+v", d.PoolStats())
	}
	joined := runBox(t, d, grader.BoxSpec{Job: job, Role: "joined", Image: testImage, Network: h.ID(), Cmd: []string{"hosts"}})
	mustContain(t, joined.Stdout.Text, "127.0.0.1\tfixture")
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}

	timed := holder
	timed.Timeout = time.Second
	waitWarm(t, d)
	exit, _ := runWarm(t, d, timed)
	if !exit.TimedOut || exit.Duration < 900*time.Millisecond || exit.Duration > 10*time.Second {
		t.Errorf("a warm holder with a 1s timeout: %+v", exit)
	}

	// Every warm box stopped from outside: the next box starts cold.
	waitWarm(t, d)
	ctx := context.Background()
	f := make(client.Filters).Add("label", LabelWorker+"="+d.Worker()).Add("label", LabelPool+"=true")
	list, err := testCli.ContainerList(ctx, client.ContainerListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list.Items {
		if _, err := testCli.ContainerKill(ctx, c.ID, client.ContainerKillOptions{Signal: "SIGKILL"}); err != nil {
			t.Fatal(err)
		}
	}
	timed.Timeout = 2 * time.Second
	b := startBox(t, d, timed)
	done := make(chan grader.Exit, 1)
	go func() {
		e, _ := b.Wait(context.Background())
		done <- e
	}()
	select {
	case e := <-done:
		if !e.TimedOut {
			t.Errorf("the box after stopped warm boxes: %+v, want it running until its timeout", e)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the box handed over after its warm box stopped never ended")
	}
}

// TestPoolMakesRoomForANewShape: a full pool removes a box of a shape
// wanted less recently to keep the newest shape warm.
func TestPoolMakesRoomForANewShape(t *testing.T) {
	d, job := newPoolDockerSized(t, 2)
	sized := func(memory int64) grader.BoxSpec {
		s := poolSpec(job, "true")
		s.MemoryBytes = memory
		return s
	}
	waitReady := func(n int) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for d.PoolStats().Ready != n {
			if time.Now().After(deadline) {
				t.Fatalf("the pool holds %+v, want %d ready", d.PoolStats(), n)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	runBox(t, d, sized(64<<20))
	runBox(t, d, sized(96<<20))
	waitReady(2) // one of each
	runBox(t, d, sized(128<<20))
	time.Sleep(500 * time.Millisecond)
	waitReady(2)
	runWarm(t, d, sized(128<<20))
}
