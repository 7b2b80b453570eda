package wecomexport

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/wecomsync/wecomsync/directory"
)

// Reasons used in Reject.Reason. A reason for an invalid 账号 starts with ReasonInvalidUserID and goes
// on with the rule it breaks; a duplicate's reason is built by DuplicateReason.
const (
	ReasonMissingUserID    = "missing 账号"
	ReasonMissingName      = "missing 姓名"
	ReasonInvalidUserID    = "invalid 账号"
	ReasonEmptyPathSegment = "empty department path segment"
)

// Field names used in Reject.Field and FileError.Field: the console's current labels, whatever
// variant the file used.
const (
	FieldUserID       = "账号"
	FieldName         = "姓名"
	FieldAlias        = "别名"
	FieldPosition     = "职务"
	FieldDepartment   = "部门"
	FieldGender       = "性别"
	FieldMobile       = "手机"
	FieldTelephone    = "座机"
	FieldEmail        = "邮箱"
	FieldAddress      = "地址"
	FieldBizMail      = "企业邮箱"
	FieldVideoChannel = "视频号"
	FieldActiveStatus = "激活状态"
	FieldDisabled     = "禁用状态"
	FieldWeChatPlugin = "微信插件"
)

// MaxUserIDBytes is the longest userid WeCom accepts (reference §4.1).
const MaxUserIDBytes = directory.MaxUserIDBytes

// ErrEmptyPathSegment is returned by SplitDepartments for `A//B`, `/A` or `A/`.
var ErrEmptyPathSegment = errors.New(ReasonEmptyPathSegment)

// DuplicateReason is the Reject.Reason of a row whose 账号 (compared case-insensitively) was already
// taken by an earlier valid row at the given sheet and Excel row number.
func DuplicateReason(firstSheet string, firstRow int) string {
	return fmt.Sprintf("duplicate 账号, first seen in %s row %d", firstSheet, firstRow)
}

// CheckUserID reports whether id is a valid WeCom userid (directory.CheckUserID). The error text
// starts with ReasonMissingUserID or ReasonInvalidUserID.
func CheckUserID(id string) error {
	if id == "" {
		return errors.New(ReasonMissingUserID)
	}
	if err := directory.CheckUserID(id); err != nil {
		return fmt.Errorf("%s: %v", ReasonInvalidUserID, err)
	}
	return nil
}

// SplitDepartments splits a 部门 cell into department paths: paths are separated by full-width `；`
// or ASCII `;`, segments by `/`; every segment is trimmed. Empty paths (a trailing separator) are
// dropped and repeated paths kept once, in order, so the main department stays first. An empty
// segment inside a path (`A//B`, `/A`, `A/`) is ErrEmptyPathSegment. An empty cell gives nil.
func SplitDepartments(cell string) ([][]string, error) {
	var paths [][]string
	seen := make(map[string]bool)
	for _, p := range strings.FieldsFunc(cell, func(r rune) bool { return r == '；' || r == ';' }) {
		p = clean(p)
		if p == "" {
			continue
		}
		segs := strings.Split(p, "/")
		for i, s := range segs {
			if segs[i] = clean(s); segs[i] == "" {
				return nil, ErrEmptyPathSegment
			}
		}
		key := strings.Join(segs, "/")
		if seen[key] {
			continue
		}
		seen[key] = true
		paths = append(paths, segs)
	}
	return paths, nil
}

// clean trims white space (including the full-width U+3000 and NBSP) and invisible marks (zero-width
// space, BOM) from both ends.
func clean(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff'
	})
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDisabled reads a 禁用状态 cell's text (a TRUE/FALSE cell gives "TRUE"/"FALSE"): nil when
// it is empty or says neither.
func parseDisabled(s string) *bool {
	var v bool
	switch strings.ToLower(s) {
	case "已禁用", "禁用", "是", "1", "true":
		v = true
	case "未禁用", "启用", "正常", "否", "0", "false":
		v = false
	default:
		return nil
	}
	return &v
}
