package wecom

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/wecomsync/wecomsync/emulators/internal/fakeclock"
)

// newFakeClock is a settable clock for token expiry and rate windows.
func newFakeClock() *fakeclock.Clock {
	return fakeclock.New(time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC))
}

// env is an emulator behind a real HTTP server, with a contacts-sync token.
type env struct {
	t     *testing.T
	emu   *Server
	srv   *httptest.Server
	token string
}

func newEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	emu := New(append([]Option{WithCorp("corp1", "contacts-secret"), WithAppSecret("app-secret")}, opts...)...)
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	e := &env{t: t, emu: emu, srv: srv}
	e.token = e.tokenFor("contacts-secret")
	return e
}

// newSeededEnv is newEnv holding smallCorp.
func newSeededEnv(t *testing.T, opts ...Option) *env {
	t.Helper()
	e := newEnv(t, opts...)
	if err := e.emu.Seed(smallCorp()); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *env) tokenFor(secret string) string {
	e.t.Helper()
	r := e.do(http.MethodGet, "gettoken", url.Values{"corpid": {"corp1"}, "corpsecret": {secret}}, nil)
	if code(r) != 0 {
		e.t.Fatalf("gettoken: %v", r)
	}
	return r["access_token"].(string)
}

// do calls path (relative to /cgi-bin/) with body as JSON ([]byte as is) and decodes the JSON
// answer; it fails on a non-200.
func (e *env) do(method, path string, q url.Values, body any) map[string]any {
	e.t.Helper()
	var rd *bytes.Reader
	if raw, isRaw := body.([]byte); isRaw {
		rd = bytes.NewReader(raw)
	} else if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			e.t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	} else {
		rd = bytes.NewReader(nil)
	}
	req, err := http.NewRequest(method, e.srv.URL+"/cgi-bin/"+path+"?"+q.Encode(), rd)
	if err != nil {
		e.t.Fatal(err)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		e.t.Fatalf("%s %s: HTTP %d", method, path, resp.StatusCode)
	}
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		e.t.Fatalf("%s %s: decode: %v", method, path, err)
	}
	return out
}

// get calls a GET API with the contacts token.
func (e *env) get(path string, params ...string) map[string]any {
	e.t.Helper()
	q := url.Values{"access_token": {e.token}}
	for i := 0; i+1 < len(params); i += 2 {
		q.Set(params[i], params[i+1])
	}
	return e.do(http.MethodGet, path, q, nil)
}

// post calls a POST API with the contacts token.
func (e *env) post(path string, body any) map[string]any {
	e.t.Helper()
	return e.do(http.MethodPost, path, url.Values{"access_token": {e.token}}, body)
}

// code is the answer's errcode.
func code(r map[string]any) int {
	f, _ := r["errcode"].(float64)
	return int(f)
}

// wantCode fails unless the answer carries errcode want.
func wantCode(t *testing.T, what string, r map[string]any, want int) {
	t.Helper()
	if got := code(r); got != want {
		t.Fatalf("%s: errcode %d (%v), want %d", what, got, r["errmsg"], want)
	}
}

// smallCorp is a fixture: root, 2 研发 (3 后端 under it), 4 市场; three members.
func smallCorp() Fixture {
	return Fixture{
		CorpName: "测试公司",
		Departments: []Department{
			{ID: 3, Name: "后端", ParentID: 2},
			{ID: 2, Name: "研发", ParentID: 1, Order: 5},
			{ID: 4, Name: "市场", ParentID: 1},
		},
		Users: []User{
			{UserID: "alice", Name: "Alice", Department: []int{3}, IsLeaderInDept: []int{1}, Mobile: "13800000001", Email: "alice@example.com", Gender: "2"},
			{UserID: "bob", Name: "Bob", Department: []int{2, 4}, Mobile: "13800000002", Status: StatusInactive},
			{UserID: "carol", Name: "Carol", Department: []int{4}, Email: "carol@example.com", Status: StatusDisabled},
		},
	}
}
