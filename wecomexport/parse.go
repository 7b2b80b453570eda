package wecomexport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Default limits applied when the Options fields are zero.
const (
	DefaultMaxFileBytes int64 = 200 << 20
	DefaultMaxRows            = 1_000_000
)

// Options select what Parse reads. The zero value reads every sheet that has a header, from the
// top, except that EndRow 0 means "only row index 0": a caller that takes Options from JSON, where
// an absent endRow decodes as 0, must pass -1 for "to the last row" itself.
type Options struct {
	// Sheet is "" for every sheet that has a recognisable header (sheets without one are skipped),
	// "0", "1", … for a 0-based sheet index, or else a sheet name. Digits that are not a valid index
	// but are the name of a sheet select that sheet.
	Sheet string `json:"sheet,omitempty"`
	// StartRow is the 0-based index of the first row read in each sheet (0 = Excel row 1). The
	// header is searched for from here.
	StartRow int `json:"startRow,omitempty"`
	// EndRow is the 0-based, inclusive index of the last row read in each sheet; -1 = the last row.
	EndRow int `json:"endRow"`
	// MaxFileBytes bounds the input size; 0 means DefaultMaxFileBytes. Larger input is ErrTooLarge.
	MaxFileBytes int64 `json:"maxFileBytes,omitempty"`
	// MaxRows bounds the number of non-blank data rows over all sheets; 0 means DefaultMaxRows.
	// More rows is ErrTooLarge.
	MaxRows int `json:"maxRows,omitempty"`
}

// Member is one valid row. Every text field is the cell's text, trimmed; nothing is normalised
// (mobiles keep their "+86 " form or lack of it, 性别 stays 男/女).
type Member struct {
	Sheet        string `json:"sheet"`
	Row          int    `json:"row"` // Excel row number as Excel shows it (1-based)
	UserID       string `json:"userId"`
	Name         string `json:"name"`
	Alias        string `json:"alias,omitempty"`
	Position     string `json:"position,omitempty"`
	Gender       string `json:"gender,omitempty"`
	Mobile       string `json:"mobile,omitempty"`
	Telephone    string `json:"telephone,omitempty"`
	Email        string `json:"email,omitempty"`
	BizMail      string `json:"bizMail,omitempty"`
	Address      string `json:"address,omitempty"`
	VideoChannel string `json:"videoChannel,omitempty"` // 视频号
	WeChatPlugin string `json:"weChatPlugin,omitempty"` // 微信插件, raw text (已关注/未关注)
	ActiveStatus string `json:"activeStatus,omitempty"` // 激活状态, raw text (已激活/未激活)
	// Disabled is true when 禁用状态 is 已禁用 (also 禁用, 是, 1, true).
	Disabled bool `json:"disabled,omitempty"`
	// Departments holds each 部门 path as trimmed segments from the top level, main department
	// first; nil when the cell is empty.
	Departments [][]string `json:"departments,omitempty"`
	// Extra holds the non-empty cells of columns with unknown labels (custom fields), keyed by
	// header label; nil when there are none.
	Extra map[string]string `json:"extra,omitempty"`
}

// Reject is one problem with one row; the row is not a member. A row can have several rejects.
// Value is set only for 账号 and 部门 cells, never for personal data such as mobiles or emails.
type Reject struct {
	File  string `json:"file"`
	Sheet string `json:"sheet"`
	Row   int    `json:"row"`   // Excel row number (1-based)
	Field string `json:"field"` // FieldUserID, FieldName or FieldDepartment
	Value string `json:"value,omitempty"`
	// UserID is the row's 账号 cell (trimmed, possibly invalid), whatever Field is, so that callers
	// can leave that user alone (a delete-only run must not delete a user whose row was rejected).
	UserID string `json:"userId,omitempty"`
	Reason string `json:"reason"`
}

// Summary describes what Parse read. It is returned with errors too, counting what was read.
type Summary struct {
	File    string   `json:"file"`
	Sheets  []string `json:"sheets"`  // sheets that had a header and were read
	Rows    int      `json:"rows"`    // non-blank data rows read
	Members int      `json:"members"` // valid rows
	Rejects int      `json:"rejects"` // Reject records (a row can have several)
	// Header maps each header label, as written, to its 1-based column (A = 1) in the first sheet read.
	Header map[string]int `json:"header,omitempty"`
}

// Parse reads the workbook from r; file names it in rejects and errors. onMember and onReject (nil
// = ignore) are called in row order, sheet by sheet; an error from them aborts Parse, which returns
// it unchanged. Whole-file problems are a *FileError wrapping a sentinel error; so is a file in
// which no row is valid (ErrNoValidRows), after onReject has seen every reject. Cancelling ctx stops
// the parse between rows.
func Parse(ctx context.Context, r io.Reader, file string, opts Options,
	onMember func(Member) error, onReject func(Reject) error) (sum Summary, err error) {
	sum = Summary{File: file}
	if opts, err = opts.normalized(file); err != nil {
		return sum, err
	}
	f, err := openWorkbook(ctx, r, file, opts.MaxFileBytes)
	if err != nil {
		return sum, err
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close workbook %q: %w", file, cerr)
		}
	}()
	sheets, err := selectSheets(f, file, opts.Sheet)
	if err != nil {
		return sum, err
	}
	p := &parser{
		ctx: ctx, file: file, opts: opts, sum: &sum,
		onMember: onMember, onReject: onReject,
		seen: make(map[string]seenAt),
	}
	for _, sheet := range sheets {
		found, err := p.parseSheet(f, sheet)
		if err != nil {
			return sum, err
		}
		if !found && opts.Sheet != "" {
			return sum, p.noHeader(sheet)
		}
	}
	switch {
	case len(sum.Sheets) == 0:
		return sum, p.noHeader(strings.Join(sheets, ", "))
	case sum.Members > 0:
		return sum, nil
	case sum.Rows == 0:
		return sum, fileErr(file, strings.Join(sum.Sheets, ", "), ErrNoValidRows,
			"the header row has no member rows below it")
	default:
		return sum, fileErr(file, strings.Join(sum.Sheets, ", "), ErrNoValidRows,
			"all %d data rows were rejected; fix the rejected rows and upload the file again", sum.Rows)
	}
}

// normalized applies defaults and checks the row range.
func (o Options) normalized(file string) (Options, error) {
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	switch {
	case o.StartRow < 0:
		return o, fileErr(file, "", ErrBadRowRange, "start row %d is negative (rows are 0-based)", o.StartRow)
	case o.EndRow < -1:
		return o, fileErr(file, "", ErrBadRowRange, "end row %d is invalid (rows are 0-based; -1 = last row)", o.EndRow)
	case o.EndRow != -1 && o.EndRow < o.StartRow:
		return o, fileErr(file, "", ErrBadRowRange,
			"end row %d is before start row %d (rows are 0-based; -1 = last row)", o.EndRow, o.StartRow)
	}
	return o, nil
}

// cfbSignature starts every OLE compound file: an encrypted .xlsx, or a legacy .xls.
const cfbSignature = "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

// unzipXMLLimit is the size above which excelize reads a part from a temporary file.
const unzipXMLLimit = 4 << 20

// errLimit is returned by limitReader past its limit; it never leaves this package.
var errLimit = errors.New("input larger than the limit")

// limitReader stops at ctx cancellation and after max bytes.
type limitReader struct {
	ctx  context.Context
	r    io.Reader
	left int64
	err  error // the last error from r other than io.EOF
}

func (l *limitReader) Read(b []byte) (int, error) {
	if err := l.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := l.r.Read(b)
	if l.left -= int64(n); l.left < 0 {
		return n, errLimit
	}
	if err != nil && err != io.EOF {
		l.err = err
	}
	return n, err
}

// openWorkbook checks the file signature and opens the workbook. excelize keeps the zip in memory;
// parts larger than unzipXMLLimit (big worksheets and, importantly, the shared-string table, which
// holds nearly every text cell) are spilled to temporary files that Close removes, so the strings of
// a 100k-row export are not all decoded into memory at once.
func openWorkbook(ctx context.Context, r io.Reader, file string, maxBytes int64) (*excelize.File, error) {
	head := make([]byte, len(cfbSignature))
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read %q: %w", file, err)
	}
	head = head[:n]
	switch {
	case string(head) == cfbSignature:
		return nil, compoundFileError(head, r, file, maxBytes)
	case !bytes.HasPrefix(head, []byte("PK")):
		return nil, fileErr(file, "", ErrNotXLSX, "the file is not a zip archive as .xlsx files are "+
			"(CSV, HTML or text exports are not supported); export 通讯录 from the WeCom admin console as Excel")
	}
	lr := &limitReader{ctx: ctx, r: io.MultiReader(bytes.NewReader(head), r), left: maxBytes}
	f, err := excelize.OpenReader(lr, excelize.Options{UnzipXMLSizeLimit: unzipXMLLimit})
	if err == nil && len(f.GetSheetList()) == 0 {
		err = errors.New("the workbook has no worksheets")
	}
	if err == nil {
		return f, nil
	}
	if f != nil {
		_ = f.Close() // the open error is the one worth reporting
	}
	switch {
	case errors.Is(err, errLimit):
		return nil, fileErr(file, "", ErrTooLarge, "the file is larger than %d MiB", maxBytes>>20)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("read %q: %w", file, ctx.Err())
	case lr.err != nil:
		return nil, fmt.Errorf("read %q: %w", file, lr.err)
	}
	return nil, fileErr(file, "", ErrNotXLSX, "cannot read it as an Excel workbook (%v); export 通讯录 again as .xlsx", err)
}

// compoundFileError classifies an OLE compound file: an encrypted OOXML package holds an
// "EncryptedPackage" stream; a legacy .xls holds a "Workbook" (BIFF8) or "Book" (BIFF5) stream.
func compoundFileError(head []byte, r io.Reader, file string, maxBytes int64) error {
	rest, err := io.ReadAll(io.LimitReader(r, maxBytes))
	if err != nil {
		return fmt.Errorf("read %q: %w", file, err)
	}
	all := append(head, rest...)
	legacy := bytes.Contains(all, utf16LE("Workbook")) || bytes.Contains(all, utf16LE("Book"))
	if legacy && !bytes.Contains(all, utf16LE("EncryptedPackage")) {
		return fileErr(file, "", ErrNotXLSX, "it is a legacy .xls workbook; save it as .xlsx or export it again")
	}
	return &FileError{File: file, Err: ErrEncrypted}
}

// utf16LE encodes an ASCII string as the UTF-16LE bytes compound-file directory names use.
func utf16LE(s string) []byte {
	b := make([]byte, 0, 2*len(s))
	for i := 0; i < len(s); i++ {
		b = append(b, s[i], 0)
	}
	return b
}

// selectSheets resolves Options.Sheet to sheet names in workbook order.
func selectSheets(f *excelize.File, file, sel string) ([]string, error) {
	names := f.GetSheetList()
	if sel == "" {
		return names, nil
	}
	if isDigits(sel) {
		if i, err := strconv.Atoi(sel); err == nil && i < len(names) {
			return names[i : i+1], nil
		}
	}
	for _, name := range names {
		if name == sel {
			return []string{name}, nil
		}
	}
	for _, name := range names {
		if strings.EqualFold(clean(name), clean(sel)) {
			return []string{name}, nil
		}
	}
	list := make([]string, len(names))
	for i, name := range names {
		list[i] = fmt.Sprintf("%d %q", i, name)
	}
	return nil, fileErr(file, sel, ErrNoSuchSheet, "the workbook has no such sheet; its sheets are %s "+
		"(select one by 0-based index or by name, or leave the sheet empty for all)", strings.Join(list, ", "))
}

// seenAt is where a userid was first accepted.
type seenAt struct {
	sheet int // index into sum.Sheets
	row   int
}

// parser holds the state of one Parse call.
type parser struct {
	ctx      context.Context
	file     string
	opts     Options
	sum      *Summary
	onMember func(Member) error
	onReject func(Reject) error
	seen     map[string]seenAt // lowercased userid → first valid row
	rejects  []Reject          // scratch for one row
}

// parseSheet reads one sheet; found reports whether it had a header row.
func (p *parser) parseSheet(f *excelize.File, sheet string) (found bool, err error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return false, fileErr(p.file, sheet, ErrNotXLSX, "cannot read the sheet (%v)", err)
	}
	defer func() {
		if cerr := rows.Close(); cerr != nil && err == nil {
			err = fileErr(p.file, sheet, ErrNotXLSX, "cannot read the sheet (%v)", cerr)
		}
	}()
	raw := excelize.Options{RawCellValue: true} // cell values without their number formats
	var h *header
	for idx := 0; rows.Next(); idx++ {
		if idx < p.opts.StartRow {
			continue
		}
		if p.opts.EndRow >= 0 && idx > p.opts.EndRow || h == nil && idx-p.opts.StartRow >= headerSearchRows {
			break
		}
		if idx&255 == 0 {
			if err := p.ctx.Err(); err != nil {
				return h != nil, fmt.Errorf("parse %q: %w", p.file, err)
			}
		}
		cells, err := rows.Columns(raw)
		if err != nil {
			return h != nil, &FileError{File: p.file, Sheet: sheet, Row: idx + 1,
				Err: fmt.Errorf("%w: cannot read the row (%v)", ErrNotXLSX, err)}
		}
		if h == nil {
			if h = parseHeader(cells); h != nil {
				p.sum.Sheets = append(p.sum.Sheets, sheet)
				if p.sum.Header == nil {
					p.sum.Header = h.labels
				}
			}
			continue
		}
		if err := p.row(sheet, idx+1, h, cells); err != nil {
			return true, err
		}
	}
	return h != nil, nil
}

// row handles one data row: a Member, one or more Rejects, or nothing for a blank row.
func (p *parser) row(sheet string, row int, h *header, cells []string) error {
	if isBlank(cells) {
		return nil
	}
	if p.sum.Rows++; p.sum.Rows > p.opts.MaxRows {
		return &FileError{File: p.file, Sheet: sheet, Row: row,
			Err: fmt.Errorf("%w: more than %d data rows", ErrTooLarge, p.opts.MaxRows)}
	}
	m := Member{
		Sheet:        sheet,
		Row:          row,
		UserID:       h.get(cells, fieldUserID),
		Name:         h.get(cells, fieldName),
		Alias:        h.get(cells, fieldAlias),
		Position:     h.get(cells, fieldPosition),
		Gender:       h.get(cells, fieldGender),
		Mobile:       h.get(cells, fieldMobile),
		Telephone:    h.get(cells, fieldTelephone),
		Email:        h.get(cells, fieldEmail),
		BizMail:      h.get(cells, fieldBizMail),
		Address:      h.get(cells, fieldAddress),
		VideoChannel: h.get(cells, fieldVideoChannel),
		WeChatPlugin: h.get(cells, fieldWeChatPlugin),
		ActiveStatus: h.get(cells, fieldActiveStatus),
		Disabled:     isDisabled(h.get(cells, fieldDisabled)),
	}
	p.rejects = p.rejects[:0]
	reject := func(field, value, reason string) {
		p.rejects = append(p.rejects, Reject{File: p.file, Sheet: sheet, Row: row, Field: field, Value: value,
			UserID: m.UserID, Reason: reason})
	}
	key := strings.ToLower(m.UserID)
	if err := CheckUserID(m.UserID); err != nil {
		reject(FieldUserID, m.UserID, err.Error())
	} else if first, dup := p.seen[key]; dup {
		reject(FieldUserID, m.UserID, DuplicateReason(p.sum.Sheets[first.sheet], first.row))
	}
	if m.Name == "" {
		reject(FieldName, "", ReasonMissingName)
	}
	dept := h.get(cells, fieldDepartment)
	var err error
	if m.Departments, err = SplitDepartments(dept); err != nil {
		reject(FieldDepartment, dept, err.Error())
	}
	for _, r := range p.rejects {
		p.sum.Rejects++
		if p.onReject != nil {
			if err := p.onReject(r); err != nil {
				return err
			}
		}
	}
	if len(p.rejects) > 0 {
		return nil
	}
	p.seen[key] = seenAt{sheet: len(p.sum.Sheets) - 1, row: row}
	for _, x := range h.extras {
		if v := cellAt(cells, x.col); v != "" {
			if m.Extra == nil {
				m.Extra = make(map[string]string)
			}
			m.Extra[x.label] = v
		}
	}
	p.sum.Members++
	if p.onMember != nil {
		return p.onMember(m)
	}
	return nil
}

// noHeader is the ErrNoHeader error for sheet (or a list of sheets).
func (p *parser) noHeader(sheet string) error {
	first, last := p.opts.StartRow+1, p.opts.StartRow+headerSearchRows
	if p.opts.EndRow >= 0 && p.opts.EndRow+1 < last {
		last = p.opts.EndRow + 1
	}
	return fileErr(p.file, sheet, ErrNoHeader, "expected %s within rows %d–%d; "+
		"is this the contacts export (通讯录 → 导出通讯录), and are the start row and sheet right?", expectedLabels, first, last)
}

func isBlank(cells []string) bool {
	for _, c := range cells {
		if clean(c) != "" {
			return false
		}
	}
	return true
}
