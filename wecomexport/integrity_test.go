package wecomexport_test

import (
	"bytes"
	"hash/crc32"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/wecomexport"
)

// goodRows is a header and two members.
func goodRows() []string {
	return []string{headerRow(1, "姓名", "账号", "部门"),
		xrow(2, str("A2", "张三"), str("B2", "zhangsan"), str("C2", "星河科技")),
		xrow(3, str("A3", "李四"), str("B3", "lisi"), str("C3", "星河科技"))}
}

// Item 9: a file is read whole or refused whole.
func TestParseIntegrity(t *testing.T) {
	good := worksheet(goodRows()...)
	cut := func(b []byte, n int) []byte { return append([]byte(nil), b[:n]...) }
	withSheet := func(xml []byte) []byte { return rawBook{sheets: []rawSheet{{name: "成员列表", xml: xml}}}.bytes(t) }
	tweakSheet := func(f func(p *zipPart)) []byte {
		return rawBook{sheets: []rawSheet{{name: "成员列表", xml: good}}, tweak: func(p *zipPart) {
			if p.name == "xl/worksheets/sheet1.xml" {
				f(p)
			}
		}}.bytes(t)
	}
	rowsXML := func(extra string) []byte {
		return []byte(`<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="` + nsMain + `"><sheetData>` +
			goodRows()[0] + goodRows()[1] + extra + `</sheetData></worksheet>`)
	}
	tests := []struct {
		name  string
		data  []byte
		opts  wecomexport.Options
		want  error
		sheet string
		row   int
		field string
		text  []string
	}{
		{name: "0-byte input", data: []byte{}, want: wecomexport.ErrEmpty, text: []string{"the file is empty (0 bytes)"}},
		{name: "sheet XML cut inside a cell", data: withSheet(cut(good, bytes.Index(good, []byte("lisi"))+2)),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", row: 3, field: "账号", text: []string{"truncated"}},
		{name: "sheet XML cut after a row", data: withSheet(cut(good, bytes.LastIndex(good, []byte("</row>"))+6)),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", text: []string{"ends inside <sheetData>", "(after row 3)"}},
		{name: "sheet XML cut before the root closes", data: withSheet(cut(good, len(good)-len("</worksheet>"))),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", text: []string{"ends inside <worksheet>"}},
		{name: "sheet XML cut inside a tag", data: withSheet(cut(good, bytes.LastIndex(good, []byte(`<c r="B3"`))+5)),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", row: 3, text: []string{"ends in the middle of a tag"}},
		{name: "mismatched tags", data: withSheet(rowsXML(`<row r="3"><c r="A3" t="inlineStr"><is><t>李四</is></c></row>`)),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", row: 3, field: "姓名", text: []string{"</is> does not match <t>"}},
		{name: "unknown entity", data: withSheet(rowsXML(`<row r="3"><c r="A3" t="inlineStr"><is><t>&nbsp;</t></is></c></row>`)),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", row: 3, field: "姓名", text: []string{"malformed XML"}},
		{name: "text after the root", data: withSheet(append(append([]byte(nil), good...), "junk"...)),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", text: []string{"text outside the root element"}},
		{name: "invalid UTF-8 in a cell", data: withSheet(bytes.Replace(good, []byte("lisi"), []byte("li\xffsi"), 1)),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", text: []string{"not UTF-8"}},
		{name: "invalid UTF-8 in a comment", data: withSheet(bytes.Replace(good, []byte("<sheetData>"), []byte("<!-- \xc3\x28 --><sheetData>"), 1)),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", text: []string{"not UTF-8"}},
		{name: "truncated UTF-8 at the end", data: withSheet(append(append([]byte(nil), good...), 0xe6, 0x88)),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", text: []string{"not UTF-8"}},
		{name: "other encoding declared", data: withSheet(bytes.Replace(good, []byte(`encoding="UTF-8"`), []byte(`encoding="GBK"`), 1)),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", text: []string{"GBK"}},
		{name: "CRC-32 mismatch (stored entry, one byte changed)", data: tweakSheet(func(p *zipPart) {
			p.store = true
			p.crc = crc32.ChecksumIEEE(p.data)
			p.data = bytes.Replace(p.data, []byte("lisi"), []byte("lisj"), 1)
		}), want: wecomexport.ErrCorrupt, sheet: "成员列表", text: []string{"CRC-32"}},
		{name: "compressed data cut", data: tweakSheet(func(p *zipPart) {
			z := deflate(t, p.data)
			p.raw, p.declared, p.crc = z[:len(z)/2], uint64(len(p.data)), crc32.ChecksumIEEE(p.data)
		}), want: wecomexport.ErrCorrupt, sheet: "成员列表"},
		{name: "entry shorter than declared", data: tweakSheet(func(p *zipPart) { p.declared = uint64(len(p.data) + 10) }),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", text: []string{"ends before its declared size"}},
		{name: "sheet part missing", data: rawBook{sheets: []rawSheet{{name: "成员列表", xml: good}}, tweak: func(p *zipPart) {
			if p.name == "xl/worksheets/sheet1.xml" {
				p.data = nil
			}
		}}.bytes(t), want: wecomexport.ErrCorrupt, text: []string{`the part of sheet "成员列表" is missing`}},
		{name: "malformed shared strings", data: rawBook{sst: []byte(`<sst xmlns="` + nsMain + `"><si><t>a</si></sst>`),
			sheets: []rawSheet{{name: "成员列表", xml: good}}}.bytes(t), want: wecomexport.ErrCorrupt, text: []string{"xl/sharedStrings.xml"}},
		{name: "shared string index out of range", data: rawBook{sst: sstXML("<t>姓名</t>", "<t>账号</t>"),
			sheets: []rawSheet{{name: "成员列表", xml: worksheet(xrow(1, typed("A1", "s", -1, "0"), typed("B1", "s", -1, "1")),
				xrow(2, typed("A2", "s", -1, "0"), typed("B2", "s", -1, "2")))}}}.bytes(t),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", row: 2, field: "账号", text: []string{`shared string index "2"`}},
		{name: "rows out of order", data: withSheet(rowsXML(`<row r="2"><c r="A2" t="inlineStr"><is><t>x</t></is></c></row>`)),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", row: 2, text: []string{"row 2 follows row 2"}},
		{name: "cells out of order", data: withSheet(rowsXML(xrow(3, str("B3", "lisi"), str("A3", "李四")))),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", row: 3, field: "姓名", text: []string{"ascending order"}},
		{name: "cell in another row", data: withSheet(rowsXML(xrow(3, str("A4", "李四")))),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", row: 3, text: []string{"cell A4 lies in row 4"}},
		{name: "a column past XFD", data: withSheet(rowsXML(xrow(3, str("A3", "李四"), str("XFE3", "y")))),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", row: 3, text: []string{`invalid cell reference "XFE3"`}},
		{name: "unknown cell type", data: withSheet(rowsXML(xrow(3, typed("A3", "x", -1, "1")))),
			want: wecomexport.ErrCorrupt, sheet: "成员列表", row: 3, field: "姓名", text: []string{`unknown cell type "x"`}},
		{name: "damage after EndRow still fails", data: withSheet(cut(good, len(good)-3)), opts: wecomexport.Options{EndRow: 1},
			want: wecomexport.ErrCorrupt, sheet: "成员列表"},
		{name: "damage in a hidden sheet fails the file", data: rawBook{sheets: []rawSheet{{name: "成员列表", xml: good},
			{name: "隐藏", state: "hidden", xml: cut(good, 200)}}}.bytes(t),
			want: wecomexport.ErrCorrupt, sheet: "隐藏"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			if opts == (wecomexport.Options{}) {
				opts = allRows()
			}
			res := parse(t, tt.data, opts)
			assertFileError(t, res.err, tt.want, tt.sheet, tt.row, tt.field, tt.text...)
		})
	}
}

func TestParseWellFormedVariants(t *testing.T) {
	good := worksheet(goodRows()...)
	tests := []struct {
		name string
		xml  []byte
	}{
		{name: "UTF-8 byte order mark", xml: append([]byte("\ufeff"), good...)},
		{name: "no XML declaration", xml: bytes.Replace(good, []byte(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`), nil, 1)},
		{name: "prefixed SpreadsheetML", xml: []byte(`<x:worksheet xmlns:x="` + nsMain + `"><x:sheetData><x:row r="1">` +
			`<x:c r="A1" t="inlineStr"><x:is><x:t>姓名</x:t></x:is></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>账号</x:t></x:is></x:c></x:row>` +
			`<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>张三</x:t></x:is></x:c><x:c r="B2" t="inlineStr"><x:is><x:t>zhangsan</x:t></x:is></x:c></x:row>` +
			`<x:row r="3"><x:c r="A3" t="inlineStr"><x:is><x:t>李四</x:t></x:is></x:c><x:c r="B3" t="inlineStr"><x:is><x:t>lisi</x:t></x:is></x:c></x:row>` +
			`</x:sheetData></x:worksheet>`)},
		{name: "rows and cells without references", xml: worksheet(
			xrow(0, str("", "姓名"), str("", "账号")), xrow(0, str("", "张三"), str("", "zhangsan")), xrow(0, str("", "李四"), str("", "lisi")))},
		{name: "rows without r take their cells' row", xml: worksheet(
			xrow(0, str("A1", "姓名"), str("B1", "账号")), xrow(0, str("A2", "张三"), str("B2", "zhangsan")), xrow(0, str("A3", "李四"), str("B3", "lisi")))},
		{name: "CDATA, comments, entities and rich text", xml: worksheet(
			xrow(1, str("A1", "姓名"), `<c r="B1" t="inlineStr"><is><r><t>账</t></r><r><rPr><b/></rPr><t>号</t></r><rPh sb="0" eb="1"><t>ZHANG</t></rPh></is></c>`),
			"<!-- a comment -->",
			xrow(2, `<c r="A2" t="inlineStr"><is><t><![CDATA[张三]]></t></is></c>`, `<c r="B2" t="inlineStr"><is><t>zhang&#115;an</t></is></c>`),
			xrow(3, str("A3", "李四"), str("B3", "lisi")))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := parse(t, rawBook{sheets: []rawSheet{{name: "成员列表", xml: tt.xml}}}.bytes(t), allRows())
			require.NoError(t, res.err)
			assert.Equal(t, []string{"zhangsan", "lisi"}, userIDs(res.members))
			assert.Equal(t, 2, res.members[0].Row)
		})
	}
	t.Run("shared strings with rich text and phonetic runs", func(t *testing.T) {
		data := rawBook{sst: sstXML(`<t>姓名</t>`, `<r><t>账</t></r><r><t xml:space="preserve">号</t></r><rPh sb="0" eb="1"><t>zhang</t></rPh>`,
			`<t>张三</t>`, `<t>zhangsan</t>`),
			sheets: []rawSheet{{name: "成员列表", xml: worksheet(xrow(1, typed("A1", "s", -1, "0"), typed("B1", "s", -1, "1")),
				xrow(2, typed("A2", "s", -1, "2"), typed("B2", "s", -1, "3")))}}}.bytes(t)
		res := parse(t, data, allRows())
		require.NoError(t, res.err)
		assert.Equal(t, []string{"zhangsan"}, userIDs(res.members))
		assert.Equal(t, map[string]int{"姓名": 1, "账号": 2}, res.sum.Header)
	})
}
