package xlsx

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// excelDigits is the precision Excel keeps and shows: 15 significant digits.
const excelDigits = 15

// FormatNumber writes the value of a numeric cell as plain decimal digits, whatever form the
// writer serialised it in: "13800138000", "1.3800138E10", "1.3800138E+10" and "13800138000.0"
// all give "13800138000", and "10086.0" gives "10086". The expansion is exact; only a value with
// a fractional part and more than 15 significant digits (binary floating-point noise such as
// "0.30000000000000004") is rounded to 15 significant digits, as Excel shows it. ok is false
// when v is not a number.
func FormatNumber(v string) (s string, ok bool) {
	v = strings.TrimSpace(v)
	unsigned, neg := v, false
	if v != "" && (v[0] == '-' || v[0] == '+') {
		unsigned, neg = v[1:], v[0] == '-'
	}
	digits, point, ok := decimal(unsigned)
	if !ok {
		return v, false
	}
	if digits == "" {
		return "0", true
	}
	if len(digits) > excelDigits && len(digits) > point {
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(f, 0) {
			return v, false
		}
		digits, point, _ = decimal(strconv.FormatFloat(math.Abs(f), 'e', excelDigits-1, 64))
		if digits == "" {
			return "0", true
		}
	}
	if point > 2*excelDigits || point < -2*excelDigits {
		f, _ := strconv.ParseFloat(v, 64)
		return strings.ToUpper(strconv.FormatFloat(f, 'e', -1, 64)), true
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case point <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -point))
		b.WriteString(digits)
	case point >= len(digits):
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", point-len(digits)))
	default:
		b.WriteString(digits[:point])
		b.WriteByte('.')
		b.WriteString(digits[point:])
	}
	return b.String(), true
}

// decimal parses an unsigned decimal number "123.45E-6" into its significant digits, without
// leading or trailing zeros, and the position of the decimal point relative to them: the value is
// 0.digits × 10^point … written as digits with the point after `point` of them.
func decimal(v string) (digits string, point int, ok bool) {
	mant, exp := v, 0
	if i := strings.IndexAny(v, "eE"); i >= 0 {
		e, err := strconv.Atoi(v[i+1:])
		if err != nil || e > 1000 || e < -1000 {
			return "", 0, false
		}
		mant, exp = v[:i], e
	}
	whole, frac, _ := strings.Cut(mant, ".")
	if whole == "" && frac == "" || !allDigits(whole) || !allDigits(frac) {
		return "", 0, false
	}
	digits, point = whole+frac, len(whole)+exp
	for len(digits) > 0 && digits[0] == '0' {
		digits, point = digits[1:], point-1
	}
	digits = strings.TrimRight(digits, "0")
	return digits, point, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// serialDate writes an Excel date serial as ISO 8601: "2006-01-02" for whole days, else
// "2006-01-02 15:04:05" (a time alone, below 1, as "15:04:05"). The 1900 date system counts
// 1900-02-29, which did not exist, as day 60; the 1904 system counts from 1904-01-01. ok is false
// for values that are no date.
func serialDate(v string, date1904 bool) (string, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f >= 2958466 || math.IsNaN(f) {
		return "", false
	}
	days := math.Floor(f)
	secs := math.Round((f - days) * 86400)
	if secs >= 86400 {
		days, secs = days+1, secs-86400
	}
	clock := time.Unix(int64(secs), 0).UTC().Format("15:04:05")
	var epoch time.Time
	switch {
	case date1904:
		epoch = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
	case days == 0:
		return clock, true
	case days == 60:
		return withClock("1900-02-29", clock, secs), true
	case days < 60:
		epoch = time.Date(1899, 12, 31, 0, 0, 0, 0, time.UTC)
	default:
		epoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	}
	return withClock(epoch.AddDate(0, 0, int(days)).Format("2006-01-02"), clock, secs), true
}

func withClock(date, clock string, secs float64) string {
	if secs == 0 {
		return date
	}
	return date + " " + clock
}
