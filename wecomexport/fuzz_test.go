package wecomexport_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/wecomexport"
)

// fuzzOptions keep each fuzzed parse small and fast.
func fuzzOptions() wecomexport.Options {
	return wecomexport.Options{EndRow: -1, MaxFileBytes: 1 << 20, MaxPartBytes: 4 << 20, MaxUncompressedBytes: 8 << 20,
		MaxCellBytes: 4 << 10, MaxRowBytes: 64 << 10, MaxColumns: 64, MaxSharedStrings: 10_000, MaxSharedStringBytes: 1 << 20, MaxRows: 10_000}
}

// checkParse parses data and checks what holds for any input: no panic, only *FileError errors,
// and only valid, distinct userids among the members.
func checkParse(t *testing.T, data []byte) {
	seen := map[string]bool{}
	sum, err := wecomexport.Parse(context.Background(), bytes.NewReader(data), "fuzz.xlsx", fuzzOptions(),
		func(m wecomexport.Member) error {
			if err := wecomexport.CheckUserID(m.UserID); err != nil {
				t.Fatalf("member with invalid userid %q: %v", m.UserID, err)
			}
			key := directory.UserKey(m.UserID)
			if seen[key] {
				t.Fatalf("userid %q twice", m.UserID)
			}
			seen[key] = true
			return nil
		}, nil)
	var fe *wecomexport.FileError
	switch {
	case err == nil && sum.Members == 0:
		t.Fatal("no error and no members")
	case err != nil && !errors.As(err, &fe):
		t.Fatalf("error is not a *FileError: %v", err)
	case err == nil && sum.Members != len(seen):
		t.Fatalf("summary says %d members, callbacks saw %d", sum.Members, len(seen))
	}
}

// FuzzParse feeds whole files to Parse. Run it with
//
//	go test ./wecomexport -run XXX -fuzz FuzzParse -fuzztime 1m
func FuzzParse(f *testing.F) {
	f.Add(oneSheet(f, exportRows(3)...))
	f.Add([]byte{})
	f.Add([]byte("PK\x03\x04"))
	f.Add([]byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"))
	for _, name := range []string{"error-cells.xlsx", "date-bool-cells.xlsx", "number-forms.xlsx", "hidden-sheets.xlsx", "truncated-sheet.xlsx"} {
		if data, err := os.ReadFile(filepath.Join(hostileDir, name)); err == nil {
			f.Add(data)
		}
	}
	f.Fuzz(checkParse)
}

// FuzzSheetXML feeds worksheet XML, stored uncompressed in an otherwise valid workbook with shared
// strings and date styles, so that the fuzzer mutates the XML rather than the zip.
func FuzzSheetXML(f *testing.F) {
	for _, rows := range [][]string{
		exportRows(2),
		{headerRow(1, "姓名", "账号", "手机", "工号"), xrow(2, typed("A2", "s", -1, "0"), num("B2", "1.0086E4"), typed("C2", "", 1, "45352"), typed("D2", "e", -1, "#N/A"))},
		{xrow(0, str("", "姓名"), str("", "账号")), xrow(0, str("", "甲"), typed("", "b", -1, "1")), `<row r="9"><c r="B9" t="d"><v>2024-03-01</v></c></row>`},
	} {
		f.Add(worksheet(rows...))
	}
	f.Fuzz(func(t *testing.T, sheet []byte) {
		data := rawBook{
			sst:    sstXML("<t>张三</t>", "<r><t>账</t></r><r><t>号</t></r>"),
			styles: stylesXML(map[int]string{164: "yyyy/mm/dd"}, 0, 14, 164),
			sheets: []rawSheet{{name: "成员列表", xml: sheet}},
			tweak:  func(p *zipPart) { p.store = true },
		}.bytes(t)
		checkParse(t, data)
	})
}
