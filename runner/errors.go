package runner

import (
	"errors"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
)

// ErrClosed is returned by Start after Close.
var ErrClosed = errors.New("sandbox closed")

// ErrBoxLost is wrapped by Wait when something other than the box's own
// process or this sandbox ended it: the container was removed, or its
// process was SIGKILLed from outside (docker kill, docker rm -f, another
// process's reaper, the daemon restarting). That is a service fault, never
// a verdict on the learner's code.
//
// A box's process is PID 1 of its own PID namespace, and the kernel drops
// SIGKILL sent to it from inside that namespace, so its code cannot
// SIGKILL itself: exit status 137 that neither the kernel's OOM killer
// nor this sandbox (a limit, Kill, Close, a cancelled Wait) caused came
// from outside. A process that calls exit(137) itself is taken for the
// same thing; the Go toolchain and test2json never do.
var ErrBoxLost = errors.New("box killed or removed from outside")

// isGone reports whether a Docker error says the container is already
// stopped, removed or being removed, which kill and remove treat as done.
// The daemon classifies these as NotFound or Conflict; the messages are
// matched too, as older daemons and proxies do not always keep the class.
func isGone(err error) bool {
	if err == nil {
		return false
	}
	if cerrdefs.IsNotFound(err) || cerrdefs.IsConflict(err) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "No such container") || strings.Contains(msg, "is not running") ||
		strings.Contains(msg, "removal of container") && strings.Contains(msg, "already in progress")
}

// isRemoved reports whether a Docker error says the container does not
// exist (any more).
func isRemoved(err error) bool {
	return err != nil && (cerrdefs.IsNotFound(err) || strings.Contains(err.Error(), "No such container"))
}
