package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"

	"github.com/gradebox/grader/grader"
)

// drainTimeout bounds how long Wait waits, once the process has ended,
// for the rest of its output to arrive.
const drainTimeout = 5 * time.Second

// errCopyDone stops the tar writer when the copy ended early.
var errCopyDone = errors.New("copy finished")

// box is a started container. Two goroutines serve it, both stopped by
// Close: drain copies the attach stream into the capped writers, monitor
// waits for the process, enforces the timeout and the output cap, and
// records the Exit.
type box struct {
	d    *Docker
	api  dockerAPI
	log  *slog.Logger
	id   string
	spec grader.BoxSpec

	stdout, stderr *cappedWriter
	overflow       chan struct{} // closed when a stream passes its cap
	overflowOnce   sync.Once
	attach         client.HijackedResponse
	drained        chan struct{} // closed when the attach stream copy ends
	stopWait       context.CancelFunc
	started        time.Time
	// killing is set before this sandbox sends the box SIGKILL, so that
	// a kill from outside can be told from ours.
	killing atomic.Bool

	done chan struct{} // closed once exit and err are final
	exit grader.Exit
	err  error

	closeOnce sync.Once
	closeErr  error

	costsMu sync.Mutex
	costs   grader.BoxCosts
}

var _ grader.Coster = (*box)(nil)

// Costs returns what the box cost so far; see grader.Coster.
func (b *box) Costs() grader.BoxCosts {
	b.costsMu.Lock()
	defer b.costsMu.Unlock()
	return b.costs
}

// addCosts adds to the box's costs.
func (b *box) addCosts(c grader.BoxCosts) {
	b.costsMu.Lock()
	defer b.costsMu.Unlock()
	b.costs.Acquire += c.Acquire
	b.costs.CopyIn += c.CopyIn
	b.costs.CopyOut += c.CopyOut
}

func newBox(d *Docker, id string, spec grader.BoxSpec, log *slog.Logger) *box {
	b := &box{d: d, api: d.api, log: log, id: id, spec: spec, overflow: make(chan struct{}), drained: make(chan struct{}), done: make(chan struct{})}
	exceeded := func() { b.overflowOnce.Do(func() { close(b.overflow) }) }
	b.stdout = newCappedWriter(spec.OutputBytes, spec.Stdout, exceeded)
	b.stderr = newCappedWriter(spec.OutputBytes, nil, exceeded)
	return b
}

// ID returns the container's ID.
func (b *box) ID() string { return b.id }

// start copies the files in, attaches to the output, subscribes to the
// exit and starts the process. On error the goroutines it began have
// stopped; the caller removes the container.
func (b *box) start(ctx context.Context) error {
	if err := b.copyIn(ctx); err != nil {
		return err
	}
	// Attach before start: nothing the process prints is missed, and the
	// log driver can stay off.
	return b.run(ctx, false, func() error {
		if _, err := b.api.ContainerStart(ctx, b.id, client.ContainerStartOptions{}); err != nil {
			return fmt.Errorf("start container %s: %w", b.id, err)
		}
		return nil
	})
}

// startWarm hands a warm box of the pool to this box's job: it copies
// the files in, attaches to the waiting shell's input and output,
// subscribes to the exit, and sends the shell the job's environment and
// command, which replaces it. A Prestart box's process runs already: it
// is attached to and watched. On error the goroutines it began have
// stopped; the caller removes the container.
func (b *box) startWarm(ctx context.Context) error {
	// A warm box whose process ended (killed from outside, or crashed)
	// would never exit again: a wait for its next exit would hang.
	insp, err := b.api.ContainerInspect(ctx, b.id, client.ContainerInspectOptions{})
	if err != nil {
		return fmt.Errorf("inspect warm container %s: %w", b.id, err)
	}
	if st := insp.Container.State; st == nil || !st.Running {
		return fmt.Errorf("warm container %s is no longer running", b.id)
	}
	if err := b.copyIn(ctx); err != nil {
		return err
	}
	// A Prestart box runs its own process already: it gets no input.
	if b.spec.Prestart {
		return b.run(ctx, false, func() error { return nil })
	}
	return b.run(ctx, true, func() error {
		_, err := b.attach.Conn.Write(handOverScript(b.spec))
		if err == nil {
			err = b.attach.CloseWrite()
		}
		if err != nil {
			return fmt.Errorf("hand the job to warm container %s: %w", b.id, err)
		}
		return nil
	})
}

// copyIn copies spec.Files in, if any, and counts the time it took.
func (b *box) copyIn(ctx context.Context) error {
	if len(b.spec.Files) == 0 {
		return nil
	}
	copyStart := time.Now()
	if err := b.copyFiles(ctx); err != nil {
		return err
	}
	b.addCosts(grader.BoxCosts{CopyIn: time.Since(copyStart)})
	return nil
}

// run attaches to the box's output (and input, when stdin is set),
// subscribes to its next exit, calls launch to set its process going,
// then starts the timeout and the goroutine that records the Exit. When
// launch fails, the goroutines it began have stopped and its error is
// returned.
func (b *box) run(ctx context.Context, stdin bool, launch func() error) error {
	att, err := b.api.ContainerAttach(ctx, b.id, client.ContainerAttachOptions{Stream: true, Stdin: stdin, Stdout: true, Stderr: true})
	if err != nil {
		return fmt.Errorf("attach to container %s: %w", b.id, err)
	}
	b.attach = att.HijackedResponse
	go b.drain()
	// Subscribe before launch so even an instant exit is seen. The wait
	// outlives the caller's context: Wait handles that one itself, and
	// Close cancels this one.
	waitCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	b.stopWait = stop
	wait := b.api.ContainerWait(waitCtx, b.id, client.ContainerWaitOptions{Condition: container.WaitConditionNextExit})
	if err := launch(); err != nil {
		stop()
		// The client's wait goroutine sends exactly one of the two.
		select {
		case <-wait.Result:
		case <-wait.Error:
		}
		b.attach.Close()
		<-b.drained
		return err
	}
	b.started = time.Now()
	var timer *time.Timer
	if b.spec.Timeout > 0 {
		timer = time.NewTimer(b.spec.Timeout)
	}
	go b.monitor(wait, timer)
	return nil
}

// copyFiles streams spec.Files as a tar into FilesDir, so large files
// are not held twice. Ownership comes from the tar headers: the daemon
// keeps them without CopyUIDGID, which would instead chown everything to
// the box's user and fails for a numeric user missing from the image's
// passwd ("getent unable to find entry").
func (b *box) copyFiles(ctx context.Context) error {
	pr, pw := io.Pipe()
	packed := make(chan error, 1)
	go func() {
		err := writeFilesTar(pw, b.spec.Files)
		pw.CloseWithError(err)
		packed <- err
	}()
	_, err := b.api.CopyToContainer(ctx, b.id, client.CopyToContainerOptions{DestinationPath: b.spec.FilesDir, Content: pr})
	// Unblocks the writer if the copy stopped reading early.
	pr.CloseWithError(errCopyDone)
	if perr := <-packed; perr != nil && !errors.Is(perr, errCopyDone) {
		return fmt.Errorf("pack files for container %s: %w", b.id, perr)
	}
	if err != nil {
		return fmt.Errorf("copy files into container %s: %w", b.id, err)
	}
	return nil
}

// drain demultiplexes the attach stream into the capped writers until the
// stream ends or Close closes it.
func (b *box) drain() {
	defer close(b.drained)
	if _, err := stdcopy.StdCopy(b.stdout, b.stderr, b.attach.Reader); err != nil {
		b.log.Debug("output stream ended", "container_id", b.id, "err", err)
	}
}

// monitor waits for the process to end, killing it when the timeout fires
// (timer, if not nil) or the output passes its cap, then records the Exit.
func (b *box) monitor(wait client.ContainerWaitResult, timer *time.Timer) {
	defer close(b.done)
	var timeout <-chan time.Time
	if timer != nil {
		defer timer.Stop()
		timeout = timer.C
	}
	overflow := b.overflow
	code := -1
	var timedOut, exceeded bool
	var err error
loop:
	for {
		select {
		case r := <-wait.Result:
			code = int(r.StatusCode)
			if r.Error != nil && r.Error.Message != "" {
				err = fmt.Errorf("wait for container %s: %s", b.id, r.Error.Message)
			}
			break loop
		case werr := <-wait.Error:
			err = fmt.Errorf("wait for container %s: %w", b.id, werr)
			b.kill()
			break loop
		case <-timeout:
			timedOut, timeout = true, nil
			b.kill()
		case <-overflow:
			exceeded, overflow = true, nil
			b.kill()
		}
	}
	duration := time.Since(b.started)
	// The stream ends with the process; bound the wait in case the daemon
	// keeps it open.
	t := time.NewTimer(drainTimeout)
	select {
	case <-b.drained:
	case <-t.C:
		b.log.Warn("output stream still open after exit", "container_id", b.id)
	}
	t.Stop()
	b.attach.Close()
	<-b.drained

	ctx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
	defer cancel()
	oom := false
	insp, ierr := b.api.ContainerInspect(ctx, b.id, client.ContainerInspectOptions{})
	switch {
	case ierr != nil && isGone(ierr):
		err = fmt.Errorf("%w: container %s is gone: %w", ErrBoxLost, b.id, ierr)
	case ierr != nil:
		if err == nil {
			err = fmt.Errorf("inspect container %s: %w", b.id, ierr)
		}
	case insp.Container.State != nil:
		st := insp.Container.State
		oom = st.OOMKilled
		if code < 0 {
			code = st.ExitCode
		}
		switch {
		case st.Status == container.StateRemoving || st.Status == container.StateDead:
			err = fmt.Errorf("%w: container %s is %s", ErrBoxLost, b.id, st.Status)
		case err == nil && code == sigkillStatus && !oom && !b.killing.Load():
			err = fmt.Errorf("%w: container %s was SIGKILLed, not by the grader", ErrBoxLost, b.id)
		}
	}
	b.exit = grader.Exit{
		Code:           code,
		TimedOut:       timedOut,
		OOMKilled:      oom,
		OutputExceeded: exceeded,
		Stdout:         b.stdout.output(),
		Stderr:         b.stderr.output(),
		Duration:       duration,
	}
	b.err = err
}

// Wait returns how the box's process ended; see grader.Box. It is safe
// for concurrent callers, who all get the same Exit.
func (b *box) Wait(ctx context.Context) (grader.Exit, error) {
	select {
	case <-b.done:
		return b.exit, b.err
	case <-ctx.Done():
	}
	b.kill()
	// Give the kill a moment to land, so the box is stopped on return.
	t := time.NewTimer(teardownTimeout)
	defer t.Stop()
	select {
	case <-b.done:
	case <-t.C:
	}
	return grader.Exit{}, ctx.Err()
}

// sigkillStatus is the exit status of a process ended by SIGKILL.
const sigkillStatus = 128 + 9

// Kill stops the process at once with SIGKILL. A box already stopped or
// removed is no error.
func (b *box) Kill(ctx context.Context) error {
	b.killing.Store(true)
	_, err := b.api.ContainerKill(ctx, b.id, client.ContainerKillOptions{Signal: "SIGKILL"})
	if err != nil && !isGone(err) {
		return fmt.Errorf("kill container %s: %w", b.id, err)
	}
	return nil
}

// Stop asks the process to end with SIGTERM and kills it when it has not
// ended within grace; see grader.Stopper. A box already stopped or
// removed is no error.
func (b *box) Stop(ctx context.Context, grace time.Duration) error {
	b.killing.Store(true)
	_, err := b.api.ContainerKill(ctx, b.id, client.ContainerKillOptions{Signal: "SIGTERM"})
	if err != nil && !isGone(err) {
		return fmt.Errorf("stop container %s: %w", b.id, err)
	}
	t := time.NewTimer(grace)
	defer t.Stop()
	select {
	case <-b.done:
		return nil
	case <-t.C:
	case <-ctx.Done():
	}
	return b.Kill(ctx)
}

// kill is Kill on a fresh bounded context, logging a failure.
func (b *box) kill() {
	ctx, cancel := context.WithTimeout(context.Background(), teardownTimeout)
	defer cancel()
	if err := b.Kill(ctx); err != nil {
		b.log.Warn("kill box", "container_id", b.id, "err", err)
	}
}

// ReadFile copies one regular file of at most maxBytes out of the box;
// see grader.Box. Errors wrap ErrNotRegular, ErrTooLarge, or the daemon's
// NotFound for a missing file.
func (b *box) ReadFile(ctx context.Context, path string, maxBytes int64) ([]byte, error) {
	start := time.Now()
	defer func() { b.addCosts(grader.BoxCosts{CopyOut: time.Since(start)}) }()
	return readFile(ctx, b.api, b.id, path, maxBytes)
}

// Close kills the box, stops its goroutines and removes the container
// with its volume, on fresh bounded contexts. Later calls return the
// first call's result.
func (b *box) Close() error {
	b.closeOnce.Do(func() {
		b.kill()
		t := time.NewTimer(teardownTimeout)
		select {
		case <-b.done:
		case <-t.C:
			b.log.Warn("box did not stop in time", "container_id", b.id)
			// Ends the daemon wait, so the monitor finishes.
			b.stopWait()
			<-b.done
		}
		t.Stop()
		b.stopWait()
		b.closeErr = b.d.remove(b.id)
		b.d.untrack(b)
	})
	return b.closeErr
}
