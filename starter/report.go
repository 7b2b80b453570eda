package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"

	"github.com/xuri/excelize/v2"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

func cmdReport(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	id := fs.String("id", "", "workflow id of the run (required)")
	runID := fs.String("run-id", "", "run id (default: the latest run of --id)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	full := fs.Bool("full", false, "with --json: every reject and failure (from the blob store) instead of the samples")
	xlsx := fs.String("failures-xlsx", "", "write every reject and failure to this .xlsx file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id == "" {
		fs.Usage()
		return errors.New("--id is required")
	}
	rep, runErr := currentReport(ctx, e, *id, *runID)
	if rep == nil {
		return fmt.Errorf("no report for %s: %w", *id, runErr)
	}
	if *xlsx != "" || *full {
		fullRep, err := loadFullReport(ctx, e, rep)
		if err != nil {
			return err
		}
		if *xlsx != "" {
			if err := writeFailuresXLSX(*xlsx, fullRep); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "wrote %d rejects and %d failures to %s\n", len(fullRep.Rejects), len(fullRep.Failures), *xlsx)
		}
		if *full {
			rep = fullRep
		}
	}
	return printOutcome(ctx, e, rep, runErr, *asJSON)
}

// currentReport returns a finished run's report, or a running run's report so far (query).
func currentReport(ctx context.Context, e *env, id, runID string) (*report.Report, error) {
	desc, err := e.client.DescribeWorkflow(ctx, id, runID)
	if err != nil {
		return nil, err
	}
	if desc.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING {
		v, err := e.client.QueryWorkflow(ctx, id, runID, workflows.QueryReport)
		if err != nil {
			return nil, err
		}
		var rep report.Report
		return &rep, v.Get(&rep)
	}
	return waitReport(ctx, e.client.GetWorkflow(ctx, id, runID))
}

// loadFullReport reads the stored report, which holds every reject and failure.
func loadFullReport(ctx context.Context, e *env, rep *report.Report) (*report.Report, error) {
	if rep.ReportKey == "" {
		return nil, errors.New("this run stored no full report")
	}
	var full report.Report
	if err := e.store.GetJSON(ctx, rep.ReportKey, &full); err != nil {
		return nil, fmt.Errorf("read the full report: %w", err)
	}
	return &full, nil
}

// countLabel names a row of the counts table, e.g. "users created".
func countLabel(c plan.Cell) string {
	past := map[string]string{plan.ActionCreate: "created", plan.ActionAdopt: "adopted", plan.ActionUpdate: "updated",
		plan.ActionMembership: "with membership changed", plan.ActionDelete: "deleted", plan.ActionSuspend: "suspended"}[c.Action]
	if past == "" {
		past = c.Action
	}
	return c.Object + "s " + past
}

func printReport(w io.Writer, r *report.Report) {
	fmt.Fprintf(w, "%s sync %s (run %s): %s", r.Direction, r.WorkflowID, r.RunID, r.Status)
	if r.DryRun {
		fmt.Fprint(w, " — dry run, nothing written")
	}
	fmt.Fprintf(w, " in %.1fs\n", r.DurationSeconds)
	fmt.Fprintf(w, "mode %s, connection %s, organization %s\n", r.Mode, r.Connection, r.OrganizationCode)
	fmt.Fprintf(w, "file %s: %d rows, %d members, %d rejects, %d departments (sheets %v)\n",
		r.File.File, r.File.Rows, r.File.Members, r.File.Rejected, r.File.Departments, r.File.Sheets)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tplanned\tapplied\tfailed\t")
	for _, c := range plan.WriteCells() {
		planned, applied, failed := c.Get(r.Planned), c.Get(r.Applied), c.Get(r.Failed)
		if planned+applied+failed == 0 && c.Object != plan.ObjectUser {
			continue
		}
		if planned+applied+failed == 0 && c.Action != plan.ActionCreate && c.Action != plan.ActionUpdate && c.Action != plan.ActionDelete {
			continue // the rows every run has, and the others only when they happened
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t\n", countLabel(c), planned, applied, failed)
	}
	_ = tw.Flush()
	fmt.Fprintf(w, "users unchanged: %d, ambiguous: %d, kept (belong elsewhere): %d, out of scope: %d; synced users in Authing before the run: %d\n",
		r.Planned.UsersUnchanged, r.Planned.UsersAmbiguous, r.Planned.UsersKept, r.Planned.UsersOutOfScope, r.OwnedUsers)
	if len(r.CustomFieldsMade) > 0 {
		fmt.Fprintf(w, "custom fields created: %v\n", r.CustomFieldsMade)
	}
	if r.Scope != nil {
		fmt.Fprintf(w, "delete scope: %s\n", r.Scope)
	}
	for _, n := range r.Notes {
		fmt.Fprintln(w, "note:", n)
	}
	for _, a := range r.Ambiguous {
		fmt.Fprintf(w, "ambiguous, left untouched: %q (sheet %s row %d): %s\n", a.UserID, a.Sheet, a.Row, a.Reason)
	}
	for _, k := range r.Kept {
		fmt.Fprintf(w, "%s: %q\n", k.Reason, k.UserID)
	}
	if a := r.Approval; a != nil {
		fmt.Fprintf(w, "approval: %s by %q (%s); reasons: %v\n", a.Decision, a.By, a.Reason, a.Reasons)
	}
	if len(r.Rejects) > 0 {
		fmt.Fprintf(w, "rejected rows (%d shown of %d):\n", len(r.Rejects), r.File.Rejected)
		for _, rj := range r.Rejects {
			fmt.Fprintf(w, "  %s row %d, %s %q: %s\n", rj.Sheet, rj.Row, rj.Field, rj.Value, rj.Reason)
		}
	}
	if len(r.Failures) > 0 {
		fmt.Fprintf(w, "failures (%d shown of %d):\n", len(r.Failures), max(r.FailuresTotal, len(r.Failures)))
		for _, f := range r.Failures {
			fmt.Fprintf(w, "  %s %s %q: %s\n", f.Action, f.Object, f.Key, f.Message)
		}
	}
	for _, warn := range r.Warnings {
		fmt.Fprintln(w, "warning:", warn)
	}
	if r.Error != "" {
		fmt.Fprintln(w, "error:", r.Error)
	}
	if r.ReportKey != "" {
		fmt.Fprintf(w, "full report: %s (starter report --id %s --run-id %s --failures-xlsx failures.xlsx)\n", r.ReportKey, r.WorkflowID, r.RunID)
	}
}

// writeFailuresXLSX writes the rejects and failures of a run to two sheets.
func writeFailuresXLSX(path string, r *report.Report) error {
	f := excelize.NewFile()
	defer f.Close()
	rejects := [][]any{{"文件 File", "工作表 Sheet", "行 Row", "字段 Field", "值 Value", "原因 Reason"}}
	for _, rj := range r.Rejects {
		rejects = append(rejects, []any{rj.File, rj.Sheet, rj.Row, rj.Field, rj.Value, rj.Reason})
	}
	failures := [][]any{{"对象 Object", "标识 Key", "操作 Action", "工作表 Sheet", "行 Row", "代码 Code", "信息 Message"}}
	for _, fl := range r.Failures {
		failures = append(failures, []any{fl.Object, fl.Key, fl.Action, fl.Sheet, fl.Row, fl.Code, fl.Message})
	}
	if err := f.SetSheetName("Sheet1", "rejects"); err != nil {
		return err
	}
	if _, err := f.NewSheet("failures"); err != nil {
		return err
	}
	for sheet, rows := range map[string][][]any{"rejects": rejects, "failures": failures} {
		for i, row := range rows {
			if err := f.SetSheetRow(sheet, "A"+strconv.Itoa(i+1), &row); err != nil {
				return err
			}
		}
	}
	return f.SaveAs(path)
}

func cmdProgress(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("progress", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	id := fs.String("id", "", "workflow id of the run (required)")
	runID := fs.String("run-id", "", "run id (default: the latest run of --id)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *id == "" {
		return errors.New("--id is required")
	}
	p, err := queryProgress(ctx, e, *id, *runID)
	if err != nil {
		return fmt.Errorf("query progress of %s: %w", *id, err)
	}
	fmt.Fprintf(e.stdout, "%s: %s\n", p.Status, progressLine(p, *id, *runID))
	return nil
}

func cmdDecide(approve bool) func(context.Context, *env, []string) error {
	name, signal := "reject", workflows.SignalReject
	if approve {
		name, signal = "approve", workflows.SignalApprove
	}
	return func(ctx context.Context, e *env, args []string) error {
		fs := flag.NewFlagSet(name, flag.ContinueOnError)
		fs.SetOutput(e.stderr)
		id := fs.String("id", "", "workflow id of the waiting run (required)")
		runID := fs.String("run-id", "", "run id of the waiting run (default: the latest run of --id)")
		by := fs.String("by", "", "who decides (recorded in the report)")
		reason := fs.String("reason", "", "why (recorded in the report)")
		if err := fs.Parse(args); err != nil {
			return err
		}
		if *id == "" {
			return errors.New("--id is required")
		}
		// Only a run that waits for a decision takes one (the workflow ignores stray signals too).
		p, err := queryProgress(ctx, e, *id, *runID)
		if err != nil {
			return fmt.Errorf("%s %s: %w", name, *id, err)
		}
		if p.Status != report.StatusAwaitingApprove {
			return fmt.Errorf("%s %s: the run is not waiting for approval (status %s, %s)", name, *id, p.Status, p.Phase)
		}
		if err := e.client.SignalWorkflow(ctx, *id, *runID, signal, workflows.Approval{By: *by, Reason: *reason}); err != nil {
			return fmt.Errorf("%s %s: %w", name, *id, err)
		}
		fmt.Fprintf(e.stdout, "sent %s to %s\n", name, *id)
		return nil
	}
}

func cmdCheckConnections(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("check-connections", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var names stringList
	fs.Var(&names, "connection", "a connection to test (repeatable; default all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	run, err := e.client.ExecuteWorkflow(ctx, startOptions(e, "check-connections"), workflows.CheckConnectionsWorkflowName,
		activities.CheckConnectionsInput{Connections: names})
	if err != nil {
		return fmt.Errorf("start the connection check: %w", err)
	}
	var res activities.CheckConnectionsResult
	if err := run.Get(ctx, &res); err != nil {
		return fmt.Errorf("connection check: %w", err)
	}
	if len(res.Connections) == 0 {
		fmt.Fprintln(e.stdout, "the worker has no connection configured")
		return exitError{code: exitRun}
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONNECTION\tAUTHING\tWECOM")
	failed := false
	for _, c := range res.Connections {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", c.Name, c.Authing, c.WeCom)
		failed = failed || c.AuthingError || c.WeComError
	}
	_ = tw.Flush()
	if failed {
		return exitError{code: exitRun}
	}
	return nil
}
