package directory

import (
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
