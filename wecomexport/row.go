package wecomexport

import (
	"fmt"

	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/wecomexport/internal/xlsx"
)

// row handles one data row below the header: a Member, one or more Rejects, or nothing for a
// blank row.
func (p *parser) row(sheet string, row *xlsx.Row) error {
	if isBlank(row.Cells) {
		return nil
	}
	if p.sum.Rows++; p.sum.Rows > p.opts.MaxRows {
		return &FileError{File: p.file, Sheet: sheet, Row: row.Num,
			Err: fmt.Errorf("%w: more than %d data rows", ErrTooLarge, p.opts.MaxRows)}
	}
	cells := p.byslot(row.Cells)
	p.rejects = p.rejects[:0]

	// 账号 is cleaned once; that value is the member's, every reject's and the duplicate key's.
	userID := ""
	if c := cells[fieldUserID]; c.Type == xlsx.Text || c.Type == xlsx.Number {
		userID = directory.StripInvisible(c.Value)
	}
	reject := func(field, value, reason string) {
		p.rejects = append(p.rejects, Reject{File: p.file, Sheet: sheet, Row: row.Num, Field: field, Value: value,
			UserID: userID, Reason: reason})
	}
	bad := p.badCells(row.Cells, reject)
	text := func(f field) string {
		if bad[f] {
			return ""
		}
		return clean(cells[f].Value)
	}
	m := Member{
		Sheet:        sheet,
		Row:          row.Num,
		UserID:       userID,
		Name:         text(fieldName),
		Alias:        text(fieldAlias),
		Position:     text(fieldPosition),
		Gender:       text(fieldGender),
		Mobile:       text(fieldMobile),
		Telephone:    text(fieldTelephone),
		Email:        text(fieldEmail),
		BizMail:      text(fieldBizMail),
		Address:      text(fieldAddress),
		VideoChannel: text(fieldVideoChannel),
		WeChatPlugin: text(fieldWeChatPlugin),
		ActiveStatus: text(fieldActiveStatus),
		Disabled:     parseDisabled(text(fieldDisabled)),
	}
	key := directory.UserKey(m.UserID)
	if !bad[fieldUserID] {
		if err := CheckUserID(m.UserID); err != nil {
			reject(FieldUserID, m.UserID, err.Error())
		} else if first, dup := p.seen[key]; dup {
			reject(FieldUserID, m.UserID, DuplicateReason(p.sum.Sheets[first.sheet], int(first.row)))
		}
	}
	if !bad[fieldName] && m.Name == "" {
		reject(FieldName, "", ReasonMissingName)
	}
	if !bad[fieldDepartment] {
		dept := text(fieldDepartment)
		var err error
		if m.Departments, err = SplitDepartments(dept); err != nil {
			reject(FieldDepartment, dept, err.Error())
		}
	}
	if len(p.rejects) > 0 {
		return p.emitRejects()
	}
	p.seen[key] = seenAt{sheet: int32(len(p.sum.Sheets) - 1), row: int32(row.Num)}
	m.Extra = p.extra(cells)
	p.sum.Members++
	if p.onMember != nil {
		return p.onMember(m)
	}
	return nil
}

// byslot spreads a row's cells over the header's slots (fields, then custom columns); slots
// without a cell hold the zero Cell, whose Value is "".
func (p *parser) byslot(cells []xlsx.Cell) []xlsx.Cell {
	n := p.h.numSlots()
	if cap(p.slots) < n {
		p.slots = make([]xlsx.Cell, n)
	}
	p.slots = p.slots[:n]
	clear(p.slots)
	for _, c := range cells {
		if slot, ok := p.h.slots[c.Col]; ok {
			p.slots[slot] = c
		}
	}
	return p.slots
}

// badCells rejects, in column order, the cells that cannot stand for their column's value and
// reports which fields they were.
func (p *parser) badCells(cells []xlsx.Cell, reject func(field, value, reason string)) (bad [numFields]bool) {
	for _, c := range cells {
		slot, ok := p.h.slots[c.Col]
		if !ok {
			continue
		}
		kind := customColumn
		switch {
		case slot == int(fieldDisabled):
			kind = flagColumn
		case slot < int(numFields):
			kind = textColumn
		}
		label := p.h.slotLabel(slot)
		reason := cellProblem(label, c, kind)
		if reason == "" {
			continue
		}
		value := ""
		if slot == int(fieldUserID) || slot == int(fieldDepartment) {
			value = c.Value // never personal data
		}
		reject(label, value, reason)
		if kind != customColumn {
			bad[slot] = true
		}
	}
	return bad
}

// columnKind says which cell types a column accepts.
type columnKind int

const (
	textColumn   columnKind = iota // a member field: text or numbers
	flagColumn                     // 禁用状态: also TRUE/FALSE
	customColumn                   // a custom field: anything but an error
)

// cellProblem says why a cell cannot stand for its column's value, "" when it can. Error cells
// (#N/A, #REF!, …) never can. In a member field a date or a TRUE/FALSE cell cannot either: Excel
// shows a date where a person typed a mobile or an id, and syncing its serial number would be
// wrong. 禁用状态 accepts TRUE/FALSE but not dates. Custom columns keep dates and booleans as text.
func cellProblem(label string, c xlsx.Cell, kind columnKind) string {
	switch {
	case c.Type == xlsx.ErrorValue:
		return fmt.Sprintf("error value %s in %s", c.Value, label)
	case c.Type == xlsx.Date && kind != customColumn:
		return fmt.Sprintf("%s is a date cell; format the column as text and type the value again", label)
	case c.Type == xlsx.Bool && kind == textColumn:
		return fmt.Sprintf("%s is a TRUE/FALSE cell; format the column as text and type the value again", label)
	}
	return ""
}

// emitRejects hands the row's rejects to onReject.
func (p *parser) emitRejects() error {
	for _, r := range p.rejects {
		p.sum.Rejects++
		if p.onReject != nil {
			if err := p.onReject(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// extra is the non-empty custom cells of a valid row, keyed by label; nil when there are none.
func (p *parser) extra(cells []xlsx.Cell) map[string]string {
	var m map[string]string
	for i, x := range p.h.extras {
		if v := clean(cells[int(numFields)+i].Value); v != "" {
			if m == nil {
				m = make(map[string]string)
			}
			m[x.label] = v
		}
	}
	return m
}

// isBlank reports whether no cell shows anything but white space or invisible characters.
func isBlank(cells []xlsx.Cell) bool {
	for _, c := range cells {
		if c.Type != xlsx.Text || directory.StripInvisible(c.Value) != "" {
			return false
		}
	}
	return true
}
