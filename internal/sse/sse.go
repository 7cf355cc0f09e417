// Package sse reads Server-Sent Events (text/event-stream) as the WHATWG
// HTML standard describes them, for the service's clients: grader submit,
// the benchmarks and the service tests.
package sse

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

const (
	// MaxLine caps one line of an event stream, in bytes.
	MaxLine = 1 << 20
	// MaxData caps the data of one event across its data lines, in bytes.
	MaxData = 8 << 20
)

// Event is one dispatched event of an event stream.
type Event struct {
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

// Reader parses the text/event-stream format as the WHATWG HTML
// standard describes it: lines end in LF, CR or CRLF, a leading BOM is
// dropped, ":" lines are comments (heartbeats), an empty line dispatches
// the event, and an unfinished event at the end of the stream is dropped.
type Reader struct {
	sc     *bufio.Scanner
	first  bool
	lastID string
	retry  time.Duration
}

// NewReader returns a Reader of the event stream r.
func NewReader(r io.Reader) *Reader {
	sc := bufio.NewScanner(r)
	// Room for a full line and its CRLF.
	sc.Buffer(make([]byte, 0, 4096), MaxLine+2)
	sc.Split(scanLines)
	return &Reader{sc: sc, first: true}
}

// scanLines is a bufio.SplitFunc for lines ending in LF, CR or CRLF.
func scanLines(data []byte, atEOF bool) (int, []byte, error) {
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

// LastID returns the stream's last event id so far: what a client sends
// as Last-Event-ID when it reconnects.
func (r *Reader) LastID() string { return r.lastID }

// Retry returns the latest reconnection time the server asked for (its
// retry field); zero if it never did.
func (r *Reader) Retry() time.Duration { return r.retry }

// Next returns the next event. It returns io.EOF at the end of the
// stream, and an error for a line longer than MaxLine or an event whose
// data exceeds MaxData.
func (r *Reader) Next() (Event, error) {
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
			return Event{ID: r.lastID, HasID: hasID, Type: typ, Data: strings.TrimSuffix(data.String(), "\n")}, nil
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
			if data.Len()+len(value)+1 > MaxData {
				return Event{}, fmt.Errorf("event stream: an event's data is longer than %d bytes", MaxData)
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
			return Event{}, fmt.Errorf("event stream: a line is longer than %d bytes", MaxLine)
		}
		return Event{}, fmt.Errorf("read event stream: %w", err)
	}
	return Event{}, io.EOF
}
