package main

import "fmt"

// Exit codes of the starter (README "Exit codes").
const (
	exitOK     = 0
	exitFailed = 1 // the command could not do its job: Temporal or the blob store unreachable, …
	exitUsage  = 2 // a bad command line
	exitRun    = 3 // the run failed, was rejected or was canceled
	exitBusy   = 5 // another run of the same connection is open
)

// exitError carries the process exit code of a command that ran but did not succeed.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }
