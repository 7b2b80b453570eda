// Package xlsx is a small, strict and bounded reader of .xlsx workbooks (SpreadsheetML), made for
// untrusted uploads. It reads only what a contacts export needs — sheet names and visibility,
// number formats (to tell dates from numbers), shared strings and the cells of worksheets, with
// their types — and it refuses, rather than guesses, whenever a part cannot be read to its end.
//
// It is built on archive/zip, which checks every entry's CRC-32 and size as it is read to its end,
// and on encoding/xml's tokenizer, which reports malformed XML; on top of them it checks that
// every byte is UTF-8, that elements nest and close, and it bounds everything that costs memory:
// the zip central directory, the declared and actual uncompressed size of each part and of all
// parts together, each XML token, each cell and row, the number of columns, and the size and
// count of shared strings (Limits). Worksheets are streamed row by row: memory does not grow with
// the number of rows.
//
// Errors are *Error values wrapping ErrCorrupt, ErrTooLarge or ErrNotWorkbook, with the part and,
// where known, the row and column.
package xlsx
