package workflows

import (
	"cmp"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

var wecomActs *activities.WeComActivities

// Defaults of DownstreamInput.
const (
	DefaultWeComRootDepartmentID = 1
	DefaultUserIDField           = activities.UserIDFieldUsername
)

// DownstreamSync keeps WeCom in step with an Authing organization: read Authing and WeCom (in
// parallel), plan, wait for approval when the plan crosses a safety threshold, then create and
// update departments, create, update and move members, remove the members Authing no longer has,
// delete emptied departments, write the WeCom ids back into Authing, and store the report and the
// snapshot the next run compares hidden fields with.
func DownstreamSync(ctx workflow.Context, in DownstreamInput) (*report.Report, error) {
	return execute(ctx, &downstreamRun{in: in})
}

// downstreamRun is the downstream policy over the shared skeleton: what to read (Authing and
// WeCom), how to plan, and what a write is (WeCom departments and members, Authing write-backs).
type downstreamRun struct {
	syncRun
	in           DownstreamInput
	snapshotKey  string
	nextSnapshot string
}

// setup applies the defaults and validates the input.
func (r *downstreamRun) setup(ctx workflow.Context) error {
	in := &r.in
	in.Connection = cmp.Or(in.Connection, DefaultConnection)
	if in.WeComRootDepartmentID == 0 {
		in.WeComRootDepartmentID = DefaultWeComRootDepartmentID
	}
	in.UpdateMode = cmp.Or(in.UpdateMode, UpdateChanged)
	in.DeleteMode = cmp.Or(in.DeleteMode, DeleteNone)
	in.UserIDField = cmp.Or(in.UserIDField, DefaultUserIDField)
	switch {
	case in.WeComRootDepartmentID < 0:
		return badInput(fmt.Sprintf("wecomRootDepartmentId %d is not a department id", in.WeComRootDepartmentID))
	case in.UpdateMode != UpdateNone && in.UpdateMode != UpdateOverwrite && in.UpdateMode != UpdateChanged:
		return badInput(fmt.Sprintf("updateMode %q is not %q, %q or %q", in.UpdateMode, UpdateNone, UpdateOverwrite, UpdateChanged))
	case in.DeleteMode != DeleteNone && in.DeleteMode != DeleteDisable && in.DeleteMode != DeleteDelete:
		return badInput(fmt.Sprintf("deleteMode %q is not %q, %q or %q", in.DeleteMode, DeleteNone, DeleteDisable, DeleteDelete))
	}
	if _, err := mapping.ParseIgnoreFields(in.IgnoreFields); err != nil {
		return badInput("ignoreFields: " + err.Error())
	}
	if err := activities.CheckUserIDField(in.UserIDField); err != nil {
		return badInput(err.Error())
	}
	r.saveState = r.keepSnapshot
	return r.init(ctx, runOptions{direction: DirectionDownstream, mode: in.UpdateMode, connection: in.Connection,
		dryRun: in.DryRun, approvalTimeout: in.ApprovalTimeout, concurrency: in.Concurrency})
}

func (r *downstreamRun) run(ctx workflow.Context) (*report.Report, error) {
	if err := r.claim(ctx, DownstreamWorkflowName); err != nil {
		return r.fail(ctx, err)
	}
	source, target, err := r.read(ctx)
	if err != nil {
		return r.fail(ctx, err)
	}
	planned, err := r.plan(ctx, source, target)
	if err != nil {
		return r.fail(ctx, err)
	}
	why := r.in.Limits.Check(planned.Counts, planned.UsersInScope, 0, 0)
	why = append(why, r.in.Limits.CheckDepartments(planned.Counts, planned.DepartmentsInScope)...)
	if status, canceled := r.gate(ctx, why, r.in.DryRun); canceled {
		return r.fail(ctx, temporal.NewCanceledError())
	} else if status != "" {
		return r.finish(ctx, status)
	}
	if err := r.apply(ctx, source, planned); err != nil {
		return r.fail(ctx, err)
	}
	if ctx.Err() != nil {
		return r.fail(ctx, temporal.NewCanceledError())
	}
	return r.finish(ctx, r.completed())
}

// keepSnapshot leaves what an applied run wrote for the next run's comparisons.
func (r *downstreamRun) keepSnapshot(in *activities.SaveReportInput, status string) {
	if (status == report.StatusCompleted || status == report.StatusCompletedErrors) && r.nextSnapshot != "" {
		in.StateKey, in.NextSnapshot = r.snapshotKey, r.nextSnapshot
	}
}

// read snapshots Authing and WeCom at the same time.
func (r *downstreamRun) read(ctx workflow.Context) (activities.ReadAuthingSourceResult, activities.ReadWeComResult, error) {
	var source activities.ReadAuthingSourceResult
	var target activities.ReadWeComResult
	sourceF := workflow.ExecuteActivity(withOptions(ctx, readOptions, "read Authing"), authingActs.ReadAuthingSource, activities.ReadAuthingSourceInput{
		Connection: r.in.Connection, OrganizationCode: r.in.OrganizationCode, UserIDField: r.in.UserIDField, Prefix: r.prefix,
	})
	targetF := workflow.ExecuteActivity(withOptions(ctx, readOptions, "read WeCom"), wecomActs.ReadWeCom, activities.ReadWeComInput{
		Connection: r.in.Connection, Prefix: r.prefix,
	})
	sourceErr := sourceF.Get(ctx, &source)
	targetErr := targetF.Get(ctx, &target)
	d := &report.Downstream{UpdateMode: r.in.UpdateMode, DeleteMode: r.in.DeleteMode, WeComRootDepartmentID: r.in.WeComRootDepartmentID}
	r.report.Downstream = d
	if sourceErr == nil {
		r.setOrganization(ctx, source.OrganizationCode)
		d.AuthingMembers, d.AuthingDepartments = source.Members, source.Departments
	}
	if targetErr == nil {
		d.AppMode, d.DetailsReadable, d.HiddenFields = target.Mode, target.DetailsReadable, target.Hidden
		r.report.Warnings = append(r.report.Warnings, target.Warnings...)
	}
	return source, target, errors.Join(sourceErr, targetErr)
}

func (r *downstreamRun) plan(ctx workflow.Context, source activities.ReadAuthingSourceResult, target activities.ReadWeComResult) (activities.PlanDownstreamResult, error) {
	r.setPhase(ctx, "planning")
	r.snapshotKey = fmt.Sprintf("state/downstream/%s/%s/snapshot.json", r.in.Connection, source.OrganizationCode)
	var planned activities.PlanDownstreamResult
	err := workflow.ExecuteActivity(withOptions(ctx, readOptions, "plan"), planActs.PlanDownstream, activities.PlanDownstreamInput{
		SourceTree: source.Tree.Key, SourceUsers: source.Users.Key, TargetDepts: target.Departments.Key, TargetUsers: target.Users.Key,
		SnapshotKey: r.snapshotKey, IgnoreFields: r.in.IgnoreFields, Mode: target.Mode, Prefix: r.prefix, ChunkSize: r.in.ChunkSize,
		Options: plan.DownstreamOptions{UpdateMode: r.in.UpdateMode, DeleteMode: r.in.DeleteMode, RootID: r.in.WeComRootDepartmentID,
			RequireContact: true},
	}).Get(ctx, &planned)
	if err != nil {
		return planned, err
	}
	r.nextSnapshot = planned.NextSnapshot
	r.report.Planned, r.report.PlanKey, r.report.Notes = planned.Counts, planned.Plan.Key, planned.Notes
	r.report.Ambiguous, r.report.Skipped = planned.AmbiguousSample, planned.SkippedSample
	d := r.report.Downstream
	d.WeComUsers, d.WeComDepartments, d.ComparedWith = planned.UsersInScope, planned.DepartmentsInScope, planned.Sources
	r.progress.Planned = planned.Counts
	r.progress.ChunksTotal = len(planned.UserCreates) + len(planned.UserUpdates) + len(planned.Removals) + len(planned.WriteBacks)
	return planned, nil
}

// apply writes the plan, step after step: each step starts when the one before has ended, since
// members need their departments and write-backs need what they name.
func (r *downstreamRun) apply(ctx workflow.Context, source activities.ReadAuthingSourceResult, planned activities.PlanDownstreamResult) error {
	c := planned.Counts
	if c.Writes() == 0 {
		return nil
	}
	if c.DepartmentsWriteBack+c.UsersWriteBack > 0 && len(source.MissingCustomFields) > 0 {
		r.setPhase(ctx, "preparing Authing")
		var fields activities.EnsureCustomFieldsResult
		err := workflow.ExecuteActivity(withOptions(ctx, applyOptions, "ensure custom fields"), authingActs.EnsureCustomFields,
			activities.EnsureCustomFieldsInput{Connection: r.in.Connection}).Get(ctx, &fields)
		if err != nil {
			return err
		}
		r.report.CustomFieldsMade = fields.Created
	}
	if c.DepartmentsCreate+c.DepartmentsRename+c.DepartmentsMove > 0 {
		r.setPhase(ctx, "writing WeCom departments")
		if err := r.applyOne(ctx, "create and update departments", wecomActs.ApplyWeComDepartments, planned.Departments.Key); err != nil {
			return err
		}
	}
	steps := []struct {
		phase  string
		chunks []activities.Chunk
	}{
		{"creating WeCom members", planned.UserCreates},
		{"updating WeCom members", planned.UserUpdates},
		{"removing WeCom members", planned.Removals},
	}
	for _, s := range steps {
		if len(s.chunks) == 0 {
			continue
		}
		r.setPhase(ctx, s.phase)
		err := r.applyChunks(ctx, s.chunks, func(gctx workflow.Context, i int, ch activities.Chunk) workflow.Future {
			summary := fmt.Sprintf("%s, chunk %d of %d (%d)", s.phase, i+1, len(s.chunks), ch.Count)
			return workflow.ExecuteActivity(withOptions(gctx, applyOptions, summary), wecomActs.ApplyWeComChunk, activities.ApplyWeComChunkInput{
				Connection: r.in.Connection, Chunk: ch, Invite: r.in.Invite, Prefix: r.prefix,
			})
		})
		if err != nil {
			return err
		}
	}
	if c.DepartmentsDelete > 0 {
		r.setPhase(ctx, "deleting empty WeCom departments")
		if err := r.applyOne(ctx, "delete departments", wecomActs.ApplyWeComDepartmentDeletes, planned.DepartmentDeletes.Key); err != nil {
			return err
		}
	}
	if len(planned.WriteBacks) == 0 {
		return nil
	}
	r.setPhase(ctx, "writing WeCom ids back into Authing")
	return r.applyChunks(ctx, planned.WriteBacks, func(gctx workflow.Context, i int, ch activities.Chunk) workflow.Future {
		summary := fmt.Sprintf("write back WeCom ids, chunk %d of %d (%d)", i+1, len(planned.WriteBacks), ch.Count)
		return workflow.ExecuteActivity(withOptions(gctx, applyOptions, summary), authingActs.ApplyWriteBackChunk, activities.ApplyWriteBackChunkInput{
			Connection: r.in.Connection, OrganizationCode: r.report.OrganizationCode, Chunk: ch, Prefix: r.prefix,
		})
	})
}

// applyOne runs one department activity and adds what it wrote to the report.
func (r *downstreamRun) applyOne(ctx workflow.Context, summary string, act any, key string) error {
	var res activities.ChunkResult
	err := workflow.ExecuteActivity(withOptions(ctx, applyOptions, summary), act, activities.ApplyWeComDepartmentsInput{
		Connection: r.in.Connection, Key: key, Prefix: r.prefix,
	}).Get(ctx, &res)
	if err != nil && !partialResult(err, &res) {
		return err
	}
	r.addResult(res)
	return err
}
