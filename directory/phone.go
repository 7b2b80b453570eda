package directory

import (
	"strings"
	"unicode"
)

// MainlandCode is the country code of a number written without one.
const MainlandCode = "+86"

// countryCodes are the calling codes recognised when a number has no separator after the code
// ("+85259****24"); longest first so "+852" wins over "+8".
var countryCodes = []string{
	"+852", "+853", "+886", "+60", "+61", "+62", "+63", "+64", "+65", "+66", "+81", "+82", "+84",
	"+86", "+33", "+44", "+49", "+1", "+7",
}

// SplitPhone splits a phone number into its national number and country code, so that
// "+86 138-0000-0000", "+8613800000000" and "13800000000" all become ("13800000000", "+86").
// Numbers without a country code are mainland numbers. Unparseable input is returned as is,
// trimmed, with no code.
func SplitPhone(s string) (national, countryCode string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", ""
	}
	if !strings.HasPrefix(s, "+") {
		return digitsOnly(s), MainlandCode
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

// NormalizePhone returns the one form a User's Mobile is compared in: "+<code> <national>", so
// that a change of the country code alone is a change ("" for an empty number).
func NormalizePhone(s string) string {
	national, code := SplitPhone(s)
	return JoinPhone(code, national)
}

// JoinPhone writes a country code and a national number in the form NormalizePhone returns.
func JoinPhone(code, national string) string {
	switch {
	case national == "":
		return ""
	case code == "" || strings.HasPrefix(national, "+"):
		return national
	}
	return code + " " + national
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
