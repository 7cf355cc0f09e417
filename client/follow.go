package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/sse"
)

// follower reads one submission's event stream up to its done event,
// across reconnects.
type follower struct {
	c       *Client
	id      string
	onEvent func(grader.Event)
	lastID  string
	// seen holds the ids of events already handed to onEvent, so a server
	// that resumes with an overlap hands nothing on twice.
	seen  map[string]bool
	retry time.Duration
}

// Follow reads submission id's Server-Sent Events, calling onEvent (when
// set) for each one before done, and returns the done event's result (nil
// if it carried none or an unreadable one, so the caller reads the
// submission instead). A dropped stream, or one silent for
// Config.StreamIdle, is resumed with Last-Event-ID, up to
// Config.MaxReconnects times in a row without a new event, waiting at
// least what an answer's Retry-After asks; an answer other than a 5xx,
// 408 or 429 ends it at once.
func (c *Client) Follow(ctx context.Context, id string, onEvent func(grader.Event)) (*grader.Result, error) {
	if !ValidID(id) {
		return nil, fmt.Errorf("%q is not a submission id", clean(id))
	}
	if onEvent == nil {
		onEvent = func(grader.Event) {}
	}
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
		if !Retryable(err) {
			return nil, err
		}
		if c.cfg.MaxReconnects == 0 {
			return nil, fmt.Errorf("follow the events of %s: %w", id, err)
		}
		if progressed {
			failures = 0
		} else {
			failures++
		}
		if failures > c.cfg.MaxReconnects {
			return nil, fmt.Errorf("follow the events of %s: %d reconnects in a row brought nothing: %w", id, c.cfg.MaxReconnects, err)
		}
		delay := c.retryDelay(failures)
		if f.retry > 0 {
			delay = min(f.retry, MaxServerRetry)
		}
		if ae, ok := AsError(err); ok && ae.RetryAfter > delay {
			// A stream cap (429) or a busy service (503) says when.
			delay = min(ae.RetryAfter, MaxServerRetry)
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
	idle := f.c.cfg.StreamIdle
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	watchdog := time.AfterFunc(idle, cancel)
	defer watchdog.Stop()

	h := map[string]string{"Accept": "text/event-stream", "Cache-Control": "no-cache"}
	if f.lastID != "" {
		h["Last-Event-ID"] = f.lastID
	}
	resp, cancelCall, err := f.c.do(cctx, call{method: http.MethodGet, url: f.c.URL("v1", "submissions", f.id, "events"), header: h,
		stream: true, want: []int{http.StatusOK}})
	if _, answered := AsError(err); answered {
		return false, false, nil, err
	}
	if err != nil {
		return false, false, nil, f.silence(ctx, cctx, fmt.Errorf("open the event stream: %w", err))
	}
	defer cancelCall()
	defer resp.Body.Close()
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt != "text/event-stream" {
		return false, false, nil, fmt.Errorf("the events URL answered %q, not an event stream", clean(resp.Header.Get("Content-Type")))
	}
	r := sse.NewReader(&activityReader{r: resp.Body, t: watchdog, d: idle})
	for {
		ev, err := r.Next()
		f.lastID = r.LastID()
		if r.Retry() > 0 {
			f.retry = r.Retry()
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = ErrStreamEnded
			}
			return progressed, false, nil, f.silence(ctx, cctx, err)
		}
		if ev.HasID {
			if f.seen[ev.ID] {
				continue
			}
			f.seen[ev.ID] = true
		}
		var se wire.Event
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
		return fmt.Errorf("the event stream was silent for %s", f.c.cfg.StreamIdle)
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
