package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/gradebox/grader/api/wire"
	"github.com/gradebox/grader/grader"
	"github.com/gradebox/grader/store"
)

// streamEvent is the data of one Server-Sent Event: a progress event in
// the caller's view and, for done, the result in that view too.
type streamEvent = wire.Event

// streamEvents answers a submission's progress as Server-Sent Events:
// the stored events after Last-Event-ID (header, or ?last_event_id=),
// then new ones as they come, until done. Each event's id is its stream
// id, its type the event type and its data the event in the caller's
// view; hidden tests never reach a learner's stream. A graded submission
// whose stream expired gets one synthetic done with its result.
func (s *Server) streamEvents(c *gin.Context) {
	p := principal(c)
	rec, ok := s.visibleRecord(c, p, c.Param("id"))
	if !ok {
		return
	}
	after := c.GetHeader("Last-Event-ID")
	if after == "" {
		after = c.Query("last_event_id")
	}
	ctx := c.Request.Context()
	// The first read happens before any byte is sent, so a bad
	// Last-Event-ID or a store fault still gets a proper error answer.
	evs, err := s.cfg.Store.WaitEvents(ctx, rec.ID, after, 0)
	if err != nil {
		if errors.Is(err, store.ErrInvalidEventID) {
			abort(c, s.log, Errorf(CodeInvalidRequest, "Last-Event-ID %.40q is not an event id of this stream; send the id of the last event you got, or none", after))
			return
		}
		abort(c, s.log, fmt.Errorf("read events of %s: %w", rec.ID, err))
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	st := &sseStream{c: c, view: viewOf(p)}
	if err := st.comment("stream of " + rec.ID); err != nil {
		return
	}
	lastWrite := time.Now()
	for {
		for _, ev := range evs {
			after = ev.ID
			if ev.Event.Type == grader.EventDone {
				s.sendDone(ctx, st, rec.ID, ev)
				return
			}
			if err := st.event(ev.ID, streamEvent{Event: ev.Event.As(st.view)}); err != nil {
				return
			}
			lastWrite = time.Now()
		}
		if len(evs) == 0 {
			// Nothing new: a graded submission whose done event is not in
			// its stream (expired, or never written) is finished now.
			cur, err := s.cfg.Store.Record(ctx, rec.ID)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Error("re-read submission during event stream", "submission_id", rec.ID, "err", err)
				}
				return
			}
			if cur.State == store.StateGraded {
				s.sendDone(ctx, st, rec.ID, store.Event{Event: grader.Event{Type: grader.EventDone, At: cur.GradedAt}})
				return
			}
			if time.Since(lastWrite) >= s.cfg.Heartbeat {
				if err := st.comment("heartbeat"); err != nil {
					return
				}
				lastWrite = time.Now()
			}
		}
		block := min(s.cfg.EventsBlock, max(s.cfg.Heartbeat-time.Since(lastWrite), time.Millisecond))
		evs, err = s.cfg.Store.WaitEvents(ctx, rec.ID, after, block)
		if err != nil {
			if ctx.Err() == nil {
				s.log.Error("read events during event stream", "submission_id", rec.ID, "err", err)
			}
			return
		}
	}
}

// sendDone sends a done event carrying the result in the stream's view;
// the stream ends after it. A synthetic done (its stream expired) has no
// id.
func (s *Server) sendDone(ctx context.Context, st *sseStream, id string, ev store.Event) {
	data := streamEvent{Event: ev.Event.As(st.view)}
	res, ok, err := s.cfg.Store.Result(ctx, id)
	if err != nil {
		// The client still learns it is done and can read the result.
		s.log.Error("read result for done event", "submission_id", id, "err", err)
	}
	if ok {
		v := res.As(st.view)
		data.Result = &v
	}
	_ = st.event(ev.ID, data)
}

// sseStream writes Server-Sent Events to a response, flushing each.
type sseStream struct {
	c    *gin.Context
	view grader.View
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
