package runner

import (
	"errors"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
)

// ErrClosed is returned by Start after Close.
var ErrClosed = errors.New("sandbox closed")

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
