package wecomexport_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/wecomexport"
)

// memberRows are n export-like rows from row `from`, userids prefix1, prefix2, ….
func memberRows(from, n int, prefix string) []string {
	var rows []string
	for i := 0; i < n; i++ {
		r := from + i
		rows = append(rows, xrow(r, str(fmt.Sprint("A", r), "成员"), str(fmt.Sprint("B", r), fmt.Sprint(prefix, i+1)),
			str(fmt.Sprint("C", r), "星河科技/研发中心"), num(fmt.Sprint("D", r), fmt.Sprint(13800138000+r))))
	}
	return rows
}

// Items 6 and 11: no sheet is skipped in silence; hidden sheets are skipped unless named.
func TestParseSkippedSheets(t *testing.T) {
	hdr := headerRow(1, "姓名", "账号", "部门", "手机")
	main := worksheet(append([]string{hdr}, memberRows(2, 2, "m")...)...)
	continuation := worksheet(memberRows(1, 3, "c")...)
	notes := worksheet(xrow(1, str("A1", "说明：本表由管理员导出。")), xrow(3, str("A3", "联系人"), str("B3", "admin")))
	hidden := worksheet(append([]string{hdr}, memberRows(2, 4, "h")...)...)
	veryHidden := worksheet(memberRows(5, 1, "v")...)
	data := rawBook{sheets: []rawSheet{
		{name: "成员列表", xml: main},
		{name: "成员列表(2)", xml: continuation},
		{name: "说明", xml: notes},
		{name: "隐藏", state: "hidden", xml: hidden},
		{name: "深度隐藏", state: "veryHidden", xml: veryHidden},
		{name: "空白", xml: worksheet()},
	}}.bytes(t)

	t.Run("all sheets", func(t *testing.T) {
		res := parse(t, data, allRows())
		require.NoError(t, res.err)
		assert.Equal(t, []string{"m1", "m2"}, userIDs(res.members))
		assert.Equal(t, []string{"成员列表"}, res.sum.Sheets)
		assert.Equal(t, []wecomexport.SkippedSheet{
			{Name: "成员列表(2)", Reason: "no header", Rows: 3, MemberLikeRows: 3},
			{Name: "说明", Reason: "no header", Rows: 2, MemberLikeRows: 0},
			{Name: "隐藏", Reason: "hidden", Rows: 5, MemberLikeRows: 4},
			{Name: "深度隐藏", Reason: "very hidden", Rows: 1, MemberLikeRows: 1},
			{Name: "空白", Reason: "no header", Rows: 0, MemberLikeRows: 0},
		}, res.sum.SkippedSheets)
		assert.Equal(t, 8, res.sum.MemberLikeRowsNotRead())
		assert.Equal(t, []string{
			`sheet "成员列表(2)" has no header row (a row with the labels 姓名 and 账号 (or 帐号 / UserID)) and was not read (3 rows, 3 member-like: the file may be incomplete)`,
			`sheet "说明" has no header row (a row with the labels 姓名 and 账号 (or 帐号 / UserID)) and was not read (2 rows, none member-like)`,
			`sheet "隐藏" is hidden and was not read (5 rows, 4 member-like: the file may be incomplete); select it by name to read it`,
			`sheet "深度隐藏" is very hidden (only a macro can unhide it) and was not read (1 row, 1 member-like: the file may be incomplete); select it by name to read it`,
			`sheet "空白" has no header row (a row with the labels 姓名 and 账号 (or 帐号 / UserID)) and was not read (it has no rows)`,
		}, res.sum.Warnings)
	})
	t.Run("a hidden sheet named is read", func(t *testing.T) {
		opts := allRows()
		opts.Sheet = "隐藏"
		res := parse(t, data, opts)
		require.NoError(t, res.err)
		assert.Equal(t, []string{"h1", "h2", "h3", "h4"}, userIDs(res.members))
		assert.Empty(t, res.sum.SkippedSheets)
		assert.Empty(t, res.sum.Warnings)
	})
	t.Run("a very hidden sheet named by index has no header", func(t *testing.T) {
		opts := allRows()
		opts.Sheet = "4"
		res := parse(t, data, opts)
		assertFileError(t, res.err, wecomexport.ErrNoHeader, "深度隐藏", 0, "")
	})
	t.Run("no such sheet lists hidden ones", func(t *testing.T) {
		opts := allRows()
		opts.Sheet = "x"
		res := parse(t, data, opts)
		assertFileError(t, res.err, wecomexport.ErrNoSuchSheet, "x", 0, "", `3 "隐藏" (hidden)`, `4 "深度隐藏" (very hidden)`)
	})
	t.Run("only hidden sheets have a header", func(t *testing.T) {
		data := rawBook{sheets: []rawSheet{{name: "说明", xml: notes}, {name: "隐藏", state: "hidden", xml: hidden}}}.bytes(t)
		res := parse(t, data, allRows())
		assertFileError(t, res.err, wecomexport.ErrNoHeader, "说明, 隐藏", 0, "", `sheet "隐藏" is hidden and was not read`)
	})
}

func TestParseHeaderPosition(t *testing.T) {
	var notice []string
	for r := 1; r <= 39; r++ {
		notice = append(notice, xrow(r, str(fmt.Sprint("A", r), fmt.Sprintf("%d. 填写须知：请勿修改表头，账号 zhangsan 部门 星河科技/研发中心 手机 13800138000", r))))
	}
	t.Run("header below a long notice block", func(t *testing.T) {
		rows := append(append([]string{}, notice...), headerRow(40, "姓名", "账号", "部门", "手机"))
		res := parse(t, oneSheet(t, append(rows, memberRows(41, 2, "u")...)...), allRows())
		require.NoError(t, res.err)
		assert.Equal(t, []string{"u1", "u2"}, userIDs(res.members))
		assert.Equal(t, 41, res.members[0].Row)
		assert.Empty(t, res.sum.Warnings, "one-cell notice rows are not member-like")
	})
	t.Run("header far down, after thousands of rows", func(t *testing.T) {
		var rows []string
		for r := 1; r <= 5000; r++ {
			rows = append(rows, xrow(r, str(fmt.Sprint("A", r), "说明")))
		}
		rows = append(rows, headerRow(5001, "姓名", "账号"), xrow(5002, str("A5002", "甲"), str("B5002", "a1")))
		res := parse(t, oneSheet(t, rows...), allRows())
		require.NoError(t, res.err)
		assert.Equal(t, []string{"a1"}, userIDs(res.members))
	})
	t.Run("member-like rows above the header are reported", func(t *testing.T) {
		rows := append(memberRows(1, 2, "x"), headerRow(3, "姓名", "账号", "部门", "手机"))
		res := parse(t, oneSheet(t, append(rows, memberRows(4, 1, "u")...)...), allRows())
		require.NoError(t, res.err)
		assert.Equal(t, []string{"u1"}, userIDs(res.members))
		assert.Equal(t, 2, res.sum.MemberLikeRowsAboveHeader)
		assert.Equal(t, 2, res.sum.MemberLikeRowsNotRead())
		assert.Equal(t, []string{`sheet "成员列表": 2 rows above the header row (row 3) look like member rows and were not read`}, res.sum.Warnings)
	})
	t.Run("rows before StartRow are the caller's choice", func(t *testing.T) {
		rows := append(memberRows(1, 2, "x"), headerRow(3, "姓名", "账号", "部门", "手机"))
		res := parse(t, oneSheet(t, append(rows, memberRows(4, 1, "u")...)...), wecomexport.Options{StartRow: 2, EndRow: -1})
		require.NoError(t, res.err)
		assert.Zero(t, res.sum.MemberLikeRowsAboveHeader)
	})
}

func TestMemberLike(t *testing.T) {
	tests := []struct {
		name  string
		cells []string
		want  bool
	}{
		{name: "userid and path", cells: []string{str("A1", "张三"), str("B1", "zhangsan"), str("C1", "星河科技/研发中心")}, want: true},
		{name: "userid and mobile", cells: []string{str("A1", "zhangsan"), str("B1", "+86 138 0013 8000")}, want: true},
		{name: "numeric userid and numeric mobile", cells: []string{num("A1", "10086"), num("B1", "13800138000")}, want: true},
		{name: "email and telephone", cells: []string{str("A1", "a@example.com"), str("B1", "010-88886666")}, want: true},
		{name: "one mobile alone", cells: []string{num("A1", "13800138000")}},
		{name: "one notice cell", cells: []string{str("A1", "1. 账号 zhangsan，部门 星河科技/研发中心，手机 13800138000")}},
		{name: "userid and date path", cells: []string{str("A1", "zhangsan"), str("B1", "2024/03/01")}},
		{name: "userid and URL", cells: []string{str("A1", "zhangsan"), str("B1", "https://example.com/a/b")}},
		{name: "two userid-like cells, no path or phone", cells: []string{str("A1", "zhangsan"), str("B1", "10086")}},
		{name: "prose", cells: []string{str("A1", "联系人"), str("B1", "请联系管理员")}},
		{name: "labels", cells: []string{str("A1", "编号"), str("B1", "名称")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parse(t, rawBook{sheets: []rawSheet{
				{name: "成员列表", xml: worksheet(headerRow(1, "姓名", "账号"), xrow(2, str("A2", "甲"), str("B2", "a1")))},
				{name: "其他", xml: worksheet(xrow(1, tt.cells...))},
			}}.bytes(t), allRows())
			require.NoError(t, res.err)
			require.Len(t, res.sum.SkippedSheets, 1)
			assert.Equal(t, tt.want, res.sum.SkippedSheets[0].MemberLikeRows == 1)
		})
	}
}
