// Package mapping translates between each system's description of a person and the neutral
// directory.User both sync directions compare: the WeCom export and API on one side, Authing's
// user attributes and custom data on the other. It is pure: no I/O, no clocks, no Temporal.
//
// The default mapping (DESIGN.md §1), in neutral terms:
//
//	WeCom        neutral      Authing
//	账号/userid  UserID       username (on create) and customData.wechatwork_user_id
//	姓名/name    name         name
//	别名/alias   alias        nickname
//	手机/mobile  mobile       phone + phoneCountryCode
//	邮箱/email   email        email (the export's 企业邮箱 when 邮箱 is empty)
//	性别/gender  gender       gender: 男/"1" M, 女/"2" F, anything else U
//	职务/position position    customData.wechatwork_position
//	禁用状态/enable status    status: 已禁用/enable 0 Suspended, 未禁用/enable 1 Activated
//	部门/department departments department membership, main first
//
// An empty value is no value: it is never compared and never written. Authing statuses other than
// Activated and Suspended (Resigned, Deactivated, Archived) are an Authing admin's decision and
// are never changed by an upstream run.
//
// customData.wechatwork_department_ids holds the user's WeCom department ids, comma-separated,
// main first. The console export carries no ids, so offline (Excel) runs never write it.
package mapping

import (
	"strings"

	"github.com/wecomsync/wecomsync/directory"
)

// Custom field keys this product defines in Authing (reference/authing-api.md §6.3).
const (
	KeyUserID             = "wechatwork_user_id"
	KeyUserDepartmentIDs  = "wechatwork_department_ids"
	KeyUserPosition       = "wechatwork_position"
	KeyDepartmentID       = "wechatwork_department_id"
	KeyParentDepartmentID = "wechatwork_parent_department_id"
)

// Authing user status values.
const (
	StatusActivated = "Activated"
	StatusSuspended = "Suspended"
)

// CustomField describes one Authing custom field the sync needs.
type CustomField struct {
	TargetType string `json:"targetType"` // USER or DEPARTMENT
	Key        string `json:"key"`
	Label      string `json:"label"`
	IsUnique   bool   `json:"isUnique,omitempty"`
}

// CustomFields lists every custom field the sync reads or writes; they must exist before the first write.
func CustomFields() []CustomField {
	return []CustomField{
		{TargetType: "USER", Key: KeyUserID, Label: "企业微信 UserID", IsUnique: true},
		{TargetType: "USER", Key: KeyUserDepartmentIDs, Label: "企业微信部门ID列表"},
		{TargetType: "USER", Key: KeyUserPosition, Label: "企业微信职务"},
		{TargetType: "DEPARTMENT", Key: KeyDepartmentID, Label: "企业微信部门ID"},
		{TargetType: "DEPARTMENT", Key: KeyParentDepartmentID, Label: "企业微信父部门ID"},
	}
}

// ParseIgnoreFields reads an ignore list into the set of fields never written on update. The
// identity (username, wechatwork_user_id) is never updated anyway, so naming it is accepted.
func ParseIgnoreFields(names []string) (directory.FieldSet, error) {
	var rest []string
	for _, n := range names {
		switch strings.ToLower(strings.TrimSpace(n)) {
		case "username", "userid", KeyUserID, "customdata." + KeyUserID:
			continue
		}
		rest = append(rest, n)
	}
	return directory.ParseFields(rest)
}
