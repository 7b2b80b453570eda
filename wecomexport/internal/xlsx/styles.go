package xlsx

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
)

// readStyles reads which cell formats (cellXfs entries, the s attribute of a cell) show dates.
func (b *Book) readStyles(ctx context.Context) error {
	b.dates = nil
	if b.styles == "" || b.arc.file(b.styles) == nil {
		return nil
	}
	custom := make(map[int]bool) // numFmtId → date, for the formats styles.xml defines
	var xfs []int                // numFmtId of each cellXfs entry
	err := b.readPart(ctx, b.styles, maxMetaPartBytes, func(s *stream) error {
		for {
			e, err := s.nextStart()
			if err != nil {
				return err
			}
			switch {
			case e.Name.Local == "numFmt" && s.parent() == "numFmts":
				if len(custom) >= maxStyles {
					return tooLarge(b.styles, "more than %d number formats", maxStyles)
				}
				id, err := numFmtID(e)
				if err != nil {
					return corrupt(b.styles, "%v", err)
				}
				code, _ := attr(e, "formatCode")
				custom[id] = isDateFormat(code)
			case e.Name.Local == "xf" && s.parent() == "cellXfs":
				if len(xfs) >= maxStyles {
					return tooLarge(b.styles, "more than %d cell formats", maxStyles)
				}
				id, err := numFmtID(e)
				if err != nil {
					return corrupt(b.styles, "%v", err)
				}
				xfs = append(xfs, id)
			}
		}
	})
	if err != nil && err != io.EOF {
		return err
	}
	b.dates = make([]bool, len(xfs))
	for i, id := range xfs {
		date, defined := custom[id]
		b.dates[i] = defined && date || !defined && builtinDate(id)
	}
	return nil
}

func numFmtID(e xml.StartElement) (int, error) {
	v, ok := attr(e, "numFmtId")
	if !ok {
		return 0, nil
	}
	id, err := strconv.Atoi(v)
	if err != nil || id < 0 {
		return 0, fmt.Errorf("invalid numFmtId %q", v)
	}
	return id, nil
}

// isDate reports whether cell format s shows a date; unknown formats do not.
func (b *Book) isDate(s int) bool { return s >= 0 && s < len(b.dates) && b.dates[s] }
