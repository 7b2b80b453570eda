// Package mapping turns WeCom contacts into the Authing user attributes the sync manages, and
// compares them with what Authing holds. It is pure: no I/O, no clocks, no Temporal.
//
// The default mapping (DESIGN.md §1):
//
//	账号  → username and customData.wechatwork_user_id
//	姓名  → name
//	别名  → nickname
//	手机  → phone (+ phoneCountryCode, "+86" for mainland numbers)
//	邮箱  → email (企业邮箱 when 邮箱 is empty)
//	性别  → gender M / F (else U)
//	禁用状态 已禁用 → status Suspended (else Activated)
//	职务  → customData.wechatwork_position
//	部门  → department membership (main first)
//
// customData.wechatwork_department_ids holds the user's WeCom department ids, comma-separated, main
// first. The console export carries no ids, so offline (Excel) runs never write it.
package mapping

import (
	"strings"
)

// Custom field keys this product defines in Authing (reference/authing-api.md §6.3).
const (
	KeyUserID             = "wechatwork_user_id"
	KeyUserDepartmentIDs  = "wechatwork_department_ids"
	KeyUserPosition       = "wechatwork_position"
	KeyDepartmentID       = "wechatwork_department_id"
	KeyParentDepartmentID = "wechatwork_parent_department_id"
)

// Authing user status values the sync writes.
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

// Profile is the set of Authing user attributes the sync manages, normalised so that two profiles
// can be compared field by field. Empty means "no value".
type Profile struct {
	Username         string `json:"username,omitempty"`
	Name             string `json:"name,omitempty"`
	Nickname         string `json:"nickname,omitempty"`
	Phone            string `json:"phone,omitempty"`
	PhoneCountryCode string `json:"phoneCountryCode,omitempty"`
	Email            string `json:"email,omitempty"`
	Gender           string `json:"gender,omitempty"`
	Status           string `json:"status,omitempty"`
	WeComUserID      string `json:"wecomUserId,omitempty"`
	Position         string `json:"position,omitempty"`
}

// Field is one managed attribute: its name in the Authing API (customData keys carry the prefix
// "customData.") and how to read it from a Profile.
type Field struct {
	Name string
	get  func(*Profile) string
}

// Fields lists the managed attributes in a fixed order (the order of update payloads and reports).
var fields = []Field{
	{"username", func(p *Profile) string { return p.Username }},
	{"name", func(p *Profile) string { return p.Name }},
	{"nickname", func(p *Profile) string { return p.Nickname }},
	{"phone", func(p *Profile) string { return p.Phone }},
	{"phoneCountryCode", func(p *Profile) string { return p.PhoneCountryCode }},
	{"email", func(p *Profile) string { return p.Email }},
	{"gender", func(p *Profile) string { return p.Gender }},
	{"status", func(p *Profile) string { return p.Status }},
	{"customData." + KeyUserID, func(p *Profile) string { return p.WeComUserID }},
	{"customData." + KeyUserPosition, func(p *Profile) string { return p.Position }},
}

// FieldNames returns the names of every managed attribute, for validating an ignore list.
func FieldNames() []string {
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.Name
	}
	return names
}

// IsField reports whether name is a managed attribute ("mobile" is accepted as "phone").
func IsField(name string) bool {
	name = canonicalField(name)
	for _, f := range fields {
		if f.Name == name {
			return true
		}
	}
	return false
}

func canonicalField(name string) string {
	switch name {
	case "mobile":
		return "phone"
	case KeyUserID, KeyUserPosition:
		return "customData." + name
	}
	return name
}

// Changes returns the attributes of want that differ from have, as an Authing update payload
// (customData keys nested under "customData"). Fields named in ignore are never included; an empty
// value in want never clears a value in have (the export leaves optional columns blank).
// The phone country code travels with the phone: it is sent only when the phone is.
func Changes(want, have Profile, ignore []string) map[string]any {
	skip := make(map[string]bool, len(ignore))
	for _, n := range ignore {
		skip[canonicalField(n)] = true
	}
	out := map[string]any{}
	var custom map[string]any
	for _, f := range fields {
		if skip[f.Name] || f.Name == "phoneCountryCode" {
			continue
		}
		w, h := f.get(&want), f.get(&have)
		if w == "" || equalValue(f.Name, w, h) || (f.Name == "status" && !syncedStatus(h)) {
			continue
		}
		if key, ok := strings.CutPrefix(f.Name, "customData."); ok {
			if custom == nil {
				custom = map[string]any{}
			}
			custom[key] = w
			continue
		}
		out[f.Name] = w
		if f.Name == "phone" && want.PhoneCountryCode != "" {
			out["phoneCountryCode"] = want.PhoneCountryCode
		}
	}
	if custom != nil {
		// Whether update-user merges or replaces customData is unconfirmed: the key the sync
		// recognises its users by travels with every customData write, so it can never be lost.
		if _, ok := custom[KeyUserID]; !ok && want.WeComUserID != "" && !skip["customData."+KeyUserID] {
			custom[KeyUserID] = want.WeComUserID
		}
		out["customData"] = custom
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// syncedStatus reports whether the sync may change a user's status: only between Activated and
// Suspended (the export's 禁用状态). Resigned, Deactivated and Archived are an Authing admin's
// decisions and are left alone.
func syncedStatus(s string) bool {
	return s == "" || s == StatusActivated || s == StatusSuspended
}

func equalValue(field, a, b string) bool {
	if field == "email" {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// CreateFields returns the full attribute set of p as an Authing create payload (customData nested).
func CreateFields(p Profile) map[string]any {
	return Changes(p, Profile{}, nil)
}
