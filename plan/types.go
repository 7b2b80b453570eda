// Package plan computes what a sync must write. It compares a desired directory (the WeCom export
// upstream, Authing downstream) with the one the run writes to, and returns the writes per object
// type — department creates, user creates, adoptions, updates, membership changes, deletions — in
// a deterministic order, with the counts and the safety thresholds a run checks before it writes.
// It is pure: no I/O, no clocks, no Temporal.
package plan

import (
	"github.com/wecomsync/wecomsync/directory"
)

// Mode is what an upstream run does (DESIGN.md §1).
type Mode string

// Upstream modes.
const (
	// ModeCreateUpdate creates departments and users missing from Authing and updates changed users
	// (「全量对比创建与更新」). Users absent from the file are left alone.
	ModeCreateUpdate Mode = "create-update"
	// ModeDeleteOnly deletes (or suspends) users the sync owns that are absent from the file, inside
	// the scope the file is an export of (「全量对比仅删除」).
	ModeDeleteOnly Mode = "delete-only"
)

// DeleteAction is what delete-only does to a user absent from the file.
type DeleteAction string

// Delete actions.
const (
	DeleteActionDelete  DeleteAction = "delete"
	DeleteActionSuspend DeleteAction = "suspend"
)

// Match keys by which a member of the file may adopt an existing account that no WeCom userid
// is linked to yet (after wechatwork_user_id, which always comes first).
const (
	MatchUsername = "username"
	MatchPhone    = "phone"
	MatchEmail    = "email"
	MatchNone     = "none"
)

// DefaultMatchBy is the adoption order when Options.MatchBy is empty.
func DefaultMatchBy() []string { return []string{MatchUsername, MatchPhone, MatchEmail} }

// RootPath is the path of the organization root.
const RootPath = directory.RootPath

// DesiredUser is one member of the export after mapping; User.Departments are paths below the
// organization root, main first (RootPath = the root itself).
type DesiredUser struct {
	Sheet string         `json:"sheet,omitempty"`
	Row   int            `json:"row,omitempty"`
	User  directory.User `json:"user"`
}

// CurrentUser is one Authing user of the pool. User.UserID is its wechatwork_user_id: empty for
// an account the sync does not own (yet).
type CurrentUser struct {
	AuthingID string         `json:"authingId"`
	Username  string         `json:"username,omitempty"`
	User      directory.User `json:"user"`
	// DepartmentIDs are the Authing ids of every department the user belongs to, any organization.
	DepartmentIDs []string `json:"departmentIds,omitempty"`
	// MainDepartmentID is the user's main department ("" when Authing does not say).
	MainDepartmentID string `json:"mainDepartmentId,omitempty"`
}

// Owned reports whether the sync owns the account (it carries a WeCom userid).
func (u CurrentUser) Owned() bool { return u.User.UserID != "" }

// Options tune a plan.
type Options struct {
	Mode         Mode         `json:"mode"`
	DeleteAction DeleteAction `json:"deleteAction,omitempty"`
	// IgnoreFields are fields never written on update (directory.ParseField names; Authing's and
	// WeCom's names work too).
	IgnoreFields []string `json:"ignoreFields,omitempty"`
	// MatchBy is the order in which a member without an owned account adopts an existing one
	// (username, phone, email; ["none"] = never). Empty = DefaultMatchBy.
	MatchBy []string `json:"matchBy,omitempty"`
	// Scope are the department paths delete-only may delete in (["/"] = the whole
	// organization); empty = inferred from the file (InferScope).
	Scope []string `json:"scope,omitempty"`
}

// DepartmentCreate creates the department at Path under the department at Parent.
type DepartmentCreate struct {
	Path   string `json:"path"`
	Parent string `json:"parent"`
	Name   string `json:"name"`
}

// UserCreate creates a user with the given attributes and memberships (paths, main first).
type UserCreate struct {
	Sheet string         `json:"sheet,omitempty"`
	Row   int            `json:"row,omitempty"`
	User  directory.User `json:"user"`
}

// UserChange updates an existing user: Fields (an Authing update payload with only the changed
// attributes) and/or the full list of memberships (Departments, main first) when they differ.
// KeepDepartmentIDs are memberships outside the synced organization, kept as they are. An
// adoption links an existing account to its WeCom userid (in Fields).
type UserChange struct {
	AuthingID         string         `json:"authingId"`
	UserID            string         `json:"userId"`
	Sheet             string         `json:"sheet,omitempty"`
	Row               int            `json:"row,omitempty"`
	Adopt             bool           `json:"adopt,omitempty"`
	AdoptedBy         string         `json:"adoptedBy,omitempty"` // the match key: username, phone or email
	Fields            map[string]any `json:"fields,omitempty"`
	Departments       []string       `json:"departments,omitempty"`
	KeepDepartmentIDs []string       `json:"keepDepartmentIds,omitempty"`
}

// UserDelete deletes (or suspends) a user absent from the file.
type UserDelete struct {
	AuthingID string       `json:"authingId"`
	UserID    string       `json:"userId"`
	Action    DeleteAction `json:"action"`
}

// Ambiguous is a member the plan leaves untouched because it fits no single account.
type Ambiguous struct {
	UserID string `json:"userId"`
	Sheet  string `json:"sheet,omitempty"`
	Row    int    `json:"row,omitempty"`
	Reason string `json:"reason"`
}

// Kept is a user absent from the file that delete-only leaves alone, and why.
type Kept struct {
	AuthingID string `json:"authingId"`
	UserID    string `json:"userId"`
	Reason    string `json:"reason"`
}

// Reasons of Kept.
const (
	KeptElsewhere = "kept: belongs elsewhere"
)

// Plan is the full set of writes of one run, in the order they must be applied.
type Plan struct {
	// Scope is where delete-only may delete (nil for create-update).
	Scope             *Scope             `json:"scope,omitempty"`
	DepartmentCreates []DepartmentCreate `json:"departmentCreates,omitempty"`
	UserCreates       []UserCreate       `json:"userCreates,omitempty"`
	UserChanges       []UserChange       `json:"userChanges,omitempty"`
	UserDeletes       []UserDelete       `json:"userDeletes,omitempty"`
	Ambiguous         []Ambiguous        `json:"ambiguous,omitempty"`
	Kept              []Kept             `json:"kept,omitempty"`
	Counts            Counts             `json:"counts"`
	// OwnedUsers is how many Authing users the sync owns now.
	OwnedUsers int `json:"ownedUsers"`
	// OwnedInScope is how many of them lie inside the delete scope (the base of delete
	// percentages in delete-only).
	OwnedInScope int `json:"ownedInScope,omitempty"`
	// Notes are sentences for the person reading the plan (the scope used, …).
	Notes []string `json:"notes,omitempty"`
}
