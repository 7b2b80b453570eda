package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

func progressAt(phase string, planned, applied, failed int) report.Progress {
	return report.Progress{Status: report.StatusRunning, Phase: phase,
		Planned: plan.Counts{UsersCreate: planned}, Applied: plan.Counts{UsersCreate: applied}, Failed: plan.Counts{UsersCreate: failed}}
}

func waiting() report.Progress {
	p := progressAt("awaiting approval", 60, 0, 0)
	p.Status, p.AwaitingApproval = report.StatusAwaitingApprove, []string{"60 users would be deleted (more than 50)", "12 % of the synced users"}
	return p
}

func TestProgressLinesOnlyWhenSomethingChanges(t *testing.T) {
	var out bytes.Buffer
	v := &progressLines{w: &out, id: "upstream-default", runID: "r1"}
	for _, p := range []report.Progress{
		progressAt("reading", 0, 0, 0), progressAt("reading", 0, 0, 0), progressAt("planning", 0, 0, 0),
		waiting(), waiting(), progressAt("writing users", 60, 10, 1), progressAt("writing users", 60, 10, 1),
	} {
		v.show(p)
	}
	v.stop()
	assert.Equal(t, `reading: 0 of 0 planned writes done
planning: 0 of 0 planned writes done
waiting for approval:
  - 60 users would be deleted (more than 50)
  - 12 % of the synced users
  approve: starter approve --id upstream-default --run-id r1 --by NAME --reason TEXT
  reject:  starter reject --id upstream-default --run-id r1 --by NAME --reason TEXT
writing users: 10 of 60 planned writes done, 1 failed
`, out.String())
}

func TestProgressBarDrawsThePlannedWrites(t *testing.T) {
	var out bytes.Buffer
	v := newProgressBar(&out, "upstream-default", "r1")
	v.show(progressAt("reading", 0, 0, 0))
	v.show(waiting())
	v.show(waiting())
	v.show(progressAt("writing users", 60, 30, 0))
	v.stop()
	s := out.String()
	assert.Contains(t, s, "reading")
	assert.Equal(t, 1, strings.Count(s, "waiting for approval:\n"), "the approval text once, above the bar: %q", s)
	assert.Contains(t, s, "--run-id r1")
	assert.Contains(t, s, "50%", "30 of 60 writes")
	assert.Contains(t, s, "writing users: 30 of 60 planned writes done")
	last := s[strings.LastIndex(s, "\r"):]
	assert.Empty(t, strings.TrimSpace(last), "the bar is cleared for the report: %q", last)
}

func TestPipesGetLines(t *testing.T) {
	assert.False(t, isTerminal(&bytes.Buffer{}))
	f, err := os.CreateTemp(t.TempDir(), "log")
	if assert.NoError(t, err) {
		defer f.Close()
		assert.False(t, isTerminal(f), "a file is no terminal")
	}
}

func TestProgressCommandNamesTheRun(t *testing.T) {
	assert.Equal(t, "writing users: 1 of 2 planned writes done (chunk 1/2)",
		progressText(report.Progress{Phase: "writing users", Planned: plan.Counts{UsersCreate: 2}, Applied: plan.Counts{UsersCreate: 1}, ChunksDone: 1, ChunksTotal: 2}, "x", ""))
	assert.Contains(t, progressText(waiting(), "upstream-default", ""), "starter approve --id upstream-default --by", "no run id known: the latest run")
}

// endedClient is Temporal for runs that have ended with status; the progress query fails as on a
// run that failed before it registered its queries, and a run's result is result.
type endedClient struct {
	client.Client
	status enumspb.WorkflowExecutionStatus
	result error
}

func (c *endedClient) DescribeWorkflow(_ context.Context, id, _ string) (*client.WorkflowExecutionDescription, error) {
	return &client.WorkflowExecutionDescription{RawResponse: &workflowservice.DescribeWorkflowExecutionResponse{
		WorkflowExecutionInfo: &workflowpb.WorkflowExecutionInfo{Execution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: "r1"}, Status: c.status}}}, nil
}

func (c *endedClient) QueryWorkflow(context.Context, string, string, string, ...any) (converter.EncodedValue, error) {
	return nil, serviceerror.NewQueryFailed("unknown queryType progress. KnownQueryTypes=[__stack_trace __open_sessions]")
}

func (c *endedClient) GetWorkflow(context.Context, string, string) client.WorkflowRun {
	return endedRun{err: c.result}
}

type endedRun struct {
	client.WorkflowRun
	err error
}

func (r endedRun) Get(context.Context, any) error { return r.err }

func TestProgressOfARunThatFailedBeforeItsQueries(t *testing.T) {
	e, out, errb := testEnv()
	e.client = &endedClient{status: enumspb.WORKFLOW_EXECUTION_STATUS_FAILED,
		result: temporal.NewNonRetryableApplicationError(`approvalTimeout "forever" is not a positive duration such as "72h"`, "BadInput", nil)}
	err := showProgress(context.Background(), e, runRef{id: "upstream-default"})
	assert.Equal(t, exitRun, exitCode(err))
	assert.Equal(t, "failed: approvalTimeout \"forever\" is not a positive duration such as \"72h\"\n", out.String())
	assert.Empty(t, errb.String())

	e, out, _ = testEnv()
	e.client = &endedClient{status: enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED, result: temporal.NewCanceledError()}
	assert.Equal(t, exitRun, exitCode(showProgress(context.Background(), e, runRef{id: "upstream-default", runID: "r1"})))
	assert.Equal(t, "canceled: the run was canceled\n", out.String())
}
