package wecomexport

import (
	"strings"

	"github.com/wecomsync/wecomsync/wecomexport/internal/xlsx"
)

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

// fieldLabels are the console's current labels, used in Reject.Field whatever variant the file used.
var fieldLabels = [numFields]string{
	FieldUserID, FieldName, FieldAlias, FieldPosition, FieldDepartment, FieldGender, FieldMobile,
	FieldTelephone, FieldEmail, FieldAddress, FieldBizMail, FieldVideoChannel, FieldActiveStatus,
	FieldDisabled, FieldWeChatPlugin,
}

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
	col   int // 1-based
}

// header is the column layout of one sheet.
type header struct {
	row    int            // Excel row number of the header
	cols   [numFields]int // 1-based column of each field, 0 when absent
	extras []extraColumn  // in column order
	labels map[string]int // label as written → 1-based column, for Summary.Header
	slots  map[int]int    // 1-based column → slot: field, or numFields+i for extras[i]
	byCol  map[int]string // 1-based column → the label a reject or error names it by
}

// parseHeader returns the layout if cells (of row) are a header row (they have 姓名 and 账号), else
// nil. When a label appears twice the first column wins; unlabelled columns are ignored.
func parseHeader(row int, cells []xlsx.Cell) *header {
	var hasID, hasName bool
	for _, c := range cells {
		if f, ok := fieldOf(clean(c.Value)); ok {
			hasID = hasID || f == fieldUserID
			hasName = hasName || f == fieldName
		}
	}
	if !hasID || !hasName {
		return nil
	}
	h := &header{row: row, labels: make(map[string]int), slots: make(map[int]int), byCol: make(map[int]string)}
	seenExtra := make(map[string]bool)
	for _, c := range cells {
		label := clean(c.Value)
		if label == "" {
			continue
		}
		if _, dup := h.labels[label]; !dup {
			h.labels[label] = c.Col
		}
		f, known := fieldOf(label)
		switch {
		case known && h.cols[f] == 0:
			h.cols[f] = c.Col
			h.slots[c.Col] = int(f)
			h.byCol[c.Col] = fieldLabels[f]
		case !known && !seenExtra[label]:
			seenExtra[label] = true
			h.slots[c.Col] = int(numFields) + len(h.extras)
			h.byCol[c.Col] = label
			h.extras = append(h.extras, extraColumn{label: label, col: c.Col})
		}
	}
	return h
}

// label names a 1-based column: its header label when the header has one, else its letters.
func (h *header) label(col int) string {
	if h != nil {
		if l, ok := h.byCol[col]; ok {
			return l
		}
	}
	return xlsx.ColumnName(col)
}

// numSlots is the number of columns a data row is read from.
func (h *header) numSlots() int { return int(numFields) + len(h.extras) }

// slotLabel is the label of a slot, as rejects name it.
func (h *header) slotLabel(slot int) string {
	if slot < int(numFields) {
		return fieldLabels[slot]
	}
	return h.extras[slot-int(numFields)].label
}
