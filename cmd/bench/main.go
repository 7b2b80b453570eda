// Command bench measures an upstream sync end to end, the way it runs in production: a Temporal
// dev server, the worker binary in its own process, the Authing emulator at its real rate limit
// (300 QPS) over HTTP, and a generated export. It prints the first sync's duration and users/s,
// a no-op rerun's duration and writes, API calls, history events, the largest payload and the
// worker's peak RSS. `make bench` runs it with 100,000 users and 2,000 departments.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type options struct {
	users, departments int
	seed               int64
	qps                float64
	bin                string
	asJSON             bool
}

// result is what one bench run measured.
type result struct {
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
	Report           *report.Report `json:"-"`
}

func run() error {
	var o options
	flag.IntVar(&o.users, "users", 100000, "users in the generated export")
	flag.IntVar(&o.departments, "departments", 2000, "departments in the generated export")
	flag.Int64Var(&o.seed, "seed", 1, "generator seed")
	flag.Float64Var(&o.qps, "qps", 300, "the Authing emulator's rate limit (its real default is 300)")
	flag.StringVar(&o.bin, "bin", "bin", "directory holding the temporal CLI and the worker binary")
	flag.BoolVar(&o.asJSON, "json", false, "print the result as JSON")
	flag.Parse()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "wecomsync-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	export := filepath.Join(dir, "export.xlsx")
	logf("generating %d users in %d departments ...", o.users, o.departments)
	spec := exportgen.NewSpec(o.users, o.departments, o.seed)
	company, err := exportgen.WriteFile(export, spec)
	if err != nil {
		return err
	}
	// An edited export: 0.5 % of the users renamed, moved, added and removed each.
	change := max(1, o.users/200)
	edited, _ := company.Edited(exportgen.Edit{Rename: change, Move: change, Add: change, Remove: change, Seed: o.seed + 1})
	editedPath := filepath.Join(dir, "edited.xlsx")
	if err := exportgen.WriteCompany(editedPath, edited, spec); err != nil {
		return err
	}
	st, _ := os.Stat(export)

	temporalBin, _ := filepath.Abs(filepath.Join(o.bin, "temporal"))
	dev, err := testsuite.StartDevServer(ctx, testsuite.DevServerOptions{ExistingPath: temporalBin, LogLevel: "error",
		ClientOptions: &client.Options{Logger: log.NewStructuredLogger(slog.New(slog.DiscardHandler))}})
	if err != nil {
		return fmt.Errorf("start the Temporal dev server: %w", err)
	}
	defer dev.Stop()

	emu := authingemu.New(authingemu.WithPool("bench-pool", "bench-secret"), authingemu.WithQPS(o.qps, int(o.qps)))
	if err := emu.Seed(authingemu.DemoSeed()); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: emu.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	worker := exec.Command(filepath.Join(o.bin, "worker"))
	worker.Env = append(os.Environ(),
		"WECOMSYNC_TEMPORAL_ADDRESS="+dev.FrontendHostPort(),
		"WECOMSYNC_BLOB_URL=file://"+filepath.Join(dir, "blobs")+"?create_dir=true",
		"WECOMSYNC_AUTHING_URL=http://"+ln.Addr().String(),
		"WECOMSYNC_AUTHING_USERPOOL_ID=bench-pool",
		"WECOMSYNC_AUTHING_SECRET=bench-secret",
		"WECOMSYNC_AUTHING_QPS="+strconv.FormatFloat(o.qps, 'f', -1, 64),
		"WECOMSYNC_LOG_LEVEL=warn",
	)
	worker.Stderr = os.Stderr
	if err := worker.Start(); err != nil {
		return fmt.Errorf("start the worker: %w", err)
	}
	defer func() { _ = worker.Process.Kill(); _, _ = worker.Process.Wait() }()

	c := dev.Client()
	res := result{Users: o.users, Departments: o.departments, ExportBytes: st.Size()}
	in := workflows.UpstreamInput{File: "file://" + export}

	logf("first sync into an empty Authing (Authing at %.0f QPS) ...", o.qps)
	emu.ResetCalls()
	rep, secs, events, largest, err := sync(ctx, c, "bench-first", in)
	if err != nil {
		return err
	}
	if rep.Applied.UsersCreate != o.users || rep.Failed.Writes() != 0 {
		return fmt.Errorf("first sync created %d of %d users, %d failed writes", rep.Applied.UsersCreate, o.users, rep.Failed.Writes())
	}
	res.Report = rep
	res.FirstSeconds, res.FirstEvents, res.FirstLargest = secs, events, largest
	res.UsersPerSecond = float64(rep.Applied.UsersCreate) / secs
	res.FirstAPICalls, res.FirstWrites = emu.Calls(), emu.WriteCalls()

	logf("no-op rerun of the same file ...")
	emu.ResetCalls()
	if _, secs, events, largest, err = sync(ctx, c, "bench-rerun", in); err != nil {
		return err
	}
	res.RerunSeconds, res.RerunEvents, res.RerunLargest = secs, events, largest
	res.RerunWrites = emu.WriteCalls()
	for _, n := range emu.Calls() {
		res.RerunAPICalls += n
	}

	logf("create-update of an edited export (%d renamed, moved, added, removed each) ...", change)
	emu.ResetCalls()
	rep, secs, events, largest, err = sync(ctx, c, "bench-edited", workflows.UpstreamInput{File: "file://" + editedPath})
	if err != nil {
		return err
	}
	res.EditedSeconds, res.EditedWrites, res.EditedApplied = secs, emu.WriteCalls(), rep.Applied
	res.MaxEvents, res.MaxPayload = max(res.FirstEvents, res.RerunEvents, events), max(res.FirstLargest, res.RerunLargest, largest)

	logf("delete-only of the edited export (thresholds lifted for the bench) ...")
	del := workflows.UpstreamInput{File: "file://" + editedPath, Mode: plan.ModeDeleteOnly, Limits: plan.Limits{MaxDeletes: -1, MaxDeletePercent: -1}}
	if rep, secs, events, largest, err = sync(ctx, c, "bench-delete", del); err != nil {
		return err
	}
	res.DeleteSeconds, res.DeleteApplied = secs, rep.Applied.UsersDelete
	res.MaxEvents, res.MaxPayload = max(res.MaxEvents, events), max(res.MaxPayload, largest)

	if res.WorkerPeakRSSMiB, err = peakRSS(worker.Process.Pid); err != nil {
		return err
	}
	if o.asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	printResult(res)
	return nil
}

// sync runs one upstream sync and measures it.
func sync(ctx context.Context, c client.Client, id string, in workflows.UpstreamInput) (*report.Report, float64, int, int, error) {
	start := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue}, workflows.UpstreamWorkflowName, in)
	if err != nil {
		return nil, 0, 0, 0, err
	}
	var rep report.Report
	if err := run.Get(ctx, &rep); err != nil {
		return nil, 0, 0, 0, fmt.Errorf("%s: %w", id, err)
	}
	secs := time.Since(start).Seconds()
	events, largest := 0, 0
	it := c.GetWorkflowHistory(ctx, run.GetID(), run.GetRunID(), false, 0)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return nil, 0, 0, 0, err
		}
		events++
		largest = max(largest, largestPayload(e.ProtoReflect()))
	}
	return &rep, secs, events, largest, nil
}

// largestPayload returns the size of the largest temporal.api.common.v1.Payload inside m.
func largestPayload(m protoreflect.Message) int {
	if m.Descriptor().FullName() == "temporal.api.common.v1.Payload" {
		return proto.Size(m.Interface())
	}
	most := 0
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i := 0; i < v.List().Len(); i++ {
				most = max(most, largestPayload(v.List().Get(i).Message()))
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				most = max(most, largestPayload(mv.Message()))
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			most = max(most, largestPayload(v.Message()))
		}
		return true
	})
	return most
}

// peakRSS reads a process's peak resident set (VmHWM) from /proc.
func peakRSS(pid int) (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

func printResult(r result) {
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
	verbs := make([]string, 0, len(r.FirstAPICalls))
	for v := range r.FirstAPICalls {
		verbs = append(verbs, v)
	}
	sort.Strings(verbs)
	fmt.Print("  first sync API calls:")
	for _, v := range verbs {
		fmt.Printf(" %s=%d", v, r.FirstAPICalls[v])
	}
	fmt.Println()
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}
