// Package workflows holds wecomsync's Temporal workflows. They only orchestrate: every read and
// write is an activity (package activities), so a workflow is deterministic and its history is the
// run log. Inputs and results are JSON-friendly structs whose zero values mean the documented
// defaults, so a run can be started from the Temporal UI or the CLI with just a file.
package workflows

import (
	"time"

	"github.com/wecomsync/wecomsync/plan"
)

// TaskQueue is the one task queue the worker serves.
const TaskQueue = "wecomsync"

// Query, signal and workflow names.
const (
	QueryProgress = "progress"
	QueryReport   = "report"
	SignalApprove = "approve"
	SignalReject  = "reject"

	UpstreamWorkflowName   = "UpstreamSync"
	DownstreamWorkflowName = "DownstreamSync"
)

// Directions of a run (report.Report.Direction).
const (
	DirectionUpstream   = "upstream"
	DirectionDownstream = "downstream"
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
	// ChunkSize is how many user writes one apply activity makes (default 2,000, grown so a run
	// has at most 100 chunks); smaller chunks spread a run over more workers.
	ChunkSize int `json:"chunkSize,omitempty"`
	// Scope (delete-only) are the department paths below the organization root whose users may
	// be deleted, e.g. ["研发中心/后端组"], or ["/"] for the whole organization; empty = inferred
	// from the file (README "Delete scope").
	Scope []string `json:"scope,omitempty"`
	// MatchBy is the order in which a member without a synced account adopts an existing one:
	// any of "username", "phone", "email" (default all three, in that order); ["none"] = never.
	MatchBy []string `json:"matchBy,omitempty"`
}

// Downstream update and delete modes (DownstreamInput.UpdateMode, DeleteMode).
const (
	UpdateNone      = plan.UpdateNone      // create and delete only
	UpdateOverwrite = plan.UpdateOverwrite // write every mapped field of every matched user
	UpdateChanged   = plan.UpdateChanged   // write only what differs (the default)

	DeleteNone    = plan.DeleteNone // the default: WeCom users absent from Authing are left alone
	DeleteDisable = plan.DeleteDisable
	DeleteDelete  = plan.DeleteDelete
)

// DownstreamInput starts a downstream run (Authing → WeCom through the WeCom API). Every field is
// optional: `{}` syncs the default connection's only organization into the whole corp, updating
// what changed and deleting nothing. The app mode (自建 selfbuilt or 代开发 daikaifa) belongs to
// the connection (WECOMSYNC_WECOM_MODE), not to a run.
type DownstreamInput struct {
	// Connection names the worker-side credentials to use (default "default").
	Connection string `json:"connection,omitempty"`
	// OrganizationCode is the Authing organization to read; empty = the pool's only organization.
	OrganizationCode string `json:"organizationCode,omitempty"`
	// WeComRootDepartmentID is the WeCom department the organization root maps to (default 1, the
	// corp's root); only departments and users below it are created, changed or deleted.
	WeComRootDepartmentID int `json:"wecomRootDepartmentId,omitempty"`
	// UpdateMode is "none", "overwrite" or "changed" (default).
	UpdateMode string `json:"updateMode,omitempty"`
	// IgnoreFields are never written on update, e.g. ["mobile","email"] (WeCom or Authing names).
	IgnoreFields []string `json:"ignoreFields,omitempty"`
	// DeleteMode is what happens to WeCom users Authing no longer has: "none" (default),
	// "disable" (enable 0) or "delete"; empty departments are deleted with "delete".
	DeleteMode string `json:"deleteMode,omitempty"`
	// UserIDField is the Authing attribute that becomes a created user's WeCom userid: username
	// (default), email, phone, externalId, userId or customData.<key>.
	UserIDField string `json:"userIdField,omitempty"`
	// Invite sends WeCom's invitation to created users (to_invite; default false).
	Invite bool `json:"invite,omitempty"`
	// DryRun stops after the plan and writes nothing.
	DryRun bool `json:"dryRun,omitempty"`
	// Limits are the approval thresholds (zero = defaults).
	Limits plan.Limits `json:"limits,omitempty"`
	// ApprovalTimeout is how long a run waits for approval before it rejects itself (default 24h).
	ApprovalTimeout string `json:"approvalTimeout,omitempty"`
	// Concurrency is how many apply chunks run at once (default 4, at most 16).
	Concurrency int `json:"concurrency,omitempty"`
	// ChunkSize is how many writes one apply activity makes (default 500, grown so a step has at
	// most 40 chunks); smaller chunks spread a run over more workers.
	ChunkSize int `json:"chunkSize,omitempty"`
}

// Approval is the payload of the approve and reject signals.
type Approval struct {
	By     string `json:"by,omitempty"`
	Reason string `json:"reason,omitempty"`
}
