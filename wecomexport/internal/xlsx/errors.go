package xlsx

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel kinds of *Error.
var (
	// ErrNotWorkbook means the zip archive is readable but holds no workbook.
	ErrNotWorkbook = errors.New("not an Excel workbook")
	// ErrCorrupt means a part cannot be read to its end: a damaged zip, a checksum mismatch,
	// malformed or truncated XML, bytes that are not UTF-8, or values that break SpreadsheetML.
	ErrCorrupt = errors.New("corrupt")
	// ErrTooLarge means a part, row, cell or table is larger than its limit.
	ErrTooLarge = errors.New("too large")
)

// Error is a problem with one part of the workbook.
type Error struct {
	Part string // zip part name, e.g. "xl/worksheets/sheet1.xml"; "" for the archive itself
	Row  int    // 1-based row number, 0 when not about one row
	Col  int    // 1-based column number, 0 when not about one cell
	Kind error  // ErrCorrupt, ErrTooLarge or ErrNotWorkbook
	Msg  string // what is wrong, for a person
}

// Error reads like "xl/worksheets/sheet1.xml, row 7, column C: corrupt: …".
func (e *Error) Error() string {
	var b strings.Builder
	if e.Part != "" {
		b.WriteString(e.Part)
	} else {
		b.WriteString("zip archive")
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, ", row %d", e.Row)
	}
	if e.Col > 0 {
		fmt.Fprintf(&b, ", column %s", ColumnName(e.Col))
	}
	fmt.Fprintf(&b, ": %v: %s", e.Kind, e.Msg)
	return b.String()
}

// Unwrap returns the kind, so errors.Is(err, ErrCorrupt) works.
func (e *Error) Unwrap() error { return e.Kind }

func corrupt(part, format string, args ...any) *Error {
	return &Error{Part: part, Kind: ErrCorrupt, Msg: fmt.Sprintf(format, args...)}
}

func tooLarge(part, format string, args ...any) *Error {
	return &Error{Part: part, Kind: ErrTooLarge, Msg: fmt.Sprintf(format, args...)}
}

// at sets the row and column of err when it is an *Error that has none yet.
func at(err error, row, col int) error {
	var e *Error
	if errors.As(err, &e) {
		if e.Row == 0 {
			e.Row = row
		}
		if e.Col == 0 {
			e.Col = col
		}
	}
	return err
}
