package xlsx

// parseRef splits an A1-style cell reference ("C7", "$C$7" is not allowed in cells) into its
// 1-based column and row. ok is false for anything else, including columns past XFD and rows past
// 1,048,576.
func parseRef(ref string) (col, row int, ok bool) {
	i := 0
	for ; i < len(ref) && i < 4; i++ {
		c := ref[i] | 0x20 // lower case
		if c < 'a' || c > 'z' {
			break
		}
		col = col*26 + int(c-'a'+1)
	}
	if i == 0 || i == len(ref) || col > MaxColumn {
		return 0, 0, false
	}
	for ; i < len(ref); i++ {
		c := ref[i]
		if c < '0' || c > '9' || row == 0 && c == '0' {
			return 0, 0, false
		}
		row = row*10 + int(c-'0')
		if row > MaxRow {
			return 0, 0, false
		}
	}
	return col, row, true
}

// parseRowNum parses a row's r attribute: 1 to 1,048,576.
func parseRowNum(s string) (int, bool) {
	if s == "" || len(s) > 7 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, n >= 1 && n <= MaxRow
}

// ColumnName returns the letters of a 1-based column number: 1 → "A", 28 → "AB".
func ColumnName(col int) string {
	if col <= 0 {
		return "?"
	}
	var b [8]byte
	i := len(b)
	for col > 0 {
		col--
		i--
		b[i] = byte('A' + col%26)
		col /= 26
	}
	return string(b[i:])
}
