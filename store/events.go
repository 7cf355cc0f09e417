package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
)

// Event is a stored progress event with its stream id, which clients send
// back as Last-Event-ID to resume.
type Event struct {
	ID    string       `json:"id"`
	Event grader.Event `json:"event"`
}

// maxEvents caps a stream (approximately); a grading emits a few hundred.
const maxEvents = 10000

// appendScript adds an event and, when the submission is already graded
// and the stream has no expiry (it was created after grading, e.g. a late
// done event), gives it one, so no stream outlives its submission's files.
//
// KEYS: stream, record. ARGV: max length, event JSON, ttl in ms.
var appendScript = redis.NewScript(`
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2])
if redis.call('PTTL', KEYS[1]) == -1 and redis.call('HGET', KEYS[2], 'state') == 'graded' then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
return id
`)

// AppendEvent adds a progress event to a submission's stream and returns
// its stream id.
func (s *Redis) AppendEvent(ctx context.Context, id string, ev grader.Event) (string, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return "", fmt.Errorf("encode event: %w", err)
	}
	sid, err := appendScript.Run(ctx, s.rdb, []string{s.key("sub", id, "events"), s.key("sub", id)},
		maxEvents, b, s.filesTTL.Milliseconds()).Text()
	if err != nil {
		return "", fmt.Errorf("append event of %s: %w", id, err)
	}
	return sid, nil
}

// checkEventID accepts "" and Redis stream ids, "ms" or "ms-seq" with
// both parts unsigned 64-bit numbers, but not the largest id
// (18446744073709551615-18446744073709551615): no event can follow it,
// and Redis refuses a range that starts after it.
func checkEventID(after string) error {
	if after == "" {
		return nil
	}
	ms, seq, hasSeq := strings.Cut(after, "-")
	ok := isUint64(ms) && (!hasSeq || isUint64(seq))
	if ok && hasSeq {
		m, _ := strconv.ParseUint(ms, 10, 64)
		q, _ := strconv.ParseUint(seq, 10, 64)
		ok = m != math.MaxUint64 || q != math.MaxUint64
	}
	if !ok {
		return fmt.Errorf("event id %.40q: %w", after, ErrInvalidEventID)
	}
	return nil
}

func isUint64(s string) bool {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// Events returns a submission's events after the stream id after ("" for
// all), oldest first. A malformed after wraps ErrInvalidEventID.
func (s *Redis) Events(ctx context.Context, id, after string) ([]Event, error) {
	if err := checkEventID(after); err != nil {
		return nil, err
	}
	start := "-"
	if after != "" {
		start = "(" + after
	}
	msgs, err := s.rdb.XRange(ctx, s.key("sub", id, "events"), start, "+").Result()
	if err != nil {
		return nil, fmt.Errorf("read events of %s: %w", id, err)
	}
	return decodeEvents(msgs), nil
}

// waitSlice bounds one blocking read, so that WaitEvents notices a
// cancelled ctx within it: go-redis does not interrupt a blocked command
// when its context is cancelled.
const waitSlice = time.Second

// WaitEvents returns a submission's events after the stream id after (""
// for all). When there are none yet it waits up to block for new ones and,
// if none come, returns an empty slice and no error. It stops early, with
// ctx's error, when ctx is done (noticed within a second). block <= 0 does
// not wait. A malformed after wraps ErrInvalidEventID.
func (s *Redis) WaitEvents(ctx context.Context, id, after string, block time.Duration) ([]Event, error) {
	evs, err := s.Events(ctx, id, after)
	if err != nil || len(evs) > 0 || block <= 0 {
		return evs, err
	}
	last := after
	if last == "" {
		last = "0-0"
	}
	deadline := time.Now().Add(block)
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("wait for events of %s: %w", id, err)
		}
		wait := min(time.Until(deadline), waitSlice)
		if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
			if time.Until(d) <= 0 {
				// ctx's timer may not have fired yet.
				return nil, fmt.Errorf("wait for events of %s: %w", id, context.DeadlineExceeded)
			}
			wait = min(wait, time.Until(d))
		}
		if wait <= 0 {
			return []Event{}, nil
		}
		// BLOCK 0 would wait forever: never ask for less than 1ms.
		wait = max(wait, time.Millisecond)
		streams, err := s.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{s.key("sub", id, "events"), last}, Block: wait}).Result()
		if errors.Is(err, redis.Nil) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("wait for events of %s: %w", id, err)
		}
		var out []Event
		for _, st := range streams {
			out = append(out, decodeEvents(st.Messages)...)
		}
		if len(out) > 0 {
			return out, nil
		}
		if n := len(streams); n > 0 && len(streams[n-1].Messages) > 0 {
			last = streams[n-1].Messages[len(streams[n-1].Messages)-1].ID
		}
	}
}

// decodeEvents reads stream entries, skipping any that do not decode.
func decodeEvents(msgs []redis.XMessage) []Event {
	out := make([]Event, 0, len(msgs))
	for _, m := range msgs {
		raw, _ := m.Values["e"].(string)
		var ev grader.Event
		if json.Unmarshal([]byte(raw), &ev) != nil {
			continue
		}
		out = append(out, Event{ID: m.ID, Event: ev})
	}
	return out
}
