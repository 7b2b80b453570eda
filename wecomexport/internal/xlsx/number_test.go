package xlsx

import "testing"

func TestFormatNumber(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"13800138000", "13800138000", true},
		{"1.3800138E10", "13800138000", true},
		{"1.3800138E+10", "13800138000", true},
		{"1.3800138e+010", "13800138000", true},
		{"13800138000.0", "13800138000", true},
		{"13800138000.000002", "13800138000", true},
		{"0.30000000000000004", "0.3", true},
		{"10086.0", "10086", true},
		{"1234567890123456789", "1234567890123456789", true},
		{"007", "7", true},
		{".5", "0.5", true},
		{"5.", "5", true},
		{"+5", "5", true},
		{"-1.5E-3", "-0.0015", true},
		{"-0", "0", true},
		{"0E+5", "0", true},
		{"1E+300", "1E+300", true},
		{"1E-300", "1E-300", true},
		{"", "", false},
		{".", ".", false},
		{"1e", "1e", false},
		{"1e99999", "1e99999", false},
		{"NaN", "NaN", false},
		{"Inf", "Inf", false},
		{"0x10", "0x10", false},
		{"1,000", "1,000", false},
		{"--1", "--1", false},
	}
	for _, tt := range tests {
		got, ok := FormatNumber(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("FormatNumber(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestSerialDate(t *testing.T) {
	tests := []struct {
		in       string
		date1904 bool
		want     string
		ok       bool
	}{
		{"45352", false, "2024-03-01", true},
		{"45352.999999", false, "2024-03-02", true}, // rounds to the next second, then the next day
		{"45352.5", false, "2024-03-01 12:00:00", true},
		{"59", false, "1900-02-28", true},
		{"60", false, "1900-02-29", true},
		{"61", false, "1900-03-01", true},
		{"0", false, "00:00:00", true},
		{"0", true, "1904-01-01", true},
		{"2958465", false, "9999-12-31", true},
		{"2958466", false, "", false},
		{"-1", false, "", false},
		{"x", false, "", false},
	}
	for _, tt := range tests {
		got, ok := serialDate(tt.in, tt.date1904)
		if got != tt.want || ok != tt.ok {
			t.Errorf("serialDate(%q, %v) = %q, %v; want %q, %v", tt.in, tt.date1904, got, ok, tt.want, tt.ok)
		}
	}
}
