package workflows

import (
	"errors"
	"fmt"
	"slices"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// Activity receivers: nil pointers give the workflow the activity names without their state.
var (
	excelActs   *activities.ExcelActivities
	authingActs *activities.AuthingActivities
	planActs    *activities.PlanActivities
	reportActs  *activities.ReportActivities
)

// UpstreamSync syncs a WeCom contacts export into Authing: parse the file and read Authing (in
// parallel), plan, wait for approval when the plan crosses a safety threshold, then apply
// departments and user chunks with bounded concurrency, and store the report.
func UpstreamSync(ctx workflow.Context, in UpstreamInput) (*report.Report, error) {
	return execute(ctx, &upstreamRun{in: in})
}

// upstreamRun is the upstream policy over the shared skeleton: what to read (the export and
// Authing), how to plan, and what a write is (Authing departments and user chunks).
type upstreamRun struct {
	syncRun
	in           UpstreamInput
	stateKey     string
	memberCounts string
	members      int
}

// setup applies the defaults, validates the input and registers the queries.
func (r *upstreamRun) setup(ctx workflow.Context) error {
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
	if _, err := mapping.ParseIgnoreFields(in.IgnoreFields); err != nil {
		return badInput("ignoreFields: " + err.Error())
	}
	for _, m := range in.MatchBy {
		if !slices.Contains(append(plan.DefaultMatchBy(), plan.MatchNone), m) {
			return badInput(fmt.Sprintf("matchBy: %q is not one of %v or %q", m, plan.DefaultMatchBy(), plan.MatchNone))
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
	r.saveState = r.keepFileSize
	return r.init(ctx, runOptions{direction: DirectionUpstream, mode: string(in.Mode), connection: in.Connection,
		dryRun: in.DryRun, approvalTimeout: in.ApprovalTimeout, concurrency: in.Concurrency})
}

func (r *upstreamRun) run(ctx workflow.Context) (*report.Report, error) {
	if err := r.claim(ctx, UpstreamWorkflowName); err != nil {
		return r.fail(ctx, err)
	}
	parsed, read, err := r.read(ctx)
	if err != nil {
		return r.fail(ctx, err)
	}
	planned, err := r.plan(ctx, parsed, read)
	if err != nil {
		return r.fail(ctx, err)
	}
	if status, canceled := r.gate(ctx, r.approvalReasons(ctx, parsed, planned), r.in.DryRun); canceled {
		return r.fail(ctx, temporal.NewCanceledError())
	} else if status != "" {
		return r.finish(ctx, status)
	}
	if err := r.apply(ctx, parsed, read, planned); err != nil {
		return r.fail(ctx, err)
	}
	if ctx.Err() != nil { // canceled while the last chunks finished their work
		return r.fail(ctx, temporal.NewCanceledError())
	}
	r.members = parsed.Summary.Members
	return r.finish(ctx, r.completed())
}

// keepFileSize leaves a successful run's file size for the next run's shrink check; only a file
// read in full says how many members there are.
func (r *upstreamRun) keepFileSize(in *activities.SaveReportInput, status string) {
	if (status == report.StatusCompleted || status == report.StatusCompletedErrors) && r.fullFile() {
		in.StateKey, in.Members, in.MemberCounts = r.stateKey, r.members, r.memberCounts
	}
}

// fullFile reports whether the whole export was read (no row range): only then does a missing
// member mean a member who left.
func (r *upstreamRun) fullFile() bool {
	return r.in.Sheet == "" && r.in.StartRow == 0 && *r.in.EndRow == -1
}

// approvalReasons applies the safety thresholds to the plan. The file-size check guards deletes: a
// truncated export must not look like mass departure.
func (r *upstreamRun) approvalReasons(ctx workflow.Context, parsed activities.ParseExportResult, planned activities.PlanUpstreamResult) []string {
	// Version 1: the file-size check compares the members inside the delete scope with the last
	// files' count there, and sheets skipped although they hold member-like rows make the file partial.
	if workflow.GetVersion(ctx, "scoped-delete-only", workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		return r.approvalReasonsV0(parsed, planned)
	}
	deleteOnly := r.in.Mode == plan.ModeDeleteOnly
	members, last := parsed.Summary.Members, 0
	if deleteOnly {
		last = planned.LastMembers
		if planned.ComparedInScope {
			members = planned.MembersInScope
		}
	}
	why := r.in.Limits.Check(planned.Counts, planned.OwnedUsers, members, last)
	if !deleteOnly || planned.Counts.Deletes() == 0 {
		return why
	}
	if !r.fullFile() {
		why = append(why, fmt.Sprintf("the file was read in part (sheet %q, rows %d to %d): users on the rows left out would be deleted", r.in.Sheet, r.in.StartRow, *r.in.EndRow))
	}
	for _, s := range parsed.Summary.SkippedSheets {
		if s.MemberLikeRows > 0 {
			why = append(why, fmt.Sprintf("sheet %q was not read (%s) but has %d rows that look like members: users on them would be deleted", s.Name, s.Reason, s.MemberLikeRows))
		}
	}
	if n := parsed.Summary.MemberLikeRowsAboveHeader; n > 0 {
		why = append(why, fmt.Sprintf("%d rows above the header look like members and were not read: users on them would be deleted", n))
	}
	if parsed.RejectsWithoutUserID > 0 {
		why = append(why, fmt.Sprintf("%d rejected rows have no readable 账号 (empty, or an error, date or boolean cell): the people on them cannot be kept from deletion", parsed.RejectsWithoutUserID))
	}
	return why
}

// approvalReasonsV0 is approvalReasons of runs started before version 1.
func (r *upstreamRun) approvalReasonsV0(parsed activities.ParseExportResult, planned activities.PlanUpstreamResult) []string {
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
		r.report.File = report.FileSummary{File: parsed.Summary.File, Sheets: parsed.Summary.Sheets, Rows: parsed.Summary.Rows,
			Members: parsed.Summary.Members, Rejected: parsed.Summary.Rejects, Departments: parsed.Departments,
			SkippedSheets: parsed.Summary.SkippedSheets}
		r.report.Rejects = parsed.RejectSample
		r.report.Warnings = append(r.report.Warnings, parsed.Summary.Warnings...)
		r.report.Warnings = append(r.report.Warnings, parsed.Warnings...)
	}
	if readErr == nil {
		r.setOrganization(ctx, read.OrganizationCode)
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
		Options: plan.Options{Mode: r.in.Mode, DeleteAction: r.in.DeleteAction, IgnoreFields: r.in.IgnoreFields,
			MatchBy: r.in.MatchBy, Scope: r.in.Scope},
		Prefix:        r.prefix,
		StateKey:      stateKey(r.in.Connection, read.OrganizationCode),
		TopLevelNames: parsed.TopLevelNames,
		ChunkSize:     r.in.ChunkSize,
	}).Get(ctx, &planned)
	if err != nil {
		return planned, err
	}
	r.stateKey = stateKey(r.in.Connection, read.OrganizationCode)
	r.report.Planned = planned.Counts
	r.report.OwnedUsers = planned.OwnedUsers
	r.report.PlanKey = planned.Plan.Key
	r.report.Warnings = append(r.report.Warnings, planned.Warnings...)
	r.report.Scope, r.report.Notes = planned.Scope, planned.Notes
	r.report.Ambiguous, r.report.Kept = planned.AmbiguousSample, planned.KeptSample
	r.memberCounts = planned.MemberCounts
	r.progress.Planned = planned.Counts
	r.progress.ChunksTotal = len(planned.Chunks)
	return planned, nil
}

func stateKey(connection, org string) string {
	return fmt.Sprintf("state/upstream/%s/%s.json", connection, org)
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
	r.addResult(activities.ChunkResult{Applied: plan.Counts{DepartmentsCreate: deps.Created},
		Failed: plan.Counts{DepartmentsCreate: deps.Failed}, FailureSample: deps.FailureSample})

	r.setPhase(ctx, "writing users")
	return r.applyChunks(ctx, planned.Chunks, deps.DepartmentMap)
}

// applyChunks runs the user chunks with at most r.concurrency activities in flight.
func (r *upstreamRun) applyChunks(ctx workflow.Context, chunks []activities.Chunk, depMap string) error {
	return r.syncRun.applyChunks(ctx, chunks, func(gctx workflow.Context, i int, c activities.Chunk) workflow.Future {
		summary := fmt.Sprintf("%s users, chunk %d of %d (%d)", c.Kind, i+1, len(chunks), c.Count)
		return workflow.ExecuteActivity(withOptions(gctx, applyOptions, summary), authingActs.ApplyUserChunk, activities.ApplyUserChunkInput{
			Connection: r.in.Connection, Chunk: c, DepartmentMap: depMap, Prefix: r.prefix,
		})
	})
}
