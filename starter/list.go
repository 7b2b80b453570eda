package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/converter"

	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// `starter list`: recent runs of both directions from Temporal's visibility store, told apart by
// the search attributes every run sets (workflows/searchattrs.go).

const (
	defaultListLimit = 20
	maxListLimit     = 1000
	// maxListScan bounds the runs read to find the newest ones (see listRuns).
	maxListScan = 5000
)

// outcomes are the values of WecomsyncOutcome (report statuses).
var outcomes = []string{report.StatusRunning, report.StatusAwaitingApprove, report.StatusCompleted, report.StatusCompletedErrors,
	report.StatusDryRun, report.StatusRejected, report.StatusFailed, report.StatusCanceled}

// directionTypes maps a direction to the workflow type of its runs.
var directionTypes = map[string]string{
	workflows.DirectionUpstream:   workflows.UpstreamWorkflowName,
	workflows.DirectionDownstream: workflows.DownstreamWorkflowName,
}

func cmdList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("list", "[--direction upstream|downstream] [--outcome O] [--since 24h|RFC3339] [--connection C] [--limit N] [--json]")
	var lf listFlags
	fs.StringVar(&lf.direction, "direction", "", "only upstream or downstream runs (default both)")
	fs.StringVar(&lf.outcome, "outcome", "", "only runs with this outcome: "+strings.Join(outcomes, ", "))
	fs.StringVar(&lf.since, "since", "", "only runs started since then: a duration before now (24h) or a time (RFC 3339, 2026-11-30T02:00:00+08:00)")
	fs.StringVar(&lf.connection, "connection", "", "only runs of this connection")
	limit := fs.Int("limit", defaultListLimit, fmt.Sprintf("at most this many runs, newest first (up to %d)", maxListLimit))
	asJSON := fs.Bool("json", false, "print the runs as a JSON array")
	var query string
	closeClient, err := e.setUp(ctx, fs, args, false, func() (err error) {
		if *limit < 1 || *limit > maxListLimit {
			return fmt.Errorf("--limit %d: want 1 to %d", *limit, maxListLimit)
		}
		query, err = lf.query(time.Now())
		return err
	})
	if err != nil {
		return err
	}
	defer closeClient()
	infos, complete, err := listRuns(ctx, e, query, *limit)
	if err != nil {
		return fmt.Errorf("list runs: %w", err)
	}
	if !complete {
		fmt.Fprintf(e.stderr, "starter list: read the first %d matching runs only; --since narrows the search\n", maxListScan)
	}
	now := time.Now()
	runs := make([]listedRun, len(infos))
	for i, info := range infos {
		runs[i] = newListedRun(info, now)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(runs)
	}
	if len(runs) == 0 {
		fmt.Fprintln(e.stderr, "no runs match")
		return nil
	}
	return printRuns(e.stdout, runs)
}

// listFlags are the filters of `starter list`.
type listFlags struct{ direction, outcome, since, connection string }

// query is the visibility query of the filters. The direction is asked of WorkflowType, which
// every run has, so runs from before the search attributes are still listed; outcome and
// connection are search attributes, and exclude such runs.
func (f listFlags) query(now time.Time) (string, error) {
	var where []string
	switch f.direction {
	case "":
		where = append(where, fmt.Sprintf("(WorkflowType = '%s' OR WorkflowType = '%s')", workflows.UpstreamWorkflowName, workflows.DownstreamWorkflowName))
	case workflows.DirectionUpstream, workflows.DirectionDownstream:
		where = append(where, fmt.Sprintf("WorkflowType = '%s'", directionTypes[f.direction]))
	default:
		return "", fmt.Errorf("--direction %q: want upstream or downstream", f.direction)
	}
	if f.outcome != "" {
		if !slices.Contains(outcomes, f.outcome) {
			return "", fmt.Errorf("--outcome %q: want one of %s", f.outcome, strings.Join(outcomes, ", "))
		}
		where = append(where, fmt.Sprintf("%s = '%s'", workflows.SAOutcome.GetName(), f.outcome))
	}
	if f.connection != "" {
		if strings.ContainsFunc(f.connection, func(r rune) bool { return isSpaceOrControl(r) || r == '\'' || r == '"' || r == '\\' }) {
			return "", fmt.Errorf("--connection %q: want a connection name without spaces or quotes", f.connection)
		}
		where = append(where, fmt.Sprintf("%s = '%s'", workflows.SAConnection.GetName(), f.connection))
	}
	if f.since != "" {
		since, err := parseSince(f.since, now)
		if err != nil {
			return "", err
		}
		where = append(where, fmt.Sprintf("StartTime >= '%s'", since.UTC().Format(time.RFC3339Nano)))
	}
	return strings.Join(where, " AND "), nil
}

// parseSince reads --since: a positive duration before now, or an RFC 3339 time.
func parseSince(s string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return now.Add(-d), nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("--since %q: want a duration such as 24h or a time such as 2026-11-30T02:00:00+08:00", s)
}

// listRuns returns the newest limit runs the query matches, newest first. Visibility stores list
// open runs first and then by close time (SQL and Elasticsearch alike) and cannot sort by start
// time everywhere, so the runs are sorted here; reading stops once a page ends with a run that
// closed before the start of the limit-th newest run found so far (a run starts before it closes,
// so no later one can be newer), or after maxListScan runs (complete false).
func listRuns(ctx context.Context, e *env, query string, limit int) (runs []*workflowpb.WorkflowExecutionInfo, complete bool, err error) {
	req := &workflowservice.ListWorkflowExecutionsRequest{Namespace: e.cfg.Namespace, Query: query, PageSize: int32(max(limit, 100))}
	newestFirst := func(a, b *workflowpb.WorkflowExecutionInfo) int {
		return b.GetStartTime().AsTime().Compare(a.GetStartTime().AsTime())
	}
	for {
		resp, err := e.client.ListWorkflow(ctx, req)
		if err != nil {
			return nil, false, err
		}
		page := resp.GetExecutions()
		runs = append(runs, page...)
		slices.SortStableFunc(runs, newestFirst)
		complete = len(resp.GetNextPageToken()) == 0
		if complete || len(page) == 0 {
			break
		}
		if last := page[len(page)-1]; len(runs) >= limit && last.GetCloseTime() != nil &&
			last.GetCloseTime().AsTime().Before(runs[limit-1].GetStartTime().AsTime()) {
			complete = true
			break
		}
		if len(runs) >= maxListScan {
			break
		}
		req.NextPageToken = resp.GetNextPageToken()
	}
	return runs[:min(limit, len(runs))], complete, nil
}

// listedRun is one line of `starter list` (one object of --json). Fields from the search
// attributes are empty (nil) for runs started before the attributes existed.
type listedRun struct {
	WorkflowID   string `json:"workflowId"`
	RunID        string `json:"runId"`
	WorkflowType string `json:"workflowType"`
	Direction    string `json:"direction"`
	Mode         string `json:"mode,omitempty"`
	Connection   string `json:"connection,omitempty"`
	Organization string `json:"organization,omitempty"`
	DryRun       *bool  `json:"dryRun,omitempty"`
	// Outcome is WecomsyncOutcome, or Temporal's status when the run closed without setting it
	// (terminated, timed out).
	Outcome string `json:"outcome,omitempty"`
	// Status is Temporal's execution status: running, completed, failed, canceled, terminated, …
	Status          string    `json:"status"`
	Writes          *int64    `json:"writes,omitempty"`
	Failures        *int64    `json:"failures,omitempty"`
	StartTime       time.Time `json:"startTime"`
	CloseTime       time.Time `json:"closeTime,omitzero"`
	DurationSeconds float64   `json:"durationSeconds"` // so far, for an open run
}

func newListedRun(info *workflowpb.WorkflowExecutionInfo, now time.Time) listedRun {
	sa := info.GetSearchAttributes()
	r := listedRun{
		WorkflowID:   info.GetExecution().GetWorkflowId(),
		RunID:        info.GetExecution().GetRunId(),
		WorkflowType: info.GetType().GetName(),
		Status:       enumName(enumspb.WorkflowExecutionStatus_name[int32(info.GetStatus())], "WORKFLOW_EXECUTION_STATUS_"),
		StartTime:    info.GetStartTime().AsTime(),
	}
	_ = saDecode(sa, workflows.SADirection.GetName(), &r.Direction)
	_ = saDecode(sa, workflows.SAMode.GetName(), &r.Mode)
	_ = saDecode(sa, workflows.SAConnection.GetName(), &r.Connection)
	_ = saDecode(sa, workflows.SAOrganization.GetName(), &r.Organization)
	_ = saDecode(sa, workflows.SAOutcome.GetName(), &r.Outcome)
	r.DryRun = saPointer[bool](sa, workflows.SADryRun.GetName())
	r.Writes = saPointer[int64](sa, workflows.SAWrites.GetName())
	r.Failures = saPointer[int64](sa, workflows.SAFailures.GetName())
	if r.Direction == "" { // the workflow type says it as surely
		for dir, typ := range directionTypes {
			if typ == r.WorkflowType {
				r.Direction = dir
			}
		}
	}
	end := now
	if info.GetCloseTime() != nil {
		r.CloseTime = info.GetCloseTime().AsTime()
		end = r.CloseTime
		if r.Outcome == report.StatusRunning || r.Outcome == report.StatusAwaitingApprove {
			r.Outcome = r.Status // closed without a final outcome: terminated, timed out
		}
	}
	r.DurationSeconds = end.Sub(r.StartTime).Seconds()
	return r
}

// saPointer decodes an Int or Bool search attribute; nil when absent.
func saPointer[T any](sa *commonpb.SearchAttributes, name string) *T {
	var v T
	if saDecode(sa, name, &v) != nil {
		return nil
	}
	return &v
}

// saDecode decodes a search attribute into v; an error when absent. Search attributes are never
// encrypted: the default converter reads them.
func saDecode(sa *commonpb.SearchAttributes, name string, v any) error {
	p := sa.GetIndexedFields()[name]
	if p == nil {
		return errors.New("absent")
	}
	return converter.GetDefaultDataConverter().FromPayload(p, v)
}

// printRuns prints the runs as a table; "-" where a run has no search attribute.
func printRuns(w io.Writer, runs []listedRun) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "WORKFLOW ID\tRUN ID\tDIRECTION\tMODE\tCONNECTION\tOUTCOME\tWRITES\tFAILURES\tSTARTED\tDURATION")
	for _, r := range runs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.WorkflowID, r.RunID, dash(r.Direction), dash(r.Mode),
			dash(r.Connection), dash(r.Outcome), count(r.Writes), count(r.Failures),
			r.StartTime.Local().Format(time.RFC3339), runDuration(time.Duration(r.DurationSeconds*float64(time.Second))))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func count(n *int64) string {
	if n == nil {
		return "-"
	}
	return strconv.FormatInt(*n, 10)
}

// runDuration writes a run's duration to the tenth of a second under a minute, else to the second.
func runDuration(d time.Duration) string {
	if d < time.Minute {
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}
