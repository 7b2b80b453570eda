package activities

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// A plan reads its inputs side by side; a rerun that leaves the snapshot as it was points at the
// last run's snapshot instead of storing the same again, and SaveReport then keeps it as it is.
func TestPlanDownstreamKeepsAnUnchangedSnapshot(t *testing.T) {
	ctx := context.Background()
	store, err := claimcheck.Open(ctx, "mem://")
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	put := func(key string, v any) {
		_, err := store.PutJSON(ctx, key, v)
		require.NoError(t, err)
	}
	put("runs/t/authing/source-tree.json", SourceTree{RootID: "r", Departments: []plan.SourceDepartment{{ID: "d1", ParentID: "r", Name: "研发中心", WeComID: "2", WeComParentID: "1"}}})
	want := directory.User{Name: "张三", Mobile: "+86 13800000001", Status: directory.StatusEnabled}
	source := want
	source.Departments = []string{"d1"}
	_, err = writeLines(ctx, store, "runs/t/authing/source-users.jsonl", []plan.SourceUser{
		{AuthingID: "a1", UserID: "zhangsan", NewUserID: "zhangsan", User: source, WeComDepartmentIDs: "2"}})
	require.NoError(t, err)
	put("runs/t/wecom/departments.json", []plan.TargetDepartment{{ID: 1, Name: "星河科技"}, {ID: 2, ParentID: 1, Name: "研发中心"}})
	member := want
	member.UserID = "zhangsan"
	_, err = writeLines(ctx, store, "runs/t/wecom/users.jsonl", []plan.TargetUser{
		{UserID: "zhangsan", Departments: []int{2}, MainKnown: true, User: member, Readable: directory.Fields()}})
	require.NoError(t, err)

	acts := &PlanActivities{Store: store, Log: zap.NewNop()}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	planDownstream := func() PlanDownstreamResult {
		val, err := env.ExecuteActivity(acts.PlanDownstream, PlanDownstreamInput{SourceTree: "runs/t/authing/source-tree.json",
			SourceUsers: "runs/t/authing/source-users.jsonl", TargetDepts: "runs/t/wecom/departments.json", TargetUsers: "runs/t/wecom/users.jsonl",
			SnapshotKey: snapshotKey, Options: plan.DownstreamOptions{UpdateMode: plan.UpdateChanged, DeleteMode: plan.DeleteNone, RootID: 1},
			Prefix: "runs/t/"})
		require.NoError(t, err)
		var res PlanDownstreamResult
		require.NoError(t, val.Get(&res))
		assert.Zero(t, res.Counts.Writes(), "%+v", res.Counts)
		return res
	}

	first := planDownstream() // no snapshot yet: the one WeCom holds is stored
	assert.Equal(t, "runs/t/plan/snapshot-next.json", first.NextSnapshot)
	var next plan.Snapshot
	require.NoError(t, store.GetJSON(ctx, first.NextSnapshot, &next))
	assert.Equal(t, plan.SnapshotUser{User: member, Departments: []int{2}}, next.Users["zhangsan"])
	require.NoError(t, store.Copy(ctx, snapshotKey, first.NextSnapshot))

	rerun := planDownstream()
	assert.Equal(t, snapshotKey, rerun.NextSnapshot)
}

// A plan that left the snapshot as it was names it as the next one: it stays as it is, failures or
// not (they have nothing else to restore), and is not copied onto itself (S3 refuses that).
func TestSaveSnapshotOfAnUnchangedPlan(t *testing.T) {
	for _, failed := range []bool{false, true} {
		ctx := context.Background()
		store, err := claimcheck.Open(ctx, "mem://")
		require.NoError(t, err)
		ref, err := store.PutJSON(ctx, snapshotKey, oldSnapshot)
		require.NoError(t, err)
		if failed {
			_, err = writeLines(ctx, store, "runs/t/failures/wecom-update-0000.jsonl", []report.Failure{
				{Object: plan.ObjectUser, Key: "zhangsan", Action: plan.ActionUpdate, Message: "60111"}})
			require.NoError(t, err)
		}
		acts := &ReportActivities{Store: store, Log: zap.NewNop()}
		var s testsuite.WorkflowTestSuite
		env := s.NewTestActivityEnvironment()
		env.RegisterActivity(acts)
		_, err = env.ExecuteActivity(acts.SaveReport, SaveReportInput{Prefix: "runs/t/", StateKey: snapshotKey, NextSnapshot: snapshotKey})
		require.NoError(t, err)
		r, err := store.Open(ctx, snapshotKey)
		require.NoError(t, err)
		saved, err := io.ReadAll(r)
		require.NoError(t, r.Close())
		require.NoError(t, err)
		assert.Equal(t, ref.SHA256, fmt.Sprintf("%x", sha256.Sum256(saved)), "failed=%v", failed)
		require.NoError(t, store.Close())
	}
}
