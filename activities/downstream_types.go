package activities

import (
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/plan"
)

// ReadAuthingSourceInput names the organization whose tree and users a downstream run syncs.
type ReadAuthingSourceInput struct {
	Connection       string `json:"connection"`
	OrganizationCode string `json:"organizationCode,omitempty"`
	// UserIDField is the Authing attribute that becomes a created user's WeCom userid.
	UserIDField string `json:"userIdField"`
	Prefix      string `json:"prefix"`
}

// ReadAuthingSourceResult points at the desired tree (JSON of SourceTree) and users (JSON lines of
// plan.SourceUser).
type ReadAuthingSourceResult struct {
	OrganizationCode string         `json:"organizationCode"`
	Tree             claimcheck.Ref `json:"tree"`
	Users            claimcheck.Ref `json:"users"`
	// Members is how many users belong to the organization (the rest of the pool is read too,
	// so that their WeCom members are never removed).
	Members             int      `json:"members"`
	Departments         int      `json:"departments"`
	MissingCustomFields []string `json:"missingCustomFields,omitempty"`
}

// SourceTree is the stored Authing tree of a downstream run.
type SourceTree struct {
	OrganizationCode string                  `json:"organizationCode"`
	RootID           string                  `json:"rootId"`
	Departments      []plan.SourceDepartment `json:"departments"`
}

// ReadWeComInput names the connection whose corp is read.
type ReadWeComInput struct {
	Connection string `json:"connection"`
	Prefix     string `json:"prefix"`
}

// ReadWeComResult points at WeCom's departments (JSON of []plan.TargetDepartment) and members
// (JSON lines of plan.TargetUser), and says what the app could read.
type ReadWeComResult struct {
	Departments claimcheck.Ref `json:"departments"`
	Users       claimcheck.Ref `json:"users"`
	// Mode is the connection's app mode (selfbuilt or daikaifa).
	Mode string `json:"mode"`
	// DetailsReadable is false when WeCom refused the detail reads (48009: the contacts-sync secret
	// from an IP added after 2022-08-15): names and fields are then unknown, ids only.
	DetailsReadable bool `json:"detailsReadable"`
	// Hidden are the fields WeCom never shows this app (代开发: mobile, email, gender).
	Hidden   []string `json:"hidden,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// PlanDownstreamInput names the snapshots to compare.
type PlanDownstreamInput struct {
	SourceTree   string                 `json:"sourceTree"`
	SourceUsers  string                 `json:"sourceUsers"`
	TargetDepts  string                 `json:"targetDepartments"`
	TargetUsers  string                 `json:"targetUsers"`
	SnapshotKey  string                 `json:"snapshotKey"` // the last successful run's (may be missing)
	Options      plan.DownstreamOptions `json:"options"`
	IgnoreFields []string               `json:"ignoreFields,omitempty"`
	// Mode is the connection's app mode (from ReadWeCom): a 代开发 app creates no user without
	// mobile or email either, but never reads them back.
	Mode      string `json:"mode"`
	ChunkSize int    `json:"chunkSize,omitempty"`
	Prefix    string `json:"prefix"`
}

// PlanDownstreamResult summarises the plan; the writes are in the store, one list of chunks per
// step, applied in this order.
type PlanDownstreamResult struct {
	Counts             plan.Counts    `json:"counts"`
	UsersInScope       int            `json:"usersInScope"`
	DepartmentsInScope int            `json:"departmentsInScope"`
	Sources            map[string]int `json:"sources,omitempty"`
	// Departments are the department creates and updates (JSON lines of plan.DepartmentWrite).
	Departments claimcheck.Ref `json:"departments"`
	UserCreates []Chunk        `json:"userCreates,omitempty"`
	UserUpdates []Chunk        `json:"userUpdates,omitempty"`
	Removals    []Chunk        `json:"removals,omitempty"`
	// DepartmentDeletes are JSON lines of plan.DepartmentWrite, children first.
	DepartmentDeletes claimcheck.Ref `json:"departmentDeletes"`
	WriteBacks        []Chunk        `json:"writeBacks,omitempty"`
	// NextSnapshot is what WeCom holds when every write lands (JSON of plan.Snapshot): the input's
	// SnapshotKey when that is what it holds already.
	NextSnapshot    string           `json:"nextSnapshot"`
	Plan            claimcheck.Ref   `json:"plan"`
	AmbiguousSample []plan.Ambiguous `json:"ambiguousSample,omitempty"`
	SkippedSample   []plan.Skipped   `json:"skippedSample,omitempty"`
	Notes           []string         `json:"notes,omitempty"`
}

// ApplyWeComDepartmentsInput applies department creates and updates, or deletes.
type ApplyWeComDepartmentsInput struct {
	Connection string `json:"connection"`
	Key        string `json:"key"` // JSON lines of plan.DepartmentWrite
	Prefix     string `json:"prefix"`
}

// ApplyWeComChunkInput applies one chunk of user writes to WeCom.
type ApplyWeComChunkInput struct {
	Connection string `json:"connection"`
	Chunk      Chunk  `json:"chunk"`
	Invite     bool   `json:"invite,omitempty"`
	Prefix     string `json:"prefix"`
}

// ApplyWriteBackChunkInput writes one chunk of WeCom ids back into Authing custom data.
type ApplyWriteBackChunkInput struct {
	Connection       string `json:"connection"`
	OrganizationCode string `json:"organizationCode"`
	Chunk            Chunk  `json:"chunk"`
	Prefix           string `json:"prefix"`
}

// Chunk kinds of a downstream run.
const (
	ChunkWeComCreate ChunkKind = "wecom-create"      // JSON lines of plan.UserWrite
	ChunkWeComUpdate ChunkKind = "wecom-update"      // JSON lines of plan.UserWrite
	ChunkWeComRemove ChunkKind = "wecom-remove"      // JSON lines of plan.UserRemoval
	ChunkWriteBack   ChunkKind = "authing-writeback" // JSON lines of plan.WriteBack
)
