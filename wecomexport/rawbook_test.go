package wecomexport_test

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"fmt"
	"hash/crc32"
	"html"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// This file builds .xlsx files from hand-written SpreadsheetML, for the cases a writer library
// cannot produce: number serialisations, error cells, broken XML, lying zip headers.

const (
	nsMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkg  = "http://schemas.openxmlformats.org/package/2006/relationships"
)

// rawSheet is one sheet: its state ("", "hidden", "veryHidden") and the XML of its part.
type rawSheet struct {
	name, state string
	xml         []byte
}

// rawBook is a workbook made of raw parts.
type rawBook struct {
	sheets   []rawSheet
	sst      []byte // xl/sharedStrings.xml, nil for none
	styles   []byte // xl/styles.xml, nil for none
	date1904 bool
	// tweak, when set, may change each part before it is zipped (nil data drops the part).
	tweak func(p *zipPart)
}

// zipPart is one zip entry with the liberties a hostile file takes.
type zipPart struct {
	name     string
	data     []byte
	store    bool   // no compression
	declared uint64 // uncompressed size written in the headers; 0 = the real size
	crc      uint32 // written in the headers; 0 = the real CRC-32
	raw      []byte // compressed bytes to write instead of deflating data (with declared and crc set)
}

func (b rawBook) bytes(t testing.TB) []byte {
	t.Helper()
	var sheets, rels, types strings.Builder
	for i, s := range b.sheets {
		state := ""
		if s.state != "" {
			state = fmt.Sprintf(` state="%s"`, s.state)
		}
		fmt.Fprintf(&sheets, `<sheet name="%s" sheetId="%d"%s r:id="rId%d"/>`, html.EscapeString(s.name), i+1, state, i+1)
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, nsRel, i+1)
		fmt.Fprintf(&types, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
	}
	n := len(b.sheets)
	if b.sst != nil {
		n++
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s/sharedStrings" Target="sharedStrings.xml"/>`, n, nsRel)
	}
	if b.styles != nil {
		n++
		fmt.Fprintf(&rels, `<Relationship Id="rId%d" Type="%s/styles" Target="styles.xml"/>`, n, nsRel)
	}
	pr := ""
	if b.date1904 {
		pr = `<workbookPr date1904="1"/>`
	}
	parts := []zipPart{
		{name: "[Content_Types].xml", data: []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Default Extension="xml" ContentType="application/xml"/>` +
			`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
			types.String() + `</Types>`)},
		{name: "_rels/.rels", data: []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="` + nsPkg + `">` +
			`<Relationship Id="rId1" Type="` + nsRel + `/officeDocument" Target="xl/workbook.xml"/></Relationships>`)},
		{name: "xl/workbook.xml", data: []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">` + pr + `<sheets>` + sheets.String() + `</sheets></workbook>`)},
		{name: "xl/_rels/workbook.xml.rels", data: []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` +
			`<Relationships xmlns="` + nsPkg + `">` + rels.String() + `</Relationships>`)},
	}
	for i, s := range b.sheets {
		parts = append(parts, zipPart{name: fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), data: s.xml})
	}
	if b.sst != nil {
		parts = append(parts, zipPart{name: "xl/sharedStrings.xml", data: b.sst})
	}
	if b.styles != nil {
		parts = append(parts, zipPart{name: "xl/styles.xml", data: b.styles})
	}
	return zipOf(t, parts, b.tweak)
}

// zipOf writes parts as a zip archive, honouring their liberties.
func zipOf(t testing.TB, parts []zipPart, tweak func(*zipPart)) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		if tweak != nil {
			tweak(&p)
		}
		if p.data == nil && p.raw == nil {
			continue
		}
		h := &zip.FileHeader{Name: p.name, Method: zip.Deflate}
		body := p.raw
		if body == nil {
			h.CRC32 = crc32.ChecksumIEEE(p.data)
			h.UncompressedSize64 = uint64(len(p.data))
			if p.store {
				h.Method, body = zip.Store, p.data
			} else {
				body = deflate(t, p.data)
			}
		}
		if p.declared != 0 {
			h.UncompressedSize64 = p.declared
		}
		if p.crc != 0 {
			h.CRC32 = p.crc
		}
		h.CompressedSize64 = uint64(len(body))
		w, err := zw.CreateRaw(h)
		require.NoError(t, err)
		_, err = w.Write(body)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func deflate(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	fw, err := flate.NewWriter(&buf, flate.BestCompression)
	require.NoError(t, err)
	_, err = fw.Write(data)
	require.NoError(t, err)
	require.NoError(t, fw.Close())
	return buf.Bytes()
}

// worksheet wraps rows (the XML of <row> elements) into a worksheet part.
func worksheet(rows ...string) []byte {
	return []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="` + nsMain +
		`" xmlns:r="` + nsRel + `"><sheetData>` + strings.Join(rows, "") + `</sheetData></worksheet>`)
}

// xrow is a <row> element with number r (0 = no r attribute) and cells.
func xrow(r int, cells ...string) string {
	if r == 0 {
		return "<row>" + strings.Join(cells, "") + "</row>"
	}
	return fmt.Sprintf(`<row r="%d">%s</row>`, r, strings.Join(cells, ""))
}

// str is an inline-string cell at ref ("" = no reference).
func str(ref, text string) string {
	return fmt.Sprintf(`<c%s t="inlineStr"><is><t>%s</t></is></c>`, refAttr(ref), html.EscapeString(text))
}

// typed is a cell of type t (t="" for none) and style s (-1 for none) holding <v>v</v>.
func typed(ref, t string, s int, v string) string {
	a := refAttr(ref)
	if t != "" {
		a += fmt.Sprintf(` t="%s"`, t)
	}
	if s >= 0 {
		a += fmt.Sprintf(` s="%d"`, s)
	}
	return fmt.Sprintf(`<c%s><v>%s</v></c>`, a, v)
}

// num is a numeric cell holding v exactly as serialised.
func num(ref, v string) string { return typed(ref, "", -1, v) }

func refAttr(ref string) string {
	if ref == "" {
		return ""
	}
	return ` r="` + ref + `"`
}

// headerRow is row r with the given labels from column A.
func headerRow(r int, labels ...string) string {
	cells := make([]string, len(labels))
	for i, l := range labels {
		cells[i] = str(col(i)+fmt.Sprint(r), l)
	}
	return xrow(r, cells...)
}

// col is the letter of 0-based column i (A–Z).
func col(i int) string { return string(rune('A' + i)) }

// stylesXML is a styles part whose cellXfs use the given number formats, in order (index 0
// first), with custom formats defined for ids ≥ 164.
func stylesXML(custom map[int]string, xfNumFmts ...int) []byte {
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="` + nsMain + `">`)
	if len(custom) > 0 {
		fmt.Fprintf(&b, `<numFmts count="%d">`, len(custom))
		for id := 164; id < 164+len(custom)+100; id++ {
			if code, ok := custom[id]; ok {
				fmt.Fprintf(&b, `<numFmt numFmtId="%d" formatCode="%s"/>`, id, html.EscapeString(code))
			}
		}
		b.WriteString(`</numFmts>`)
	}
	b.WriteString(`<cellStyleXfs count="1"><xf numFmtId="0"/></cellStyleXfs>`)
	fmt.Fprintf(&b, `<cellXfs count="%d">`, len(xfNumFmts))
	for _, id := range xfNumFmts {
		fmt.Fprintf(&b, `<xf numFmtId="%d" xfId="0" applyNumberFormat="1"/>`, id)
	}
	b.WriteString(`</cellXfs></styleSheet>`)
	return []byte(b.String())
}

// sstXML is a shared-strings part holding items (raw <si> contents).
func sstXML(items ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="%s" count="%d" uniqueCount="%d">`, nsMain, len(items), len(items))
	for _, it := range items {
		b.WriteString("<si>" + it + "</si>")
	}
	b.WriteString("</sst>")
	return []byte(b.String())
}

// oneSheet is a workbook with a single visible sheet 成员列表.
func oneSheet(t testing.TB, rows ...string) []byte {
	return rawBook{sheets: []rawSheet{{name: "成员列表", xml: worksheet(rows...)}}}.bytes(t)
}
