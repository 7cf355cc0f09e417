package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/gradebox/grader/grader"
)

// maxEvents caps a stream (approximately); a grading emits a few hundred.
const maxEvents = 10000

// appendScript adds an event and, when the submission is already graded
// and the stream has no expiry (it was created after grading, e.g. a late
// done event), gives it one, so no stream outlives its submission's files.
// It then publishes the submission's id on the notice channel, in the
// same step, so a follower never misses an event while it is subscribed.
//
// KEYS: stream, record. ARGV: max length, event JSON, ttl in ms, channel,
// submission id.
var appendScript = redis.NewScript(`
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'e', ARGV[2])
if redis.call('PTTL', KEYS[1]) == -1 and redis.call('HGET', KEYS[2], 'state') == 'graded' then
  redis.call('PEXPIRE', KEYS[1], ARGV[3])
end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return id
`)

// AppendEvent adds a progress event to a submission's stream, announces
// it on the notice channel (see WatchEvents) and returns its stream id.
func (s *Redis) AppendEvent(ctx context.Context, id string, ev grader.Event) (string, error) {
	b, err := json.Marshal(ev)
	if err != nil {
		return "", fmt.Errorf("encode event: %w", err)
	}
	sid, err := appendScript.Run(ctx, s.rdb, []string{s.key("sub", id, "events"), s.key("sub", id)},
		maxEvents, b, s.filesTTL.Milliseconds(), s.key("events"), id).Text()
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
		return fmt.Errorf("event id %.40q: %w", after, grader.ErrInvalidEventID)
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
// all), oldest first. A malformed after wraps grader.ErrInvalidEventID.
func (s *Redis) Events(ctx context.Context, id, after string) ([]grader.StoredEvent, error) {
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

// EventsAfter reads the events of many submissions in one round trip:
// for each submission id in after, its events after the stream id it
// maps to ("" for all), oldest first. Ids without new events are left
// out. A malformed stream id wraps grader.ErrInvalidEventID.
func (s *Redis) EventsAfter(ctx context.Context, after map[string]string) (map[string][]grader.StoredEvent, error) {
	out := make(map[string][]grader.StoredEvent)
	if len(after) == 0 {
		return out, nil
	}
	cmds := make(map[string]*redis.XMessageSliceCmd, len(after))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for id, from := range after {
			if err := checkEventID(from); err != nil {
				return err
			}
			start := "-"
			if from != "" {
				start = "(" + from
			}
			cmds[id] = p.XRange(ctx, s.key("sub", id, "events"), start, "+")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read events of %d submissions: %w", len(after), err)
	}
	for id, c := range cmds {
		if evs := decodeEvents(c.Val()); len(evs) > 0 {
			out[id] = evs
		}
	}
	return out, nil
}

// GradedAt returns, among ids, the submissions that are graded, with
// when, in one round trip. Unknown ids are left out.
func (s *Redis) GradedAt(ctx context.Context, ids []string) (map[string]time.Time, error) {
	out := make(map[string]time.Time)
	if len(ids) == 0 {
		return out, nil
	}
	cmds := make([]*redis.SliceCmd, len(ids))
	_, err := s.rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
		for i, id := range ids {
			cmds[i] = p.HMGet(ctx, s.key("sub", id), "state", "graded_at")
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read the state of %d submissions: %w", len(ids), err)
	}
	for i, c := range cmds {
		v := c.Val()
		if len(v) == 2 && v[0] == string(grader.StateGraded) {
			at, _ := v[1].(string)
			out[ids[i]] = parseTime(at)
		}
	}
	return out, nil
}

// decodeEvents reads stream entries, skipping any that do not decode.
func decodeEvents(msgs []redis.XMessage) []grader.StoredEvent {
	out := make([]grader.StoredEvent, 0, len(msgs))
	for _, m := range msgs {
		raw, _ := m.Values["e"].(string)
		var ev grader.Event
		if json.Unmarshal([]byte(raw), &ev) != nil {
			continue
		}
		out = append(out, grader.StoredEvent{ID: m.ID, Event: ev})
	}
	return out
}
