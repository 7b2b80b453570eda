package wecomexport_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/wecomexport"
)

// Item 12: every cap refuses with ErrTooLarge, naming what was too large and where.
func TestParseLimits(t *testing.T) {
	good := worksheet(goodRows()...)
	withSheet := func(xml []byte) []byte { return rawBook{sheets: []rawSheet{{name: "成员列表", xml: xml}}}.bytes(t) }
	opts := func(f func(o *wecomexport.Options)) wecomexport.Options {
		o := allRows()
		f(&o)
		return o
	}
	tests := []struct {
		name  string
		data  []byte
		opts  wecomexport.Options
		sheet string
		row   int
		field string
		text  []string
	}{
		{name: "file size", data: withSheet(good), opts: opts(func(o *wecomexport.Options) { o.MaxFileBytes = 100 }),
			text: []string{"larger than 0 MiB"}},
		{name: "declared part size", data: withSheet(good), opts: opts(func(o *wecomexport.Options) { o.MaxPartBytes = 512 }),
			sheet: "成员列表", text: []string{"declares", "more than the limit of 512", "xl/worksheets/sheet1.xml"}},
		{name: "declared size above 4 GiB", data: rawBook{sheets: []rawSheet{{name: "成员列表", xml: good}}, tweak: func(p *zipPart) {
			if strings.HasPrefix(p.name, "xl/worksheets/") {
				p.declared = 8 << 30
			}
		}}.bytes(t), sheet: "成员列表", text: []string{"declares 8589934592 bytes"}},
		{name: "inflating past the declared size", data: rawBook{sheets: []rawSheet{{name: "成员列表", xml: good}}, tweak: func(p *zipPart) {
			if strings.HasPrefix(p.name, "xl/worksheets/") {
				p.declared = 100
			}
		}}.bytes(t), sheet: "成员列表", text: []string{"inflates to more bytes than it declares"}},
		{name: "all parts together", data: withSheet(good), opts: opts(func(o *wecomexport.Options) { o.MaxUncompressedBytes = 1000 }),
			sheet: "成员列表", text: []string{"more than 1000 bytes uncompressed in all"}},
		{name: "one cell", data: withSheet(worksheet(goodRows()[0], xrow(2, str("A2", "张三"), str("B2", "zhangsan"), str("C2", strings.Repeat("部", 100))))),
			opts: opts(func(o *wecomexport.Options) { o.MaxCellBytes = 200 }), sheet: "成员列表", row: 2, field: "部门",
			text: []string{"more than 200 bytes of text"}},
		{name: "one giant run of text", data: withSheet(worksheet(goodRows()[0], xrow(2, str("A2", "张三"), str("B2", strings.Repeat("x", 300<<10))))),
			sheet: "成员列表", row: 2, field: "账号", text: []string{"larger than 262144 bytes"}},
		{name: "one cell above the header is named by its column letter", data: withSheet(worksheet(xrow(1, str("C1", strings.Repeat("x", 300))), goodRows()[0])),
			opts: opts(func(o *wecomexport.Options) { o.MaxCellBytes = 200 }), sheet: "成员列表", row: 1, field: "C"},
		{name: "one giant tag", data: withSheet(worksheet(goodRows()[0], `<row r="2" x="`+strings.Repeat("y", 300<<10)+`"></row>`)),
			sheet: "成员列表", text: []string{"one XML token"}},
		{name: "one row", data: withSheet(worksheet(goodRows()[0], xrow(2, str("A2", "张三"), str("B2", "zhangsan"), str("C2", "星河科技"), str("D2", strings.Repeat("x", 1000))))),
			opts: opts(func(o *wecomexport.Options) { o.MaxRowBytes = 500 }), sheet: "成员列表", row: 2, text: []string{"larger than 500 bytes of XML"}},
		{name: "cells in one row", data: withSheet(worksheet(goodRows()[0], xrow(2, strings.Repeat(str("", "x"), 50)))),
			opts: opts(func(o *wecomexport.Options) { o.MaxColumns = 20 }), sheet: "成员列表", row: 2, text: []string{"more than 20 cells"}},
		{name: "a column past the limit", data: withSheet(worksheet(goodRows()[0], xrow(2, str("A2", "张三"), str("AB2", "x")))),
			opts: opts(func(o *wecomexport.Options) { o.MaxColumns = 20 }), sheet: "成员列表", row: 2, field: "AB", text: []string{"beyond column T"}},
		{name: "shared strings count", data: rawBook{sst: sstXML("<t>a</t>", "<t>b</t>", "<t>c</t>"), sheets: []rawSheet{{name: "成员列表", xml: good}}}.bytes(t),
			opts: opts(func(o *wecomexport.Options) { o.MaxSharedStrings = 2 }), text: []string{"more than 2 strings", "xl/sharedStrings.xml"}},
		{name: "shared strings bytes", data: rawBook{sst: sstXML("<t>aaaa</t>", "<t>bbbb</t>"), sheets: []rawSheet{{name: "成员列表", xml: good}}}.bytes(t),
			opts: opts(func(o *wecomexport.Options) { o.MaxSharedStringBytes = 6 }), text: []string{"more than 6 bytes of text"}},
		{name: "one shared string", data: rawBook{sst: sstXML("<t>" + strings.Repeat("a", 300) + "</t>"), sheets: []rawSheet{{name: "成员列表", xml: good}}}.bytes(t),
			opts: opts(func(o *wecomexport.Options) { o.MaxCellBytes = 200 }), text: []string{"shared string 1 is larger than 200 bytes"}},
		{name: "nesting", data: withSheet(worksheet(goodRows()[0], strings.Repeat("<x>", 200)+strings.Repeat("</x>", 200))),
			sheet: "成员列表", text: []string{"nested more than 128 deep"}},
		{name: "zip central directory", data: manyEntries(t, 5000), text: []string{"central directory is larger than"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			if o == (wecomexport.Options{}) {
				o = allRows()
			}
			res := parse(t, tt.data, o)
			assertFileError(t, res.err, wecomexport.ErrTooLarge, tt.sheet, tt.row, tt.field, tt.text...)
		})
	}
}

// manyEntries is a zip of n entries with 1,000-byte names: a central directory of about n KiB.
func manyEntries(t *testing.T, n int) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < n; i++ {
		_, err := zw.CreateHeader(&zip.FileHeader{Name: fmt.Sprintf("%05d", i) + strings.Repeat("n", 995), Method: zip.Store})
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}
