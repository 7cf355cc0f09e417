package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"

	"github.com/gradebox/grader/client"
)

// retryBase and streamIdle configure every client of the service the
// commands make (see client.Config); tests shorten them.
var (
	retryBase  = client.DefaultRetryBase
	streamIdle = client.DefaultStreamIdle
)

// newAPIClient returns a client of the grading service at server.
func newAPIClient(server, token string, log *slog.Logger) (*client.Client, error) {
	return client.New(client.Config{Server: server, Token: token, Logger: log, RetryBase: retryBase, StreamIdle: streamIdle})
}

// apiExit is the one mapping from a failed call of the service to an
// exit status: the service refusing the request (any 4xx, a 429 that
// could not be waited out included, as docs/ci.md says) is exit 2, for
// the caller to fix; anything else is the service's fault, exit 3, with
// hint added.
func apiExit(c *client.Client, err error, hint string) error {
	if ae, ok := client.AsError(err); ok {
		if !ae.Refused() {
			return faultErr(fmt.Errorf("%w%s", ae, hint))
		}
		if ae.Status == http.StatusUnauthorized {
			return usageErr("%v; check --token or GRADER_TOKEN", ae)
		}
		return usageErr("%v", ae)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return faultErr(fmt.Errorf("cannot reach the grading service at %s: %v%s", c.Server(), ue.Err, hint))
	}
	return faultErr(fmt.Errorf("grading service at %s: %w%s", c.Server(), err, hint))
}
