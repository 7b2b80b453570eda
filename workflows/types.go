// Package workflows holds wecomsync's Temporal workflows. They only orchestrate: every read and
// write is an activity (package activities), so a workflow is deterministic and its history is the
// run log. Inputs and results are JSON-friendly structs whose zero values mean the documented
// defaults, so a run can be started from the Temporal UI or the CLI with just a file.
package workflows

import (
	"time"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/wecomexport"
)

// TaskQueue is the one task queue the worker serves.
const TaskQueue = "wecomsync"

// Query, signal and workflow names.
const (
	QueryProgress = "progress"
	QueryReport   = "report"
	SignalApprove = "approve"
	SignalReject  = "reject"

	UpstreamWorkflowName = "UpstreamSync"
)

// Defaults of UpstreamInput.
const (
	DefaultConnection      = "default"
	DefaultApprovalTimeout = 24 * time.Hour
	DefaultConcurrency     = 4
	MaxConcurrency         = 16
)

// UpstreamInput starts an upstream run (WeCom export → Authing). Only File is required:
//
//	{"file":"file:///data/export.xlsx"}
type UpstreamInput struct {
	// File is the export: a key in the blob store (as the starter uploads it), a file:// URL or an
	// absolute path readable by the worker.
	File string `json:"file"`
	// Mode is "create-update" (default) or "delete-only".
	Mode plan.Mode `json:"mode,omitempty"`
	// Connection names the worker-side credentials to use (default "default").
	Connection string `json:"connection,omitempty"`
	// OrganizationCode is the Authing organization to sync into; empty = the pool's only
	// organization (created from the file's company name when the pool has none).
	OrganizationCode string `json:"organizationCode,omitempty"`
	// IgnoreTopLevel maps the top-level department (the company) to the organization root
	// (default true).
	IgnoreTopLevel *bool `json:"ignoreTopLevel,omitempty"`
	// Sheet is a 0-based sheet index or a sheet name; empty = every sheet with a header.
	Sheet string `json:"sheet,omitempty"`
	// StartRow and EndRow are 0-based row indexes; EndRow -1 (the default) = the last row.
	StartRow int  `json:"startRow,omitempty"`
	EndRow   *int `json:"endRow,omitempty"`
	// DryRun stops after the plan and writes nothing.
	DryRun bool `json:"dryRun,omitempty"`
	// DeleteAction is "delete" (default) or "suspend", for delete-only runs.
	DeleteAction plan.DeleteAction `json:"deleteAction,omitempty"`
	// IgnoreFields are attributes never written on update, e.g. ["phone","email"].
	IgnoreFields []string `json:"ignoreFields,omitempty"`
	// Limits are the approval thresholds (zero = defaults: 50 deletes, 10 %, file ≥ 50 % of the last).
	Limits plan.Limits `json:"limits,omitempty"`
	// ApprovalTimeout is how long a run waits for approval before it rejects itself, e.g. "72h"
	// (default 24h).
	ApprovalTimeout string `json:"approvalTimeout,omitempty"`
	// Concurrency is how many user chunks are applied at once (default 4, at most 16); the client's
	// rate limiter keeps the API calls within the pool's QPS whatever this is.
	Concurrency int `json:"concurrency,omitempty"`
}

// Approval is the payload of the approve and reject signals.
type Approval struct {
	By     string `json:"by,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// ApprovalRecord says why a run waited for approval and how it ended.
type ApprovalRecord struct {
	Reasons  []string  `json:"reasons"`
	Decision string    `json:"decision"` // approved, rejected, timed-out
	By       string    `json:"by,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	At       time.Time `json:"at"`
}

// Run statuses.
const (
	StatusRunning         = "running"
	StatusAwaitingApprove = "awaiting-approval"
	StatusCompleted       = "completed"
	StatusCompletedErrors = "completed-with-errors"
	StatusDryRun          = "dry-run"
	StatusRejected        = "rejected"
	StatusFailed          = "failed"
	StatusCanceled        = "canceled"
)

// FileSummary describes the parsed export.
type FileSummary struct {
	File        string   `json:"file"`
	Sheets      []string `json:"sheets"`
	Rows        int      `json:"rows"`
	Members     int      `json:"members"`
	Rejected    int      `json:"rejected"`
	Departments int      `json:"departments"`
}

// Report is the result of a run: what was planned, what was written, what failed and why. The
// samples are capped; ReportKey names the full report (every failure) in the blob store.
type Report struct {
	WorkflowID       string               `json:"workflowId"`
	RunID            string               `json:"runId"`
	Direction        string               `json:"direction"` // upstream
	Mode             plan.Mode            `json:"mode"`
	DryRun           bool                 `json:"dryRun"`
	Status           string               `json:"status"`
	Connection       string               `json:"connection"`
	OrganizationCode string               `json:"organizationCode,omitempty"`
	StartedAt        time.Time            `json:"startedAt"`
	FinishedAt       time.Time            `json:"finishedAt,omitzero"`
	DurationSeconds  float64              `json:"durationSeconds"`
	File             FileSummary          `json:"file"`
	OwnedUsers       int                  `json:"ownedUsers"`
	Planned          plan.Counts          `json:"planned"`
	Applied          plan.Counts          `json:"applied"`
	Failed           plan.Counts          `json:"failed"`
	Rejects          []wecomexport.Reject `json:"rejects,omitempty"`
	Failures         []activities.Failure `json:"failures,omitempty"`
	FailuresTotal    int                  `json:"failuresTotal"`
	CustomFieldsMade []string             `json:"customFieldsCreated,omitempty"`
	Approval         *ApprovalRecord      `json:"approval,omitempty"`
	Warnings         []string             `json:"warnings,omitempty"`
	Error            string               `json:"error,omitempty"`
	PlanKey          string               `json:"planKey,omitempty"`
	ReportKey        string               `json:"reportKey,omitempty"`
}

// Progress is the answer of the progress query.
type Progress struct {
	Status      string      `json:"status"`
	Phase       string      `json:"phase"`
	Planned     plan.Counts `json:"planned"`
	Applied     plan.Counts `json:"applied"`
	Failed      plan.Counts `json:"failed"`
	ChunksDone  int         `json:"chunksDone"`
	ChunksTotal int         `json:"chunksTotal"`
	// AwaitingApproval lists why the run waits for an approve or reject signal.
	AwaitingApproval []string `json:"awaitingApproval,omitempty"`
}
