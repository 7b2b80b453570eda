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
