package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/runner"
)

// lifecycleImage is the image of the lifecycle rows: a learner image
// (a shell, no entry point), so its boxes can come from the pool.
const lifecycleImage = "grader/base:local"

// benchLifecycle compares one box's whole life through the SDK (create,
// copy nothing, attach, start, wait, inspect, remove) with `docker run
// --rm` of the same image and command, on cold, a sandbox without a pool.
//
// The next rows are acquisition alone: the time until Start returns a
// started box, what a job waits for before its process runs, against the
// same whole `docker run --rm`; cold, and from pooled's warm boxes (the
// pool given time to make one between two boxes, as between two
// gradings).
func benchLifecycle(ctx context.Context, cold, pooled *runner.Docker, n int) ([]row, error) {
	spec := grader.BoxSpec{Job: "bench", Role: "lifecycle", Image: lifecycleImage, Cmd: []string{"true"}}
	run := func(d *runner.Docker) (acquired, took time.Duration, err error) {
		start := time.Now()
		b, err := d.Start(ctx, spec)
		if err != nil {
			return 0, 0, err
		}
		acquired = time.Since(start)
		if _, err := b.Wait(ctx); err != nil {
			return 0, 0, err
		}
		if err := b.Close(); err != nil {
			return 0, 0, err
		}
		return acquired, time.Since(start), nil
	}
	var sdk, cli, acquire, warm []time.Duration
	for i := 0; i < n+1; i++ {
		acquired, took, err := run(cold)
		if err != nil {
			return nil, err
		}
		start := time.Now()
		out, err := exec.CommandContext(ctx, "docker", "run", "--rm", "--network", "none", lifecycleImage, "true").CombinedOutput()
		if err != nil {
			return nil, fmt.Errorf("docker run: %v: %s", err, out)
		}
		ran := time.Since(start)
		if err := waitWarm(ctx, pooled); err != nil {
			return nil, err
		}
		hits := pooled.PoolStats().Hits
		fromPool, _, err := run(pooled)
		if err != nil {
			return nil, err
		}
		if pooled.PoolStats().Hits == hits && i > 0 {
			return nil, fmt.Errorf("a box of the pooled sandbox started cold (%+v)", pooled.PoolStats())
		}
		if i > 0 { // the first round warms every path and makes the shape wanted
			sdk = append(sdk, took)
			acquire = append(acquire, acquired)
			cli = append(cli, ran)
			warm = append(warm, fromPool)
		}
	}
	s, c, a, w := median(sdk), median(cli), median(acquire), median(warm)
	ratio := s.Seconds() / c.Seconds()
	acq := a.Seconds() / c.Seconds()
	wr := w.Seconds() / c.Seconds()
	return []row{
		{measure: "box lifecycle (SDK, cold)", value: secs(s), baseline: secs(c) + " (docker run --rm)", ratio: ratio,
			target: "<= 0.5x", met: ratio <= 0.5, note: missedBy(ratio, 0.5)},
		{measure: "box acquisition, cold (create, attach, start)", value: ms(a), baseline: secs(c) + " (docker run --rm)", ratio: acq,
			target: "-", met: true, note: "what a box costs without the pool (grader grade)"},
		{measure: "box acquisition from the pool (files none; attach, hand-over)", value: ms(w), baseline: secs(c) + " (docker run --rm)", ratio: wr,
			target: "<= 0.1x", met: wr <= 0.1, note: missedBy(wr, 0.1)},
	}, nil
}

// waitWarm waits up to a minute for d's pool to hold a warm box; the
// first call, before any box was asked for, returns at once.
func waitWarm(ctx context.Context, d *runner.Docker) error {
	if s := d.PoolStats(); s.Hits+s.Misses == 0 {
		return nil
	}
	deadline := time.Now().Add(time.Minute)
	for d.PoolStats().Ready == 0 {
		if time.Now().After(deadline) {
			return fmt.Errorf("the pool made no warm box in a minute (%+v)", d.PoolStats())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

// benchBuild compiles the notes-api reference as the engine builds a
// learner's Go service: in a build box with the image's warm cache and
// the toolchain volumes mounted (the
// box's start and the copy of the files in included), against the same
// `go build` on the host with the host's warm cache, the two interleaved
// after a warm-up round. The box's build with an empty cache is in the
// note.
func benchBuild(ctx context.Context, d *runner.Docker, catalog string, toolchain []grader.VolumeMount) (row, error) {
	src := filepath.Join(catalog, "notes-api", "solution")
	sub, err := grader.ReadDir("bench", src, grader.SubmissionLimits{})
	if err != nil {
		return row{}, err
	}
	args := append(append([]string{"go", "build"}, grader.GoServiceBuildFlags...), "-o", "/tmp/service", ".")
	inBox := func(memory int64, env ...string) (time.Duration, error) {
		var files []grader.File
		for _, f := range sub.Files {
			f.Writable = true
			files = append(files, f)
		}
		files = append(files, grader.File{Name: ".", Mode: os.ModeDir | 0o755, Writable: true})
		spec := grader.BoxSpec{Job: "bench", Role: "build", Image: "grader/go:local", WritableRoot: true, Files: files,
			Cmd: args, Env: append([]string{"HOME=/tmp"}, env...), ReadOnly: toolchain,
			MemoryBytes: memory, NanoCPUs: 2e9, Pids: 512, TmpfsBytes: memory / 2, Timeout: 5 * time.Minute}
		start := time.Now()
		b, err := d.Start(ctx, spec)
		if err != nil {
			return 0, err
		}
		defer b.Close()
		exit, err := b.Wait(ctx)
		if err != nil {
			return 0, err
		}
		if exit.Code != 0 {
			return 0, fmt.Errorf("build failed: %s%s", exit.Stdout.Text, exit.Stderr.Text)
		}
		return time.Since(start), nil
	}
	dir, err := writeTree(sub)
	if err != nil {
		return row{}, err
	}
	defer os.RemoveAll(dir)
	onHost := func() (time.Duration, error) {
		// A fresh output each time: the link is part of the build.
		os.Remove(filepath.Join(dir, "service"))
		start := time.Now()
		hostArgs := append(append([]string{"build"}, grader.GoServiceBuildFlags...), "-o", "service", ".")
		if err := goCmd(ctx, dir, []string{"CGO_ENABLED=0"}, hostArgs...); err != nil {
			return 0, err
		}
		return time.Since(start), nil
	}
	var box, host []time.Duration
	for i := 0; i <= 5; i++ {
		b, err := inBox(1 << 30)
		if err != nil {
			return row{}, err
		}
		h, err := onHost()
		if err != nil {
			return row{}, fmt.Errorf("the same build on the host: %w", err)
		}
		if i > 0 { // the first round warms both caches
			box, host = append(box, b), append(host, h)
		}
	}
	// The cold cache lives in /tmp, a tmpfs counted as memory: give it room.
	cold, err := inBox(6<<30, "GOCACHE=/tmp/coldcache")
	if err != nil {
		return row{}, err
	}
	b, h := median(box), median(host)
	ratio := b.Seconds() / h.Seconds()
	note := fmt.Sprintf("cold cache in a box: %s", secs(cold))
	if m := missedBy(ratio, 1.3); m != "" {
		note = m + "; " + note
	}
	return row{measure: "learner build in a box, warm cache (notes-api, gin; start and copy-in included)", value: secs(b),
		baseline: secs(h) + " (the same go build on the host, warm cache)", ratio: ratio, target: "<= 1.3x", met: ratio <= 1.3, note: note}, nil
}

// benchFloodMemory grades a fix-ledger solution that prints without end
// with `grader grade`, and reads the process's peak resident memory.
func benchFloodMemory(ctx context.Context, bin, catalog string) (row, error) {
	dir, err := os.MkdirTemp("", "gradebench-flood-")
	if err != nil {
		return row{}, err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(catalog, "fix-ledger", "solution")
	entries, err := os.ReadDir(src)
	if err != nil {
		return row{}, err
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return row{}, err
		}
		os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644)
	}
	flood := "package ledger\n\nimport (\n\t\"os\"\n\t\"strings\"\n)\n\nfunc init() {\n\tchunk := []byte(strings.Repeat(\"flood \", 1<<17))\n\tfor i := 0; i < 1<<16; i++ {\n\t\tos.Stdout.Write(chunk)\n\t}\n}\n"
	os.WriteFile(filepath.Join(dir, "flood.go"), []byte(flood), 0o644)
	cmd := exec.CommandContext(ctx, bin, "grade", "--catalog", catalog, "--challenge", "fix-ledger", "--json", "--quiet", dir)
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Start(); err != nil {
		return row{}, err
	}
	// The child's rusage maxrss would count this process's memory (it
	// carries over the fork), so sample the child's own high-water mark.
	var peakKiB int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = cmd.Wait()
	}()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
sample:
	for {
		if kib := highWaterKiB(cmd.Process.Pid); kib > peakKiB {
			peakKiB = kib
		}
		select {
		case <-done:
			break sample
		case <-tick.C:
		}
	}
	if !strings.Contains(out.String(), `"output_exceeded"`) {
		return row{}, fmt.Errorf("flood was not reported as output_exceeded: %s", out.String())
	}
	peak := float64(peakKiB) / 1024
	return row{measure: "grader peak memory, 48 GiB output flood", value: fmt.Sprintf("%.0f MiB", peak), baseline: "-",
		target: "<= 100 MiB", met: peak <= 100, note: missedBy(peak, 100)}, nil
}

// highWaterKiB reads a process's peak resident memory (VmHWM), or 0.
func highWaterKiB(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kib int64
			fmt.Sscanf(strings.TrimSpace(rest), "%d", &kib)
			return kib
		}
	}
	return 0
}
