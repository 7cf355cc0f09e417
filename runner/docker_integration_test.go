//go:build integration

package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
	"go.uber.org/goleak"

	"github.com/gradebox/grader/grader"
)

const testImage = "grader/runnertest:local"

var testCli *client.Client

// TestMain builds a tiny image holding testdata/boxhelper, a program that
// misbehaves in the ways learner code might.
func TestMain(m *testing.M) {
	cli, err := client.New(client.FromEnv)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = cli.Ping(ctx, client.PingOptions{})
		cancel()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "FAIL: the Docker Engine is required in CI:", err)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "SKIP: no Docker Engine reachable:", err)
		os.Exit(0)
	}
	testCli = cli
	if err := buildTestImage(context.Background(), cli); err != nil {
		fmt.Fprintln(os.Stderr, "build test image:", err)
		os.Exit(1)
	}
	code := m.Run()
	cli.Close()
	if code == 0 {
		if err := goleak.Find(goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"), goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"), goleak.IgnoreTopFunction("internal/poll.runtime_pollWait")); err != nil {
			fmt.Fprintln(os.Stderr, "goroutine leak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

func buildTestImage(ctx context.Context, cli *client.Client) error {
	dir, err := os.MkdirTemp("", "boxhelper")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "boxhelper")
	cmd := exec.Command("go", "build", "-o", bin, "./testdata/boxhelper")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v: %s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	// /work is owned by the sandbox user in the image, as in the go image:
	// a box's own /work must still not be writable to it.
	dockerfile := "FROM scratch\nCOPY boxhelper /boxhelper\nCOPY --chown=65534:65534 work /work\nENTRYPOINT [\"/boxhelper\"]\n"
	tw.WriteHeader(&tar.Header{Name: "Dockerfile", Mode: 0o644, Size: int64(len(dockerfile))})
	tw.Write([]byte(dockerfile))
	tw.WriteHeader(&tar.Header{Name: "work/", Typeflag: tar.TypeDir, Mode: 0o755})
	tw.WriteHeader(&tar.Header{Name: "boxhelper", Mode: 0o755, Size: int64(len(data))})
	tw.Write(data)
	tw.Close()
	res, err := cli.ImageBuild(ctx, &buf, client.ImageBuildOptions{Tags: []string{testImage}, Version: build.BuilderV1, Remove: true, ForceRemove: true, NetworkMode: "none"})
	if err != nil {
		return err
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	if bytes.Contains(out, []byte(`"error"`)) {
		return fmt.Errorf("build: %s", out)
	}
	return nil
}

// newDocker returns a sandbox whose boxes carry a job label unique to
// the test, and checks at the end that none is left.
func newTestDocker(t *testing.T) (*Docker, string) {
	t.Helper()
	d, err := New(Config{Client: testCli, Worker: "runner-test"})
	if err != nil {
		t.Fatal(err)
	}
	job := strings.ToLower(nameUnsafe.ReplaceAllString(t.Name(), "-"))
	t.Cleanup(func() {
		assertNoLeftovers(t, job)
	})
	return d, job
}

func assertNoLeftovers(t *testing.T, job string) {
	t.Helper()
	ctx := context.Background()
	f := make(client.Filters).Add("label", LabelJob+"="+job)
	list, err := testCli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) > 0 {
		t.Errorf("%d container(s) left for job %s", len(list.Items), job)
	}
	vols, err := testCli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		t.Fatal(err)
	}
	if len(vols.Items) > 0 {
		t.Errorf("%d volume(s) left for job %s", len(vols.Items), job)
	}
}

// runBox starts a box, waits for it and closes it.
func runBox(t *testing.T, d *Docker, spec grader.BoxSpec) grader.Exit {
	t.Helper()
	if spec.Image == "" {
		spec.Image = testImage
	}
	b, err := d.Start(context.Background(), spec)
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	defer func() {
		if err := b.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}()
	exit, err := b.Wait(context.Background())
	if err != nil {
		t.Fatalf("wait: %v", err)
	}
	return exit
}

func TestExitCodeAndOutput(t *testing.T) {
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "echo", Cmd: []string{"echo"}})
	if exit.Code != 3 || exit.Stdout.Text != "hello\n" || exit.Stderr.Text != "oops\n" || exit.Killed() {
		t.Errorf("exit %+v", exit)
	}
}

func TestEnvironmentIsOnlyWhatIsGiven(t *testing.T) {
	t.Setenv("GRADER_SECRET_OF_THE_HOST", "s3cret")
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "env", Cmd: []string{"env"}, Env: []string{"A=1"}})
	if !strings.Contains(exit.Stdout.Text, "A=1\n") || strings.Contains(exit.Stdout.Text, "s3cret") {
		t.Errorf("env:\n%s", exit.Stdout.Text)
	}
}

func TestFilesAreReadOnlyToTheBox(t *testing.T) {
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "files", Cmd: []string{"files"},
		Files: []grader.File{{Name: "data/in.txt", Mode: 0o644, Data: []byte("given")}}})
	out := exit.Stdout.Text
	for _, want := range []string{`read: "given" <nil>`, "overwrite: denied", "owner: 0"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestWritableFilesAndReadFile(t *testing.T) {
	d, job := newTestDocker(t)
	b, err := d.Start(context.Background(), grader.BoxSpec{Job: job, Role: "rw", Image: testImage, Cmd: []string{"files"}, WritableRoot: true,
		Files: []grader.File{{Name: ".", Mode: 0o755 | os.ModeDir, Writable: true}, {Name: "data/in.txt", Mode: 0o644, Data: []byte("given"), Writable: true}}})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	exit, err := b.Wait(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(exit.Stdout.Text, "overwrite: ALLOWED") || !strings.Contains(exit.Stdout.Text, "owner: 65534") {
		t.Errorf("writable files:\n%s", exit.Stdout.Text)
	}
	data, err := b.ReadFile(context.Background(), "/work/data/in.txt", 1<<10)
	if err != nil || string(data) != "changed" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
	if _, err := b.ReadFile(context.Background(), "/work/data/in.txt", 3); err == nil {
		t.Errorf("ReadFile ignored maxBytes")
	}
	if _, err := b.ReadFile(context.Background(), "/work/missing", 1<<10); err == nil {
		t.Errorf("ReadFile of a missing file succeeded")
	}
}

func TestTimeouts(t *testing.T) {
	for _, mode := range []string{"sleep", "cpu"} {
		t.Run(mode, func(t *testing.T) {
			d, job := newTestDocker(t)
			exit := runBox(t, d, grader.BoxSpec{Job: job, Role: mode, Cmd: []string{mode}, Timeout: 2 * time.Second})
			if !exit.TimedOut || exit.Duration > 10*time.Second {
				t.Errorf("exit %+v", exit)
			}
		})
	}
}

func TestForkBombIsContained(t *testing.T) {
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "fork", Cmd: []string{"fork"}, Pids: 64, Timeout: 5 * time.Second})
	if !strings.Contains(exit.Stdout.Text, "resource temporarily unavailable") && !exit.Killed() {
		t.Errorf("fork bomb not contained: %+v", exit)
	}
}

func TestMemoryBomb(t *testing.T) {
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "mem", Cmd: []string{"mem"}, MemoryBytes: 64 << 20, Timeout: 30 * time.Second})
	if !exit.OOMKilled {
		t.Errorf("memory bomb: %+v", exit)
	}
}

func TestOutputFloodKeepsGraderSmall(t *testing.T) {
	d, job := newTestDocker(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var live bytes.Buffer
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "flood", Cmd: []string{"flood"}, OutputBytes: 1 << 20, Stdout: &live, Timeout: 60 * time.Second})
	runtime.ReadMemStats(&after)
	if !exit.OutputExceeded || len(exit.Stdout.Text) != 1<<20 || !exit.Stdout.Truncated || live.Len() != 1<<20 {
		t.Errorf("flood: exceeded=%v kept=%d truncated=%v live=%d", exit.OutputExceeded, len(exit.Stdout.Text), exit.Stdout.Truncated, live.Len())
	}
	if grown := int64(after.HeapSys) - int64(before.HeapSys); grown > 64<<20 {
		t.Errorf("heap grew by %d MiB during the flood", grown>>20)
	}
}

func TestGiBFloodIsCutOff(t *testing.T) {
	d, job := newTestDocker(t)
	// A cap of 1 GiB is never reached in the time limit: the box is
	// killed on time and the grader keeps at most the cap.
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "flood", Cmd: []string{"flood"}, OutputBytes: 4 << 20, Timeout: 20 * time.Second})
	if !exit.OutputExceeded && !exit.TimedOut {
		t.Errorf("flood: %+v", exit)
	}
}

func TestDiskFill(t *testing.T) {
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "fill", Cmd: []string{"fill"}, TmpfsBytes: 8 << 20, MemoryBytes: 128 << 20, Timeout: 30 * time.Second})
	out := exit.Stdout.Text
	for _, want := range []string{"no space left on device", "root: denied", "work: denied"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestNoNetwork(t *testing.T) {
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "net", Cmd: []string{"net"}})
	var got struct {
		Interfaces   []string `json:"interfaces"`
		DefaultRoute bool     `json:"default_route"`
		Resolves     bool     `json:"resolves"`
	}
	if err := json.Unmarshal([]byte(exit.Stdout.Text), &got); err != nil {
		t.Fatalf("%v: %s", err, exit.Stdout.Text)
	}
	if len(got.Interfaces) != 1 || got.Interfaces[0] != "lo" || got.DefaultRoute || got.Resolves {
		t.Errorf("network visible: %+v", got)
	}
}

func TestPrivileges(t *testing.T) {
	d, job := newTestDocker(t)
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "priv", Cmd: []string{"priv"}})
	out := exit.Stdout.Text
	for _, want := range []string{"CapEff: 0000000000000000", "NoNewPrivs: 1", "setuid: denied", "mount: denied", "docker.sock: denied", "uid 65534 euid 65534"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestSharedNamespace(t *testing.T) {
	d, job := newTestDocker(t)
	ctx := context.Background()
	holder, err := d.Start(ctx, grader.BoxSpec{Job: job, Role: "net", Image: testImage, Cmd: []string{"sleep"}, Hosts: []string{"fixture:127.0.0.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	server, err := d.Start(ctx, grader.BoxSpec{Job: job, Role: "server", Image: testImage, Cmd: []string{"serve"}, Network: holder.ID()})
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	exit := runBox(t, d, grader.BoxSpec{Job: job, Role: "client", Cmd: []string{"dial", "fixture:7070"}, Network: holder.ID()})
	if exit.Stdout.Text != "got pong\n" {
		t.Errorf("joined box could not reach its neighbour by name: %+v", exit)
	}
	exit = runBox(t, d, grader.BoxSpec{Job: job, Role: "net2", Cmd: []string{"net"}, Network: holder.ID()})
	if !strings.Contains(exit.Stdout.Text, `"interfaces":["lo"]`) || !strings.Contains(exit.Stdout.Text, `"default_route":false`) {
		t.Errorf("shared namespace is not loopback only: %s", exit.Stdout.Text)
	}
}

func TestCancelledWait(t *testing.T) {
	d, job := newTestDocker(t)
	b, err := d.Start(context.Background(), grader.BoxSpec{Job: job, Role: "sleep", Image: testImage, Cmd: []string{"sleep"}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	if _, err := b.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait = %v, want context.Canceled", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("close: %v", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

func TestReapRemovesLeftovers(t *testing.T) {
	crashed, err := New(Config{Client: testCli, Worker: "crashed-worker"})
	if err != nil {
		t.Fatal(err)
	}
	job := "reap-test"
	for i := 0; i < 2; i++ {
		if _, err := crashed.Start(context.Background(), grader.BoxSpec{Job: job, Role: "sleep", Image: testImage, Cmd: []string{"sleep"}, Files: []grader.File{{Name: "x", Data: []byte("x")}}}); err != nil {
			t.Fatal(err)
		}
	}
	d, _ := newTestDocker(t)
	n, err := d.Reap(context.Background(), ReapOptions{Worker: "crashed-worker", OlderThan: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Errorf("reaped %d, want at least 2", n)
	}
	assertNoLeftovers(t, job)
}

func BenchmarkBoxLifecycle(b *testing.B) {
	d, err := New(Config{Client: testCli, Worker: "runner-bench"})
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
		box, err := d.Start(context.Background(), grader.BoxSpec{Job: "bench", Role: "echo", Image: testImage, Cmd: []string{"echo"}})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := box.Wait(context.Background()); err != nil {
			b.Fatal(err)
		}
		box.Close()
	}
}

func BenchmarkDockerRunCLI(b *testing.B) {
	for i := 0; i < b.N; i++ {
		cmd := exec.Command("docker", "run", "--rm", "--network", "none", testImage, "echo")
		out, _ := cmd.CombinedOutput()
		if !bytes.Contains(out, []byte("hello")) {
			b.Fatalf("docker run: %s", out)
		}
	}
}
