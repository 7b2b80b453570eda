package wecom

import (
	"encoding/json"
	"slices"

	"github.com/wecomsync/wecomsync/emulators/internal/jsonio"
)

// User status values (response field "status").
const (
	StatusActive   = 1 // 已激活
	StatusDisabled = 2 // 已禁用
	StatusInactive = 4 // 未激活
	StatusLeft     = 5 // 退出企业
)

// RootDepartmentID is the id of the root department, named after the corp.
const RootDepartmentID = 1

// Department is a WeCom department as the API shows it.
type Department struct {
	ID       int    `json:"id"`
	Name     string `json:"name"`
	NameEn   string `json:"name_en,omitempty"`
	ParentID int    `json:"parentid"`
	Order    uint32 `json:"order"`
	// DepartmentLeader is computed from the members' is_leader_in_dept on reads; ignored by Seed.
	DepartmentLeader []string `json:"department_leader,omitempty"`
}

// DepartmentRef is one row of department/simplelist.
type DepartmentRef struct {
	ID       int    `json:"id"`
	ParentID int    `json:"parentid"`
	Order    uint32 `json:"order"`
}

// User is a WeCom member as the API shows it (user/get, user/list) and as a Fixture holds it.
type User struct {
	UserID           string          `json:"userid"`
	Name             string          `json:"name"`
	Alias            string          `json:"alias,omitempty"`
	Mobile           string          `json:"mobile,omitempty"`
	Department       []int           `json:"department"`
	Order            []uint32        `json:"order,omitempty"`
	Position         string          `json:"position,omitempty"`
	Gender           string          `json:"gender,omitempty"`
	Email            string          `json:"email,omitempty"`
	BizMail          string          `json:"biz_mail,omitempty"`
	IsLeaderInDept   []int           `json:"is_leader_in_dept,omitempty"`
	DirectLeader     []string        `json:"direct_leader,omitempty"`
	MainDepartment   int             `json:"main_department,omitempty"`
	Telephone        string          `json:"telephone,omitempty"`
	Address          string          `json:"address,omitempty"`
	Avatar           string          `json:"avatar,omitempty"`
	ThumbAvatar      string          `json:"thumb_avatar,omitempty"`
	QRCode           string          `json:"qr_code,omitempty"`
	Status           int             `json:"status"`
	ExtAttr          json.RawMessage `json:"extattr,omitempty"`
	ExternalPosition string          `json:"external_position,omitempty"`
	ExternalProfile  json.RawMessage `json:"external_profile,omitempty"`
}

// UserRef is one row of user/simplelist.
type UserRef struct {
	UserID     string `json:"userid"`
	Name       string `json:"name"`
	Department []int  `json:"department"`
}

// DeptUser is one row of user/list_id: one per (user, department).
type DeptUser struct {
	UserID     string `json:"userid"`
	Department int    `json:"department"`
}

// Fixture is a whole corp directory, for Seed and Snapshot; it loads from JSON (LoadFixture).
// Departments may come in any order; the root (id 1) is added, named CorpName, when missing.
// A seeded user without status is active (1).
type Fixture struct {
	CorpID      string       `json:"corp_id,omitempty"`
	CorpName    string       `json:"corp_name"`
	Departments []Department `json:"departments"`
	Users       []User       `json:"users"`
}

// LoadFixture reads a Fixture from a JSON file.
func LoadFixture(path string) (Fixture, error) {
	return jsonio.ReadFile[Fixture]("fixture", path)
}

// clone returns a deep copy of the department.
func (d Department) clone() Department {
	d.DepartmentLeader = slices.Clone(d.DepartmentLeader)
	return d
}

// clone returns a deep copy of the user.
func (u User) clone() User {
	u.Department = slices.Clone(u.Department)
	u.Order = slices.Clone(u.Order)
	u.IsLeaderInDept = slices.Clone(u.IsLeaderInDept)
	u.DirectLeader = slices.Clone(u.DirectLeader)
	u.ExtAttr = slices.Clone(u.ExtAttr)
	u.ExternalProfile = slices.Clone(u.ExternalProfile)
	return u
}

// hideSensitive removes what a 代开发 app never receives: the fields WeCom stopped returning on
// 2022-06-20 are left out, except gender, which reads "0" ("不可获取指返回值0", doc 96255), and
// direct_leader is never returned to a 代开发 app.
func (u User) hideSensitive() User {
	u.Mobile, u.Email, u.BizMail = "", "", ""
	u.Avatar, u.ThumbAvatar, u.QRCode = "", "", ""
	u.Address = ""
	u.Gender = "0"
	u.DirectLeader = nil
	return u
}
