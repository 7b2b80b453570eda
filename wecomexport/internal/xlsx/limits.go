package xlsx

// Limits bound what reading a workbook may cost. Every field must be positive.
type Limits struct {
	// PartBytes bounds the uncompressed size of one part, both as its zip entry declares it
	// (checked before inflating) and as it inflates (archive/zip refuses more than declared).
	PartBytes int64
	// TotalBytes bounds the sum of the uncompressed sizes of all the parts read.
	TotalBytes int64
	// CellBytes bounds one cell's text and one shared string, and the raw XML of any one token
	// (a tag with its attributes, or a run of text).
	CellBytes int
	// RowBytes bounds the raw XML of one worksheet row.
	RowBytes int64
	// Columns bounds the number of cells in one row and the highest column a cell may name.
	Columns int
	// SharedStrings bounds the number of entries in the shared-strings table.
	SharedStrings int
	// SharedStringBytes bounds the total text of the shared-strings table.
	SharedStringBytes int64
}

// Fixed bounds for the parts that are not data; real workbooks stay far below them.
const (
	// maxDirectoryBytes bounds the zip central directory (and its end record) read when opening
	// the archive: a real .xlsx needs a few KiB; each entry costs a few hundred bytes of memory.
	maxDirectoryBytes = 4 << 20
	// maxMetaPartBytes bounds workbook.xml, the relationship parts and styles.xml.
	maxMetaPartBytes = 32 << 20
	// maxSheets bounds the sheets a workbook may list.
	maxSheets = 4096
	// maxStyles bounds the cell formats (cellXfs) and custom number formats read from styles.xml;
	// Excel itself allows about 64,000 cell formats and a few hundred custom number formats.
	maxStyles = 1 << 17
	// maxRelationships bounds the relationships one .rels part may list.
	maxRelationships = 1 << 16
	// maxDepth bounds how deeply XML elements may nest.
	maxDepth = 128
	// MaxRow is the last row of an Excel worksheet.
	MaxRow = 1 << 20
	// MaxColumn is the last column of an Excel worksheet (XFD).
	MaxColumn = 1 << 14
)
