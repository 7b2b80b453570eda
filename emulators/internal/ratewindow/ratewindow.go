// Package ratewindow counts calls per key in fixed time windows, for emulators that must answer
// "N calls per window" limits the way the real APIs do (WeCom: 10,000 per minute and 150,000 per
// hour per corp per API, blocked for the rest of the window once exceeded).
//
// Windows are aligned to the clock (a one-minute window runs from :00 to :59), so a limit refused
// once stays refused until the window ends. The package must not read the wall clock itself: time
// comes from the caller (Allow) or from an injected clock (AllowNow).
package ratewindow

import (
	"sync"
	"time"
)

// Limiter allows at most Limit calls per key in each window. It is safe for concurrent use.
type Limiter struct {
	limit  int
	window time.Duration
	clock  func() time.Time

	mu   sync.Mutex
	keys map[string]*bucket
}

type bucket struct {
	start time.Time // start of the current window
	count int       // calls allowed in the current window
}

// Option configures a Limiter.
type Option func(*Limiter)

// WithClock sets the clock AllowNow reads; the default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(l *Limiter) {
		if now != nil {
			l.clock = now
		}
	}
}

// New returns a Limiter for limit calls per window and key. A limit ≤ 0 or a window ≤ 0 means
// unlimited.
func New(limit int, window time.Duration, opts ...Option) *Limiter {
	l := &Limiter{limit: limit, window: window, clock: time.Now, keys: make(map[string]*bucket)}
	for _, o := range opts {
		o(l)
	}
	return l
}

// Limit returns the calls allowed per window (≤ 0 = unlimited).
func (l *Limiter) Limit() int { return l.limit }

// Window returns the window length.
func (l *Limiter) Window() time.Duration { return l.window }

// Allow counts one call of key at now. It returns ok=false, and the time left until the window
// ends, when the key has used its limit in the current window; a refused call is not counted.
func (l *Limiter) Allow(key string, now time.Time) (ok bool, retryAfter time.Duration) {
	if l.limit <= 0 || l.window <= 0 {
		return true, 0
	}
	start := now.Truncate(l.window)
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.keys[key]
	if b == nil {
		b = &bucket{}
		l.keys[key] = b
	}
	if !b.start.Equal(start) {
		b.start, b.count = start, 0
	}
	if b.count >= l.limit {
		return false, start.Add(l.window).Sub(now)
	}
	b.count++
	return true, 0
}

// AllowNow is Allow at the injected clock's time.
func (l *Limiter) AllowNow(key string) (ok bool, retryAfter time.Duration) {
	return l.Allow(key, l.clock())
}

// Reset forgets every key's count.
func (l *Limiter) Reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.keys = make(map[string]*bucket)
}
