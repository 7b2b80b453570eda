package wecomexport

import "strings"

// field is a column the parser knows by one of its labels.
type field int

const (
	fieldUserID field = iota
	fieldName
	fieldAlias
	fieldPosition
	fieldDepartment
	fieldGender
	fieldMobile
	fieldTelephone
	fieldEmail
	fieldAddress
	fieldBizMail
	fieldVideoChannel
	fieldActiveStatus
	fieldDisabled
	fieldWeChatPlugin
	numFields
)

// headerSearchRows is how many rows, from Options.StartRow, may stand above the header row.
const headerSearchRows = 20

// expectedLabels is said in ErrNoHeader messages.
const expectedLabels = "a row with the labels 姓名 and 账号 (or 帐号 / UserID)"

// fieldOf maps a header label (already cleaned) to its field. A leading or trailing `*` (a required
// marker) is ignored, and ASCII labels compare case-insensitively.
func fieldOf(label string) (field, bool) {
	label = clean(strings.Trim(label, "*"))
	switch strings.ToLower(label) {
	case "账号", "帐号", "userid":
		return fieldUserID, true
	case "姓名":
		return fieldName, true
	case "别名", "英文名", "英文id":
		return fieldAlias, true
	case "职务", "职位":
		return fieldPosition, true
	case "部门", "所在部门":
		return fieldDepartment, true
	case "性别":
		return fieldGender, true
	case "手机", "手机号":
		return fieldMobile, true
	case "座机", "电话":
		return fieldTelephone, true
	case "邮箱", "个人邮箱":
		return fieldEmail, true
	case "地址":
		return fieldAddress, true
	case "企业邮箱":
		return fieldBizMail, true
	case "视频号":
		return fieldVideoChannel, true
	case "激活状态":
		return fieldActiveStatus, true
	case "禁用状态":
		return fieldDisabled, true
	case "微信插件":
		return fieldWeChatPlugin, true
	}
	return 0, false
}

// extraColumn is a column with a label the parser does not know: a custom field.
type extraColumn struct {
	label string
	col   int // 0-based
}

// header is the column layout of one sheet.
type header struct {
	cols   [numFields]int // 0-based column of each field, -1 when absent
	extras []extraColumn
	labels map[string]int // label as written → 1-based column, for Summary.Header
}

// parseHeader returns the layout if cells is a header row (it has 姓名 and 账号), else nil. When a
// label appears twice the first column wins; unlabelled columns are ignored.
func parseHeader(cells []string) *header {
	h := &header{labels: make(map[string]int)}
	for i := range h.cols {
		h.cols[i] = -1
	}
	seenExtra := make(map[string]bool)
	for col, raw := range cells {
		label := clean(raw)
		if label == "" {
			continue
		}
		if _, dup := h.labels[label]; !dup {
			h.labels[label] = col + 1
		}
		f, known := fieldOf(label)
		switch {
		case known && h.cols[f] < 0:
			h.cols[f] = col
		case !known && !seenExtra[label]:
			seenExtra[label] = true
			h.extras = append(h.extras, extraColumn{label: label, col: col})
		}
	}
	if h.cols[fieldUserID] < 0 || h.cols[fieldName] < 0 {
		return nil
	}
	return h
}

// get returns the cleaned text of field f in cells, "" when the column is absent or short.
func (h *header) get(cells []string, f field) string {
	return cellAt(cells, h.cols[f])
}

func cellAt(cells []string, col int) string {
	if col < 0 || col >= len(cells) {
		return ""
	}
	return cellText(cells[col])
}
