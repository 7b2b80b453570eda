// Package window limits calls to a number in any trailing time window, the way WeCom counts an
// API's hourly budget: a token bucket would either hold a long run to the hour's average rate or
// let more than the budget through in some hour; counting the calls of the last hour does neither.
package window

import (
	"context"
	"sync"
	"time"
)

// slots is how many slices a window is counted in: a call counts until the end of its slice plus
// the window, so the limiter is conservative by at most a sixtieth of the window.
const slots = 60

// Limiter admits at most max calls in any trailing window. It is safe for concurrent use.
type Limiter struct {
	mu     sync.Mutex
	slice  time.Duration
	max    int
	counts [slots + 1]int // calls per slice, a ring indexed by slice number
	last   int64          // number of the newest slice counted
	total  int
}

// New returns a limiter of at most n calls in any trailing window.
func New(n int, window time.Duration) *Limiter {
	return &Limiter{slice: max(window/slots, time.Nanosecond), max: n}
}

// SetMax changes how many calls the window admits; calls already counted stay counted.
func (l *Limiter) SetMax(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.max = n
}

// TakeAt admits one call at now, or says how long until the oldest counted calls leave the window.
func (l *Limiter) TakeAt(now time.Time) (ok bool, wait time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := now.UnixNano() / int64(l.slice)
	l.advance(n)
	if l.total < l.max {
		l.counts[n%(slots+1)]++
		l.total++
		return true, 0
	}
	// The oldest slice still counted is n-slots; its calls leave when slice n+1 begins.
	for k := n - slots; k <= n; k++ {
		if l.counts[k%(slots+1)] > 0 {
			return false, time.Unix(0, (k+slots+1)*int64(l.slice)).Sub(now)
		}
	}
	return false, l.slice // max is 0: nothing admitted until it is raised
}

// advance forgets the slices that left the window before slice n.
func (l *Limiter) advance(n int64) {
	if n <= l.last {
		return
	}
	from := max(l.last+1, n-slots)
	for k := from; k <= n; k++ {
		i := k % (slots + 1)
		l.total -= l.counts[i]
		l.counts[i] = 0
	}
	l.last = n
}

// Wait blocks until a call may go or ctx ends.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		ok, wait := l.TakeAt(time.Now())
		if ok {
			return nil
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}
