package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/temporal"

	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/wecomexport"
)

// testEnv is an env that writes to buffers.
func testEnv() (*env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &env{stdout: &out, stderr: &errb}, &out, &errb
}

func exitCode(err error) int {
	var ee exitError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ee):
		return ee.code
	}
	return exitFailed
}

// failedRun is the error a run that failed reading its file comes back with: the workflow's
// application error, its cause chain, and the report as details.
func failedRun(rep report.Report) error {
	cause := temporal.NewNonRetryableApplicationError("bad.xlsx: not an xlsx file", "BadInput", errors.New("zip: not a valid zip file"))
	return temporal.NewNonRetryableApplicationError("upstream sync failed: bad.xlsx is not an xlsx file", "BadInput", cause, rep)
}

func TestAFailedRunWithoutAPlanShowsWhatItGotToAndItsMessageOnce(t *testing.T) {
	rep := &report.Report{WorkflowID: "upstream-default", RunID: "r1", Direction: "upstream", Mode: "create-update",
		Status: report.StatusFailed, Connection: "default", File: report.FileSummary{File: "bad.xlsx"},
		Error: "activity error (type: ReadExport, retryable: false): bad.xlsx: not an xlsx file"}
	e, out, errb := testEnv()
	err := printOutcome(e, rep, failedRun(*rep), false)
	assert.Equal(t, exitRun, exitCode(err))
	assert.Contains(t, out.String(), "file bad.xlsx")
	assert.NotContains(t, out.String(), "planned", "no all-zero counts table")
	assert.NotContains(t, out.String(), "users unchanged")
	assert.Equal(t, 1, strings.Count(out.String()+errb.String(), "bad.xlsx is not an xlsx file"), out.String()+errb.String())
	assert.Contains(t, out.String(), "error: upstream sync failed: bad.xlsx is not an xlsx file\n")
	for _, chain := range []string{"retryable", "type: BadInput", "zip: not a valid zip file", "activity error"} {
		assert.NotContains(t, out.String()+errb.String(), chain, "Temporal's wrapping")
	}

	// --json: the report on stdout, the message once on stderr.
	e, out, errb = testEnv()
	err = printOutcome(e, rep, failedRun(*rep), true)
	assert.Equal(t, exitRun, exitCode(err))
	var back report.Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &back))
	assert.Equal(t, "starter: upstream sync failed: bad.xlsx is not an xlsx file\n", errb.String())
}

func TestAPlannedRunShowsItsCounts(t *testing.T) {
	rep := &report.Report{Direction: "upstream", Status: report.StatusCompleted, PlanKey: "runs/x/y/plan/plan.json"}
	var out bytes.Buffer
	printReport(&out, rep, "")
	assert.Contains(t, out.String(), "planned")
	assert.Contains(t, out.String(), "users created", "a plan with nothing to do still shows its table")
}

func TestOutcomeExitCodes(t *testing.T) {
	for status, want := range map[string]int{
		report.StatusCompleted: exitOK, report.StatusDryRun: exitOK, report.StatusRunning: exitOK,
		report.StatusAwaitingApprove: exitOK, report.StatusCompletedErrors: exitCompletedWithErrors,
		report.StatusFailed: exitRun, report.StatusRejected: exitRun, report.StatusCanceled: exitRun,
	} {
		e, _, _ := testEnv()
		assert.Equal(t, want, exitCode(printOutcome(e, &report.Report{Status: status}, nil, false)), status)
	}
	assert.Equal(t, exitCompletedWithErrors, 4, "README and the usage say 4")

	// A run that ended without a report: one line, exit 3; Temporal unreachable: exit 1.
	e, out, errb := testEnv()
	assert.Equal(t, exitRun, exitCode(printOutcome(e, nil, temporal.NewCanceledError(), false)))
	assert.Empty(t, out.String())
	assert.Equal(t, "starter: the run was canceled\n", errb.String())
	e, _, _ = testEnv()
	unreachable := errors.New("connection refused")
	assert.Equal(t, unreachable, printOutcome(e, nil, unreachable, false))
}

func TestFailureLinesSayWhereTheObjectCameFrom(t *testing.T) {
	assert.Equal(t, `create user "u1" (成员列表 row 12): 409 用户已存在`,
		failureLine(report.Failure{Object: "user", Key: "u1", Action: "create", Sheet: "成员列表", Row: 12, Code: 409, Message: "用户已存在"}))
	assert.Equal(t, `create department "研发中心/后端组" (id 7): 60008 department existed`,
		failureLine(report.Failure{Object: "department", Key: "研发中心/后端组", Action: "create", ID: "7", Code: 60008, Message: "department existed"}))
	assert.Equal(t, `delete user "u2": timeout`, failureLine(report.Failure{Object: "user", Key: "u2", Action: "delete", Message: "timeout"}))

	rep := &report.Report{Direction: "upstream", Status: report.StatusCompletedErrors, PlanKey: "k", FailuresTotal: 3,
		Failures: []report.Failure{{Object: "user", Key: "u1", Action: "create", Sheet: "成员列表", Row: 12, Code: 409, Message: "exists"}},
		Approval: &report.ApprovalRecord{Decision: "approved", By: "alice", Reasons: []string{"60 deletions", "12 % of the synced users"}}}
	var out bytes.Buffer
	printReport(&out, rep, "")
	assert.Contains(t, out.String(), "failures (1 shown of 3):\n  create user \"u1\" (成员列表 row 12): 409 exists\n")
	assert.Contains(t, out.String(), "approval: approved by \"alice\"; asked because:\n  - 60 deletions\n  - 12 % of the synced users\n")
}

func TestFailuresWorkbook(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "failures.xlsx")
	long := strings.Repeat("很长的原因", 40)
	rep := &report.Report{
		Rejects: []wecomexport.Reject{
			{File: "export.xlsx", Sheet: "成员列表", Row: 12, Field: "账号", Value: "a b", UserID: "a b", Reason: "invalid 账号"},
			{File: "export.xlsx", Sheet: "成员列表", Row: 13, Field: "手机", Value: "#N/A", UserID: "zhangsan", Reason: long},
		},
		Failures: []report.Failure{{Object: "user", Key: "u1", Action: "create", Sheet: "成员列表", Row: 14, Code: 409, Message: "exists"}},
	}
	require.NoError(t, os.WriteFile(path, []byte("an older, different file"), 0o600))
	require.NoError(t, writeFailuresXLSX(path, rep))

	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm(), "whatever the umask, and replacing a 0600 file")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left behind")

	f, err := excelize.OpenFile(path)
	require.NoError(t, err)
	defer f.Close()
	rows, err := f.GetRows("rejects")
	require.NoError(t, err)
	require.Len(t, rows, 3)
	assert.Equal(t, rejectsHeader, rows[0])
	assert.Equal(t, "账号 UserID", rows[0][3])
	assert.Equal(t, []string{"export.xlsx", "成员列表", "13", "zhangsan", "手机", "#N/A", long}, rows[2])
	rows, err = f.GetRows("failures")
	require.NoError(t, err)
	require.Len(t, rows, 2)
	assert.Equal(t, failuresHeader, rows[0])
	assert.Equal(t, []string{"user", "u1", "create", "成员列表", "14", "", "409", "exists"}, rows[1])

	for _, sheet := range []string{"rejects", "failures"} {
		panes, err := f.GetPanes(sheet)
		require.NoError(t, err)
		assert.True(t, panes.Freeze, sheet)
		assert.Equal(t, 1, panes.YSplit, sheet)
		assert.Equal(t, "A2", panes.TopLeftCell, sheet)

		style, err := f.GetCellStyle(sheet, "B1")
		require.NoError(t, err)
		s, err := f.GetStyle(style)
		require.NoError(t, err)
		require.NotNil(t, s.Font, sheet)
		assert.True(t, s.Font.Bold, "a bold header on %s", sheet)
	}
	w, err := f.GetColWidth("rejects", "G")
	require.NoError(t, err)
	assert.Equal(t, float64(maxColumnWidth), w, "a long reason is capped")
	w, err = f.GetColWidth("rejects", "C")
	require.NoError(t, err)
	assert.Equal(t, float64(minColumnWidth), w, "a short column")
	w, err = f.GetColWidth("rejects", "D")
	require.NoError(t, err)
	assert.Equal(t, float64(displayWidth("账号 UserID")+2), w, "wide characters count twice")

	var filters []string
	for _, dn := range f.GetDefinedName() {
		if dn.Name == "_xlnm._FilterDatabase" {
			filters = append(filters, dn.Scope+"!"+dn.RefersTo)
		}
	}
	assert.ElementsMatch(t, []string{"rejects!'rejects'!$A$1:$G$3", "failures!'failures'!$A$1:$H$2"}, filters, "an autofilter on each table")
}

func TestFailuresWorkbookIsNeverHalfWritten(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "failures.xlsx")
	require.NoError(t, os.WriteFile(path, []byte("the previous workbook"), 0o644))
	err := writeFileAtomic(path, 0o644, func(w io.Writer) error {
		_, _ = w.Write([]byte("half a workbook"))
		return errors.New("disk full")
	})
	require.Error(t, err)
	got, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, "the previous workbook", string(got))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "the temporary file is removed")
}

func TestPlannedCountsTable(t *testing.T) {
	rep := &report.Report{Direction: "upstream", Status: report.StatusCompletedErrors, PlanKey: "k",
		Planned: plan.Counts{UsersCreate: 3}, Applied: plan.Counts{UsersCreate: 2}, Failed: plan.Counts{UsersCreate: 1}}
	var out bytes.Buffer
	printReport(&out, rep, "")
	assert.Regexp(t, `users created\s+3\s+2\s+1`, out.String())
}

// A failed run that stored its report names the report command once, on the "full report" line.
func TestAFailedRunPrintsTheReportCommandOnce(t *testing.T) {
	rep := &report.Report{WorkflowID: "upstream-default", RunID: "r1", Direction: "upstream", Status: report.StatusFailed,
		ReportKey: "runs/upstream-default/r1/report.json", Error: "Authing answered 500"}
	e, out, _ := testEnv()
	runErr := temporal.NewNonRetryableApplicationError("upstream sync failed: Authing answered 500 (report: starter report --id upstream-default --run-id r1)", "Run", nil, *rep)
	assert.Equal(t, exitRun, exitCode(printOutcome(e, rep, runErr, false)))
	assert.Equal(t, 1, strings.Count(out.String(), "starter report --id upstream-default --run-id r1"), out.String())
	assert.Contains(t, out.String(), "error: upstream sync failed: Authing answered 500\n")
	assert.Contains(t, out.String(), "full report: runs/upstream-default/r1/report.json (starter report --id upstream-default --run-id r1 --failures-xlsx failures.xlsx)\n")
}

func TestTheDeleteScopeIsPrintedOnce(t *testing.T) {
	scope := &plan.Scope{Paths: []string{"研发中心"}, Source: "inferred"}
	rep := &report.Report{Direction: "upstream", Status: report.StatusDryRun, Scope: scope,
		Notes: []string{"delete scope: " + scope.String(), "3 synced users absent from the file have a department outside the scope: not deleted"},
		File:  report.FileSummary{File: "x.xlsx", Rows: 1, Members: 1, Rejected: 1, Departments: 2}}
	var out bytes.Buffer
	printReport(&out, rep, "")
	assert.Equal(t, 1, strings.Count(out.String(), "delete scope:"), out.String())
	assert.Contains(t, out.String(), "note: 3 synced users absent")
	assert.Contains(t, out.String(), "file x.xlsx: 1 row, 1 member, 1 reject, 2 departments")

	rep.Scope = nil // no scope line: the note says it
	out.Reset()
	printReport(&out, rep, "")
	assert.Contains(t, out.String(), "note: delete scope: ")
}
