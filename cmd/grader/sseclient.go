package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gradebox/grader/grader"
)

// This file reads a submission's progress as Server-Sent Events: a small
// parser of the wire format (sseReader) and a follower that resumes the
// stream with Last-Event-ID when it drops, until the done event.

const (
	// sseMaxLine caps one line of an event stream.
	sseMaxLine = 1 << 20
	// sseMaxData caps the data of one event across its data lines.
	sseMaxData = 8 << 20
)

// sseEvent is one dispatched event of an event stream.
type sseEvent struct {
	// ID is the stream's last event id once this event arrived: its own id
	// field, or the one inherited from an earlier event.
	ID string
	// HasID is set when the event carried an id field of its own.
	HasID bool
	// Type is the event field, "message" when there was none.
	Type string
	// Data is the data lines joined with "\n".
	Data string
}

// sseReader parses the text/event-stream format as the WHATWG HTML
// standard describes it: lines end in LF, CR or CRLF, a leading BOM is
// dropped, ":" lines are comments (heartbeats), an empty line dispatches
// the event, and an unfinished event at the end of the stream is dropped.
type sseReader struct {
	sc     *bufio.Scanner
	first  bool
	lastID string
	// retry is the latest reconnection time the server asked for; zero if
	// it never did.
	retry time.Duration
}

func newSSEReader(r io.Reader) *sseReader {
	sc := bufio.NewScanner(r)
	// Room for a full line and its CRLF.
	sc.Buffer(make([]byte, 0, 4096), sseMaxLine+2)
	sc.Split(scanSSELines)
	return &sseReader{sc: sc, first: true}
}

// scanSSELines is a bufio.SplitFunc for lines ending in LF, CR or CRLF.
func scanSSELines(data []byte, atEOF bool) (int, []byte, error) {
	if atEOF && len(data) == 0 {
		return 0, nil, nil
	}
	if i := bytes.IndexAny(data, "\r\n"); i >= 0 {
		if data[i] == '\n' {
			return i + 1, data[:i], nil
		}
		if i+1 < len(data) {
			if data[i+1] == '\n' {
				return i + 2, data[:i], nil
			}
			return i + 1, data[:i], nil
		}
		if atEOF {
			return i + 1, data[:i], nil
		}
		// A CR at the end of what was read: the next byte tells CR from CRLF.
		return 0, nil, nil
	}
	if atEOF {
		return len(data), data, nil
	}
	return 0, nil, nil
}

// Next returns the next event. It returns io.EOF at the end of the
// stream, and an error for a line longer than sseMaxLine or an event whose
// data exceeds sseMaxData.
func (r *sseReader) Next() (sseEvent, error) {
	var data strings.Builder
	hasData, hasID := false, false
	typ := ""
	for r.sc.Scan() {
		line := r.sc.Text()
		if r.first {
			r.first = false
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if line == "" {
			if !hasData {
				typ, hasID = "", false
				continue
			}
			if typ == "" {
				typ = "message"
			}
			return sseEvent{ID: r.lastID, HasID: hasID, Type: typ, Data: strings.TrimSuffix(data.String(), "\n")}, nil
		}
		if line[0] == ':' {
			continue
		}
		field, value, found := strings.Cut(line, ":")
		if found {
			value = strings.TrimPrefix(value, " ")
		}
		switch field {
		case "event":
			typ = value
		case "data":
			if data.Len()+len(value)+1 > sseMaxData {
				return sseEvent{}, fmt.Errorf("event stream: an event's data is longer than %d bytes", sseMaxData)
			}
			data.WriteString(value)
			data.WriteByte('\n')
			hasData = true
		case "id":
			if !strings.Contains(value, "\x00") {
				r.lastID, hasID = value, true
			}
		case "retry":
			if value != "" && strings.Trim(value, "0123456789") == "" {
				if ms, err := strconv.ParseInt(value, 10, 64); err == nil {
					r.retry = time.Duration(ms) * time.Millisecond
				}
			}
		}
	}
	if err := r.sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return sseEvent{}, fmt.Errorf("event stream: a line is longer than %d bytes", sseMaxLine)
		}
		return sseEvent{}, fmt.Errorf("read event stream: %w", err)
	}
	return sseEvent{}, io.EOF
}

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
	r := newSSEReader(&activityReader{r: resp.Body, t: watchdog, d: streamIdle})
	for {
		ev, err := r.Next()
		f.lastID = r.lastID
		if r.retry > 0 {
			f.retry = r.retry
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
