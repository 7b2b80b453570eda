package main

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

func TestBudgetBound(t *testing.T) {
	b := wecomBudget{PerMinute: 10000, PerHour: 150000}
	tests := []struct {
		calls    int
		want     float64
		hourBind bool
	}{
		{0, 0, false},
		{5000, 30, false},
		{10000, 60, false},
		{150000, 900, false},
		{150001, 3600 + 0.006, true}, // the hour budget is used up: one call in the next hour
		{300000, 3600 + 900, true},
	}
	for _, tt := range tests {
		if got := b.boundSeconds(tt.calls); !near(got, tt.want) {
			t.Errorf("boundSeconds(%d) = %v, want %v", tt.calls, got, tt.want)
		}
		if got := b.hourBound(tt.calls); got != tt.hourBind {
			t.Errorf("hourBound(%d) = %v, want %v", tt.calls, got, tt.hourBind)
		}
	}
}

func TestLimiterSeconds(t *testing.T) {
	b := wecomBudget{PerMinute: 10000, PerHour: 150000}
	// The client's minute bucket: 1,000 at once, then 150 per second; its hour: 135,000 calls.
	tests := []struct {
		calls      int
		want       float64
		hourPacing bool
	}{
		{1000, 0, false},
		{2001, 1001.0 / 150, false},
		{10000, 60, false},
		{100000, (100000 - 1000) / 150.0, false},
		{200000, 3600 + (200000-135000-1000)/150.0, true},
	}
	for _, tt := range tests {
		if got := b.limiterSeconds(tt.calls); !near(got, tt.want) {
			t.Errorf("limiterSeconds(%d) = %v, want %v", tt.calls, got, tt.want)
		}
		if got := b.hourLimited(tt.calls); got != tt.hourPacing {
			t.Errorf("hourLimited(%d) = %v, want %v", tt.calls, got, tt.hourPacing)
		}
	}
	if burst, perSecond := b.clientMinuteBucket(); burst != 1000 || perSecond != 150 {
		t.Errorf("clientMinuteBucket() = %v, %v; want 1000, 150", burst, perSecond)
	}
}

func TestSlowestAndMinus(t *testing.T) {
	calls := map[string]int{"user/list": 2001, "user/create": 10000, "gettoken": 1}
	got := slowest(calls, func(n int) float64 { return float64(n) })
	if got.API != "user/create" || got.Calls != 10000 {
		t.Errorf("slowest = %+v, want user/create", got)
	}
	reads := minus(calls, map[string]int{"user/create": 10000})
	if len(reads) != 2 || reads["user/list"] != 2001 || total(reads) != 2002 {
		t.Errorf("minus = %v", reads)
	}
	if s := slowest(nil, func(int) float64 { return 1 }); s.API != "" || s.String() != "none" {
		t.Errorf("slowest(nil) = %+v", s)
	}
}

func TestReadFloor(t *testing.T) {
	b := wecomBudget{PerMinute: 10000, PerHour: 150000}
	wecomCalls := map[string]int{"user/list": 2001, "user/list_id": 12, "user/update": 5000}
	authingCalls := map[string]int{"list-users": 2000, "get-custom-fields": 2, "update-user-batch": 20}
	floor, detail := readFloor(wecomCalls, map[string]int{"user/update": 5000}, authingCalls, map[string]int{"update-user-batch": 20}, b, 300)
	// Authing: 2,002 reads at 300 QPS; WeCom: user/list through the client's limiter.
	if want := max(2002.0/300, 1001.0/150); !near(floor, want) {
		t.Errorf("readFloor = %v (%s), want %v", floor, detail, want)
	}
}
