//go:build integration

package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/build"
	"github.com/moby/moby/client"
	"github.com/moby/moby/client/pkg/jsonmessage"
	"go.uber.org/goleak"

	"github.com/gradebox/grader/grader"
)

const (
	// testImage holds testdata/boxhelper as /boxhelper, its entry point.
	testImage = "grader/runnertest:local"
	// helperLabel records the helper binary's digest on the image, so an
	// unchanged helper is not built again.
	helperLabel = "grader.test.boxhelper"
	// testWorker labels every box of these tests.
	testWorker = "runner-test"
)

var (
	testCli *client.Client
	// runID keeps the job labels of this run apart from a crashed run's.
	runID = randomHex(3)
)

// TestMain builds the test image, runs the tests, and fails the run if a
// goroutine outlives them. Without a reachable Docker daemon it skips,
// unless CI is set: then it fails.
func TestMain(m *testing.M) {
	os.Exit(testMain(m))
}

func testMain(m *testing.M) int {
	cli, err := client.New(client.FromEnv)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = cli.Ping(ctx, client.PingOptions{})
		cancel()
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "FAIL: runner integration tests need a Docker Engine in CI:", err)
			return 1
		}
		fmt.Fprintln(os.Stderr, "SKIP: runner integration tests: no Docker Engine reachable:", err)
		return 0
	}
	testCli = cli
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if err := ensureTestImage(ctx, cli); err != nil {
		fmt.Fprintln(os.Stderr, "build test image:", err)
		return 1
	}
	// A crashed earlier run may have left boxes behind.
	if d, err := New(Config{Client: cli, Worker: testWorker}); err == nil {
		if _, err := d.Reap(ctx, ReapOptions{Worker: testWorker, OlderThan: 24 * time.Hour}); err != nil {
			fmt.Fprintln(os.Stderr, "reap leftovers of earlier runs:", err)
		}
	}
	code := m.Run()
	cli.Close()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "FAIL: goroutines outlived the tests:", err)
			code = 1
		}
	}
	return code
}

// ensureTestImage builds testImage FROM scratch with the helper compiled
// statically, unless the image already holds this very binary. The image
// it replaces is removed.
func ensureTestImage(ctx context.Context, cli *client.Client) error {
	dir, err := os.MkdirTemp("", "boxhelper")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := filepath.Join(dir, "boxhelper")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-o", bin, "./testdata/boxhelper")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build boxhelper: %w: %s", err, out)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	digest := hex.EncodeToString(sum[:])
	old, err := cli.ImageInspect(ctx, testImage)
	switch {
	case err == nil && old.Config != nil && old.Config.Labels[helperLabel] == digest:
		return nil
	case err != nil && !cerrdefs.IsNotFound(err):
		return fmt.Errorf("inspect %s: %w", testImage, err)
	}

	// /work is owned by the sandbox user in the image, as in the Go
	// image: a box's own /work must still not be writable to it.
	dockerfile := "FROM scratch\nCOPY boxhelper /boxhelper\nCOPY --chown=65534:65534 work /work\nENTRYPOINT [\"/boxhelper\"]\n"
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range []struct {
		h    tar.Header
		data []byte
	}{
		{tar.Header{Name: "Dockerfile", Mode: 0o644}, []byte(dockerfile)},
		{tar.Header{Name: "work/", Typeflag: tar.TypeDir, Mode: 0o755}, nil},
		{tar.Header{Name: "boxhelper", Mode: 0o755}, data},
	} {
		e.h.Size = int64(len(e.data))
		if err := tw.WriteHeader(&e.h); err != nil {
			return err
		}
		if _, err := tw.Write(e.data); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	res, err := cli.ImageBuild(ctx, &buf, client.ImageBuildOptions{Tags: []string{testImage}, Version: build.BuilderV1,
		Remove: true, ForceRemove: true, NetworkMode: "none", Labels: map[string]string{helperLabel: digest}})
	if err != nil {
		return fmt.Errorf("build %s: %w", testImage, err)
	}
	defer res.Body.Close()
	if err := jsonmessage.DisplayJSONMessagesStream(res.Body, io.Discard, 0, false, nil); err != nil {
		return fmt.Errorf("build %s: %w", testImage, err)
	}
	if old.ID != "" {
		if _, err := cli.ImageRemove(ctx, old.ID, client.ImageRemoveOptions{PruneChildren: true}); err != nil && !cerrdefs.IsNotFound(err) {
			fmt.Fprintf(os.Stderr, "remove the replaced test image %s: %v\n", old.ID, err)
		}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// newTestDocker returns a sandbox and a job label unique to the test and
// the run; at the end it closes the sandbox and fails the test if any
// container or volume of that job is left.
func newTestDocker(tb testing.TB) (*Docker, string) {
	tb.Helper()
	d, err := New(Config{Client: testCli, Worker: testWorker})
	if err != nil {
		tb.Fatal(err)
	}
	job := strings.ToLower(strings.Trim(nameUnsafe.ReplaceAllString(tb.Name(), "-"), "-")) + "-" + runID
	tb.Cleanup(func() {
		if err := d.Close(); err != nil {
			tb.Errorf("close sandbox: %v", err)
		}
		assertNoLeftovers(tb, job)
	})
	return d, job
}

// assertNoLeftovers fails tb if a container or volume of job exists.
func assertNoLeftovers(tb testing.TB, job string) {
	tb.Helper()
	ctx := context.Background()
	f := make(client.Filters).Add("label", LabelJob+"="+job)
	list, err := testCli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		tb.Fatal(err)
	}
	for _, c := range list.Items {
		tb.Errorf("container %s (%v) left for job %s", c.ID, c.Names, job)
	}
	vols, err := testCli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		tb.Fatal(err)
	}
	for _, v := range vols.Items {
		tb.Errorf("volume %s left for job %s", v.Name, job)
	}
}

// startBox starts a box of the test image, closed at the end of the test.
func startBox(tb testing.TB, d *Docker, spec grader.BoxSpec) grader.Box {
	tb.Helper()
	if spec.Image == "" {
		spec.Image = testImage
	}
	b, err := d.Start(context.Background(), spec)
	if err != nil {
		tb.Fatalf("start %v: %v", spec.Cmd, err)
	}
	tb.Cleanup(func() {
		if err := b.Close(); err != nil {
			tb.Errorf("close box: %v", err)
		}
	})
	return b
}

// runBox starts a box, waits for it and closes it.
func runBox(tb testing.TB, d *Docker, spec grader.BoxSpec) grader.Exit {
	tb.Helper()
	b := startBox(tb, d, spec)
	exit, err := b.Wait(context.Background())
	if err != nil {
		tb.Fatalf("wait %v: %v", spec.Cmd, err)
	}
	if err := b.Close(); err != nil {
		tb.Errorf("close box: %v", err)
	}
	return exit
}

// mustContain fails t for each of wants missing from got.
func mustContain(t *testing.T, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("output lacks %q:\n%s", w, got)
		}
	}
}
