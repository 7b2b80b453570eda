package xlsx

import (
	"context"
	"encoding/xml"
	"io"
	"path"
	"strings"
)

// Visibility is a sheet's state in the workbook.
type Visibility uint8

// Sheet states (ST_SheetState).
const (
	Visible    Visibility = iota
	Hidden                // hidden, can be unhidden from Excel's menu
	VeryHidden            // hidden, can only be unhidden with VBA
)

// SheetKind says what a sheet holds.
type SheetKind uint8

// Sheet kinds, by the relationship type of their part.
const (
	Worksheet SheetKind = iota
	Chartsheet
	OtherSheet // dialog sheet, macro sheet, …
)

// Sheet is one sheet of the workbook.
type Sheet struct {
	Name  string
	State Visibility
	Kind  SheetKind
	part  string
}

// Book is an open workbook. It holds no file: the caller keeps the io.ReaderAt open while using it.
type Book struct {
	arc      *archive
	sheets   []Sheet
	date1904 bool
	styles   string // part names, "" when absent
	strings  string
	dates    []bool // cell format (cellXfs index) → shows a date or time
	sst      *sharedStrings
}

// Open reads the workbook's structure: the zip directory, the sheets with their names and states,
// and where its styles and shared strings are. It does not read cells.
func Open(r io.ReaderAt, size int64, lim Limits) (*Book, error) {
	arc, err := openArchive(r, size, lim)
	if err != nil {
		return nil, err
	}
	b := &Book{arc: arc}
	wb, err := b.officeDocument()
	if err != nil {
		return nil, err
	}
	rels, err := b.relationships(wb)
	if err != nil {
		return nil, err
	}
	if err := b.readWorkbook(wb, rels); err != nil {
		return nil, err
	}
	for _, rel := range rels {
		switch relKind(rel.typ) {
		case "styles":
			b.styles = rel.target
		case "sharedStrings":
			b.strings = rel.target
		}
	}
	return b, nil
}

// Sheets returns the sheets in workbook order.
func (b *Book) Sheets() []Sheet { return b.sheets }

// relationship is one entry of a .rels part.
type relationship struct {
	id, typ, target string
}

// relKind is the last segment of a relationship type URI: "worksheet", "styles", …; transitional
// and strict OOXML use different URIs with the same last segment.
func relKind(typ string) string { return typ[strings.LastIndexByte(typ, '/')+1:] }

// officeDocument finds the workbook part through the package relationships.
func (b *Book) officeDocument() (string, error) {
	rels, err := b.relationships("")
	if err != nil {
		return "", err
	}
	for _, rel := range rels {
		if relKind(rel.typ) == "officeDocument" && b.arc.file(rel.target) != nil {
			return rel.target, nil
		}
	}
	if b.arc.file("xl/workbook.xml") != nil {
		return "xl/workbook.xml", nil
	}
	return "", &Error{Kind: ErrNotWorkbook, Msg: "the zip archive holds no workbook part (xl/workbook.xml)"}
}

// relationships reads the .rels part of source ("" for the package), resolving targets to part
// names; a missing .rels part has no relationships.
func (b *Book) relationships(source string) ([]relationship, error) {
	dir, base := path.Split(source)
	name := path.Join(dir, "_rels", base+".rels")
	f := b.arc.file(name)
	if f == nil {
		return nil, nil
	}
	var rels []relationship
	err := b.readPart(context.Background(), f.Name, maxMetaPartBytes, func(s *stream) error {
		for {
			e, err := s.nextStart()
			if err != nil {
				return err
			}
			if e.Name.Local != "Relationship" {
				continue
			}
			if mode, _ := attr(e, "TargetMode"); mode == "External" {
				continue
			}
			if len(rels) >= maxRelationships {
				return tooLarge(f.Name, "more than %d relationships", maxRelationships)
			}
			id, _ := attr(e, "Id")
			typ, _ := attr(e, "Type")
			target, _ := attr(e, "Target")
			rels = append(rels, relationship{id: id, typ: typ, target: resolve(dir, target)})
		}
	})
	return rels, err
}

// readWorkbook reads the sheet list and the date system.
func (b *Book) readWorkbook(wb string, rels []relationship) error {
	byID := make(map[string]relationship, len(rels))
	for _, rel := range rels {
		byID[rel.id] = rel
	}
	names := make(map[string]bool)
	return b.readPart(context.Background(), wb, maxMetaPartBytes, func(s *stream) error {
		for {
			e, err := s.nextStart()
			if err != nil {
				return err
			}
			switch e.Name.Local {
			case "workbookPr":
				v, _ := attr(e, "date1904")
				b.date1904 = v == "1" || v == "true"
			case "sheet":
				sh, err := b.sheet(wb, e, byID)
				if err != nil {
					return err
				}
				key := strings.ToLower(sh.Name)
				if names[key] {
					return corrupt(wb, "two sheets are named %q", sh.Name)
				}
				names[key] = true
				if len(b.sheets) >= maxSheets {
					return tooLarge(wb, "more than %d sheets", maxSheets)
				}
				b.sheets = append(b.sheets, sh)
			}
		}
	})
}

// sheet reads one <sheet> element.
func (b *Book) sheet(wb string, e xml.StartElement, byID map[string]relationship) (Sheet, error) {
	name, ok := attr(e, "name")
	if !ok || name == "" {
		return Sheet{}, corrupt(wb, "a sheet without a name")
	}
	sh := Sheet{Name: name}
	switch state, _ := attr(e, "state"); state {
	case "", "visible":
	case "hidden":
		sh.State = Hidden
	case "veryHidden":
		sh.State = VeryHidden
	default:
		return sh, corrupt(wb, "sheet %q has an unknown state %q", name, state)
	}
	id, _ := prefixedAttr(e, "id")
	rel, ok := byID[id]
	if !ok || b.arc.file(rel.target) == nil {
		return sh, corrupt(wb, "the part of sheet %q is missing", name)
	}
	sh.part = rel.target
	switch relKind(rel.typ) {
	case "worksheet":
	case "chartsheet":
		sh.Kind = Chartsheet
	default:
		sh.Kind = OtherSheet
	}
	return sh, nil
}

// readPart opens a part, hands its token stream to fn and checks that the part was read to its
// end; fn reads tokens until s.next returns an error and returns that error (io.EOF at the end).
func (b *Book) readPart(ctx context.Context, name string, limit int64, fn func(s *stream) error) error {
	f := b.arc.file(name)
	if f == nil {
		return corrupt(name, "the part is missing")
	}
	in, closer, err := b.arc.open(f, limit)
	if err != nil {
		return err
	}
	defer closer.Close()
	s := newStream(f.Name, in)
	err = fn(s)
	if err == nil {
		err = s.finish()
	}
	if err != nil && err != io.EOF {
		return err
	}
	return ctx.Err()
}
