package main

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math"
	"net/http"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// The budget scenario (issue 13 §6): worker processes that share a blob store split Authing's
// pool-wide QPS among themselves (internal/budget). The same rate-bound upstream run — an edited
// export that moves many members, so that it is a long series of single-user Authing calls — runs
// once with one worker process and once with several on one stack, each from the same Authing
// state, and is compared: no HTTP 429, the Authing call rate while the user chunks are applied
// within a few per cent of the budget, and the run with several workers about as fast as the lone
// worker's. The run's chunks are small and several per worker are in flight (chunkSize 100,
// concurrency 12), so that every worker process applies chunks: Temporal hands each chunk to
// whichever worker polls, and a worker left without one holds its share of the budget until it
// gives it back (internal/budget's idleAfter), so the fewer chunks per worker, the more budget
// goes unused.

// Targets of the budget scenario.
const (
	budgetRatePercent = 5  // Authing calls/s while applying: within ±5 % of the pool's QPS
	budgetTimePercent = 10 // wall time with several workers: at most 10 % above one worker's
	budgetThrottled   = 0  // HTTP 429 answers
	budgetTaskQueue   = "bench-budget"
	applyUserChunk    = "ApplyUserChunk" // the activity of a user chunk (the rate-bound part)
)

// budgetResult is what the budget scenario measured.
type budgetResult struct {
	Users       int     `json:"users"`
	Departments int     `json:"departments"`
	Moves       int     `json:"moves"`
	QPS         float64 `json:"authingQps"`
	ChunkSize   int     `json:"chunkSize"`
	Concurrency int     `json:"concurrency"`
	// Seed says how the Authing state every measured run starts from was made.
	Seed seedInfo `json:"seed"`
	// Runs are the measured runs: one worker process first, then the shared-budget run.
	Runs []*budgetRun `json:"runs"`
	// TimeRatio is the wall time of the last run (several workers) over the first (one worker).
	TimeRatio float64 `json:"timeRatio"`
	Checks    []check `json:"checks"`
}

// budgetRun is one measured run of the edited export with Workers worker processes.
type budgetRun struct {
	Workers int         `json:"workers"`
	Status  string      `json:"status"`
	Seconds float64     `json:"seconds"`
	Applied plan.Counts `json:"applied"`
	Failed  plan.Counts `json:"failed"`
	// AuthingCalls are the calls the emulator counted (429s included), Calls their sum and
	// CallsPerSecond that sum over the wall time (parsing and planning included).
	AuthingCalls   map[string]int `json:"authingCalls"`
	Calls          int            `json:"calls"`
	CallsPerSecond float64        `json:"callsPerSecond"`
	// Throttled are the calls the emulator answered with HTTP 429 (its rate limit).
	Throttled       int                       `json:"http429"`
	AuthingFailures map[string]map[string]int `json:"authingFailures,omitempty"`
	// Apply is the rate-bound part: from the first user chunk's start to the last one's close
	// (seconds after the workflow started), the Authing calls that arrived in it, their rate and
	// that rate over the pool's QPS.
	Apply      window  `json:"apply"`
	ApplyCalls int     `json:"applyCalls"`
	ApplyRate  float64 `json:"applyCallsPerSecond"`
	RateRatio  float64 `json:"rateOverBudget"`
	// ByWorker are the user chunks each worker process ran and how much of the apply window it
	// had at least one in flight; AllBusy is how much of it every worker had one (a worker without
	// a chunk still holds its share of the budget until it gives it back).
	ByWorker []workerShare `json:"byWorker"`
	AllBusy  float64       `json:"allWorkersBusySeconds"`
	// PerSecond are the Authing calls that arrived in each second after the workflow started.
	PerSecond        []int   `json:"callsEachSecond"`
	Steps            []step  `json:"steps"`
	CPU              cpuUse  `json:"cpuSeconds"`
	WorkerPeakRSSMiB float64 `json:"workerPeakRssMiB"` // the largest of the workers'
	Checks           []check `json:"checks"`
}

// workerShare is what one worker process did of the rate-bound part.
type workerShare struct {
	Worker string  `json:"worker"`
	Chunks int     `json:"chunks"`
	Busy   float64 `json:"busySeconds"` // with at least one chunk in flight
}

// window is a span of a run, in seconds after the workflow started.
type window struct {
	From float64 `json:"fromSeconds"`
	To   float64 `json:"toSeconds"`
}

func (w window) seconds() float64 { return w.To - w.From }

// runBudget measures one rate-bound upstream run with one worker process and with o.budgetWorkers
// worker processes sharing Authing's budget. Authing is seeded once by a first sync of a generated
// export (a worker of its own, not measured), its state snapshotted, and seeded back from that
// snapshot before every measured run, so both start from the same directory and make the same calls.
func runBudget(ctx context.Context, wd *world, o options) (*budgetResult, error) {
	dir := wd.dir
	logf("budget: generating %d users in %d departments, %d of them moved in the edited export ...", o.budgetUsers, o.budgetDepartments, o.budgetMoves)
	spec := exportgen.NewSpec(o.budgetUsers, o.budgetDepartments, o.seed+3)
	first := filepath.Join(dir, "budget.xlsx")
	company, err := exportgen.WriteFile(first, spec)
	if err != nil {
		return nil, err
	}
	moved, edit := company.Edited(exportgen.Edit{Move: o.budgetMoves, Seed: o.seed + 4})
	edited := filepath.Join(dir, "budget-moved.xlsx")
	if err := exportgen.WriteCompany(edited, moved, spec); err != nil {
		return nil, err
	}

	emu := authingemu.New(authingemu.WithPool(benchPool, benchPoolSecret), authingemu.WithQPS(o.qps, int(o.qps)))
	if err := emu.Seed(authingemu.DemoSeed()); err != nil {
		return nil, err
	}
	clock := &callClock{next: emu.Handler(), prefix: "/api/v3/"}
	answers := newAnswerCounter(clock, "/api/v3/")
	authURL, stop, err := serve(answers)
	if err != nil {
		return nil, err
	}
	defer stop()
	env := []string{
		"WECOMSYNC_BLOB_URL=file://" + filepath.Join(dir, "budget-blobs") + "?create_dir=true",
		"WECOMSYNC_AUTHING_URL=" + authURL,
		"WECOMSYNC_AUTHING_USERPOOL_ID=" + benchPool,
		"WECOMSYNC_AUTHING_SECRET=" + benchPoolSecret,
		"WECOMSYNC_AUTHING_QPS=" + strconv.FormatFloat(o.qps, 'f', -1, 64),
		"WECOMSYNC_LOG_LEVEL=warn",
	}
	res := &budgetResult{Users: o.budgetUsers, Departments: o.budgetDepartments, Moves: len(edit.Moved), QPS: o.qps,
		ChunkSize: o.budgetChunkSize, Concurrency: o.budgetConcurrency}

	logf("budget: seeding Authing with a first sync (one worker, not measured) ...")
	w, err := wd.startWorker(ctx, budgetTaskQueue, env)
	if err != nil {
		return nil, err
	}
	var rep report.Report
	m, err := execute(ctx, wd.c, "bench-budget-seed", budgetTaskQueue, workflows.UpstreamWorkflowName, workflows.UpstreamInput{File: "file://" + first}, &rep)
	w.stop()
	if err != nil {
		return nil, err
	}
	if rep.Status != report.StatusCompleted || rep.Applied.UsersCreate != o.budgetUsers || rep.Failed.Writes() != 0 {
		return nil, fmt.Errorf("seeding sync: status %s, created %d of %d users, %d failed writes", rep.Status, rep.Applied.UsersCreate, o.budgetUsers, rep.Failed.Writes())
	}
	seeded := emu.Snapshot()
	res.Seed = seedInfo{Users: o.budgetUsers, Departments: o.budgetDepartments, Seconds: m.Seconds,
		Method: "a first upstream sync of the generated export (a worker of its own); Authing's state then snapshotted and seeded back (Seed of the Snapshot) before each measured run"}

	in := workflows.UpstreamInput{File: "file://" + edited, ChunkSize: o.budgetChunkSize, Concurrency: o.budgetConcurrency}
	counts := []int{1}
	if o.budgetWorkers > 1 {
		counts = append(counts, o.budgetWorkers)
	}
	for _, n := range counts {
		if err := emu.Seed(seeded); err != nil {
			return nil, fmt.Errorf("reseed Authing: %w", err)
		}
		run, err := measureBudget(ctx, wd, env, n, fmt.Sprintf("bench-budget-%dw", n), in, emu, clock, answers)
		if err != nil {
			return nil, err
		}
		run.check(o.qps, res.Moves)
		res.Runs = append(res.Runs, run)
	}
	if len(res.Runs) > 1 {
		one, many := res.Runs[0], res.Runs[len(res.Runs)-1]
		res.TimeRatio = many.Seconds / one.Seconds
		res.Checks = append(res.Checks, check{Name: fmt.Sprintf("time, %d workers vs 1", many.Workers), OK: res.TimeRatio <= 1+budgetTimePercent/100.0,
			Detail: fmt.Sprintf("%.1f s / %.1f s = %.3f (target ≤ %.2f)", many.Seconds, one.Seconds, res.TimeRatio, 1+budgetTimePercent/100.0)})
	}
	return res, nil
}

// measureBudget runs the edited export with n fresh worker processes on one blob store.
func measureBudget(ctx context.Context, wd *world, env []string, n int, id string, in workflows.UpstreamInput,
	emu *authingemu.Server, clock *callClock, answers *answerCounter) (*budgetRun, error) {
	runtime.GC()
	var workers []*workerProc
	defer func() {
		var wg sync.WaitGroup
		for _, w := range workers {
			wg.Add(1)
			go func() { defer wg.Done(); w.stop() }()
		}
		wg.Wait()
	}()
	var pids []int
	for range n {
		w, err := wd.startWorker(ctx, budgetTaskQueue, env)
		if err != nil {
			return nil, err
		}
		workers = append(workers, w)
		pids = append(pids, w.cmd.Process.Pid)
	}
	logf("budget: the edited export with %d worker process(es) ...", n)
	emu.ResetCalls()
	answers.take()
	clock.take()
	cpu := sampleCPU(pids...)
	var rep report.Report
	m, err := execute(ctx, wd.c, id, budgetTaskQueue, workflows.UpstreamWorkflowName, in, &rep)
	if err != nil {
		return nil, err
	}
	r := &budgetRun{Workers: n, Status: rep.Status, Seconds: m.Seconds, Applied: rep.Applied, Failed: rep.Failed, Steps: m.Steps}
	r.CPU = sampleCPU(pids...).minus(cpu)
	r.AuthingCalls, r.Throttled = emu.Calls(), emu.Throttled()
	r.AuthingFailures, _ = answers.take()
	r.Calls = total(r.AuthingCalls)
	r.CallsPerSecond = float64(r.Calls) / r.Seconds
	times := clock.take()
	r.PerSecond = perSecond(times, m.Origin)
	if from, to, ok := stepWindow(m.Steps, applyUserChunk); ok {
		r.Apply = window{From: from, To: to}
		r.ApplyCalls = callsBetween(times, m.Origin.Add(seconds(from)), m.Origin.Add(seconds(to)))
		if d := r.Apply.seconds(); d > 0 {
			r.ApplyRate = float64(r.ApplyCalls) / d
		}
		r.ByWorker, r.AllBusy = workerShares(m.Spans, applyUserChunk, r.Apply, n)
	}
	for _, w := range workers {
		rss, err := w.peakRSSMiB()
		if err != nil {
			return nil, err
		}
		r.WorkerPeakRSSMiB = max(r.WorkerPeakRSSMiB, rss)
	}
	logf("budget: %d worker(s) took %.1f s: %d Authing calls, %.1f/s while applying, %d HTTP 429", n, r.Seconds, r.Calls, r.ApplyRate, r.Throttled)
	return r, nil
}

// check adds the run's checks: it completed with every move applied (correctness), no HTTP 429
// and the rate while applying within budgetRatePercent of qps (targets).
func (r *budgetRun) check(qps float64, moves int) {
	add := func(correct, ok bool, name, format string, args ...any) {
		r.Checks = append(r.Checks, check{Name: name, Correct: correct, OK: ok, Detail: fmt.Sprintf(format, args...)})
	}
	add(true, r.Status == report.StatusCompleted && r.Failed.Writes() == 0 && r.Applied.UsersMembership == moves, "completed",
		"status %s, %d of %d moves applied, %d failed writes", r.Status, r.Applied.UsersMembership, moves, r.Failed.Writes())
	add(false, r.Throttled <= budgetThrottled, "HTTP 429 answers", "%d (target %d)", r.Throttled, budgetThrottled)
	r.RateRatio = r.ApplyRate / qps
	add(false, within(r.ApplyRate, qps, budgetRatePercent), "Authing rate vs budget",
		"%d calls in %.1f s while applying = %.1f/s, %.3f of %.0f QPS (target within ±%d %%)", r.ApplyCalls, r.Apply.seconds(), r.ApplyRate, r.RateRatio, qps, budgetRatePercent)
}

// checks are every check of the scenario, each with the run it belongs to ("" = the comparison).
func (r *budgetResult) checks() (runs []string, out []check) {
	for _, run := range r.Runs {
		for _, c := range run.Checks {
			runs, out = append(runs, fmt.Sprintf("%d worker(s)", run.Workers)), append(out, c)
		}
	}
	for _, c := range r.Checks {
		runs, out = append(runs, "comparison"), append(out, c)
	}
	return runs, out
}

func printBudget(r *budgetResult) {
	fmt.Printf("budget bench (worker processes on one blob store share Authing's %.0f QPS per pool): %d users, %d departments; the edited export moves %d members (chunks of %d, %d at once); Authing seeded back to the same state before each run\n",
		r.QPS, r.Users, r.Departments, r.Moves, r.ChunkSize, r.Concurrency)
	fmt.Printf("  %-9s %8s %7s %8s %14s %8s %9s %10s %6s %8s\n",
		"workers", "wall s", "calls", "calls/s", "applying s", "calls", "calls/s", "of budget", "429", "RSS MiB")
	for _, run := range r.Runs {
		fmt.Printf("  %-9d %8.1f %7d %8.1f %6.1f–%-7.1f %8d %9.1f %10.3f %6d %8.0f\n",
			run.Workers, run.Seconds, run.Calls, run.CallsPerSecond, run.Apply.From, run.Apply.To, run.ApplyCalls, run.ApplyRate, run.RateRatio, run.Throttled, run.WorkerPeakRSSMiB)
	}
	fmt.Println("  (calls = every Authing call the emulator counted; applying = the user chunks, first start–last close, s after the workflow started, and the calls that arrived then)")
	if r.TimeRatio > 0 {
		fmt.Printf("  time(%d workers) / time(1 worker) = %.3f\n", r.Runs[len(r.Runs)-1].Workers, r.TimeRatio)
	}
	fmt.Printf("  seeding (not measured): %.1f s — %s\n", r.Seed.Seconds, r.Seed.Method)
	fmt.Println("  user chunks by worker process (chunks, seconds with one in flight; all = seconds every worker had one):")
	for _, run := range r.Runs {
		var b strings.Builder
		for _, w := range run.ByWorker {
			pid, _, _ := strings.Cut(w.Worker, "@")
			fmt.Fprintf(&b, " pid %s ×%d %.1f s;", pid, w.Chunks, w.Busy)
		}
		fmt.Printf("    %d worker(s):%s all %.1f of %.1f s\n", run.Workers, b.String(), run.AllBusy, run.Apply.seconds())
	}
	fmt.Println("  Authing calls per second after the workflow started:")
	for _, run := range r.Runs {
		fmt.Printf("    %d worker(s): %s\n", run.Workers, intList(run.PerSecond))
	}
	fmt.Println("  where the time went (activity ×count: first start–last close, seconds after the workflow started; busy = summed run time):")
	for _, run := range r.Runs {
		fmt.Printf("    %d worker(s):%s\n", run.Workers, stepList(run.Steps))
		fmt.Printf("    %-12s CPU during the run: workers %.1f s, emulator and bench driver %.1f s, Temporal dev server %.1f s, other processes %.1f s (%d cores × %.1f s wall)\n",
			"", run.CPU.Worker, run.CPU.Bench, run.CPU.Temporal, run.CPU.Others, runtime.NumCPU(), run.Seconds)
		fmt.Printf("    %-12s Authing calls:%s\n", "", callList(run.AuthingCalls))
		if f := failureList(run.AuthingFailures); f != "" {
			fmt.Printf("    %-12s failed answers:%s\n", "", f)
		}
	}
	fmt.Println("  checks:")
	names, checks := r.checks()
	for i, c := range checks {
		fmt.Printf("    %-4s %-12s %-26s %s\n", verdict(c), names[i], c.Name, c.Detail)
	}
}

// intList formats counts as "a b c".
func intList(n []int) string {
	s := make([]string, len(n))
	for i, v := range n {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, " ")
}

// callClock wraps an emulator's handler and remembers when each API call (a path under prefix)
// arrived, answered or not.
type callClock struct {
	next   http.Handler
	prefix string

	mu    sync.Mutex
	times []time.Time
}

func (c *callClock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, c.prefix) {
		now := time.Now()
		c.mu.Lock()
		c.times = append(c.times, now)
		c.mu.Unlock()
	}
	c.next.ServeHTTP(w, r)
}

// take returns the arrival times since the last take and starts over.
func (c *callClock) take() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := c.times
	c.times = nil
	return out
}

// stepWindow is the span of activity's step: its first start and last close.
func stepWindow(steps []step, activity string) (from, to float64, ok bool) {
	for _, s := range steps {
		if s.Activity == activity {
			return s.From, s.To, true
		}
	}
	return 0, 0, false
}

// workerShares are, per worker identity, the spans of activity it ran and for how long within w it
// had at least one in flight, sorted by identity; and for how long within w all of workers had one.
func workerShares(spans []span, activity string, w window, workers int) ([]workerShare, float64) {
	byWorker := map[string][]span{}
	for _, s := range spans {
		if s.Activity == activity {
			byWorker[s.Worker] = append(byWorker[s.Worker], s)
		}
	}
	var out []workerShare
	var busy [][]window
	for _, id := range slices.Sorted(maps.Keys(byWorker)) {
		u := union(byWorker[id], w)
		out = append(out, workerShare{Worker: id, Chunks: len(byWorker[id]), Busy: length(u)})
		busy = append(busy, u)
	}
	if len(busy) < workers {
		return out, 0
	}
	all := busy[0]
	for _, u := range busy[1:] {
		all = intersect(all, u)
	}
	return out, length(all)
}

// union is the union of the spans' intervals clipped to w, as sorted disjoint windows.
func union(spans []span, w window) []window {
	var ws []window
	for _, s := range spans {
		if from, to := max(s.From, w.From), min(s.To, w.To); to > from {
			ws = append(ws, window{From: from, To: to})
		}
	}
	slices.SortFunc(ws, func(a, b window) int { return cmp.Compare(a.From, b.From) })
	var out []window
	for _, x := range ws {
		if n := len(out); n > 0 && x.From <= out[n-1].To {
			out[n-1].To = max(out[n-1].To, x.To)
			continue
		}
		out = append(out, x)
	}
	return out
}

// intersect is the intersection of two sorted disjoint window lists.
func intersect(a, b []window) []window {
	var out []window
	for i, j := 0, 0; i < len(a) && j < len(b); {
		if from, to := max(a[i].From, b[j].From), min(a[i].To, b[j].To); to > from {
			out = append(out, window{From: from, To: to})
		}
		if a[i].To < b[j].To {
			i++
		} else {
			j++
		}
	}
	return out
}

// length is the summed length of windows.
func length(ws []window) float64 {
	s := 0.0
	for _, w := range ws {
		s += w.seconds()
	}
	return s
}

// callsBetween counts the times in [from, to].
func callsBetween(times []time.Time, from, to time.Time) int {
	n := 0
	for _, t := range times {
		if !t.Before(from) && !t.After(to) {
			n++
		}
	}
	return n
}

// perSecond counts the times in each whole second after origin (times before origin count in the
// first second).
func perSecond(times []time.Time, origin time.Time) []int {
	var out []int
	for _, t := range times {
		i := max(0, int(t.Sub(origin)/time.Second))
		for len(out) <= i {
			out = append(out, 0)
		}
		out[i]++
	}
	return out
}

// within reports whether x lies within ±percent % of want.
func within(x, want, percent float64) bool {
	return math.Abs(x-want) <= math.Abs(want)*percent/100+1e-9
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
