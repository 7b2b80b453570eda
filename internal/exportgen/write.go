package exportgen

import (
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/wecomsync/wecomsync/wecomexport"
)

// noticeRows is the height of the notice block: the 填写须知： title and eight rules.
const noticeRows = 9

// noticeText is the notice block, restating the rules the console prints (reference §8.3).
func noticeText() []string {
	return []string{
		"填写须知：",
		"1. 请勿增加、删除或修改表头的列。",
		"2. 红色字段为必填字段，黑色字段为选填字段；手机和邮箱至少填写一项；填写内容不能包含“，”。",
		"3. 账号：成员的唯一标识，由1~64个字母、数字、“.”、“-”、“_”组成；已存在的账号将被覆盖。",
		"4. 部门：上下级部门间用“/”隔开，且从最上级部门开始；多个部门用“；”隔开，第一个为主部门。",
		"5. 手机：国际手机号需加“+”和国家码，如 +85259****24。",
		"6. 网页类型的自定义字段：标题和网址用“；”隔开。",
		"7. 企业邮箱：前缀为1~32个字符，域名须为企业已验证的域名。",
		"8. 视频号：填写已绑定企业的视频号名称。",
	}
}

// column is one header cell; required columns are red, as the notice block explains.
type column struct {
	label    string
	required bool
}

// headerColumns is the 15-column export header (reference §8.1), optionally with the older labels.
func headerColumns(variants bool) []column {
	userID, alias, email := "账号", "别名", "邮箱"
	if variants {
		userID, alias, email = "帐号", "英文名", "个人邮箱"
	}
	return []column{{"姓名", true}, {userID, true}, {alias, false}, {"职务", false}, {"部门", false},
		{"性别", false}, {"手机", true}, {"座机", false}, {email, true}, {"地址", false}, {"企业邮箱", false},
		{"视频号", false}, {"激活状态", false}, {"禁用状态", false}, {"微信插件", false}}
}

// cells returns m as the 15 header-ordered cell values.
func cells(m wecomexport.Member, spec Spec) []any {
	disabled := "未禁用"
	if m.Disabled != nil && *m.Disabled {
		disabled = "已禁用"
	}
	var mobile any = m.Mobile
	if spec.NumericPhones {
		if n, err := strconv.ParseInt(m.Mobile, 10, 64); err == nil {
			mobile = n
		}
	}
	return []any{m.Name, m.UserID, m.Alias, m.Position, joinDepartments(m.Departments, spec.DeptSeparator),
		m.Gender, mobile, m.Telephone, m.Email, m.Address, m.BizMail, m.VideoChannel, m.ActiveStatus, disabled,
		m.WeChatPlugin}
}

// Write writes c as a console export in the layout spec asks for (notice block, labels, sheet
// name, separator, numeric phones), streaming the rows with excelize's StreamWriter. Rows are
// written at their Row numbers, members and bad rows merged in row order.
func Write(w io.Writer, c Company, spec Spec) (err error) {
	spec = spec.withDefaults()
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if err := f.SetSheetName("Sheet1", spec.Sheet); err != nil {
		return fmt.Errorf("name sheet %q: %w", spec.Sheet, err)
	}
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	sw, err := f.NewStreamWriter(spec.Sheet)
	if err != nil {
		return fmt.Errorf("stream sheet %q: %w", spec.Sheet, err)
	}
	columns := headerColumns(spec.LabelVariants)
	if err := sw.SetColWidth(1, len(columns), 16); err != nil {
		return fmt.Errorf("set column width: %w", err)
	}
	if err := sw.SetColWidth(5, 5, 36); err != nil { // 部门
		return fmt.Errorf("set column width: %w", err)
	}
	if spec.NoticeBlock {
		if err := writeNotice(sw, st, len(columns)); err != nil {
			return err
		}
	}
	header := make([]any, len(columns))
	for i, col := range columns {
		style := st.header
		if col.required {
			style = st.required
		}
		header[i] = excelize.Cell{StyleID: style, Value: col.label}
	}
	if err := setRow(sw, spec.headerRow(), header); err != nil {
		return err
	}
	rows := make([]wecomexport.Member, 0, len(c.Members)+len(c.BadRows))
	rows = append(rows, c.Members...)
	for _, b := range c.BadRows {
		rows = append(rows, b.Cells)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Row < rows[j].Row })
	last := spec.headerRow()
	for _, m := range rows {
		if m.Row <= last {
			return fmt.Errorf("row %d of %q: rows must be below the header (row %d) and distinct", m.Row, m.UserID, spec.headerRow())
		}
		if err := setRow(sw, m.Row, cells(m, spec)); err != nil {
			return err
		}
		last = m.Row
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("flush sheet %q: %w", spec.Sheet, err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("write workbook: %w", err)
	}
	return nil
}

func setRow(sw *excelize.StreamWriter, row int, values []any) error {
	cell, err := excelize.CoordinatesToCellName(1, row)
	if err != nil {
		return fmt.Errorf("row %d: %w", row, err)
	}
	if err := sw.SetRow(cell, values); err != nil {
		return fmt.Errorf("write row %d: %w", row, err)
	}
	return nil
}

// styles are the cell styles of the export.
type styles struct{ title, notice, header, required int }

func newStyles(f *excelize.File) (styles, error) {
	var st styles
	for _, s := range []struct {
		id    *int
		style excelize.Style
	}{
		{&st.title, excelize.Style{Font: &excelize.Font{Bold: true, Size: 12}}},
		{&st.notice, excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}},
		{&st.header, excelize.Style{Font: &excelize.Font{Bold: true}}},
		{&st.required, excelize.Style{Font: &excelize.Font{Bold: true, Color: "FF0000"}}},
	} {
		id, err := f.NewStyle(&s.style)
		if err != nil {
			return st, fmt.Errorf("new style: %w", err)
		}
		*s.id = id
	}
	return st, nil
}

// writeNotice writes the notice block, each row merged across the header's width.
func writeNotice(sw *excelize.StreamWriter, st styles, width int) error {
	lastCol, err := excelize.ColumnNumberToName(width)
	if err != nil {
		return fmt.Errorf("notice width: %w", err)
	}
	for i, text := range noticeText() {
		style := st.notice
		if i == 0 {
			style = st.title
		}
		if err := setRow(sw, i+1, []any{excelize.Cell{StyleID: style, Value: text}}); err != nil {
			return err
		}
		if err := sw.MergeCell(fmt.Sprintf("A%d", i+1), fmt.Sprintf("%s%d", lastCol, i+1)); err != nil {
			return fmt.Errorf("merge notice row %d: %w", i+1, err)
		}
	}
	return nil
}

// WriteFile generates the company of spec and writes its export to path.
func WriteFile(path string, spec Spec) (Company, error) {
	c := Generate(spec)
	return c, WriteCompany(path, c, spec)
}

// WriteCompany writes the export of c (for example an Edited company) to path.
func WriteCompany(path string, c Company, spec Spec) (err error) {
	out, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("create export: %w", err)
	}
	defer func() {
		if cerr := out.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close export %q: %w", path, cerr)
		}
	}()
	if err := Write(out, c, spec); err != nil {
		return fmt.Errorf("write export %q: %w", path, err)
	}
	return nil
}
