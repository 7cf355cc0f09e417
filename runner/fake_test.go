package runner

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/api/types/volume"
	"github.com/moby/moby/client"
)

// Stream numbers of the attach protocol.
const (
	streamStdout = 1
	streamStderr = 2
)

// frame returns p as one frame of Docker's multiplexed attach stream.
func frame(stream byte, p []byte) []byte {
	out := make([]byte, 8, 8+len(p))
	out[0] = stream
	binary.BigEndian.PutUint32(out[4:], uint32(len(p)))
	return append(out, p...)
}

// fakeProc is the process of a fake container: a test function drives it.
type fakeProc struct {
	c *fakeContainer
}

// write sends p on stream; it fails once the box is killed or detached.
func (p fakeProc) write(stream byte, s []byte) error {
	_, err := p.c.out.Write(frame(stream, s))
	return err
}

// killed is closed when the container is killed.
func (p fakeProc) killed() <-chan struct{} { return p.c.killed }

// fakeContainer is one container of fakeAPI.
type fakeContainer struct {
	id      string
	opts    client.ContainerCreateOptions
	copied  []byte            // the tar copied in
	files   map[string][]byte // what CopyFromContainer finds; nil data is a folder
	out     net.Conn          // the daemon's end of the attach stream
	waiters []chan container.WaitResponse
	state   string // created, running, exited, removed
	code    int
	oom     bool
	killed  chan struct{}
	kill    sync.Once
	// startedUnwatched records a start with no exit subscription.
	startedUnwatched bool
	removeOpts       client.ContainerRemoveOptions
}

// fakeAPI is an in-memory Docker Engine for the box lifecycle. Each
// container runs proc in a goroutine from start; the container exits
// with proc's code, or 137 when killed first.
type fakeAPI struct {
	proc func(p fakeProc) (code int, oom bool)

	createErr, copyErr, attachErr, startErr, killErr, pingErr error
	// ignoreTERM makes containers ignore SIGTERM.
	ignoreTERM   bool
	waitErr      error   // sent on the wait's error channel at exit
	createCtxErr error   // the create request's context's error when sent
	removeErrs   []error // answered by the first removals, one each

	mu         sync.Mutex
	containers map[string]*fakeContainer
	calls      []string
	procs      sync.WaitGroup
	closed     int

	listed   []container.Summary
	networks []network.Summary
	volumes  []volume.Volume
	removed  []string // containers, networks and volumes removed
}

func newFakeAPI(proc func(p fakeProc) (int, bool)) *fakeAPI {
	return &fakeAPI{proc: proc, containers: map[string]*fakeContainer{}}
}

func (f *fakeAPI) call(name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, name)
}

func (f *fakeAPI) callLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

// get returns the container, by id or name.
func (f *fakeAPI) get(id string) (*fakeContainer, error) {
	for _, c := range f.containers {
		if (c.id == id || c.opts.Name == id) && c.state != "removed" {
			return c, nil
		}
	}
	return nil, fmt.Errorf("No such container: %s: %w", id, cerrdefs.ErrNotFound)
}

func (f *fakeAPI) container(id string) *fakeContainer {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.containers {
		if c.id == id {
			return c
		}
	}
	return nil
}

func (f *fakeAPI) Ping(context.Context, client.PingOptions) (client.PingResult, error) {
	return client.PingResult{}, f.pingErr
}

func (f *fakeAPI) ContainerCreate(ctx context.Context, opts client.ContainerCreateOptions) (client.ContainerCreateResult, error) {
	f.call("create")
	f.mu.Lock()
	defer f.mu.Unlock()
	f.createCtxErr = ctx.Err()
	if f.createErr != nil {
		return client.ContainerCreateResult{}, f.createErr
	}
	id := fmt.Sprintf("c%d", len(f.containers)+1)
	f.containers[id] = &fakeContainer{id: id, opts: opts, state: "created", killed: make(chan struct{}), files: map[string][]byte{}}
	return client.ContainerCreateResult{ID: id, Warnings: []string{"swap limit not supported"}}, nil
}

func (f *fakeAPI) CopyToContainer(_ context.Context, id string, opts client.CopyToContainerOptions) (client.CopyToContainerResult, error) {
	f.call("copy")
	if f.copyErr != nil {
		return client.CopyToContainerResult{}, f.copyErr
	}
	data, err := io.ReadAll(opts.Content)
	if err != nil {
		return client.CopyToContainerResult{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return client.CopyToContainerResult{}, err
	}
	c.copied = data
	return client.CopyToContainerResult{}, nil
}

func (f *fakeAPI) ContainerAttach(_ context.Context, id string, _ client.ContainerAttachOptions) (client.ContainerAttachResult, error) {
	f.call("attach")
	if f.attachErr != nil {
		return client.ContainerAttachResult{}, f.attachErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return client.ContainerAttachResult{}, err
	}
	daemon, caller := net.Pipe()
	c.out = daemon
	return client.ContainerAttachResult{HijackedResponse: client.NewHijackedResponse(caller, "application/vnd.docker.multiplexed-stream")}, nil
}

// ContainerWait behaves as the real client's: the result channel is
// unbuffered, the error channel holds one, and exactly one of them gets a
// value.
func (f *fakeAPI) ContainerWait(ctx context.Context, id string, _ client.ContainerWaitOptions) client.ContainerWaitResult {
	f.call("wait")
	resultC := make(chan container.WaitResponse)
	errC := make(chan error, 1)
	f.mu.Lock()
	c, err := f.get(id)
	var exited chan container.WaitResponse
	if err == nil {
		exited = make(chan container.WaitResponse, 1)
		c.waiters = append(c.waiters, exited)
	}
	waitErr := f.waitErr
	f.mu.Unlock()
	if err != nil {
		errC <- err
		return client.ContainerWaitResult{Result: resultC, Error: errC}
	}
	go func() {
		select {
		case r := <-exited:
			if waitErr != nil {
				errC <- waitErr
				return
			}
			resultC <- r
		case <-ctx.Done():
			errC <- ctx.Err()
		}
	}()
	return client.ContainerWaitResult{Result: resultC, Error: errC}
}

func (f *fakeAPI) ContainerStart(_ context.Context, id string, _ client.ContainerStartOptions) (client.ContainerStartResult, error) {
	f.call("start")
	if f.startErr != nil {
		return client.ContainerStartResult{}, f.startErr
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return client.ContainerStartResult{}, err
	}
	c.state = "running"
	c.startedUnwatched = len(c.waiters) == 0
	f.procs.Go(func() {
		code, oom := f.proc(fakeProc{c: c})
		f.exit(c, code, oom)
	})
	return client.ContainerStartResult{}, nil
}

// exit ends a running container: its stream closes, its waiters hear.
func (f *fakeAPI) exit(c *fakeContainer, code int, oom bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c.state != "running" {
		return
	}
	c.state, c.code, c.oom = "exited", code, oom
	if c.out != nil {
		c.out.Close()
	}
	for _, w := range c.waiters {
		w <- container.WaitResponse{StatusCode: int64(code)}
	}
	c.waiters = nil
}

func (f *fakeAPI) ContainerKill(_ context.Context, id string, opts client.ContainerKillOptions) (client.ContainerKillResult, error) {
	f.call("kill " + opts.Signal)
	if f.killErr != nil {
		return client.ContainerKillResult{}, f.killErr
	}
	f.mu.Lock()
	c, err := f.get(id)
	if err != nil {
		f.mu.Unlock()
		return client.ContainerKillResult{}, err
	}
	if c.state != "running" {
		f.mu.Unlock()
		return client.ContainerKillResult{}, fmt.Errorf("container %s is not running: %w", id, cerrdefs.ErrConflict)
	}
	if opts.Signal == "SIGTERM" {
		ignore := f.ignoreTERM
		if !ignore {
			c.kill.Do(func() { close(c.killed) })
		}
		f.mu.Unlock()
		if !ignore {
			f.exit(c, 143, false)
		}
		return client.ContainerKillResult{}, nil
	}
	c.kill.Do(func() { close(c.killed) })
	f.mu.Unlock()
	f.exit(c, 137, false)
	return client.ContainerKillResult{}, nil
}

func (f *fakeAPI) ContainerInspect(_ context.Context, id string, _ client.ContainerInspectOptions) (client.ContainerInspectResult, error) {
	f.call("inspect")
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return client.ContainerInspectResult{}, err
	}
	st := &container.State{Running: c.state == "running", ExitCode: c.code, OOMKilled: c.oom}
	return client.ContainerInspectResult{Container: container.InspectResponse{ID: c.id, State: st}}, nil
}

func (f *fakeAPI) ContainerRemove(_ context.Context, id string, opts client.ContainerRemoveOptions) (client.ContainerRemoveResult, error) {
	f.call("remove")
	f.mu.Lock()
	if len(f.removeErrs) > 0 {
		err := f.removeErrs[0]
		f.removeErrs = f.removeErrs[1:]
		f.mu.Unlock()
		return client.ContainerRemoveResult{}, err
	}
	c, err := f.get(id)
	if err != nil {
		defer f.mu.Unlock()
		for _, l := range f.listed {
			if l.ID == id {
				f.removed = append(f.removed, id)
				return client.ContainerRemoveResult{}, nil
			}
		}
		return client.ContainerRemoveResult{}, err
	}
	f.removed = append(f.removed, id)
	c.removeOpts = opts
	running := c.state == "running"
	if running {
		c.kill.Do(func() { close(c.killed) })
	}
	f.mu.Unlock()
	if running {
		f.exit(c, 137, false)
	}
	f.mu.Lock()
	c.state = "removed"
	f.mu.Unlock()
	return client.ContainerRemoveResult{}, nil
}

func (f *fakeAPI) CopyFromContainer(_ context.Context, id string, opts client.CopyFromContainerOptions) (client.CopyFromContainerResult, error) {
	f.call("copy-out")
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.get(id)
	if err != nil {
		return client.CopyFromContainerResult{}, err
	}
	data, ok := c.files[opts.SourcePath]
	if !ok {
		return client.CopyFromContainerResult{}, fmt.Errorf("Could not find the file %s in container %s: %w", opts.SourcePath, id, cerrdefs.ErrNotFound)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if data == nil {
		_ = tw.WriteHeader(&tar.Header{Name: "dir/", Typeflag: tar.TypeDir, Mode: 0o755})
	} else {
		_ = tw.WriteHeader(&tar.Header{Name: "file", Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(data))})
		_, _ = tw.Write(data)
	}
	_ = tw.Close()
	return client.CopyFromContainerResult{Content: io.NopCloser(&buf)}, nil
}

func (f *fakeAPI) ContainerList(context.Context, client.ContainerListOptions) (client.ContainerListResult, error) {
	f.call("list")
	return client.ContainerListResult{Items: f.listed}, nil
}

func (f *fakeAPI) VolumeList(context.Context, client.VolumeListOptions) (client.VolumeListResult, error) {
	return client.VolumeListResult{Items: f.volumes}, nil
}

func (f *fakeAPI) VolumeRemove(_ context.Context, name string, _ client.VolumeRemoveOptions) (client.VolumeRemoveResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, name)
	return client.VolumeRemoveResult{}, nil
}

func (f *fakeAPI) NetworkList(context.Context, client.NetworkListOptions) (client.NetworkListResult, error) {
	return client.NetworkListResult{Items: f.networks}, nil
}

func (f *fakeAPI) NetworkRemove(_ context.Context, id string, _ client.NetworkRemoveOptions) (client.NetworkRemoveResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, id)
	if id == "busy-net" {
		return client.NetworkRemoveResult{}, fmt.Errorf("network %s has active endpoints: %w", id, cerrdefs.ErrPermissionDenied)
	}
	return client.NetworkRemoveResult{}, nil
}

func (f *fakeAPI) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed++
	return nil
}

var _ dockerAPI = (*fakeAPI)(nil)

// ImageInspect finds every image, with no entry point.
func (f *fakeAPI) ImageInspect(_ context.Context, _ string, _ ...client.ImageInspectOption) (client.ImageInspectResult, error) {
	return client.ImageInspectResult{}, nil
}
