package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
)

// errCopyDone stops the tar writer when the copy ended early.
var errCopyDone = errors.New("copy finished")

// teardownTimeout bounds each teardown call (kill, inspect, remove), run
// on a fresh context because the caller's is often done by then.
const teardownTimeout = 15 * time.Second

// Config configures a Docker sandbox.
type Config struct {
	// Client talks to the Docker Engine; by default one is made from the
	// environment (DOCKER_HOST, ...), and closed by Close.
	Client *client.Client
	// Logger receives teardown problems and warnings.
	Logger *slog.Logger
	// Worker labels every box with this process's identity, so Reap can
	// tell its own leftovers; default hostname-pid.
	Worker string
	// Runtime is an optional OCI runtime for every box, such as "runsc"
	// (gVisor); empty uses the engine's default.
	Runtime string
}

// Docker is a grader.Sandbox on the Docker Engine.
type Docker struct {
	cli       *client.Client
	ownClient bool
	log       *slog.Logger
	worker    string
	runtime   string
}

var _ grader.Sandbox = (*Docker)(nil)

// New returns a Docker sandbox. It does not contact the daemon; use Ping.
func New(cfg Config) (*Docker, error) {
	d := &Docker{cli: cfg.Client, log: cfg.Logger, worker: cfg.Worker, runtime: cfg.Runtime}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.worker == "" {
		host, _ := os.Hostname()
		d.worker = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if d.cli == nil {
		cli, err := client.New(client.FromEnv)
		if err != nil {
			return nil, fmt.Errorf("docker client: %w", err)
		}
		d.cli, d.ownClient = cli, true
	}
	return d, nil
}

// Worker returns the label value naming this process's boxes.
func (d *Docker) Worker() string { return d.worker }

// Ping checks that the daemon answers.
func (d *Docker) Ping(ctx context.Context) error {
	if _, err := d.cli.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("ping docker: %w", err)
	}
	return nil
}

// Close releases the client if New made it.
func (d *Docker) Close() error {
	if d.ownClient {
		return d.cli.Close()
	}
	return nil
}

// Start creates, fills and starts a box. See grader.Sandbox.
func (d *Docker) Start(ctx context.Context, spec grader.BoxSpec) (grader.Box, error) {
	spec = withDefaults(spec)
	opts := createOptions(spec, d.worker, d.runtime)
	created, err := d.cli.ContainerCreate(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("create container %s: %w", opts.Name, err)
	}
	for _, w := range created.Warnings {
		d.log.Warn("docker create warning", "container_id", created.ID, "warning", w)
	}
	b := &box{d: d, id: created.ID, spec: spec, done: make(chan struct{}), overflow: make(chan struct{})}
	if err := b.start(ctx); err != nil {
		b.remove()
		return nil, err
	}
	return b, nil
}

// box is a started container.
type box struct {
	d    *Docker
	id   string
	spec grader.BoxSpec

	stdout, stderr *cappedBuffer
	attach         client.HijackedResponse
	copied         chan struct{}
	started        time.Time

	overflow     chan struct{}
	overflowOnce sync.Once
	done         chan struct{}
	exit         grader.Exit
	err          error
	closeOnce    sync.Once
	closeErr     error
}

func (b *box) ID() string { return b.id }

func (b *box) start(ctx context.Context) error {
	// Ownership comes from the tar headers (root, or the sandbox user for
	// Writable files); CopyUIDGID would instead chown everything to the
	// box's user, which must then exist in the image's passwd.
	if len(b.spec.Files) > 0 {
		// Stream the tar: a compiled test binary need not be held twice.
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeFilesTar(pw, b.spec.Files)) }()
		_, err := b.d.cli.CopyToContainer(ctx, b.id, client.CopyToContainerOptions{
			DestinationPath: b.spec.FilesDir, Content: pr,
		})
		pr.CloseWithError(errCopyDone)
		if err != nil {
			return fmt.Errorf("copy files into %s: %w", b.id, err)
		}
	}
	signal := func() { b.overflowOnce.Do(func() { close(b.overflow) }) }
	b.stdout = &cappedBuffer{limit: b.spec.OutputBytes, live: b.spec.Stdout, overflow: signal}
	b.stderr = &cappedBuffer{limit: b.spec.OutputBytes, overflow: signal}
	att, err := b.d.cli.ContainerAttach(ctx, b.id, client.ContainerAttachOptions{Stream: true, Stdout: true, Stderr: true})
	if err != nil {
		return fmt.Errorf("attach to %s: %w", b.id, err)
	}
	b.attach = att.HijackedResponse
	b.copied = make(chan struct{})
	go func() {
		defer close(b.copied)
		_, _ = stdcopy.StdCopy(b.stdout, b.stderr, b.attach.Reader)
	}()
	// Subscribe before start so even an instant exit is seen; the wait
	// outlives the caller's context, which Wait handles itself.
	wait := b.d.cli.ContainerWait(context.WithoutCancel(ctx), b.id, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if _, err := b.d.cli.ContainerStart(ctx, b.id, client.ContainerStartOptions{}); err != nil {
		b.attach.Close()
		<-b.copied
		return fmt.Errorf("start container %s: %w", b.id, err)
	}
	b.started = time.Now()
	go b.monitor(wait)
	return nil
}

// monitor waits for the process to end, enforcing the timeout and the
// output cap, then records the Exit. It owns the box's lifetime.
func (b *box) monitor(wait client.ContainerWaitResult) {
	defer close(b.done)
	var timer <-chan time.Time
	if b.spec.Timeout > 0 {
		t := time.NewTimer(b.spec.Timeout)
		defer t.Stop()
		timer = t.C
	}
	overflow := b.overflow
	code := -1
	var timedOut, outputExceeded bool
loop:
	for {
		select {
		case r := <-wait.Result:
			code = int(r.StatusCode)
			if r.Error != nil && r.Error.Message != "" {
				b.err = fmt.Errorf("wait for %s: %s", b.id, r.Error.Message)
			}
			break loop
		case err := <-wait.Error:
			b.err = fmt.Errorf("wait for %s: %w", b.id, err)
			b.kill()
			break loop
		case <-timer:
			timedOut = true
			timer = nil
			b.kill()
		case <-overflow:
			outputExceeded = true
			overflow = nil
			b.kill()
		}
	}
	duration := time.Since(b.started)
	// The stream ends when the process does; bound the wait in case the
	// daemon keeps it open.
	select {
	case <-b.copied:
	case <-time.After(5 * time.Second):
	}
	b.attach.Close()
	<-b.copied
	oom := false
	ictx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
	defer cancel()
	if insp, err := b.d.cli.ContainerInspect(ictx, b.id, client.ContainerInspectOptions{}); err == nil && insp.Container.State != nil {
		oom = insp.Container.State.OOMKilled
		if code < 0 {
			code = insp.Container.State.ExitCode
		}
	} else if err != nil && b.err == nil {
		b.err = fmt.Errorf("inspect %s: %w", b.id, err)
	}
	out, outTrunc := b.stdout.text()
	errText, errTrunc := b.stderr.text()
	b.exit = grader.Exit{
		Code:           code,
		TimedOut:       timedOut,
		OOMKilled:      oom && !timedOut && !outputExceeded,
		OutputExceeded: outputExceeded,
		Stdout:         grader.Output{Text: out, Truncated: outTrunc},
		Stderr:         grader.Output{Text: errText, Truncated: errTrunc},
		Duration:       duration,
	}
}

// Wait returns how the box's process ended. See grader.Box.
func (b *box) Wait(ctx context.Context) (grader.Exit, error) {
	select {
	case <-b.done:
		return b.exit, b.err
	case <-ctx.Done():
		b.kill()
		select {
		case <-b.done:
		case <-time.After(teardownTimeout):
		}
		return grader.Exit{}, ctx.Err()
	}
}

// Kill stops the process at once.
func (b *box) Kill(ctx context.Context) error {
	if _, err := b.d.cli.ContainerKill(ctx, b.id, client.ContainerKillOptions{Signal: "SIGKILL"}); err != nil && !cerrdefs.IsNotFound(err) && !cerrdefs.IsConflict(err) && !isGone(err) {
		return fmt.Errorf("kill %s: %w", b.id, err)
	}
	return nil
}

// kill is Kill on a fresh bounded context, logging failures.
func (b *box) kill() {
	ctx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
	defer cancel()
	if err := b.Kill(ctx); err != nil {
		b.d.log.Warn("kill box", "container_id", b.id, "err", err)
	}
}

// ReadFile copies one regular file out of the box.
func (b *box) ReadFile(ctx context.Context, path string, maxBytes int64) ([]byte, error) {
	return readFile(ctx, b.d.cli, b.id, path, maxBytes)
}

// Close kills and removes the box and its volume.
func (b *box) Close() error {
	b.closeOnce.Do(func() {
		b.kill()
		select {
		case <-b.done:
		case <-time.After(teardownTimeout):
			b.d.log.Warn("box did not stop in time", "container_id", b.id)
		}
		b.closeErr = b.remove()
	})
	return b.closeErr
}

// remove deletes the container and its anonymous volume.
func (b *box) remove() error {
	ctx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
	defer cancel()
	_, err := b.d.cli.ContainerRemove(ctx, b.id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
	if err != nil && !cerrdefs.IsNotFound(err) && !isGone(err) {
		return fmt.Errorf("remove container %s: %w", b.id, err)
	}
	return nil
}
