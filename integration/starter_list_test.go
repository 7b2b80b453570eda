package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/wecomsync/wecomsync/internal/app"
	"github.com/wecomsync/wecomsync/workflows"
)

// registerSearchAttributes registers the runs' search attributes on the dev server's namespace
// unless it has them already (TestMain does too; this keeps the test whole on its own), and
// waits until visibility queries on them work: `starter list` filters on them.
func registerSearchAttributes(t *testing.T, c client.Client) {
	t.Helper()
	ctx := context.Background()
	require.NoError(t, app.EnsureSearchAttributes(ctx, c, "default"))
	waitFor(t, func() bool {
		_, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: "default",
			Query: "WecomsyncOutcome = 'completed' AND WecomsyncConnection = 'x' AND WecomsyncWrites >= 0 AND WecomsyncDryRun = false"})
		return err == nil
	})
}

// listed is what `starter list --json` prints of a run.
type listed struct {
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
	Direction  string `json:"direction"`
	Mode       string `json:"mode"`
	Connection string `json:"connection"`
	Outcome    string `json:"outcome"`
	Status     string `json:"status"`
	Writes     *int64 `json:"writes"`
	Failures   *int64 `json:"failures"`
}

// TestStarterList lists runs of both kinds by their search attributes: a sync, a dry run, a run
// that failed, and a run without attributes (started where no worker runs it, as a run from
// before the attributes would look).
func TestStarterList(t *testing.T) {
	s := newStack(t, true)
	registerSearchAttributes(t, s.client)
	since := time.Now().Add(-time.Second).UTC().Format(time.RFC3339)
	file := s.writeExport("list.xlsx", members(member("甲", "l1", "星河科技/研发中心"), member("乙", "l2", "星河科技/研发中心")))

	_, stderr, code := s.starter("upstream", "--file", file, "--wait", "--id", "list-sync")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = s.starter("upstream", "--file", file, "--dry-run", "--wait", "--id", "list-dry")
	require.Equal(t, 0, code, stderr)
	_, stderr, code = s.starter("upstream", "--file", file, "--connection", "list-nowhere", "--wait", "--id", "list-bad")
	require.Equal(t, 3, code, "no such connection: %s", stderr)
	old, err := s.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: "list-old", TaskQueue: s.taskQueue + "-no-worker"}, workflows.UpstreamWorkflowName, workflows.UpstreamInput{File: file})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.client.TerminateWorkflow(context.Background(), "list-old", old.GetRunID(), "test over") })

	list := func(args ...string) []listed {
		t.Helper()
		out, stderr, code := s.starter(append([]string{"list", "--since", since, "--json"}, args...)...)
		require.Equal(t, 0, code, stderr)
		var runs []listed
		require.NoError(t, json.Unmarshal([]byte(out), &runs), out)
		return runs
	}
	ids := func(runs []listed) []string {
		var out []string
		for _, r := range runs {
			if strings.HasPrefix(r.WorkflowID, "list-") {
				out = append(out, r.WorkflowID)
			}
		}
		return out
	}
	var all []listed
	byID := map[string]listed{}
	waitFor(t, func() bool { // visibility is eventually consistent
		all = list()
		for _, r := range all {
			byID[r.WorkflowID] = r
		}
		for _, id := range []string{"list-sync", "list-dry", "list-bad"} {
			if o := byID[id].Outcome; o == "" || o == "running" {
				return false
			}
		}
		return len(ids(all)) == 4
	})
	assert.Equal(t, []string{"list-old", "list-bad", "list-dry", "list-sync"}, ids(all), "newest first")
	sync := byID["list-sync"]
	assert.Equal(t, "upstream", sync.Direction)
	assert.Equal(t, "create-update", sync.Mode)
	assert.Equal(t, "default", sync.Connection)
	assert.Equal(t, "completed", sync.Outcome)
	require.NotNil(t, sync.Writes)
	assert.Positive(t, *sync.Writes)
	require.NotNil(t, sync.Failures)
	assert.Zero(t, *sync.Failures)
	assert.Equal(t, "dry-run", byID["list-dry"].Outcome)
	assert.Equal(t, "failed", byID["list-bad"].Outcome)
	assert.Equal(t, "list-nowhere", byID["list-bad"].Connection)
	oldRun := byID["list-old"]
	assert.Equal(t, "upstream", oldRun.Direction, "the workflow type says it")
	assert.Empty(t, oldRun.Outcome)
	assert.Empty(t, oldRun.Connection)
	assert.Nil(t, oldRun.Writes)
	assert.Equal(t, "running", oldRun.Status)

	assert.Equal(t, []string{"list-sync"}, ids(list("--outcome", "completed")), "an attribute filter leaves out runs without it")
	assert.Equal(t, []string{"list-bad"}, ids(list("--connection", "list-nowhere")))
	assert.Equal(t, []string{"list-old", "list-bad", "list-dry", "list-sync"}, ids(list("--direction", "upstream")), "the direction is the workflow type: runs without attributes stay")
	assert.Empty(t, ids(list("--direction", "downstream")))
	assert.Equal(t, []string{"list-old", "list-bad"}, ids(list("--direction", "upstream", "--limit", "2")))
	assert.Empty(t, ids(list("--since", time.Now().Add(time.Hour).UTC().Format(time.RFC3339))), "the last --since wins")

	out, stderr, code := s.starter("list", "--since", since)
	require.Equal(t, 0, code, stderr)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.GreaterOrEqual(t, len(lines), 5, out)
	assert.Equal(t, []string{"WORKFLOW", "ID", "RUN", "ID", "DIRECTION", "MODE", "CONNECTION", "OUTCOME", "WRITES", "FAILURES", "STARTED", "DURATION"}, strings.Fields(lines[0]))
	var oldLine []string
	for _, l := range lines {
		if f := strings.Fields(l); len(f) > 0 && f[0] == "list-old" {
			oldLine = f
		}
	}
	require.Len(t, oldLine, 10, out)
	assert.Equal(t, []string{"upstream", "-", "-", "-", "-", "-"}, oldLine[2:8], "a run without attributes")

	_, stderr, code = s.starter("list", "--since", "last week")
	assert.Equal(t, 2, code)
	assert.Contains(t, stderr, "--since")
}
