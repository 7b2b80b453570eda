package activities

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/plan"
)

// BenchmarkPlanDownstreamNoop plans a rerun at 100,000 users in 2,000 departments that has
// nothing to write: the step between the reads and the end of a no-op run (make bench measures
// the whole run; this isolates the plan for profiling).
func BenchmarkPlanDownstreamNoop(b *testing.B) {
	const users, departments = 100_000, 2_000
	ctx := context.Background()
	store, err := claimcheck.Open(ctx, "file://"+b.TempDir()+"?create_dir=true")
	require.NoError(b, err)
	b.Cleanup(func() { _ = store.Close() })

	tree := SourceTree{RootID: "r"}
	targetDepts := []plan.TargetDepartment{{ID: 1, Name: "星河科技"}}
	for d := 2; d < departments+2; d++ {
		parent := "r"
		if d > 2 {
			parent = "d" + strconv.Itoa(2+(d-3)/10)
		}
		wecomParent := 1
		if parent != "r" {
			wecomParent, _ = strconv.Atoi(parent[1:])
		}
		tree.Departments = append(tree.Departments, plan.SourceDepartment{ID: "d" + strconv.Itoa(d), ParentID: parent,
			Name: fmt.Sprintf("部门%d", d), WeComID: strconv.Itoa(d), WeComParentID: strconv.Itoa(wecomParent)})
		targetDepts = append(targetDepts, plan.TargetDepartment{ID: d, ParentID: wecomParent, Name: fmt.Sprintf("部门%d", d)})
	}
	source := make([]plan.SourceUser, users)
	target := make([]plan.TargetUser, users)
	snapshot := plan.Snapshot{Users: map[string]plan.SnapshotUser{}, Departments: map[int]string{}}
	for i := range users {
		dep := 2 + i%departments
		u := directory.User{UserID: fmt.Sprintf("user%06d", i), Name: fmt.Sprintf("成员%d", i), Mobile: fmt.Sprintf("+86 138%08d", i),
			Email: fmt.Sprintf("user%d@example.com", i), Gender: "1", Position: "工程师", Status: directory.StatusEnabled}
		s := u
		s.Departments = []string{"d" + strconv.Itoa(dep)}
		source[i] = plan.SourceUser{AuthingID: fmt.Sprintf("a%d", i), UserID: u.UserID, NewUserID: u.UserID, User: s, WeComDepartmentIDs: strconv.Itoa(dep)}
		t := u
		t.Departments = []string{strconv.Itoa(dep)}
		target[i] = plan.TargetUser{UserID: u.UserID, Departments: []int{dep}, MainKnown: true, User: t, Readable: directory.Fields()}
		snapshot.Users[u.UserID] = plan.SnapshotUser{User: t, Departments: []int{dep}}
	}
	for _, d := range targetDepts {
		snapshot.Departments[d.ID] = d.Name
	}
	_, err = store.PutJSON(ctx, "t/tree.json", tree)
	require.NoError(b, err)
	_, err = writeLines(ctx, store, "t/source.jsonl", source)
	require.NoError(b, err)
	_, err = store.PutJSON(ctx, "t/depts.json", targetDepts)
	require.NoError(b, err)
	_, err = writeLines(ctx, store, "t/target.jsonl", target)
	require.NoError(b, err)
	_, err = store.PutJSON(ctx, "t/snapshot.json", snapshot)
	require.NoError(b, err)
	source, target, snapshot = nil, nil, plan.Snapshot{}

	acts := &PlanActivities{Store: store, Log: zap.NewNop()}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	b.ResetTimer()
	for range b.N {
		val, err := env.ExecuteActivity(acts.PlanDownstream, PlanDownstreamInput{SourceTree: "t/tree.json", SourceUsers: "t/source.jsonl",
			TargetDepts: "t/depts.json", TargetUsers: "t/target.jsonl", SnapshotKey: "t/snapshot.json",
			Options: plan.DownstreamOptions{UpdateMode: plan.UpdateChanged, DeleteMode: plan.DeleteNone, RootID: 1}, Prefix: "t/"})
		require.NoError(b, err)
		var res PlanDownstreamResult
		require.NoError(b, val.Get(&res))
		if res.Counts.Writes() != 0 {
			b.Fatalf("a no-op plan writes %+v", res.Counts)
		}
	}
}
