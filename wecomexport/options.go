package wecomexport

import "github.com/wecomsync/wecomsync/wecomexport/internal/xlsx"

// Default limits, applied when the matching Options field is zero. They keep Parse within a few
// hundred MB of memory on any input — the largest costs are the shared-strings table (at most
// DefaultMaxSharedStringBytes of text plus 12 bytes a string) and the set of userids seen — while
// a real export of 100,000 members (10–100 MB of sheet XML) stays far below every one of them.
const (
	// DefaultMaxFileBytes bounds the input (the compressed .xlsx).
	DefaultMaxFileBytes int64 = 200 << 20
	// DefaultMaxRows bounds the non-blank data rows over all sheets.
	DefaultMaxRows = 1_000_000
	// DefaultMaxPartBytes bounds the uncompressed size of one part of the workbook (a worksheet,
	// the shared strings), as declared by its zip entry and as it inflates. Worksheets are
	// streamed, so this bounds time, not memory: about 1,000 bytes of XML per row of 15 columns.
	DefaultMaxPartBytes int64 = 1 << 30
	// DefaultMaxUncompressedBytes bounds the uncompressed size of all the parts read together.
	DefaultMaxUncompressedBytes int64 = 2 << 30
	// DefaultMaxCellBytes bounds one cell's text and one shared string, and the raw XML of any one
	// tag or run of text. Excel holds at most 32,767 characters in a cell (≤ 96 KiB of UTF-8).
	DefaultMaxCellBytes = 256 << 10
	// DefaultMaxRowBytes bounds the XML of one worksheet row.
	DefaultMaxRowBytes int64 = 4 << 20
	// DefaultMaxColumns bounds the cells of one row and the columns they may name: Excel's 16,384
	// (A to XFD).
	DefaultMaxColumns = 16_384
	// DefaultMaxSharedStrings bounds the number of shared strings (about 4–5 per member row in
	// exports written with a shared-strings table).
	DefaultMaxSharedStrings = 2_000_000
	// DefaultMaxSharedStringBytes bounds the text of the shared-strings table.
	DefaultMaxSharedStringBytes int64 = 64 << 20
)

// Options select what Parse reads and bound what it may cost. The zero value reads every visible
// sheet that has a recognisable header, from the top, with the default limits — except that
// EndRow 0 means "only row index 0": a caller that takes Options from JSON, where an absent endRow
// decodes as 0, must pass -1 for "to the last row" itself.
type Options struct {
	// Sheet is "" for every visible sheet that has a recognisable header (other sheets are skipped
	// and listed in Summary.SkippedSheets), "0", "1", … for a 0-based sheet index, or else a sheet
	// name. Digits that are not a valid index but are the name of a sheet select that sheet. A
	// selected sheet is read even when it is hidden, and must have a header.
	Sheet string `json:"sheet,omitempty"`
	// StartRow is the 0-based index of the first row read in each sheet (0 = Excel row 1). The
	// header is searched for from here.
	StartRow int `json:"startRow,omitempty"`
	// EndRow is the 0-based, inclusive index of the last row read in each sheet; -1 = the last row.
	// Rows after it are not parsed, but the sheet is still read to its end to verify it.
	EndRow int `json:"endRow"`

	// MaxFileBytes bounds the input size; 0 means DefaultMaxFileBytes.
	MaxFileBytes int64 `json:"maxFileBytes,omitempty"`
	// MaxRows bounds the number of non-blank data rows over all sheets; 0 means DefaultMaxRows.
	MaxRows int `json:"maxRows,omitempty"`
	// MaxPartBytes bounds one part's uncompressed size; 0 means DefaultMaxPartBytes.
	MaxPartBytes int64 `json:"maxPartBytes,omitempty"`
	// MaxUncompressedBytes bounds all parts read together; 0 means DefaultMaxUncompressedBytes.
	MaxUncompressedBytes int64 `json:"maxUncompressedBytes,omitempty"`
	// MaxCellBytes bounds one cell's text; 0 means DefaultMaxCellBytes.
	MaxCellBytes int `json:"maxCellBytes,omitempty"`
	// MaxRowBytes bounds one row's XML; 0 means DefaultMaxRowBytes.
	MaxRowBytes int64 `json:"maxRowBytes,omitempty"`
	// MaxColumns bounds the cells of one row; 0 means DefaultMaxColumns.
	MaxColumns int `json:"maxColumns,omitempty"`
	// MaxSharedStrings bounds the shared-strings count; 0 means DefaultMaxSharedStrings.
	MaxSharedStrings int `json:"maxSharedStrings,omitempty"`
	// MaxSharedStringBytes bounds the shared-strings text; 0 means DefaultMaxSharedStringBytes.
	MaxSharedStringBytes int64 `json:"maxSharedStringBytes,omitempty"`
}

// normalized applies defaults and checks the row range. Every input that exceeds a limit fails
// Parse with ErrTooLarge.
func (o Options) normalized(file string) (Options, error) {
	o.MaxFileBytes = positive(o.MaxFileBytes, DefaultMaxFileBytes)
	o.MaxRows = positive(o.MaxRows, DefaultMaxRows)
	o.MaxPartBytes = positive(o.MaxPartBytes, DefaultMaxPartBytes)
	o.MaxUncompressedBytes = positive(o.MaxUncompressedBytes, DefaultMaxUncompressedBytes)
	o.MaxCellBytes = positive(o.MaxCellBytes, DefaultMaxCellBytes)
	o.MaxRowBytes = positive(o.MaxRowBytes, DefaultMaxRowBytes)
	o.MaxColumns = positive(o.MaxColumns, DefaultMaxColumns)
	o.MaxSharedStrings = positive(o.MaxSharedStrings, DefaultMaxSharedStrings)
	o.MaxSharedStringBytes = positive(o.MaxSharedStringBytes, DefaultMaxSharedStringBytes)
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

func positive[T int | int64](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// limits are the reader's bounds from normalized options.
func (o Options) limits() xlsx.Limits {
	return xlsx.Limits{
		PartBytes:         o.MaxPartBytes,
		TotalBytes:        o.MaxUncompressedBytes,
		CellBytes:         o.MaxCellBytes,
		RowBytes:          o.MaxRowBytes,
		Columns:           min(o.MaxColumns, xlsx.MaxColumn),
		SharedStrings:     o.MaxSharedStrings,
		SharedStringBytes: o.MaxSharedStringBytes,
	}
}

// inRange reports whether the 0-based row index idx is inside StartRow–EndRow, and past whether
// it lies after EndRow.
func (o Options) inRange(idx int) (in, past bool) {
	if o.EndRow >= 0 && idx > o.EndRow {
		return false, true
	}
	return idx >= o.StartRow, false
}
