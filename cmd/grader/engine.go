package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/queue"
	"github.com/gradebox/grader/runner"
	"github.com/gradebox/grader/runner/images"
)

// leftoverAge is how old another process's sandbox must be before this
// one removes it as left behind by a crash: longer than any grading.
const leftoverAge = 2 * time.Hour

// engineEnv is an Engine with the Docker resources behind it.
type engineEnv struct {
	engine *grader.Engine
	docker *runner.Docker
	cli    *client.Client
}

// images identifies the images of a grading on this worker's Docker
// Engine, for the result cache and results' provenance.
func (e *engineEnv) images() *queue.Images {
	return &queue.Images{
		Refs: e.engine.Images,
		IDs: func(ctx context.Context, refs []string) (map[string]string, error) {
			return images.IDs(ctx, e.cli, refs)
		},
	}
}

func (e *engineEnv) Close() {
	if e.docker != nil {
		e.docker.Close()
	}
	if e.cli != nil {
		e.cli.Close()
	}
}

// newEngine connects to Docker, checks the images are there, removes
// sandboxes that crashed processes left behind, and returns an Engine.
// Every failure is a service fault.
func newEngine(ctx context.Context, cfg *Config, log *slog.Logger) (*engineEnv, error) {
	host, _ := os.Hostname()
	return openEngine(ctx, cfg, fmt.Sprintf("%s-%d", host, os.Getpid()), nil, runner.PoolConfig{}, log)
}

// newWorkerEngine is newEngine for a service worker with a stable id: it
// also removes every sandbox an earlier process with that id left, however
// new (the worker's lease guarantees no live process still owns them):
// held is asked right before each removal, so nothing is removed once
// the lease is lost.
func newWorkerEngine(ctx context.Context, cfg *Config, workerID string, held func(context.Context) error, pool runner.PoolConfig, log *slog.Logger) (*engineEnv, error) {
	return openEngine(ctx, cfg, workerID, held, pool, log)
}

// openEngine is newEngine; a non-nil held also reaps every sandbox of
// workerID while held returns nil.
func openEngine(ctx context.Context, cfg *Config, workerID string, held func(context.Context) error, pool runner.PoolConfig, log *slog.Logger) (*engineEnv, error) {
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return nil, faultErr(fmt.Errorf("docker client: %w", err))
	}
	env := &engineEnv{cli: cli}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := cli.Ping(pctx, client.PingOptions{}); err != nil {
		env.Close()
		return nil, faultErr(fmt.Errorf("the Docker Engine is not reachable (%v); start it or set DOCKER_HOST", err))
	}
	missing, err := images.Missing(ctx, cli)
	if err != nil {
		env.Close()
		return nil, faultErr(fmt.Errorf("check images: %w", err))
	}
	if len(missing) > 0 {
		env.Close()
		return nil, faultErr(fmt.Errorf("images missing: %s; build them with `make images` or `grader images build`", strings.Join(missing, ", ")))
	}
	// The reap runs on a sandbox without a pool, before the pool starts:
	// it removes the warm boxes a crashed process of this worker left.
	reaper, err := newDocker(cli, cfg, workerID, runner.PoolConfig{}, log)
	if err != nil {
		env.Close()
		return nil, faultErr(err)
	}
	opts := reapOptions(leftoverAge)
	if held != nil {
		opts.Worker, opts.Held = workerID, held
	}
	if n, err := reaper.Reap(ctx, opts); err != nil {
		log.Warn("remove leftover sandboxes", "err", err)
	} else if n > 0 {
		log.Info("removed leftover sandboxes", "count", n)
	}
	_ = reaper.Close()
	d, err := newDocker(cli, cfg, workerID, pool, log)
	if err != nil {
		env.Close()
		return nil, faultErr(err)
	}
	env.docker = d
	// Made by `grader images build`; made here, once per go image, when
	// an engine starts before that.
	vol, err := images.GoToolchainVolume(ctx, cli)
	if err == nil && vol == "" {
		log.Info("preparing the Go toolchain volume, once per go image (10 to 30 seconds)")
		vol, err = images.EnsureGoToolchain(ctx, cli)
	}
	if err != nil {
		env.Close()
		return nil, faultErr(fmt.Errorf("the Go toolchain volume: %w; `grader images build` makes it", err))
	}
	env.engine = grader.NewEngine(grader.EngineConfig{Sandbox: d, Logger: log, ToolsImage: cfg.ToolsImage,
		GoToolchain: images.GoToolchainMounts(vol)})
	return env, nil
}

// newDocker returns the Docker sandbox, its boxes labelled with workerID.
func newDocker(cli *client.Client, cfg *Config, workerID string, pool runner.PoolConfig, log *slog.Logger) (*runner.Docker, error) {
	d, err := runner.New(runner.Config{Client: cli, Logger: log, Worker: workerID, Runtime: cfg.Runtime, Pool: pool})
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	return d, nil
}

// reapOptions removes sandboxes older than age; a negative age removes
// every sandbox.
func reapOptions(age time.Duration) runner.ReapOptions {
	return runner.ReapOptions{OlderThan: max(age, 0)}
}
