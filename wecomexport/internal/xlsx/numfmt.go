package xlsx

import "strings"

// builtinDate reports whether a built-in number format (one a workbook uses by id without
// defining it) shows a date or a time: 14–22 and 45–47 in every locale, and 27–36 and 50–58,
// which are date and time formats in the Chinese, Japanese and Korean versions of Excel
// (ECMA-376 Part 1, §18.8.30).
func builtinDate(id int) bool {
	return id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 || id >= 50 && id <= 58
}

// isDateFormat reports whether a custom number format code shows a date or a time: after
// dropping quoted literals ("年"), escaped characters (\-), spacing and fill directives (_x, *x),
// the General keyword and bracketed codes ([Red], [$-804], [>=100], [DBNum1]) — but keeping the
// elapsed-time codes [h], [mm], [ss] — one of the date or time tokens y, m, d, h, s (any case) is
// left in some section. AM/PM and 上午/下午 only appear with h, so they need no rule of their own.
func isDateFormat(code string) bool {
	code = strings.ReplaceAll(strings.ToLower(code), "general", "")
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case '"':
			end := strings.IndexByte(code[i+1:], '"')
			if end < 0 {
				return false
			}
			i += end + 1
		case '\\', '_', '*':
			i++ // the next character is a literal, a width or a fill
		case '[':
			end := strings.IndexByte(code[i+1:], ']')
			if end < 0 {
				return false
			}
			if elapsedTime(code[i+1 : i+1+end]) {
				return true
			}
			i += end + 1
		case 'y', 'm', 'd', 'h', 's':
			return true
		}
	}
	return false
}

// elapsedTime reports whether a bracketed code is [h], [hh], [m], [mm], [s], [ss], ….
func elapsedTime(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] != s[0] {
			return false
		}
	}
	return s[0] == 'h' || s[0] == 'm' || s[0] == 's'
}
