package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// downstreamEnv is a test environment with every activity a downstream run calls registered and
// the reads mocked.
func downstreamEnv(t *testing.T, planned activities.PlanDownstreamResult) (*testsuite.TestWorkflowEnvironment, fakes, *activities.WeComActivities) {
	env, f := newEnv(t)
	w := &activities.WeComActivities{}
	env.RegisterActivity(w)
	env.OnActivity(f.authing.ReadAuthingSource, mock.Anything, mock.MatchedBy(func(in activities.ReadAuthingSourceInput) bool {
		return in.Connection == "default" && in.UserIDField == "username"
	})).Return(activities.ReadAuthingSourceResult{OrganizationCode: "xinghe", Members: 3, Departments: 2,
		Tree: claimcheck.Ref{Key: "t"}, Users: claimcheck.Ref{Key: "u"}}, nil).Once()
	env.OnActivity(w.ReadWeCom, mock.Anything, mock.Anything).Return(activities.ReadWeComResult{Mode: "selfbuilt", DetailsReadable: true,
		Departments: claimcheck.Ref{Key: "d"}, Users: claimcheck.Ref{Key: "wu"}}, nil).Once()
	env.OnActivity(f.plan.PlanDownstream, mock.Anything, mock.MatchedBy(func(in activities.PlanDownstreamInput) bool {
		return in.Options.UpdateMode == plan.UpdateChanged && in.Options.DeleteMode == plan.DeleteNone && in.Options.RootID == 1 &&
			in.SnapshotKey == "state/downstream/default/xinghe/snapshot.json"
	})).Return(planned, nil).Once()
	return env, f, w
}

func chunks(kind activities.ChunkKind, n int) []activities.Chunk {
	var out []activities.Chunk
	for i := range n {
		out = append(out, activities.Chunk{Kind: kind, Key: string(kind) + string(rune('0'+i)), Count: 10})
	}
	return out
}

// A downstream run applies its steps in order — departments, member creates, updates, removals,
// department deletes, write-backs — each after the one before, and keeps the snapshot for the next.
func TestDownstreamAppliesItsStepsInOrder(t *testing.T) {
	planned := activities.PlanDownstreamResult{
		Counts:       plan.Counts{DepartmentsCreate: 2, UsersCreate: 20, UsersUpdate: 10, UsersDelete: 1, DepartmentsDelete: 1, UsersWriteBack: 20},
		UsersInScope: 100, DepartmentsInScope: 20, Departments: claimcheck.Ref{Key: "deps"}, DepartmentDeletes: claimcheck.Ref{Key: "deldeps"},
		UserCreates: chunks(activities.ChunkWeComCreate, 2), UserUpdates: chunks(activities.ChunkWeComUpdate, 1),
		Removals: chunks(activities.ChunkWeComRemove, 1), WriteBacks: chunks(activities.ChunkWriteBack, 1), NextSnapshot: "next",
	}
	env, f, w := downstreamEnv(t, planned)
	// Chunks of one step run side by side on the test environment's goroutines.
	var mu sync.Mutex
	var order []string
	record := func(step string) {
		mu.Lock()
		defer mu.Unlock()
		order = append(order, step)
	}
	departments := func(name string, applied plan.Counts) func(context.Context, activities.ApplyWeComDepartmentsInput) (activities.ChunkResult, error) {
		return func(context.Context, activities.ApplyWeComDepartmentsInput) (activities.ChunkResult, error) {
			record(name)
			return activities.ChunkResult{Applied: applied}, nil
		}
	}
	env.OnActivity(w.ApplyWeComDepartments, mock.Anything, mock.Anything).Return(departments("departments", plan.Counts{DepartmentsCreate: 2})).Once()
	env.OnActivity(w.ApplyWeComChunk, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.ApplyWeComChunkInput) (activities.ChunkResult, error) {
		record(string(in.Chunk.Kind))
		c := plan.Counts{}
		switch in.Chunk.Kind {
		case activities.ChunkWeComCreate:
			c.UsersCreate = 10
		case activities.ChunkWeComUpdate:
			c.UsersUpdate = 10
		case activities.ChunkWeComRemove:
			c.UsersDelete = 1
		}
		return activities.ChunkResult{Applied: c}, nil
	}).Times(4)
	env.OnActivity(w.ApplyWeComDepartmentDeletes, mock.Anything, mock.Anything).Return(departments("department deletes", plan.Counts{DepartmentsDelete: 1})).Once()
	env.OnActivity(f.authing.ApplyWriteBackChunk, mock.Anything, mock.Anything).Return(func(context.Context, activities.ApplyWriteBackChunkInput) (activities.ChunkResult, error) {
		record("write-backs")
		return activities.ChunkResult{Applied: plan.Counts{UsersWriteBack: 20}}, nil
	}).Once()
	env.OnActivity(f.report.SaveReport, mock.Anything, mock.MatchedBy(func(in activities.SaveReportInput) bool {
		return in.StateKey == "state/downstream/default/xinghe/snapshot.json" && in.NextSnapshot == "next"
	})).Return(activities.SaveReportResult{Key: "r"}, nil).Once()
	env.ExecuteWorkflow(DownstreamSync, DownstreamInput{})
	rep := result(t, env)
	assert.Equal(t, report.StatusCompleted, rep.Status)
	assert.Equal(t, planned.Counts, rep.Applied)
	assert.Equal(t, []string{"departments", "wecom-create", "wecom-create", "wecom-update", "wecom-remove", "department deletes", "write-backs"}, order)
	require.NotNil(t, rep.Downstream)
	assert.Equal(t, 100, rep.Downstream.WeComUsers)
}

// A dry run plans and writes nothing; deletes above the threshold wait for a decision, and a
// rejection writes nothing either.
func TestDownstreamDryRunAndApproval(t *testing.T) {
	planned := activities.PlanDownstreamResult{Counts: plan.Counts{UsersDelete: 60}, UsersInScope: 100,
		Removals: chunks(activities.ChunkWeComRemove, 1), NextSnapshot: "next"}
	env, f, _ := downstreamEnv(t, planned)
	env.OnActivity(f.report.SaveReport, mock.Anything, mock.MatchedBy(func(in activities.SaveReportInput) bool {
		return in.StateKey == "" // nothing applied: the snapshot stays as it was
	})).Return(activities.SaveReportResult{Key: "r"}, nil).Once()
	env.ExecuteWorkflow(DownstreamSync, DownstreamInput{DryRun: true})
	rep := result(t, env)
	assert.Equal(t, report.StatusDryRun, rep.Status)
	require.NotNil(t, rep.Approval)
	assert.Len(t, rep.Approval.Reasons, 2, "absolute and percentage")

	env, f, _ = downstreamEnv(t, planned)
	env.OnActivity(f.report.SaveReport, mock.Anything, mock.Anything).Return(activities.SaveReportResult{Key: "r"}, nil).Once()
	env.RegisterDelayedCallback(func() {
		env.SignalWorkflow(SignalReject, Approval{By: "admin"})
	}, time.Hour)
	env.ExecuteWorkflow(DownstreamSync, DownstreamInput{})
	rep = result(t, env)
	assert.Equal(t, report.StatusRejected, rep.Status)
	assert.Zero(t, rep.Applied.Writes())
}

func TestDownstreamValidatesInput(t *testing.T) {
	for _, in := range []DownstreamInput{{UpdateMode: "sometimes"}, {DeleteMode: "shred"}, {UserIDField: "shoeSize"}, {IgnoreFields: []string{"salary"}}} {
		env, _ := newEnv(t)
		env.ExecuteWorkflow(DownstreamSync, in)
		require.True(t, env.IsWorkflowCompleted())
		assert.ErrorContains(t, env.GetWorkflowError(), "BadInput", "%+v", in)
	}
}
