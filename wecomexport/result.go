package wecomexport

// Member is one valid row. Every text field is the cell's text, trimmed, "" when the column is
// absent or the cell empty (callers treat "" as "no value": an empty cell never resets anything);
// nothing is normalised (mobiles keep their "+86 " form or lack of it, 性别 stays 男/女). Numeric
// cells give the digits a person typed ("13800138000", never "1.38E+10" or "10086.0").
type Member struct {
	Sheet string `json:"sheet"`
	Row   int    `json:"row"` // Excel row number as Excel shows it (1-based)
	// UserID is the 账号 cell without invisible characters (directory.StripInvisible).
	UserID       string `json:"userId"`
	Name         string `json:"name"`
	Alias        string `json:"alias,omitempty"`
	Position     string `json:"position,omitempty"`
	Gender       string `json:"gender,omitempty"`
	Mobile       string `json:"mobile,omitempty"`
	Telephone    string `json:"telephone,omitempty"`
	Email        string `json:"email,omitempty"`
	BizMail      string `json:"bizMail,omitempty"`
	Address      string `json:"address,omitempty"`
	VideoChannel string `json:"videoChannel,omitempty"` // 视频号
	WeChatPlugin string `json:"weChatPlugin,omitempty"` // 微信插件, raw text (已关注/未关注)
	ActiveStatus string `json:"activeStatus,omitempty"` // 激活状态, raw text (已激活/未激活)
	// Disabled is the 禁用状态 cell: true for 已禁用 (the export's value), 禁用, 是, 1, true or a
	// TRUE cell; false for 未禁用, 启用, 正常, 否, 0, false or a FALSE cell; nil when the column is
	// absent, the cell empty or its text none of these.
	Disabled *bool `json:"disabled,omitempty"`
	// Departments holds each 部门 path as trimmed segments from the top level, main department
	// first; nil when the cell is empty.
	Departments [][]string `json:"departments,omitempty"`
	// Extra holds the non-empty cells of columns with unknown labels (custom fields), keyed by
	// header label; nil when there are none. TRUE/FALSE cells give "TRUE"/"FALSE", date cells their
	// ISO 8601 date ("2024-03-01", or "2024-03-01 09:30:00" with a time).
	Extra map[string]string `json:"extra,omitempty"`
}

// Reject is one problem with one row; the row is not a member. A row can have several rejects.
// Value is set only for 账号 and 部门 cells, never for personal data such as mobiles or emails.
type Reject struct {
	File  string `json:"file"`
	Sheet string `json:"sheet"`
	Row   int    `json:"row"` // Excel row number (1-based)
	// Field is the label of the column at fault as the console names it (FieldUserID, FieldMobile,
	// …), or a custom column's label as written.
	Field string `json:"field"`
	Value string `json:"value,omitempty"`
	// UserID is the row's 账号 cell without invisible characters (possibly invalid), whatever
	// Field is, so that callers can leave that user alone (a delete-only run must not delete a user
	// whose row was rejected); "" when the 账号 cell is empty or not text (an error, a date, …).
	UserID string `json:"userId,omitempty"`
	Reason string `json:"reason"`
}

// Summary describes what Parse read. It is returned with errors too, counting what was read.
type Summary struct {
	File    string   `json:"file"`
	Sheets  []string `json:"sheets"`  // sheets that had a header and were read
	Rows    int      `json:"rows"`    // non-blank data rows read
	Members int      `json:"members"` // valid rows
	Rejects int      `json:"rejects"` // Reject records (a row can have several)
	// Header maps each header label, as written, to its 1-based column (A = 1) in the first sheet read.
	Header map[string]int `json:"header,omitempty"`
	// SkippedSheets lists, in workbook order, the sheets that were not read: hidden ones, ones
	// without a header, chart sheets. Their rows were counted (within StartRow–EndRow).
	SkippedSheets []SkippedSheet `json:"skippedSheets,omitempty"`
	// MemberLikeRowsAboveHeader counts rows above the header rows of the sheets read that look
	// like member rows (see SkippedSheet.MemberLikeRows); they were not read.
	MemberLikeRowsAboveHeader int `json:"memberLikeRowsAboveHeader,omitempty"`
	// Warnings are sentences for a person about what was skipped and why.
	Warnings []string `json:"warnings,omitempty"`
}

// Reasons in SkippedSheet.Reason.
const (
	SkipHidden        = "hidden"
	SkipVeryHidden    = "very hidden"
	SkipNoHeader      = "no header"
	SkipNotAWorksheet = "not a worksheet"
)

// SkippedSheet is a sheet Parse did not read.
type SkippedSheet struct {
	Name   string `json:"name"`
	Reason string `json:"reason"` // SkipHidden, SkipVeryHidden, SkipNoHeader or SkipNotAWorksheet
	Rows   int    `json:"rows"`   // non-blank rows
	// MemberLikeRows counts rows that look like member rows: a cell that is a valid 账号 (letters,
	// digits, _ - @ .) and another cell that is a department path (a/b, several segments, some
	// letters) or a phone number (7–15 digits, optional +, spaces and dashes). A continuation
	// sheet that lost its header, or a hidden sheet of members, shows up here; a caller should
	// then treat the file as partial.
	MemberLikeRows int `json:"memberLikeRows"`
}

// MemberLikeRowsNotRead is the number of rows that look like members but were not read: in
// skipped sheets and above header rows. When it is not 0 the file may hold members that the
// result does not list.
func (s Summary) MemberLikeRowsNotRead() int {
	n := s.MemberLikeRowsAboveHeader
	for _, sk := range s.SkippedSheets {
		n += sk.MemberLikeRows
	}
	return n
}
