package main

import (
	"context"
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strconv"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// The bench's credentials: the Authing pool and the WeCom corp the emulators serve.
const (
	benchPool       = "bench-pool"
	benchPoolSecret = "bench-secret"
	benchCorp       = "ww-bench-corp"
	benchCorpSecret = "bench-contacts-secret"
	seedTaskQueue   = "bench-seed"
)

// Organization codes of the two downstream companies (one pool holds one at a time).
const (
	initialOrg = "bench-initial"
	largeOrg   = "bench-large"
)

// downstreamResult is what the downstream bench measured.
type downstreamResult struct {
	WeComBudget wecomBudget `json:"wecomBudget"`
	AuthingQPS  float64     `json:"authingQps"`
	WeComMode   string      `json:"wecomMode"`
	Initial     *scenario   `json:"initial,omitempty"`
	Seed        *seedInfo   `json:"seed,omitempty"`
	Noop        *scenario   `json:"noopRerun,omitempty"`
	Changed     *scenario   `json:"changed,omitempty"`
}

// seedInfo says how the large company's WeCom side was built before the measured runs.
type seedInfo struct {
	Users       int     `json:"users"`
	Departments int     `json:"departments"`
	Seconds     float64 `json:"seconds"`
	Method      string  `json:"method"`
}

// downstreamBench is the world of the downstream scenarios: one Authing emulator at its real QPS,
// a WeCom emulator behind a switch (so its state can move to a new emulator with other limits),
// both counted per answer, and a blob store every worker process shares.
type downstreamBench struct {
	o       options
	wd      *world
	budget  wecomBudget
	authing *authingemu.Server
	authAns *answerCounter
	wecom   *wecomSwitch
	wecomAn *answerCounter
	authURL string
	wecURL  string
	blobURL string
}

// runDownstream measures the downstream sync (Authing → WeCom): an initial sync into an empty
// corp, then, on a large company whose WeCom side a first sync built with WeCom's limits lifted,
// a no-op rerun and a run after a share of the users changed in Authing. Every measured run has a
// fresh worker process at the real limits, against emulators at the real limits.
func runDownstream(ctx context.Context, wd *world, o options) (*downstreamResult, error) {
	b := &downstreamBench{o: o, wd: wd, budget: wecomBudget{PerMinute: o.wecomPerMinute, PerHour: o.wecomPerHour},
		blobURL: "file://" + filepath.Join(wd.dir, "downstream-blobs") + "?create_dir=true"}
	b.authing = authingemu.New(authingemu.WithPool(benchPool, benchPoolSecret), authingemu.WithQPS(o.qps, int(o.qps)))
	b.authAns = newAnswerCounter(b.authing.Handler(), "/api/v3/")
	b.wecom = &wecomSwitch{}
	b.wecom.set(b.newWeCom(b.budget))
	b.wecomAn = newAnswerCounter(b.wecom, "/cgi-bin/")
	var stop func()
	var err error
	if b.authURL, stop, err = serve(b.authAns); err != nil {
		return nil, err
	}
	defer stop()
	if b.wecURL, stop, err = serve(b.wecomAn); err != nil {
		return nil, err
	}
	defer stop()

	res := &downstreamResult{WeComBudget: b.budget, AuthingQPS: o.qps, WeComMode: o.wecomMode}
	if o.dsScenarios["initial"] {
		if res.Initial, err = b.initial(ctx); err != nil {
			return nil, err
		}
	}
	if !o.dsScenarios["noop"] && !o.dsScenarios["changed"] {
		return res, nil
	}
	if res.Seed, err = b.seedLarge(ctx); err != nil {
		return nil, err
	}
	if o.dsScenarios["noop"] {
		if res.Noop, err = b.noop(ctx); err != nil {
			return nil, err
		}
	}
	if o.dsScenarios["changed"] {
		if res.Changed, err = b.changed(ctx); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// scenarios are the scenarios that ran, in order.
func (r *downstreamResult) scenarios() []*scenario {
	var out []*scenario
	for _, sc := range []*scenario{r.Initial, r.Noop, r.Changed} {
		if sc != nil {
			out = append(out, sc)
		}
	}
	return out
}

// newWeCom is an empty corp at the given limits (0 = unlimited).
func (b *downstreamBench) newWeCom(limits wecomBudget) *wecomemu.Server {
	return wecomemu.New(wecomemu.WithCorp(benchCorp, benchCorpSecret), wecomemu.WithMode(wecomemu.Mode(b.o.wecomMode)),
		wecomemu.WithRateLimits(limits.PerMinute, limits.PerHour))
}

// workerEnv is the environment of a worker whose WeCom client keeps the given budget.
func (b *downstreamBench) workerEnv(limits wecomBudget) []string {
	return []string{
		"WECOMSYNC_BLOB_URL=" + b.blobURL,
		"WECOMSYNC_AUTHING_URL=" + b.authURL,
		"WECOMSYNC_AUTHING_USERPOOL_ID=" + benchPool,
		"WECOMSYNC_AUTHING_SECRET=" + benchPoolSecret,
		"WECOMSYNC_AUTHING_QPS=" + strconv.FormatFloat(b.o.qps, 'f', -1, 64),
		"WECOMSYNC_WECOM_URL=" + b.wecURL + "/cgi-bin/",
		"WECOMSYNC_WECOM_CORP_ID=" + benchCorp,
		"WECOMSYNC_WECOM_SECRET=" + benchCorpSecret,
		"WECOMSYNC_WECOM_MODE=" + b.o.wecomMode,
		"WECOMSYNC_WECOM_PER_MINUTE=" + strconv.Itoa(limits.PerMinute),
		"WECOMSYNC_WECOM_PER_HOUR=" + strconv.Itoa(limits.PerHour),
		"WECOMSYNC_LOG_LEVEL=warn",
	}
}

// initial syncs a generated organization into an empty WeCom.
func (b *downstreamBench) initial(ctx context.Context) (*scenario, error) {
	users, depts := b.o.dsInitialUsers, b.o.dsInitialDepartments
	logf("downstream: initial sync of %d users in %d departments into an empty WeCom ...", users, depts)
	if err := b.authing.Seed(orgFixture(exportgen.Generate(exportgen.NewSpec(users, depts, b.o.seed)), initialOrg)); err != nil {
		return nil, err
	}
	b.wecom.set(b.newWeCom(b.budget))
	sc := &scenario{Name: "initial", Title: "initial (empty WeCom)", Users: users, Departments: depts}
	rep, err := b.measure(ctx, sc, "bench-downstream-initial", initialOrg)
	if err != nil {
		return nil, err
	}
	sc.boundByBudget(b.budget, b.o.qps, targetInitial)
	sc.checkInitial(rep, b.wecom.server())
	return sc, nil
}

// seedLarge builds the large company's state the measured runs start from: Authing seeded with a
// generated organization, then a first downstream sync by a worker process of its own into a WeCom
// emulator with the rate limits lifted (client and emulator), so that WeCom, the ids written back
// into Authing and the snapshot in the blob store are exactly what a successful run leaves. The
// corp then moves to an emulator at the real limits (seeded from the first one's snapshot) behind
// the same URL.
func (b *downstreamBench) seedLarge(ctx context.Context) (*seedInfo, error) {
	users, depts := b.o.dsUsers, b.o.dsDepartments
	logf("downstream: seeding %d users in %d departments (a first sync with WeCom's limits lifted) ...", users, depts)
	if err := b.authing.Seed(orgFixture(exportgen.Generate(exportgen.NewSpec(users, depts, b.o.seed+1)), largeOrg)); err != nil {
		return nil, err
	}
	lifted := wecomBudget{PerMinute: math.MaxInt32, PerHour: math.MaxInt32}
	unlimited := b.newWeCom(wecomBudget{})
	b.wecom.set(unlimited)
	w, err := b.wd.startWorker(ctx, seedTaskQueue, b.workerEnv(lifted))
	if err != nil {
		return nil, err
	}
	defer w.stop()
	var rep report.Report
	m, err := execute(ctx, b.wd.c, "bench-downstream-seed", seedTaskQueue, workflows.DownstreamWorkflowName,
		workflows.DownstreamInput{OrganizationCode: largeOrg}, &rep)
	if err != nil {
		return nil, err
	}
	if rep.Status != report.StatusCompleted || rep.Applied.UsersCreate+rep.Planned.UsersSkipped != users {
		return nil, fmt.Errorf("seeding sync: status %s, created %d of %d users (%d skipped), %d failed writes",
			rep.Status, rep.Applied.UsersCreate, users, rep.Planned.UsersSkipped, rep.Failed.Writes())
	}
	limited := b.newWeCom(b.budget)
	if err := limited.Seed(unlimited.Snapshot()); err != nil {
		return nil, fmt.Errorf("move the corp to an emulator at the real limits: %w", err)
	}
	b.wecom.set(limited)
	return &seedInfo{Users: users, Departments: depts, Seconds: m.Seconds,
		Method: "Authing seeded with a generated organization; a first downstream sync (own worker, WeCom limits lifted in client and emulator) " +
			"created WeCom, wrote the ids back into Authing and stored the snapshot; WeCom then moved to an emulator at the real limits (Seed of its Snapshot)"}, nil
}

// noop reruns the large company with nothing changed.
func (b *downstreamBench) noop(ctx context.Context) (*scenario, error) {
	logf("downstream: no-op rerun at %d users ...", b.o.dsUsers)
	sc := &scenario{Name: "noop", Title: "no-op rerun", Users: b.o.dsUsers, Departments: b.o.dsDepartments}
	rep, err := b.measure(ctx, sc, "bench-downstream-noop", largeOrg)
	if err != nil {
		return nil, err
	}
	sc.boundByReads(b.budget, b.o.qps, targetNoop)
	sc.checkNoop(rep)
	return sc, nil
}

// changed changes a share of the large company's users in Authing and syncs.
func (b *downstreamBench) changed(ctx context.Context) (*scenario, error) {
	n := int(math.Round(float64(b.o.dsUsers) * b.o.dsChangePercent / 100))
	edited, log, err := editUsers(b.authing.Snapshot(), n, b.o.seed+2)
	if err != nil {
		return nil, err
	}
	if err := b.authing.Seed(edited); err != nil {
		return nil, err
	}
	logf("downstream: %d users changed in Authing (%d renamed, %d positions, %d mobiles, %d moved) ...",
		log.Users, log.Renamed, log.Positions, log.Mobiles, log.Moved)
	sc := &scenario{Name: "changed", Title: fmt.Sprintf("%g %% changed", b.o.dsChangePercent), Users: b.o.dsUsers, Departments: b.o.dsDepartments, Change: &log}
	rep, err := b.measure(ctx, sc, "bench-downstream-changed", largeOrg)
	if err != nil {
		return nil, err
	}
	sc.boundByBudget(b.budget, b.o.qps, 0)
	sc.sequentialFloor(b.budget, b.o.qps)
	sc.checkChanged(rep, log)
	return sc, nil
}

// measure runs one downstream sync of org with a fresh worker process at the real limits and
// records what it cost: time, calls and answers on both sides, history, payloads, peak RSS.
func (b *downstreamBench) measure(ctx context.Context, sc *scenario, id, org string) (*report.Report, error) {
	runtime.GC() // the garbage of seeding is collected before, not during, the run
	w, err := b.wd.startWorker(ctx, workflows.TaskQueue, b.workerEnv(b.budget))
	if err != nil {
		return nil, err
	}
	defer w.stop()
	b.authing.ResetCalls()
	b.wecom.server().ResetCalls()
	b.authAns.take()
	b.wecomAn.take()
	var rep report.Report
	cpu := sampleCPU(w.cmd.Process.Pid)
	m, err := execute(ctx, b.wd.c, id, workflows.TaskQueue, workflows.DownstreamWorkflowName, workflows.DownstreamInput{OrganizationCode: org}, &rep)
	if err != nil {
		return nil, err
	}
	sc.CPU = sampleCPU(w.cmd.Process.Pid).minus(cpu)
	sc.Seconds, sc.Executions, sc.MaxEvents, sc.LargestPayload, sc.Steps = m.Seconds, m.Executions, m.MaxEvents, m.Largest, m.Steps
	sc.Status, sc.Planned, sc.Applied, sc.Failed = rep.Status, rep.Planned, rep.Applied, rep.Failed
	sc.WeComCalls, sc.WeComWrites = b.wecom.server().Calls(), b.wecom.server().Writes()
	sc.WeComFailures, sc.WeComServed = b.wecomAn.take()
	sc.AuthingCalls, sc.AuthingWrites = b.authing.Calls(), b.authing.Writes()
	sc.AuthingFailures, sc.AuthingServed = b.authAns.take()
	sc.RateLimited = countOf(sc.WeComFailures, "", "45009")
	if sc.WorkerPeakRSSMiB, err = w.peakRSSMiB(); err != nil {
		return nil, err
	}
	logf("downstream: %s took %.1f s", sc.Name, sc.Seconds)
	return &rep, nil
}
