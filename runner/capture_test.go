package runner

import (
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/moby/api/pkg/stdcopy"

	"github.com/gradebox/grader/grader"
)

func TestCappedWriter(t *testing.T) {
	tests := []struct {
		name      string
		limit     int64
		writes    []string
		want      grader.Output
		overflows int
	}{
		{name: "under", limit: 10, writes: []string{"abc", "de"}, want: grader.Output{Text: "abcde"}},
		{name: "exactly the cap is no overflow", limit: 4, writes: []string{"ab", "cd"}, want: grader.Output{Text: "abcd"}},
		{name: "one byte over", limit: 4, writes: []string{"abcd", "e"}, want: grader.Output{Text: "abcd", Truncated: true}, overflows: 1},
		{name: "split write", limit: 10, writes: []string{"abcd", "abcd", "abcd", "abcd"}, want: grader.Output{Text: "abcdabcdab", Truncated: true}, overflows: 1},
		{name: "first write too big", limit: 3, writes: []string{"abcdef", "gh"}, want: grader.Output{Text: "abc", Truncated: true}, overflows: 1},
		{name: "zero cap", limit: 0, writes: []string{"a"}, want: grader.Output{Truncated: true}, overflows: 1},
		{name: "empty writes", limit: 2, writes: []string{"", ""}, want: grader.Output{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var live bytes.Buffer
			overflows := 0
			c := newCappedWriter(tt.limit, &live, func() { overflows++ })
			total := 0
			for _, w := range tt.writes {
				n, err := c.Write([]byte(w))
				if n != len(w) || err != nil {
					t.Fatalf("Write(%q) = %d, %v; want %d, nil", w, n, err, len(w))
				}
				total += n
			}
			if diff := cmp.Diff(tt.want, c.output()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if live.String() != tt.want.Text {
				t.Errorf("live writer got %q, want %q", live.String(), tt.want.Text)
			}
			if overflows != tt.overflows {
				t.Errorf("overflow called %d times, want %d", overflows, tt.overflows)
			}
			if c.total() != int64(total) {
				t.Errorf("total = %d, want %d", c.total(), total)
			}
		})
	}
}

func TestCappedWriterNeverHoldsMoreThanItsCap(t *testing.T) {
	const limit = 100_000 // not a power of two: doubling would overshoot
	c := newCappedWriter(limit, nil, nil)
	for range 1000 {
		c.Write(make([]byte, 777))
	}
	if cap(c.buf) > limit {
		t.Errorf("buffer capacity %d, cap %d", cap(c.buf), limit)
	}
	if len(c.buf) != limit {
		t.Errorf("kept %d bytes, want %d", len(c.buf), limit)
	}
}

// floodReader yields an endless multiplexed stream of stdout frames until
// total bytes of payload are sent.
type floodReader struct {
	frame []byte
	off   int
	left  int64
}

func (r *floodReader) Read(p []byte) (int, error) {
	if r.left <= 0 && r.off == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.frame[r.off:])
	r.off += n
	if r.off == len(r.frame) {
		r.off = 0
		r.left -= int64(len(r.frame) - 8)
	}
	return n, nil
}

// TestDemuxOfAFloodStaysSmall pushes a GiB of multiplexed output through
// StdCopy into capped writers, as a box's attach stream would, and checks
// that it is drained to the end while the heap stays small.
func TestDemuxOfAFloodStaysSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("a GiB of copying")
	}
	const flood = 1 << 30
	src := &floodReader{frame: frame(streamStdout, bytes.Repeat([]byte("x"), 32<<10)), left: flood}
	exceeded := 0
	stdout := newCappedWriter(1<<20, nil, func() { exceeded++ })
	stderr := newCappedWriter(1<<20, nil, func() { exceeded++ })
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n, err := stdcopy.StdCopy(stdout, stderr, src)
	runtime.ReadMemStats(&after)
	if err != nil || n != flood {
		t.Fatalf("StdCopy = %d, %v; want %d, nil", n, err, flood)
	}
	out := stdout.output()
	if len(out.Text) != 1<<20 || !out.Truncated || strings.Trim(out.Text, "x") != "" || exceeded != 1 || stdout.total() != flood {
		t.Errorf("kept %d bytes, truncated %v, overflows %d, total %d", len(out.Text), out.Truncated, exceeded, stdout.total())
	}
	if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 16<<20 {
		t.Errorf("heap in use grew by %d MiB for a 1 MiB cap", grown>>20)
	}
}
