// Package report holds what a run tells a person: the report (counts per object type and action,
// rejected rows, per-object failures, ambiguous matches, warnings, the approval decision) and the
// live progress. Both sync directions fill the same types; the workflow returns the report, the
// report activity stores its full version, and the starter prints it.
//
// It holds types only (and the command that prints a report): no I/O, no Temporal.
package report

import (
	"fmt"
	"time"

	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/wecomexport"
)

// Failure is one object the run could not write.
type Failure struct {
	Object string `json:"object"` // "user" or "department"
	Key    string `json:"key"`    // WeCom userid or department path
	Action string `json:"action"` // create, update, membership, delete, suspend
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row,omitempty"`
	// ID is the object's id in the system written to, where Key is not one (a WeCom department).
	ID      string `json:"id,omitempty"`
	Code    int    `json:"code,omitempty"` // Authing statusCode or WeCom errcode
	Message string `json:"message"`
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
	File        string   `json:"file,omitzero"`
	Sheets      []string `json:"sheets"`
	Rows        int      `json:"rows"`
	Members     int      `json:"members"`
	Rejected    int      `json:"rejected"`
	Departments int      `json:"departments"`
	// SkippedSheets are the sheets that were not read (hidden, no header) and why.
	SkippedSheets []wecomexport.SkippedSheet `json:"skippedSheets,omitempty"`
}

// Report is the result of a run: what was planned, what was written, what failed and why. The
// samples are capped; ReportKey names the full report (every failure) in the blob store.
type Report struct {
	WorkflowID       string               `json:"workflowId"`
	RunID            string               `json:"runId"`
	Direction        string               `json:"direction"` // upstream
	Mode             string               `json:"mode"`
	DryRun           bool                 `json:"dryRun"`
	Status           string               `json:"status"`
	Connection       string               `json:"connection"`
	OrganizationCode string               `json:"organizationCode,omitempty"`
	StartedAt        time.Time            `json:"startedAt"`
	FinishedAt       time.Time            `json:"finishedAt,omitzero"`
	DurationSeconds  float64              `json:"durationSeconds"`
	File             FileSummary          `json:"file,omitzero"`
	OwnedUsers       int                  `json:"ownedUsers"`
	Planned          plan.Counts          `json:"planned"`
	Applied          plan.Counts          `json:"applied"`
	Failed           plan.Counts          `json:"failed"`
	Rejects          []wecomexport.Reject `json:"rejects,omitempty"`
	Failures         []Failure            `json:"failures,omitempty"`
	FailuresTotal    int                  `json:"failuresTotal"`
	CustomFieldsMade []string             `json:"customFieldsCreated,omitempty"`
	Approval         *ApprovalRecord      `json:"approval,omitempty"`
	// Scope is where a delete-only run deleted (or would delete), and how it was decided.
	Scope *plan.Scope `json:"scope,omitempty"`
	// Notes explain the plan: the scope used, users kept and why.
	Notes []string `json:"notes,omitempty"`
	// Ambiguous are the first members left untouched because they fit no single account; Kept the
	// first users delete-only kept because they belong elsewhere (every one is in the plan).
	Ambiguous []plan.Ambiguous `json:"ambiguous,omitempty"`
	Kept      []plan.Kept      `json:"kept,omitempty"`
	// Skipped are the first objects a downstream run could not write (no valid userid, no mobile
	// or email …), with why.
	Skipped []plan.Skipped `json:"skipped,omitempty"`
	// Downstream says what a downstream run read and what it compared with.
	Downstream *Downstream `json:"downstream,omitempty"`
	Warnings   []string    `json:"warnings,omitempty"`
	Error      string      `json:"error,omitempty"`
	PlanKey    string      `json:"planKey,omitempty"`
	ReportKey  string      `json:"reportKey,omitempty"`
}

// Downstream describes a downstream run: its modes, what WeCom let it read, and what its
// comparisons used.
type Downstream struct {
	AppMode               string `json:"appMode"` // selfbuilt (自建) or daikaifa (代开发)
	UpdateMode            string `json:"updateMode"`
	DeleteMode            string `json:"deleteMode"`
	WeComRootDepartmentID int    `json:"wecomRootDepartmentId"`
	// DetailsReadable is false when WeCom refused detail reads from this IP (48009): ids only.
	DetailsReadable bool `json:"detailsReadable"`
	// HiddenFields are never read from WeCom (代开发: mobile, email, gender).
	HiddenFields       []string `json:"hiddenFields,omitempty"`
	AuthingMembers     int      `json:"authingMembers"`
	AuthingDepartments int      `json:"authingDepartments"`
	WeComUsers         int      `json:"wecomUsersInScope"`
	WeComDepartments   int      `json:"wecomDepartmentsInScope"`
	// ComparedWith counts the field comparisons by what they compared with: wecom (what WeCom
	// answered), snapshot (what the last successful run wrote, where WeCom hides or refuses the
	// field), none (nothing known: written).
	ComparedWith map[string]int `json:"comparedWith,omitempty"`
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

// Command is the starter command that prints the full report of a run.
func Command(workflowID, runID string) string {
	return fmt.Sprintf("starter report --id %s --run-id %s", workflowID, runID)
}
