package mapping

import (
	"strings"

	"github.com/wecomsync/wecomsync/directory"
)

// Contact is a WeCom member as the export (or the API) describes it, before mapping. Text fields
// are "" when the export has no such column or the cell is empty.
type Contact struct {
	UserID   string
	Name     string
	Alias    string
	Position string
	Gender   string // 男 / 女 / "1" / "2" / other
	Mobile   string
	Email    string
	BizMail  string
	// Disabled is nil when the export does not say (no 禁用状态 column, or an empty cell).
	Disabled *bool
}

// FromContact maps a WeCom contact onto the neutral user. Only what the contact says is set.
func FromContact(c Contact) directory.User {
	email := strings.TrimSpace(c.Email)
	if email == "" {
		email = strings.TrimSpace(c.BizMail)
	}
	u := directory.User{
		UserID:   c.UserID,
		Name:     c.Name,
		Alias:    c.Alias,
		Mobile:   directory.NormalizePhone(c.Mobile),
		Email:    email,
		Gender:   Gender(c.Gender),
		Position: c.Position,
	}
	if c.Disabled != nil {
		u.Status = directory.StatusEnabled
		if *c.Disabled {
			u.Status = directory.StatusDisabled
		}
	}
	return u
}

// Gender maps WeCom's gender (console text or API code) to the neutral M / F / U; an empty value
// stays empty.
func Gender(s string) string {
	switch strings.TrimSpace(s) {
	case "":
		return ""
	case "男", "1", "M", "m":
		return directory.GenderMale
	case "女", "2", "F", "f":
		return directory.GenderFemale
	}
	return directory.GenderUnknown
}

// WeCom app modes (a connection's WECOMSYNC_WECOM_MODE).
const (
	ModeSelfBuilt = "selfbuilt" // 自建: every field readable where the IP may read details
	ModeDaiKaiFa  = "daikaifa"  // 代开发: WeCom hides the sensitive fields
)

// HiddenFields are the synced fields WeCom never shows an app of mode: 代开发 apps (and apps made
// after 2022-06-20) get no mobile, email or gender (gender reads "0"), so those are never compared
// with what WeCom answers.
func HiddenFields(mode string) directory.FieldSet {
	if mode == ModeDaiKaiFa {
		return directory.FieldSet{directory.FieldMobile: true, directory.FieldEmail: true, directory.FieldGender: true}
	}
	return directory.FieldSet{}
}

// WeCom member status values (user/get, user/list).
const (
	wecomActive   = 1
	wecomDisabled = 2
	wecomInactive = 4
)

// FromWeComAPI maps a member as user/get or user/list answers it onto the neutral user, keeping
// only the readable fields (the rest stay empty: unknown, never "no value in WeCom").
func FromWeComAPI(c Contact, status int, readable directory.FieldSet) directory.User {
	u := FromContact(c)
	switch status {
	case wecomActive, wecomInactive:
		u.Status = directory.StatusEnabled
	case wecomDisabled:
		u.Status = directory.StatusDisabled
	}
	for _, f := range directory.Fields() {
		if !readable[f] {
			u.Set(f, "")
		}
	}
	return u
}

// WeComGender is the neutral gender as WeCom writes it: "1" male, "2" female, "0" undefined.
func WeComGender(g string) string {
	switch g {
	case directory.GenderMale:
		return "1"
	case directory.GenderFemale:
		return "2"
	}
	return "0"
}

// WeComEnable is the neutral status as WeCom's enable writes it (1 enabled, 0 disabled).
func WeComEnable(status string) int {
	if status == directory.StatusDisabled {
		return 0
	}
	return 1
}
