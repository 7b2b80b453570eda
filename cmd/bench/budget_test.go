package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

func TestWithin(t *testing.T) {
	tests := []struct {
		x, want, percent float64
		ok               bool
	}{
		{300, 300, 5, true},
		{285, 300, 5, true},
		{315, 300, 5, true},
		{284.9, 300, 5, false},
		{315.1, 300, 5, false},
		{0, 0, 5, true},
		{1, 0, 5, false},
	}
	for _, tt := range tests {
		if got := within(tt.x, tt.want, tt.percent); got != tt.ok {
			t.Errorf("within(%v, %v, %v) = %v, want %v", tt.x, tt.want, tt.percent, got, tt.ok)
		}
	}
}

func TestCallTimes(t *testing.T) {
	origin := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(s float64) time.Time { return origin.Add(seconds(s)) }
	times := []time.Time{at(-0.1), at(0.2), at(0.9), at(1.0), at(1.5), at(3.2)}
	if got, want := perSecond(times, origin), []int{3, 2, 0, 1}; !slices.Equal(got, want) {
		t.Errorf("perSecond = %v, want %v (a call before the origin counts in the first second)", got, want)
	}
	if got := perSecond(nil, origin); len(got) != 0 {
		t.Errorf("perSecond(nil) = %v", got)
	}
	if got := callsBetween(times, at(0.2), at(1.5)); got != 4 {
		t.Errorf("callsBetween [0.2, 1.5] = %d, want 4 (both ends included)", got)
	}
	if got := callsBetween(times, at(4), at(5)); got != 0 {
		t.Errorf("callsBetween after the last = %d", got)
	}
}

func TestStepWindow(t *testing.T) {
	steps := []step{{Activity: "ReadAuthing", From: 0, To: 1}, {Activity: applyUserChunk, Count: 30, From: 1.2, To: 21.5}}
	if from, to, ok := stepWindow(steps, applyUserChunk); !ok || from != 1.2 || to != 21.5 {
		t.Errorf("stepWindow = %v %v %v", from, to, ok)
	}
	if _, _, ok := stepWindow(steps, "Missing"); ok {
		t.Error("a missing activity has a window")
	}
}

func TestWorkerShares(t *testing.T) {
	w := window{From: 1, To: 11}
	spans := []span{
		{Activity: applyUserChunk, Worker: "b@h", From: 1, To: 4},
		{Activity: applyUserChunk, Worker: "a@h", From: 1, To: 6},
		{Activity: applyUserChunk, Worker: "a@h", From: 5, To: 8},    // overlaps: counted once
		{Activity: applyUserChunk, Worker: "b@h", From: 7, To: 12},   // clipped to the window
		{Activity: "ReadAuthing", Worker: "c@h", From: 0, To: 11},    // another activity
		{Activity: applyUserChunk, Worker: "a@h", From: 9.5, To: 10}, // after a gap
	}
	shares, all := workerShares(spans, applyUserChunk, w, 2)
	want := []workerShare{{Worker: "a@h", Chunks: 3, Busy: 7.5}, {Worker: "b@h", Chunks: 2, Busy: 7}}
	if !slices.Equal(shares, want) {
		t.Errorf("shares = %+v, want %+v", shares, want)
	}
	// Both busy: 1–4, 7–8 and 9.5–10.
	if !near(all, 4.5) {
		t.Errorf("all busy = %v, want 4.5", all)
	}
	if _, all := workerShares(spans, applyUserChunk, w, 3); all != 0 {
		t.Errorf("a worker without chunks: all busy = %v, want 0", all)
	}
}

func TestBudgetChecks(t *testing.T) {
	good := &budgetRun{Workers: 3, Status: report.StatusCompleted, Applied: plan.Counts{UsersMembership: 3000},
		Apply: window{From: 1, To: 21}, ApplyCalls: 5900, ApplyRate: 295}
	good.check(300, 3000)
	for _, c := range good.Checks {
		if !c.OK {
			t.Errorf("%s: %s", c.Name, c.Detail)
		}
	}
	if !near(good.RateRatio, 295.0/300) {
		t.Errorf("rate ratio %v", good.RateRatio)
	}

	bad := &budgetRun{Workers: 3, Status: report.StatusCompleted, Applied: plan.Counts{UsersMembership: 2999},
		Throttled: 2, Apply: window{From: 1, To: 21}, ApplyCalls: 5000, ApplyRate: 250}
	bad.check(300, 3000)
	var failed []string
	for _, c := range bad.Checks {
		if !c.OK {
			failed = append(failed, verdict(c)+" "+c.Name)
		}
	}
	if want := []string{"FAIL completed", "MISS HTTP 429 answers", "MISS Authing rate vs budget"}; !slices.Equal(failed, want) {
		t.Errorf("failed checks %v, want %v", failed, want)
	}

	// Only broken correctness checks fail the bench; missed targets do not.
	res := &budgetResult{Runs: []*budgetRun{good, bad}, Checks: []check{{Name: "time", OK: false}}}
	err := brokenChecks(results{Budget: res})
	if err == nil || !strings.Contains(err.Error(), "budget 3 worker(s): completed") || strings.Contains(err.Error(), "429") || strings.Contains(err.Error(), "time") {
		t.Errorf("brokenChecks = %v", err)
	}
	if err := brokenChecks(results{Budget: &budgetResult{Runs: []*budgetRun{good}}}); err != nil {
		t.Errorf("brokenChecks of a good run = %v", err)
	}
}

func TestPartitions(t *testing.T) {
	want := []string{"q", "/_sys/q/1", "/_sys/q/2", "/_sys/q/3"}
	if got := partitions("q"); !slices.Equal(got, want) {
		t.Errorf("partitions = %v, want %v", got, want)
	}
}
