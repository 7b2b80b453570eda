package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	enumspb "go.temporal.io/api/enums/v1"
	"golang.org/x/term"

	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// This file shows a run's progress, from its progress query: a progress bar on a terminal, plain
// lines when stderr is piped or redirected.

func cmdProgress(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("progress", "--id ID [--run-id R]")
	var run runRef
	run.register(fs, "run")
	closeClient, err := e.setUp(ctx, fs, args, false, func() error { return required("--id", run.id) })
	if err != nil {
		return err
	}
	defer closeClient()
	return showProgress(ctx, e, run)
}

// showProgress prints the progress of a run, or the outcome of one that ended without answering.
func showProgress(ctx context.Context, e *env, run runRef) error {
	if run.runID == "" { // name the run in the approve and reject commands printed
		desc, err := e.client.DescribeWorkflow(ctx, run.id, "")
		if err != nil {
			return fmt.Errorf("query progress of %s: %w", run.id, err)
		}
		run.runID = desc.RawResponse.GetWorkflowExecutionInfo().GetExecution().GetRunId()
	}
	p, err := queryProgress(ctx, e, run.id, run.runID)
	if err != nil {
		if done, endErr := printEndedRun(ctx, e, run.id, run.runID); done {
			return endErr
		}
		return fmt.Errorf("query progress of %s: %w", run.id, err)
	}
	if len(p.AwaitingApproval) == 0 {
		fmt.Fprintf(e.stdout, "%s: ", p.Status)
	}
	fmt.Fprintln(e.stdout, progressText(p, run.id, run.runID))
	return nil
}

// printEndedRun prints the status and the message of a run that has ended without answering the
// progress query (it failed before it registered its queries, e.g. on a bad input): one line, and
// the exit code of its outcome. done is false when the run is still running or Temporal cannot say.
func printEndedRun(ctx context.Context, e *env, id, runID string) (done bool, err error) {
	desc, err := e.client.DescribeWorkflow(ctx, id, runID)
	if err != nil {
		return false, nil
	}
	status := desc.RawResponse.GetWorkflowExecutionInfo().GetStatus()
	if status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || status == enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED {
		return false, nil
	}
	rep, runErr := waitReport(ctx, e.client.GetWorkflow(ctx, id, runID))
	msg, fromRun := runFailure(runErr)
	if runErr != nil && !fromRun {
		return false, nil
	}
	name := enumName(enumspb.WorkflowExecutionStatus_name[int32(status)], "WORKFLOW_EXECUTION_STATUS_")
	if rep != nil && rep.Status != "" {
		name = rep.Status
	}
	if msg == "" {
		fmt.Fprintln(e.stdout, name)
	} else {
		fmt.Fprintf(e.stdout, "%s: %s\n", name, msg)
	}
	if code := outcomeExit(name, runErr); code != exitOK {
		return true, exitError{code: code}
	}
	return true, nil
}

func queryProgress(ctx context.Context, e *env, id, runID string) (report.Progress, error) {
	var p report.Progress
	v, err := e.client.QueryWorkflow(ctx, id, runID, workflows.QueryProgress)
	if err != nil {
		return p, err
	}
	return p, v.Get(&p)
}

// progressLine is one line of progress: phase, writes done of those planned, failed, chunks.
func progressLine(p report.Progress) string {
	line := fmt.Sprintf("%s: %d of %d planned writes done", p.Phase, p.Applied.Writes(), p.Planned.Writes())
	if f := p.Failed.Writes(); f > 0 {
		line += fmt.Sprintf(", %d failed", f)
	}
	if p.ChunksTotal > 0 {
		line += fmt.Sprintf(" (chunk %d/%d)", p.ChunksDone, p.ChunksTotal)
	}
	return line
}

// progressText is the progress line, or while the run waits for approval, why (one reason a
// line) and the commands that decide.
func progressText(p report.Progress, id, runID string) string {
	if len(p.AwaitingApproval) > 0 {
		return "waiting for approval:\n" + approvalText(p.AwaitingApproval, id, runID)
	}
	return progressLine(p)
}

// approvalText says why a run waits for approval, one reason a line, and how to decide; the
// commands name the run (--run-id), since the workflow id repeats across runs.
func approvalText(reasons []string, id, runID string) string {
	var b strings.Builder
	for _, why := range reasons {
		fmt.Fprintf(&b, "  - %s\n", why)
	}
	run := "--id " + id
	if runID != "" {
		run += " --run-id " + runID
	}
	fmt.Fprintf(&b, "  approve: starter approve %s --by NAME --reason TEXT\n", run)
	fmt.Fprintf(&b, "  reject:  starter reject %s --by NAME --reason TEXT", run)
	return b.String()
}

// progressView shows the progress of one run as it changes.
type progressView interface {
	show(p report.Progress)
	// stop ends the view before the report is printed.
	stop()
}

// followProgress shows the run's progress on stderr until the returned func is called.
func followProgress(ctx context.Context, e *env, id, runID string) func() {
	var view progressView = &progressLines{w: e.stderr, id: id, runID: runID}
	if isTerminal(e.stderr) {
		view = newProgressBar(e.stderr, id, runID)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
			if p, err := queryProgress(ctx, e, id, runID); err == nil {
				view.show(p)
			}
		}
	}()
	return func() { cancel(); <-done; view.stop() }
}

// isTerminal reports whether w is a terminal that can redraw a line (golang.org/x/term; the
// progress bar library has no exported check of its own).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb"
}

// progressLines prints a line when the phase or the counts change: for logs and pipes.
type progressLines struct {
	w         io.Writer
	id, runID string
	last      string
}

func (v *progressLines) show(p report.Progress) {
	if text := progressText(p, v.id, v.runID); text != v.last {
		fmt.Fprintln(v.w, text)
		v.last = text
	}
}

func (v *progressLines) stop() {}

// progressBar draws the planned writes as a bar (applied and failed ones count as done), the
// progress line as its description; a spinner until the plan is known. The approval text is
// printed above it.
type progressBar struct {
	bar       *progressbar.ProgressBar
	id, runID string
	max       int    // the planned writes the bar stands for; 0 while it is a spinner
	approval  string // the approval text printed last
}

func newProgressBar(w io.Writer, id, runID string) *progressBar {
	return &progressBar{id: id, runID: runID, bar: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetWidth(30),
		progressbar.OptionSpinnerType(14),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionSetPredictTime(false), // chunks of unequal cost make a poor estimate
		progressbar.OptionClearOnFinish(),       // the report follows
	)}
}

func (v *progressBar) show(p report.Progress) {
	if len(p.AwaitingApproval) == 0 {
		v.approval = ""
	} else if text := approvalText(p.AwaitingApproval, v.id, v.runID); text != v.approval {
		_, _ = progressbar.Bprintln(v.bar, "waiting for approval:\n"+text) // above the bar, at its next redraw
		v.approval = text
	}
	if total := p.Planned.Writes(); total > 0 && total != v.max {
		v.bar.ChangeMax(total)
		v.max = total
	}
	v.bar.Describe(progressLine(p))
	if v.max > 0 {
		_ = v.bar.Set(min(p.Applied.Writes()+p.Failed.Writes(), v.max))
	}
}

// stop clears the bar (finishing it also ends the spinner's redraws).
func (v *progressBar) stop() { _ = v.bar.Finish() }
