package grader

import (
	"context"
	"io"
	"io/fs"
	"time"
)

// SandboxUser is the numeric user:group every box runs as unless its spec
// says otherwise. It owns nothing in the images but the folders a build
// must write.
const SandboxUser = "65534:65534"

// Sandbox starts isolated containers ("boxes") for the Engine. Package
// runner implements it on the Docker Engine API.
type Sandbox interface {
	// Start creates a box from spec, copies spec.Files into it, starts its
	// process and returns without waiting for it. The caller must Close the
	// box. An error means the sandbox itself failed (a service fault); the
	// box, if any was created, has been removed.
	Start(ctx context.Context, spec BoxSpec) (Box, error)
}

// Box is a started container.
type Box interface {
	// ID identifies the box; other boxes join its network namespace by it.
	ID() string
	// Wait blocks until the box's process exits and returns how it ended.
	// When spec.Timeout passes first the box is killed and Exit.TimedOut
	// is set; when its output passes spec.OutputBytes it is killed and
	// Exit.OutputExceeded is set. Those are verdicts, not errors. When ctx
	// is done first, the box is killed and ctx.Err() is returned. Calling
	// Wait again returns the same Exit.
	Wait(ctx context.Context) (Exit, error)
	// Kill stops the box's process at once (SIGKILL), if it still runs.
	// Wait then returns its Exit.
	Kill(ctx context.Context) error
	// ReadFile copies one regular file out of the box, running or exited.
	// It fails if the file is missing or larger than maxBytes.
	ReadFile(ctx context.Context, path string, maxBytes int64) ([]byte, error)
	// Close kills the box if needed and removes it with everything it
	// created. It is safe to call more than once and works even when the
	// caller's context is already done.
	Close() error
}

// BoxCosts is what one box cost its job in the sandbox's own work, for
// the result's timings: the learner's or the grader's processes in it are
// not counted.
type BoxCosts struct {
	// Acquire is getting a started box: creating and starting the
	// container, its files copied in.
	Acquire time.Duration
	// CopyIn is the part of Acquire spent copying spec.Files in.
	CopyIn time.Duration
	// CopyOut is the time spent in ReadFile.
	CopyOut time.Duration
}

// Coster is a Box that reports its costs so far.
type Coster interface {
	Costs() BoxCosts
}

// Stopper is a Box that can end its process gracefully. The Engine uses
// it to restart a learner's service (a step with restart: true); a Box
// without it is killed instead.
type Stopper interface {
	// Stop sends the process SIGTERM and kills it when it has not ended
	// within grace (or when ctx is done first). A box already stopped is
	// no error. Wait then returns its Exit, which is not a kill by a limit.
	Stop(ctx context.Context, grace time.Duration) error
}

// BoxSpec describes a box. Every box runs with all capabilities dropped,
// no new privileges, memory equal to memory plus swap, a CPU quota, a pids
// limit and a size-limited writable /tmp (exec allowed, owned by the
// sandbox user).
type BoxSpec struct {
	// Job labels the box so everything a job made can be found and removed.
	Job string
	// Role names the box's part in the job: "build", "test", "service",
	// "tester", "net", "fixture-redis", ...
	Role  string
	Image string
	Cmd   []string
	// Env is the process's environment on top of the image's own (the
	// image sets only PATH and toolchain variables).
	Env     []string
	WorkDir string
	// User is "uid:gid"; SandboxUser when empty.
	User string

	// Files are copied into FilesDir before the box starts.
	Files []File
	// FilesDir is where Files go ("/work" by default). With a read-only
	// root it is a fresh volume of the box's own.
	FilesDir string
	// WritableRoot leaves the root filesystem writable. The images own
	// nothing by the sandbox user but its caches, so in practice only those
	// folders, FilesDir and /tmp are writable. Needed by the Go toolchain,
	// whose build cache must be writable.
	WritableRoot bool

	// ReadOnly are volumes mounted read-only into the box, shared by
	// boxes of every job (a toolchain, never learner data).
	ReadOnly []VolumeMount

	// Network is "" for a box with no network but loopback, or the ID of
	// a box whose network namespace this box joins.
	Network string
	// Hosts are extra host-name entries ("name:address") of a box with its
	// own namespace; boxes that join it share them.
	Hosts []string

	MemoryBytes int64
	// NanoCPUs is the CPU quota in billionths of a core.
	NanoCPUs int64
	Pids     int64
	// TmpfsBytes sizes /tmp.
	TmpfsBytes int64
	// OutputBytes caps what is kept of stdout and of stderr each; past
	// it the box is killed and Exit.OutputExceeded set. Zero: 1 MiB.
	OutputBytes int64
	// Timeout is the wall-clock limit from start; zero means none.
	Timeout time.Duration
	// Stdout, when set, receives the box's stdout as it is written (up to
	// OutputBytes), besides Exit.Stdout.
	Stdout io.Writer
	// Prestart says the box's process takes nothing of the job (no Files,
	// a fixed Cmd and Env, no output anyone reads before Start returns):
	// a sandbox may run it ahead of need and hand the running box over,
	// as the network holder of an http suite. Its Timeout counts from the
	// hand-over.
	Prestart bool
}

// VolumeMount mounts a Docker volume into a box.
type VolumeMount struct {
	// Volume names the volume.
	Volume string
	// Target is where it appears in the box.
	Target string
}

// File is a file or folder copied into a box.
type File struct {
	// Name is the slash-separated path below BoxSpec.FilesDir.
	Name string
	// Mode holds the permission bits, and fs.ModeDir for a folder.
	Mode fs.FileMode
	Data []byte
	// Writable makes the sandbox user the owner; otherwise root owns it.
	Writable bool
}

// Exit is how a box's process ended.
type Exit struct {
	Code           int
	TimedOut       bool
	OOMKilled      bool
	OutputExceeded bool
	Stdout         Output
	Stderr         Output
	Duration       time.Duration
}

// Killed reports whether the box was stopped by a limit rather than
// exiting on its own.
func (e Exit) Killed() bool { return e.TimedOut || e.OOMKilled || e.OutputExceeded }
