// Package plan computes what an upstream sync must write: it compares the users of a WeCom export
// (desired state) with the users and departments Authing holds (current state) and returns the
// department creates, user creates, attribute updates, membership changes and deletions, in a
// deterministic order. It is pure: no I/O, no clocks, no Temporal.
package plan

import (
	"github.com/wecomsync/wecomsync/mapping"
)

// Mode is what an upstream run does (DESIGN.md §1).
type Mode string

// Upstream modes.
const (
	// ModeCreateUpdate creates departments and users missing from Authing and updates changed users
	// (「全量对比创建与更新」). Users absent from the file are left alone.
	ModeCreateUpdate Mode = "create-update"
	// ModeDeleteOnly deletes (or suspends) users the sync owns that are absent from the file, inside
	// the departments the file covers (「全量对比仅删除」).
	ModeDeleteOnly Mode = "delete-only"
)

// DeleteAction is what delete-only does to a user absent from the file.
type DeleteAction string

// Delete actions.
const (
	DeleteActionDelete  DeleteAction = "delete"
	DeleteActionSuspend DeleteAction = "suspend"
)

// RootPath is the path of the organization root.
const RootPath = ""

// DesiredUser is one member of the export after mapping.
type DesiredUser struct {
	Sheet       string          `json:"sheet,omitempty"`
	Row         int             `json:"row,omitempty"`
	Profile     mapping.Profile `json:"profile"`
	Departments []string        `json:"departments,omitempty"` // paths below the organization root, main first; RootPath = the root
}

// CurrentUser is one Authing user the sync owns (it carries wechatwork_user_id).
type CurrentUser struct {
	AuthingID     string          `json:"authingId"`
	Profile       mapping.Profile `json:"profile"`
	DepartmentIDs []string        `json:"departmentIds,omitempty"`
	// MainDepartmentID is the user's main department in Authing ("" when Authing does not say).
	MainDepartmentID string `json:"mainDepartmentId,omitempty"`
}

// Department is one Authing department of the organization.
type Department struct {
	ID       string `json:"id"`
	ParentID string `json:"parentId"`
	Name     string `json:"name"`
}

// Options tune a plan.
type Options struct {
	Mode         Mode         `json:"mode"`
	DeleteAction DeleteAction `json:"deleteAction,omitempty"`
	// IgnoreFields are attributes never written on update (mapping.FieldNames, "mobile" = "phone").
	IgnoreFields []string `json:"ignoreFields,omitempty"`
}

// DepartmentCreate creates the department at Path under the department at Parent.
type DepartmentCreate struct {
	Path   string `json:"path"`
	Parent string `json:"parent"`
	Name   string `json:"name"`
}

// UserCreate creates a user with the given attributes and memberships.
type UserCreate struct {
	Sheet       string          `json:"sheet,omitempty"`
	Row         int             `json:"row,omitempty"`
	Profile     mapping.Profile `json:"profile"`
	Departments []string        `json:"departments,omitempty"`
}

// UserChange updates an existing user: Fields (only the changed attributes) and/or the full list of
// memberships (Departments, main first) when they differ. KeepDepartmentIDs are memberships outside
// the synced organization, kept as they are.
type UserChange struct {
	AuthingID         string         `json:"authingId"`
	UserID            string         `json:"userId"`
	Sheet             string         `json:"sheet,omitempty"`
	Row               int            `json:"row,omitempty"`
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

// Counts are numbers of objects per action.
type Counts struct {
	DepartmentsCreate int `json:"departmentsCreate"`
	UsersCreate       int `json:"usersCreate"`
	UsersUpdate       int `json:"usersUpdate"`     // users whose attributes change
	UsersMembership   int `json:"usersMembership"` // users whose department membership changes
	UsersDelete       int `json:"usersDelete"`
	UsersSuspend      int `json:"usersSuspend"`
	UsersUnchanged    int `json:"usersUnchanged"`
}

// Add returns the sum of c and o.
func (c Counts) Add(o Counts) Counts {
	return Counts{
		DepartmentsCreate: c.DepartmentsCreate + o.DepartmentsCreate,
		UsersCreate:       c.UsersCreate + o.UsersCreate,
		UsersUpdate:       c.UsersUpdate + o.UsersUpdate,
		UsersMembership:   c.UsersMembership + o.UsersMembership,
		UsersDelete:       c.UsersDelete + o.UsersDelete,
		UsersSuspend:      c.UsersSuspend + o.UsersSuspend,
		UsersUnchanged:    c.UsersUnchanged + o.UsersUnchanged,
	}
}

// Writes is the number of object writes the counts stand for (unchanged users excluded).
func (c Counts) Writes() int {
	return c.DepartmentsCreate + c.UsersCreate + c.UsersUpdate + c.UsersMembership + c.UsersDelete + c.UsersSuspend
}

// Plan is the full set of writes of one run, in the order they must be applied.
type Plan struct {
	DepartmentCreates []DepartmentCreate `json:"departmentCreates,omitempty"`
	UserCreates       []UserCreate       `json:"userCreates,omitempty"`
	UserChanges       []UserChange       `json:"userChanges,omitempty"`
	UserDeletes       []UserDelete       `json:"userDeletes,omitempty"`
	Counts            Counts             `json:"counts"`
	// OwnedUsers is how many Authing users the sync owns now (the base of delete percentages).
	OwnedUsers int `json:"ownedUsers"`
}
