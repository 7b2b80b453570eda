package xlsx

import "testing"

func TestParseRef(t *testing.T) {
	tests := []struct {
		ref      string
		col, row int
		ok       bool
	}{
		{"A1", 1, 1, true},
		{"c7", 3, 7, true},
		{"Z10", 26, 10, true},
		{"AA1", 27, 1, true},
		{"XFD1048576", 16384, 1048576, true},
		{"XFE1", 0, 0, false},
		{"A1048577", 0, 0, false},
		{"A0", 0, 0, false},
		{"A01", 0, 0, false},
		{"A", 0, 0, false},
		{"1", 0, 0, false},
		{"$A$1", 0, 0, false},
		{"AAAAA1", 0, 0, false},
		{"A1B", 0, 0, false},
		{"", 0, 0, false},
	}
	for _, tt := range tests {
		col, row, ok := parseRef(tt.ref)
		if col != tt.col || row != tt.row || ok != tt.ok {
			t.Errorf("parseRef(%q) = %d, %d, %v; want %d, %d, %v", tt.ref, col, row, ok, tt.col, tt.row, tt.ok)
		}
	}
}

func TestColumnName(t *testing.T) {
	for col, want := range map[int]string{1: "A", 26: "Z", 27: "AA", 28: "AB", 702: "ZZ", 703: "AAA", 16384: "XFD", 0: "?"} {
		if got := ColumnName(col); got != want {
			t.Errorf("ColumnName(%d) = %q, want %q", col, got, want)
		}
	}
}

func TestParseRowNum(t *testing.T) {
	for s, want := range map[string]int{"1": 1, "1048576": 1048576, "0": 0, "1048577": 0, "": 0, "-1": 0, "1e3": 0, "12345678": 0} {
		n, ok := parseRowNum(s)
		if ok != (want != 0) || ok && n != want {
			t.Errorf("parseRowNum(%q) = %d, %v; want %d", s, n, ok, want)
		}
	}
}
