package wecomexport_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/wecomexport"
)

// Item 4: numbers come out as the digits a person typed, whatever the serialisation.
func TestParseNumberCells(t *testing.T) {
	tests := []struct {
		v    string // <v> of a numeric cell
		want string
	}{
		{v: "13800138000", want: "13800138000"},
		{v: "1.3800138E10", want: "13800138000"},
		{v: "1.3800138E+10", want: "13800138000"},
		{v: "1.3800138e+10", want: "13800138000"},
		{v: "13800138000.0", want: "13800138000"},
		{v: "13800138000.000002", want: "13800138000"}, // floating-point noise: 15 significant digits, as Excel shows
		{v: " 13800138000 ", want: "13800138000"},
		{v: "8613800138000", want: "8613800138000"},
		{v: "1234567890123456", want: "1234567890123456"}, // integers keep every digit
		{v: "10086.0", want: "10086"},
		{v: "0.5", want: "0.5"},
		{v: "1.5E-3", want: "0.0015"},
		{v: "-42", want: "-42"},
		{v: "0", want: "0"},
		{v: "-0.0", want: "0"},
		{v: "1E+300", want: "1E+300"},
	}
	for _, tt := range tests {
		t.Run(tt.v, func(t *testing.T) {
			data := oneSheet(t, headerRow(1, "姓名", "账号", "手机", "工号"),
				xrow(2, str("A2", "张三"), num("B2", "10086.0"), num("C2", tt.v), num("D2", tt.v)))
			res := parse(t, data, allRows())
			require.NoError(t, res.err)
			require.Len(t, res.members, 1)
			m := res.members[0]
			assert.Equal(t, "10086", m.UserID, "a numeric 账号 never gets a .0 suffix")
			assert.Equal(t, strings.TrimSpace(tt.want), m.Mobile)
			assert.Equal(t, map[string]string{"工号": tt.want}, m.Extra)
		})
	}
	t.Run("text cells keep their text", func(t *testing.T) {
		data := oneSheet(t, headerRow(1, "姓名", "账号", "手机", "座机"),
			xrow(2, str("A2", "张三"), str("B2", "10086.0"), str("C2", "1.3800138E+10"), str("D2", "010-8888 6666")))
		res := parse(t, data, allRows())
		require.NoError(t, res.err)
		require.Len(t, res.members, 1)
		assert.Equal(t, "10086.0", res.members[0].UserID)
		assert.Equal(t, "1.3800138E+10", res.members[0].Mobile)
		assert.Equal(t, "010-8888 6666", res.members[0].Telephone)
	})
	t.Run("a numeric cell that is not a number is corrupt", func(t *testing.T) {
		data := oneSheet(t, headerRow(1, "姓名", "账号", "手机"), xrow(2, str("A2", "张三"), str("B2", "a1"), num("C2", "1380013800x")))
		res := parse(t, data, allRows())
		assertFileError(t, res.err, wecomexport.ErrCorrupt, "成员列表", 2, "手机", "not a number")
	})
}

// Item 11: error cells are never values; dates and TRUE/FALSE in the member's fields reject the row.
func TestParseCellTypes(t *testing.T) {
	styles := stylesXML(map[int]string{
		164: `yyyy/mm/dd`,
		165: `"Tel: "0`,              // a literal with d, e, l inside quotes: not a date
		166: `[h]:mm`,                // elapsed time
		167: `[Red][<=100]0;[Blue]0`, // colours and conditions: not a date
		168: `0.00E+00`,
		169: `上午/下午h"时"mm"分"`,
	}, 0, 14, 164, 165, 166, 167, 168, 22, 31, 49, 169, 11)
	// Cell formats (s): 0 General, 1 builtin 14, 2 yyyy/mm/dd, 3 "Tel: "0, 4 [h]:mm, 5 colours,
	// 6 scientific, 7 builtin 22, 8 builtin 31 (zh-CN 年月日), 9 text @, 10 上午/下午, 11 builtin 11.
	hdr := headerRow(1, "姓名", "账号", "手机", "邮箱", "部门", "禁用状态", "入职日期")
	row := func(r int, cells ...string) string { return xrow(r, cells...) }
	ref := func(c string, r int) string { return fmt.Sprintf("%s%d", c, r) }
	data := rawBook{styles: styles, sheets: []rawSheet{{name: "成员列表", xml: worksheet(hdr,
		row(2, str("A2", "正常"), str("B2", "ok1"), typed("C2", "", 3, "13800138000"), typed("G2", "", 2, "45352")),
		row(3, str("A3", "错误手机"), str("B3", "e1"), typed("C3", "e", -1, "#N/A")),
		row(4, str("A4", "错误账号"), typed("B4", "e", -1, "#REF!")),
		row(5, str("A5", "错误部门"), str("B5", "e3"), typed("E5", "e", -1, "#VALUE!")),
		row(6, str("A6", "错误自定义"), str("B6", "e4"), typed("G6", "e", -1, "#DIV/0!")),
		row(7, str("A7", "日期手机"), str("B7", "d1"), typed("C7", "", 1, "45352")),
		row(8, str("A8", "自定义日期邮箱"), str("B8", "d2"), typed("D8", "", 2, "45352.5")),
		row(9, str("A9", "ISO日期"), str("B9", "d3"), typed("C9", "d", -1, "2024-03-01T00:00:00")),
		row(10, str("A10", "布尔账号"), typed("B10", "b", -1, "1")),
		row(11, str("A11", "布尔禁用"), str("B11", "b2"), typed("F11", "b", -1, "1")),
		row(12, str("A12", "布尔不禁用"), str("B12", "b3"), typed("F12", "b", -1, "0")),
		row(13, str("A13", "非日期格式"), str("B13", "f1"), typed("C13", "", 5, "13800138001"), typed("D13", "", 6, "1.2E+3"),
			typed("G13", "", 9, "7")),
		row(14, str("A14", "时长"), str("B14", "f2"), typed("C14", "", 4, "1.5")),
		row(15, str("A15", "中文日期"), str("B15", "f3"), typed("C15", "", 8, "45352")),
		row(16, str("A16", "时间"), str("B16", "f4"), typed("C16", "", 10, "0.5")),
		row(17, str("A17", "日期时间"), str("B17", "f5"), typed("C17", "", 7, "45352.25")),
		row(18, str("A18", "日期禁用"), str("B18", "f6"), typed("F18", "", 1, "1")),
		row(19, str("A19", "科学计数"), str("B19", "f7"), typed("C19", "", 11, "13800138002")),
		row(20, str("A20", "公式错误"), str("B20", "f8"), `<c r="C20" t="e"><f>1/0</f><v>#DIV/0!</v></c>`),
		row(21, str("A21", "公式文本"), str("B21", "f9"), `<c r="C21" t="str"><f>"138"&amp;"00138003"</f><v>13800138003</v></c>`),
		row(22, str("A22", "自定义布尔"), str("B22", "g1"), typed(ref("G", 22), "b", -1, "0")),
	)}}}.bytes(t)
	res := parse(t, data, allRows())
	require.NoError(t, res.err)

	rej := func(row int, userID, field, value, reason string) wecomexport.Reject {
		return wecomexport.Reject{File: "contacts.xlsx", Sheet: "成员列表", Row: row, Field: field, Value: value, UserID: userID, Reason: reason}
	}
	const fix = "; format the column as text and type the value again"
	assert.Equal(t, []wecomexport.Reject{
		rej(3, "e1", "手机", "", "error value #N/A in 手机"),
		rej(4, "", "账号", "#REF!", "error value #REF! in 账号"),
		rej(5, "e3", "部门", "#VALUE!", "error value #VALUE! in 部门"),
		rej(6, "e4", "入职日期", "", "error value #DIV/0! in 入职日期"),
		rej(7, "d1", "手机", "", "手机 is a date cell"+fix),
		rej(8, "d2", "邮箱", "", "邮箱 is a date cell"+fix),
		rej(9, "d3", "手机", "", "手机 is a date cell"+fix),
		rej(10, "", "账号", "TRUE", "账号 is a TRUE/FALSE cell"+fix),
		rej(14, "f2", "手机", "", "手机 is a date cell"+fix),
		rej(15, "f3", "手机", "", "手机 is a date cell"+fix),
		rej(16, "f4", "手机", "", "手机 is a date cell"+fix),
		rej(17, "f5", "手机", "", "手机 is a date cell"+fix),
		rej(18, "f6", "禁用状态", "", "禁用状态 is a date cell"+fix),
		rej(20, "f8", "手机", "", "error value #DIV/0! in 手机"),
	}, res.rejects)

	byID := map[string]wecomexport.Member{}
	for _, m := range res.members {
		byID[m.UserID] = m
	}
	assert.Equal(t, []string{"ok1", "b2", "b3", "f1", "f7", "f9", "g1"}, userIDs(res.members))
	assert.Equal(t, "13800138000", byID["ok1"].Mobile, `a number shown as "Tel: 0" is not a date`)
	assert.Equal(t, map[string]string{"入职日期": "2024-03-01"}, byID["ok1"].Extra, "custom columns keep dates, as ISO 8601")
	assert.Equal(t, ptr(true), byID["b2"].Disabled)
	assert.Equal(t, ptr(false), byID["b3"].Disabled)
	assert.Equal(t, "13800138001", byID["f1"].Mobile)
	assert.Equal(t, "1200", byID["f1"].Email, "scientific format is a number")
	assert.Equal(t, map[string]string{"入职日期": "7"}, byID["f1"].Extra)
	assert.Equal(t, "13800138002", byID["f7"].Mobile)
	assert.Equal(t, "13800138003", byID["f9"].Mobile, "a formula's cached text is what Excel shows")
	assert.Equal(t, map[string]string{"入职日期": "FALSE"}, byID["g1"].Extra)
}

func TestParseDateSystems(t *testing.T) {
	styles := stylesXML(map[int]string{164: "yyyy-mm-dd hh:mm"}, 0, 164)
	for _, tt := range []struct {
		date1904 bool
		v, want  string
	}{
		{v: "45352", want: "2024-03-01"},
		{v: "45352.75", want: "2024-03-01 18:00:00"},
		{v: "1", want: "1900-01-01"},
		{v: "60", want: "1900-02-29"},
		{v: "61", want: "1900-03-01"},
		{v: "0.25", want: "06:00:00"},
		{date1904: true, v: "0", want: "1904-01-01"},
		{date1904: true, v: "43890", want: "2024-03-01"},
		{v: "-1", want: "-1"},
	} {
		t.Run(fmt.Sprint(tt.date1904, tt.v), func(t *testing.T) {
			data := rawBook{styles: styles, date1904: tt.date1904, sheets: []rawSheet{{name: "成员列表", xml: worksheet(
				headerRow(1, "姓名", "账号", "生日"), xrow(2, str("A2", "甲"), str("B2", "a1"), typed("C2", "", 1, tt.v)))}}}.bytes(t)
			res := parse(t, data, allRows())
			require.NoError(t, res.err)
			require.Len(t, res.members, 1)
			assert.Equal(t, map[string]string{"生日": tt.want}, res.members[0].Extra)
		})
	}
}

// Item 10: the 账号 cell is cleaned of invisible characters once, for members, rejects and duplicates.
func TestParseInvisibleUserID(t *testing.T) {
	data := oneSheet(t, headerRow(1, "姓名", "账号", "部门"),
		xrow(2, str("A2", "甲"), str("B2", "\u200dzhang\u2060san\ufeff"), str("C2", "星河科技")),
		xrow(3, str("A3", "乙"), str("B3", "\u00a0Zhang\u00adSan\u200b"), str("C3", "星河科技")), // duplicate of row 2
		xrow(4, str("A4", "丙"), str("B4", "\u200b\u2060\ufeff\u00ad"), str("C4", "星河科技")),   // only invisible: missing
		xrow(5, str("A5", "丁"), str("B5", "li\u200bsi"), str("C5", "A//B")),                 // rejected for 部门, userid cleaned
		xrow(6, str("A6", "戊"), str("B6", "wang wu\u200d"), str("C6", "星河科技")),              // inner space stays: invalid
		xrow(7, str("A7", "\u200b"), str("B7", "\u2060")),                                   // invisible-only row: blank
	)
	res := parse(t, data, allRows())
	require.NoError(t, res.err)
	assert.Equal(t, []string{"zhangsan"}, userIDs(res.members))
	rej := func(row int, userID, field, value, reason string) wecomexport.Reject {
		return wecomexport.Reject{File: "contacts.xlsx", Sheet: "成员列表", Row: row, Field: field, Value: value, UserID: userID, Reason: reason}
	}
	assert.Equal(t, []wecomexport.Reject{
		rej(3, "ZhangSan", "账号", "ZhangSan", "duplicate 账号, first seen in 成员列表 row 2"),
		rej(4, "", "账号", "", "missing 账号"),
		rej(5, "lisi", "部门", "A//B", "empty department path segment"),
		rej(6, "wang wu", "账号", "wang wu", `invalid 账号: character ' ' not allowed (only letters, digits, _ - @ .)`),
	}, res.rejects)
	assert.Equal(t, 5, res.sum.Rows)
}

func userIDs(ms []wecomexport.Member) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.UserID)
	}
	return out
}

// assertFileError checks a *FileError's sentinel, place and text.
func assertFileError(t *testing.T, err error, sentinel error, sheet string, row int, field string, text ...string) {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	var fe *wecomexport.FileError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "contacts.xlsx", fe.File)
	assert.Equal(t, sheet, fe.Sheet, "sheet")
	assert.Equal(t, row, fe.Row, "row")
	assert.Equal(t, field, fe.Field, "field")
	for _, s := range text {
		assert.Contains(t, err.Error(), s)
	}
}
