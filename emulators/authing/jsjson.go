package authing

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// jsValue is a decoded JSON value holding what JavaScript's JSON.stringify depends on: object
// members in JavaScript's property order and numbers as doubles. The signature check rebuilds
// from it the text the official Node SDK signed, whatever spacing or escaping the body used.
type jsValue struct {
	kind  jsKind
	str   string    // jsString
	num   float64   // jsNumber
	truth bool      // jsBool
	keys  []string  // jsObject: member names in property order
	items []jsValue // jsObject: member values (parallel to keys); jsArray: elements
}

type jsKind uint8

const (
	jsNull jsKind = iota
	jsBool
	jsNumber
	jsString
	jsArray
	jsObject
)

// maxJSDepth bounds nesting so that a hostile body cannot exhaust the stack.
const maxJSDepth = 512

var errJSDepth = errors.New("JSON nested too deeply")

// parseJS decodes one JSON text.
func parseJS(data []byte) (jsValue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := readJS(dec, 0)
	if err != nil {
		return jsValue{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return jsValue{}, errors.New("data after the JSON value")
	}
	return v, nil
}

func readJS(dec *json.Decoder, depth int) (jsValue, error) {
	if depth > maxJSDepth {
		return jsValue{}, errJSDepth
	}
	tok, err := dec.Token()
	if err != nil {
		return jsValue{}, err
	}
	switch t := tok.(type) {
	case nil:
		return jsValue{kind: jsNull}, nil
	case bool:
		return jsValue{kind: jsBool, truth: t}, nil
	case string:
		return jsValue{kind: jsString, str: t}, nil
	case json.Number:
		f, err := strconv.ParseFloat(t.String(), 64)
		if err != nil && !math.IsInf(f, 0) { // an overflow is Infinity, as in JSON.parse
			return jsValue{}, err
		}
		return jsValue{kind: jsNumber, num: f}, nil
	case json.Delim:
		if t == '[' {
			return readJSArray(dec, depth)
		}
		if t == '{' {
			return readJSObject(dec, depth)
		}
	}
	return jsValue{}, fmt.Errorf("unexpected JSON token %v", tok)
}

func readJSArray(dec *json.Decoder, depth int) (jsValue, error) {
	v := jsValue{kind: jsArray}
	for dec.More() {
		item, err := readJS(dec, depth+1)
		if err != nil {
			return jsValue{}, err
		}
		v.items = append(v.items, item)
	}
	_, err := dec.Token() // ]
	return v, err
}

func readJSObject(dec *json.Decoder, depth int) (jsValue, error) {
	v := jsValue{kind: jsObject}
	at := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return jsValue{}, err
		}
		key, ok := tok.(string)
		if !ok {
			return jsValue{}, fmt.Errorf("object key %v", tok)
		}
		item, err := readJS(dec, depth+1)
		if err != nil {
			return jsValue{}, err
		}
		if i, dup := at[key]; dup { // JSON.parse keeps the last value at the first position
			v.items[i] = item
			continue
		}
		at[key] = len(v.keys)
		v.keys = append(v.keys, key)
		v.items = append(v.items, item)
	}
	if _, err := dec.Token(); err != nil { // }
		return jsValue{}, err
	}
	v.orderProperties()
	return v, nil
}

// orderProperties puts members in JavaScript's own-property order: array-index names ascending,
// then the other names in insertion order.
func (v *jsValue) orderProperties() {
	type member struct {
		key   string
		item  jsValue
		index uint32
		isIdx bool
	}
	ms := make([]member, len(v.keys))
	for i, k := range v.keys {
		idx, ok := arrayIndex(k)
		ms[i] = member{key: k, item: v.items[i], index: idx, isIdx: ok}
	}
	slices.SortStableFunc(ms, func(a, b member) int {
		switch {
		case a.isIdx && b.isIdx:
			return cmp.Compare(a.index, b.index)
		case a.isIdx:
			return -1
		case b.isIdx:
			return 1
		}
		return 0
	})
	for i, m := range ms {
		v.keys[i], v.items[i] = m.key, m.item
	}
}

// arrayIndex reports whether k is a canonical array index (0 … 2^32−2).
func arrayIndex(k string) (uint32, bool) {
	if k == "" || len(k) > 10 || (len(k) > 1 && k[0] == '0') {
		return 0, false
	}
	n, err := strconv.ParseUint(k, 10, 32)
	if err != nil || n == math.MaxUint32 {
		return 0, false
	}
	return uint32(n), true
}

// text is the value as a JavaScript template literal shows it (`${value}`), except that objects
// and arrays are JSON.stringify'd: what the SDK writes after "key=" in the string to sign.
func (v jsValue) text() string {
	switch v.kind {
	case jsString:
		return v.str
	case jsNumber:
		return jsNumberString(v.num)
	case jsBool:
		return strconv.FormatBool(v.truth)
	case jsNull:
		return "null"
	}
	return string(v.appendJSON(nil))
}

// appendJSON appends JSON.stringify(v).
func (v jsValue) appendJSON(b []byte) []byte {
	switch v.kind {
	case jsNull:
		return append(b, "null"...)
	case jsBool:
		return strconv.AppendBool(b, v.truth)
	case jsNumber:
		if math.IsInf(v.num, 0) || math.IsNaN(v.num) {
			return append(b, "null"...)
		}
		return append(b, jsNumberString(v.num)...)
	case jsString:
		return appendJSString(b, v.str)
	case jsArray:
		b = append(b, '[')
		for i, item := range v.items {
			if i > 0 {
				b = append(b, ',')
			}
			b = item.appendJSON(b)
		}
		return append(b, ']')
	default:
		b = append(b, '{')
		for i, k := range v.keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSString(b, k)
			b = append(b, ':')
			b = v.items[i].appendJSON(b)
		}
		return append(b, '}')
	}
}

// jsShortEscapes are the characters JSON.stringify escapes with a short form.
var jsShortEscapes = map[rune]string{'"': `\"`, '\\': `\\`, '\b': `\b`, '\f': `\f`, '\n': `\n`, '\r': `\r`, '\t': `\t`}

// appendJSString appends s quoted as JSON.stringify quotes strings: only '"', '\\' and control
// characters are escaped (short forms where they exist, else \u00xx in lower case).
func appendJSString(b []byte, s string) []byte {
	b = append(b, '"')
	for _, r := range s {
		switch esc, short := jsShortEscapes[r]; {
		case short:
			b = append(b, esc...)
		case r < 0x20:
			b = fmt.Appendf(b, `\u%04x`, r)
		default:
			b = append(b, string(r)...)
		}
	}
	return append(b, '"')
}

// jsNumberString formats a double as JavaScript's Number.prototype.toString does (ECMA-262
// Number::toString): the shortest round-trip digits, plain notation for exponents −7 < e < 21,
// else d.ddde±x.
func jsNumberString(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		return "0" // -0 too
	}
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	mant, exp, _ := strings.Cut(strconv.FormatFloat(f, 'e', -1, 64), "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	k, n := len(digits), x+1 // n: position of the decimal point
	switch {
	case k <= n && n <= 21:
		return sign + digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		return sign + digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		return sign + "0." + strings.Repeat("0", -n) + digits
	}
	e := "e+" + strconv.Itoa(n-1)
	if n-1 < 0 {
		e = "e-" + strconv.Itoa(1-n)
	}
	if k == 1 {
		return sign + digits + e
	}
	return sign + digits[:1] + "." + digits[1:] + e
}

// compareUTF16 orders strings as JavaScript's default sort does: by UTF-16 code units.
func compareUTF16(a, b string) int {
	return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(b)))
}
