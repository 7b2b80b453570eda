package xlsx

import "testing"

func TestIsDateFormat(t *testing.T) {
	tests := []struct {
		code string
		want bool
	}{
		{"yyyy/mm/dd", true},
		{"yyyy\"年\"m\"月\"d\"日\"", true},
		{"[$-804]yyyy\"年\"m\"月\"", true},
		{"[$-F800]dddd, mmmm dd, yyyy", true},
		{"h:mm AM/PM", true},
		{"上午/下午h\"时\"mm\"分\"", true},
		{"[h]:mm:ss", true},
		{"[mm]:ss", true},
		{"[ss].0", true},
		{"m/d/yy h:mm;@", true},
		{"General", false},
		{"general", false},
		{"0", false},
		{"0.00", false},
		{"#,##0.00_);[Red](#,##0.00)", false},
		{"0.00E+00", false},
		{"##0.0E+0", false},
		{"@", false},
		{"\"Tel: \"0", false},
		{"\\d\\a\\y 0", false},
		{"_(* #,##0_);_(* \\(#,##0\\);_(* \"-\"_);_(@_)", false},
		{"[Red][<=100]0;[Blue]0", false},
		{"[DBNum1]0", false},
		{"0*s", false},
		{"\"unterminated", false},
		{"[unterminated", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := isDateFormat(tt.code); got != tt.want {
			t.Errorf("isDateFormat(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestBuiltinDate(t *testing.T) {
	var dates []int
	for id := 0; id < 200; id++ {
		if builtinDate(id) {
			dates = append(dates, id)
		}
	}
	want := []int{14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56, 57, 58}
	if len(dates) != len(want) {
		t.Fatalf("builtin date formats %v, want %v", dates, want)
	}
	for i := range want {
		if dates[i] != want[i] {
			t.Fatalf("builtin date formats %v, want %v", dates, want)
		}
	}
}
