package activities

import (
	"context"
	"encoding/json"
	"io"
	"strings"
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

const (
	snapshotKey = "state/downstream/default/xinghe/snapshot.json"
	nextKey     = "runs/t/plan/snapshot-next.json"
)

// saveDownstreamReport runs SaveReport for a downstream run whose planned snapshot is next (stored
// as these bytes) and whose failures are these records; it returns the snapshot saved.
func saveDownstreamReport(t *testing.T, old *plan.Snapshot, next string, failures ...report.Failure) []byte {
	t.Helper()
	ctx := context.Background()
	store, err := claimcheck.Open(ctx, "mem://")
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	if old != nil {
		_, err := store.PutJSON(ctx, snapshotKey, old)
		require.NoError(t, err)
	}
	_, err = store.Put(ctx, nextKey, strings.NewReader(next))
	require.NoError(t, err)
	if len(failures) > 0 {
		_, err := writeLines(ctx, store, "runs/t/failures/wecom-update-0000.jsonl", failures)
		require.NoError(t, err)
	}
	acts := &ReportActivities{Store: store, Log: zap.NewNop()}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	_, err = env.ExecuteActivity(acts.SaveReport, SaveReportInput{Prefix: "runs/t/", Report: report.Report{Direction: "downstream", Status: "completed"},
		StateKey: snapshotKey, NextSnapshot: nextKey})
	require.NoError(t, err)
	r, err := store.Open(ctx, snapshotKey)
	require.NoError(t, err)
	defer r.Close()
	saved, err := io.ReadAll(r)
	require.NoError(t, err)
	return saved
}

var oldSnapshot = plan.Snapshot{
	Users: map[string]plan.SnapshotUser{
		"zhangsan": {User: directory.User{UserID: "ZhangSan", Name: "张三"}, Departments: []int{2}},
		"lisi":     {User: directory.User{UserID: "lisi", Name: "李四"}, Departments: []int{2}},
	},
	Departments: map[int]string{2: "研发中心", 3: "销售部"},
}

// The planned snapshot of a run without failed WeCom writes becomes the next run's as it is, byte
// for byte (it is not decoded again); a failed write-back into Authing leaves WeCom as planned.
func TestSaveSnapshotWithoutFailuresCopiesThePlannedOne(t *testing.T) {
	next := "{\n  \"users\": {\"zhangsan\": {\"user\": {\"userId\": \"ZhangSan\", \"name\": \"张三丰\"}, \"departments\": [3]}},\n  \"departments\": {\"3\": \"销售部\"}\n}\n"
	for name, failures := range map[string][]report.Failure{
		"no failures":         nil,
		"a failed write-back": {{Object: plan.ObjectUser, Key: "ZhangSan", Action: plan.ActionWriteBack, Message: "Authing refused"}},
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, next, string(saveDownstreamReport(t, &oldSnapshot, next, failures...)))
		})
	}
}

// A user or department whose WeCom write failed keeps the last run's entry (or none, when it had
// none), so that the next run tries the change again; everything else is as planned.
func TestSaveSnapshotKeepsTheOldEntriesOfFailedWrites(t *testing.T) {
	next := plan.Snapshot{
		Users: map[string]plan.SnapshotUser{
			"zhangsan": {User: directory.User{UserID: "ZhangSan", Name: "张三丰"}, Departments: []int{3}},
			"lisi":     {User: directory.User{UserID: "lisi", Name: "李四四"}, Departments: []int{2}},
			"wangwu":   {User: directory.User{UserID: "wangwu", Name: "王五"}, Departments: []int{4}},
		},
		Departments: map[int]string{2: "研发部", 3: "销售部", 4: "市场部"},
	}
	raw, err := json.Marshal(next)
	require.NoError(t, err)
	saved := saveDownstreamReport(t, &oldSnapshot, string(raw),
		report.Failure{Object: plan.ObjectUser, Key: "zhangsan", Action: plan.ActionUpdate, Message: "60111"},
		report.Failure{Object: plan.ObjectUser, Key: "wangwu", Action: plan.ActionCreate, Message: "60102"},
		report.Failure{Object: plan.ObjectDepartment, Key: "研发部", ID: "2", Action: plan.ActionUpdate, Message: "60008"},
		report.Failure{Object: plan.ObjectUser, Key: "lisi", Action: plan.ActionWriteBack, Message: "Authing refused"})
	var got plan.Snapshot
	require.NoError(t, json.Unmarshal(saved, &got))
	assert.Equal(t, plan.Snapshot{
		Users: map[string]plan.SnapshotUser{
			"zhangsan": oldSnapshot.Users["zhangsan"], // failed update: the old entry
			"lisi":     next.Users["lisi"],            // only its write-back failed
		},
		Departments: map[int]string{2: "研发中心", 3: "销售部", 4: "市场部"},
	}, got)
}
