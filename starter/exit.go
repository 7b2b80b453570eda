package main

import (
	"fmt"

	"github.com/wecomsync/wecomsync/report"
)

// Exit codes of the starter (README "Exit codes"; the usage lists them too).
const (
	exitOK     = 0 // the command did its job; a run it waited for or reports on completed
	exitFailed = 1 // the command could not do its job: Temporal or the blob store unreachable, …
	exitUsage  = 2 // a bad command line
	exitRun    = 3 // the run failed, was rejected or was canceled
	// exitCompletedWithErrors: the run applied its plan but some writes failed (status
	// completed-with-errors); the report lists them.
	exitCompletedWithErrors = 4
	exitBusy                = 5 // another run of the same connection is open
)

// exitError carries the process exit code of a command that ran but did not succeed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// outcomeExit is the exit code of `--wait` and `report` for a run with status and the error its
// result came with (nil for a run that returned a report).
func outcomeExit(status string, runErr error) int {
	switch {
	case runErr != nil, status == report.StatusFailed, status == report.StatusRejected, status == report.StatusCanceled:
		return exitRun
	case status == report.StatusCompletedErrors:
		return exitCompletedWithErrors
	}
	return exitOK
}
