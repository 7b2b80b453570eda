package wecomexport_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/wecomsync/wecomsync/wecomexport"
)

// exportHeader is the console export's header, in order (reference §8.1).
var exportHeader = []any{"姓名", "账号", "别名", "职务", "部门", "性别", "手机", "座机", "邮箱", "地址", "企业邮箱", "视频号", "激活状态", "禁用状态", "微信插件"}

// rawNumber is written as a numeric cell holding exactly this text (as another writer might).
type rawNumber string

// styledNumber is a numeric cell shown through a number format, e.g. scientific.
type styledNumber struct {
	v      float64
	numFmt int
}

// sheetDef is one worksheet: rows[i] is Excel row i+1; a nil row is not written at all.
type sheetDef struct {
	name   string
	rows   [][]any
	merges [][2]string
}

// workbook builds an .xlsx with excelize.
func workbook(t testing.TB, sheets ...sheetDef) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { require.NoError(t, f.Close()) }()
	for i, s := range sheets {
		if i == 0 {
			require.NoError(t, f.SetSheetName("Sheet1", s.name))
		} else {
			_, err := f.NewSheet(s.name)
			require.NoError(t, err)
		}
		for r, row := range s.rows {
			for c, v := range row {
				cell, err := excelize.CoordinatesToCellName(c+1, r+1)
				require.NoError(t, err)
				switch v := v.(type) {
				case nil:
				case rawNumber:
					require.NoError(t, f.SetCellDefault(s.name, cell, string(v)))
				case styledNumber:
					style, err := f.NewStyle(&excelize.Style{NumFmt: v.numFmt})
					require.NoError(t, err)
					require.NoError(t, f.SetCellValue(s.name, cell, v.v))
					require.NoError(t, f.SetCellStyle(s.name, cell, cell, style))
				default:
					require.NoError(t, f.SetCellValue(s.name, cell, v))
				}
			}
		}
		for _, m := range s.merges {
			require.NoError(t, f.MergeCell(s.name, m[0], m[1]))
		}
	}
	buf, err := f.WriteToBuffer()
	require.NoError(t, err)
	return buf.Bytes()
}

// exportRow is a data row in exportHeader's column order with the commonly varied cells.
func exportRow(name, userID, dept string, mobile any) []any {
	return []any{name, userID, "", "工程师", dept, "男", mobile, "", "", "", "", "", "已激活", "未禁用", "未关注"}
}

// result is what one Parse call produced.
type result struct {
	sum     wecomexport.Summary
	members []wecomexport.Member
	rejects []wecomexport.Reject
	err     error
}

func parse(t testing.TB, data []byte, opts wecomexport.Options) result {
	t.Helper()
	var res result
	res.sum, res.err = wecomexport.Parse(context.Background(), bytes.NewReader(data), "contacts.xlsx", opts,
		func(m wecomexport.Member) error { res.members = append(res.members, m); return nil },
		func(r wecomexport.Reject) error { res.rejects = append(res.rejects, r); return nil })
	return res
}

// allRows is the Options for "every sheet, every row".
func allRows() wecomexport.Options { return wecomexport.Options{EndRow: -1} }

func excelizeNew(t *testing.T) *excelize.File {
	t.Helper()
	f := excelize.NewFile()
	t.Cleanup(func() { require.NoError(t, f.Close()) })
	require.NoError(t, f.SetSheetRow("Sheet1", "A1", &[]any{"姓名", "账号"}))
	require.NoError(t, f.SetSheetRow("Sheet1", "A2", &[]any{"甲", "a1"}))
	return f
}

func excelizeOptions(password string) excelize.Options { return excelize.Options{Password: password} }

func ptr[T any](v T) *T { return &v }
