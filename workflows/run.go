package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/report"
)

// Circuit breaker: a run stops scheduling writes once at least breakerMinFailures writes failed and
// they are more than breakerRatio of the writes attempted (a systemic problem, not bad records).
const (
	breakerMinFailures = 50
	breakerRatio       = 0.5
)

// maxReportSample caps the failures carried in the workflow's report (the full list is in the store).
const maxReportSample = 100

// direction is one direction's run: its setup and its steps over the shared skeleton.
type direction interface {
	setup(ctx workflow.Context) error
	run(ctx workflow.Context) (*report.Report, error)
}

// execute sets a run up and runs it.
func execute(ctx workflow.Context, d direction) (*report.Report, error) {
	if err := d.setup(ctx); err != nil {
		return nil, err
	}
	return d.run(ctx)
}

var runActs *activities.RunActivities

// syncRun is the skeleton both directions share: the report and the progress with their queries,
// the approval gate, the bounded fan-out of apply chunks with its breaker, and the end of a run
// (the stored report, or a failure carrying it). A direction supplies what to read, how to plan
// and what a write is.
type syncRun struct {
	approvalTimeout time.Duration
	concurrency     int
	prefix          string
	report          report.Report
	progress        report.Progress
	// saveState adds the direction's state for the next run to the final report activity's input
	// (nil: nothing to keep).
	saveState func(in *activities.SaveReportInput, status string)
	// searchAttributes says whether the run sets its search attributes (runs started before
	// the version that added them do not).
	searchAttributes bool
}

// runOptions are the settings every run has.
type runOptions struct {
	direction       string
	mode            string
	connection      string
	dryRun          bool
	approvalTimeout string
	concurrency     int
}

// init validates the common settings, starts the report and registers the queries.
func (r *syncRun) init(ctx workflow.Context, o runOptions) error {
	r.approvalTimeout = DefaultApprovalTimeout
	if o.approvalTimeout != "" {
		d, err := time.ParseDuration(o.approvalTimeout)
		if err != nil || d <= 0 {
			return badInput(fmt.Sprintf("approvalTimeout %q is not a positive duration such as \"72h\"", o.approvalTimeout))
		}
		r.approvalTimeout = d
	}
	r.concurrency = o.concurrency
	if r.concurrency <= 0 {
		r.concurrency = DefaultConcurrency
	}
	r.concurrency = min(r.concurrency, MaxConcurrency)
	info := workflow.GetInfo(ctx)
	r.prefix = fmt.Sprintf("runs/%s/%s/", info.WorkflowExecution.ID, info.WorkflowExecution.RunID)
	r.report = report.Report{
		WorkflowID: info.WorkflowExecution.ID,
		RunID:      info.WorkflowExecution.RunID,
		Direction:  o.direction,
		Mode:       o.mode,
		DryRun:     o.dryRun,
		Status:     report.StatusRunning,
		Connection: o.connection,
		StartedAt:  workflow.Now(ctx),
	}
	r.progress = report.Progress{Status: report.StatusRunning, Phase: "reading"}
	r.searchAttributes = workflow.GetVersion(ctx, "search-attributes", workflow.DefaultVersion, 1) == 1
	r.upsert(ctx, SADirection.ValueSet(o.direction), SAMode.ValueSet(o.mode), SAConnection.ValueSet(o.connection),
		SADryRun.ValueSet(o.dryRun), SAOutcome.ValueSet(report.StatusRunning))
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (report.Progress, error) { return r.progress, nil }); err != nil {
		return err
	}
	return workflow.SetQueryHandler(ctx, QueryReport, func() (report.Report, error) { return r.report, nil })
}

// claim makes sure no other run of this direction and connection, started before this one, is
// open (a scheduled and a manual downstream run, an upstream run started from the UI beside the
// starter's): the later run fails at once, writing nothing. It needs the search attributes.
func (r *syncRun) claim(ctx workflow.Context, workflowType string) error {
	if !r.searchAttributes {
		return nil
	}
	// Version 2: a dry run writes nothing, so it neither checks nor blocks others.
	v := workflow.GetVersion(ctx, "exclusive-run", workflow.DefaultVersion, 2)
	if v == workflow.DefaultVersion || v >= 2 && r.report.DryRun {
		return nil
	}
	info := workflow.GetInfo(ctx)
	// The task queue too: two deployments sharing a namespace (staging and production) may name
	// their connections alike.
	query := fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running' AND TaskQueue = '%s' AND %s = '%s'",
		workflowType, quote(info.TaskQueueName), SAConnection.GetName(), quote(r.report.Connection))
	if v >= 2 {
		query += fmt.Sprintf(" AND %s = false", SADryRun.GetName())
	}
	return workflow.ExecuteActivity(withOptions(ctx, readOptions, "check that no other run of this connection is open"), runActs.CheckExclusive,
		activities.CheckExclusiveInput{Query: query, RunID: info.WorkflowExecution.RunID, StartedAt: info.WorkflowStartTime,
			Direction: r.report.Direction, Connection: r.report.Connection}).Get(ctx, nil)
}

// quote escapes a value for a visibility query's single-quoted string.
func quote(v string) string { return strings.ReplaceAll(v, "'", "''") }

// upsert sets search attributes of the run (shown in the UI's list, queried by `starter list`).
func (r *syncRun) upsert(ctx workflow.Context, updates ...temporal.SearchAttributeUpdate) {
	if !r.searchAttributes {
		return
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, updates...); err != nil {
		workflow.GetLogger(ctx).Warn("search attributes not set", "error", err)
	}
}

// setOrganization records the organization the run reads, in the report and the search attributes.
func (r *syncRun) setOrganization(ctx workflow.Context, code string) {
	r.report.OrganizationCode = code
	r.upsert(ctx, SAOrganization.ValueSet(code))
}

func badInput(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, activities.ErrTypeBadInput, nil)
}

// gate applies the approval thresholds' verdict: a dry run stops here (saying whether approval
// would be needed), a plan that crosses a threshold waits for a decision. It returns the final
// status of a run that must not write ("" = go on) and whether the run was canceled meanwhile.
func (r *syncRun) gate(ctx workflow.Context, why []string, dryRun bool) (status string, canceled bool) {
	if dryRun {
		if len(why) > 0 {
			r.report.Approval = &report.ApprovalRecord{Reasons: why, Decision: "would be needed"}
		}
		return report.StatusDryRun, false
	}
	if len(why) == 0 || r.awaitApproval(ctx, why) {
		return "", false
	}
	return report.StatusRejected, ctx.Err() != nil
}

// awaitApproval blocks until an approve or reject signal arrives or the timeout passes (= reject).
func (r *syncRun) awaitApproval(ctx workflow.Context, why []string) bool {
	r.progress.Status, r.progress.AwaitingApproval = report.StatusAwaitingApprove, why
	r.setPhase(ctx, "awaiting approval")
	r.report.Status = report.StatusAwaitingApprove
	r.upsert(ctx, SAOutcome.ValueSet(report.StatusAwaitingApprove))
	rec := &report.ApprovalRecord{Reasons: why}
	r.report.Approval = rec
	r.ignoreStraySignals(ctx, "before the run asked for approval")
	timerCtx, cancelTimer := workflow.WithCancel(ctx)
	defer cancelTimer()
	var a Approval
	decide := func(decision string) func(workflow.ReceiveChannel, bool) {
		return func(c workflow.ReceiveChannel, _ bool) {
			// ReceiveAsync, not Receive: a signal whose input does not decode is dropped by the SDK,
			// and a blocking Receive would then wait for the next one and starve the timer.
			if c.ReceiveAsync(&a) {
				rec.Decision = decision
				return
			}
			r.report.Warnings = append(r.report.Warnings, fmt.Sprintf(`ignored a signal whose input is not {"by":…,"reason":…} (would have %s)`, decision))
		}
	}
	sel := workflow.NewSelector(ctx)
	// Reject is checked first: when both are waiting, the answer is no.
	sel.AddReceive(workflow.GetSignalChannel(ctx, SignalReject), decide("rejected"))
	sel.AddReceive(workflow.GetSignalChannel(ctx, SignalApprove), decide("approved"))
	sel.AddFuture(workflow.NewTimer(timerCtx, r.approvalTimeout), func(f workflow.Future) {
		rec.Decision = "timed-out"
		if f.Get(ctx, nil) != nil {
			rec.Decision = "canceled" // the run itself was canceled while it waited
		}
	})
	for rec.Decision == "" {
		sel.Select(ctx)
	}
	rec.By, rec.Reason, rec.At = a.By, a.Reason, workflow.Now(ctx)
	r.progress.Status, r.progress.AwaitingApproval = report.StatusRunning, nil
	r.report.Status = report.StatusRunning
	r.upsert(ctx, SAOutcome.ValueSet(report.StatusRunning))
	return rec.Decision == "approved"
}

// ignoreStraySignals drains approve and reject signals sent while the run was not waiting for a
// decision, and says so in the report: an early approve must not approve a plan nobody saw.
func (r *syncRun) ignoreStraySignals(ctx workflow.Context, when string) {
	for _, name := range []string{SignalApprove, SignalReject} {
		ch := workflow.GetSignalChannel(ctx, name)
		var a Approval
		for ch.ReceiveAsync(&a) {
			r.report.Warnings = append(r.report.Warnings, fmt.Sprintf("ignored the %s signal from %q sent %s", name, a.By, when))
		}
	}
}

// applyChunks runs one activity per chunk (start schedules it) with at most r.concurrency in
// flight, adds each chunk's counts and failures to the report, and stops scheduling when a chunk
// fails, the run is canceled or the breaker trips. Chunks already running finish first, so the
// report counts what they wrote.
func (r *syncRun) applyChunks(ctx workflow.Context, chunks []activities.Chunk, start func(ctx workflow.Context, i int, c activities.Chunk) workflow.Future) error {
	sem := workflow.NewSemaphore(ctx, int64(r.concurrency))
	wg := workflow.NewWaitGroup(ctx)
	var runErr error
	for i, c := range chunks {
		if err := sem.Acquire(ctx, 1); err != nil {
			runErr = errors.Join(runErr, err) // canceled: wait for the chunks in flight below
			break
		}
		if runErr != nil {
			sem.Release(1)
			break
		}
		wg.Add(1)
		workflow.Go(ctx, func(gctx workflow.Context) {
			defer wg.Done()
			defer sem.Release(1)
			var res activities.ChunkResult
			if err := start(gctx, i, c).Get(gctx, &res); err != nil {
				runErr = errors.Join(runErr, err)
				if !partialResult(err, &res) {
					return
				}
			}
			r.addResult(res)
			r.progress.ChunksDone++
			r.showProgress(ctx)
			if f, a := r.report.Failed.Writes(), r.report.Applied.Writes(); f >= breakerMinFailures && float64(f) > breakerRatio*float64(f+a) && runErr == nil {
				runErr = temporal.NewNonRetryableApplicationError(
					fmt.Sprintf("circuit breaker: %d of %d writes failed; stopped before the remaining chunks", f, f+a), activities.ErrTypeRun, nil)
			}
		})
	}
	wg.Wait(ctx)
	return runErr
}

// addResult adds what one apply activity wrote and what failed to the report and the progress.
func (r *syncRun) addResult(res activities.ChunkResult) {
	r.report.Applied = r.report.Applied.Add(res.Applied)
	r.report.Failed = r.report.Failed.Add(res.Failed)
	if room := maxReportSample - len(r.report.Failures); room > 0 {
		r.report.Failures = append(r.report.Failures, res.FailureSample[:min(room, len(res.FailureSample))]...)
	}
	r.progress.Applied, r.progress.Failed = r.report.Applied, r.report.Failed
}

// partialResult reads what a failed, canceled or timed-out chunk wrote before it stopped: the
// activity puts it in its error's details, or Temporal keeps its last heartbeat.
func partialResult(err error, res *activities.ChunkResult) bool {
	var appErr *temporal.ApplicationError
	var canceled *temporal.CanceledError
	var timeout *temporal.TimeoutError
	switch {
	case errors.As(err, &appErr):
		return appErr.HasDetails() && appErr.Details(res) == nil
	case errors.As(err, &canceled):
		return canceled.HasDetails() && canceled.Details(res) == nil
	case errors.As(err, &timeout):
		return timeout.HasLastHeartbeatDetails() && timeout.LastHeartbeatDetails(res) == nil
	}
	return false
}

// setPhase records the run's phase for the progress query and the Temporal UI.
func (r *syncRun) setPhase(ctx workflow.Context, phase string) {
	r.progress.Phase = phase
	r.showProgress(ctx)
}

// showProgress puts the progress in the run's current details, shown live in the Temporal UI.
func (r *syncRun) showProgress(ctx workflow.Context) {
	p := r.progress
	details := fmt.Sprintf("**%s** (%s) — %d of %d planned writes done", p.Phase, p.Status, p.Applied.Writes(), p.Planned.Writes())
	if f := p.Failed.Writes(); f > 0 {
		details += fmt.Sprintf(", %d failed", f)
	}
	if p.ChunksTotal > 0 {
		details += fmt.Sprintf("; chunks %d/%d", p.ChunksDone, p.ChunksTotal)
	}
	for _, why := range p.AwaitingApproval {
		details += "\n- waiting for approval: " + why
	}
	workflow.SetCurrentDetails(ctx, details)
}

// finish stores the report and returns it.
func (r *syncRun) finish(ctx workflow.Context, status string) (*report.Report, error) {
	r.ignoreStraySignals(ctx, "while the run was not waiting for approval")
	r.report.Status = status
	r.progress.Status = status
	r.setPhase(ctx, "done")
	r.report.FinishedAt = workflow.Now(ctx)
	r.report.DurationSeconds = r.report.FinishedAt.Sub(r.report.StartedAt).Seconds()
	r.upsert(ctx, SAOutcome.ValueSet(status), SAWrites.ValueSet(int64(r.report.Applied.Writes())), SAFailures.ValueSet(int64(r.report.Failed.Writes())))
	in := activities.SaveReportInput{Prefix: r.prefix, Report: r.report}
	if r.saveState != nil {
		r.saveState(&in, status)
	}
	// Disconnected: a canceled run still stores its report.
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	var saved activities.SaveReportResult
	if err := workflow.ExecuteActivity(withOptions(dctx, reportOptions, "save the report"), reportActs.SaveReport, in).Get(dctx, &saved); err != nil {
		r.report.Warnings = append(r.report.Warnings, "the report could not be stored: "+err.Error())
	}
	r.report.ReportKey, r.report.FailuresTotal = saved.Key, max(saved.FailuresTotal, len(r.report.Failures))
	return &r.report, nil
}

// fail stores a failed run's report and returns the error: one sentence for a person (the
// innermost message, with what to do), the report as its details — not Temporal's chain of
// wrapped errors.
func (r *syncRun) fail(ctx workflow.Context, err error) (*report.Report, error) {
	if temporal.IsCanceledError(err) || ctx.Err() != nil {
		r.report.Error = "the run was canceled"
		_, _ = r.finish(ctx, report.StatusCanceled)
		return nil, temporal.NewCanceledError(r.report)
	}
	r.report.Error = humanMessage(err)
	rep, _ := r.finish(ctx, report.StatusFailed)
	errType := activities.ErrTypeRun
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() != "" {
		errType = appErr.Type()
	}
	msg := fmt.Sprintf("%s sync failed: %s", rep.Direction, rep.Error)
	if rep.ReportKey != "" {
		msg += " (report: " + report.Command(rep.WorkflowID, rep.RunID) + ")"
	}
	return nil, temporal.NewNonRetryableApplicationError(msg, errType, nil, *rep)
}

// humanMessage is what went wrong, for a person: the innermost application error's own message
// (not its type, retry flag and causes), or a sentence for a timeout.
func humanMessage(err error) string {
	var timeout *temporal.TimeoutError
	if errors.As(err, &timeout) {
		return "a step took too long (" + timeout.TimeoutType().String() + "): the worker may have stopped, or an API stopped answering; start the run again — what it wrote is kept and a rerun goes on from there"
	}
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Message()
	}
	return err.Error()
}

// completed is the final status of a run that applied its plan: with errors when writes failed.
func (r *syncRun) completed() string {
	if r.report.Failed.Writes() > 0 {
		return report.StatusCompletedErrors
	}
	return report.StatusCompleted
}
