package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
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
func newFlagSet(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: starter %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses a command's flags: -h/--help prints the usage on stdout and ends the command
// with exit code 0; an unknown or malformed flag prints one error line and the usage on stderr,
// a stray argument one error line, and both end it with exitUsage.
func parseFlags(e *env, fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard) // the flag package would print its error and the usage itself
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.SetOutput(e.stdout)
		fs.Usage()
		return exitError{code: exitOK}
	case err != nil:
		fmt.Fprintf(e.stderr, "starter %s: %v\n\n", fs.Name(), err)
		fs.SetOutput(e.stderr)
		fs.Usage()
		return exitError{code: exitUsage}
	case fs.NArg() > 0:
		return usageError(e, fs.Name(), fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	return nil
}

// setUp parses a command's flags (parseFlags), checks their values with check when not nil (its
// error is a usage error, found before anything is dialled) and connects (env.connect); the
// returned func closes what it opened.
func (e *env) setUp(ctx context.Context, fs *flag.FlagSet, args []string, store bool, check func() error) (func(), error) {
	if err := parseFlags(e, fs, args); err != nil {
		return nil, err
	}
	if check != nil {
		if err := check(); err != nil {
			return nil, usageError(e, fs.Name(), err)
		}
	}
	return e.connect(ctx, store)
}

// required is the error of a required flag left empty.
func required(flag, value string) error {
	if value == "" {
		return fmt.Errorf("%s is required", flag)
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
	return printOutcome(e, rep, runErr, asJSON)
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
		fmt.Fprintf(e.stderr, "  it waits for approval:\n  %s\n", strings.ReplaceAll(approvalText(p.AwaitingApproval, id, runID), "\n", "\n  "))
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

// runRef names one run: --id and --run-id (the workflow id repeats across runs).
type runRef struct{ id, runID string }

// register adds --id and --run-id to fs; what names the run in their help ("run", "waiting run").
func (r *runRef) register(fs *flag.FlagSet, what string) {
	fs.StringVar(&r.id, "id", "", "workflow id of the "+what+" (required)")
	fs.StringVar(&r.runID, "run-id", "", "run id (default: the latest run of --id)")
}

// stringList is a repeatable string flag.
type stringList []string

func (s *stringList) String() string     { return fmt.Sprint(*s) }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// printOutcome prints the report (table or JSON) and turns the run's outcome into the exit code
// (outcomeExit). A run that ended without a report (terminated, timed out) is told in one line.
func printOutcome(e *env, rep *report.Report, runErr error, asJSON bool) error {
	if rep == nil {
		msg, ok := runFailure(runErr)
		if !ok {
			return runErr // Temporal could not tell: the command failed, not the run
		}
		fmt.Fprintln(e.stderr, "starter: "+msg)
		return exitError{code: exitRun}
	}
	msg, _ := runFailure(runErr)
	if msg == "" && rep.Status == report.StatusFailed {
		msg = rep.Error
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return err
		}
		if msg != "" {
			fmt.Fprintln(e.stderr, "starter: "+msg)
		}
	} else {
		printReport(e.stdout, rep, msg)
	}
	if code := outcomeExit(rep.Status, runErr); code != exitOK {
		return exitError{code: code}
	}
	return nil
}

// runFailure is what a person reads about a run that failed: the run's own message — the
// workflow's application error, without Temporal's wrapping (workflow id, error type,
// "retryable", the cause chain) — or that it was canceled, terminated or timed out. ok is false
// when err does not come from the run (nil, or Temporal unreachable).
func runFailure(err error) (msg string, ok bool) {
	var appErr *temporal.ApplicationError
	var canceled *temporal.CanceledError
	var terminated *temporal.TerminatedError
	var timeout *temporal.TimeoutError
	var execErr *temporal.WorkflowExecutionError
	switch {
	case errors.As(err, &appErr):
		return appErr.Message(), true
	case errors.As(err, &canceled):
		return "the run was canceled", true
	case errors.As(err, &terminated):
		return "the run was terminated", true
	case errors.As(err, &timeout):
		return "the run timed out", true
	case errors.As(err, &execErr) && errors.Unwrap(execErr) != nil:
		return errors.Unwrap(execErr).Error(), true
	case execErr != nil:
		return execErr.Error(), true
	}
	return "", false
}
