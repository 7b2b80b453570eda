package main

import (
	"fmt"

	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// Targets of issue 12 ("Must show").
const (
	targetInitial    = 1.15      // initial sync: wall time ≤ 1.15 × the budget bound
	targetNoop       = 1.2       // no-op rerun: wall time ≤ 1.2 × the read floor
	maxEventsPerRun  = 2000      // history events per workflow execution
	maxPayloadBytes  = 256 << 10 // largest payload (exclusive)
	maxWorkerRSSMiB  = 600       // worker peak RSS
	rateLimitAnswers = 0         // 45009 answers: the client's limiter keeps the budget
)

// scenario is what one measured downstream run cost, what it is compared with, and the checks.
type scenario struct {
	Name        string     `json:"name"`
	Title       string     `json:"title"`
	Users       int        `json:"users"`
	Departments int        `json:"departments"`
	Change      *changeLog `json:"change,omitempty"`
	Status      string     `json:"status"`
	Seconds     float64    `json:"seconds"`

	// Bound is what Seconds is compared with (Ratio = Seconds / Bound.Seconds); Target is the ratio
	// aimed at (0: none set).
	Bound  bound   `json:"bound"`
	Ratio  float64 `json:"ratio"`
	Target float64 `json:"target,omitempty"`
	// BudgetBound is the slowest API by WeCom's per-API budget (or Authing's pool at its QPS);
	// HourBudgetBinds says whether an API needed more than WeCom's hour budget.
	BudgetBound     apiTime `json:"budgetBound"`
	HourBudgetBinds bool    `json:"hourBudgetBinds"`
	// ClientFloor is the slowest WeCom API through the client's limiter; ClientHourLimited says
	// whether its hour bucket, not its minute bucket, sets that pace.
	ClientFloor       apiTime `json:"clientFloor"`
	ClientHourLimited bool    `json:"clientHourLimited"`
	// ObservedPace is the pace the client floor's API was actually called at: its calls over the
	// time from its first call to the end of its last.
	ObservedPace float64 `json:"observedCallsPerSecond"`
	// SequentialFloor (changed runs): the read floor, then the write bound, then Authing's
	// write-backs at its QPS, since a run writes only after it read and planned.
	SequentialFloor float64 `json:"sequentialFloorSeconds,omitempty"`
	SequentialRatio float64 `json:"sequentialRatio,omitempty"`

	Planned plan.Counts `json:"planned"`
	Applied plan.Counts `json:"applied"`
	Failed  plan.Counts `json:"failed"`

	WeComCalls      map[string]int            `json:"wecomCalls"`
	WeComWrites     map[string]int            `json:"wecomWrites"`
	WeComFailures   map[string]map[string]int `json:"wecomFailures,omitempty"` // API → errcode → answers
	RateLimited     int                       `json:"wecom45009"`
	AuthingCalls    map[string]int            `json:"authingCalls"`
	AuthingWrites   map[string]int            `json:"authingWrites"`
	AuthingFailures map[string]map[string]int `json:"authingFailures,omitempty"` // API → HTTP status → answers
	// WeComServed and AuthingServed say when each API was called during the run (seconds after
	// the workflow started, roughly) and how long the emulator took to answer.
	WeComServed   map[string]*serving `json:"wecomServed"`
	AuthingServed map[string]*serving `json:"authingServed"`

	// CPU is the CPU time each process used during the run (two cores are shared by all three).
	CPU cpuUse `json:"cpuSeconds"`
	// Steps is where the time went: the activities by type (seconds after the workflow started).
	Steps            []step  `json:"steps"`
	Executions       int     `json:"executions"`
	MaxEvents        int     `json:"historyEventsPerExecution"`
	LargestPayload   int     `json:"largestPayloadBytes"`
	WorkerPeakRSSMiB float64 `json:"workerPeakRssMiB"`

	Checks []check `json:"checks"`
}

// bound is a lower bound on a run's wall time and how it was computed.
type bound struct {
	Kind    string  `json:"kind"` // "budget" or "read floor"
	Seconds float64 `json:"seconds"`
	Detail  string  `json:"detail"`
}

// check is one verdict: a target (performance, limits) or a correctness condition.
type check struct {
	Name    string `json:"name"`
	Correct bool   `json:"correctness"` // false: a performance target
	OK      bool   `json:"ok"`
	Detail  string `json:"detail"`
}

func (sc *scenario) check(correct, ok bool, name, format string, args ...any) {
	sc.Checks = append(sc.Checks, check{Name: name, Correct: correct, OK: ok, Detail: fmt.Sprintf(format, args...)})
}

// boundByBudget compares the run with the least time the budgets allow for its calls.
func (sc *scenario) boundByBudget(b wecomBudget, qps float64, target float64) {
	sc.BudgetBound = slowest(sc.WeComCalls, b.boundSeconds)
	sc.HourBudgetBinds = b.hourBound(sc.BudgetBound.Calls)
	if a := authingTime(sc.AuthingCalls, qps); a.Seconds > sc.BudgetBound.Seconds {
		sc.BudgetBound = a
	}
	sc.ClientFloor = slowest(sc.WeComCalls, b.limiterSeconds)
	sc.ClientHourLimited = b.hourLimited(sc.ClientFloor.Calls)
	if sv := sc.WeComServed[sc.ClientFloor.API]; sv != nil && sv.Last > sv.First {
		sc.ObservedPace = float64(sv.Calls) / (sv.Last - sv.First)
	}
	sc.Bound = bound{Kind: "budget", Seconds: sc.BudgetBound.Seconds,
		Detail: fmt.Sprintf("slowest API by budget (WeCom %d/min, %d/h per API; Authing %.0f QPS per pool): %s", b.PerMinute, b.PerHour, qps, sc.BudgetBound)}
	sc.setRatio(target)
}

// boundByReads compares the run with its read floor: Authing's reads at its QPS and WeCom's
// slowest read API through the client's limiter, read in parallel.
func (sc *scenario) boundByReads(b wecomBudget, qps float64, target float64) {
	sc.boundByBudget(b, qps, 0)
	floor, detail := readFloor(sc.WeComCalls, sc.WeComWrites, sc.AuthingCalls, sc.AuthingWrites, b, qps)
	sc.Bound = bound{Kind: "read floor", Seconds: floor, Detail: detail}
	sc.setRatio(target)
}

// sequentialFloor adds the run's read floor, its write bound and Authing's writes at its QPS.
func (sc *scenario) sequentialFloor(b wecomBudget, qps float64) {
	reads, _ := readFloor(sc.WeComCalls, sc.WeComWrites, sc.AuthingCalls, sc.AuthingWrites, b, qps)
	writes := slowest(sc.WeComWrites, b.boundSeconds)
	sc.SequentialFloor = reads + writes.Seconds + float64(total(sc.AuthingWrites))/qps
	if sc.SequentialFloor > 0 {
		sc.SequentialRatio = sc.Seconds / sc.SequentialFloor
	}
}

func (sc *scenario) setRatio(target float64) {
	sc.Target = target
	if sc.Bound.Seconds > 0 {
		sc.Ratio = sc.Seconds / sc.Bound.Seconds
	}
	if target > 0 {
		sc.check(false, sc.Ratio <= target, "wall time vs "+sc.Bound.Kind, "%.1f s / %.1f s = %.2f (target ≤ %.2f)", sc.Seconds, sc.Bound.Seconds, sc.Ratio, target)
	}
}

// authingTime is the time Authing's pool budget needs for every call.
func authingTime(calls map[string]int, qps float64) apiTime {
	n := total(calls)
	return apiTime{API: "authing (pool)", Calls: n, Seconds: float64(n) / qps}
}

// readFloor is the larger of Authing's reads at qps and WeCom's slowest read API through the
// client's limiter (reads = calls − writes), with how it was computed.
func readFloor(wecomCalls, wecomWrites, authingCalls, authingWrites map[string]int, b wecomBudget, qps float64) (float64, string) {
	a := authingTime(minus(authingCalls, authingWrites), qps)
	w := slowest(minus(wecomCalls, wecomWrites), b.limiterSeconds)
	burst, perSecond := b.clientMinuteBucket()
	detail := fmt.Sprintf("max(Authing %d reads / %.0f QPS = %.1f s, WeCom %s through the client's limiter (burst %.0f, %.0f/s, full at the start)) = %.1f s",
		a.Calls, qps, a.Seconds, w, burst, perSecond, max(a.Seconds, w.Seconds))
	return max(a.Seconds, w.Seconds), detail
}

// checkCommon adds the checks every scenario has.
func (sc *scenario) checkCommon() {
	sc.check(true, sc.Status == report.StatusCompleted && sc.Failed.Writes() == 0, "completed", "status %s, %d failed writes", sc.Status, sc.Failed.Writes())
	sc.check(false, sc.RateLimited <= rateLimitAnswers, "45009 answers", "%d (target %d)", sc.RateLimited, rateLimitAnswers)
	sc.check(false, sc.MaxEvents <= maxEventsPerRun, "history events per execution", "%d in %d execution(s) (target ≤ %d)", sc.MaxEvents, sc.Executions, maxEventsPerRun)
	sc.check(false, sc.LargestPayload < maxPayloadBytes, "largest payload", "%d B (target < %d B)", sc.LargestPayload, maxPayloadBytes)
	sc.check(false, sc.WorkerPeakRSSMiB <= maxWorkerRSSMiB, "worker peak RSS", "%.0f MiB (target ≤ %d MiB)", sc.WorkerPeakRSSMiB, maxWorkerRSSMiB)
}

// checkInitial: every user and department is created with one call each, and WeCom holds them.
func (sc *scenario) checkInitial(rep *report.Report, wecom *wecomemu.Server) {
	sc.checkCommon()
	want := sc.Users - rep.Planned.UsersSkipped
	sc.check(true, rep.Applied.UsersCreate == want, "users created", "%d of %d (%d skipped by the plan)", rep.Applied.UsersCreate, sc.Users, rep.Planned.UsersSkipped)
	sc.check(true, rep.Applied.DepartmentsCreate == sc.Departments, "departments created", "%d of %d", rep.Applied.DepartmentsCreate, sc.Departments)
	sc.check(true, sc.WeComWrites["user/create"] == want, "user/create calls", "%d for %d users", sc.WeComWrites["user/create"], want)
	snap := wecom.Snapshot()
	sc.check(true, len(snap.Users) == want && len(snap.Departments) == sc.Departments+1, "WeCom holds them",
		"%d members, %d departments below the root", len(snap.Users), len(snap.Departments)-1)
}

// checkNoop: nothing planned, nothing written on either side.
func (sc *scenario) checkNoop(rep *report.Report) {
	sc.checkCommon()
	sc.check(true, rep.Planned.Writes() == 0, "planned writes", "%d", rep.Planned.Writes())
	sc.check(true, total(sc.WeComWrites) == 0, "WeCom write calls", "%d%s", total(sc.WeComWrites), callList(sc.WeComWrites))
	sc.check(true, total(sc.AuthingWrites) == 0, "Authing write calls", "%d%s", total(sc.AuthingWrites), callList(sc.AuthingWrites))
}

// checkChanged: one user/update per changed user and no other WeCom write; moves are written back
// into Authing (wechatwork_department_ids), nothing else is.
func (sc *scenario) checkChanged(rep *report.Report, log changeLog) {
	sc.checkCommon()
	updates := sc.WeComWrites["user/update"]
	sc.check(true, updates == log.Users, "user/update calls", "%d for %d changed users", updates, log.Users)
	sc.check(true, total(sc.WeComWrites) == updates, "other WeCom writes", "%d%s", total(sc.WeComWrites)-updates, callList(minus(sc.WeComWrites, map[string]int{"user/update": updates})))
	sc.check(true, rep.Applied.UsersUpdate == log.Users-log.Moved && rep.Applied.UsersMembership == log.Moved, "applied updates and moves",
		"%d updated (want %d), %d moved (want %d)", rep.Applied.UsersUpdate, log.Users-log.Moved, rep.Applied.UsersMembership, log.Moved)
	other := rep.Applied.Writes() - rep.Applied.UsersUpdate - rep.Applied.UsersMembership - rep.Applied.UsersWriteBack
	sc.check(true, rep.Applied.UsersWriteBack == log.Moved && other == 0, "Authing write-backs",
		"%d users (want %d, the moved ones), %d other writes; %d Authing write calls%s", rep.Applied.UsersWriteBack, log.Moved, other, total(sc.AuthingWrites), callList(sc.AuthingWrites))
}
