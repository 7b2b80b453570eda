package directory

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// StripInvisible removes the characters a person cannot see in a cell — Unicode format characters
// (zero-width space and joiners, word joiner, BOM, soft hyphen, direction marks) — wherever they
// stand, and trims white space (including NBSP and the full-width space) from both ends.
// Spreadsheet tools and copy-paste leave them in ids; they are never part of a WeCom userid.
func StripInvisible(s string) string {
	if strings.IndexFunc(s, invisible) >= 0 {
		s = strings.Map(func(r rune) rune {
			if invisible(r) {
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '\u00a0' || r == '\u3000' })
}

func invisible(r rune) bool {
	return unicode.Is(unicode.Cf, r) || r == '\u200b' || r == '\ufeff'
}

// UserKey is the one key under which a WeCom userid is compared everywhere — rejected rows,
// matching and deletion: invisible characters and all white space removed, compatibility forms
// folded (full-width ｚｈａｎｇ３ is zhang3) and lower-cased, since WeCom compares userids
// case-insensitively. Two userids with the same key are the same person.
func UserKey(userID string) string {
	if isPlainKey(userID) {
		return userID
	}
	return foldKey(userID)
}

// foldKey is UserKey the long way, for any text.
func foldKey(userID string) string {
	s := norm.NFKC.String(StripInvisible(userID))
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || invisible(r) }) >= 0 {
		s = strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) || invisible(r) {
				return -1
			}
			return r
		}, s)
	}
	return strings.ToLower(s)
}

// isPlainKey reports whether s is its own key: printable ASCII without space or upper case, which
// normalization, stripping and lower-casing leave as it is (as almost every userid is).
func isPlainKey(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || 'A' <= c && c <= 'Z' {
			return false
		}
	}
	return true
}

// MaxUserIDBytes is the longest userid WeCom accepts (reference §4.1).
const MaxUserIDBytes = 64

// CheckUserID reports why id is not a valid WeCom userid (reference §4.1: 1–64 bytes of letters,
// digits and `_ - @ .`, the first a letter or digit), or nil.
func CheckUserID(id string) error {
	switch {
	case id == "":
		return errors.New("empty")
	case len(id) > MaxUserIDBytes:
		return fmt.Errorf("%d bytes, at most %d allowed", len(id), MaxUserIDBytes)
	case !isASCIIAlnum(rune(id[0])):
		return errors.New("must start with a letter or digit")
	}
	for _, r := range id {
		if !isASCIIAlnum(r) && r != '_' && r != '-' && r != '@' && r != '.' {
			return fmt.Errorf("character %q not allowed (only letters, digits, _ - @ .)", r)
		}
	}
	return nil
}

func isASCIIAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}
