package main

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"

	"github.com/wecomsync/wecomsync/clients/wecom"
	"github.com/wecomsync/wecomsync/plan"
)

// printDownstream prints the downstream results: one table row per scenario, how each bound was
// computed, what each run called and wrote, and the checks.
func printDownstream(r *downstreamResult) {
	fmt.Printf("downstream bench (Authing → WeCom, %s app): WeCom budget %d/min and %d/h per API, Authing %.0f QPS per pool; emulators over HTTP, worker in its own process (a fresh one per run)\n",
		r.WeComMode, r.WeComBudget.PerMinute, r.WeComBudget.PerHour, r.AuthingQPS)
	scs := r.scenarios()
	fmt.Printf("  %-22s %7s %6s %8s %8s %6s %7s %6s %7s %6s %8s %8s\n",
		"scenario", "users", "depts", "wall s", "bound s", "ratio", "target", "45009", "events", "runs", "payload", "RSS MiB")
	for _, sc := range scs {
		target := "—"
		if sc.Target > 0 {
			target = fmt.Sprintf("≤%.2f", sc.Target)
		}
		fmt.Printf("  %-22s %7d %6d %8.1f %8.1f %6.2f %7s %6d %7d %6d %8d %8.0f\n",
			sc.Title, sc.Users, sc.Departments, sc.Seconds, sc.Bound.Seconds, sc.Ratio, target, sc.RateLimited,
			sc.MaxEvents, sc.Executions, sc.LargestPayload, sc.WorkerPeakRSSMiB)
	}
	fmt.Println("  (events = history events of the largest execution, runs = executions in the chain, payload = largest payload in bytes)")
	fmt.Println("  bounds:")
	for _, sc := range scs {
		fmt.Printf("    %-16s %s: %s\n", sc.Name, sc.Bound.Kind, sc.Bound.Detail)
		hour := "no API above the hour budget"
		if sc.HourBudgetBinds {
			hour = "the hour budget binds"
		}
		client := "minute bucket"
		if sc.ClientHourLimited {
			client = "HOUR limit"
		}
		fmt.Printf("    %-16s budget bound %s (%s); client limiter floor %s (%s paces it)\n", "", sc.BudgetBound, hour, sc.ClientFloor, client)
		if sc.ObservedPace > 0 {
			fmt.Printf("    %-16s observed: %s called at %.1f/s (the client's limits: %s)\n", "", sc.ClientFloor.API, sc.ObservedPace, refills(r.WeComBudget))
		}
		if sc.SequentialFloor > 0 {
			fmt.Printf("    %-16s sequential floor (read floor + write budget bound + Authing writes at QPS) %.1f s: ratio %.2f\n", "", sc.SequentialFloor, sc.SequentialRatio)
		}
	}
	if r.Seed != nil {
		fmt.Printf("  seeding of the %d-user company (not measured): %.1f s — %s\n", r.Seed.Users, r.Seed.Seconds, r.Seed.Method)
	}
	if r.Changed != nil && r.Changed.Change != nil {
		c := r.Changed.Change
		fmt.Printf("  changed in Authing: %d users (%d renamed, %d positions, %d mobiles, %d moved)\n", c.Users, c.Renamed, c.Positions, c.Mobiles, c.Moved)
	}
	fmt.Println("  where the time went (activity ×count: first start–last close, seconds after the workflow started; busy = summed run time):")
	for _, sc := range scs {
		fmt.Printf("    %-16s%s\n", sc.Name, stepList(sc.Steps))
		fmt.Printf("    %-16s CPU during the run: worker %.1f s, emulators and bench driver %.1f s, Temporal dev server %.1f s, other processes %.1f s (%d cores × %.1f s wall)\n",
			"", sc.CPU.Worker, sc.CPU.Bench, sc.CPU.Temporal, sc.CPU.Others, runtime.NumCPU(), sc.Seconds)
	}
	fmt.Println("  calls and writes:")
	for _, sc := range scs {
		fmt.Printf("    %-16s WeCom calls:%s\n", sc.Name, callList(sc.WeComCalls))
		fmt.Printf("    %-16s Authing calls:%s\n", "", callList(sc.AuthingCalls))
		fmt.Printf("    %-16s served (first–last call, s after the start; mean answer ms):%s%s\n", "", servedList(sc.WeComServed), servedList(sc.AuthingServed))
		fmt.Printf("    %-16s applied:%s; WeCom write calls %d, Authing write calls %d\n", "", countList(sc.Applied), total(sc.WeComWrites), total(sc.AuthingWrites))
		if f := failureList(sc.WeComFailures) + failureList(sc.AuthingFailures); f != "" {
			fmt.Printf("    %-16s failed answers:%s\n", "", f)
		}
	}
	fmt.Println("  checks:")
	for _, sc := range scs {
		for _, c := range sc.Checks {
			fmt.Printf("    %-4s %-16s %-30s %s\n", verdict(c), sc.Name, c.Name, c.Detail)
		}
	}
}

// verdict is ok, MISS (a target missed) or FAIL (a correctness condition broken).
func verdict(c check) string {
	switch {
	case c.OK:
		return "ok"
	case c.Correct:
		return "FAIL"
	}
	return "MISS"
}

// countList formats the non-zero write counts as " object action=n …".
func countList(c plan.Counts) string {
	var b strings.Builder
	for _, cell := range plan.WriteCells() {
		if n := cell.Get(c); n > 0 {
			fmt.Fprintf(&b, " %s %s=%d", cell.Object, cell.Action, n)
		}
	}
	if b.Len() == 0 {
		return " none"
	}
	return b.String()
}

// failureList formats failure answers as " api:code=n …".
func failureList(f map[string]map[string]int) string {
	var b strings.Builder
	for _, api := range slices.Sorted(maps.Keys(f)) {
		for _, code := range slices.Sorted(maps.Keys(f[api])) {
			fmt.Fprintf(&b, " %s:%s=%d", api, code, f[api][code])
		}
	}
	return b.String()
}

// stepList formats activity steps as " Name×n a–b s (busy c s) …".
func stepList(steps []step) string {
	var b strings.Builder
	for _, s := range steps {
		fmt.Fprintf(&b, " %s×%d %.1f–%.1f", s.Activity, s.Count, s.From, s.To)
		if s.Count > 1 {
			fmt.Fprintf(&b, " (busy %.1f)", s.Busy)
		}
		b.WriteString(";")
	}
	return strings.TrimSuffix(b.String(), ";")
}

// servedList formats how each API was served as " api a–b s m ms …", sorted by API.
func servedList(served map[string]*serving) string {
	var b strings.Builder
	for _, api := range slices.Sorted(maps.Keys(served)) {
		sv := served[api]
		fmt.Fprintf(&b, " %s %.1f–%.1f %.1fms;", api, sv.First, sv.Last, 1000*sv.Busy/float64(sv.Calls))
	}
	return b.String()
}

// refills formats the client's limits per API as " 150/s (minute bucket), 135000 per hour".
func refills(b wecomBudget) string {
	l := wecom.LimitsOf(b.PerMinute, b.PerHour)
	return fmt.Sprintf(" %g/s (minute bucket), at most %d per hour", l.PerSecond, l.HourMax)
}
