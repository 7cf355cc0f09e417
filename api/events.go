package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/internal/eventhub"
)

// streamEvent is the data of one Server-Sent Event: a progress event in
// the caller's view and, for done, the result in that view too.
type streamEvent = wire.Event

// streamRetryAfter is the Retry-After of an event stream refused at a
// cap: streams end as gradings finish, within seconds.
const streamRetryAfter = 5 * time.Second

// streamEvents answers a submission's progress as Server-Sent Events:
// the stored events after Last-Event-ID (header, or ?last_event_id=),
// then new ones as the event hub hands them out, until done. Each
// event's id is its stream id, its type the event type and its data the
// event in the caller's view; hidden tests never reach a learner's
// stream. A graded submission whose stream expired gets one synthetic
// done with its result. Past the caps on open streams (per subject, in
// all) it answers 429 or 503 with Retry-After.
func (s *Server) streamEvents(c *gin.Context) {
	p := principal(c)
	if err := s.streams.take(p.Subject); err != nil {
		c.Header("Retry-After", strconv.Itoa(int(streamRetryAfter/time.Second)))
		s.abort(c, err)
		return
	}
	defer s.streams.free(p.Subject)
	rec, ok := s.visibleRecord(c, p, c.Param("id"))
	if !ok {
		return
	}
	after := c.GetHeader("Last-Event-ID")
	if after == "" {
		after = c.Query("last_event_id")
	}
	ctx := c.Request.Context()
	// Follow first, then read what is stored: nothing appended in
	// between is missed (what both hand out is sent once).
	f, evs, err := s.follow(ctx, rec.ID, after)
	if err != nil {
		// Nothing is sent yet, so a bad Last-Event-ID or a store fault
		// still gets a proper error answer.
		s.abort(c, err)
		return
	}
	defer func() { f.Close() }()
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	st := &sseStream{c: c, view: viewOf(p), last: after}
	if err := st.comment("stream of " + rec.ID); err != nil {
		return
	}
	if done, err := s.sendEvents(ctx, st, rec.ID, evs); done || err != nil {
		return
	}
	if rec.State == grader.StateGraded {
		// Graded, and its stream holds no done: expired, or never written.
		s.sendDone(ctx, st, rec.ID, grader.StoredEvent{Event: grader.Event{Type: grader.EventDone, At: rec.GradedAt}})
		return
	}
	// The first heartbeat comes after a random part of the period, so
	// that streams opened together (clients reconnecting after a
	// restart) do not beat together ever after.
	heartbeat := time.NewTimer(s.cfg.Heartbeat/2 + rand.N(s.cfg.Heartbeat/2+1))
	defer heartbeat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-heartbeat.C:
			if err := st.comment("heartbeat"); err != nil {
				return
			}
			heartbeat.Reset(s.cfg.Heartbeat)
		case batch, open := <-f.Events():
			if !open {
				if !f.Lagged() {
					return // the hub stopped: the service is shutting down
				}
				// Too slow for the hub: catch up from the store.
				again, missed, err := s.follow(ctx, rec.ID, st.last)
				if err != nil {
					if ctx.Err() == nil {
						s.log.Error("catch up an event stream", "submission_id", rec.ID, "err", err)
					}
					return
				}
				f, batch = again, missed
			}
			if done, err := s.sendEvents(ctx, st, rec.ID, batch); done || err != nil {
				return
			}
			heartbeat.Reset(s.cfg.Heartbeat)
		}
	}
}

// follow registers with the event hub, then reads the stored events after
// after. The caller closes the follower.
func (s *Server) follow(ctx context.Context, id, after string) (*eventhub.Follower, []grader.StoredEvent, error) {
	if s.cfg.Events == nil {
		return nil, nil, Errorf(CodeUnavailable, "this server follows no events; poll GET /v1/submissions/%s", id)
	}
	f, err := s.cfg.Events.Follow(id, after)
	if err != nil {
		return nil, nil, Errorf(CodeUnavailable, "the service is shutting down; follow again in a moment").withCause(err)
	}
	evs, err := s.cfg.Store.Events(ctx, id, after)
	if err != nil {
		f.Close()
		if errors.Is(err, grader.ErrInvalidEventID) {
			return nil, nil, Errorf(CodeInvalidRequest, "Last-Event-ID %.40q is not an event id of this stream; send the id of the last event you got, or none", after)
		}
		return nil, nil, fmt.Errorf("read events of %s: %w", id, err)
	}
	return f, evs, nil
}

// sendEvents sends the events of evs the stream has not sent yet, up to
// and including a done, and reports whether it sent a done.
func (s *Server) sendEvents(ctx context.Context, st *sseStream, id string, evs []grader.StoredEvent) (bool, error) {
	for _, ev := range evs {
		if ev.ID != "" && !eventhub.After(ev.ID, st.last) {
			continue // sent already
		}
		if ev.ID != "" {
			st.last = ev.ID
		}
		if ev.Event.Type == grader.EventDone {
			s.sendDone(ctx, st, id, ev)
			return true, nil
		}
		if err := st.event(ev.ID, streamEvent{Event: ev.Event.As(st.view)}); err != nil {
			return false, err
		}
	}
	return false, nil
}

// sendDone sends a done event carrying the result in the stream's view;
// the stream ends after it. A synthetic done (its stream expired) has no
// id.
func (s *Server) sendDone(ctx context.Context, st *sseStream, id string, ev grader.StoredEvent) {
	data := streamEvent{Event: ev.Event.As(st.view)}
	res, ok, err := s.cfg.Store.Result(ctx, id)
	if err != nil {
		// The client still learns it is done and can read the result.
		s.log.Error("read result for done event", "submission_id", id, "err", err)
	}
	if ok {
		rec, rerr := s.cfg.Store.Record(ctx, id)
		if rerr == nil {
			data.Result, rerr = s.resultFor(ctx, rec, res, st.view)
		}
		if rerr != nil {
			// The client still learns it is done and can read the result.
			s.log.Error("read result for done event", "submission_id", id, "err", rerr)
		}
	}
	_ = st.event(ev.ID, data)
}

// sseStream writes Server-Sent Events to a response, flushing each.
type sseStream struct {
	c    *gin.Context
	view grader.View
	// last is the id of the last event sent, or the Last-Event-ID.
	last string
}

// event writes one event. JSON holds no raw newlines, so data is one line.
func (st *sseStream) event(id string, data streamEvent) error {
	if strings.ContainsAny(id, "\r\n") || strings.ContainsAny(string(data.Type), "\r\n") {
		// It would break the framing; no event of ours looks like this.
		return nil
	}
	b, err := json.Marshal(data)
	if err != nil {
		return fmt.Errorf("encode event: %w", err)
	}
	var buf bytes.Buffer
	if id != "" {
		buf.WriteString("id: " + id + "\n")
	}
	buf.WriteString("event: " + string(data.Type) + "\n")
	buf.WriteString("data: ")
	buf.Write(b)
	buf.WriteString("\n\n")
	return st.write(buf.Bytes())
}

// comment writes a comment line, which clients ignore: a heartbeat.
func (st *sseStream) comment(text string) error {
	return st.write([]byte(": " + text + "\n\n"))
}

func (st *sseStream) write(b []byte) error {
	if _, err := st.c.Writer.Write(b); err != nil {
		return fmt.Errorf("write event stream: %w", err)
	}
	st.c.Writer.Flush()
	return nil
}
