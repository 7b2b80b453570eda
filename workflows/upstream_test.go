package workflows

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/wecomexport"
)

// fakes registers the activity structs (no dependencies: every call is mocked).
type fakes struct {
	excel   *activities.ExcelActivities
	authing *activities.AuthingActivities
	plan    *activities.PlanActivities
	report  *activities.ReportActivities
	runs    *activities.RunActivities
}

func newEnv(t *testing.T) (*testsuite.TestWorkflowEnvironment, fakes) {
	env, f := newEnvWithoutRunCheck(t)
	// No other run of the connection is open, unless a test says otherwise.
	env.OnActivity(f.runs.CheckExclusive, mock.Anything, mock.Anything).Return(activities.CheckExclusiveResult{}, nil).Maybe()
	return env, f
}

func newEnvWithoutRunCheck(t *testing.T) (*testsuite.TestWorkflowEnvironment, fakes) {
	var s testsuite.WorkflowTestSuite
	env := s.NewTestWorkflowEnvironment()
	f := fakes{&activities.ExcelActivities{}, &activities.AuthingActivities{}, &activities.PlanActivities{}, &activities.ReportActivities{}, &activities.RunActivities{}}
	env.RegisterActivity(f.excel)
	env.RegisterActivity(f.authing)
	env.RegisterActivity(f.plan)
	env.RegisterActivity(f.report)
	env.RegisterActivity(f.runs)
	t.Cleanup(func() { env.AssertExpectations(t) })
	return env, f
}

// result returns the report of a run that completed without error.
func result(t *testing.T, env *testsuite.TestWorkflowEnvironment) report.Report {
	t.Helper()
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var rep report.Report
	require.NoError(t, env.GetWorkflowResult(&rep))
	return rep
}

func parsed(members int) activities.ParseExportResult {
	return activities.ParseExportResult{
		Members:       claimcheck.Ref{Key: "runs/x/export/members.jsonl", Count: members},
		Summary:       wecomexport.Summary{File: "demo.xlsx", Sheets: []string{"成员列表"}, Rows: members + 1, Members: members, Rejects: 1},
		RejectSample:  []wecomexport.Reject{{File: "demo.xlsx", Sheet: "成员列表", Row: 12, Field: "账号", Reason: "missing 账号"}},
		Departments:   3,
		TopLevelNames: []string{"星河科技"},
	}
}

func readResult() activities.ReadAuthingResult {
	return activities.ReadAuthingResult{OrganizationCode: "xinghe", OrganizationExists: true,
		Users: claimcheck.Ref{Key: "runs/x/authing/users.jsonl"}, Tree: claimcheck.Ref{Key: "runs/x/authing/tree.json"}}
}

func planned(c plan.Counts, owned int, chunks ...activities.Chunk) activities.PlanUpstreamResult {
	return activities.PlanUpstreamResult{Counts: c, OwnedUsers: owned, Chunks: chunks,
		Departments: claimcheck.Ref{Key: "runs/x/plan/departments.jsonl"}, Plan: claimcheck.Ref{Key: "runs/x/plan/plan.json"}}
}

func saved(env *testsuite.TestWorkflowEnvironment, f fakes) {
	env.OnActivity(f.report.SaveReport, mock.Anything, mock.Anything).Return(activities.SaveReportResult{Key: "runs/x/report.json"}, nil).Once()
}

func TestUpstreamAppliesThePlan(t *testing.T) {
	env, f := newEnv(t)
	env.OnActivity(f.excel.ParseExport, mock.Anything, mock.MatchedBy(func(in activities.ParseExportInput) bool {
		return in.File == "uploads/abc/demo.xlsx" && in.EndRow == -1 && in.IgnoreTopLevel
	})).Return(parsed(40), nil).Once()
	env.OnActivity(f.authing.ReadAuthing, mock.Anything, mock.Anything).Return(readResult(), nil).Once()
	chunks := []activities.Chunk{{Kind: activities.ChunkCreate, Key: "c0", Count: 30}, {Kind: activities.ChunkChange, Key: "u0", Count: 5}}
	env.OnActivity(f.plan.PlanUpstream, mock.Anything, mock.Anything).
		Return(planned(plan.Counts{DepartmentsCreate: 3, UsersCreate: 30, UsersUpdate: 5, UsersUnchanged: 5}, 10, chunks...), nil).Once()
	env.OnActivity(f.authing.EnsureCustomFields, mock.Anything, mock.Anything).Return(activities.EnsureCustomFieldsResult{Created: []string{"wechatwork_user_id"}}, nil).Once()
	env.OnActivity(f.authing.ApplyDepartments, mock.Anything, mock.Anything).Return(activities.ApplyDepartmentsResult{Created: 3, DepartmentMap: "m"}, nil).Once()
	env.OnActivity(f.authing.ApplyUserChunk, mock.Anything, mock.MatchedBy(func(in activities.ApplyUserChunkInput) bool { return in.Chunk.Key == "c0" })).
		Return(activities.ChunkResult{Applied: plan.Counts{UsersCreate: 29}, Failed: plan.Counts{UsersCreate: 1},
			FailureSample: []report.Failure{{Object: "user", Key: "bad", Action: "create", Code: 409, Message: "手机号已存在"}}}, nil).Once()
	env.OnActivity(f.authing.ApplyUserChunk, mock.Anything, mock.MatchedBy(func(in activities.ApplyUserChunkInput) bool { return in.Chunk.Key == "u0" })).
		Return(activities.ChunkResult{Applied: plan.Counts{UsersUpdate: 5}}, nil).Once()
	saved(env, f)

	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "uploads/abc/demo.xlsx"})
	require.True(t, env.IsWorkflowCompleted())
	rep := result(t, env)
	assert.Equal(t, report.StatusCompletedErrors, rep.Status)
	assert.Equal(t, plan.Counts{DepartmentsCreate: 3, UsersCreate: 29, UsersUpdate: 5}, rep.Applied)
	assert.Equal(t, plan.Counts{UsersCreate: 1}, rep.Failed)
	assert.Equal(t, 40, rep.File.Members)
	assert.Len(t, rep.Rejects, 1)
	assert.Len(t, rep.Failures, 1)
	assert.Equal(t, "xinghe", rep.OrganizationCode)
	assert.Equal(t, []string{"wechatwork_user_id"}, rep.CustomFieldsMade)
	assert.Equal(t, "runs/x/report.json", rep.ReportKey)

	v, err := env.QueryWorkflow(QueryProgress)
	require.NoError(t, err)
	var p report.Progress
	require.NoError(t, v.Get(&p))
	assert.Equal(t, 2, p.ChunksDone)
	assert.Equal(t, 2, p.ChunksTotal)
}

func TestUpstreamNoOpWritesNothing(t *testing.T) {
	env, f := newEnv(t)
	env.OnActivity(f.excel.ParseExport, mock.Anything, mock.Anything).Return(parsed(40), nil).Once()
	env.OnActivity(f.authing.ReadAuthing, mock.Anything, mock.Anything).Return(readResult(), nil).Once()
	env.OnActivity(f.plan.PlanUpstream, mock.Anything, mock.Anything).Return(planned(plan.Counts{UsersUnchanged: 40}, 40), nil).Once()
	saved(env, f)
	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx"})
	rep := result(t, env)
	assert.Equal(t, report.StatusCompleted, rep.Status)
	assert.Zero(t, rep.Applied.Writes())
}

func TestUpstreamDryRunStopsAfterThePlan(t *testing.T) {
	env, f := newEnv(t)
	env.OnActivity(f.excel.ParseExport, mock.Anything, mock.Anything).Return(parsed(40), nil).Once()
	env.OnActivity(f.authing.ReadAuthing, mock.Anything, mock.Anything).Return(readResult(), nil).Once()
	env.OnActivity(f.plan.PlanUpstream, mock.Anything, mock.Anything).
		Return(planned(plan.Counts{UsersCreate: 40}, 0, activities.Chunk{Kind: activities.ChunkCreate, Key: "c0", Count: 40}), nil).Once()
	saved(env, f)
	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx", DryRun: true})
	rep := result(t, env)
	assert.Equal(t, report.StatusDryRun, rep.Status)
	assert.Equal(t, 40, rep.Planned.UsersCreate)
	assert.Zero(t, rep.Applied.Writes())
	assert.Equal(t, "runs/x/plan/plan.json", rep.PlanKey)
}

// A dry run writes nothing, so it neither waits for nor blocks real runs of its connection; a real
// run looks only for other real runs.
func TestOnlyRealRunsCheckForOpenRuns(t *testing.T) {
	for _, dryRun := range []bool{true, false} {
		t.Run(fmt.Sprintf("dry-run=%v", dryRun), func(t *testing.T) {
			env, f := newEnvWithoutRunCheck(t)
			var queries []string
			env.OnActivity(f.runs.CheckExclusive, mock.Anything, mock.Anything).Return(
				func(_ context.Context, in activities.CheckExclusiveInput) (activities.CheckExclusiveResult, error) {
					queries = append(queries, in.Query)
					return activities.CheckExclusiveResult{}, nil
				}).Maybe()
			env.OnActivity(f.excel.ParseExport, mock.Anything, mock.Anything).Return(parsed(40), nil).Once()
			env.OnActivity(f.authing.ReadAuthing, mock.Anything, mock.Anything).Return(readResult(), nil).Once()
			env.OnActivity(f.plan.PlanUpstream, mock.Anything, mock.Anything).Return(planned(plan.Counts{}, 40), nil).Once()
			saved(env, f)
			env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx", DryRun: dryRun})
			result(t, env)
			if dryRun {
				assert.Empty(t, queries)
				return
			}
			require.Len(t, queries, 1)
			assert.Contains(t, queries[0], "WecomsyncDryRun = false")
		})
	}
}

func deletePlan(env *testsuite.TestWorkflowEnvironment, f fakes) {
	env.OnActivity(f.excel.ParseExport, mock.Anything, mock.Anything).Return(parsed(100), nil).Once()
	env.OnActivity(f.authing.ReadAuthing, mock.Anything, mock.Anything).Return(readResult(), nil).Once()
	env.OnActivity(f.plan.PlanUpstream, mock.Anything, mock.Anything).
		Return(planned(plan.Counts{UsersDelete: 60}, 160, activities.Chunk{Kind: activities.ChunkDelete, Key: "d0", Count: 60}), nil).Once()
}

func TestUpstreamWaitsForApproval(t *testing.T) {
	env, f := newEnv(t)
	deletePlan(env, f) // delete-only: no custom fields or departments are written
	env.OnActivity(f.authing.ApplyUserChunk, mock.Anything, mock.Anything).Return(activities.ChunkResult{Applied: plan.Counts{UsersDelete: 60}}, nil).Once()
	saved(env, f)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryProgress)
		require.NoError(t, err)
		var p report.Progress
		require.NoError(t, v.Get(&p))
		assert.Equal(t, report.StatusAwaitingApprove, p.Status)
		assert.Len(t, p.AwaitingApproval, 2, "absolute and percentage limits")
		env.SignalWorkflow(SignalApprove, Approval{By: "admin", Reason: "reorg"})
	}, time.Hour)
	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx", Mode: plan.ModeDeleteOnly})
	rep := result(t, env)
	assert.Equal(t, report.StatusCompleted, rep.Status)
	require.NotNil(t, rep.Approval)
	assert.Equal(t, "approved", rep.Approval.Decision)
	assert.Equal(t, "admin", rep.Approval.By)
	assert.Equal(t, 60, rep.Applied.UsersDelete)
}

func TestUpstreamRejectedOrTimedOut(t *testing.T) {
	for _, tc := range []struct {
		name     string
		signal   bool
		decision string
	}{{"rejected", true, "rejected"}, {"timed out", false, "timed-out"}} {
		t.Run(tc.name, func(t *testing.T) {
			env, f := newEnv(t)
			deletePlan(env, f)
			saved(env, f)
			if tc.signal {
				env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalReject, Approval{By: "admin"}) }, time.Minute)
			}
			env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx", Mode: plan.ModeDeleteOnly, ApprovalTimeout: "2h"})
			rep := result(t, env)
			assert.Equal(t, report.StatusRejected, rep.Status)
			assert.Equal(t, tc.decision, rep.Approval.Decision)
			assert.Zero(t, rep.Applied.Writes())
		})
	}
}

func TestUpstreamBadFileFailsWithAReport(t *testing.T) {
	env, f := newEnv(t)
	env.OnActivity(f.excel.ParseExport, mock.Anything, mock.Anything).Return(activities.ParseExportResult{},
		temporal.NewNonRetryableApplicationError("demo.xlsx: sheet 成员列表: no header row", activities.ErrTypeBadInput, nil)).Once()
	env.OnActivity(f.authing.ReadAuthing, mock.Anything, mock.Anything).Return(readResult(), nil).Once()
	saved(env, f)
	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx"})
	err := env.GetWorkflowError()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no header row")
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr))
	assert.Equal(t, activities.ErrTypeBadInput, appErr.Type())
	var rep report.Report
	require.NoError(t, appErr.Details(&rep))
	assert.Equal(t, report.StatusFailed, rep.Status)
	assert.Contains(t, rep.Error, "no header row")
}

func TestUpstreamCircuitBreaker(t *testing.T) {
	env, f := newEnv(t)
	var chunks []activities.Chunk
	for i := range 10 {
		chunks = append(chunks, activities.Chunk{Kind: activities.ChunkCreate, Key: fmt.Sprintf("c%d", i), Count: 100})
	}
	env.OnActivity(f.excel.ParseExport, mock.Anything, mock.Anything).Return(parsed(1000), nil).Once()
	env.OnActivity(f.authing.ReadAuthing, mock.Anything, mock.Anything).Return(readResult(), nil).Once()
	env.OnActivity(f.plan.PlanUpstream, mock.Anything, mock.Anything).Return(planned(plan.Counts{UsersCreate: 1000}, 0, chunks...), nil).Once()
	env.OnActivity(f.authing.EnsureCustomFields, mock.Anything, mock.Anything).Return(activities.EnsureCustomFieldsResult{}, nil).Once()
	env.OnActivity(f.authing.ApplyDepartments, mock.Anything, mock.Anything).Return(activities.ApplyDepartmentsResult{DepartmentMap: "m"}, nil).Once()
	calls := 0
	env.OnActivity(f.authing.ApplyUserChunk, mock.Anything, mock.Anything).Return(
		func(_ context.Context, _ activities.ApplyUserChunkInput) (activities.ChunkResult, error) {
			calls++
			return activities.ChunkResult{Applied: plan.Counts{UsersCreate: 10}, Failed: plan.Counts{UsersCreate: 90}}, nil
		})
	saved(env, f)
	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx", Concurrency: 1})
	err := env.GetWorkflowError()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "circuit breaker")
	assert.Equal(t, 1, calls, "no chunk is started once the breaker is open")
}

func TestUpstreamValidatesInput(t *testing.T) {
	for _, tc := range []struct {
		in   UpstreamInput
		want string
	}{
		{UpstreamInput{}, `"file" is required`},
		{UpstreamInput{File: "f", Mode: "both"}, `mode "both"`},
		{UpstreamInput{File: "f", DeleteAction: "shred"}, `deleteAction "shred"`},
		{UpstreamInput{File: "f", IgnoreFields: []string{"password"}}, `"password" is not a synced field`},
		{UpstreamInput{File: "f", StartRow: 5, EndRow: ptr(2)}, "startRow 5 / endRow 2"},
		{UpstreamInput{File: "f", ApprovalTimeout: "soon"}, `approvalTimeout "soon"`},
	} {
		env, _ := newEnv(t)
		env.ExecuteWorkflow(UpstreamSync, tc.in)
		err := env.GetWorkflowError()
		require.Error(t, err)
		assert.Contains(t, err.Error(), tc.want)
	}
}

func ptr[T any](v T) *T { return &v }

// An approve sent before the run asked for one must not approve the plan it later computes.
func TestUpstreamIgnoresEarlyApproval(t *testing.T) {
	env, f := newEnv(t)
	env.OnActivity(f.excel.ParseExport, mock.Anything, mock.Anything).Return(parsed(100), nil).After(time.Hour).Once()
	env.OnActivity(f.authing.ReadAuthing, mock.Anything, mock.Anything).Return(readResult(), nil).Once()
	env.OnActivity(f.plan.PlanUpstream, mock.Anything, mock.Anything).
		Return(planned(plan.Counts{UsersDelete: 60}, 160, activities.Chunk{Kind: activities.ChunkDelete, Key: "d0", Count: 60}), nil).Once()
	saved(env, f)
	// Sent while the file is still being parsed, long before there is a plan to approve.
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalApprove, Approval{By: "eager"}) }, time.Minute)
	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx", Mode: plan.ModeDeleteOnly, ApprovalTimeout: "1h"})
	rep := result(t, env)
	assert.Equal(t, report.StatusRejected, rep.Status)
	assert.Equal(t, "timed-out", rep.Approval.Decision)
	assert.Contains(t, rep.Warnings, `ignored the approve signal from "eager" sent before the run asked for approval`)
}

func TestUpstreamCanceledWhileWaiting(t *testing.T) {
	env, f := newEnv(t)
	deletePlan(env, f)
	saved(env, f)
	env.RegisterDelayedCallback(env.CancelWorkflow, time.Minute)
	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx", Mode: plan.ModeDeleteOnly})
	err := env.GetWorkflowError()
	require.Error(t, err)
	var canceled *temporal.CanceledError
	require.True(t, errors.As(err, &canceled), err)
	var rep report.Report
	require.NoError(t, canceled.Details(&rep))
	assert.Equal(t, report.StatusCanceled, rep.Status)
	assert.Equal(t, "canceled", rep.Approval.Decision)
}

// A chunk that fails after writing part of its users still counts what it wrote.
func TestUpstreamCountsWritesOfAFailedChunk(t *testing.T) {
	env, f := newEnv(t)
	env.OnActivity(f.excel.ParseExport, mock.Anything, mock.Anything).Return(parsed(100), nil).Once()
	env.OnActivity(f.authing.ReadAuthing, mock.Anything, mock.Anything).Return(readResult(), nil).Once()
	env.OnActivity(f.plan.PlanUpstream, mock.Anything, mock.Anything).
		Return(planned(plan.Counts{UsersCreate: 100}, 0, activities.Chunk{Kind: activities.ChunkCreate, Key: "c0", Count: 100}), nil).Once()
	env.OnActivity(f.authing.EnsureCustomFields, mock.Anything, mock.Anything).Return(activities.EnsureCustomFieldsResult{}, nil).Once()
	env.OnActivity(f.authing.ApplyDepartments, mock.Anything, mock.Anything).Return(activities.ApplyDepartmentsResult{DepartmentMap: "m"}, nil).Once()
	partial := activities.ChunkResult{Applied: plan.Counts{UsersCreate: 50}}
	env.OnActivity(f.authing.ApplyUserChunk, mock.Anything, mock.Anything).Return(activities.ChunkResult{},
		temporal.NewApplicationErrorWithOptions("create users: 403 forbidden", activities.ErrTypeRun,
			temporal.ApplicationErrorOptions{NonRetryable: true, Details: []any{partial}})).Once()
	saved(env, f)
	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx"})
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(env.GetWorkflowError(), &appErr))
	var rep report.Report
	require.NoError(t, appErr.Details(&rep))
	assert.Equal(t, report.StatusFailed, rep.Status)
	assert.Equal(t, 50, rep.Applied.UsersCreate)
}

func TestUpstreamDryRunSaysApprovalWouldBeNeeded(t *testing.T) {
	env, f := newEnv(t)
	deletePlan(env, f)
	saved(env, f)
	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx", Mode: plan.ModeDeleteOnly, DryRun: true, StartRow: 3})
	rep := result(t, env)
	require.NotNil(t, rep.Approval)
	assert.Equal(t, "would be needed", rep.Approval.Decision)
	assert.Len(t, rep.Approval.Reasons, 3, "absolute, percentage and the row range")
	assert.Contains(t, rep.Approval.Reasons[2], "read in part (sheet \"\", rows 3 to -1)")
}

// A signal whose input does not decode must not block the wait: the timeout still rejects.
func TestUpstreamBadSignalInputDoesNotStarveTheTimeout(t *testing.T) {
	env, f := newEnv(t)
	deletePlan(env, f)
	saved(env, f)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalApprove, "yes") }, time.Minute)
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalApprove, Approval{By: "late"}) }, 48*time.Hour)
	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "f.xlsx", Mode: plan.ModeDeleteOnly, ApprovalTimeout: "1h"})
	rep := result(t, env)
	assert.Equal(t, report.StatusRejected, rep.Status)
	assert.Equal(t, "timed-out", rep.Approval.Decision)
	assert.Contains(t, strings.Join(rep.Warnings, "\n"), "ignored a signal whose input is not")
}

// A run started while another run of its connection is open fails at once, reading and writing
// nothing, and says which run is open.
func TestUpstreamGivesWayToAnOpenRunOfItsConnection(t *testing.T) {
	env, f := newEnvWithoutRunCheck(t)
	env.OnActivity(f.runs.CheckExclusive, mock.Anything, mock.MatchedBy(func(in activities.CheckExclusiveInput) bool {
		return strings.Contains(in.Query, "WorkflowType = 'UpstreamSync'") && strings.Contains(in.Query, "WecomsyncConnection = 'default'")
	})).Return(activities.CheckExclusiveResult{}, temporal.NewNonRetryableApplicationError(
		`another upstream run of connection "default" is open: upstream-default`, activities.ErrTypeBusy, nil)).Once()
	saved(env, f)
	env.ExecuteWorkflow(UpstreamSync, UpstreamInput{File: "uploads/abc/demo.xlsx"})
	require.True(t, env.IsWorkflowCompleted())
	err := env.GetWorkflowError()
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	assert.Equal(t, activities.ErrTypeBusy, appErr.Type())
	assert.Contains(t, appErr.Message(), "another upstream run")
	assert.NotContains(t, appErr.Message(), "retryable", "one sentence, not the error chain")
}
