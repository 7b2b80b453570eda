package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/workflows"
)

func cmdUpstream(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("upstream", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	file := fs.String("file", "", "the WeCom contacts export (.xlsx) to sync (required)")
	mode := fs.String("mode", string(plan.ModeCreateUpdate), "create-update or delete-only")
	dryRun := fs.Bool("dry-run", false, "compute and print the plan, write nothing")
	org := fs.String("org", "", "Authing organization code (default: the pool's only organization)")
	connection := fs.String("connection", workflows.DefaultConnection, "the worker-side connection to use")
	sheet := fs.String("sheet", "", "sheet index (0-based) or name; empty = every sheet with a header")
	startRow := fs.Int("start-row", 0, "first row to read, 0-based")
	endRow := fs.Int("end-row", -1, "last row to read, 0-based; -1 = the last row")
	keepTop := fs.Bool("keep-top-level", false, "keep the top-level department (the company) as a department instead of mapping it to the organization root")
	deleteAction := fs.String("delete-action", string(plan.DeleteActionDelete), "delete-only: delete or suspend")
	var ignore stringList
	fs.Var(&ignore, "ignore-field", "a field never written on update (repeatable), e.g. phone, email")
	maxDeletes := fs.Int("max-deletes", 0, "approval needed above this many deletions (default 50; -1 = no limit)")
	maxDeletePct := fs.Float64("max-delete-percent", 0, "approval needed above this share of synced users deleted (default 10; -1 = no limit)")
	approvalTimeout := fs.String("approval-timeout", "", "how long a run waits for approval before it rejects itself (default 24h)")
	concurrency := fs.Int("concurrency", 0, "user chunks applied at once (default 4)")
	id := fs.String("id", "", "workflow id (default upstream-<connection>: one run per connection at a time)")
	wait := fs.Bool("wait", false, "wait for the run, show progress and print the report")
	asJSON := fs.Bool("json", false, "with --wait: print the report as JSON on stdout")
	noUpload := fs.Bool("no-upload", false, "pass the file as a file:// path the worker reads itself instead of uploading it")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *file == "" {
		fs.Usage()
		return errors.New("--file is required")
	}
	ref, err := exportRef(ctx, e.store, *file, *noUpload)
	if err != nil {
		return err
	}
	ignoreTop := !*keepTop
	in := workflows.UpstreamInput{
		File: ref, Mode: plan.Mode(*mode), Connection: *connection, OrganizationCode: *org,
		IgnoreTopLevel: &ignoreTop, Sheet: *sheet, StartRow: *startRow, EndRow: endRow,
		DryRun: *dryRun, DeleteAction: plan.DeleteAction(*deleteAction), IgnoreFields: ignore,
		Limits:          plan.Limits{MaxDeletes: *maxDeletes, MaxDeletePercent: *maxDeletePct},
		ApprovalTimeout: *approvalTimeout, Concurrency: *concurrency,
	}
	if *id == "" {
		*id = "upstream-" + *connection
	}
	run, err := e.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                       *id,
		TaskQueue:                e.cfg.TaskQueue,
		WorkflowIDConflictPolicy: enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowIDReusePolicy:    enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE,
		StaticSummary:            fmt.Sprintf("upstream %s of %s", *mode, filepath.Base(*file)),
	}, workflows.UpstreamWorkflowName, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return fmt.Errorf("a run with id %s is already running for this connection: follow it with 'starter progress --id %s' or wait for it", *id, *id)
	}
	if err != nil {
		return fmt.Errorf("start the upstream run: %w", err)
	}
	fmt.Fprintf(e.stderr, "started %s (run %s)\n", run.GetID(), run.GetRunID())
	if !*wait {
		fmt.Fprintf(e.stdout, "%s %s\n", run.GetID(), run.GetRunID())
		return nil
	}
	stopProgress := followProgress(ctx, e, run.GetID(), run.GetRunID())
	rep, runErr := waitReport(ctx, run)
	stopProgress()
	return printOutcome(ctx, e, rep, runErr, *asJSON)
}

// exportRef uploads the export to the blob store (keyed by its content) and returns the key, or
// with noUpload returns a file:// URL for a worker on the same machine.
func exportRef(ctx context.Context, store *claimcheck.Store, path string, noUpload bool) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	f, err := os.Open(abs)
	if err != nil {
		return "", fmt.Errorf("open the export: %w", err)
	}
	defer f.Close()
	if noUpload {
		return "file://" + filepath.ToSlash(abs), nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read the export: %w", err)
	}
	// Content-addressed; written again even when present, so `cleanup` sees it as recent.
	key := fmt.Sprintf("uploads/%s/%s", hex.EncodeToString(h.Sum(nil))[:16], filepath.Base(abs))
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	if _, err := store.Put(ctx, key, f); err != nil {
		return "", fmt.Errorf("upload the export: %w", err)
	}
	return key, nil
}

// waitReport waits for the run and returns its report; a failed run's report travels in the
// failure's details.
func waitReport(ctx context.Context, run client.WorkflowRun) (*workflows.Report, error) {
	var rep workflows.Report
	err := run.Get(ctx, &rep)
	if err == nil {
		return &rep, nil
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.HasDetails() && appErr.Details(&rep) == nil {
		return &rep, err
	}
	var canceled *temporal.CanceledError
	if errors.As(err, &canceled) && canceled.HasDetails() && canceled.Details(&rep) == nil {
		return &rep, err
	}
	return nil, err
}

// followProgress prints the run's progress to stderr whenever it changes, until stopped.
func followProgress(ctx context.Context, e *env, id, runID string) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		var last string
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			p, err := queryProgress(ctx, e, id, runID)
			if err != nil {
				continue
			}
			if line := progressLine(p, id); line != last {
				fmt.Fprintln(e.stderr, line)
				last = line
			}
		}
	}()
	return func() { cancel(); <-done }
}

func queryProgress(ctx context.Context, e *env, id, runID string) (workflows.Progress, error) {
	var p workflows.Progress
	v, err := e.client.QueryWorkflow(ctx, id, runID, workflows.QueryProgress)
	if err != nil {
		return p, err
	}
	return p, v.Get(&p)
}

func progressLine(p workflows.Progress, id string) string {
	if len(p.AwaitingApproval) > 0 {
		return fmt.Sprintf("waiting for approval: %v\n  approve: starter approve --id %s   reject: starter reject --id %s", p.AwaitingApproval, id, id)
	}
	line := fmt.Sprintf("%s: %d of %d planned writes done", p.Phase, p.Applied.Writes(), p.Planned.Writes())
	if f := p.Failed.Writes(); f > 0 {
		line += fmt.Sprintf(", %d failed", f)
	}
	if p.ChunksTotal > 0 {
		line += fmt.Sprintf(" (chunk %d/%d)", p.ChunksDone, p.ChunksTotal)
	}
	return line
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// startOptions are the options of a short, uniquely named workflow.
func startOptions(e *env, prefix string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:        fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()),
		TaskQueue: e.cfg.TaskQueue,
	}
}
