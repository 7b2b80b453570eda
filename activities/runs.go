package activities

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
)

// ErrTypeBusy: another run of the same direction and connection is open; this one does not start.
const ErrTypeBusy = "Busy"

// RunActivities ask Temporal about other runs.
type RunActivities struct {
	Client client.Client
}

// CheckExclusiveInput names this run and the visibility query that finds the open runs it must
// not overlap (same direction, same connection).
type CheckExclusiveInput struct {
	Query      string    `json:"query"`
	RunID      string    `json:"runId"`
	StartedAt  time.Time `json:"startedAt"`
	Direction  string    `json:"direction"`
	Connection string    `json:"connection"`
}

// CheckExclusiveResult is empty: a conflict is the activity's (non-retryable) error.
type CheckExclusiveResult struct{}

// CheckExclusive fails when another run of the same direction and connection, started before
// this one, is still open — whoever started it (the starter, a schedule, the Temporal UI): two
// runs writing the same directory at once would undo each other's work. The later run gives way.
func (a *RunActivities) CheckExclusive(ctx context.Context, in CheckExclusiveInput) (CheckExclusiveResult, error) {
	var res CheckExclusiveResult
	resp, err := a.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: in.Query, PageSize: 100})
	if err != nil {
		return res, fmt.Errorf("list the open %s runs: %w", in.Direction, err)
	}
	for _, e := range resp.GetExecutions() {
		other := e.GetExecution()
		if other.GetRunId() == in.RunID {
			continue
		}
		started := e.GetStartTime().AsTime()
		if started.Before(in.StartedAt) || started.Equal(in.StartedAt) && other.GetRunId() < in.RunID {
			return res, temporal.NewNonRetryableApplicationError(fmt.Sprintf(
				"another %s run of connection %q is open: %s (run %s, started %s); wait for it to end (approve, reject or cancel it if it waits), then start this one again",
				in.Direction, in.Connection, other.GetWorkflowId(), other.GetRunId(), started.Format(time.RFC3339)), ErrTypeBusy, nil)
		}
	}
	return res, nil
}
