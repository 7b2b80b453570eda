package mapping

import (
	"strconv"
	"strings"

	"github.com/wecomsync/wecomsync/directory"
)

// AuthingUser is the part of an Authing user the mapping reads.
type AuthingUser struct {
	Username, Name, Nickname, Phone, PhoneCountryCode, Email, Gender, Status string
	CustomData                                                               map[string]any
}

// FromAuthing reads an Authing user as the neutral user (Departments are left to the caller,
// which knows the tree). Authing's default gender U is a value like any other.
func FromAuthing(a AuthingUser) directory.User {
	return directory.User{
		UserID:   CustomString(a.CustomData, KeyUserID),
		Name:     a.Name,
		Alias:    a.Nickname,
		Mobile:   directory.NormalizePhone(directory.JoinPhone(a.PhoneCountryCode, a.Phone)),
		Email:    a.Email,
		Gender:   a.Gender,
		Position: CustomString(a.CustomData, KeyUserPosition),
		Status:   statusFromAuthing(a.Status),
	}
}

// DesiredStatus is an Authing status as WeCom should hold it downstream: Activated is enabled,
// every other status (Suspended, Deactivated, Resigned, Archived) disabled.
func DesiredStatus(authingStatus string) string {
	if authingStatus == "" || authingStatus == StatusActivated {
		return directory.StatusEnabled
	}
	return directory.StatusDisabled
}

func statusFromAuthing(s string) string {
	switch s {
	case StatusActivated:
		return directory.StatusEnabled
	case StatusSuspended:
		return directory.StatusDisabled
	}
	return s // a status the sync does not manage ("" when Authing did not say)
}

// AuthingFields returns the Authing attributes that carry the given fields of u, as an update or
// create payload: customData keys nested under "customData", the phone with its country code.
// Fields u has no value for are left out.
func AuthingFields(u directory.User, fields []directory.Field) map[string]any {
	out := map[string]any{}
	var custom map[string]any
	for _, f := range fields {
		v := u.Get(f)
		if v == "" {
			continue
		}
		switch f {
		case directory.FieldName:
			out["name"] = v
		case directory.FieldAlias:
			out["nickname"] = v
		case directory.FieldMobile:
			national, code := directory.SplitPhone(v)
			out["phone"] = national
			if code != "" {
				out["phoneCountryCode"] = code
			}
		case directory.FieldEmail:
			out["email"] = v
		case directory.FieldGender:
			out["gender"] = v
		case directory.FieldStatus:
			switch v {
			case directory.StatusEnabled:
				out["status"] = StatusActivated
			case directory.StatusDisabled:
				out["status"] = StatusSuspended
			}
		case directory.FieldPosition:
			if custom == nil {
				custom = map[string]any{}
			}
			custom[KeyUserPosition] = v
		}
	}
	if custom != nil {
		// Whether update-user merges or replaces customData is unconfirmed: the key the sync
		// recognises its users by travels with every customData write, so it can never be lost.
		custom[KeyUserID] = u.UserID
		out["customData"] = custom
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// AuthingLink is the update that makes an existing Authing user the sync's own: its
// wechatwork_user_id (an adopted account), together with the changed fields.
func AuthingLink(u directory.User, fields []directory.Field) map[string]any {
	out := AuthingFields(u, fields)
	if out == nil {
		out = map[string]any{}
	}
	custom, _ := out["customData"].(map[string]any)
	if custom == nil {
		custom = map[string]any{}
	}
	custom[KeyUserID] = u.UserID
	out["customData"] = custom
	return out
}

// CustomString reads a customData value as a string ("" when absent or not a string or number).
func CustomString(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// DepartmentIDList encodes a user's WeCom department ids for customData.wechatwork_department_ids
// (Authing has no array type): comma-separated, main first.
func DepartmentIDList(ids []string) string { return strings.Join(ids, ",") }
