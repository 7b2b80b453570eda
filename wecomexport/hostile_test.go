package wecomexport_test

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/wecomsync/wecomsync/wecomexport"
)

// The hostile corpus: small committed files that each attack the parser one way. Regenerate them
// and their README with
//
//	go test ./wecomexport -run TestHostileCorpus -update
var update = flag.Bool("update", false, "regenerate testdata/exports/hostile")

const hostileDir = "../testdata/exports/hostile"

// hostileFile is one file of the corpus, how to build it and what parsing it must give.
type hostileFile struct {
	name    string
	about   string // what the file holds, for the README
	outcome string // what Parse does with it, for the README
	slow    bool   // skipped with -short and under the race detector
	build   func(t testing.TB) []byte
	want    hostileWant
}

// hostileWant is the expected outcome: an error, or members and rejects.
type hostileWant struct {
	err          error
	sheet, field string
	row          int
	text         string
	members      []string                   // userids, in order
	rejects      []string                   // "row field: reason"
	skipped      []wecomexport.SkippedSheet // Summary.SkippedSheets
	check        func(t *testing.T, got hostileResult)
}

// hostileResult is what Parse gave; rejects are kept as "row field: reason" and counted past 1,000.
type hostileResult struct {
	sum     wecomexport.Summary
	members []wecomexport.Member
	rejects []string
	err     error
}

func parseHostile(t testing.TB, data []byte, opts wecomexport.Options) hostileResult {
	var res hostileResult
	res.sum, res.err = wecomexport.Parse(context.Background(), bytes.NewReader(data), "contacts.xlsx", opts,
		func(m wecomexport.Member) error {
			if len(res.members) < 1000 {
				res.members = append(res.members, m)
			}
			return nil
		},
		func(r wecomexport.Reject) error {
			if len(res.rejects) < 1000 {
				res.rejects = append(res.rejects, fmt.Sprintf("%d %s: %s", r.Row, r.Field, r.Reason))
			}
			return nil
		})
	return res
}

func hostileCorpus() []hostileFile {
	return []hostileFile{
		{
			name: "empty.xlsx", about: "0 bytes.", outcome: "`ErrEmpty`.",
			build: func(testing.TB) []byte { return []byte{} },
			want:  hostileWant{err: wecomexport.ErrEmpty},
		},
		{
			name: "truncated-sheet.xlsx", about: "A valid zip whose sheet XML stops in the middle of row 7 (the text of a cell).",
			outcome: "`ErrCorrupt`, sheet 成员列表, row 7: the XML ends inside an element.",
			build: func(t testing.TB) []byte {
				x := worksheet(exportRows(6)...)
				return oneSheetXML(t, x[:bytes.Index(x, []byte("user6"))+2])
			},
			want: hostileWant{err: wecomexport.ErrCorrupt, sheet: "成员列表", row: 7, field: "账号", text: "truncated"},
		},
		{
			name: "malformed-sheet.xlsx", about: "Row 4 closes `<is>` while `<t>` is open.",
			outcome: "`ErrCorrupt`, sheet 成员列表, row 4.",
			build: func(t testing.TB) []byte {
				rows := exportRows(4)
				rows[3] = strings.Replace(rows[3], "</t></is>", "</is>", 1)
				return oneSheetXML(t, worksheet(rows...))
			},
			want: hostileWant{err: wecomexport.ErrCorrupt, sheet: "成员列表", row: 4, field: "姓名", text: "does not match"},
		},
		{
			name: "crc-mismatch.xlsx", about: "The sheet is stored uncompressed and one byte of a userid was changed after the CRC-32 was computed; the XML is still well formed.",
			outcome: "`ErrCorrupt`, sheet 成员列表: the entry fails its checksum.",
			build: func(t testing.TB) []byte {
				return rawBook{sheets: []rawSheet{{name: "成员列表", xml: worksheet(exportRows(5)...)}}, tweak: func(p *zipPart) {
					if p.name == "xl/worksheets/sheet1.xml" {
						p.store, p.crc = true, crc32.ChecksumIEEE(p.data)
						p.data = bytes.Replace(p.data, []byte("user3"), []byte("user8"), 1)
					}
				}}.bytes(t)
			},
			want: hostileWant{err: wecomexport.ErrCorrupt, sheet: "成员列表", text: "CRC-32"},
		},
		{
			name: "invalid-utf8.xlsx", about: "A name in row 3 holds the byte 0xFF.", outcome: "`ErrCorrupt`, sheet 成员列表: bytes that are not UTF-8.",
			build: func(t testing.TB) []byte {
				return oneSheetXML(t, bytes.Replace(worksheet(exportRows(4)...), []byte("成员2"), []byte("成员\xff2"), 1))
			},
			want: hostileWant{err: wecomexport.ErrCorrupt, sheet: "成员列表", text: "not UTF-8"},
		},
		{
			name: "zipbomb-declared.xlsx", about: "The sheet's zip entry declares 16 GiB uncompressed (its data is small).",
			outcome: "`ErrTooLarge` before anything is inflated.",
			build: func(t testing.TB) []byte {
				return rawBook{sheets: []rawSheet{{name: "成员列表", xml: worksheet(exportRows(3)...)}}, tweak: func(p *zipPart) {
					if p.name == "xl/worksheets/sheet1.xml" {
						p.declared = 16 << 30
					}
				}}.bytes(t)
			},
			want: hostileWant{err: wecomexport.ErrTooLarge, sheet: "成员列表", text: "declares 17179869184 bytes"},
		},
		{
			name: "zipbomb-inflate.xlsx", about: "The sheet's zip entry declares 64 KiB but inflates to 128 MiB (a header, rows, then XML comments).",
			outcome: "`ErrTooLarge` once 64 KiB are inflated: archive/zip refuses more than declared.",
			build: func(t testing.TB) []byte {
				x := worksheet(exportRows(3)...)
				i := bytes.Index(x, []byte("</sheetData>"))
				var body bytes.Buffer
				body.Write(x[:i])
				body.Write(bytes.Repeat([]byte("<!---->"), (128<<20)/7))
				body.Write(x[i:])
				return rawBook{sheets: []rawSheet{{name: "成员列表", xml: body.Bytes()}}, tweak: func(p *zipPart) {
					if p.name == "xl/worksheets/sheet1.xml" {
						p.declared = 64 << 10
					}
				}}.bytes(t)
			},
			want: hostileWant{err: wecomexport.ErrTooLarge, sheet: "成员列表", text: "inflates to more bytes than it declares"},
		},
		{
			name: "giant-cell.xlsx", about: "Row 3's 手机 cell holds 64 MiB of text.",
			outcome: "`ErrTooLarge`, sheet 成员列表, row 3, column 手机, after reading 256 KiB of it.",
			build: func(t testing.TB) []byte {
				rows := exportRows(3)
				rows[2] = xrow(3, str("A3", "巨人"), str("B3", "giant"), str("C3", "星河科技"), str("D3", strings.Repeat("1", 64<<20)))
				return oneSheetXML(t, worksheet(rows...))
			},
			want: hostileWant{err: wecomexport.ErrTooLarge, sheet: "成员列表", row: 3, field: "手机", text: "larger than 262144 bytes"},
		},
		{
			name: "huge-sst-count.xlsx", about: "A shared-strings table of 2,500,000 one-letter strings.",
			outcome: "`ErrTooLarge`: more than DefaultMaxSharedStrings (2,000,000) strings.",
			build: func(t testing.TB) []byte {
				items := make([]string, 2_500_000)
				for i := range items {
					items[i] = "<t>x</t>"
				}
				return rawBook{sst: sstXML(items...), sheets: []rawSheet{{name: "成员列表", xml: worksheet(exportRows(3)...)}}}.bytes(t)
			},
			want: hostileWant{err: wecomexport.ErrTooLarge, text: "more than 2000000 strings"},
		},
		{
			name: "huge-sst-bytes.xlsx", about: "A shared-strings table of 300 strings of 250 KiB each (75 MiB of text).",
			outcome: "`ErrTooLarge`: more than DefaultMaxSharedStringBytes (64 MiB) of text. The worst case for memory: 64 MiB are held before the refusal.",
			build: func(t testing.TB) []byte {
				items := make([]string, 300)
				for i := range items {
					items[i] = "<t>" + strings.Repeat(string(rune('a'+i%26)), 250<<10) + "</t>"
				}
				return rawBook{sst: sstXML(items...), sheets: []rawSheet{{name: "成员列表", xml: worksheet(exportRows(3)...)}}}.bytes(t)
			},
			want: hostileWant{err: wecomexport.ErrTooLarge, text: "more than 67108864 bytes of text"},
		},
		{
			name: "million-columns.xlsx", about: "Row 4 has 1,100,000 cells without references.",
			outcome: "`ErrTooLarge`, sheet 成员列表, row 4: more than 16,384 cells.",
			build: func(t testing.TB) []byte {
				rows := exportRows(2)
				rows = append(rows, xrow(4, strings.Repeat(`<c t="inlineStr"><is><t>x</t></is></c>`, 1_100_000)))
				return oneSheetXML(t, worksheet(rows...))
			},
			want: hostileWant{err: wecomexport.ErrTooLarge, sheet: "成员列表", row: 4, text: "more than 16384 cells"},
		},
		{
			name: "million-rows.xlsx", about: "A header and 1,048,575 rows repeating one member.", slow: true,
			outcome: "`ErrTooLarge`, sheet 成员列表, row 1000002: more than DefaultMaxRows (1,000,000) data rows (after one member and a million duplicate rejects).",
			build: func(t testing.TB) []byte {
				var b bytes.Buffer
				b.WriteString(headerRow(1, "姓名", "账号"))
				for i := 0; i < 1_048_575; i++ {
					b.WriteString(`<row><c t="inlineStr"><is><t>甲</t></is></c><c t="inlineStr"><is><t>dup</t></is></c></row>`)
				}
				return oneSheetXML(t, worksheet(b.String()))
			},
			want: hostileWant{err: wecomexport.ErrTooLarge, sheet: "成员列表", row: 1_000_002, text: "more than 1000000 data rows"},
		},
		{
			name: "hidden-sheets.xlsx", about: "Written by excelize: visible 成员列表 (2 members), hidden 隐藏名单 (header and 3 members), very hidden 深度隐藏 (2 member rows, no header).",
			outcome: "2 members from 成员列表; 隐藏名单 and 深度隐藏 in SkippedSheets (hidden, very hidden) with their member-like rows and warnings. Options.Sheet \"隐藏名单\" reads its 3 members.",
			build:   hiddenSheets,
			want: hostileWant{members: []string{"visible1", "visible2"}, skipped: []wecomexport.SkippedSheet{
				{Name: "隐藏名单", Reason: "hidden", Rows: 4, MemberLikeRows: 3},
				{Name: "深度隐藏", Reason: "very hidden", Rows: 2, MemberLikeRows: 2},
			}, check: func(t *testing.T, got hostileResult) {
				assert.Len(t, got.sum.Warnings, 2)
				data, err := os.ReadFile(filepath.Join(hostileDir, "hidden-sheets.xlsx"))
				require.NoError(t, err)
				res := parseHostile(t, data, wecomexport.Options{Sheet: "隐藏名单", EndRow: -1})
				require.NoError(t, res.err)
				assert.Equal(t, []string{"hidden1", "hidden2", "hidden3"}, userIDs(res.members))
			}},
		},
		{
			name: "continuation-no-header.xlsx", about: "Written by excelize: 成员列表 with a header and 3 members, then 成员列表(2) with 4 member rows and no header (a continuation sheet that lost it).",
			outcome: "3 members; 成员列表(2) in SkippedSheets (no header, 4 rows, 4 member-like) and in Warnings.",
			build:   continuation,
			want: hostileWant{members: []string{"part1", "part2", "part3"}, skipped: []wecomexport.SkippedSheet{
				{Name: "成员列表(2)", Reason: "no header", Rows: 4, MemberLikeRows: 4},
			}},
		},
		{
			name: "error-cells.xlsx", about: "Error values (#N/A, #REF!, #VALUE!, #DIV/0!, #NAME?, #NUM!, #NULL!, #GETTING_DATA, #SPILL!) in 手机, 账号, 部门, 邮箱 and a custom column; one clean row.",
			outcome: "1 member (`ok`); one reject per error cell, Field = the column label.",
			build:   errorCells,
			want: hostileWant{members: []string{"ok"}, rejects: []string{
				"3 手机: error value #N/A in 手机",
				"4 账号: error value #REF! in 账号",
				"5 部门: error value #VALUE! in 部门",
				"6 工号: error value #DIV/0! in 工号",
				"7 邮箱: error value #NAME? in 邮箱",
				"8 手机: error value #NUM! in 手机",
				"8 邮箱: error value #NULL! in 邮箱",
				"9 手机: error value #GETTING_DATA in 手机",
				"10 手机: error value #SPILL! in 手机",
			}},
		},
		{
			name: "date-bool-cells.xlsx", about: "Dates (built-in format 14, custom yyyy/mm/dd, zh-CN format 31, an ISO `t=\"d\"` cell) and TRUE/FALSE cells in 手机, 邮箱 and 账号; a TRUE in 禁用状态; a date in a custom column.",
			outcome: "2 members (`t1` disabled, `t2` with 入职日期 2024-03-01); the other rows rejected, Field = the column label.",
			build:   dateBoolCells,
			want: hostileWant{members: []string{"t1", "t2"}, rejects: []string{
				"4 手机: 手机 is a date cell; format the column as text and type the value again",
				"5 邮箱: 邮箱 is a date cell; format the column as text and type the value again",
				"6 手机: 手机 is a date cell; format the column as text and type the value again",
				"7 手机: 手机 is a date cell; format the column as text and type the value again",
				"8 账号: 账号 is a TRUE/FALSE cell; format the column as text and type the value again",
				"9 手机: 手机 is a TRUE/FALSE cell; format the column as text and type the value again",
			}, check: func(t *testing.T, got hostileResult) {
				require.Len(t, got.members, 2)
				assert.Equal(t, ptr(true), got.members[0].Disabled)
				assert.Equal(t, map[string]string{"入职日期": "2024-03-01"}, got.members[1].Extra)
			}},
		},
		{
			name: "number-forms.xlsx", about: "Numeric 手机 cells serialised as 13800138000, 1.3800138E10, 1.3800138E+10, 13800138000.0, 1.3800138e+10; numeric 账号 10086.0, 10087, 1.0088E4.",
			outcome: "5 members; every 手机 is 13800138000, 账号 10086, 10087, 10088 without `.0`.",
			build:   numberForms,
			want: hostileWant{members: []string{"10086", "10087", "10088", "n4", "n5"}, check: func(t *testing.T, got hostileResult) {
				for _, m := range got.members {
					assert.Equal(t, "13800138000", m.Mobile, m.UserID)
				}
			}},
		},
		{
			name: "invisible-userids.xlsx", about: "Written by excelize: 账号 cells with a zero-width joiner, word joiner, BOM, NBSP and soft hyphen inside and around; a duplicate that differs only by them; one made of them alone.",
			outcome: "2 members (`zhangsan`, `lisi`); rejects: the duplicate (UserID cleaned) and the invisible-only 账号 (missing 账号).",
			build:   invisibleUserIDs,
			want: hostileWant{members: []string{"zhangsan", "lisi"}, rejects: []string{
				"3 账号: duplicate 账号, first seen in 成员列表 row 2",
				"5 账号: missing 账号",
			}},
		},
		{
			name: "notice-row40.xlsx", about: "Written by excelize: a notice block of 39 merged rows, the header on row 40, 2 members.",
			outcome: "2 members from rows 41–42; no warnings.",
			build:   noticeRow40,
			want: hostileWant{members: []string{"late1", "late2"}, check: func(t *testing.T, got hostileResult) {
				assert.Equal(t, 41, got.members[0].Row)
				assert.Empty(t, got.sum.Warnings)
			}},
		},
	}
}

func TestHostileCorpus(t *testing.T) {
	corpus := hostileCorpus()
	if *update {
		require.NoError(t, os.MkdirAll(hostileDir, 0o755))
		for _, f := range corpus {
			require.NoError(t, os.WriteFile(filepath.Join(hostileDir, f.name), f.build(t), 0o644))
		}
		require.NoError(t, os.WriteFile(filepath.Join(hostileDir, "README.md"), []byte(hostileReadme(corpus)), 0o644))
	}
	for _, f := range corpus {
		t.Run(f.name, func(t *testing.T) {
			if f.slow && (testing.Short() || raceEnabled) {
				t.Skip("slow")
			}
			data, err := os.ReadFile(filepath.Join(hostileDir, f.name))
			require.NoError(t, err, "regenerate with -update")
			assert.LessOrEqual(t, len(data), 512<<10, "keep the corpus small")
			got := parseHostile(t, data, allRows())
			w := f.want
			if w.err != nil {
				assertFileError(t, got.err, w.err, w.sheet, w.row, w.field, w.text)
				return
			}
			require.NoError(t, got.err)
			assert.Equal(t, w.members, userIDs(got.members))
			assert.Equal(t, w.rejects, got.rejects)
			assert.Equal(t, w.skipped, got.sum.SkippedSheets)
			if w.check != nil {
				w.check(t, got)
			}
		})
	}
	t.Run("README.md", func(t *testing.T) {
		data, err := os.ReadFile(filepath.Join(hostileDir, "README.md"))
		require.NoError(t, err)
		assert.Equal(t, hostileReadme(corpus), string(data), "regenerate with -update")
	})
}

func hostileReadme(corpus []hostileFile) string {
	var b strings.Builder
	b.WriteString("# Hostile WeCom exports\n\n")
	b.WriteString("Small files that each attack the export parser one way: damaged, malformed or oversized parts, ")
	b.WriteString("cells that are not what they look like, sheets that would be skipped in silence. ")
	b.WriteString("`go test ./wecomexport -run TestHostileCorpus` checks every outcome below with the default Options ")
	b.WriteString("(`EndRow: -1`); `TestPeakMemory` parses each in a child process and bounds its peak RSS. ")
	b.WriteString("Regenerate the files (and this README) with\n\n")
	b.WriteString("    go test ./wecomexport -run TestHostileCorpus -update\n\n")
	b.WriteString("Sentinels are those of package wecomexport; rows are Excel's 1-based row numbers.\n\n")
	b.WriteString("| File | Contents | Outcome |\n|---|---|---|\n")
	for _, f := range corpus {
		fmt.Fprintf(&b, "| `%s` | %s | %s |\n", f.name, f.about, f.outcome)
	}
	return b.String()
}

// exportRows is a header (姓名, 账号, 部门, 手机) and n member rows user1…usern on rows 2…n+1.
func exportRows(n int) []string {
	rows := []string{headerRow(1, "姓名", "账号", "部门", "手机")}
	for i := 1; i <= n; i++ {
		r := i + 1
		rows = append(rows, xrow(r, str(fmt.Sprint("A", r), fmt.Sprint("成员", i)), str(fmt.Sprint("B", r), fmt.Sprint("user", i)),
			str(fmt.Sprint("C", r), "星河科技/研发中心"), str(fmt.Sprint("D", r), fmt.Sprint(13800138000+i))))
	}
	return rows
}

func oneSheetXML(t testing.TB, xml []byte) []byte {
	return rawBook{sheets: []rawSheet{{name: "成员列表", xml: xml}}}.bytes(t)
}

// excelizeBook writes sheets with excelize; rows[i] is Excel row i+1.
func excelizeBook(t testing.TB, build func(f *excelize.File)) []byte {
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	buf, err := f.WriteToBuffer()
	require.NoError(t, err)
	return buf.Bytes()
}

func setRows(t testing.TB, f *excelize.File, sheet string, first int, rows ...[]any) {
	for i, row := range rows {
		require.NoError(t, f.SetSheetRow(sheet, fmt.Sprintf("A%d", first+i), &row))
	}
}

func member(name, id string, mobile int) []any {
	return []any{name, id, "星河科技/研发中心", fmt.Sprint(mobile)}
}

var hostileHeader = []any{"姓名", "账号", "部门", "手机"}

func hiddenSheets(t testing.TB) []byte {
	return excelizeBook(t, func(f *excelize.File) {
		require.NoError(t, f.SetSheetName("Sheet1", "成员列表"))
		setRows(t, f, "成员列表", 1, hostileHeader, member("甲", "visible1", 13800000001), member("乙", "visible2", 13800000002))
		_, err := f.NewSheet("隐藏名单")
		require.NoError(t, err)
		setRows(t, f, "隐藏名单", 1, hostileHeader, member("丙", "hidden1", 13800000003), member("丁", "hidden2", 13800000004),
			member("戊", "hidden3", 13800000005))
		require.NoError(t, f.SetSheetVisible("隐藏名单", false))
		_, err = f.NewSheet("深度隐藏")
		require.NoError(t, err)
		setRows(t, f, "深度隐藏", 1, member("己", "deep1", 13800000006), member("庚", "deep2", 13800000007))
		require.NoError(t, f.SetSheetVisible("深度隐藏", false, true))
	})
}

func continuation(t testing.TB) []byte {
	return excelizeBook(t, func(f *excelize.File) {
		require.NoError(t, f.SetSheetName("Sheet1", "成员列表"))
		setRows(t, f, "成员列表", 1, hostileHeader, member("甲", "part1", 13800000001), member("乙", "part2", 13800000002),
			member("丙", "part3", 13800000003))
		_, err := f.NewSheet("成员列表(2)")
		require.NoError(t, err)
		setRows(t, f, "成员列表(2)", 1, member("丁", "part4", 13800000004), member("戊", "part5", 13800000005),
			member("己", "part6", 13800000006), member("庚", "part7", 13800000007))
	})
}

func errorCells(t testing.TB) []byte {
	hdr := headerRow(1, "姓名", "账号", "部门", "手机", "邮箱", "工号")
	e := func(ref, v string) string { return typed(ref, "e", -1, v) }
	return oneSheetXML(t, worksheet(hdr,
		xrow(2, str("A2", "正常"), str("B2", "ok"), str("C2", "星河科技"), num("D2", "13800138000"), str("E2", "ok@example.com"), str("F2", "E-1")),
		xrow(3, str("A3", "甲"), str("B3", "e1"), e("D3", "#N/A")),
		xrow(4, str("A4", "乙"), e("B4", "#REF!")),
		xrow(5, str("A5", "丙"), str("B5", "e3"), e("C5", "#VALUE!")),
		xrow(6, str("A6", "丁"), str("B6", "e4"), e("F6", "#DIV/0!")),
		xrow(7, str("A7", "戊"), str("B7", "e5"), e("E7", "#NAME?")),
		xrow(8, str("A8", "己"), str("B8", "e6"), e("D8", "#NUM!"), e("E8", "#NULL!")),
		xrow(9, str("A9", "庚"), str("B9", "e7"), e("D9", "#GETTING_DATA")),
		xrow(10, str("A10", "辛"), str("B10", "e8"), `<c r="D10" t="e"><f>SEQUENCE(2)</f><v>#SPILL!</v></c>`),
	))
}

func dateBoolCells(t testing.TB) []byte {
	styles := stylesXML(map[int]string{164: "yyyy/mm/dd"}, 0, 14, 164, 31)
	hdr := headerRow(1, "姓名", "账号", "部门", "手机", "邮箱", "禁用状态", "入职日期")
	return rawBook{styles: styles, sheets: []rawSheet{{name: "成员列表", xml: worksheet(hdr,
		xrow(2, str("A2", "甲"), str("B2", "t1"), str("C2", "星河科技"), num("D2", "13800138000"), typed("F2", "b", -1, "1")),
		xrow(3, str("A3", "乙"), str("B3", "t2"), str("C3", "星河科技"), typed("G3", "", 2, "45352")),
		xrow(4, str("A4", "丙"), str("B4", "d1"), typed("D4", "", 1, "45352")),
		xrow(5, str("A5", "丁"), str("B5", "d2"), typed("E5", "", 2, "45352")),
		xrow(6, str("A6", "戊"), str("B6", "d3"), typed("D6", "", 3, "45352")),
		xrow(7, str("A7", "己"), str("B7", "d4"), typed("D7", "d", -1, "2024-03-01")),
		xrow(8, str("A8", "庚"), typed("B8", "b", -1, "1")),
		xrow(9, str("A9", "辛"), str("B9", "b2"), typed("D9", "b", -1, "0")),
	)}}}.bytes(t)
}

func numberForms(t testing.TB) []byte {
	return oneSheetXML(t, worksheet(headerRow(1, "姓名", "账号", "手机"),
		xrow(2, str("A2", "甲"), num("B2", "10086.0"), num("C2", "13800138000")),
		xrow(3, str("A3", "乙"), num("B3", "10087"), num("C3", "1.3800138E10")),
		xrow(4, str("A4", "丙"), num("B4", "1.0088E4"), num("C4", "1.3800138E+10")),
		xrow(5, str("A5", "丁"), str("B5", "n4"), num("C5", "13800138000.0")),
		xrow(6, str("A6", "戊"), str("B6", "n5"), num("C6", "1.3800138e+10")),
	))
}

func invisibleUserIDs(t testing.TB) []byte {
	return excelizeBook(t, func(f *excelize.File) {
		require.NoError(t, f.SetSheetName("Sheet1", "成员列表"))
		setRows(t, f, "成员列表", 1, []any{"姓名", "账号"},
			[]any{"甲", "\u200dzhang\u2060san\ufeff"},
			[]any{"乙", "\u00a0Zhang\u00adSan"},
			[]any{"丙", "li\u200bsi"},
			[]any{"丁", "\u200b\u2060\ufeff\u00ad"})
	})
}

func noticeRow40(t testing.TB) []byte {
	return excelizeBook(t, func(f *excelize.File) {
		require.NoError(t, f.SetSheetName("Sheet1", "成员列表"))
		for r := 1; r <= 39; r++ {
			cell := fmt.Sprintf("A%d", r)
			require.NoError(t, f.SetCellValue("成员列表", cell, fmt.Sprintf("%d. 填写须知：账号 zhangsan，部门 星河科技/研发中心，手机 13800138000", r)))
			require.NoError(t, f.MergeCell("成员列表", cell, fmt.Sprintf("D%d", r)))
		}
		setRows(t, f, "成员列表", 40, hostileHeader, member("甲", "late1", 13800000001), member("乙", "late2", 13800000002))
	})
}
