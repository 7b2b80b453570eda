package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"time"
	"unicode/utf8"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/internal/app"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// This file holds what the run-starting commands (upstream, downstream, schedule) share: following
// a run, printing its outcome, naming the run that blocks a start, and flag handling.

// dialsLate are the commands that check their flags before they connect to Temporal, and need no
// blob store: run hands them an env without a client and they call env.dial themselves.
var dialsLate = map[string]bool{"downstream": true, "schedule": true}

// dial connects e to Temporal (for the commands in dialsLate); the returned func closes the client.
func (e *env) dial() (func(), error) {
	c, err := app.Dial(e.cfg, zap.NewNop())
	if err != nil {
		return nil, err
	}
	e.client = c
	return c.Close, nil
}

// dataConverter is the converter the client uses (the codec one when payloads are encrypted), for
// the payloads the SDK hands back undecoded: schedule action arguments and memos, run memos.
func (e *env) dataConverter() (converter.DataConverter, error) {
	opts, err := app.ClientOptions(e.cfg, zap.NewNop())
	if err != nil {
		return nil, err
	}
	if opts.DataConverter == nil {
		return converter.GetDefaultDataConverter(), nil
	}
	return opts.DataConverter, nil
}

// newFlagSet is a command's flag set; synopsis follows "usage: starter <name>" in its help.
func newFlagSet(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: starter %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses a command's flags: -h/--help prints the usage and ends the command with exit
// code 0, a bad flag or a stray argument with exitUsage.
func parseFlags(e *env, fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return exitError{code: exitOK}
	case err != nil: // the flag package has printed the error and the usage
		return exitError{code: exitUsage}
	case fs.NArg() > 0:
		return usageError(e, fs.Name(), fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	return nil
}

// usageError prints a one-line error about the command line and ends the command with exitUsage.
func usageError(e *env, command string, err error) error {
	fmt.Fprintf(e.stderr, "starter %s: %v (starter %s -h lists the flags)\n", command, err, command)
	return exitError{code: exitUsage}
}

// truncateBytes cuts s to at most n bytes, at a character boundary (Temporal limits summaries in
// bytes).
func truncateBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// startExclusive starts workflow as the one open run of its workflow id (opts names the id, task
// queue and summary): on a conflict it names the open run and exits exitBusy. Then it prints the
// ids, or with wait follows the run and prints its report. direction names the run in errors.
func startExclusive(ctx context.Context, e *env, direction string, opts client.StartWorkflowOptions, workflow string, in any, wait, asJSON bool) error {
	opts.WorkflowIDConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL
	// Without this the SDK hands back the open run as if it were ours: never join another run.
	opts.WorkflowExecutionErrorWhenAlreadyStarted = true
	opts.WorkflowIDReusePolicy = enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
	run, err := e.client.ExecuteWorkflow(ctx, opts, workflow, in)
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		describeOpenRun(ctx, e, opts.ID)
		return exitError{code: exitBusy}
	}
	if err != nil {
		return fmt.Errorf("start the %s run: %w", direction, err)
	}
	fmt.Fprintf(e.stderr, "started %s (run %s)\n", run.GetID(), run.GetRunID())
	if !wait {
		fmt.Fprintf(e.stdout, "%s %s\n", run.GetID(), run.GetRunID())
		return nil
	}
	stopProgress := followProgress(ctx, e, run.GetID(), run.GetRunID())
	rep, runErr := waitReport(ctx, run)
	stopProgress()
	return printOutcome(ctx, e, rep, runErr, asJSON)
}

// describeOpenRun says which run holds the workflow id, so that a second start never silently
// joins it: its run id, mode, file, start time and whether it waits for approval.
func describeOpenRun(ctx context.Context, e *env, id string) {
	fmt.Fprintf(e.stderr, "starter: not started: another run of this connection is open (workflow id %s)\n", id)
	desc, err := e.client.DescribeWorkflow(ctx, id, "")
	if err != nil {
		fmt.Fprintf(e.stderr, "  (cannot describe it: %v)\n", err)
		return
	}
	info := desc.RawResponse.GetWorkflowExecutionInfo()
	runID := info.GetExecution().GetRunId()
	fmt.Fprintf(e.stderr, "  run id:     %s\n  started at: %s\n", runID, info.GetStartTime().AsTime().Local().Format(time.RFC3339))
	var rep report.Report
	if v, err := e.client.QueryWorkflow(ctx, id, runID, workflows.QueryReport); err == nil && v.Get(&rep) == nil {
		fmt.Fprintf(e.stderr, "  mode:       %s%s\n", rep.Mode, map[bool]string{true: " (dry run)"}[rep.DryRun])
		if rep.Direction != workflows.DirectionDownstream { // a downstream run reads no file
			file := rep.File.File
			if file == "" {
				file = "(not read yet)"
			}
			fmt.Fprintf(e.stderr, "  file:       %s\n", file)
		}
		fmt.Fprintf(e.stderr, "  status:     %s\n", rep.Status)
	}
	if p, err := queryProgress(ctx, e, id, runID); err == nil && p.Status == report.StatusAwaitingApprove {
		fmt.Fprintf(e.stderr, "  it waits for approval:\n")
		for _, why := range p.AwaitingApproval {
			fmt.Fprintf(e.stderr, "    - %s\n", why)
		}
		fmt.Fprintf(e.stderr, "  decide: starter approve|reject --id %s --run-id %s\n", id, runID)
	}
	fmt.Fprintf(e.stderr, "  follow it: starter progress --id %s --run-id %s; start yours when it has finished\n", id, runID)
}

// waitReport waits for the run and returns its report; a failed run's report travels in the
// failure's details.
func waitReport(ctx context.Context, run client.WorkflowRun) (*report.Report, error) {
	var rep report.Report
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
			if line := progressLine(p, id, runID); line != last {
				fmt.Fprintln(e.stderr, line)
				last = line
			}
		}
	}()
	return func() { cancel(); <-done }
}

func queryProgress(ctx context.Context, e *env, id, runID string) (report.Progress, error) {
	var p report.Progress
	v, err := e.client.QueryWorkflow(ctx, id, runID, workflows.QueryProgress)
	if err != nil {
		return p, err
	}
	return p, v.Get(&p)
}

func progressLine(p report.Progress, id, runID string) string {
	if len(p.AwaitingApproval) > 0 {
		run := id
		if runID != "" {
			run += " --run-id " + runID
		}
		return fmt.Sprintf("waiting for approval: %v\n  approve: starter approve --id %s   reject: starter reject --id %s", p.AwaitingApproval, run, run)
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

// printOutcome prints the report (table or JSON) and turns an unsuccessful run into exit code 3
// (exitRun).
func printOutcome(_ context.Context, e *env, rep *report.Report, runErr error, asJSON bool) error {
	if rep == nil {
		return runErr
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printReport(e.stdout, rep)
	}
	if runErr != nil || rep.Status == report.StatusFailed || rep.Status == report.StatusRejected || rep.Status == report.StatusCanceled {
		if runErr != nil && !asJSON {
			fmt.Fprintln(e.stderr, "the run failed:", runErr)
		}
		return exitError{code: exitRun}
	}
	return nil
}
