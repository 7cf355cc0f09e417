package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/sse"
)

// This file reads a submission's progress as Server-Sent Events: a small
// parser of the wire format (package internal/sse) and a follower that resumes the
// stream with Last-Event-ID when it drops, until the done event.

// streamIdle is how long an event stream may stay silent (no event, no
// heartbeat) before the client drops it and reconnects.
var streamIdle = 60 * time.Second

// maxReconnects bounds consecutive reconnects that bring no new event.
const maxReconnects = 5

// maxServerRetry caps how long a server's retry: field makes us wait.
const maxServerRetry = 30 * time.Second

// errStreamEnded is a stream that ended before its done event.
var errStreamEnded = errors.New("the event stream ended before the submission was done")

// streamEvent is the data of one event of a submission's stream: a
// grader.Event and, for done, the result in the caller's view.
type streamEvent struct {
	grader.Event
	Result *grader.Result `json:"result,omitempty"`
}

// follower reads one submission's event stream up to its done event,
// across reconnects.
type follower struct {
	c       *apiClient
	id      string
	onEvent func(grader.Event)
	lastID  string
	// seen holds the ids of events already handed to onEvent, so a server
	// that resumes with an overlap prints nothing twice.
	seen  map[string]bool
	retry time.Duration
}

// follow reads submission id's events, calling onEvent for each one before
// done, and returns the done event's result (nil if it carried none, so
// the caller reads the submission instead). A dropped or silent stream is
// resumed with Last-Event-ID, up to maxReconnects times in a row without a
// new event; a 4xx answer ends it at once.
func (c *apiClient) follow(ctx context.Context, id string, onEvent func(grader.Event)) (*grader.Result, error) {
	f := &follower{c: c, id: id, onEvent: onEvent, seen: map[string]bool{}}
	failures := 0
	for {
		progressed, done, res, err := f.connect(ctx)
		if done {
			return res, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if !retryable(err) {
			return nil, err
		}
		if progressed {
			failures = 0
		} else {
			failures++
		}
		if failures > maxReconnects {
			return nil, fmt.Errorf("follow the events of %s: %d reconnects in a row brought nothing: %w", id, maxReconnects, err)
		}
		delay := retryDelay(failures)
		if f.retry > 0 {
			delay = min(f.retry, maxServerRetry)
		}
		c.log.Info("reconnecting to the event stream", "submission_id", id, "last_event_id", f.lastID, "delay", delay, "err", err)
		if err := sleepCtx(ctx, delay); err != nil {
			return nil, err
		}
	}
}

// connect reads one connection of the stream. progressed says whether it
// brought a new event; done, whether it reached the done event.
func (f *follower) connect(ctx context.Context) (progressed, done bool, res *grader.Result, err error) {
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watchdog := time.AfterFunc(streamIdle, cancel)
	defer watchdog.Stop()

	req, err := f.c.newRequest(cctx, http.MethodGet, f.c.path("v1", "submissions", f.id, "events"), nil)
	if err != nil {
		return false, false, nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Cache-Control", "no-cache")
	if f.lastID != "" {
		req.Header.Set("Last-Event-ID", f.lastID)
	}
	resp, err := f.c.http.Do(req)
	if err != nil {
		return false, false, nil, f.silence(ctx, cctx, fmt.Errorf("open the event stream: %w", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false, false, nil, readAPIError(resp)
	}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		return false, false, nil, fmt.Errorf("the events URL answered %q, not an event stream", clean(resp.Header.Get("Content-Type")))
	}
	r := sse.NewReader(&activityReader{r: resp.Body, t: watchdog, d: streamIdle})
	for {
		ev, err := r.Next()
		f.lastID = r.LastID()
		if r.Retry() > 0 {
			f.retry = r.Retry()
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = errStreamEnded
			}
			return progressed, false, nil, f.silence(ctx, cctx, err)
		}
		if ev.HasID {
			if f.seen[ev.ID] {
				continue
			}
			f.seen[ev.ID] = true
		}
		var se streamEvent
		if err := json.Unmarshal([]byte(ev.Data), &se); err != nil {
			if ev.Type == string(grader.EventDone) {
				// Done, but its result is unreadable: the caller reads
				// the submission instead.
				return true, true, nil, nil
			}
			continue
		}
		if se.Type == "" {
			se.Type = grader.EventType(ev.Type)
		}
		progressed = true
		if se.Type == grader.EventDone {
			return true, true, se.Result, nil
		}
		f.onEvent(se.Event)
	}
}

// silence names the watchdog as the cause when it cut the connection.
func (f *follower) silence(ctx, cctx context.Context, err error) error {
	if ctx.Err() == nil && cctx.Err() != nil {
		return fmt.Errorf("the event stream was silent for %s", streamIdle)
	}
	return err
}

// activityReader resets an idle timer whenever bytes arrive, heartbeats
// included.
type activityReader struct {
	r io.Reader
	t *time.Timer
	d time.Duration
}

func (a *activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.t.Reset(a.d)
	}
	return n, err
}
