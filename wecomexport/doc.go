// Package wecomexport parses the contacts export that a WeCom (企业微信) admin downloads from the admin
// console (通讯录 → 批量导入/导出 → 导出通讯录) into members and row-level rejects.
//
// The layout is only partly documented by Tencent (see the project's reference/wecom-api.md §8), so
// the parser is lenient where the file may vary and strict where a mistake would corrupt a sync:
//
//   - The header row is found by its labels (姓名 and 账号/帐号) within the first 20 rows read, so a
//     notice block (填写须知：…, one or many merged rows) may stand above it. Columns are mapped by
//     header text, with the known label variants; unknown columns are kept in Member.Extra.
//   - Cells are read as text, never through their number format: a mobile stored as a number comes
//     out as "13800000000", a numeric 账号 as "10086".
//   - 部门 holds /-separated paths from the top-level department, several separated by ；or ;, main
//     department first.
//   - One bad row is a Reject (missing or invalid 账号, missing 姓名, an empty department path segment,
//     a duplicate 账号) and never fails the file. Whole-file problems are a *FileError wrapping one of
//     the sentinel errors.
//
// Parse streams the worksheets through excelize's row iterator and keeps only a set of the userids
// seen, so memory does not grow with the number of rows beyond that set.
//
// This package must not do I/O beyond reading the io.Reader it is given: no network, no blob store,
// no logging, and no knowledge of Authing or of how members are mapped; callers do that.
package wecomexport
