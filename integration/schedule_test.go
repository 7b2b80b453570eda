package integration

import (
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// Names the fake downstream workflow answers to.
const (
	fakeQueryInput    = "input"
	fakeSignalRelease = "release"
)

// fakeDownstream stands in for DownstreamSync, whose real implementation these tests do not need:
// it answers query "input" with its input and, unless it is a dry run, stays open until signalled
// "release" (or a minute has passed), so that overlaps are certain.
func fakeDownstream(ctx workflow.Context, in workflows.DownstreamInput) (*report.Report, error) {
	err := workflow.SetQueryHandler(ctx, fakeQueryInput, func() (workflows.DownstreamInput, error) { return in, nil })
	if err != nil {
		return nil, err
	}
	status := report.StatusDryRun
	if !in.DryRun {
		status = report.StatusCompleted
		sel := workflow.NewSelector(ctx)
		sel.AddReceive(workflow.GetSignalChannel(ctx, fakeSignalRelease), func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, nil) })
		sel.AddFuture(workflow.NewTimer(ctx, time.Minute), func(workflow.Future) {})
		sel.Select(ctx)
	}
	info := workflow.GetInfo(ctx)
	return &report.Report{
		WorkflowID: info.WorkflowExecution.ID, RunID: info.WorkflowExecution.RunID, Direction: workflows.DirectionDownstream,
		Mode: in.UpdateMode, DryRun: in.DryRun, Status: status, Connection: in.Connection,
	}, nil
}

// scheduleStack is a stack without the app's worker whose task queue is served by a worker that
// runs fakeDownstream as "DownstreamSync".
func scheduleStack(t *testing.T) *stack {
	s := newStack(t, false)
	w := worker.New(s.client, s.taskQueue, worker.Options{})
	w.RegisterWorkflowWithOptions(fakeDownstream, workflow.RegisterOptions{Name: workflows.DownstreamWorkflowName})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	return s
}

// waitUntil polls cond until it holds, failing the test after within.
func waitUntil(t *testing.T, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s", what, within)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestScheduleDownstream drives the nightly downstream schedule through the starter, firing every
// 2 s against the fake workflow: create, fire with the asked input, skip an overlapping start,
// refuse a manual run meanwhile, describe, list, re-create unchanged and changed, pause, resume,
// trigger (respecting and overriding the overlap policy) and delete.
func TestScheduleDownstream(t *testing.T) {
	s := scheduleStack(t)
	ctx := context.Background()
	const conn, id = "sched", "downstream-sched-nightly"
	h := s.client.ScheduleClient().GetHandle(ctx, id)
	t.Cleanup(func() { _ = h.Delete(context.Background()) })
	describe := func() *client.ScheduleDescription {
		d, err := h.Describe(ctx)
		require.NoError(t, err)
		return d
	}
	// releaseRunning ends the open fake runs: those the schedule tracks and, as it does not track
	// runs started with overlap allow-all, its recent ones (a closed run ignores the signal).
	releaseRunning := func() {
		d, err := h.Describe(ctx)
		if err != nil {
			return
		}
		for _, r := range d.Info.RunningWorkflows {
			_ = s.client.SignalWorkflow(ctx, r.WorkflowID, "", fakeSignalRelease, nil)
		}
		for _, a := range d.Info.RecentActions {
			if a.StartWorkflowResult != nil {
				_ = s.client.SignalWorkflow(ctx, a.StartWorkflowResult.WorkflowID, "", fakeSignalRelease, nil)
			}
		}
	}
	t.Cleanup(releaseRunning)

	// A manual dry run, no schedule yet: started, waited for, its report printed.
	out, stderr, code := s.starter("downstream", "--connection", conn, "--dry-run", "--update-mode", "none", "--wait", "--json")
	require.Equal(t, 0, code, stderr)
	var rep report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.True(t, strings.HasPrefix(rep.WorkflowID, "downstream-"+conn+"-dry-run-"), rep.WorkflowID)
	assert.True(t, rep.DryRun)
	assert.Equal(t, workflows.DownstreamInput{Connection: conn, UpdateMode: "none", DeleteMode: "none", DryRun: true}, queryInput(t, s, rep.WorkflowID))

	createArgs := []string{"schedule", "create", "--connection", conn, "--every", "2s", "--org", "xh",
		"--update-mode", "overwrite", "--delete-mode", "disable", "--ignore-field", "mobile", "--catchup-window", "1m"}
	out, stderr, code = s.starter(createArgs...)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "created schedule "+id)
	want := workflows.DownstreamInput{Connection: conn, OrganizationCode: "xh", UpdateMode: "overwrite",
		DeleteMode: "disable", IgnoreFields: []string{"mobile"}}

	// It fires, with the input the flags asked for, under downstream-<connection>-<time>.
	var first string
	waitUntil(t, "the first scheduled run", 15*time.Second, func() bool {
		if running := describe().Info.RunningWorkflows; len(running) > 0 {
			first = running[0].WorkflowID
		}
		return first != ""
	})
	stamp, ok := strings.CutPrefix(first, "downstream-"+conn+"-")
	require.True(t, ok, first)
	_, err := time.Parse(time.RFC3339, stamp)
	require.NoError(t, err, first)
	assert.Equal(t, want, queryInput(t, s, first))

	// While it is open the next starts are skipped: one run at a time.
	waitUntil(t, "a start skipped for overlap", 15*time.Second, func() bool { return describe().Info.NumActionsSkippedOverlap > 0 })
	d := describe()
	assert.Len(t, d.Info.RunningWorkflows, 1)
	assert.Equal(t, 1, d.Info.NumActions)

	// A manual run of the same connection is refused, naming the scheduled run.
	_, stderr, code = s.starter("downstream", "--connection", conn)
	assert.Equal(t, 5, code, stderr)
	assert.Contains(t, stderr, first)
	assert.Contains(t, stderr, "started by schedule "+id)
	// A dry run writes nothing: it runs beside the scheduled run.
	_, stderr, code = s.starter("downstream", "--connection", conn, "--dry-run", "--wait")
	assert.Equal(t, 0, code, stderr)

	out, stderr, code = s.starter("schedule", "describe", "--connection", conn)
	require.Equal(t, 0, code, stderr)
	for _, line := range []string{"schedule " + id, "every 2s", `"updateMode":"overwrite"`, `"ignoreFields":["mobile"]`,
		"start DownstreamSync on task queue " + s.taskQueue + ", workflow id downstream-sched-<time>",
		"scheduled downstream overwrite sync of sched/xh, disable absent users", "overlap:           skip",
		"catch-up window:   1m0s", "paused:            no", "running:           " + first, first + "  running"} {
		assert.Contains(t, out, line)
	}
	assert.Positive(t, skippedIn(t, out), out)

	// list is eventually consistent (visibility).
	waitUntil(t, "the schedule in list", 15*time.Second, func() bool {
		out, stderr, code = s.starter("schedule", "list")
		require.Equal(t, 0, code, stderr)
		return strings.Contains(out, id)
	})
	row := lineWith(out, id)
	assert.Regexp(t, `every 2s\s+\S+\s+no\s+running `, row)

	// create again: unchanged with the same configuration, updated with another.
	updatedAt := describe().Info.LastUpdateAt
	out, stderr, code = s.starter(createArgs...)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "already exists, unchanged")
	assert.Equal(t, updatedAt, describe().Info.LastUpdateAt, "no update sent")
	out, stderr, code = s.starter(append(createArgs, "--update-mode", "changed")...)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "updated")
	d = describe()
	assert.True(t, d.Info.LastUpdateAt.After(updatedAt))
	want.UpdateMode = "changed"
	assert.Equal(t, want, describedInput(t, d))

	// Paused, it starts nothing (two intervals pass); resumed, it starts again.
	out, stderr, code = s.starter("schedule", "pause", "--connection", conn, "--note", "maintenance")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "paused schedule "+id)
	d = describe()
	require.True(t, d.Schedule.State.Paused)
	assert.Equal(t, "maintenance", d.Schedule.State.Note)
	releaseRunning()
	actions, skipped := d.Info.NumActions, d.Info.NumActionsSkippedOverlap
	time.Sleep(4500 * time.Millisecond)
	d = describe()
	assert.Equal(t, actions, d.Info.NumActions, "no start while paused")
	assert.Equal(t, skipped, d.Info.NumActionsSkippedOverlap, "not even a skipped one")
	out, stderr, code = s.starter("schedule", "describe", "--id", id)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "paused:            yes")
	assert.Contains(t, out, "note:              maintenance")

	_, stderr, code = s.starter("schedule", "resume", "--id", id, "--note", "back")
	require.Equal(t, 0, code, stderr)
	waitUntil(t, "a start after resume", 15*time.Second, func() bool { return describe().Info.NumActions > actions })
	assert.Equal(t, want, describedInput(t, describe()), "the updated input")

	// trigger runs it now (paused again, so only triggers start runs), respecting the overlap
	// policy unless --overlap overrides it. Starts of one schedule are at least a second apart.
	_, stderr, code = s.starter("schedule", "pause", "--id", id)
	require.Equal(t, 0, code, stderr)
	releaseRunning()
	waitUntil(t, "no open run", 15*time.Second, func() bool { return len(describe().Info.RunningWorkflows) == 0 })
	actions = describe().Info.NumActions
	out, stderr, code = s.starter("schedule", "trigger", "--id", id)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "triggered schedule "+id+" (overlap skip)")
	waitUntil(t, "the triggered run", 15*time.Second, func() bool { return describe().Info.NumActions == actions+1 })
	skipped = describe().Info.NumActionsSkippedOverlap
	time.Sleep(1100 * time.Millisecond)
	_, stderr, code = s.starter("schedule", "trigger", "--id", id)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "is still open: with overlap skip this trigger is skipped")
	waitUntil(t, "the second trigger skipped", 15*time.Second, func() bool { return describe().Info.NumActionsSkippedOverlap > skipped })
	assert.Equal(t, actions+1, describe().Info.NumActions)
	time.Sleep(1100 * time.Millisecond)
	_, stderr, code = s.starter("schedule", "trigger", "--id", id, "--overlap", "allow-all")
	require.Equal(t, 0, code, stderr)
	waitUntil(t, "a start despite the open run with allow-all", 15*time.Second, func() bool { return describe().Info.NumActions == actions+2 })
	recent := describe().Info.RecentActions
	require.GreaterOrEqual(t, len(recent), 2)
	for _, a := range recent[len(recent)-2:] {
		run, err := s.client.DescribeWorkflow(ctx, a.StartWorkflowResult.WorkflowID, "")
		require.NoError(t, err)
		assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, run.RawResponse.GetWorkflowExecutionInfo().GetStatus(), "both triggered runs are open")
	}
	releaseRunning()

	out, stderr, code = s.starter("schedule", "delete", "--id", id)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "deleted schedule "+id)
	waitUntil(t, "the schedule gone", 15*time.Second, func() bool {
		_, err := h.Describe(ctx)
		var notFound *serviceerror.NotFound
		return errors.As(err, &notFound)
	})
	_, stderr, code = s.starter("schedule", "describe", "--id", id)
	assert.Equal(t, 1, code)
	assert.Contains(t, stderr, "not found")
}

// queryInput asks a fake run which input it got.
func queryInput(t *testing.T, s *stack, workflowID string) workflows.DownstreamInput {
	t.Helper()
	v, err := s.client.QueryWorkflow(context.Background(), workflowID, "", fakeQueryInput)
	require.NoError(t, err)
	var in workflows.DownstreamInput
	require.NoError(t, v.Get(&in))
	return in
}

// describedInput decodes the input of a described schedule's action.
func describedInput(t *testing.T, d *client.ScheduleDescription) workflows.DownstreamInput {
	t.Helper()
	action, ok := d.Schedule.Action.(*client.ScheduleWorkflowAction)
	require.True(t, ok)
	require.Len(t, action.Args, 1)
	p, ok := action.Args[0].(*commonpb.Payload)
	require.True(t, ok)
	var in workflows.DownstreamInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(p, &in))
	return in
}

// skippedIn reads the skipped-for-overlap count from `schedule describe`.
func skippedIn(t *testing.T, out string) int {
	t.Helper()
	m := regexp.MustCompile(`(\d+) skipped \(overlap\)`).FindStringSubmatch(out)
	require.NotNil(t, m, out)
	n, err := strconv.Atoi(m[1])
	require.NoError(t, err)
	return n
}

// lineWith is the first line of out that contains s.
func lineWith(out, s string) string {
	for line := range strings.Lines(out) {
		if strings.Contains(line, s) {
			return line
		}
	}
	return ""
}
