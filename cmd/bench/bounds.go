package main

import (
	"fmt"
	"maps"
	"slices"

	"github.com/wecomsync/wecomsync/clients/wecom"
)

// The lower bounds a downstream run is compared with. They are computed from the calls the
// emulators counted in the measured run, never from expected numbers:
//
//   - budget bound: the least time WeCom's per-API budget allows — for each API, calls ÷ the
//     per-minute budget (10,000 calls need 60 s), plus whole hours once an API needs more than the
//     hour budget (WeCom then blocks it for the rest of the hour); Authing's whole pool at its QPS.
//     The bound is the slowest API.
//   - client floor: the time the product's own WeCom limiter needs to admit an API's calls
//     (clients/wecom LimitsOf: a minute bucket holding a tenth of the budget, refilled at 90 % of
//     its rate, and at most 90 % of the hour budget in any hour), full at the start of a run. WeCom's
//     windows are clock aligned, so a few thousand reads fit in one window at once; for them it is
//     the client that sets the pace.
//   - read floor: reads of both sides run in parallel, so the larger of Authing's reads at its QPS
//     and the slowest WeCom read API through the client's limiter.

// wecomBudget is WeCom's per-corp, per-API call budget.
type wecomBudget struct {
	PerMinute int `json:"perMinute"`
	PerHour   int `json:"perHour"`
}

// boundSeconds is the least time the budget lets calls of one API take.
func (b wecomBudget) boundSeconds(calls int) float64 {
	if calls <= 0 || b.PerMinute <= 0 {
		return 0
	}
	s := float64(calls) / float64(b.PerMinute) * 60
	if b.PerHour > 0 && calls > b.PerHour {
		hours := (calls - 1) / b.PerHour // windows used up before the last one
		s = max(s, float64(hours)*3600+float64(calls-hours*b.PerHour)/float64(b.PerMinute)*60)
	}
	return s
}

// hourBound reports whether calls of one API exceed the hour budget (the hour then binds).
func (b wecomBudget) hourBound(calls int) bool { return b.PerHour > 0 && calls > b.PerHour }

// limiterSeconds is the time the client's limits for one API (clients/wecom LimitsOf) need to admit
// calls, starting with no calls counted: the minute bucket's pace, plus a whole hour for every hour's
// worth of calls before the last.
func (b wecomBudget) limiterSeconds(calls int) float64 {
	l := wecom.LimitsOf(b.PerMinute, b.PerHour)
	s := bucketSeconds(calls, l.PerSecond, float64(l.Burst))
	if l.HourMax > 0 && calls > l.HourMax {
		hours := (calls - 1) / l.HourMax
		s = max(s, float64(hours)*3600+bucketSeconds(calls-hours*l.HourMax, l.PerSecond, float64(l.Burst)))
	}
	return s
}

// hourLimited reports whether the client's hour limit, not its minute bucket, paces calls.
func (b wecomBudget) hourLimited(calls int) bool {
	l := wecom.LimitsOf(b.PerMinute, b.PerHour)
	return l.HourMax > 0 && calls > l.HourMax
}

// bucketSeconds is the time a full token bucket (burst, refilled at perSecond) needs to admit calls.
func bucketSeconds(calls int, perSecond, burst float64) float64 {
	if perSecond <= 0 || calls <= 0 {
		return 0
	}
	return max(0, float64(calls)-burst) / perSecond
}

// clientMinuteBucket is the client's minute bucket of one API: burst and refill per second.
func (b wecomBudget) clientMinuteBucket() (burst, perSecond float64) {
	l := wecom.LimitsOf(b.PerMinute, 0)
	return float64(l.Burst), l.PerSecond
}

// apiTime is the bound of one API.
type apiTime struct {
	API     string  `json:"api"`
	Calls   int     `json:"calls"`
	Seconds float64 `json:"seconds"`
}

func (t apiTime) String() string {
	if t.API == "" {
		return "none"
	}
	return fmt.Sprintf("%s %d calls → %.1f s", t.API, t.Calls, t.Seconds)
}

// slowest returns the API of calls whose time is the largest (ties: the most calls, then the first
// by name).
func slowest(calls map[string]int, seconds func(int) float64) apiTime {
	var out apiTime
	for _, a := range slices.Sorted(maps.Keys(calls)) {
		if s := seconds(calls[a]); out.API == "" || s > out.Seconds || s == out.Seconds && calls[a] > out.Calls {
			out = apiTime{API: a, Calls: calls[a], Seconds: s}
		}
	}
	return out
}

// total sums call counts.
func total(calls map[string]int) int {
	n := 0
	for _, c := range calls {
		n += c
	}
	return n
}

// minus returns calls without the APIs of other (what is left of all calls once the writes are
// taken out: the reads).
func minus(calls, other map[string]int) map[string]int {
	out := map[string]int{}
	for a, n := range calls {
		if n -= other[a]; n > 0 {
			out[a] = n
		}
	}
	return out
}
