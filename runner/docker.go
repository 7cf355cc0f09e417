package runner

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
)

// teardownTimeout bounds each teardown call (kill, inspect, remove). They
// run on a fresh context because the caller's is often done by then.
const teardownTimeout = 15 * time.Second

// dockerAPI is the subset of *client.Client the sandbox uses, so the box
// lifecycle can be tested against a fake.
type dockerAPI interface {
	Ping(ctx context.Context, opts client.PingOptions) (client.PingResult, error)
	ContainerCreate(ctx context.Context, opts client.ContainerCreateOptions) (client.ContainerCreateResult, error)
	CopyToContainer(ctx context.Context, id string, opts client.CopyToContainerOptions) (client.CopyToContainerResult, error)
	ContainerAttach(ctx context.Context, id string, opts client.ContainerAttachOptions) (client.ContainerAttachResult, error)
	ContainerWait(ctx context.Context, id string, opts client.ContainerWaitOptions) client.ContainerWaitResult
	ContainerStart(ctx context.Context, id string, opts client.ContainerStartOptions) (client.ContainerStartResult, error)
	ContainerKill(ctx context.Context, id string, opts client.ContainerKillOptions) (client.ContainerKillResult, error)
	ContainerInspect(ctx context.Context, id string, opts client.ContainerInspectOptions) (client.ContainerInspectResult, error)
	ContainerRemove(ctx context.Context, id string, opts client.ContainerRemoveOptions) (client.ContainerRemoveResult, error)
	CopyFromContainer(ctx context.Context, id string, opts client.CopyFromContainerOptions) (client.CopyFromContainerResult, error)
	ContainerList(ctx context.Context, opts client.ContainerListOptions) (client.ContainerListResult, error)
	VolumeList(ctx context.Context, opts client.VolumeListOptions) (client.VolumeListResult, error)
	VolumeRemove(ctx context.Context, id string, opts client.VolumeRemoveOptions) (client.VolumeRemoveResult, error)
	NetworkList(ctx context.Context, opts client.NetworkListOptions) (client.NetworkListResult, error)
	NetworkRemove(ctx context.Context, id string, opts client.NetworkRemoveOptions) (client.NetworkRemoveResult, error)
	ImageInspect(ctx context.Context, image string, opts ...client.ImageInspectOption) (client.ImageInspectResult, error)
	Close() error
}

var _ dockerAPI = (*client.Client)(nil)

// Config configures a Docker sandbox.
type Config struct {
	// Client talks to the Docker Engine. When nil, New makes one from the
	// environment (DOCKER_HOST, DOCKER_API_VERSION, DOCKER_CERT_PATH,
	// DOCKER_TLS_VERIFY) and Close closes it; a given client is left open.
	Client *client.Client
	// Logger receives create warnings and teardown problems, never a
	// box's output. Default: discard.
	Logger *slog.Logger
	// Worker is the grader.worker label value of every box, naming this
	// process so Reap can tell its leftovers. Default: hostname-pid.
	Worker string
	// Runtime is an optional OCI runtime for every box, such as "runsc"
	// (gVisor) registered in the daemon's configuration. Default: the
	// engine's (runc).
	Runtime string
	// Pool keeps boxes warm ahead of need; see PoolConfig. Default: none.
	Pool PoolConfig
}

// Docker is a grader.Sandbox whose boxes are hardened Docker containers.
// Its methods are safe for concurrent use.
type Docker struct {
	api       dockerAPI
	ownClient bool
	log       *slog.Logger
	worker    string
	runtime   string

	pool *pool // nil: every box starts cold

	mu     sync.Mutex
	boxes  map[*box]struct{} // started and not yet closed
	closed bool
}

var _ grader.Sandbox = (*Docker)(nil)

// New returns a Docker sandbox. It does not contact the daemon: use Ping
// to check it answers. It fails only when it cannot make a client.
func New(cfg Config) (*Docker, error) {
	if cfg.Client != nil {
		return newDocker(cfg.Client, false, cfg), nil
	}
	cli, err := client.New(client.FromEnv)
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	return newDocker(cli, true, cfg), nil
}

// newDocker returns a sandbox on api; own says whether Close closes it.
func newDocker(api dockerAPI, own bool, cfg Config) *Docker {
	d := &Docker{api: api, ownClient: own, log: cfg.Logger, worker: cfg.Worker, runtime: cfg.Runtime, boxes: map[*box]struct{}{}}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	if d.worker == "" {
		host, _ := os.Hostname()
		d.worker = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if cfg.Pool.Size > 0 {
		d.pool = newPool(d, cfg.Pool)
	}
	return d
}

// PoolStats returns what the pool of warm boxes holds and did; zero
// without a pool.
func (d *Docker) PoolStats() PoolStats {
	if d.pool == nil {
		return PoolStats{}
	}
	return d.pool.Stats()
}

// Worker returns the grader.worker label value of this sandbox's boxes.
func (d *Docker) Worker() string { return d.worker }

// Ping returns an error when the Docker daemon does not answer.
func (d *Docker) Ping(ctx context.Context) error {
	if _, err := d.api.Ping(ctx, client.PingOptions{}); err != nil {
		return fmt.Errorf("ping docker: %w", err)
	}
	return nil
}

// Close drains the pool of warm boxes and removes every box started and
// not yet closed (in parallel, each on its own bounded context), then
// closes the client if New made it.
// Start fails with ErrClosed afterwards. Calling Close again does nothing.
func (d *Docker) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	open := make([]*box, 0, len(d.boxes))
	for b := range d.boxes {
		open = append(open, b)
	}
	d.mu.Unlock()

	if d.pool != nil {
		d.pool.close()
	}
	errs := make([]error, len(open))
	var wg sync.WaitGroup
	for i, b := range open {
		wg.Go(func() { errs[i] = b.Close() })
	}
	wg.Wait()
	if d.ownClient {
		if err := d.api.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close docker client: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Start creates a hardened box from spec, copies spec.Files into it,
// attaches to its output and starts it. See grader.Sandbox. On error
// nothing of the box is left.
func (d *Docker) Start(ctx context.Context, spec grader.BoxSpec) (grader.Box, error) {
	if d.isClosed() {
		return nil, ErrClosed
	}
	if err := checkFiles(spec.Files); err != nil {
		return nil, fmt.Errorf("box %s/%s: %w", spec.Job, spec.Role, err)
	}
	spec = withDefaults(spec)
	log := d.log.With("job", spec.Job, "role", spec.Role)
	if d.pool != nil {
		acquireStart := time.Now()
		if id, ok := d.pool.take(ctx, spec); ok {
			b, err := d.handOver(ctx, id, spec, log)
			if err == nil {
				b.addCosts(grader.BoxCosts{Acquire: time.Since(acquireStart)})
				return b, nil
			}
			if ctx.Err() != nil {
				return nil, err
			}
			log.Warn("a warm box could not take its job; starting one cold", "container_id", id, "err", err)
		}
	}
	opts := createOptions(spec, d.worker, d.runtime)
	// The create request is not cancelled with ctx: a daemon that goes on
	// creating after a dropped request makes a box nobody knows of, which
	// a removal by name racing the create can miss. It is short; once its
	// id is known, a cancelled ctx removes the box.
	acquireStart := time.Now()
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), teardownTimeout)
	created, err := d.api.ContainerCreate(cctx, opts)
	timedOut := cctx.Err() != nil
	cancel()
	if err != nil {
		if timedOut {
			// The daemon may have made it before the request timed out.
			d.removeContainer(opts.Name, log)
		}
		return nil, fmt.Errorf("create container %s: %w", opts.Name, err)
	}
	if err := ctx.Err(); err != nil {
		d.removeContainer(created.ID, log)
		return nil, fmt.Errorf("create container %s: %w", opts.Name, err)
	}
	for _, w := range created.Warnings {
		log.Warn("container created with a warning", "container_id", created.ID, "warning", w)
	}
	b := newBox(d, created.ID, spec, log)
	if err := b.start(ctx); err != nil {
		d.removeContainer(created.ID, log)
		return nil, err
	}
	b.addCosts(grader.BoxCosts{Acquire: time.Since(acquireStart)})
	if !d.track(b) {
		_ = b.Close()
		return nil, ErrClosed
	}
	return b, nil
}

// handOver gives warm box id to spec's job. On error nothing of the box
// is left.
func (d *Docker) handOver(ctx context.Context, id string, spec grader.BoxSpec, log *slog.Logger) (*box, error) {
	b := newBox(d, id, spec, log)
	if err := b.startWarm(ctx); err != nil {
		d.removeContainer(id, log)
		return nil, err
	}
	if !d.track(b) {
		_ = b.Close()
		return nil, ErrClosed
	}
	return b, nil
}

func (d *Docker) isClosed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.closed
}

// track records an open box; it reports false once the sandbox is closed.
func (d *Docker) track(b *box) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return false
	}
	d.boxes[b] = struct{}{}
	return true
}

// untrack forgets a closed box.
func (d *Docker) untrack(b *box) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.boxes, b)
}

// removeRetryStart is the first pause between two tries of a removal;
// each pause doubles, within teardownTimeout.
const removeRetryStart = 100 * time.Millisecond

// remove deletes container id (a name works too) with its anonymous
// volumes, on a fresh bounded context. Gone already is fine. A daemon
// under load may refuse a removal for a moment (a kill that has not
// landed yet, a removal of the same box still under way), so a refusal
// is tried again until the box is gone or the time is up: a box left
// behind would outlive its job.
func (d *Docker) remove(id string) error {
	ctx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
	defer cancel()
	pause := removeRetryStart
	for {
		_, err := d.api.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		if err == nil || isRemoved(err) {
			return nil
		}
		t := time.NewTimer(pause)
		select {
		case <-t.C:
			pause *= 2
			d.log.Debug("remove container again", "container_id", id, "err", err)
			continue
		case <-ctx.Done():
			t.Stop()
		}
		if isGone(err) {
			// Still being removed by someone else: theirs to finish.
			return nil
		}
		return fmt.Errorf("remove container %s: %w", id, err)
	}
}

// removeContainer is remove on a failure path: it logs, as the primary
// error is the caller's to return.
func (d *Docker) removeContainer(id string, log *slog.Logger) {
	if err := d.remove(id); err != nil {
		log.Warn("remove box after a failed start", "container_id", id, "err", err)
	}
}
