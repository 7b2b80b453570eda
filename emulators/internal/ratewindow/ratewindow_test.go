package ratewindow

import (
	"sync"
	"testing"
	"time"
)

func TestAllow(t *testing.T) {
	base := time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)
	type call struct {
		key       string
		at        time.Duration // offset from base
		wantOK    bool
		wantRetry time.Duration
	}
	tests := []struct {
		name   string
		limit  int
		window time.Duration
		calls  []call
	}{
		{
			name: "limit per window then blocked until window end", limit: 2, window: time.Minute,
			calls: []call{
				{"a", 0, true, 0},
				{"a", 10 * time.Second, true, 0},
				{"a", 15 * time.Second, false, 45 * time.Second},
				{"a", 59 * time.Second, false, time.Second},
				{"a", 60 * time.Second, true, 0},
			},
		},
		{
			name: "keys are independent", limit: 1, window: time.Minute,
			calls: []call{
				{"a", 0, true, 0},
				{"b", 0, true, 0},
				{"a", time.Second, false, 59 * time.Second},
				{"b", time.Second, false, 59 * time.Second},
			},
		},
		{
			name: "windows align to the clock", limit: 1, window: time.Hour,
			calls: []call{
				{"a", 50 * time.Minute, true, 0},
				{"a", 55 * time.Minute, false, 0}, // retry checked below: 1h window started at 03:00
			},
		},
		{
			name: "zero limit is unlimited", limit: 0, window: time.Minute,
			calls: []call{{"a", 0, true, 0}, {"a", 0, true, 0}, {"a", 0, true, 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(tt.limit, tt.window)
			for i, c := range tt.calls {
				ok, retry := l.Allow(c.key, base.Add(c.at))
				if ok != c.wantOK {
					t.Fatalf("call %d (%s at +%v): ok = %v, want %v", i, c.key, c.at, ok, c.wantOK)
				}
				if c.wantRetry != 0 && retry != c.wantRetry {
					t.Fatalf("call %d: retryAfter = %v, want %v", i, retry, c.wantRetry)
				}
				if ok && retry != 0 {
					t.Fatalf("call %d: allowed call has retryAfter %v", i, retry)
				}
			}
		})
	}
}

func TestHourWindowRetryAfterRunsToWindowEnd(t *testing.T) {
	l := New(1, time.Hour)
	at := time.Date(2026, 1, 2, 3, 50, 0, 0, time.UTC)
	l.Allow("k", at)
	ok, retry := l.Allow("k", at.Add(5*time.Minute))
	if ok || retry != 5*time.Minute {
		t.Fatalf("Allow = %v, %v; want false, 5m", ok, retry)
	}
}

func TestAllowNowUsesInjectedClock(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	l := New(1, time.Minute, WithClock(func() time.Time { return now }))
	if ok, _ := l.AllowNow("k"); !ok {
		t.Fatal("first call refused")
	}
	if ok, retry := l.AllowNow("k"); ok || retry != 55*time.Second {
		t.Fatalf("second call = %v, %v; want false, 55s", ok, retry)
	}
	now = now.Add(time.Minute)
	if ok, _ := l.AllowNow("k"); !ok {
		t.Fatal("call in next window refused")
	}
	l.Reset()
	if ok, _ := l.AllowNow("k"); !ok {
		t.Fatal("call after Reset refused")
	}
}

func TestAllowConcurrentCountsExactly(t *testing.T) {
	l := New(100, time.Minute)
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	var mu sync.Mutex
	allowed := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if ok, _ := l.Allow("k", now); ok {
					mu.Lock()
					allowed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if allowed != 100 {
		t.Fatalf("allowed %d calls, want 100", allowed)
	}
}
