// Package activities holds every Temporal activity of wecomsync: reading the export, reading and
// writing Authing, planning and reporting. Activities do all the I/O; each takes one input struct and
// returns one result struct, small enough for a Temporal payload: bulk data moves through the
// claim-check store and only keys travel. Credentials stay in the worker's Connections and never
// appear in inputs, results or errors.
package activities

import (
	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/wecomexport"
)

// Error types of non-retryable application errors the activities return (temporal.ApplicationError.Type()).
const (
	// ErrTypeBadInput: the file or the run's options are wrong; fix them and start again.
	ErrTypeBadInput = "BadInput"
	// ErrTypeRun: a run-level problem such as bad credentials, a missing organization or a
	// permission; nothing more can be done in this run.
	ErrTypeRun = "RunError"
	// ErrTypeRateLimited: the API blocked the calls for a while (WeCom 45009); retried after the
	// wait it gave.
	ErrTypeRateLimited = "RateLimited"
)

// SampleSize caps the rejects and failures carried in a result; the full lists stay in the store.
const SampleSize = 20

// ParseExportInput names the export and how to read it.
type ParseExportInput struct {
	// File is a blob key in the store, a file:// URL or an absolute path on the worker's machine.
	File           string `json:"file"`
	Sheet          string `json:"sheet,omitempty"`
	StartRow       int    `json:"startRow,omitempty"`
	EndRow         int    `json:"endRow"`
	IgnoreTopLevel bool   `json:"ignoreTopLevel"`
	// Prefix is where this run keeps its blobs.
	Prefix string `json:"prefix"`
}

// ParseExportResult points at the parsed members (JSON lines of plan.DesiredUser) and the rejects
// (JSON lines of wecomexport.Reject).
type ParseExportResult struct {
	Members        claimcheck.Ref       `json:"members"`
	Rejects        claimcheck.Ref       `json:"rejects"`
	Summary        wecomexport.Summary  `json:"summary"`
	RejectSample   []wecomexport.Reject `json:"rejectSample,omitempty"`
	Departments    int                  `json:"departments"`     // distinct department paths in the file
	TopLevelNames  []string             `json:"topLevelNames"`   // first path segments seen (the company)
	RejectedUserID claimcheck.Ref       `json:"rejectedUserIds"` // JSON lines of userids on rejected rows
	// RejectsWithoutUserID counts rejected rows whose 账号 is empty or cannot be read (an error,
	// date or boolean cell): a delete-only run cannot tell who they are.
	RejectsWithoutUserID int      `json:"rejectsWithoutUserId,omitempty"`
	Warnings             []string `json:"warnings,omitempty"`
}

// ReadAuthingInput names the connection and organization to read.
type ReadAuthingInput struct {
	Connection       string `json:"connection"`
	OrganizationCode string `json:"organizationCode,omitempty"`
	Prefix           string `json:"prefix"`
}

// ReadAuthingResult points at the owned users (JSON lines of plan.CurrentUser) and the department
// tree (JSON of TreeSnapshot).
type ReadAuthingResult struct {
	OrganizationCode string `json:"organizationCode"`
	// OrganizationExists is false when the pool has no organization yet; the apply step creates it.
	OrganizationExists  bool           `json:"organizationExists"`
	Users               claimcheck.Ref `json:"users"`
	Tree                claimcheck.Ref `json:"tree"`
	Departments         int            `json:"departments"`
	MissingCustomFields []string       `json:"missingCustomFields,omitempty"`
}

// TreeSnapshot is the stored department tree of one organization.
type TreeSnapshot struct {
	OrganizationCode string                 `json:"organizationCode"`
	RootID           string                 `json:"rootId"`
	Departments      []directory.Department `json:"departments"`
}

// PlanUpstreamInput names the snapshots to compare.
type PlanUpstreamInput struct {
	Members         string       `json:"members"`
	RejectedUserIDs string       `json:"rejectedUserIds"`
	Users           string       `json:"users"`
	Tree            string       `json:"tree"`
	Options         plan.Options `json:"options"`
	// ChunkSize is the number of users per apply chunk (default 2,000; grown so that no plan has
	// more than MaxChunks chunks, which keeps the workflow history small at any size).
	ChunkSize int    `json:"chunkSize,omitempty"`
	Prefix    string `json:"prefix"`
	// StateKey is where the last successful run's file size is kept (the shrink check).
	StateKey string `json:"stateKey"`
	// TopLevelNames are the export's top-level departments, for reading a scope written with the
	// company name first.
	TopLevelNames []string `json:"topLevelNames,omitempty"`
}

// ChunkKind says what a chunk of user operations does.
type ChunkKind string

// Chunk kinds, applied in this order.
const (
	ChunkCreate ChunkKind = "create" // JSON lines of plan.UserCreate
	ChunkChange ChunkKind = "change" // JSON lines of plan.UserChange
	ChunkDelete ChunkKind = "delete" // JSON lines of plan.UserDelete
)

// Chunk is one blob of user operations applied by one activity.
type Chunk struct {
	Kind  ChunkKind `json:"kind"`
	Key   string    `json:"key"`
	Count int       `json:"count"`
}

// PlanUpstreamResult summarises the plan; the operations are in the store.
type PlanUpstreamResult struct {
	Counts      plan.Counts    `json:"counts"`
	OwnedUsers  int            `json:"ownedUsers"`
	Departments claimcheck.Ref `json:"departments"` // JSON lines of plan.DepartmentCreate
	Chunks      []Chunk        `json:"chunks,omitempty"`
	Plan        claimcheck.Ref `json:"plan"` // the whole plan as one JSON document, for people and reports
	// LastMembers is the number of valid members of the last successful run's file (0 = none);
	// for delete-only, those whose main department lies in this run's scope, in the latest files
	// that covered it.
	LastMembers int `json:"lastMembers"`
	// ComparedInScope says that LastMembers and MembersInScope count the members whose main
	// department lies in the delete scope (in the last files and in this one); else LastMembers is
	// the last file's total.
	ComparedInScope bool `json:"comparedInScope,omitempty"`
	MembersInScope  int  `json:"membersInScope,omitempty"`
	// MemberCounts is the key of this file's plan.MemberCounts, merged into the run state when
	// the run succeeds.
	MemberCounts string   `json:"memberCounts,omitempty"`
	Warnings     []string `json:"warnings,omitempty"`
	// Scope is where a delete-only run may delete, and how it was decided.
	Scope *plan.Scope `json:"scope,omitempty"`
	// OwnedInScope is how many synced users lie inside the scope.
	OwnedInScope int `json:"ownedInScope,omitempty"`
	// Notes explain the plan (the scope used, users kept and why).
	Notes []string `json:"notes,omitempty"`
	// AmbiguousSample and KeptSample are the first members left untouched because they fit no
	// single account, and the first users kept because they belong elsewhere (all in Plan).
	AmbiguousSample []plan.Ambiguous `json:"ambiguousSample,omitempty"`
	KeptSample      []plan.Kept      `json:"keptSample,omitempty"`
}

// EnsureCustomFieldsInput names the connection.
type EnsureCustomFieldsInput struct {
	Connection string `json:"connection"`
}

// EnsureCustomFieldsResult lists the custom fields that had to be created.
type EnsureCustomFieldsResult struct {
	Created []string `json:"created,omitempty"`
}

// ApplyDepartmentsInput creates the planned departments.
type ApplyDepartmentsInput struct {
	Connection       string `json:"connection"`
	OrganizationCode string `json:"organizationCode"`
	// CreateOrganization asks for the organization to be created first, named OrganizationName.
	CreateOrganization bool   `json:"createOrganization,omitempty"`
	OrganizationName   string `json:"organizationName,omitempty"`
	Departments        string `json:"departments"` // key of the planned creates
	Tree               string `json:"tree"`        // key of the tree snapshot
	Prefix             string `json:"prefix"`
}

// ApplyDepartmentsResult reports the department creates and points at the resolved tree (JSON of
// DepartmentMap) that user chunks use.
type ApplyDepartmentsResult struct {
	Created       int              `json:"created"`
	Failed        int              `json:"failed"`
	FailureSample []report.Failure `json:"failureSample,omitempty"`
	DepartmentMap string           `json:"departmentMap"`
}

// DepartmentMap maps every department path of the organization to its Authing id.
type DepartmentMap struct {
	OrganizationCode string            `json:"organizationCode"`
	IDs              map[string]string `json:"ids"`
}

// ApplyUserChunkInput applies one chunk of user operations.
type ApplyUserChunkInput struct {
	Connection    string `json:"connection"`
	Chunk         Chunk  `json:"chunk"`
	DepartmentMap string `json:"departmentMap,omitempty"`
	Prefix        string `json:"prefix"`
}

// ChunkResult counts what one apply activity wrote and what failed (both directions).
type ChunkResult struct {
	Applied       plan.Counts      `json:"applied"`
	Failed        plan.Counts      `json:"failed"`
	FailureSample []report.Failure `json:"failureSample,omitempty"`
}

// SaveReportInput stores a run's final report.
type SaveReportInput struct {
	Prefix string `json:"prefix"`
	// Report is the workflow's report (with capped samples), stored with every failure of the run.
	Report report.Report `json:"report"`
	// StateKey and Members record a successful run's file size for the next run's shrink check.
	StateKey string `json:"stateKey,omitempty"`
	Members  int    `json:"members,omitempty"`
	// MemberCounts (a plan.MemberCounts key) is merged into the state at StateKey instead of
	// Members when set.
	MemberCounts string `json:"memberCounts,omitempty"`
	// NextSnapshot (a plan.Snapshot key, downstream) becomes the snapshot at StateKey, but for the
	// objects whose write failed: they keep their old entry.
	NextSnapshot string `json:"nextSnapshot,omitempty"`
}

// SaveReportResult points at the stored report.
type SaveReportResult struct {
	Key           string `json:"key"`
	FailuresTotal int    `json:"failuresTotal"`
}
