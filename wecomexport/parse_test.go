package wecomexport_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/wecomexport"
)

func noticeRows() [][]any {
	rows := [][]any{{"填写须知：\n1. 请勿增删改列…"}}
	for i := 2; i <= 9; i++ {
		rows = append(rows, []any{fmt.Sprintf("%d. 规则说明，姓名 账号 部门 手机", i-1)})
	}
	return rows
}

func noticeMerges() [][2]string {
	var m [][2]string
	for i := 1; i <= 9; i++ {
		m = append(m, [2]string{fmt.Sprintf("A%d", i), fmt.Sprintf("O%d", i)})
	}
	return m
}

func TestParseLayouts(t *testing.T) {
	zhang := wecomexport.Member{
		Sheet: "成员列表", UserID: "zhangsan", Name: "张三", Position: "工程师", Gender: "男",
		Mobile: "+86 13800000000", ActiveStatus: "已激活", WeChatPlugin: "未关注", Disabled: ptr(false),
		Departments: [][]string{{"星河科技", "研发中心", "后端组"}},
	}
	at := func(m wecomexport.Member, row int) wecomexport.Member { m.Row = row; return m }
	data := exportRow("张三", "zhangsan", "星河科技/研发中心/后端组", "+86 13800000000")

	tests := []struct {
		name       string
		sheet      sheetDef
		want       []wecomexport.Member
		wantHeader map[string]int
	}{
		{
			name:  "notice block of nine merged rows, header on row 10",
			sheet: sheetDef{name: "成员列表", rows: append(noticeRows(), exportHeader, data), merges: noticeMerges()},
			want:  []wecomexport.Member{at(zhang, 11)},
		},
		{
			name: "one tall merged notice cell",
			sheet: sheetDef{name: "成员列表", rows: append([][]any{{"填写须知：1. … 2. …"}, nil, nil, nil, nil, nil, nil, nil, nil},
				exportHeader, data), merges: [][2]string{{"A1", "O9"}}},
			want: []wecomexport.Member{at(zhang, 11)},
		},
		{
			name:  "header on row 1",
			sheet: sheetDef{name: "成员列表", rows: [][]any{exportHeader, data}},
			want:  []wecomexport.Member{at(zhang, 2)},
			wantHeader: map[string]int{"姓名": 1, "账号": 2, "别名": 3, "职务": 4, "部门": 5, "性别": 6, "手机": 7, "座机": 8,
				"邮箱": 9, "地址": 10, "企业邮箱": 11, "视频号": 12, "激活状态": 13, "禁用状态": 14, "微信插件": 15},
		},
		{
			name: "label variants, any column order, custom columns kept in Extra",
			sheet: sheetDef{name: "成员列表", rows: [][]any{
				{"个人邮箱", "所在部门", "帐号", "英文名", "手机号", "姓名", "职位", "电话", "工号", "对内职务"},
				{"a@example.com", "星河科技", "lisi", "Li Si", "13900000000", "李四", "经理", "010-88886666", "E-007", ""},
			}},
			want: []wecomexport.Member{{
				Sheet: "成员列表", Row: 2, UserID: "lisi", Name: "李四", Alias: "Li Si", Position: "经理",
				Mobile: "13900000000", Telephone: "010-88886666", Email: "a@example.com",
				Departments: [][]string{{"星河科技"}}, Extra: map[string]string{"工号": "E-007"},
			}},
			wantHeader: map[string]int{"个人邮箱": 1, "所在部门": 2, "帐号": 3, "英文名": 4, "手机号": 5, "姓名": 6,
				"职位": 7, "电话": 8, "工号": 9, "对内职务": 10},
		},
		{
			name: "UserID and 英文ID labels, required markers, every field",
			sheet: sheetDef{name: "成员列表", rows: [][]any{
				{"*姓名", "UserID", "英文ID", "职务", "部门", "性别", "手机", "座机", "邮箱", "地址", "企业邮箱", "视频号", "激活状态", "禁用状态", "微信插件"},
				{"王五", "wangwu", "Wang", "总监", "星河科技/市场中心", "女", "13700000000", "0755-1234", "w@example.com",
					"深圳市南山区", "wangwu@xinghe.example.com", "王五的视频号", "未激活", "已禁用", "已关注"},
			}},
			want: []wecomexport.Member{{
				Sheet: "成员列表", Row: 2, UserID: "wangwu", Name: "王五", Alias: "Wang", Position: "总监", Gender: "女",
				Mobile: "13700000000", Telephone: "0755-1234", Email: "w@example.com", BizMail: "wangwu@xinghe.example.com",
				Address: "深圳市南山区", VideoChannel: "王五的视频号", ActiveStatus: "未激活", Disabled: ptr(true), WeChatPlugin: "已关注",
				Departments: [][]string{{"星河科技", "市场中心"}},
			}},
		},
		{
			name: "numbers read as text: numeric 账号, mobiles as int, float, exponent text and scientific format",
			sheet: sheetDef{name: "成员列表", rows: [][]any{
				{"姓名", "账号", "手机", "座机", "部门"},
				{"甲", 10086, 13800000000, "0105551234", "星河科技"},
				{"乙", "00123", 1.39e10, nil, "星河科技"},
				{"丙", "c3", rawNumber("1.37E+10"), rawNumber("88886666"), "星河科技"},
				{"丁", "d4", styledNumber{v: 13600000000, numFmt: 11}, nil, "星河科技"},
			}},
			want: []wecomexport.Member{
				{Sheet: "成员列表", Row: 2, UserID: "10086", Name: "甲", Mobile: "13800000000", Telephone: "0105551234", Departments: [][]string{{"星河科技"}}},
				{Sheet: "成员列表", Row: 3, UserID: "00123", Name: "乙", Mobile: "13900000000", Departments: [][]string{{"星河科技"}}},
				{Sheet: "成员列表", Row: 4, UserID: "c3", Name: "丙", Mobile: "13700000000", Telephone: "88886666", Departments: [][]string{{"星河科技"}}},
				{Sheet: "成员列表", Row: 5, UserID: "d4", Name: "丁", Mobile: "13600000000", Departments: [][]string{{"星河科技"}}},
			},
		},
		{
			name: "blank and whitespace-only rows are skipped, row numbers stay Excel's",
			sheet: sheetDef{name: "成员列表", rows: [][]any{
				{"姓名", "账号"},
				{"甲", "a1"},
				nil,
				{" ", "\u3000", "\u00a0"},
				{"乙", "b2"},
			}},
			want: []wecomexport.Member{
				{Sheet: "成员列表", Row: 2, UserID: "a1", Name: "甲"},
				{Sheet: "成员列表", Row: 5, UserID: "b2", Name: "乙"},
			},
		},
		{
			name: "spaces (ASCII, full-width, NBSP) trimmed around labels and values",
			sheet: sheetDef{name: "成员列表", rows: [][]any{
				{" 姓名\u3000", "\u00a0账号 ", "部门", " 禁用状态"},
				{"\u3000张三 ", " zhangsan\u00a0", " 星河科技 / 研发中心 ；\u3000星河科技/ 市场中心\u3000", " 禁用 "},
			}},
			want: []wecomexport.Member{{
				Sheet: "成员列表", Row: 2, UserID: "zhangsan", Name: "张三", Disabled: ptr(true),
				Departments: [][]string{{"星河科技", "研发中心"}, {"星河科技", "市场中心"}},
			}},
		},
		{
			name: "部门 separators: full-width ；, ASCII ;, trailing separator, repeats, empty cell",
			sheet: sheetDef{name: "成员列表", rows: [][]any{
				{"姓名", "账号", "部门"},
				{"甲", "a1", "星河科技/研发中心；星河科技/市场中心;星河科技"},
				{"乙", "b2", "星河科技/研发中心；"},
				{"丙", "c3", "星河科技/研发中心;星河科技/研发中心；；"},
				{"丁", "d4", ""},
			}},
			want: []wecomexport.Member{
				{Sheet: "成员列表", Row: 2, UserID: "a1", Name: "甲", Departments: [][]string{{"星河科技", "研发中心"}, {"星河科技", "市场中心"}, {"星河科技"}}},
				{Sheet: "成员列表", Row: 3, UserID: "b2", Name: "乙", Departments: [][]string{{"星河科技", "研发中心"}}},
				{Sheet: "成员列表", Row: 4, UserID: "c3", Name: "丙", Departments: [][]string{{"星河科技", "研发中心"}}},
				{Sheet: "成员列表", Row: 5, UserID: "d4", Name: "丁"},
			},
		},
		{
			name: "禁用状态 values",
			sheet: sheetDef{name: "成员列表", rows: [][]any{
				{"姓名", "账号", "禁用状态"},
				{"甲", "a1", "已禁用"}, {"乙", "b2", "未禁用"}, {"丙", "c3", "是"}, {"丁", "d4", 1}, {"戊", "e5", "TRUE"}, {"己", "f6", "否"},
			}},
			want: []wecomexport.Member{
				{Sheet: "成员列表", Row: 2, UserID: "a1", Name: "甲", Disabled: ptr(true)},
				{Sheet: "成员列表", Row: 3, UserID: "b2", Name: "乙", Disabled: ptr(false)},
				{Sheet: "成员列表", Row: 4, UserID: "c3", Name: "丙", Disabled: ptr(true)},
				{Sheet: "成员列表", Row: 5, UserID: "d4", Name: "丁", Disabled: ptr(true)},
				{Sheet: "成员列表", Row: 6, UserID: "e5", Name: "戊", Disabled: ptr(true)},
				{Sheet: "成员列表", Row: 7, UserID: "f6", Name: "己", Disabled: ptr(false)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parse(t, workbook(t, tt.sheet), allRows())
			require.NoError(t, res.err)
			assert.Equal(t, tt.want, res.members)
			assert.Empty(t, res.rejects)
			assert.Equal(t, []string{tt.sheet.name}, res.sum.Sheets)
			assert.Equal(t, len(tt.want), res.sum.Members)
			assert.Equal(t, len(tt.want), res.sum.Rows)
			if tt.wantHeader != nil {
				assert.Equal(t, tt.wantHeader, res.sum.Header)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	long := strings.Repeat("a", 65)
	rows := [][]any{
		{"姓名", "账号", "部门", "手机"},
		{"张三", "zhangsan", "星河科技/研发中心", "13800000000"}, // 2: valid
		{"无账号", "", "星河科技", "13800000001"},             // 3
		{"", "noname", "星河科技", "13800000002"},          // 4
		{"坏账号", "-dash", "星河科技", ""},                   // 5
		{"坏账号", "has space", "星河科技", ""},               // 6
		{"坏账号", "张三", "星河科技", ""},                      // 7
		{"坏账号", long, "星河科技", ""},                      // 8
		{"合法", "a.b-c_d@e", "星河科技", ""},                // 9: valid, @ . - _ allowed
		{"合法", strings.Repeat("b", 64), "星河科技", ""},    // 10: valid, 64 bytes
		{"空段", "seg1", "星河科技//研发中心", ""},               // 11
		{"空段", "seg2", "/星河科技", ""},                    // 12
		{"空段", "seg3", "星河科技/；星河科技", ""},               // 13
		{"重复", "ZhangSan", "星河科技", "13900000000"},      // 14: duplicate of row 2
		{"", "", "A//B", "13900000001"},                // 15: three rejects in one row
		{"无效不占位", "seg4", "星河科技/ /x", ""},              // 16: rejected; its userid is not taken
		{"后来者", "SEG4", "星河科技", ""},                    // 17: valid
	}
	res := parse(t, workbook(t, sheetDef{name: "成员列表", rows: rows}), allRows())
	require.NoError(t, res.err)

	rej := func(row int, userID, field, value, reason string) wecomexport.Reject {
		return wecomexport.Reject{File: "contacts.xlsx", Sheet: "成员列表", Row: row, Field: field, Value: value,
			UserID: userID, Reason: reason}
	}
	want := []wecomexport.Reject{
		rej(3, "", "账号", "", "missing 账号"),
		rej(4, "noname", "姓名", "", "missing 姓名"),
		rej(5, "-dash", "账号", "-dash", "invalid 账号: must start with a letter or digit"),
		rej(6, "has space", "账号", "has space", `invalid 账号: character ' ' not allowed (only letters, digits, _ - @ .)`),
		rej(7, "张三", "账号", "张三", "invalid 账号: must start with a letter or digit"),
		rej(8, long, "账号", long, "invalid 账号: 65 bytes, at most 64 allowed"),
		rej(11, "seg1", "部门", "星河科技//研发中心", "empty department path segment"),
		rej(12, "seg2", "部门", "/星河科技", "empty department path segment"),
		rej(13, "seg3", "部门", "星河科技/；星河科技", "empty department path segment"),
		rej(14, "ZhangSan", "账号", "ZhangSan", "duplicate 账号, first seen in 成员列表 row 2"),
		rej(15, "", "账号", "", "missing 账号"),
		rej(15, "", "姓名", "", "missing 姓名"),
		rej(15, "", "部门", "A//B", "empty department path segment"),
		rej(16, "seg4", "部门", "星河科技/ /x", "empty department path segment"),
	}
	assert.Equal(t, want, res.rejects)

	var got []string
	for _, m := range res.members {
		got = append(got, fmt.Sprintf("%d:%s", m.Row, m.UserID))
	}
	assert.Equal(t, []string{"2:zhangsan", "9:a.b-c_d@e", "10:" + strings.Repeat("b", 64), "17:SEG4"}, got)
	assert.Equal(t, wecomexport.Summary{
		File: "contacts.xlsx", Sheets: []string{"成员列表"}, Rows: 16, Members: 4, Rejects: len(want),
		Header: map[string]int{"姓名": 1, "账号": 2, "部门": 3, "手机": 4},
	}, res.sum)
}

func TestParseSheets(t *testing.T) {
	header := []any{"姓名", "账号"}
	data := workbook(t,
		sheetDef{name: "成员列表", rows: [][]any{header, {"甲", "a1"}, {"乙", "b2"}}},
		sheetDef{name: "说明", rows: [][]any{{"这张表没有表头"}, {"姓名"}}},
		sheetDef{name: "外包", rows: [][]any{{"账号", "姓名", "部门"}, {"c3", "丙", "星河科技/外包"}, {"A1", "甲二", ""}}},
	)
	ids := func(ms []wecomexport.Member) []string {
		var out []string
		for _, m := range ms {
			out = append(out, fmt.Sprintf("%s:%d:%s", m.Sheet, m.Row, m.UserID))
		}
		return out
	}
	tests := []struct {
		name        string
		sheet       string
		wantMembers []string
		wantSheets  []string
		wantRejects []wecomexport.Reject
		wantHeader  map[string]int
	}{
		{
			name: "all sheets with a header; the one without is skipped", sheet: "",
			wantMembers: []string{"成员列表:2:a1", "成员列表:3:b2", "外包:2:c3"},
			wantSheets:  []string{"成员列表", "外包"},
			wantRejects: []wecomexport.Reject{{File: "contacts.xlsx", Sheet: "外包", Row: 3, Field: "账号", Value: "A1",
				UserID: "A1", Reason: "duplicate 账号, first seen in 成员列表 row 2"}},
			wantHeader: map[string]int{"姓名": 1, "账号": 2},
		},
		{
			name: "by index", sheet: "2",
			wantMembers: []string{"外包:2:c3", "外包:3:A1"},
			wantSheets:  []string{"外包"},
			wantHeader:  map[string]int{"账号": 1, "姓名": 2, "部门": 3},
		},
		{
			name: "by name", sheet: "外包",
			wantMembers: []string{"外包:2:c3", "外包:3:A1"},
			wantSheets:  []string{"外包"},
			wantHeader:  map[string]int{"账号": 1, "姓名": 2, "部门": 3},
		},
		{
			name: "index 0", sheet: "0",
			wantMembers: []string{"成员列表:2:a1", "成员列表:3:b2"},
			wantSheets:  []string{"成员列表"},
			wantHeader:  map[string]int{"姓名": 1, "账号": 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := allRows()
			opts.Sheet = tt.sheet
			res := parse(t, data, opts)
			require.NoError(t, res.err)
			assert.Equal(t, tt.wantMembers, ids(res.members))
			assert.Equal(t, tt.wantSheets, res.sum.Sheets)
			assert.Equal(t, tt.wantRejects, res.rejects)
			assert.Equal(t, tt.wantHeader, res.sum.Header)
		})
	}
}

func TestParseRowRange(t *testing.T) {
	rows := append(noticeRows(), exportHeader)
	for i := 1; i <= 5; i++ {
		rows = append(rows, exportRow(fmt.Sprintf("成员%d", i), fmt.Sprintf("u%d", i), "星河科技", nil))
	}
	// Excel rows: 1–9 notice, 10 header, 11–15 members u1…u5 (indices 10–14).
	data := workbook(t, sheetDef{name: "成员列表", rows: rows})
	tests := []struct {
		name       string
		start, end int
		want       []string
	}{
		{name: "everything", start: 0, end: -1, want: []string{"u1", "u2", "u3", "u4", "u5"}},
		{name: "start at the header", start: 9, end: -1, want: []string{"u1", "u2", "u3", "u4", "u5"}},
		{name: "end inclusive", start: 0, end: 12, want: []string{"u1", "u2", "u3"}},
		{name: "end past the last row", start: 0, end: 1000, want: []string{"u1", "u2", "u3", "u4", "u5"}},
		{name: "end on the first member", start: 9, end: 10, want: []string{"u1"}},
		{name: "header found after a later start inside the data", start: 5, end: 13, want: []string{"u1", "u2", "u3", "u4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parse(t, data, wecomexport.Options{StartRow: tt.start, EndRow: tt.end})
			require.NoError(t, res.err)
			var got []string
			for _, m := range res.members {
				got = append(got, m.UserID)
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// fakeCompoundFile is an OLE compound file signature followed by the UTF-16LE directory names of
// the given streams; enough for the parser's classification.
func fakeCompoundFile(streams ...string) []byte {
	b := []byte{0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1}
	b = append(b, make([]byte, 504)...)
	for _, s := range streams {
		for _, r := range s {
			b = append(b, byte(r), 0)
		}
		b = append(b, 0, 0)
	}
	return b
}

// plainZip is a valid zip archive that is not a workbook.
func plainZip(t *testing.T) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.Create("word/document.xml")
	require.NoError(t, err)
	_, err = w.Write([]byte("<document/>"))
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func encryptedWorkbook(t *testing.T) []byte {
	f := excelizeNew(t)
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf, excelizeOptions("secret")))
	return buf.Bytes()
}

func TestParseFatal(t *testing.T) {
	valid := workbook(t, sheetDef{name: "成员列表", rows: [][]any{{"姓名", "账号"}, {"甲", "a1"}}})
	tests := []struct {
		name      string
		data      []byte
		opts      wecomexport.Options
		want      error
		wantSheet string
		wantRow   int
		wantText  []string
		members   int // members delivered before the error
	}{
		{name: "plain text", data: []byte("姓名,账号\n甲,a1\n"), opts: allRows(), want: wecomexport.ErrNotXLSX,
			wantText: []string{`wecom export "contacts.xlsx"`, "not a zip archive"}},
		{name: "empty input", data: nil, opts: allRows(), want: wecomexport.ErrEmpty, wantText: []string{"empty (0 bytes)"}},
		{name: "damaged zip", data: []byte("PK\x03\x04 truncated"), opts: allRows(), want: wecomexport.ErrCorrupt,
			wantText: []string{"zip archive is damaged or truncated"}},
		{name: "zip without worksheets", data: plainZip(t), opts: allRows(), want: wecomexport.ErrNotXLSX},
		{name: "password-protected", data: encryptedWorkbook(t), opts: allRows(), want: wecomexport.ErrEncrypted,
			wantText: []string{"password-protected; export it again without a password"}},
		{name: "compound file without a workbook stream", data: fakeCompoundFile("EncryptionInfo", "EncryptedPackage"),
			opts: allRows(), want: wecomexport.ErrEncrypted},
		{name: "legacy .xls", data: fakeCompoundFile("Workbook", "SummaryInformation"), opts: allRows(),
			want: wecomexport.ErrNotXLSX, wantText: []string{"legacy .xls"}},
		{name: "larger than MaxFileBytes", data: valid, opts: wecomexport.Options{EndRow: -1, MaxFileBytes: 1024},
			want: wecomexport.ErrTooLarge, wantText: []string{"larger than"}},
		{name: "more rows than MaxRows", data: workbook(t, sheetDef{name: "成员列表", rows: [][]any{{"姓名", "账号"}, {"甲", "a1"}, {"乙", "b2"}}}),
			opts: wecomexport.Options{EndRow: -1, MaxRows: 1}, want: wecomexport.ErrTooLarge, wantSheet: "成员列表", wantRow: 3,
			wantText: []string{"more than 1 data rows"}, members: 1},
		{name: "no such sheet name", data: valid, opts: wecomexport.Options{EndRow: -1, Sheet: "部门列表"},
			want: wecomexport.ErrNoSuchSheet, wantSheet: "部门列表", wantText: []string{`0 "成员列表"`}},
		{name: "no such sheet index", data: valid, opts: wecomexport.Options{EndRow: -1, Sheet: "3"},
			want: wecomexport.ErrNoSuchSheet, wantSheet: "3"},
		{name: "no header in any sheet", data: workbook(t, sheetDef{name: "Sheet1", rows: [][]any{{"名字", "ID"}, {"甲", "a1"}}},
			sheetDef{name: "Sheet2", rows: [][]any{{"x"}}}),
			opts: allRows(), want: wecomexport.ErrNoHeader, wantSheet: "Sheet1, Sheet2",
			wantText: []string{"姓名 and 账号", "from row 1 to the last row"}},
		{name: "no header in the selected sheet", data: workbook(t, sheetDef{name: "成员列表", rows: [][]any{{"姓名", "账号"}, {"甲", "a1"}}},
			sheetDef{name: "说明", rows: [][]any{{"x"}}}),
			opts: wecomexport.Options{EndRow: -1, Sheet: "说明"}, want: wecomexport.ErrNoHeader, wantSheet: "说明"},
		{name: "header after the end row", data: workbook(t, sheetDef{name: "成员列表", rows: append(noticeRows(), exportHeader)}),
			opts: wecomexport.Options{EndRow: 5}, want: wecomexport.ErrNoHeader, wantSheet: "成员列表", wantText: []string{"from row 1 to row 6"}},
		{name: "header only", data: workbook(t, sheetDef{name: "成员列表", rows: [][]any{exportHeader}}), opts: allRows(),
			want: wecomexport.ErrNoValidRows, wantSheet: "成员列表", wantText: []string{"no member rows"}},
		{name: "every row rejected", data: workbook(t, sheetDef{name: "成员列表", rows: [][]any{{"姓名", "账号"}, {"", "a1"}, {"乙", "-b"}}}),
			opts: allRows(), want: wecomexport.ErrNoValidRows, wantSheet: "成员列表", wantText: []string{"all 2 data rows were rejected"}},
		{name: "end before start", data: valid, opts: wecomexport.Options{StartRow: 5, EndRow: 4}, want: wecomexport.ErrBadRowRange,
			wantText: []string{"end row 4 is before start row 5"}},
		{name: "negative start", data: valid, opts: wecomexport.Options{StartRow: -1, EndRow: -1}, want: wecomexport.ErrBadRowRange},
		{name: "end below -1", data: valid, opts: wecomexport.Options{EndRow: -2}, want: wecomexport.ErrBadRowRange},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parse(t, tt.data, tt.opts)
			require.ErrorIs(t, res.err, tt.want)
			var fe *wecomexport.FileError
			require.ErrorAs(t, res.err, &fe)
			assert.Equal(t, "contacts.xlsx", fe.File)
			assert.Equal(t, tt.wantSheet, fe.Sheet)
			assert.Equal(t, tt.wantRow, fe.Row)
			for _, s := range tt.wantText {
				assert.Contains(t, res.err.Error(), s)
			}
			assert.Len(t, res.members, tt.members)
		})
	}
}

func manyRows(n int) [][]any {
	rows := [][]any{{"姓名", "账号"}}
	for i := 0; i < n; i++ {
		rows = append(rows, []any{"成员", fmt.Sprintf("u%04d", i)})
	}
	return rows
}

func TestParseContextCancelled(t *testing.T) {
	data := workbook(t, sheetDef{name: "成员列表", rows: manyRows(2000)})
	t.Run("before the start", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := wecomexport.Parse(ctx, bytes.NewReader(data), "contacts.xlsx", allRows(), nil, nil)
		require.ErrorIs(t, err, context.Canceled)
	})
	t.Run("while reading rows", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		n := 0
		_, err := wecomexport.Parse(ctx, bytes.NewReader(data), "contacts.xlsx", allRows(),
			func(wecomexport.Member) error { n++; cancel(); return nil }, nil)
		require.ErrorIs(t, err, context.Canceled)
		assert.Less(t, n, 2000)
	})
}

func TestParseCallbackErrorAborts(t *testing.T) {
	data := workbook(t, sheetDef{name: "成员列表", rows: append(manyRows(5), []any{"", "bad row"})})
	stop := errors.New("stop")
	t.Run("member", func(t *testing.T) {
		n := 0
		_, err := wecomexport.Parse(context.Background(), bytes.NewReader(data), "contacts.xlsx", allRows(),
			func(wecomexport.Member) error {
				if n++; n == 3 {
					return stop
				}
				return nil
			}, nil)
		require.ErrorIs(t, err, stop)
		assert.Equal(t, 3, n)
	})
	t.Run("reject", func(t *testing.T) {
		members := 0
		_, err := wecomexport.Parse(context.Background(), bytes.NewReader(data), "contacts.xlsx", allRows(),
			func(wecomexport.Member) error { members++; return nil },
			func(wecomexport.Reject) error { return stop })
		require.ErrorIs(t, err, stop)
		assert.Equal(t, 5, members)
	})
}

func TestParseNilCallbacks(t *testing.T) {
	data := workbook(t, sheetDef{name: "成员列表", rows: append(manyRows(3), []any{"", "x"})})
	sum, err := wecomexport.Parse(context.Background(), bytes.NewReader(data), "contacts.xlsx", allRows(), nil, nil)
	require.NoError(t, err)
	assert.Equal(t, 3, sum.Members)
	assert.Equal(t, 1, sum.Rejects)
	assert.Equal(t, 4, sum.Rows)
}

func TestFileErrorMessage(t *testing.T) {
	err := &wecomexport.FileError{File: "a.xlsx", Sheet: "成员列表", Row: 12, Field: "部门", Err: wecomexport.ErrTooLarge}
	assert.Equal(t, `wecom export "a.xlsx", sheet "成员列表", row 12, column 部门: file too large`, err.Error())
	assert.ErrorIs(t, err, wecomexport.ErrTooLarge)
}
