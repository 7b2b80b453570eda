package wecomexport

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors for whole-file problems. Parse returns them wrapped in a *FileError, which names the
// file and sheet and says what a person can do about it; test for them with errors.Is.
var (
	// ErrNotXLSX means the input is not an .xlsx workbook (not a zip, a legacy .xls, CSV, HTML, …).
	ErrNotXLSX = errors.New("not an .xlsx workbook")
	// ErrEncrypted means the workbook is password-protected (an OLE compound file wrapping the zip).
	ErrEncrypted = errors.New("the file is password-protected; export it again without a password")
	// ErrNoHeader means no selected sheet has a header row with 姓名 and 账号 near its top.
	ErrNoHeader = errors.New("no header row")
	// ErrNoValidRows means the file was read but not one row is a valid member.
	ErrNoValidRows = errors.New("no valid member rows")
	// ErrTooLarge means the file is larger than Options.MaxFileBytes or has more than
	// Options.MaxRows data rows.
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
	Field string // column label, "" when not about one column
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
