package wecom

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/wecomsync/wecomsync/emulators/internal/faults"
)

// TestRateLimitsAtWeComBudgets drives the default windows (10,000/min and 150,000/h per API)
// call by call: each window refuses with 45009 until it ends, and the APIs count apart.
func TestRateLimitsAtWeComBudgets(t *testing.T) {
	clock := newFakeClock() // 10:00:00, the start of a minute and of an hour
	s := New(WithClock(clock.Now))
	spend := func(path string, n int) {
		t.Helper()
		for i := range n {
			if code := s.limit(path); code != 0 {
				t.Fatalf("%s call %d at %s: errcode %d", path, i+1, clock.Now().Format(time.TimeOnly), code)
			}
		}
	}
	steps := []struct {
		name    string
		advance time.Duration
		calls   int // allowed calls before the check
		want    int // errcode of the next call
	}{
		{"a minute's budget", 0, DefaultPerMinute, 45009},
		{"blocked until the minute ends", 59 * time.Second, 0, 45009},
		{"next minute", time.Second, DefaultPerMinute, 45009},
	}
	for _, st := range steps {
		clock.Advance(st.advance)
		spend("user/create", st.calls)
		if got := s.limit("user/create"); got != st.want {
			t.Fatalf("%s: errcode %d, want %d", st.name, got, st.want)
		}
	}
	if got := s.limit("user/update"); got != 0 {
		t.Fatalf("another API shares the budget: %d", got)
	}
	// 13 more minutes make 150,000 calls in the hour; the 16th minute is refused by the hour window.
	for range 13 {
		clock.Advance(time.Minute)
		spend("user/create", DefaultPerMinute)
	}
	clock.Advance(time.Minute)
	if got := s.limit("user/create"); got != 45009 {
		t.Fatalf("call 150,001 of the hour: errcode %d, want 45009", got)
	}
	clock.Advance(44*time.Minute + 59*time.Second) // 10:59:59
	if got := s.limit("user/create"); got != 45009 {
		t.Fatalf("hour window ended early: %d", got)
	}
	clock.Advance(time.Second)
	spend("user/create", DefaultPerMinute)
}

// slowCall starts a call that the latency fault keeps in flight until cancel is called.
func slowCall(ctx context.Context, t *testing.T, e *env, wg *sync.WaitGroup) {
	t.Helper()
	q := url.Values{"access_token": {e.token}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, e.srv.URL+"/cgi-bin/department/simplelist?"+q.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		if resp, err := e.srv.Client().Do(req); err == nil {
			resp.Body.Close()
		}
	}()
}

func TestMaxConcurrent(t *testing.T) {
	tests := []struct {
		name     string
		max      int
		slow     int
		wantCode int
	}{
		{"under the limit", 3, 2, 0},
		{"at the limit", 2, 2, 45033},
		{"off by default", 0, 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, WithMaxConcurrent(tt.max))
			e.emu.Faults().Add(faults.Rule{Path: "department/simplelist", Kind: faults.Latency, Delay: time.Minute, Count: tt.slow})
			ctx, cancel := context.WithCancel(context.Background())
			var wg sync.WaitGroup
			for range tt.slow {
				slowCall(ctx, t, e, &wg)
			}
			waitInFlight(t, e.emu, tt.slow)
			wantCode(t, "call while others are in flight", e.get("user/simplelist", "department_id", "1"), tt.wantCode)
			if tt.wantCode != 0 {
				wantCode(t, "gettoken counts too", e.do(http.MethodGet, "gettoken",
					url.Values{"corpid": {"corp1"}, "corpsecret": {"contacts-secret"}}, nil), tt.wantCode)
			}
			cancel()
			wg.Wait()
			waitInFlight(t, e.emu, 0)
			wantCode(t, "after the slow calls ended", e.get("user/simplelist", "department_id", "1"), 0)
		})
	}
}

// waitInFlight waits until n calls are in flight.
func waitInFlight(t *testing.T, s *Server, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.InFlight() != n {
		if time.Now().After(deadline) {
			t.Fatalf("in flight = %d, want %d", s.InFlight(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
