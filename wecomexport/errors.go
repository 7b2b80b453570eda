package wecomexport

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wecomsync/wecomsync/wecomexport/internal/xlsx"
)

// Sentinel errors for whole-file problems. Parse returns them wrapped in a *FileError, which names the
// file and sheet and says what a person can do about it; test for them with errors.Is.
var (
	// ErrEmpty means the input has no bytes at all.
	ErrEmpty = errors.New("the file is empty (0 bytes)")
	// ErrNotXLSX means the input is not an .xlsx workbook (not a zip, a legacy .xls, CSV, HTML, a
	// zip without a workbook, …).
	ErrNotXLSX = errors.New("not an .xlsx workbook")
	// ErrEncrypted means the workbook is password-protected (an OLE compound file wrapping the zip).
	ErrEncrypted = errors.New("the file is password-protected; export it again without a password")
	// ErrCorrupt means the workbook cannot be read to its end: a damaged or truncated zip, an entry
	// failing its CRC-32 checksum, malformed or truncated XML, bytes that are not UTF-8, or values
	// that break the file format. Nothing of such a file is trusted, even rows read before the fault.
	ErrCorrupt = errors.New("the file is damaged or incomplete")
	// ErrNoHeader means no selected sheet has a header row with 姓名 and 账号.
	ErrNoHeader = errors.New("no header row")
	// ErrNoValidRows means the file was read but not one row is a valid member.
	ErrNoValidRows = errors.New("no valid member rows")
	// ErrTooLarge means the input exceeds one of the limits in Options: file size, uncompressed
	// size of a part or of all parts, a cell, a row, the columns of a row, the shared strings, or
	// the number of data rows. The *FileError says which, and where.
	ErrTooLarge = errors.New("file too large")
	// ErrNoSuchSheet means Options.Sheet names a sheet (or index) the workbook does not have.
	ErrNoSuchSheet = errors.New("no such sheet")
	// ErrBadRowRange means Options.StartRow/EndRow do not describe a range of rows.
	ErrBadRowRange = errors.New("bad row range")
)

// FileError is a fatal, whole-file problem. Err wraps one of the sentinel errors (ErrNotXLSX, …)
// together with a sentence for a person; Sheet, Row and Field are set where they are known.
type FileError struct {
	File  string // file name as given to Parse
	Sheet string // sheet name(s), "" when the problem is not about one sheet
	Row   int    // Excel row number (1-based), 0 when not about one row
	Field string // column label (or letter, above the header), "" when not about one column
	Err   error  // wraps a sentinel
}

// Error reads like `wecom export "contacts.xlsx", sheet "成员列表": no header row: …`.
func (e *FileError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "wecom export %q", e.File)
	if e.Sheet != "" {
		fmt.Fprintf(&b, ", sheet %q", e.Sheet)
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, ", row %d", e.Row)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ", column %s", e.Field)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the wrapped error, so errors.Is(err, ErrNoHeader) works.
func (e *FileError) Unwrap() error { return e.Err }

// fileErr builds a *FileError whose Err is "<sentinel>: <detail>".
func fileErr(file, sheet string, sentinel error, format string, args ...any) *FileError {
	return &FileError{File: file, Sheet: sheet, Err: fmt.Errorf("%w: "+format, append([]any{sentinel}, args...)...)}
}

// readError turns an error of the workbook reader into a *FileError for sheet (may be ""); h, when
// not nil, names the column of a cell by its header label. Other errors pass unchanged.
func readError(file, sheet string, h *header, err error) error {
	var xe *xlsx.Error
	if !errors.As(err, &xe) {
		return err
	}
	fe := &FileError{File: file, Sheet: sheet, Row: xe.Row}
	if xe.Col > 0 {
		fe.Field = h.label(xe.Col)
	}
	where := ""
	if xe.Part != "" {
		where = " (in " + xe.Part + ")"
	}
	switch {
	case errors.Is(err, xlsx.ErrTooLarge):
		fe.Err = fmt.Errorf("%w: %s%s", ErrTooLarge, xe.Msg, where)
	case errors.Is(err, xlsx.ErrNotWorkbook):
		fe.Err = fmt.Errorf("%w: cannot read it as an Excel workbook (%s); export 通讯录 again as .xlsx", ErrNotXLSX, xe.Msg)
	default:
		fe.Err = fmt.Errorf("%w: %s%s; export 通讯录 again and upload the file unchanged", ErrCorrupt, xe.Msg, where)
	}
	return fe
}
