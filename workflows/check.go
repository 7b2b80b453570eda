package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wecomsync/wecomsync/activities"
)

// CheckConnectionsWorkflowName is the registered name of CheckConnections.
const CheckConnectionsWorkflowName = "CheckConnections"

var checkActs *activities.CheckActivities

// CheckConnections tests the worker's connections (the product's 测试连接): the credentials never
// leave the worker, only ok or the error text comes back.
func CheckConnections(ctx workflow.Context, in activities.CheckConnectionsInput) (activities.CheckConnectionsResult, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 2 * time.Minute,
		RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 2},
		Summary:             "test connections",
	})
	var res activities.CheckConnectionsResult
	err := workflow.ExecuteActivity(ctx, checkActs.TestConnections, in).Get(ctx, &res)
	return res, err
}
