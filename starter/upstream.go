package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/workflows"
)

func cmdUpstream(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("upstream", "--file export.xlsx [flags]")
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
	var ignore, scope, matchBy stringList
	fs.Var(&ignore, "ignore-field", "a field never written on update (repeatable), e.g. phone, email")
	fs.Var(&scope, "scope", `delete-only: a department path whose users may be deleted (repeatable), e.g. 研发中心/后端组, or / for the whole organization; default: inferred from the file`)
	fs.Var(&matchBy, "match-by", "how a member adopts an existing account without a WeCom userid (repeatable, in order): username, phone, email, or none; default all three")
	maxDeletes := fs.Int("max-deletes", 0, "approval needed above this many deletions (default 50; -1 = no limit)")
	maxDeletePct := fs.Float64("max-delete-percent", 0, "approval needed above this share of synced users deleted (default 10; -1 = no limit)")
	approvalTimeout := fs.String("approval-timeout", "", "how long a run waits for approval before it rejects itself (default 24h)")
	concurrency := fs.Int("concurrency", 0, "user chunks applied at once (default 4)")
	id := fs.String("id", "", "workflow id (default upstream-<connection>: one run per connection at a time; a dry run's is upstream-<connection>-dry-run-<UTC time>)")
	wait := fs.Bool("wait", false, "wait for the run, show progress and print the report")
	asJSON := fs.Bool("json", false, "with --wait: print the report as JSON on stdout")
	noUpload := fs.Bool("no-upload", false, "pass the file as a file:// path the worker reads itself instead of uploading it")
	closeAll, err := e.setUp(ctx, fs, args, true, func() error {
		switch {
		case !oneOf(*mode, string(plan.ModeCreateUpdate), string(plan.ModeDeleteOnly)):
			return fmt.Errorf("--mode %q: want create-update or delete-only", *mode)
		case !oneOf(*deleteAction, string(plan.DeleteActionDelete), string(plan.DeleteActionSuspend)):
			return fmt.Errorf("--delete-action %q: want delete or suspend", *deleteAction)
		}
		if err := required("--file", *file); err != nil {
			return err
		}
		if err := checkMatchBy(matchBy); err != nil {
			return err
		}
		return checkRunFlags(ignore, plan.Limits{MaxDeletes: *maxDeletes, MaxDeletePercent: *maxDeletePct}, *approvalTimeout, *concurrency)
	})
	if err != nil {
		return err
	}
	defer closeAll()
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
		ApprovalTimeout: *approvalTimeout, Concurrency: *concurrency, Scope: scope, MatchBy: matchBy,
	}
	if *id == "" {
		*id = runID("upstream-"+*connection, *dryRun)
	}
	return startExclusive(ctx, e, "upstream", client.StartWorkflowOptions{
		ID:            *id,
		TaskQueue:     e.cfg.TaskQueue,
		StaticSummary: fmt.Sprintf("upstream %s of %s", *mode, filepath.Base(*file)),
	}, workflows.UpstreamWorkflowName, in, *wait, *asJSON)
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

// startOptions are the options of a short, uniquely named workflow.
func startOptions(e *env, prefix string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{
		ID:        fmt.Sprintf("%s-%d", prefix, time.Now().UnixNano()),
		TaskQueue: e.cfg.TaskQueue,
	}
}
