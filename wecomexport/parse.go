package wecomexport

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/wecomsync/wecomsync/wecomexport/internal/xlsx"
)

// Parse reads the workbook from r; file names it in rejects and errors. onMember and onReject (nil
// = ignore) are called in row order, sheet by sheet; an error from them aborts Parse, which returns
// it unchanged. Whole-file problems are a *FileError wrapping a sentinel error; so is a file in
// which no row is valid (ErrNoValidRows), after onReject has seen every reject. A *FileError can
// come after callbacks were called (a sheet damaged near its end): the caller must then discard
// what it was given. Cancelling ctx stops the parse between rows.
//
// r is read to its end. When it can seek and read at offsets (an *os.File, a *bytes.Reader) it is
// read in place; otherwise it is copied to memory, or to a temporary file when larger than 8 MiB.
func Parse(ctx context.Context, r io.Reader, file string, opts Options,
	onMember func(Member) error, onReject func(Reject) error) (sum Summary, err error) {
	sum = Summary{File: file}
	if opts, err = opts.normalized(file); err != nil {
		return sum, err
	}
	if err := ctx.Err(); err != nil {
		return sum, fmt.Errorf("parse %q: %w", file, err)
	}
	src, err := openSource(ctx, r, file, opts.MaxFileBytes)
	if err != nil {
		return sum, err
	}
	defer func() {
		if cerr := src.close(); cerr != nil && err == nil {
			err = fmt.Errorf("close %q: %w", file, cerr)
		}
	}()
	if err := sniff(src, file); err != nil {
		return sum, err
	}
	book, err := xlsx.Open(src, src.size, opts.limits())
	if err != nil {
		return sum, readError(file, "", nil, err)
	}
	if len(book.Sheets()) == 0 {
		return sum, fileErr(file, "", ErrNotXLSX, "the workbook has no sheets; export 通讯录 again as .xlsx")
	}
	selected, explicit, err := selectSheets(book.Sheets(), file, opts.Sheet)
	if err != nil {
		return sum, err
	}
	if err := book.LoadShared(ctx); err != nil {
		return sum, readError(file, "", nil, err)
	}
	p := &parser{
		ctx: ctx, file: file, opts: opts, sum: &sum, book: book,
		onMember: onMember, onReject: onReject,
		seen: make(map[string]seenAt),
	}
	for _, i := range selected {
		if err := p.sheet(i, explicit); err != nil {
			return sum, err
		}
	}
	return sum, p.verdict(selected)
}

// verdict is Parse's error after every selected sheet was read.
func (p *parser) verdict(selected []int) error {
	sum := p.sum
	switch {
	case len(sum.Sheets) == 0:
		names := make([]string, len(selected))
		for i, s := range selected {
			names[i] = p.book.Sheets()[s].Name
		}
		return p.noHeader(strings.Join(names, ", "))
	case sum.Members > 0:
		return nil
	case sum.Rows == 0:
		return fileErr(p.file, strings.Join(sum.Sheets, ", "), ErrNoValidRows,
			"the header row has no member rows below it")
	default:
		return fileErr(p.file, strings.Join(sum.Sheets, ", "), ErrNoValidRows,
			"all %d data rows were rejected; fix the rejected rows and upload the file again", sum.Rows)
	}
}

// noHeader is the ErrNoHeader error for sheet (or a list of sheets).
func (p *parser) noHeader(sheet string) error {
	last := "the last row"
	if p.opts.EndRow >= 0 {
		last = fmt.Sprintf("row %d", p.opts.EndRow+1)
	}
	hint := ""
	for _, sk := range p.sum.SkippedSheets {
		if sk.Reason == SkipHidden || sk.Reason == SkipVeryHidden {
			hint += fmt.Sprintf("; sheet %q is %s and was not read (select it by name to read it)", sk.Name, sk.Reason)
		}
	}
	return fileErr(p.file, sheet, ErrNoHeader, "expected %s from row %d to %s%s; "+
		"is this the contacts export (通讯录 → 导出通讯录), and are the start row and sheet right?",
		expectedLabels, p.opts.StartRow+1, last, hint)
}
