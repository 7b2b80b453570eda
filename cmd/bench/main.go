// Command bench measures wecomsync's syncs end to end, the way they run in production: a Temporal
// dev server, the worker binary in its own process, and the emulators over HTTP at their real rate
// limits (Authing 300 QPS per pool; WeCom 10,000 calls per minute and 150,000 per hour per API).
//
// Upstream (WeCom export → Authing): a first sync of a generated export into an empty Authing, a
// no-op rerun, an edited export and a delete-only run (upstream.go).
//
// Downstream (Authing → WeCom): an initial sync into an empty corp, compared with the time WeCom's
// per-API budget allows; on a large company whose WeCom side a first sync built, a no-op rerun
// compared with its read floor and a run after a share of the users changed in Authing, with its
// exact write counts (downstream.go, bounds.go).
//
// Budget (issue 13 §6): one rate-bound upstream run — an edited export that moves thousands of
// members, a long series of single-user Authing calls — with one worker process and with three on
// one blob store, which share Authing's pool-wide QPS among themselves: no HTTP 429, the call rate
// while applying within 5 % of the budget, the time within 10 % of one worker's (budget.go).
//
// Each part prints a table (or, with --json, one JSON document) with wall times, API calls, rate
// limit answers, history events per execution, the largest payload and the worker's peak RSS.
// `make bench` runs every part at full size: 100,000 users upstream; 10,000 users in 200
// departments initial and 100,000 users in 2,000 departments downstream; 10,000 users with 3,000
// moved for the budget. It exits non-zero when a run fails or a correctness check breaks; missed
// performance targets are printed as MISS.
//
// The bench must not change what it measures: it configures the worker only through the
// environment a deployment uses and the emulators only through their options, and it asserts no
// timing in its tests.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are the bench's flags.
type options struct {
	parts              map[string]bool // upstream, downstream, budget
	users, departments int
	seed               int64
	qps                float64
	bin                string
	asJSON             bool
	cpuProfile         string
	keep               bool

	dsInitialUsers, dsInitialDepartments int
	dsUsers, dsDepartments               int
	dsChangePercent                      float64
	wecomPerMinute, wecomPerHour         int
	wecomMode                            string
	dsScenarios                          map[string]bool

	budgetUsers, budgetDepartments, budgetMoves int
	budgetWorkers                               int
	budgetChunkSize, budgetConcurrency          int
}

// results are the parts' results (nil: not run).
type results struct {
	Upstream   *upstreamResult   `json:"upstream,omitempty"`
	Downstream *downstreamResult `json:"downstream,omitempty"`
	Budget     *budgetResult     `json:"budget,omitempty"`
}

// benchParts are the parts of the bench, in the order they run.
var benchParts = []string{"upstream", "downstream", "budget"}

func parseFlags() (options, error) {
	var o options
	only := flag.String("only", "", `run only these parts, comma-separated: upstream, downstream, budget (default: all)`)
	flag.IntVar(&o.users, "users", 100000, "upstream: users in the generated export")
	flag.IntVar(&o.departments, "departments", 2000, "upstream: departments in the generated export")
	flag.Int64Var(&o.seed, "seed", 1, "generator seed")
	flag.Float64Var(&o.qps, "qps", 300, "the Authing emulator's and the worker's rate limit (its real default is 300)")
	flag.StringVar(&o.bin, "bin", "bin", "directory holding the temporal CLI and the worker binary")
	flag.BoolVar(&o.asJSON, "json", false, "print the results as JSON")
	flag.BoolVar(&o.keep, "keep", false, "keep the scratch directory (exports, blob stores) and print its path")
	flag.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the bench process (the emulators and the driver) to this file")
	flag.IntVar(&o.dsInitialUsers, "ds-initial-users", 10000, "downstream: users of the initial sync into an empty WeCom")
	flag.IntVar(&o.dsInitialDepartments, "ds-initial-departments", 200, "downstream: departments of the initial sync")
	flag.IntVar(&o.dsUsers, "ds-users", 100000, "downstream: users of the no-op and changed runs")
	flag.IntVar(&o.dsDepartments, "ds-departments", 2000, "downstream: departments of the no-op and changed runs")
	flag.Float64Var(&o.dsChangePercent, "ds-change-percent", 5, "downstream: share of the users changed in Authing before the changed run")
	flag.IntVar(&o.wecomPerMinute, "wecom-per-minute", wecomemu.DefaultPerMinute, "WeCom's per-API budget per minute (emulator and worker)")
	flag.IntVar(&o.wecomPerHour, "wecom-per-hour", wecomemu.DefaultPerHour, "WeCom's per-API budget per hour (emulator and worker)")
	flag.StringVar(&o.wecomMode, "wecom-mode", string(wecomemu.ModeSelfBuilt), "WeCom app mode: selfbuilt (自建) or daikaifa (代开发)")
	flag.IntVar(&o.budgetUsers, "budget-users", 10000, "budget: users in the generated export")
	flag.IntVar(&o.budgetDepartments, "budget-departments", 200, "budget: departments in the generated export")
	flag.IntVar(&o.budgetMoves, "budget-moves", 3000, "budget: members moved in the edited export (about two Authing calls each)")
	flag.IntVar(&o.budgetWorkers, "budget-workers", 3, "budget: worker processes sharing the budget (compared with one)")
	flag.IntVar(&o.budgetChunkSize, "budget-chunk-size", 100, "budget: the runs' chunkSize (user writes per apply activity)")
	flag.IntVar(&o.budgetConcurrency, "budget-concurrency", 12, "budget: the runs' concurrency (chunks applied at once; 12 = four per worker of three)")
	scenarios := flag.String("ds-scenarios", "initial,noop,changed", "downstream: the scenarios to run (noop and changed share one seeded company)")
	flag.Parse()
	o.dsScenarios = map[string]bool{}
	for _, name := range strings.Split(*scenarios, ",") {
		switch name = strings.TrimSpace(name); name {
		case "initial", "noop", "changed":
			o.dsScenarios[name] = true
		case "":
		default:
			return o, fmt.Errorf("--ds-scenarios: unknown scenario %q (initial, noop, changed)", name)
		}
	}
	o.parts = map[string]bool{}
	for _, name := range strings.Split(*only, ",") {
		switch name = strings.TrimSpace(name); {
		case name == "":
		case slices.Contains(benchParts, name):
			o.parts[name] = true
		default:
			return o, fmt.Errorf("--only: unknown part %q (%s)", name, strings.Join(benchParts, ", "))
		}
	}
	if len(o.parts) == 0 {
		for _, name := range benchParts {
			o.parts[name] = true
		}
	}
	switch {
	case o.wecomPerMinute <= 0 || o.wecomPerHour <= 0 || o.qps <= 0:
		return o, errors.New("--wecom-per-minute, --wecom-per-hour and --qps must be positive: the bench measures against limits")
	case o.dsChangePercent <= 0 || o.dsChangePercent > 100:
		return o, fmt.Errorf("--ds-change-percent %g: want more than 0 and at most 100", o.dsChangePercent)
	case o.budgetUsers <= 0 || o.budgetMoves <= 0 || o.budgetMoves > o.budgetUsers || o.budgetDepartments < 2:
		return o, fmt.Errorf("--budget-users %d, --budget-moves %d, --budget-departments %d: want moves between 1 and the users, and at least 2 departments",
			o.budgetUsers, o.budgetMoves, o.budgetDepartments)
	case o.budgetWorkers < 1 || o.budgetChunkSize < 1 || o.budgetConcurrency < 1:
		return o, errors.New("--budget-workers, --budget-chunk-size and --budget-concurrency must be positive")
	}
	return o, nil
}

func run() error {
	o, err := parseFlags()
	if err != nil {
		return err
	}
	if o.cpuProfile != "" {
		f, err := os.Create(o.cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	// The emulators stand in for remote services: on a small machine their garbage collection should
	// take as little CPU from the worker as it can (memory is not what the bench measures here).
	debug.SetGCPercent(400)
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "wecomsync-bench-")
	if err != nil {
		return err
	}
	if o.keep {
		logf("scratch directory (kept): %s", dir)
	} else {
		defer os.RemoveAll(dir)
	}

	temporalBin, err := filepath.Abs(filepath.Join(o.bin, "temporal"))
	if err != nil {
		return err
	}
	// The dev server's banner and logs go to stderr: stdout is the results (--json).
	dev, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{ExistingPath: temporalBin, LogLevel: "error",
		Stdout: os.Stderr, Stderr: os.Stderr,
		ClientOptions: &client.Options{Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))}})
	if err != nil {
		return fmt.Errorf("start the Temporal dev server: %w", err)
	}
	defer func() { _ = dev.Stop() }()
	wd := &world{c: dev.Client(), address: dev.FrontendHostPort(), bin: o.bin, dir: dir}

	var res results
	if o.parts["upstream"] {
		if res.Upstream, err = runUpstream(ctx, wd, o); err != nil {
			return fmt.Errorf("upstream: %w", err)
		}
	}
	if o.parts["downstream"] {
		if res.Downstream, err = runDownstream(ctx, wd, o); err != nil {
			return fmt.Errorf("downstream: %w", err)
		}
	}
	if o.parts["budget"] {
		if res.Budget, err = runBudget(ctx, wd, o); err != nil {
			return fmt.Errorf("budget: %w", err)
		}
	}
	if o.asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		if res.Upstream != nil {
			printUpstream(res.Upstream)
		}
		if res.Downstream != nil {
			printDownstream(res.Downstream)
		}
		if res.Budget != nil {
			printBudget(res.Budget)
		}
	}
	return brokenChecks(res)
}

// brokenChecks is an error naming the correctness checks that failed (missed targets are not).
func brokenChecks(res results) error {
	var errs []error
	if r := res.Downstream; r != nil {
		for _, sc := range r.scenarios() {
			for _, c := range sc.Checks {
				if c.Correct && !c.OK {
					errs = append(errs, fmt.Errorf("downstream %s: %s: %s", sc.Name, c.Name, c.Detail))
				}
			}
		}
	}
	if r := res.Budget; r != nil {
		names, checks := r.checks()
		for i, c := range checks {
			if c.Correct && !c.OK {
				errs = append(errs, fmt.Errorf("budget %s: %s: %s", names[i], c.Name, c.Detail))
			}
		}
	}
	return errors.Join(errs...)
}
