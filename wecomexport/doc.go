// Package wecomexport parses the contacts export that a WeCom (企业微信) admin downloads from the admin
// console (通讯录 → 批量导入/导出 → 导出通讯录) into members and row-level rejects.
//
// The layout is only partly documented by Tencent (see the project's reference/wecom-api.md §8), so
// the parser is lenient where the file may vary and strict where a mistake would corrupt a sync.
// A delete-only run deletes every owned user who is absent from the file, so a partial or misread
// file must never look like a complete one:
//
//   - A file is read whole or refused whole. Every selected sheet (and every skipped hidden sheet)
//     is read to its end; a damaged zip, an entry failing its CRC-32, malformed or truncated XML or
//     bytes that are not UTF-8 fail Parse with ErrCorrupt, naming the sheet and row — even when
//     rows before the fault were already handed to the callbacks, which the caller then discards.
//     A 0-byte input is ErrEmpty.
//   - No sheet is skipped in silence. Hidden and very hidden sheets are skipped unless
//     Options.Sheet names them; sheets without a header are skipped; each skipped sheet is listed
//     in Summary.SkippedSheets and Summary.Warnings with its count of rows that look like member
//     rows (a cell that is a valid 账号 and another that is a department path or a phone number;
//     see SkippedSheet.MemberLikeRows), and so are such rows above a header. A caller can then
//     treat the file as partial (Summary.MemberLikeRowsNotRead).
//   - The header row is found by its labels (姓名 and 账号/帐号) wherever the notice block
//     (填写须知：…) ends: every row from Options.StartRow is scanned until one is the header.
//     Columns are mapped by header text, with the known label variants; unknown columns are kept in
//     Member.Extra.
//   - Cells are read with their types. Text cells keep their text; numeric cells give the digits a
//     person typed, whatever the writer's serialisation ("1.3800138E+10" and "13800138000.0" are
//     13800138000; a numeric 账号 never gets ".0"). An error cell (#N/A, #REF!, …) rejects its row,
//     naming the column; so does a date (a numeric cell with a date or time format: built-in formats
//     14–22, 27–36, 45–47, 50–58, or a custom format with y, m, d, h or s outside quotes and
//     brackets) or a TRUE/FALSE cell in a member field. 禁用状态 accepts TRUE/FALSE; custom columns
//     keep dates (ISO 8601) and booleans (TRUE/FALSE) as text.
//   - The 账号 cell is cleaned of invisible characters once (directory.StripInvisible); that value
//     is Member.UserID, Reject.UserID and, through directory.UserKey, the duplicate key.
//   - 部门 holds /-separated paths from the top-level department, several separated by ；or ;, main
//     department first.
//   - One bad row is a Reject (missing or invalid 账号, missing 姓名, an empty department path segment,
//     a duplicate 账号, an error, date or TRUE/FALSE cell) and never fails the file. Whole-file
//     problems are a *FileError wrapping one of the sentinel errors.
//   - Memory is bounded on any input. Options caps the input size, each part's declared and actual
//     uncompressed size and all parts' together, each cell, row and XML token, the columns of a
//     row, the shared strings (count and bytes) and the data rows; the defaults keep any upload
//     within a few hundred MB (the worst case, a shared-strings table at its cap, peaks near
//     120 MB) while a real export of 100,000 members parses in about 30 MB. Anything over a cap is
//     ErrTooLarge, naming what and where.
//
// Reading is done by the internal/xlsx package rather than excelize, whose streaming reader hides
// cell types (needed to tell numbers, dates, booleans and errors apart), holds the whole zip in
// memory, decompresses large parts to temporary files, loads every shared string and can stop
// early without saying so. internal/xlsx is built on archive/zip (CRC-32 and size checks) and on
// encoding/xml's tokenizer (well-formedness), adds UTF-8 checks and the bounds above, and streams
// worksheets row by row: memory does not grow with the number of rows beyond the set of userids
// seen. excelize stays in the module for writing reports and test files.
//
// This package does no I/O beyond reading the io.Reader it is given — and, for an input that
// cannot seek and is larger than 8 MiB, a temporary file holding it while Parse runs: no network,
// no blob store, no logging, and no knowledge of Authing or of how members are mapped; callers do
// that.
package wecomexport
