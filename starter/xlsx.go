package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/width"

	"github.com/wecomsync/wecomsync/report"
)

// The failures workbook: what `report --failures-xlsx` writes for the admin who fixes the export.
const (
	failuresFileMode = 0o644 // excelize's SaveAs would create it 0777 less the umask
	maxColumnWidth   = 60    // characters; longer messages wrap nowhere but stay readable
	minColumnWidth   = 8
)

var (
	rejectsHeader  = []string{"文件 File", "工作表 Sheet", "行 Row", "账号 UserID", "字段 Field", "值 Value", "原因 Reason"}
	failuresHeader = []string{"对象 Object", "标识 Key", "操作 Action", "工作表 Sheet", "行 Row", "编号 ID", "代码 Code", "信息 Message"}
)

// writeFailuresXLSX writes the rejects and failures of a run to the sheets "rejects" and
// "failures" of a new workbook at path: a bold, frozen header row with an autofilter, columns
// sized to their content. The file appears whole or not at all (a temporary file in the same
// directory, renamed), with mode 0644.
func writeFailuresXLSX(path string, r *report.Report) error {
	f, err := failuresWorkbook(r)
	if err != nil {
		return err
	}
	defer f.Close()
	return writeFileAtomic(path, failuresFileMode, func(w io.Writer) error {
		_, err := f.WriteTo(w)
		return err
	})
}

func failuresWorkbook(r *report.Report) (*excelize.File, error) {
	rejects := [][]any{}
	for _, rj := range r.Rejects {
		rejects = append(rejects, []any{rj.File, rj.Sheet, rj.Row, rj.UserID, rj.Field, rj.Value, rj.Reason})
	}
	failures := [][]any{}
	for _, fl := range r.Failures {
		failures = append(failures, []any{fl.Object, fl.Key, fl.Action, fl.Sheet, zeroBlank(fl.Row), fl.ID, zeroBlank(fl.Code), fl.Message})
	}
	f := excelize.NewFile()
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err == nil {
		err = f.SetSheetName("Sheet1", "rejects")
	}
	if err == nil {
		_, err = f.NewSheet("failures")
	}
	if err == nil {
		err = writeTable(f, "rejects", rejectsHeader, rejects, bold)
	}
	if err == nil {
		err = writeTable(f, "failures", failuresHeader, failures, bold)
	}
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return f, nil
}

// zeroBlank leaves a cell empty for a number that is not there (row 0, code 0).
func zeroBlank(n int) any {
	if n == 0 {
		return ""
	}
	return n
}

// writeTable writes a header and rows to sheet: the header bold and frozen, an autofilter over
// the table, each column as wide as its widest cell (capped).
func writeTable(f *excelize.File, sheet string, header []string, rows [][]any, headerStyle int) error {
	widths := make([]int, len(header))
	head := make([]any, len(header))
	for i, h := range header {
		head[i], widths[i] = h, displayWidth(h)
	}
	if err := f.SetSheetRow(sheet, "A1", &head); err != nil {
		return err
	}
	for i, row := range rows {
		if err := f.SetSheetRow(sheet, "A"+strconv.Itoa(i+2), &row); err != nil {
			return err
		}
		for c, v := range row {
			widths[c] = max(widths[c], displayWidth(fmt.Sprint(v)))
		}
	}
	last, err := excelize.ColumnNumberToName(len(header))
	if err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, "A1", last+"1", headerStyle); err != nil {
		return err
	}
	for c, w := range widths {
		col, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(sheet, col, col, float64(min(max(w+2, minColumnWidth), maxColumnWidth))); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
		Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}); err != nil {
		return err
	}
	return f.AutoFilter(sheet, fmt.Sprintf("A1:%s%d", last, len(rows)+1), nil)
}

// displayWidth is how many character cells s takes: two for wide (CJK) characters.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch width.LookupRune(r).Kind() {
		case width.EastAsianWide, width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}

// writeFileAtomic writes path through a temporary file in its directory, renamed into place
// when complete, so a failed or interrupted write never leaves a partial file; the file gets
// mode perm whatever the umask.
func writeFileAtomic(path string, perm os.FileMode, write func(io.Writer) error) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+strings.TrimPrefix(filepath.Base(path), ".")+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = write(tmp); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
