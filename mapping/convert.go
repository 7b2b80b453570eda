package mapping

import (
	"strconv"
	"strings"
	"unicode"
)

// Contact is a WeCom member as the export (or the API) describes it, before mapping.
type Contact struct {
	UserID   string
	Name     string
	Alias    string
	Position string
	Gender   string // 男 / 女 / "1" / "2" / other
	Mobile   string
	Email    string
	BizMail  string
	Disabled bool
}

// FromContact maps a WeCom contact onto the Authing attributes the sync manages.
func FromContact(c Contact) Profile {
	phone, code := NormalizePhone(c.Mobile)
	email := strings.TrimSpace(c.Email)
	if email == "" {
		email = strings.TrimSpace(c.BizMail)
	}
	status := StatusActivated
	if c.Disabled {
		status = StatusSuspended
	}
	return Profile{
		Username:         c.UserID,
		Name:             c.Name,
		Nickname:         c.Alias,
		Phone:            phone,
		PhoneCountryCode: code,
		Email:            email,
		Gender:           Gender(c.Gender),
		Status:           status,
		WeComUserID:      c.UserID,
		Position:         c.Position,
	}
}

// AuthingUser is the part of an Authing user the mapping reads.
type AuthingUser struct {
	Username, Name, Nickname, Phone, PhoneCountryCode, Email, Gender, Status string
	CustomData                                                               map[string]any
}

// FromAuthing reads the managed attributes of an Authing user, normalised like FromContact's output.
func FromAuthing(u AuthingUser) Profile {
	phone, code := NormalizePhone(joinPhone(u.PhoneCountryCode, u.Phone))
	return Profile{
		Username:         u.Username,
		Name:             u.Name,
		Nickname:         u.Nickname,
		Phone:            phone,
		PhoneCountryCode: code,
		Email:            u.Email,
		Gender:           u.Gender,
		Status:           u.Status,
		WeComUserID:      CustomString(u.CustomData, KeyUserID),
		Position:         CustomString(u.CustomData, KeyUserPosition),
	}
}

// CustomString reads a customData value as a string ("" when absent or not a string or number).
func CustomString(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case string:
		return v
	case float64:
		return formatFloat(v)
	}
	return ""
}

func joinPhone(code, phone string) string {
	if phone == "" || code == "" || strings.HasPrefix(phone, "+") {
		return phone
	}
	return code + " " + phone
}

// Gender maps WeCom's gender (console text or API code) to Authing's M / F / U.
func Gender(s string) string {
	switch strings.TrimSpace(s) {
	case "男", "1", "M", "m":
		return "M"
	case "女", "2", "F", "f":
		return "F"
	}
	return "U"
}

// countryCodes are the calling codes recognised when a number has no separator after the code
// ("+85259****24"); longest first so "+852" wins over "+8".
var countryCodes = []string{
	"+852", "+853", "+886", "+60", "+61", "+62", "+63", "+64", "+65", "+66", "+81", "+82", "+84",
	"+86", "+33", "+44", "+49", "+1", "+7",
}

// NormalizePhone splits a phone number into the national number and its country code, so that
// "+86 138-0000-0000", "+8613800000000" and "13800000000" all become ("13800000000", "+86").
// Numbers without a country code are mainland numbers. Unparseable input is returned as is, trimmed.
func NormalizePhone(s string) (phone, countryCode string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if !strings.HasPrefix(s, "+") {
		return digitsOnly(s), "+86"
	}
	// "+852 5900 0024" or "+852-59000024": the code ends at the first separator.
	if i := strings.IndexFunc(s[1:], func(r rune) bool { return !unicode.IsDigit(r) }); i >= 0 {
		code := s[:i+1]
		if rest := digitsOnly(s[i+1:]); rest != "" {
			return rest, code
		}
	}
	for _, code := range countryCodes {
		if strings.HasPrefix(s, code) {
			return digitsOnly(s[len(code):]), code
		}
	}
	return s, ""
}

func digitsOnly(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func formatFloat(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}
