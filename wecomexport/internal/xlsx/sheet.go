package xlsx

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// CellType says what a cell holds.
type CellType uint8

// Cell types. Text covers shared strings (t="s"), inline strings (t="inlineStr") and formula
// strings (t="str"); Number is a numeric cell without a date format; Date is a numeric cell shown
// through a date or time format, or an ISO 8601 date cell (t="d").
const (
	Text CellType = iota
	Number
	Date
	Bool
	ErrorValue
)

// Cell is one cell that has a value.
type Cell struct {
	Col  int // 1-based column (A = 1)
	Type CellType
	// Value is the text of a Text cell exactly as stored; the decimal digits of a Number
	// (FormatNumber); for a Date the ISO 8601 date (and time) when the serial is a valid date, else
	// the number; "TRUE" or "FALSE" for a Bool; the error code ("#N/A", "#REF!", …) of an
	// ErrorValue.
	Value string
}

// Row is one worksheet row with its cells in column order; cells without a value are left out.
type Row struct {
	Num   int // 1-based row number
	Cells []Cell
}

// SheetReader streams the rows of one worksheet.
type SheetReader struct {
	book   *Book
	part   string
	in     *partReader
	s      *stream
	closer io.Closer
	lim    Limits
	inData bool // inside <sheetData>
	last   int  // number of the previous row
	row    Row
	v, is  []byte // scratch: the text of <v> and of <is>
}

// LoadShared reads the styles (which formats are dates) and the shared-strings table, which
// OpenSheet needs; call it once before reading sheets.
func (b *Book) LoadShared(ctx context.Context) error {
	if err := b.readStyles(ctx); err != nil {
		return err
	}
	return b.readSharedStrings(ctx)
}

// OpenSheet starts reading sheet i (an index into Sheets). The caller must Close the reader.
func (b *Book) OpenSheet(i int) (*SheetReader, error) {
	sh := b.sheets[i]
	if sh.Kind != Worksheet {
		return nil, fmt.Errorf("sheet %q is not a worksheet", sh.Name)
	}
	f := b.arc.file(sh.part)
	in, closer, err := b.arc.open(f, b.arc.lim.PartBytes)
	if err != nil {
		return nil, err
	}
	return &SheetReader{book: b, part: f.Name, in: in, s: newStream(f.Name, in), closer: closer, lim: b.arc.lim}, nil
}

// Close releases the part.
func (r *SheetReader) Close() error { return r.closer.Close() }

// Finish reads the rest of the part without building rows, checking that it is well formed to
// its end and that its size and CRC-32 checksum are right, for a caller that needs no more rows.
func (r *SheetReader) Finish() error { return r.after(r.s.finish()) }

// Next returns the next row that has at least one cell with a value; the Row and its Cells are
// valid until the following call. It returns io.EOF once the whole part has been read and found
// well formed.
func (r *SheetReader) Next() (*Row, error) {
	for {
		tok, err := r.s.next()
		if err != nil {
			return nil, r.after(err) // io.EOF passes unchanged
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case t.Name.Local == "sheetData" && len(r.s.stack) == 2:
				r.inData = true
			case r.inData && t.Name.Local == "row" && len(r.s.stack) == 3:
				if err := r.readRow(t); err != nil {
					return nil, err
				}
				if len(r.row.Cells) > 0 {
					return &r.row, nil
				}
			case r.inData:
				if err := r.s.skip(); err != nil {
					return nil, err
				}
			}
		case xml.EndElement:
			if t.Name.Local == "sheetData" && len(r.s.stack) == 1 {
				r.inData = false
			}
		}
	}
}

// after notes on an error met between rows which row came last.
func (r *SheetReader) after(err error) error {
	var e *Error
	if r.last > 0 && errors.As(err, &e) && e.Row == 0 {
		e.Msg += fmt.Sprintf(" (after row %d)", r.last)
	}
	return err
}

// readRow reads one <row> element whose start tag was just returned.
func (r *SheetReader) readRow(e xml.StartElement) error {
	num, explicit := r.last+1, false
	if v, ok := attr(e, "r"); ok {
		n, ok := parseRowNum(v)
		if !ok {
			return &Error{Part: r.part, Row: r.last + 1, Kind: ErrCorrupt, Msg: fmt.Sprintf("invalid row number %q", v)}
		}
		num, explicit = n, true
	}
	if num <= r.last || num > MaxRow {
		return &Error{Part: r.part, Row: num, Kind: ErrCorrupt,
			Msg: fmt.Sprintf("row %d follows row %d (rows must be in ascending order, at most %d)", num, r.last, MaxRow)}
	}
	start := r.in.offset()
	depth := len(r.s.stack)
	r.row.Num, r.row.Cells = num, r.row.Cells[:0]
	col, count := 0, 0
	for {
		tok, err := r.s.next()
		if err != nil {
			return at(eofIsCorrupt(r.part, err), r.row.Num, 0)
		}
		if r.in.offset()-start > r.lim.RowBytes {
			return &Error{Part: r.part, Row: r.row.Num, Kind: ErrTooLarge,
				Msg: fmt.Sprintf("the row is larger than %d bytes of XML", r.lim.RowBytes)}
		}
		switch t := tok.(type) {
		case xml.EndElement:
			if len(r.s.stack) < depth {
				r.last = r.row.Num
				return nil
			}
		case xml.StartElement:
			if t.Name.Local != "c" || len(r.s.stack) != depth+1 {
				if err := r.s.skip(); err != nil {
					return at(err, r.row.Num, 0)
				}
				continue
			}
			if count++; count > r.lim.Columns {
				return &Error{Part: r.part, Row: r.row.Num, Kind: ErrTooLarge,
					Msg: fmt.Sprintf("the row has more than %d cells", r.lim.Columns)}
			}
			next, err := r.cellColumn(t, col, count == 1 && !explicit)
			if err != nil {
				return err
			}
			col = next
			if err := r.readCell(t, col); err != nil {
				return at(err, r.row.Num, col)
			}
		}
	}
}

// cellColumn returns the column of a <c> element: its reference, or the one after the previous
// cell. A reference must name the row's number and a column after the previous one; a row
// without its own number takes the number of its first cell's reference.
func (r *SheetReader) cellColumn(e xml.StartElement, prev int, adoptRow bool) (int, error) {
	ref, ok := attr(e, "r")
	if !ok {
		if prev+1 > min(MaxColumn, r.lim.Columns) {
			return 0, &Error{Part: r.part, Row: r.row.Num, Kind: ErrTooLarge,
				Msg: fmt.Sprintf("a cell lies beyond column %s", ColumnName(min(MaxColumn, r.lim.Columns)))}
		}
		return prev + 1, nil
	}
	col, row, ok := parseRef(ref)
	switch {
	case !ok:
		return 0, &Error{Part: r.part, Row: r.row.Num, Kind: ErrCorrupt, Msg: fmt.Sprintf("invalid cell reference %q", ref)}
	case adoptRow && row > r.last:
		r.row.Num = row
	case row != r.row.Num:
		return 0, &Error{Part: r.part, Row: r.row.Num, Kind: ErrCorrupt,
			Msg: fmt.Sprintf("cell %s lies in row %d, not in this row", ref, row)}
	}
	switch {
	case col > r.lim.Columns:
		return 0, &Error{Part: r.part, Row: r.row.Num, Col: col, Kind: ErrTooLarge,
			Msg: fmt.Sprintf("cell %s lies beyond column %s", ref, ColumnName(r.lim.Columns))}
	case col <= prev:
		return 0, &Error{Part: r.part, Row: r.row.Num, Col: col, Kind: ErrCorrupt,
			Msg: fmt.Sprintf("cell %s comes after column %s (cells must be in ascending order)", ref, ColumnName(prev))}
	}
	return col, nil
}

// readCell reads one <c> element whose start tag was just returned, appending its value to the row.
func (r *SheetReader) readCell(e xml.StartElement, col int) error {
	depth := len(r.s.stack)
	r.v, r.is = r.v[:0], r.is[:0]
	hasV, hasIS := false, false
	inV, inIS := false, 0 // inIS: depth of the open <is>
	for {
		tok, err := r.s.next()
		if err != nil {
			return eofIsCorrupt(r.part, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch {
			case len(r.s.stack) == depth+1 && t.Name.Local == "v":
				inV, hasV = true, true
			case len(r.s.stack) == depth+1 && t.Name.Local == "is":
				inIS, hasIS = len(r.s.stack), true
			case inIS > 0 && t.Name.Local == "rPh", len(r.s.stack) == depth+1 && t.Name.Local != "v" && t.Name.Local != "is":
				if err := r.s.skip(); err != nil { // phonetic guides, formulas, extensions
					return err
				}
			}
		case xml.CharData:
			switch {
			case inV:
				r.v = append(r.v, t...)
			case inIS > 0 && r.s.stack[len(r.s.stack)-1].Local == "t":
				r.is = append(r.is, t...)
			}
			if len(r.v) > r.lim.CellBytes || len(r.is) > r.lim.CellBytes {
				return tooLarge(r.part, "the cell holds more than %d bytes of text", r.lim.CellBytes)
			}
		case xml.EndElement:
			switch {
			case len(r.s.stack) < depth:
				return r.value(e, col, hasV, hasIS)
			case len(r.s.stack) == depth:
				inV = false
				if t.Name.Local == "is" {
					inIS = 0
				}
			}
		}
	}
}

// value interprets the collected text of a cell by its type and format.
func (r *SheetReader) value(e xml.StartElement, col int, hasV, hasIS bool) error {
	typ, _ := attr(e, "t")
	cell := Cell{Col: col}
	switch typ {
	case "inlineStr":
		switch {
		case hasIS:
			cell.Value = string(r.is)
		case hasV:
			cell.Value = string(r.v)
		}
	case "s":
		if !hasV {
			return nil
		}
		i, err := strconv.Atoi(string(bytes.TrimSpace(r.v)))
		s, ok := r.book.sst.get(i)
		if err != nil || !ok {
			return corrupt(r.part, "shared string index %q is not in the shared-strings table (%d strings)", r.v, r.book.sst.len())
		}
		cell.Value = s
	case "str":
		cell.Value = string(r.v)
	case "b":
		switch v := string(bytes.TrimSpace(r.v)); v {
		case "":
			return nil
		case "1", "true":
			cell.Type, cell.Value = Bool, "TRUE"
		case "0", "false":
			cell.Type, cell.Value = Bool, "FALSE"
		default:
			return corrupt(r.part, "boolean cell holds %q", v)
		}
	case "e":
		cell.Type, cell.Value = ErrorValue, string(bytes.TrimSpace(r.v))
		if cell.Value == "" {
			cell.Value = "#N/A"
		}
	case "d":
		if cell.Type, cell.Value = Date, string(bytes.TrimSpace(r.v)); cell.Value == "" {
			return nil
		}
	case "", "n":
		v := string(bytes.TrimSpace(r.v))
		if v == "" {
			return nil
		}
		n, ok := FormatNumber(v)
		if !ok {
			return corrupt(r.part, "numeric cell holds %q, which is not a number", v)
		}
		cell.Type, cell.Value = Number, n
		if style, err := strconv.Atoi(attrOr(e, "s", "0")); err == nil && r.book.isDate(style) {
			cell.Type = Date
			if d, ok := serialDate(v, r.book.date1904); ok {
				cell.Value = d
			}
		}
	default:
		return corrupt(r.part, "unknown cell type %q", typ)
	}
	if cell.Type == Text && cell.Value == "" {
		return nil
	}
	r.row.Cells = append(r.row.Cells, cell)
	return nil
}

func attrOr(e xml.StartElement, local, def string) string {
	if v, ok := attr(e, local); ok {
		return v
	}
	return def
}
