package workflows

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/wecomsync/wecomsync/activities"
)

// Activity options. Every activity heartbeats, so a dead worker is noticed within HeartbeatTimeout
// and the activity resumes elsewhere from its last heartbeat. Retries are capped; bad input and
// run-level errors are never retried.
var (
	nonRetryable = []string{activities.ErrTypeBadInput, activities.ErrTypeRun}

	readOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		HeartbeatTimeout:    time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			MaximumAttempts: 5, NonRetryableErrorTypes: nonRetryable,
		},
	}
	applyOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Minute,
		// Apply activities heartbeat every 2 s whatever their calls take, so this only has to
		// notice a dead worker.
		HeartbeatTimeout: 30 * time.Second,
		// A canceled run waits for its chunks to stop, so the report counts what they wrote.
		WaitForCancellation: true,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
			MaximumAttempts: 10, NonRetryableErrorTypes: nonRetryable,
		},
	}
	reportOptions = workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		RetryPolicy: &temporal.RetryPolicy{
			InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: 30 * time.Second,
			MaximumAttempts: 5, NonRetryableErrorTypes: nonRetryable,
		},
	}
)

// withOptions sets the activity options and the summary shown for the step in the Temporal UI.
func withOptions(ctx workflow.Context, o workflow.ActivityOptions, summary string) workflow.Context {
	o.Summary = summary
	return workflow.WithActivityOptions(ctx, o)
}
