package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"go.temporal.io/sdk/client"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// upstreamResult is what the upstream bench measured.
type upstreamResult struct {
	Users            int            `json:"users"`
	Departments      int            `json:"departments"`
	ExportBytes      int64          `json:"exportBytes"`
	FirstSeconds     float64        `json:"firstSyncSeconds"`
	UsersPerSecond   float64        `json:"usersPerSecond"`
	FirstAPICalls    map[string]int `json:"firstSyncApiCalls"`
	FirstWrites      int            `json:"firstSyncWriteCalls"`
	FirstEvents      int            `json:"firstSyncHistoryEvents"`
	FirstLargest     int            `json:"firstSyncLargestPayloadBytes"`
	RerunSeconds     float64        `json:"noopRerunSeconds"`
	RerunWrites      int            `json:"noopRerunWriteCalls"`
	RerunAPICalls    int            `json:"noopRerunApiCalls"`
	RerunEvents      int            `json:"noopRerunHistoryEvents"`
	RerunLargest     int            `json:"noopRerunLargestPayloadBytes"`
	EditedSeconds    float64        `json:"editedSyncSeconds"`
	EditedWrites     int            `json:"editedSyncWriteCalls"`
	EditedApplied    plan.Counts    `json:"editedSyncApplied"`
	DeleteSeconds    float64        `json:"deleteOnlySeconds"`
	DeleteApplied    int            `json:"deleteOnlyDeleted"`
	MaxEvents        int            `json:"maxHistoryEvents"`
	MaxPayload       int            `json:"maxPayloadBytes"`
	WorkerPeakRSSMiB float64        `json:"workerPeakRssMiB"`
}

// runUpstream measures the upstream sync: a first sync of a generated export into an empty
// Authing, a no-op rerun, a create-update of an edited export (0.5 % of the users renamed, moved,
// added and removed each) and a delete-only of it, with the worker in its own process and the
// Authing emulator at o.qps over HTTP.
func runUpstream(ctx context.Context, wd *world, o options) (*upstreamResult, error) {
	c, dir := wd.c, wd.dir
	export := filepath.Join(dir, "export.xlsx")
	logf("upstream: generating %d users in %d departments ...", o.users, o.departments)
	spec := exportgen.NewSpec(o.users, o.departments, o.seed)
	company, err := exportgen.WriteFile(export, spec)
	if err != nil {
		return nil, err
	}
	change := max(1, o.users/200)
	edited, _ := company.Edited(exportgen.Edit{Rename: change, Move: change, Add: change, Remove: change, Seed: o.seed + 1})
	editedPath := filepath.Join(dir, "edited.xlsx")
	if err := exportgen.WriteCompany(editedPath, edited, spec); err != nil {
		return nil, err
	}
	st, err := os.Stat(export)
	if err != nil {
		return nil, err
	}

	emu := authingemu.New(authingemu.WithPool(benchPool, benchPoolSecret), authingemu.WithQPS(o.qps, int(o.qps)))
	if err := emu.Seed(authingemu.DemoSeed()); err != nil {
		return nil, err
	}
	authURL, stopAuthing, err := serve(emu.Handler())
	if err != nil {
		return nil, err
	}
	defer stopAuthing()
	worker, err := wd.startWorker(ctx, workflows.TaskQueue, []string{
		"WECOMSYNC_BLOB_URL=file://" + filepath.Join(dir, "blobs") + "?create_dir=true",
		"WECOMSYNC_AUTHING_URL=" + authURL,
		"WECOMSYNC_AUTHING_USERPOOL_ID=" + benchPool,
		"WECOMSYNC_AUTHING_SECRET=" + benchPoolSecret,
		"WECOMSYNC_AUTHING_QPS=" + strconv.FormatFloat(o.qps, 'f', -1, 64),
		"WECOMSYNC_LOG_LEVEL=warn",
	})
	if err != nil {
		return nil, err
	}
	defer worker.stop()

	res := &upstreamResult{Users: o.users, Departments: o.departments, ExportBytes: st.Size()}
	in := workflows.UpstreamInput{File: "file://" + export}

	logf("upstream: first sync into an empty Authing (Authing at %.0f QPS) ...", o.qps)
	emu.ResetCalls()
	rep, m, err := upstreamSync(ctx, c, "bench-first", in)
	if err != nil {
		return nil, err
	}
	if rep.Applied.UsersCreate != o.users || rep.Failed.Writes() != 0 {
		return nil, fmt.Errorf("first sync created %d of %d users, %d failed writes", rep.Applied.UsersCreate, o.users, rep.Failed.Writes())
	}
	res.FirstSeconds, res.FirstEvents, res.FirstLargest = m.Seconds, m.MaxEvents, m.Largest
	res.UsersPerSecond = float64(rep.Applied.UsersCreate) / m.Seconds
	res.FirstAPICalls, res.FirstWrites = emu.Calls(), emu.WriteCalls()

	logf("upstream: no-op rerun of the same file ...")
	emu.ResetCalls()
	if _, m, err = upstreamSync(ctx, c, "bench-rerun", in); err != nil {
		return nil, err
	}
	res.RerunSeconds, res.RerunEvents, res.RerunLargest = m.Seconds, m.MaxEvents, m.Largest
	res.RerunWrites = emu.WriteCalls()
	for _, n := range emu.Calls() {
		res.RerunAPICalls += n
	}

	logf("upstream: create-update of an edited export (%d renamed, moved, added, removed each) ...", change)
	emu.ResetCalls()
	if rep, m, err = upstreamSync(ctx, c, "bench-edited", workflows.UpstreamInput{File: "file://" + editedPath}); err != nil {
		return nil, err
	}
	res.EditedSeconds, res.EditedWrites, res.EditedApplied = m.Seconds, emu.WriteCalls(), rep.Applied
	res.MaxEvents, res.MaxPayload = max(res.FirstEvents, res.RerunEvents, m.MaxEvents), max(res.FirstLargest, res.RerunLargest, m.Largest)

	logf("upstream: delete-only of the edited export (thresholds lifted for the bench) ...")
	del := workflows.UpstreamInput{File: "file://" + editedPath, Mode: plan.ModeDeleteOnly, Limits: plan.Limits{MaxDeletes: -1, MaxDeletePercent: -1}}
	if rep, m, err = upstreamSync(ctx, c, "bench-delete", del); err != nil {
		return nil, err
	}
	res.DeleteSeconds, res.DeleteApplied = m.Seconds, rep.Applied.UsersDelete
	res.MaxEvents, res.MaxPayload = max(res.MaxEvents, m.MaxEvents), max(res.MaxPayload, m.Largest)

	if res.WorkerPeakRSSMiB, err = worker.peakRSSMiB(); err != nil {
		return nil, err
	}
	return res, nil
}

// upstreamSync runs one upstream sync and measures it.
func upstreamSync(ctx context.Context, c client.Client, id string, in workflows.UpstreamInput) (*report.Report, measured, error) {
	var rep report.Report
	m, err := execute(ctx, c, id, workflows.TaskQueue, workflows.UpstreamWorkflowName, in, &rep)
	return &rep, m, err
}

func printUpstream(r *upstreamResult) {
	fmt.Printf("upstream bench: %d users, %d departments, export %.1f MiB\n", r.Users, r.Departments, float64(r.ExportBytes)/(1<<20))
	fmt.Printf("  first sync (empty Authing): %6.1f s  %8.0f users/s  %d write calls, %d history events, largest payload %d B\n",
		r.FirstSeconds, r.UsersPerSecond, r.FirstWrites, r.FirstEvents, r.FirstLargest)
	fmt.Printf("  no-op rerun:                %6.1f s  %d write calls, %d API calls, %d history events, largest payload %d B\n",
		r.RerunSeconds, r.RerunWrites, r.RerunAPICalls, r.RerunEvents, r.RerunLargest)
	fmt.Printf("  edited export:              %6.1f s  %d write calls (created %d, updated %d, memberships %d)\n",
		r.EditedSeconds, r.EditedWrites, r.EditedApplied.UsersCreate, r.EditedApplied.UsersUpdate, r.EditedApplied.UsersMembership)
	fmt.Printf("  delete-only:                %6.1f s  %d users deleted\n", r.DeleteSeconds, r.DeleteApplied)
	fmt.Printf("  over all runs:              at most %d history events per run, largest payload %d B\n", r.MaxEvents, r.MaxPayload)
	fmt.Printf("  worker peak RSS:            %6.0f MiB\n", r.WorkerPeakRSSMiB)
	fmt.Printf("  first sync API calls:%s\n", callList(r.FirstAPICalls))
}

// callList formats per-API call counts as " api=n …", sorted by API.
func callList(calls map[string]int) string {
	var b strings.Builder
	for _, api := range slices.Sorted(maps.Keys(calls)) {
		fmt.Fprintf(&b, " %s=%d", api, calls[api])
	}
	return b.String()
}
