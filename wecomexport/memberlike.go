package wecomexport

import (
	"strings"
	"unicode"

	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/wecomexport/internal/xlsx"
)

// memberLike reports whether a row read without a header looks like a member row: one cell is a
// valid 账号 and another, different cell is a department path or a phone number. A notice block
// (one text cell a row) never matches, nor does a row of prose; an export row always does, since
// it has a 账号 and a 部门 or 手机. The rule errs towards matching (a sheet listing ids and phones
// of anything matches too): a false match only makes a caller ask before trusting the file, a
// miss could let a partial file pass as complete.
func memberLike(cells []xlsx.Cell) bool {
	ids, attrs := 0, 0
	idCol, attrCol := 0, 0
	for _, c := range cells {
		if c.Type != xlsx.Text && c.Type != xlsx.Number {
			continue
		}
		v := directory.StripInvisible(c.Value)
		if CheckUserID(v) == nil {
			ids++
			idCol = c.Col
		}
		if c.Type == xlsx.Text && looksLikePath(v) || looksLikePhone(v) {
			attrs++
			attrCol = c.Col
		}
	}
	return ids > 0 && attrs > 0 && (ids > 1 || attrs > 1 || idCol != attrCol)
}

// looksLikePath reports whether s reads as 部门 paths: valid by SplitDepartments, at least one path
// of two or more segments, some letters (so that dates such as 2024/01/02 do not match), no URL.
func looksLikePath(s string) bool {
	if !strings.Contains(s, "/") || strings.Contains(s, "://") || !strings.ContainsFunc(s, unicode.IsLetter) {
		return false
	}
	paths, err := SplitDepartments(s)
	if err != nil {
		return false
	}
	for _, p := range paths {
		if len(p) >= 2 {
			return true
		}
	}
	return false
}

// looksLikePhone reports whether s reads as a phone number: an optional +, then 7–15 digits,
// possibly grouped by spaces, dashes or parentheses.
func looksLikePhone(s string) bool {
	s = strings.TrimPrefix(s, "+")
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == ' ' || r == '-' || r == '(' || r == ')':
		default:
			return false
		}
	}
	return digits >= 7 && digits <= 15
}
