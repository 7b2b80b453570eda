package activities

import (
	"context"
	"sync"
	"time"

	"go.temporal.io/sdk/activity"
)

// heartbeatInterval is how often a long activity tells Temporal it is alive. It is independent of
// how long one API call takes, so the workflow's HeartbeatTimeout only has to cover a dead process.
const heartbeatInterval = 2 * time.Second

// heartbeater records the latest progress of an activity every heartbeatInterval until stopped.
type heartbeater struct {
	mu      sync.Mutex
	details any
	stop    chan struct{}
	done    chan struct{}
}

// startHeartbeat starts heartbeating initial; call set with newer progress and stop when done.
func startHeartbeat(ctx context.Context, initial any) *heartbeater {
	h := &heartbeater{details: initial, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(h.done)
		t := time.NewTicker(heartbeatInterval)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				activity.RecordHeartbeat(ctx, h.current())
			}
		}
	}()
	return h
}

// set replaces the progress sent with the next heartbeat.
func (h *heartbeater) set(details any) {
	h.mu.Lock()
	h.details = details
	h.mu.Unlock()
}

func (h *heartbeater) current() any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.details
}

// close stops the heartbeats.
func (h *heartbeater) close() {
	close(h.stop)
	<-h.done
}
