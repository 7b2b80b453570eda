package authing

import "testing"

// TestJSONStringifyCompat checks the canonical text against what Node 20 prints for
// JSON.stringify(JSON.parse(input)).
func TestJSONStringifyCompat(t *testing.T) {
	tests := []struct{ in, want string }{
		{`1.0`, `1`},
		{`1e2`, `100`},
		{`-0`, `0`},
		{`0.1`, `0.1`},
		{`1e21`, `1e+21`},
		{`1e-7`, `1e-7`},
		{`123456789012345678901`, `123456789012345680000`},
		{`0.000001`, `0.000001`},
		{`-1.5e-10`, `-1.5e-10`},
		{`5e-324`, `5e-324`},
		{`1.7976931348623157e308`, `1.7976931348623157e+308`},
		{`1e999`, `null`},
		{`"<&>\u2028\u0001\u001f\b\f\n\r\t\"\\/"`, "\"<&>\u2028\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\""},
		{`"\u4e2d"`, `"中"`},
		{`{"b":1,"10":2,"a":3,"2":4,"01":5,"4294967295":6,"4294967294":7}`, `{"2":4,"10":2,"4294967294":7,"b":1,"a":3,"01":5,"4294967295":6}`},
		{`{"a":1,"b":2,"a":3}`, `{"a":3,"b":2}`},
		{`[ 1 , {"x" : [] } , "" ]`, `[1,{"x":[]},""]`},
		{`true`, `true`},
		{`null`, `null`},
		{`{}`, `{}`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			v, err := parseJS([]byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(v.appendJSON(nil)); got != tt.want {
				t.Fatalf("JSON.stringify = %s, want %s", got, tt.want)
			}
		})
	}
	for _, bad := range []string{``, `{`, `[1,]`, `{"a" 1}`, `1 2`, `{"a":[}`} {
		if _, err := parseJS([]byte(bad)); err == nil {
			t.Errorf("parseJS(%q) accepted", bad)
		}
	}
	deep := make([]byte, 0, 4000)
	for range 2000 {
		deep = append(deep, '[')
	}
	if _, err := parseJS(deep); err == nil {
		t.Error("parseJS accepted 2,000 levels")
	}
}
