//go:build integration

package e2e

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/runner"
	"github.com/gradebox/grader/runner/images"
)

var (
	docker *runner.Docker
	cli    *client.Client
	// toolchain names the Go toolchain volumes every engine of the tests mounts.
	toolchain string
)

func TestMain(m *testing.M) {
	fail := func(format string, args ...any) {
		msg := fmt.Sprintf(format, args...)
		if os.Getenv("CI") != "" {
			fmt.Fprintln(os.Stderr, "FAIL:", msg)
			os.Exit(1)
		}
		fmt.Fprintln(os.Stderr, "SKIP:", msg)
		os.Exit(0)
	}
	var err error
	cli, err = client.New(client.FromEnv)
	if err != nil {
		fail("docker client: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	_, err = cli.Ping(ctx, client.PingOptions{})
	cancel()
	if err != nil {
		fail("no Docker Engine reachable: %v", err)
	}
	missing, err := images.Missing(context.Background(), cli)
	if err != nil || len(missing) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: images missing (%v, %v): run make images\n", missing, err)
		os.Exit(1)
	}
	// As the CLI does: made once per go image, usually by make images.
	if toolchain, err = images.EnsureGoToolchain(context.Background(), cli); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the Go toolchain volume: %v\n", err)
		os.Exit(1)
	}
	// The worker id is this process's own: the reap below removes
	// everything labelled with it, and other test processes may be
	// grading on the same daemon at the same time.
	worker := fmt.Sprintf("e2e-tests-%d", os.Getpid())
	// Teardown failures are logged, not returned: show them, so a box
	// left behind is explained in the test's output.
	logs := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// With a pool of warm boxes, as a service worker grades.
	docker, err = runner.New(runner.Config{Client: cli, Worker: worker, Logger: logs, Pool: runner.PoolConfig{Size: runner.DefaultPoolSize}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if err := docker.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "close the sandbox:", err)
	}
	if _, err := docker.Reap(context.Background(), runner.ReapOptions{Worker: worker, OlderThan: 24 * time.Hour}); err != nil {
		fmt.Fprintln(os.Stderr, "reap:", err)
	}
	os.Exit(code)
}

// newEngine returns an engine on the test's sandbox, with the tools image
// of GRADER_TOOLS_IMAGE when it is set (a tester built from a working
// copy), as the CLI does.
func newEngine() *grader.Engine {
	return grader.NewEngine(grader.EngineConfig{Sandbox: docker, ToolsImage: os.Getenv("GRADER_TOOLS_IMAGE"),
		GoToolchain: images.GoToolchainMounts(toolchain),
		Logger:      slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
}

// leftoverGrace is how long assertNoLeftovers waits for the daemon to
// finish removals it has already answered: on a loaded machine a removed
// box has been seen listed for a moment after its removal returned.
const leftoverGrace = 30 * time.Second

// assertNoLeftovers checks that nothing of job remains: no container,
// volume or network labelled with it. What is still there after
// leftoverGrace is named with its state, so a failure says what was left.
func assertNoLeftovers(t *testing.T, job string) {
	t.Helper()
	deadline := time.Now().Add(leftoverGrace)
	for {
		left, err := leftovers(context.Background(), job)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("job %s left %d thing(s) after %s:\n%s", job, len(left), leftoverGrace, strings.Join(left, "\n"))
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// leftovers describes every container, volume and network labelled with
// job, one line each.
func leftovers(ctx context.Context, job string) ([]string, error) {
	f := make(client.Filters).Add("label", runner.LabelJob+"="+job)
	list, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return nil, err
	}
	vols, err := cli.VolumeList(ctx, client.VolumeListOptions{Filters: f})
	if err != nil {
		return nil, err
	}
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return nil, err
	}
	var left []string
	for _, c := range list.Items {
		left = append(left, fmt.Sprintf("  container %s %v (%s, %s)", c.ID[:12], c.Names, c.State, c.Status))
	}
	for _, v := range vols.Items {
		left = append(left, fmt.Sprintf("  volume %s", v.Name))
	}
	for _, n := range nets.Items {
		left = append(left, fmt.Sprintf("  network %s", n.Name))
	}
	return left, nil
}
