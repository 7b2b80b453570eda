package wecomexport

import (
	"context"
	"fmt"
	"io"

	"github.com/wecomsync/wecomsync/wecomexport/internal/xlsx"
)

// parser holds the state of one Parse call.
type parser struct {
	ctx      context.Context
	file     string
	opts     Options
	sum      *Summary
	book     *xlsx.Book
	onMember func(Member) error
	onReject func(Reject) error
	seen     map[string]seenAt // directory.UserKey(userid) → first valid row
	h        *header           // header of the sheet being read, nil before it is found
	rejects  []Reject          // scratch for one row
	slots    []xlsx.Cell       // scratch: one data row's cells by slot
}

// seenAt is where a userid was first accepted: small, since there is one per member.
type seenAt struct {
	sheet int32 // index into Summary.Sheets
	row   int32
}

// rowCounts counts the rows of a sheet (or of the part above its header) that were not read as data.
type rowCounts struct {
	rows, memberLike int
}

func (c *rowCounts) add(row *xlsx.Row) {
	if !isBlank(row.Cells) {
		c.rows++
		if memberLike(row.Cells) {
			c.memberLike++
		}
	}
}

// sheet reads sheet i: the members of a visible or explicitly selected worksheet that has a
// header; only counts for the others, which are listed in Summary.SkippedSheets.
func (p *parser) sheet(i int, explicit bool) error {
	sh := p.book.Sheets()[i]
	p.h = nil
	if sh.Kind != xlsx.Worksheet {
		if explicit {
			return fileErr(p.file, sh.Name, ErrNoHeader, "the sheet is a chart or macro sheet, not a worksheet with rows")
		}
		p.skipped(SkippedSheet{Name: sh.Name, Reason: SkipNotAWorksheet},
			fmt.Sprintf("sheet %q is a chart or macro sheet and was not read", sh.Name))
		return nil
	}
	if sh.State != xlsx.Visible && !explicit {
		var c rowCounts
		if err := p.rows(i, func(row *xlsx.Row) error { c.add(row); return nil }); err != nil {
			return err
		}
		reason, how := SkipHidden, "hidden"
		if sh.State == xlsx.VeryHidden {
			reason, how = SkipVeryHidden, "very hidden (only a macro can unhide it)"
		}
		p.skipped(SkippedSheet{Name: sh.Name, Reason: reason, Rows: c.rows, MemberLikeRows: c.memberLike},
			fmt.Sprintf("sheet %q is %s and was not read%s; select it by name to read it", sh.Name, how, c.describe()))
		return nil
	}
	var above rowCounts
	err := p.rows(i, func(row *xlsx.Row) error {
		if p.h != nil {
			return p.row(sh.Name, row)
		}
		if p.h = parseHeader(row.Num, row.Cells); p.h == nil {
			above.add(row)
			return nil
		}
		p.sum.Sheets = append(p.sum.Sheets, sh.Name)
		if p.sum.Header == nil {
			p.sum.Header = p.h.labels
		}
		return nil
	})
	switch {
	case err != nil:
		return err
	case p.h == nil && explicit:
		return p.noHeader(sh.Name)
	case p.h == nil:
		p.skipped(SkippedSheet{Name: sh.Name, Reason: SkipNoHeader, Rows: above.rows, MemberLikeRows: above.memberLike},
			fmt.Sprintf("sheet %q has no header row (%s) and was not read%s", sh.Name, expectedLabels, above.describe()))
	case above.memberLike > 0:
		p.sum.MemberLikeRowsAboveHeader += above.memberLike
		what := fmt.Sprintf("%d rows above the header row (row %d) look like member rows and were not read", above.memberLike, p.h.row)
		if above.memberLike == 1 {
			what = fmt.Sprintf("1 row above the header row (row %d) looks like a member row and was not read", p.h.row)
		}
		p.sum.Warnings = append(p.sum.Warnings, fmt.Sprintf("sheet %q: %s", sh.Name, what))
	}
	return nil
}

// describe is a warning's note on the counted rows.
func (c rowCounts) describe() string {
	rows := fmt.Sprintf("%d rows", c.rows)
	if c.rows == 1 {
		rows = "1 row"
	}
	switch {
	case c.rows == 0:
		return " (it has no rows)"
	case c.memberLike == 0:
		return fmt.Sprintf(" (%s, none member-like)", rows)
	}
	return fmt.Sprintf(" (%s, %d member-like: the file may be incomplete)", rows, c.memberLike)
}

func (p *parser) skipped(s SkippedSheet, warning string) {
	p.sum.SkippedSheets = append(p.sum.SkippedSheets, s)
	p.sum.Warnings = append(p.sum.Warnings, warning)
}

// rows calls fn for each row of sheet i within StartRow–EndRow that has a value; past EndRow it
// reads the rest of the sheet without building rows, so that a damaged end fails the file too.
func (p *parser) rows(i int, fn func(*xlsx.Row) error) (err error) {
	name := p.book.Sheets()[i].Name
	r, err := p.book.OpenSheet(i)
	if err != nil {
		return readError(p.file, name, nil, err)
	}
	defer func() {
		if cerr := r.Close(); cerr != nil && err == nil {
			err = readError(p.file, name, nil, cerr)
		}
	}()
	for n := 0; ; n++ {
		if n&255 == 0 {
			if err := p.ctx.Err(); err != nil {
				return fmt.Errorf("parse %q: %w", p.file, err)
			}
		}
		row, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return readError(p.file, name, p.h, err)
		}
		in, past := p.opts.inRange(row.Num - 1)
		if past {
			if err := r.Finish(); err != nil {
				return readError(p.file, name, p.h, err)
			}
			return nil
		}
		if in {
			if err := fn(row); err != nil {
				return err
			}
		}
	}
}
