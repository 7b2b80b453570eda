package workflows

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// TestReplayRecordedHistories replays every history recorded from a real server
// (testdata/histories, written by the integration tests with UPDATE_HISTORIES=1) against the
// current workflow code: a change that would break running workflows fails here.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob("../testdata/histories/*.json")
	require.NoError(t, err)
	require.NotEmpty(t, files, "no recorded histories: run UPDATE_HISTORIES=1 go test ./integration/")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			r := worker.NewWorkflowReplayer()
			r.RegisterWorkflowWithOptions(UpstreamSync, workflow.RegisterOptions{Name: UpstreamWorkflowName})
			r.RegisterWorkflowWithOptions(DownstreamSync, workflow.RegisterOptions{Name: DownstreamWorkflowName})
			r.RegisterWorkflowWithOptions(CheckConnections, workflow.RegisterOptions{Name: CheckConnectionsWorkflowName})
			require.NoError(t, r.ReplayWorkflowHistoryFromJSONFile(nil, f))
		})
	}
}
