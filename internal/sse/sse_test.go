package sse

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// chunkReader returns at most n bytes per Read.
type chunkReader struct {
	r io.Reader
	n int
}

func (c *chunkReader) Read(p []byte) (int, error) {
	return c.r.Read(p[:min(len(p), c.n)])
}

func readAllEvents(r *Reader) ([]Event, error) {
	var out []Event
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, ev)
	}
}

func TestSSEReader(t *testing.T) {
	msg := func(data string) Event { return Event{Type: "message", Data: data} }
	tests := []struct {
		name      string
		in        string
		want      []Event
		wantRetry time.Duration
	}{
		{"fields", "id: 1\nevent: phase_started\ndata: {\"a\":1}\n\n",
			[]Event{{ID: "1", HasID: true, Type: "phase_started", Data: `{"a":1}`}}, 0},
		{"multi-line data", "data: a\ndata: b\ndata:\n\n", []Event{msg("a\nb\n")}, 0},
		{"heartbeats and comments", ": ping\n\n:x\ndata: y\n: mid\n\n: ping\n\n", []Event{msg("y")}, 0},
		{"CRLF", "id: 7\r\ndata: z\r\n\r\n", []Event{{ID: "7", HasID: true, Type: "message", Data: "z"}}, 0},
		{"CR", "data: q\r\rdata: r\r\r", []Event{msg("q"), msg("r")}, 0},
		{"mixed line ends", "data: a\r\n\ndata: b\r\r\n", []Event{msg("a"), msg("b")}, 0},
		{"one space dropped", "data:x\n\ndata:  x\n\n", []Event{msg("x"), msg(" x")}, 0},
		{"field without colon", "data\n\n", []Event{msg("")}, 0},
		{"id inherited", "id: 5\ndata: a\n\ndata: b\n\n",
			[]Event{{ID: "5", HasID: true, Type: "message", Data: "a"}, {ID: "5", Type: "message", Data: "b"}}, 0},
		{"id with NUL ignored", "id: 1\ndata: a\n\nid: 2\x003\ndata: b\n\n",
			[]Event{{ID: "1", HasID: true, Type: "message", Data: "a"}, {ID: "1", Type: "message", Data: "b"}}, 0},
		{"id alone is no event", "id: 9\n\ndata: a\n\n", []Event{{ID: "9", Type: "message", Data: "a"}}, 0},
		{"event type reset", "event: x\n\ndata: y\n\n", []Event{msg("y")}, 0},
		{"BOM", "\ufeffdata: a\n\n", []Event{msg("a")}, 0},
		{"unknown field", "foo: bar\ndata: a\n\n", []Event{msg("a")}, 0},
		{"unfinished event dropped", "data: a\n\ndata: b\n", []Event{msg("a")}, 0},
		{"retry", "retry: 1500\n\nretry: 1.5\n\nretry: -3\n\n", nil, 1500 * time.Millisecond},
		{"empty", "", nil, 0},
	}
	for _, tc := range tests {
		for _, size := range []int{1, 2, 3, 5, 7, 64, 1 << 16} {
			t.Run(fmt.Sprintf("%s/chunks of %d", tc.name, size), func(t *testing.T) {
				var src io.Reader = &chunkReader{r: strings.NewReader(tc.in), n: size}
				if size == 1 {
					src = iotest.OneByteReader(strings.NewReader(tc.in))
				}
				r := NewReader(src)
				got, err := readAllEvents(r)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("events (-want +got):\n%s", diff)
				}
				if r.Retry() != tc.wantRetry {
					t.Errorf("retry %s, want %s", r.Retry(), tc.wantRetry)
				}
			})
		}
	}
}

func TestSSEReaderLineCap(t *testing.T) {
	fits := "data: " + strings.Repeat("a", MaxLine-len("data: ")) + "\r\n\r\n"
	got, err := readAllEvents(NewReader(&chunkReader{r: strings.NewReader(fits), n: 4093}))
	if err != nil || len(got) != 1 || len(got[0].Data) != MaxLine-len("data: ") {
		t.Errorf("a line of exactly %d bytes: %d events, err %v", MaxLine, len(got), err)
	}
	long := "data: ok\n\ndata: " + strings.Repeat("a", MaxLine) + "\n\n"
	got, err = readAllEvents(NewReader(strings.NewReader(long)))
	if err == nil || !strings.Contains(err.Error(), "longer than 1048576 bytes") {
		t.Errorf("over-long line: err %v, want the line cap", err)
	}
	if len(got) != 1 {
		t.Errorf("%d events before the long line, want 1", len(got))
	}
	many := strings.Repeat("data: "+strings.Repeat("b", 1<<19)+"\n", 17) + "\n"
	if _, err := readAllEvents(NewReader(strings.NewReader(many))); err == nil || !strings.Contains(err.Error(), "data is longer") {
		t.Errorf("over-long event data: err %v", err)
	}
}
