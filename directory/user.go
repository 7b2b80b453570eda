package directory

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Gender values of User.Gender ("" = no value).
const (
	GenderMale    = "M"
	GenderFemale  = "F"
	GenderUnknown = "U"
)

// Status values of User.Status ("" = no value). Any other value is a status the sync does not
// manage (an Authing admin's Resigned, Archived, …): it is compared with nothing and never changed.
const (
	StatusEnabled  = "enabled"
	StatusDisabled = "disabled"
)

// User is one person as either system describes them. An empty field means "no value": it is
// never compared and never written (an empty cell or a hidden field must not reset anything).
type User struct {
	// UserID is the WeCom userid (the export's 账号): the identity across both systems.
	UserID string `json:"userId"`
	Name   string `json:"name,omitempty"`
	Alias  string `json:"alias,omitempty"`
	// Mobile is "+<country code> <national number>", e.g. "+86 13800000000" (see NormalizePhone).
	Mobile   string `json:"mobile,omitempty"`
	Email    string `json:"email,omitempty"`
	Gender   string `json:"gender,omitempty"`
	Position string `json:"position,omitempty"`
	Status   string `json:"status,omitempty"`
	// Departments are the user's departments, main first, as keys of one side's tree (paths in
	// an upstream run, department ids in a downstream run).
	Departments []string `json:"departments,omitempty"`
}

// Equal reports whether u and o are the same in every attribute.
func (u User) Equal(o User) bool {
	return u.UserID == o.UserID && u.Name == o.Name && u.Alias == o.Alias && u.Mobile == o.Mobile && u.Email == o.Email &&
		u.Gender == o.Gender && u.Position == o.Position && u.Status == o.Status && slices.Equal(u.Departments, o.Departments)
}

// Field is one synced attribute of a User.
type Field string

// The synced attributes, in the order payloads and reports list them.
const (
	FieldName     Field = "name"
	FieldAlias    Field = "alias"
	FieldMobile   Field = "mobile"
	FieldEmail    Field = "email"
	FieldGender   Field = "gender"
	FieldPosition Field = "position"
	FieldStatus   Field = "status"
)

// Fields lists every synced attribute.
func Fields() []Field {
	return []Field{FieldName, FieldAlias, FieldMobile, FieldEmail, FieldGender, FieldPosition, FieldStatus}
}

// fieldAliases are the other names people use for a field: Authing's and WeCom's.
var fieldAliases = map[string]Field{
	"nickname": FieldAlias, "english_name": FieldAlias,
	"phone": FieldMobile, "phonecountrycode": FieldMobile, // not WeCom's telephone: a landline, not synced
	"biz_mail": FieldEmail,
	"enable":   FieldStatus, "disabled": FieldStatus,
	"customdata.wechatwork_position": FieldPosition, "wechatwork_position": FieldPosition,
}

// ParseField reads a field name as a person writes it in an ignore list: the neutral name, or
// Authing's (phone, nickname) or WeCom's (mobile, alias, enable) name for it.
func ParseField(name string) (Field, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	if f := Field(n); slices.Contains(Fields(), f) {
		return f, nil
	}
	if f, ok := fieldAliases[n]; ok {
		return f, nil
	}
	names := make([]string, 0, len(Fields()))
	for _, f := range Fields() {
		names = append(names, string(f))
	}
	return "", fmt.Errorf("%q is not a synced field (known: %s; Authing and WeCom names such as phone or enable work too)", name, strings.Join(names, ", "))
}

// FieldSet is a set of fields.
type FieldSet map[Field]bool

// ParseFields reads an ignore list into a set.
func ParseFields(names []string) (FieldSet, error) {
	set := FieldSet{}
	for _, n := range names {
		f, err := ParseField(n)
		if err != nil {
			return nil, err
		}
		set[f] = true
	}
	return set, nil
}

// AllFields is the set of every field.
func AllFields() FieldSet {
	set := FieldSet{}
	for _, f := range Fields() {
		set[f] = true
	}
	return set
}

// Without returns the fields of s not in other.
func (s FieldSet) Without(other FieldSet) FieldSet {
	out := FieldSet{}
	for f := range s {
		if !other[f] {
			out[f] = true
		}
	}
	return out
}

// Sorted lists the set in the order of Fields.
func (s FieldSet) Sorted() []Field {
	var out []Field
	for _, f := range Fields() {
		if s[f] {
			out = append(out, f)
		}
	}
	return out
}

// Get returns the value of field f.
func (u *User) Get(f Field) string {
	if p := u.field(f); p != nil {
		return *p
	}
	return ""
}

// Set sets the value of field f.
func (u *User) Set(f Field, v string) {
	if p := u.field(f); p != nil {
		*p = v
	}
}

func (u *User) field(f Field) *string {
	switch f {
	case FieldName:
		return &u.Name
	case FieldAlias:
		return &u.Alias
	case FieldMobile:
		return &u.Mobile
	case FieldEmail:
		return &u.Email
	case FieldGender:
		return &u.Gender
	case FieldPosition:
		return &u.Position
	case FieldStatus:
		return &u.Status
	}
	return nil
}

// Diff returns the fields among compare whose wanted value differs from the value have holds.
// Empty never resets: a field want has no value for is never in the result. A status the sync
// does not manage (neither enabled nor disabled) is never changed. Emails compare
// case-insensitively.
func Diff(want, have User, compare FieldSet) []Field {
	var out []Field
	for _, f := range Fields() {
		if !compare[f] {
			continue
		}
		w, h := want.Get(f), have.Get(f)
		if w == "" || Equal(f, w, h) {
			continue
		}
		if f == FieldStatus && h != "" && h != StatusEnabled && h != StatusDisabled {
			continue
		}
		out = append(out, f)
	}
	return out
}

// Equal reports whether two values of field f are the same.
func Equal(f Field, a, b string) bool {
	if f == FieldEmail {
		return strings.EqualFold(a, b)
	}
	return a == b
}

// SameDepartments reports whether two department lists (main first) have the same members and,
// with compareMain, the same main department. A side that cannot say which department is the
// main one is compared as a set.
func SameDepartments(want, have []string, compareMain bool) bool {
	if len(want) != len(have) {
		return false
	}
	if compareMain && len(want) > 0 && want[0] != have[0] {
		return false
	}
	a, b := slices.Clone(want), slices.Clone(have)
	sort.Strings(a)
	sort.Strings(b)
	return slices.Equal(a, b)
}
