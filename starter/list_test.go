package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/wecomsync/wecomsync/internal/config"
)

func TestListQuery(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	q, err := listFlags{}.query(now)
	require.NoError(t, err)
	assert.Equal(t, "(WorkflowType = 'UpstreamSync' OR WorkflowType = 'DownstreamSync')", q)

	q, err = listFlags{direction: "downstream", outcome: "completed-with-errors", connection: "prod", since: "24h"}.query(now)
	require.NoError(t, err)
	assert.Equal(t, "WorkflowType = 'DownstreamSync' AND WecomsyncOutcome = 'completed-with-errors' AND WecomsyncConnection = 'prod' AND StartTime >= '2026-11-29T10:00:00Z'", q)

	q, err = listFlags{direction: "upstream", since: "2026-11-30T02:00:00+08:00"}.query(now)
	require.NoError(t, err)
	assert.Equal(t, "WorkflowType = 'UpstreamSync' AND StartTime >= '2026-11-29T18:00:00Z'", q)

	for _, bad := range []listFlags{{direction: "both"}, {outcome: "ok"}, {since: "-1h"}, {since: "2026-11-30"}, {connection: "x' OR '1'='1"}} {
		_, err := bad.query(now)
		assert.Error(t, err, "%+v", bad)
	}
}

// payload encodes a search attribute value as the server returns it.
func payload(t *testing.T, v any) *commonpb.Payload {
	p, err := converter.GetDefaultDataConverter().ToPayload(v)
	require.NoError(t, err)
	return p
}

func execution(id, typ string, start time.Time, closed time.Duration, attrs map[string]*commonpb.Payload) *workflowpb.WorkflowExecutionInfo {
	info := &workflowpb.WorkflowExecutionInfo{
		Execution: &commonpb.WorkflowExecution{WorkflowId: id, RunId: id + "-run"},
		Type:      &commonpb.WorkflowType{Name: typ},
		StartTime: timestamppb.New(start),
		Status:    enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
	}
	if closed > 0 {
		info.CloseTime = timestamppb.New(start.Add(closed))
		info.Status = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	}
	if attrs != nil {
		info.SearchAttributes = &commonpb.SearchAttributes{IndexedFields: attrs}
	}
	return info
}

func TestListedRunReadsTheSearchAttributes(t *testing.T) {
	start := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	r := newListedRun(execution("downstream-prod-2026-11-30T02:00:00Z", "DownstreamSync", start, 90*time.Second, map[string]*commonpb.Payload{
		"WecomsyncDirection": payload(t, "downstream"), "WecomsyncMode": payload(t, "changed"),
		"WecomsyncConnection": payload(t, "prod"), "WecomsyncOrganization": payload(t, "xinghe"),
		"WecomsyncDryRun": payload(t, false), "WecomsyncOutcome": payload(t, "completed-with-errors"),
		"WecomsyncWrites": payload(t, int64(120)), "WecomsyncFailures": payload(t, int64(3)),
	}), start.Add(time.Hour))
	assert.Equal(t, "downstream", r.Direction)
	assert.Equal(t, "changed", r.Mode)
	assert.Equal(t, "prod", r.Connection)
	assert.Equal(t, "xinghe", r.Organization)
	assert.Equal(t, "completed-with-errors", r.Outcome)
	assert.Equal(t, "completed", r.Status)
	require.NotNil(t, r.DryRun)
	assert.False(t, *r.DryRun)
	require.NotNil(t, r.Writes)
	require.NotNil(t, r.Failures)
	assert.Equal(t, int64(120), *r.Writes)
	assert.Equal(t, int64(3), *r.Failures)
	assert.Equal(t, 90.0, r.DurationSeconds)

	// From before the attributes: listed, "-" for what they would say; the type gives the direction.
	old := newListedRun(execution("upstream-default", "UpstreamSync", start, time.Second, nil), start.Add(time.Hour))
	assert.Equal(t, "upstream", old.Direction)
	assert.Empty(t, old.Outcome)
	assert.Nil(t, old.Writes)
	// Terminated while running: Temporal's status instead of a stale "running".
	term := execution("upstream-x", "UpstreamSync", start, time.Second, map[string]*commonpb.Payload{"WecomsyncOutcome": payload(t, "running")})
	term.Status = enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED
	assert.Equal(t, "terminated", newListedRun(term, start).Outcome)
	// Open: the duration so far.
	assert.Equal(t, 600.0, newListedRun(execution("upstream-y", "UpstreamSync", start, 0, nil), start.Add(10*time.Minute)).DurationSeconds)

	var out bytes.Buffer
	require.NoError(t, printRuns(&out, []listedRun{r, old}))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 3)
	assert.Equal(t, []string{"WORKFLOW", "ID", "RUN", "ID", "DIRECTION", "MODE", "CONNECTION", "OUTCOME", "WRITES", "FAILURES", "STARTED", "DURATION"}, strings.Fields(lines[0]))
	assert.Equal(t, []string{"downstream-prod-2026-11-30T02:00:00Z", "downstream-prod-2026-11-30T02:00:00Z-run", "downstream", "changed", "prod",
		"completed-with-errors", "120", "3", start.Local().Format(time.RFC3339), "1m30s"}, strings.Fields(lines[1]))
	assert.Equal(t, []string{"upstream-default", "upstream-default-run", "upstream", "-", "-", "-", "-", "-", start.Local().Format(time.RFC3339), "1s"}, strings.Fields(lines[2]))
}

// pagedClient answers ListWorkflow with fixed pages, as a visibility store does: open runs first,
// then by close time, newest first.
type pagedClient struct {
	client.Client
	pages [][]*workflowpb.WorkflowExecutionInfo
	calls int
}

func (c *pagedClient) ListWorkflow(_ context.Context, req *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error) {
	i := c.calls
	c.calls++
	resp := &workflowservice.ListWorkflowExecutionsResponse{Executions: c.pages[i]}
	if i+1 < len(c.pages) {
		resp.NextPageToken = []byte{byte(i + 1)}
	}
	return resp, nil
}

func TestListRunsSortsByStartAndStopsEarly(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	at := func(id string, startMin, closeMin int) *workflowpb.WorkflowExecutionInfo {
		return execution(id, "UpstreamSync", t0.Add(time.Duration(startMin)*time.Minute), time.Duration(closeMin-startMin)*time.Minute, nil)
	}
	c := &pagedClient{pages: [][]*workflowpb.WorkflowExecutionInfo{
		{execution("open", "UpstreamSync", t0.Add(50*time.Minute), 0, nil), at("long", 10, 49)},
		{at("b", 40, 45), at("c", 30, 35)},
		{at("d", 20, 25), at("e", 5, 8)}, // closed before the 3rd newest started: the end
		{at("never-read", 1, 2)},
	}}
	e := &env{cfg: &config.Config{Namespace: "default"}, client: c}
	runs, complete, err := listRuns(context.Background(), e, "q", 3)
	require.NoError(t, err)
	assert.True(t, complete)
	var ids []string
	for _, r := range runs {
		ids = append(ids, r.GetExecution().GetWorkflowId())
	}
	assert.Equal(t, []string{"open", "b", "c"}, ids, "newest start first, the long run that closed late is older")
	assert.Equal(t, 3, c.calls)
}
