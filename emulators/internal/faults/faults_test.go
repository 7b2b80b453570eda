package faults

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestMatch(t *testing.T) {
	type call struct {
		path     string
		wantOK   bool
		wantKind Kind
		wantCode int
	}
	tests := []struct {
		name  string
		rules []Rule
		calls []call
	}{
		{
			name:  "count fires N times then stops",
			rules: []Rule{{Path: "user/create", Kind: ErrCode, Code: 45009, Count: 2}},
			calls: []call{
				{"user/get", false, "", 0},
				{"user/create", true, ErrCode, 45009},
				{"user/create", true, ErrCode, 45009},
				{"user/create", false, "", 0},
			},
		},
		{
			name:  "star matches every path",
			rules: []Rule{{Path: AnyPath, Kind: HTTP5xx, Code: 503, Count: 2}},
			calls: []call{{"a", true, HTTP5xx, 503}, {"b", true, HTTP5xx, 503}, {"c", false, "", 0}},
		},
		{
			name: "first firing rule wins in order added",
			rules: []Rule{
				{Path: "x", Kind: ErrCode, Code: -1, Count: 1},
				{Path: "x", Kind: Drop, Count: 1},
			},
			calls: []call{{"x", true, ErrCode, -1}, {"x", true, Drop, 0}, {"x", false, "", 0}},
		},
		{
			name:  "unlimited rule with zero rate always fires",
			rules: []Rule{{Path: "x", Kind: HTTP429}},
			calls: []call{{"x", true, HTTP429, 0}, {"x", true, HTTP429, 0}, {"x", true, HTTP429, 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inj := New(1)
			for _, r := range tt.rules {
				inj.Add(r)
			}
			for i, c := range tt.calls {
				got, ok := inj.Match(c.path)
				if ok != c.wantOK || got.Kind != c.wantKind || got.Code != c.wantCode {
					t.Fatalf("call %d Match(%q) = %+v, %v; want kind %q code %d ok %v",
						i, c.path, got, ok, c.wantKind, c.wantCode, c.wantOK)
				}
			}
		})
	}
}

func TestMatchLatencyAddsToFollowingRule(t *testing.T) {
	inj := New(1)
	inj.Add(Rule{Path: AnyPath, Kind: Latency, Delay: 5 * time.Millisecond})
	inj.Add(Rule{Path: "x", Kind: ErrCode, Code: 45033, Count: 1, Delay: time.Millisecond})
	got, ok := inj.Match("x")
	if !ok || got.Kind != ErrCode || got.Delay != 6*time.Millisecond {
		t.Fatalf("Match = %+v, %v; want errcode with 6ms delay", got, ok)
	}
	got, ok = inj.Match("x")
	if !ok || got.Kind != Latency || got.Delay != 5*time.Millisecond {
		t.Fatalf("Match = %+v, %v; want latency 5ms", got, ok)
	}
}

func TestMatchRateIsSeededAndProportional(t *testing.T) {
	fired := func(seed int64) []bool {
		inj := New(seed)
		inj.Add(Rule{Path: "x", Kind: ErrCode, Code: -1, Rate: 0.3})
		out := make([]bool, 2000)
		for i := range out {
			_, out[i] = inj.Match("x")
		}
		return out
	}
	a, b := fired(42), fired(42)
	n := 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed fired differently at call %d", i)
		}
		if a[i] {
			n++
		}
	}
	if n < 450 || n > 750 {
		t.Fatalf("rate 0.3 fired %d of 2000 times", n)
	}
}

func TestRulesShowsRemainingAndReset(t *testing.T) {
	inj := New(1)
	inj.Add(Rule{Path: "x", Kind: ErrCode, Code: -1, Count: 3})
	inj.Match("x")
	rules := inj.Rules()
	if len(rules) != 1 || rules[0].Count != 2 {
		t.Fatalf("Rules = %+v; want one rule with count 2", rules)
	}
	rules[0].Code = 7 // a copy: must not change the injector
	if got, _ := inj.Match("x"); got.Code != -1 {
		t.Fatalf("Rules returned shared state: code %d", got.Code)
	}
	inj.Reset()
	if _, ok := inj.Match("x"); ok {
		t.Fatal("rule fired after Reset")
	}
}

func TestRuleUnmarshalJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    Rule
		wantErr bool
	}{
		{`{"path":"x","kind":"latency","delay":1000000}`, Rule{Path: "x", Kind: Latency, Delay: time.Millisecond}, false},
		{`{"path":"x","kind":"latency","delay":"250ms"}`, Rule{Path: "x", Kind: Latency, Delay: 250 * time.Millisecond}, false},
		{`{"path":"x","kind":"latency","delayMs":40}`, Rule{Path: "x", Kind: Latency, Delay: 40 * time.Millisecond}, false},
		{`{"path":"user/create","kind":"errcode","code":45009,"count":2,"rate":0.5}`,
			Rule{Path: "user/create", Kind: ErrCode, Code: 45009, Count: 2, Rate: 0.5}, false},
		{`{"path":"x","kind":"latency","delay":"soon"}`, Rule{}, true},
		{`{"path":"x","kind":"latency","delay":true}`, Rule{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got Rule
			err := json.Unmarshal([]byte(tt.in), &got)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err == nil && got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
	// Round trip: a marshalled rule decodes to itself.
	r := Rule{Path: "p", Kind: Latency, Delay: 3 * time.Second, Count: 1}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var back Rule
	if err := json.Unmarshal(b, &back); err != nil || back != r {
		t.Fatalf("round trip = %+v, %v; want %+v", back, err, r)
	}
}

// applyServer serves "ok" unless the injector handles the call; ErrCode answers 200 with the code.
func applyServer(t *testing.T, inj *Injector) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rule, handled := inj.Apply(w, r, strings.TrimPrefix(r.URL.Path, "/"))
		if handled {
			return
		}
		if rule.Kind == ErrCode {
			_, _ = io.WriteString(w, "errcode "+strings.TrimSpace(jsonString(rule.Code)))
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestApply(t *testing.T) {
	tests := []struct {
		name       string
		rule       Rule
		wantStatus int
		wantBody   string
		wantDrop   bool
	}{
		{"no rule", Rule{Path: "other", Kind: Drop}, 200, "ok", false},
		{"5xx default 502", Rule{Path: "p", Kind: HTTP5xx}, 502, "502 Bad Gateway", false},
		{"5xx with status", Rule{Path: "p", Kind: HTTP5xx, Code: 503}, 503, "503 Service Unavailable", false},
		{"429", Rule{Path: "p", Kind: HTTP429}, 429, `"statusCode":429`, false},
		{"errcode left to emulator", Rule{Path: "p", Kind: ErrCode, Code: 45009}, 200, "errcode 45009", false},
		{"latency then normal", Rule{Path: "p", Kind: Latency, Delay: time.Millisecond}, 200, "ok", false},
		{"drop", Rule{Path: "p", Kind: Drop}, 0, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			inj := New(1)
			inj.Add(tt.rule)
			srv := applyServer(t, inj)
			resp, err := srv.Client().Get(srv.URL + "/p")
			if tt.wantDrop {
				if err == nil {
					resp.Body.Close()
					t.Fatalf("dropped call got an answer: %d", resp.StatusCode)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.wantStatus || !strings.Contains(string(body), tt.wantBody) {
				t.Fatalf("got %d %q; want %d containing %q", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
		})
	}
}

func TestHandler(t *testing.T) {
	inj := New(1)
	srv := httptest.NewServer(inj.Handler())
	t.Cleanup(srv.Close)
	do := func(method, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL, bytes.NewBufferString(body))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}

	if code, body := do(http.MethodGet, ""); code != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("empty GET = %d %q", code, body)
	}
	if code, _ := do(http.MethodPost, `{"path":"user/create","kind":"errcode","code":45009,"count":1}`); code != 201 {
		t.Fatalf("POST one = %d", code)
	}
	if code, _ := do(http.MethodPost, `[{"path":"*","kind":"latency","delayMs":5},{"path":"x","kind":"drop"}]`); code != 201 {
		t.Fatalf("POST array = %d", code)
	}
	if got := inj.Rules(); len(got) != 3 || got[1].Delay != 5*time.Millisecond {
		t.Fatalf("rules after POST = %+v", got)
	}
	for _, bad := range []string{`{"path":"x","kind":"boom"}`, `{"kind":"drop"}`, `{"path":"x","kind":"latency"}`, `not json`, `{"path":"x","kind":"drop","count":-1}`} {
		if code, body := do(http.MethodPost, bad); code != 400 || !strings.Contains(body, "error") {
			t.Fatalf("POST %s = %d %q; want 400", bad, code, body)
		}
	}
	code, body := do(http.MethodGet, "")
	var listed []Rule
	if err := json.Unmarshal([]byte(body), &listed); err != nil || code != 200 || len(listed) != 3 {
		t.Fatalf("GET = %d %q (%v)", code, body, err)
	}
	if code, _ := do(http.MethodPut, ""); code != http.StatusMethodNotAllowed {
		t.Fatalf("PUT = %d", code)
	}
	if code, _ := do(http.MethodDelete, ""); code != http.StatusNoContent {
		t.Fatalf("DELETE = %d", code)
	}
	if len(inj.Rules()) != 0 {
		t.Fatal("rules left after DELETE")
	}
}

func TestValidate(t *testing.T) {
	if err := (Rule{Path: "x", Kind: "nope"}).Validate(); err == nil {
		t.Fatal("unknown kind accepted")
	}
	if err := (Rule{Path: "x", Kind: ErrCode, Code: 1}).Validate(); err != nil {
		t.Fatalf("valid rule refused: %v", err)
	}
}
