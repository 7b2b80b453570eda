package workflows

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
)

// Activity receivers: nil pointers give the workflow the activity names without their state.
var (
	excelActs   *activities.ExcelActivities
	authingActs *activities.AuthingActivities
	planActs    *activities.PlanActivities
	reportActs  *activities.ReportActivities
)

// Circuit breaker: a run stops scheduling writes once at least breakerMinFailures writes failed and
// they are more than breakerRatio of the writes attempted (a systemic problem, not bad records).
const (
	breakerMinFailures = 50
	breakerRatio       = 0.5
)

// UpstreamSync syncs a WeCom contacts export into Authing: parse the file and read Authing (in
// parallel), plan, wait for approval when the plan crosses a safety threshold, then apply
// departments and user chunks with bounded concurrency, and store the report.
func UpstreamSync(ctx workflow.Context, in UpstreamInput) (*Report, error) {
	r := &upstreamRun{in: in}
	if err := r.setup(ctx); err != nil {
		return nil, err
	}
	return r.run(ctx)
}

type upstreamRun struct {
	in              UpstreamInput
	prefix          string
	stateKey        string
	approvalTimeout time.Duration
	report          Report
	progress        Progress
}

// setup applies the defaults, validates the input and registers the queries.
func (r *upstreamRun) setup(ctx workflow.Context) error {
	info := workflow.GetInfo(ctx)
	in := &r.in
	if in.File == "" {
		return badInput(`"file" is required: a blob key, a file:// URL or an absolute path`)
	}
	if in.Mode == "" {
		in.Mode = plan.ModeCreateUpdate
	}
	if in.Mode != plan.ModeCreateUpdate && in.Mode != plan.ModeDeleteOnly {
		return badInput(fmt.Sprintf("mode %q is not %q or %q", in.Mode, plan.ModeCreateUpdate, plan.ModeDeleteOnly))
	}
	if in.DeleteAction == "" {
		in.DeleteAction = plan.DeleteActionDelete
	}
	if in.DeleteAction != plan.DeleteActionDelete && in.DeleteAction != plan.DeleteActionSuspend {
		return badInput(fmt.Sprintf("deleteAction %q is not %q or %q", in.DeleteAction, plan.DeleteActionDelete, plan.DeleteActionSuspend))
	}
	for _, f := range in.IgnoreFields {
		if !mapping.IsField(f) {
			return badInput(fmt.Sprintf("ignoreFields: %q is not a synced field (known: %v)", f, mapping.FieldNames()))
		}
	}
	if in.Connection == "" {
		in.Connection = DefaultConnection
	}
	if in.IgnoreTopLevel == nil {
		t := true
		in.IgnoreTopLevel = &t
	}
	if in.EndRow == nil {
		last := -1
		in.EndRow = &last
	}
	if in.StartRow < 0 || (*in.EndRow != -1 && *in.EndRow < in.StartRow) {
		return badInput(fmt.Sprintf("startRow %d / endRow %d: want 0 ≤ startRow ≤ endRow, or endRow -1 for the last row", in.StartRow, *in.EndRow))
	}
	if in.Concurrency <= 0 {
		in.Concurrency = DefaultConcurrency
	}
	in.Concurrency = min(in.Concurrency, MaxConcurrency)
	r.approvalTimeout = DefaultApprovalTimeout
	if in.ApprovalTimeout != "" {
		d, err := time.ParseDuration(in.ApprovalTimeout)
		if err != nil || d <= 0 {
			return badInput(fmt.Sprintf("approvalTimeout %q is not a positive duration such as \"72h\"", in.ApprovalTimeout))
		}
		r.approvalTimeout = d
	}
	r.prefix = fmt.Sprintf("runs/%s/%s/", info.WorkflowExecution.ID, info.WorkflowExecution.RunID)
	r.report = Report{
		WorkflowID: info.WorkflowExecution.ID,
		RunID:      info.WorkflowExecution.RunID,
		Direction:  "upstream",
		Mode:       in.Mode,
		DryRun:     in.DryRun,
		Status:     StatusRunning,
		Connection: in.Connection,
		StartedAt:  workflow.Now(ctx),
	}
	r.progress = Progress{Status: StatusRunning, Phase: "reading"}
	if err := workflow.SetQueryHandler(ctx, QueryProgress, func() (Progress, error) { return r.progress, nil }); err != nil {
		return err
	}
	return workflow.SetQueryHandler(ctx, QueryReport, func() (Report, error) { return r.report, nil })
}

func badInput(msg string) error {
	return temporal.NewNonRetryableApplicationError(msg, activities.ErrTypeBadInput, nil)
}

func (r *upstreamRun) run(ctx workflow.Context) (*Report, error) {
	parsed, read, err := r.read(ctx)
	if err != nil {
		return r.fail(ctx, err)
	}
	planned, err := r.plan(ctx, parsed, read)
	if err != nil {
		return r.fail(ctx, err)
	}
	why := r.approvalReasons(parsed, planned)
	if r.in.DryRun {
		if len(why) > 0 {
			r.report.Approval = &ApprovalRecord{Reasons: why, Decision: "would be needed"}
		}
		return r.finish(ctx, StatusDryRun, 0)
	}
	if len(why) > 0 {
		if !r.awaitApproval(ctx, why) {
			if ctx.Err() != nil {
				return r.fail(ctx, temporal.NewCanceledError())
			}
			return r.finish(ctx, StatusRejected, 0)
		}
	}
	if err := r.apply(ctx, parsed, read, planned); err != nil {
		return r.fail(ctx, err)
	}
	if ctx.Err() != nil { // canceled while the last chunks finished their work
		return r.fail(ctx, temporal.NewCanceledError())
	}
	status := StatusCompleted
	if r.report.Failed.Writes() > 0 {
		status = StatusCompletedErrors
	}
	return r.finish(ctx, status, parsed.Summary.Members)
}

// fullFile reports whether the whole export was read (no row range): only then does a missing
// member mean a member who left.
func (r *upstreamRun) fullFile() bool {
	return r.in.Sheet == "" && r.in.StartRow == 0 && *r.in.EndRow == -1
}

// approvalReasons applies the safety thresholds to the plan. The file-size check guards deletes: a
// truncated export must not look like mass departure.
func (r *upstreamRun) approvalReasons(parsed activities.ParseExportResult, planned activities.PlanUpstreamResult) []string {
	limits := r.in.Limits
	last := planned.LastMembers
	if r.in.Mode != plan.ModeDeleteOnly {
		last = 0
	}
	why := limits.Check(planned.Counts, planned.OwnedUsers, parsed.Summary.Members, last)
	if r.in.Mode == plan.ModeDeleteOnly && !r.fullFile() && planned.Counts.UsersDelete+planned.Counts.UsersSuspend > 0 {
		why = append(why, fmt.Sprintf("the file was read in part (sheet %q, rows %d to %d): users on the rows left out would be deleted", r.in.Sheet, r.in.StartRow, *r.in.EndRow))
	}
	return why
}

// read parses the export and reads Authing at the same time.
func (r *upstreamRun) read(ctx workflow.Context) (activities.ParseExportResult, activities.ReadAuthingResult, error) {
	var parsed activities.ParseExportResult
	var read activities.ReadAuthingResult
	parseF := workflow.ExecuteActivity(withOptions(ctx, readOptions, "parse the export"), excelActs.ParseExport, activities.ParseExportInput{
		File: r.in.File, Sheet: r.in.Sheet, StartRow: r.in.StartRow, EndRow: *r.in.EndRow,
		IgnoreTopLevel: *r.in.IgnoreTopLevel, Prefix: r.prefix,
	})
	readF := workflow.ExecuteActivity(withOptions(ctx, readOptions, "read Authing"), authingActs.ReadAuthing, activities.ReadAuthingInput{
		Connection: r.in.Connection, OrganizationCode: r.in.OrganizationCode, Prefix: r.prefix,
	})
	parseErr := parseF.Get(ctx, &parsed)
	readErr := readF.Get(ctx, &read)
	if parseErr == nil {
		r.report.File = FileSummary{File: parsed.Summary.File, Sheets: parsed.Summary.Sheets, Rows: parsed.Summary.Rows,
			Members: parsed.Summary.Members, Rejected: parsed.Summary.Rejects, Departments: parsed.Departments}
		r.report.Rejects = parsed.RejectSample
		r.report.Warnings = append(r.report.Warnings, parsed.Warnings...)
	}
	if readErr == nil {
		r.report.OrganizationCode = read.OrganizationCode
		if !read.OrganizationExists {
			r.report.Warnings = append(r.report.Warnings, fmt.Sprintf("the pool has no organization: %q will be created", read.OrganizationCode))
		}
		if len(read.MissingCustomFields) > 0 {
			r.report.Warnings = append(r.report.Warnings, fmt.Sprintf("custom fields missing in Authing, created before the first write: %v", read.MissingCustomFields))
		}
	}
	return parsed, read, errors.Join(parseErr, readErr)
}

func (r *upstreamRun) plan(ctx workflow.Context, parsed activities.ParseExportResult, read activities.ReadAuthingResult) (activities.PlanUpstreamResult, error) {
	r.setPhase(ctx, "planning")
	var planned activities.PlanUpstreamResult
	err := workflow.ExecuteActivity(withOptions(ctx, readOptions, "plan"), planActs.PlanUpstream, activities.PlanUpstreamInput{
		Members: parsed.Members.Key, RejectedUserIDs: parsed.RejectedUserID.Key, Users: read.Users.Key, Tree: read.Tree.Key,
		Options:  plan.Options{Mode: r.in.Mode, DeleteAction: r.in.DeleteAction, IgnoreFields: r.in.IgnoreFields},
		Prefix:   r.prefix,
		StateKey: stateKey(r.in.Connection, read.OrganizationCode),
	}).Get(ctx, &planned)
	if err != nil {
		return planned, err
	}
	r.stateKey = stateKey(r.in.Connection, read.OrganizationCode)
	r.report.Planned = planned.Counts
	r.report.OwnedUsers = planned.OwnedUsers
	r.report.PlanKey = planned.Plan.Key
	r.report.Warnings = append(r.report.Warnings, planned.Warnings...)
	r.progress.Planned = planned.Counts
	r.progress.ChunksTotal = len(planned.Chunks)
	return planned, nil
}

func stateKey(connection, org string) string {
	return fmt.Sprintf("state/upstream/%s/%s.json", connection, org)
}

// awaitApproval blocks until an approve or reject signal arrives or the timeout passes (= reject).
func (r *upstreamRun) awaitApproval(ctx workflow.Context, why []string) bool {
	r.progress.Status, r.progress.AwaitingApproval = StatusAwaitingApprove, why
	r.setPhase(ctx, "awaiting approval")
	r.report.Status = StatusAwaitingApprove
	rec := &ApprovalRecord{Reasons: why}
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
	r.progress.Status, r.progress.AwaitingApproval = StatusRunning, nil
	r.report.Status = StatusRunning
	return rec.Decision == "approved"
}

// ignoreStraySignals drains approve and reject signals sent while the run was not waiting for a
// decision, and says so in the report: an early approve must not approve a plan nobody saw.
func (r *upstreamRun) ignoreStraySignals(ctx workflow.Context, when string) {
	for _, name := range []string{SignalApprove, SignalReject} {
		ch := workflow.GetSignalChannel(ctx, name)
		var a Approval
		for ch.ReceiveAsync(&a) {
			r.report.Warnings = append(r.report.Warnings, fmt.Sprintf("ignored the %s signal from %q sent %s", name, a.By, when))
		}
	}
}

func (r *upstreamRun) apply(ctx workflow.Context, parsed activities.ParseExportResult, read activities.ReadAuthingResult, planned activities.PlanUpstreamResult) error {
	// Version 1: a run with nothing to write writes nothing (version 0 still created missing custom
	// fields), and delete-only neither creates custom fields nor departments.
	if workflow.GetVersion(ctx, "apply-only-what-the-plan-needs", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		if planned.Counts.Writes() == 0 && len(read.MissingCustomFields) == 0 {
			return nil
		}
	} else {
		if planned.Counts.Writes() == 0 {
			return nil
		}
		if r.in.Mode == plan.ModeDeleteOnly {
			r.setPhase(ctx, "deleting users")
			return r.applyChunks(ctx, planned.Chunks, "")
		}
	}
	r.setPhase(ctx, "preparing Authing")
	actx := withOptions(ctx, applyOptions, "ensure custom fields")
	var fields activities.EnsureCustomFieldsResult
	if err := workflow.ExecuteActivity(actx, authingActs.EnsureCustomFields, activities.EnsureCustomFieldsInput{Connection: r.in.Connection}).Get(ctx, &fields); err != nil {
		return err
	}
	r.report.CustomFieldsMade = fields.Created

	r.setPhase(ctx, "creating departments")
	var deps activities.ApplyDepartmentsResult
	orgName := "企业微信"
	if len(parsed.TopLevelNames) > 0 {
		orgName = parsed.TopLevelNames[0]
	}
	err := workflow.ExecuteActivity(withOptions(ctx, applyOptions, "create departments"), authingActs.ApplyDepartments, activities.ApplyDepartmentsInput{
		Connection: r.in.Connection, OrganizationCode: read.OrganizationCode,
		CreateOrganization: !read.OrganizationExists, OrganizationName: orgName,
		Departments: planned.Departments.Key, Tree: read.Tree.Key, Prefix: r.prefix,
	}).Get(ctx, &deps)
	if err != nil {
		return err
	}
	r.report.Applied.DepartmentsCreate += deps.Created
	r.report.Failed.DepartmentsCreate += deps.Failed
	r.addFailures(deps.FailureSample)
	r.progress.Applied, r.progress.Failed = r.report.Applied, r.report.Failed

	r.setPhase(ctx, "writing users")
	return r.applyChunks(ctx, planned.Chunks, deps.DepartmentMap)
}

// applyChunks runs the user chunks with at most in.Concurrency activities in flight.
func (r *upstreamRun) applyChunks(ctx workflow.Context, chunks []activities.Chunk, depMap string) error {
	sem := workflow.NewSemaphore(ctx, int64(r.in.Concurrency))
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
			var res activities.ApplyUserChunkResult
			summary := fmt.Sprintf("%s users, chunk %d of %d (%d)", c.Kind, i+1, len(chunks), c.Count)
			err := workflow.ExecuteActivity(withOptions(gctx, applyOptions, summary), authingActs.ApplyUserChunk, activities.ApplyUserChunkInput{
				Connection: r.in.Connection, Chunk: c, DepartmentMap: depMap, Prefix: r.prefix,
			}).Get(gctx, &res)
			if err != nil {
				runErr = errors.Join(runErr, err)
				if !partialResult(err, &res) {
					return
				}
			}
			r.report.Applied = r.report.Applied.Add(res.Applied)
			r.report.Failed = r.report.Failed.Add(res.Failed)
			r.addFailures(res.FailureSample)
			r.progress.Applied, r.progress.Failed = r.report.Applied, r.report.Failed
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

// setPhase records the run's phase for the progress query and the Temporal UI.
func (r *upstreamRun) setPhase(ctx workflow.Context, phase string) {
	r.progress.Phase = phase
	r.showProgress(ctx)
}

// showProgress puts the progress in the run's current details, shown live in the Temporal UI.
func (r *upstreamRun) showProgress(ctx workflow.Context) {
	p := r.progress
	details := fmt.Sprintf("**%s** (%s) — %d of %d planned writes done", p.Phase, p.Status, p.Applied.Writes(), p.Planned.Writes())
	if f := p.Failed.Writes(); f > 0 {
		details += fmt.Sprintf(", %d failed", f)
	}
	if p.ChunksTotal > 0 {
		details += fmt.Sprintf("; user chunks %d/%d", p.ChunksDone, p.ChunksTotal)
	}
	for _, why := range p.AwaitingApproval {
		details += "\n- waiting for approval: " + why
	}
	workflow.SetCurrentDetails(ctx, details)
}

// partialResult reads what a failed, canceled or timed-out chunk wrote before it stopped: the
// activity puts it in its error's details, or Temporal keeps its last heartbeat.
func partialResult(err error, res *activities.ApplyUserChunkResult) bool {
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

func (r *upstreamRun) addFailures(fs []activities.Failure) {
	room := maxReportSample - len(r.report.Failures)
	if room > 0 {
		r.report.Failures = append(r.report.Failures, fs[:min(room, len(fs))]...)
	}
}

// maxReportSample caps the failures carried in the workflow's report (the full list is in the store).
const maxReportSample = 100

// finish stores the report and returns it.
func (r *upstreamRun) finish(ctx workflow.Context, status string, members int) (*Report, error) {
	r.ignoreStraySignals(ctx, "while the run was not waiting for approval")
	r.report.Status = status
	r.progress.Status = status
	r.setPhase(ctx, "done")
	r.report.FinishedAt = workflow.Now(ctx)
	r.report.DurationSeconds = r.report.FinishedAt.Sub(r.report.StartedAt).Seconds()
	in := activities.SaveReportInput{Prefix: r.prefix, Report: r.report}
	if (status == StatusCompleted || status == StatusCompletedErrors) && r.fullFile() {
		in.StateKey, in.Members = r.stateKey, members // the baseline of the next run's file-size check
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

// fail stores a failed run's report and returns the error, with the report as its details.
func (r *upstreamRun) fail(ctx workflow.Context, err error) (*Report, error) {
	r.report.Error = err.Error()
	if temporal.IsCanceledError(err) || ctx.Err() != nil {
		r.report.Error = "the run was canceled"
		_, _ = r.finish(ctx, StatusCanceled, 0)
		return nil, temporal.NewCanceledError(r.report)
	}
	rep, _ := r.finish(ctx, StatusFailed, 0)
	errType := activities.ErrTypeRun
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) && appErr.Type() != "" {
		errType = appErr.Type()
	}
	return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("upstream sync failed: %s (report: %s)", rootMessage(err), rep.ReportKey), errType, err, *rep)
}

// rootMessage is the innermost application error's message: what a person needs to read.
func rootMessage(err error) string {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return appErr.Error()
	}
	return err.Error()
}
