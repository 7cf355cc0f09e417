package store

import (
	"context"
	"fmt"

	"github.com/redis/go-redis/v9"
)

// WatchEvents calls notify with a submission's id after each event
// appended to its stream (AppendEvent publishes the id on the channel
// {prefix}:events), and resync whenever notices may have been missed:
// once subscribed, and again after each reconnection, since Redis keeps
// no notices for a subscriber that was away. Both are called from one
// goroutine and must not block for long. WatchEvents holds one Redis
// connection of its own, outside the pool, and returns nil when ctx is
// done.
func (s *Redis) WatchEvents(ctx context.Context, notify func(id string), resync func()) error {
	ps := s.rdb.Subscribe(ctx, s.key("events"))
	defer ps.Close()
	// Subscription messages come at the first subscribe and at every
	// resubscribe after a reconnection: that is when to resync.
	ch := ps.ChannelWithSubscriptions(redis.WithChannelSize(1024))
	for {
		select {
		case <-ctx.Done():
			return nil
		case m, ok := <-ch:
			if !ok {
				return fmt.Errorf("watch events: the subscription closed")
			}
			switch m := m.(type) {
			case *redis.Subscription:
				if m.Kind == "subscribe" {
					resync()
				}
			case *redis.Message:
				notify(m.Payload)
			}
		}
	}
}
