package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

func cmdReport(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("report", "--id ID [--run-id R] [--json [--full]] [--failures-xlsx FILE]")
	var run runRef
	run.register(fs, "run")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	full := fs.Bool("full", false, "with --json: every reject and failure (from the blob store) instead of the samples")
	xlsx := fs.String("failures-xlsx", "", "write every reject and failure to this .xlsx file")
	if err := parseFlags(e, fs, args); err != nil {
		return err
	}
	if err := required("--id", run.id); err != nil {
		return usageError(e, "report", err)
	}
	if *xlsx != "" && !strings.EqualFold(filepath.Ext(*xlsx), ".xlsx") {
		return usageError(e, "report", fmt.Errorf("--failures-xlsx %q: want a file name ending in .xlsx", *xlsx))
	}
	closeAll, err := e.connect(ctx, *xlsx != "" || *full) // the blob store only when it is read
	if err != nil {
		return err
	}
	defer closeAll()
	rep, runErr := currentReport(ctx, e, run.id, run.runID)
	if rep == nil {
		if _, fromRun := runFailure(runErr); fromRun {
			return printOutcome(e, nil, runErr, *asJSON) // the run ended without a report
		}
		return fmt.Errorf("no report for %s: %w", run.id, runErr)
	}
	if *xlsx != "" || *full {
		fullRep, err := loadFullReport(ctx, e, rep)
		if err != nil {
			return err
		}
		if *xlsx != "" {
			if err := writeFailuresXLSX(*xlsx, fullRep); err != nil {
				return fmt.Errorf("write %s: %w", *xlsx, err)
			}
			fmt.Fprintf(e.stderr, "wrote %s and %s to %s\n", plural(len(fullRep.Rejects), "reject"), plural(len(fullRep.Failures), "failure"), *xlsx)
		}
		if *full {
			rep = fullRep
		}
	}
	return printOutcome(e, rep, runErr, *asJSON)
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
		plan.ActionMembership: "with membership changed", plan.ActionDelete: "deleted", plan.ActionSuspend: "suspended",
		plan.ActionRename: "renamed", plan.ActionMove: "moved", plan.ActionDisable: "disabled", plan.ActionWriteBack: "with ids written back"}[c.Action]
	if past == "" {
		past = c.Action
	}
	return c.Object + "s " + past
}

// printReport prints a report as a person reads it. failure is the run's own message when it
// failed (printed once, last); a run that never got to a plan shows what it did get to, without
// an all-zero counts table.
func printReport(w io.Writer, r *report.Report, failure string) {
	fmt.Fprintf(w, "%s sync %s (run %s): %s", r.Direction, r.WorkflowID, r.RunID, r.Status)
	if r.DryRun {
		fmt.Fprint(w, " — dry run, nothing written")
	}
	fmt.Fprintf(w, " in %.1fs\n", r.DurationSeconds)
	fmt.Fprintf(w, "mode %s, connection %s", r.Mode, r.Connection)
	if r.OrganizationCode != "" {
		fmt.Fprintf(w, ", organization %s", r.OrganizationCode)
	}
	fmt.Fprintln(w)
	if r.File.File != "" {
		fmt.Fprintf(w, "file %s: %s, %s, %s, %s (sheets %s)\n", r.File.File, plural(r.File.Rows, "row"), plural(r.File.Members, "member"),
			plural(r.File.Rejected, "reject"), plural(r.File.Departments, "department"), strings.Join(r.File.Sheets, ", "))
	}
	if d := r.Downstream; d != nil {
		fmt.Fprintf(w, "WeCom app %s, root department %d, delete mode %s; Authing: %d members in %d departments; WeCom below the root: %d members, %d departments\n",
			d.AppMode, d.WeComRootDepartmentID, d.DeleteMode, d.AuthingMembers, d.AuthingDepartments, d.WeComUsers, d.WeComDepartments)
		if !d.DetailsReadable {
			fmt.Fprintln(w, "this IP cannot read WeCom details (48009): ids only, fields compared with the last run's snapshot")
		}
		if len(d.HiddenFields) > 0 {
			fmt.Fprintf(w, "fields WeCom hides from this app, never read: %s\n", strings.Join(d.HiddenFields, ", "))
		}
		if len(d.ComparedWith) > 0 {
			fmt.Fprintf(w, "field comparisons: %d with WeCom, %d with the snapshot, %d with nothing known (written)\n",
				d.ComparedWith[plan.SourceWeCom], d.ComparedWith[plan.SourceSnapshot], d.ComparedWith[plan.SourceNone])
		}
	}
	if reachedPlan(r) {
		printCounts(w, r)
	}
	for _, sk := range r.Skipped {
		fmt.Fprintf(w, "skipped %s %q: %s\n", sk.Object, sk.Key, sk.Reason)
	}
	if len(r.CustomFieldsMade) > 0 {
		fmt.Fprintf(w, "custom fields created: %s\n", strings.Join(r.CustomFieldsMade, ", "))
	}
	scope := ""
	if r.Scope != nil {
		scope = plan.ScopeNote(*r.Scope)
		fmt.Fprintln(w, scope)
	}
	for _, n := range r.Notes {
		if n == scope {
			continue // the plan's note says what the line above says
		}
		fmt.Fprintln(w, "note:", n)
	}
	for _, a := range r.Ambiguous {
		fmt.Fprintf(w, "ambiguous, left untouched: %q (sheet %s row %d): %s\n", a.UserID, a.Sheet, a.Row, a.Reason)
	}
	for _, k := range r.Kept {
		fmt.Fprintf(w, "%s: %q\n", k.Reason, k.UserID)
	}
	if a := r.Approval; a != nil {
		fmt.Fprintf(w, "approval: %s", a.Decision)
		if a.By != "" {
			fmt.Fprintf(w, " by %q", a.By)
		}
		if a.Reason != "" {
			fmt.Fprintf(w, " (%s)", a.Reason)
		}
		fmt.Fprintln(w, "; asked because:")
		for _, why := range a.Reasons {
			fmt.Fprintf(w, "  - %s\n", why)
		}
	}
	if len(r.Rejects) > 0 {
		fmt.Fprintf(w, "rejected rows (%d shown of %d):\n", len(r.Rejects), max(r.File.Rejected, len(r.Rejects)))
		for _, rj := range r.Rejects {
			fmt.Fprintf(w, "  %s row %d, %s %q: %s\n", rj.Sheet, rj.Row, rj.Field, rj.Value, rj.Reason)
		}
	}
	if len(r.Failures) > 0 {
		fmt.Fprintf(w, "failures (%d shown of %d):\n", len(r.Failures), max(r.FailuresTotal, len(r.Failures)))
		for _, f := range r.Failures {
			fmt.Fprintf(w, "  %s\n", failureLine(f))
		}
	}
	for _, warn := range r.Warnings {
		fmt.Fprintln(w, "warning:", warn)
	}
	if failure != "" {
		if r.ReportKey != "" { // the workflow's message ends with the report command the last line prints
			failure = strings.TrimSuffix(failure, " (report: "+report.Command(r.WorkflowID, r.RunID)+")")
		}
		fmt.Fprintln(w, "error:", failure)
	}
	if r.ReportKey != "" {
		fmt.Fprintf(w, "full report: %s (%s --failures-xlsx failures.xlsx)\n", r.ReportKey, report.Command(r.WorkflowID, r.RunID))
	}
}

// reachedPlan reports whether the run got as far as a plan (stored, or counted), so that its
// counts mean something.
func reachedPlan(r *report.Report) bool {
	var none plan.Counts
	return r.PlanKey != "" || r.Planned != none || r.Applied != none || r.Failed != none
}

// printCounts prints the table of planned, applied and failed writes, and what was left alone.
func printCounts(w io.Writer, r *report.Report) {
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
	if r.Downstream != nil {
		fmt.Fprintf(w, "users unchanged: %d, ambiguous: %d, skipped: %d; departments unchanged: %d, ambiguous: %d\n",
			r.Planned.UsersUnchanged, r.Planned.UsersAmbiguous, r.Planned.UsersSkipped, r.Planned.DepartmentsUnchanged, r.Planned.DepartmentsAmbiguous)
	} else {
		fmt.Fprintf(w, "users unchanged: %d, ambiguous: %d, kept (belong elsewhere): %d, out of scope: %d; synced users in Authing before the run: %d\n",
			r.Planned.UsersUnchanged, r.Planned.UsersAmbiguous, r.Planned.UsersKept, r.Planned.UsersOutOfScope, r.OwnedUsers)
	}
}

// failureLine is one failed write as a person looks it up: what, where it came from (sheet and
// row, like the failures workbook; the id where the key is not one), the code and the message,
// e.g. `create user "u1" (成员列表 row 12): 409 the user exists`.
func failureLine(f report.Failure) string {
	var where []string
	switch {
	case f.Sheet != "" && f.Row > 0:
		where = append(where, fmt.Sprintf("%s row %d", f.Sheet, f.Row))
	case f.Sheet != "":
		where = append(where, "sheet "+f.Sheet)
	case f.Row > 0:
		where = append(where, fmt.Sprintf("row %d", f.Row))
	}
	if f.ID != "" {
		where = append(where, "id "+f.ID)
	}
	line := fmt.Sprintf("%s %s %q", f.Action, f.Object, f.Key)
	if len(where) > 0 {
		line += " (" + strings.Join(where, ", ") + ")"
	}
	line += ": "
	if f.Code != 0 {
		line += strconv.Itoa(f.Code) + " "
	}
	return line + f.Message
}

func cmdDecide(approve bool) func(context.Context, *env, []string) error {
	name, signal := "reject", workflows.SignalReject
	if approve {
		name, signal = "approve", workflows.SignalApprove
	}
	return func(ctx context.Context, e *env, args []string) error {
		fs := newFlagSet(name, "--id ID [--run-id R] [--by NAME] [--reason TEXT]")
		var run runRef
		run.register(fs, "waiting run")
		by := fs.String("by", "", "who decides (recorded in the report)")
		reason := fs.String("reason", "", "why (recorded in the report)")
		closeClient, err := e.setUp(ctx, fs, args, false, func() error { return required("--id", run.id) })
		if err != nil {
			return err
		}
		defer closeClient()
		// Only a run that waits for a decision takes one (the workflow ignores stray signals too).
		p, err := queryProgress(ctx, e, run.id, run.runID)
		if err != nil {
			return fmt.Errorf("%s %s: %w", name, run.id, err)
		}
		if p.Status != report.StatusAwaitingApprove {
			return fmt.Errorf("%s %s: the run is not waiting for approval (status %s, %s)", name, run.id, p.Status, p.Phase)
		}
		if err := e.client.SignalWorkflow(ctx, run.id, run.runID, signal, workflows.Approval{By: *by, Reason: *reason}); err != nil {
			return fmt.Errorf("%s %s: %w", name, run.id, err)
		}
		fmt.Fprintf(e.stdout, "sent %s to %s\n", name, run.id)
		return nil
	}
}

func cmdCheckConnections(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("check-connections", "[--connection C]…")
	var names stringList
	fs.Var(&names, "connection", "a connection to test (repeatable; default all)")
	closeClient, err := e.setUp(ctx, fs, args, false, nil)
	if err != nil {
		return err
	}
	defer closeClient()
	run, err := e.client.ExecuteWorkflow(ctx, startOptions(e, "check-connections"), workflows.CheckConnectionsWorkflowName,
		activities.CheckConnectionsInput{Connections: names})
	if err != nil {
		return fmt.Errorf("start the connection check: %w", err)
	}
	var res activities.CheckConnectionsResult
	if err := run.Get(ctx, &res); err != nil {
		if msg, ok := runFailure(err); ok {
			fmt.Fprintln(e.stderr, "starter: the connection check failed: "+msg)
			return exitError{code: exitRun}
		}
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
