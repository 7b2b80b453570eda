package wecom

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wecomsync/wecomsync/emulators/internal/faults"
)

func TestGetToken(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, WithClock(clock.Now), WithTokenTTL(time.Hour))
	tests := []struct {
		name         string
		corpid       string
		secret       string
		want         int
		wantLifetime int
	}{
		{"contacts secret", "corp1", "contacts-secret", 0, 3600},
		{"app secret", "corp1", "app-secret", 0, 3600},
		{"wrong secret", "corp1", "nope", 40001, 0},
		{"empty secret", "corp1", "", 40001, 0},
		{"wrong corp", "corp2", "contacts-secret", 40013, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(http.MethodGet, "gettoken", url.Values{"corpid": {tt.corpid}, "corpsecret": {tt.secret}}, nil)
			wantCode(t, "gettoken", r, tt.want)
			if tt.want == 0 && int(r["expires_in"].(float64)) != tt.wantLifetime {
				t.Fatalf("expires_in = %v, want %d", r["expires_in"], tt.wantLifetime)
			}
			if tt.want != 0 && strings.Contains(r["errmsg"].(string), tt.secret) && tt.secret != "" {
				t.Fatalf("errmsg echoes the secret: %v", r["errmsg"])
			}
		})
	}

	// Within its lifetime the same token comes back with the time it has left.
	clock.Advance(10 * time.Minute)
	r := e.do(http.MethodGet, "gettoken", url.Values{"corpid": {"corp1"}, "corpsecret": {"contacts-secret"}}, nil)
	if r["access_token"] != e.token || int(r["expires_in"].(float64)) != 3000 {
		t.Fatalf("second gettoken = %v, want same token with 3000 s", r)
	}
	if app := e.tokenFor("app-secret"); app == e.token {
		t.Fatal("app and contacts secrets share a token")
	}

	// Token errors on use.
	wantCode(t, "missing token", e.do(http.MethodGet, "department/simplelist", nil, nil), 41001)
	wantCode(t, "unknown token", e.do(http.MethodGet, "department/simplelist", url.Values{"access_token": {"bogus"}}, nil), 40014)
	wantCode(t, "valid token", e.get("department/simplelist"), 0)
	clock.Advance(50 * time.Minute)
	wantCode(t, "expired token", e.get("department/simplelist"), 42001)
	fresh := e.tokenFor("contacts-secret")
	if fresh == e.token {
		t.Fatal("gettoken after expiry returned the expired token")
	}
	e.token = fresh
	wantCode(t, "fresh token", e.get("department/simplelist"), 0)
	e.emu.RevokeTokens()
	wantCode(t, "revoked token", e.get("department/simplelist"), 40014)
}

func TestTokenKindsAndModes(t *testing.T) {
	details := []struct{ method, path, param, value string }{
		{http.MethodGet, "user/get", "userid", "alice"},
		{http.MethodGet, "user/list", "department_id", "1"},
		{http.MethodGet, "department/list", "id", "1"},
		{http.MethodGet, "department/get", "id", "2"},
	}
	t.Run("new IP blocks detail reads of the contacts token", func(t *testing.T) {
		e := newSeededEnv(t, WithNewIP(true))
		for _, d := range details {
			wantCode(t, d.path, e.get(d.path, d.param, d.value), 48009)
		}
		wantCode(t, "simplelist", e.get("department/simplelist"), 0)
		wantCode(t, "user/simplelist", e.get("user/simplelist", "department_id", "1"), 0)
		wantCode(t, "list_id", e.post("user/list_id", map[string]any{}), 0)
		// An app token may still read details.
		e.token = e.tokenFor("app-secret")
		for _, d := range details {
			wantCode(t, "app "+d.path, e.get(d.path, d.param, d.value), 0)
		}
	})
	t.Run("app token cannot write or list ids", func(t *testing.T) {
		e := newEnv(t)
		e.token = e.tokenFor("app-secret")
		wantCode(t, "create", e.post("department/create", map[string]any{"name": "x", "parentid": 1}), 48002)
		wantCode(t, "delete", e.get("user/delete", "userid", "x"), 48002)
		wantCode(t, "list_id", e.post("user/list_id", map[string]any{}), 48002)
		wantCode(t, "read", e.get("department/list"), 0)
	})
}

func TestRateLimits(t *testing.T) {
	clock := newFakeClock()
	e := newEnv(t, WithClock(clock.Now), WithRateLimits(3, 5))
	for i := range 3 {
		wantCode(t, "call", e.get("department/simplelist"), 0)
		_ = i
	}
	wantCode(t, "4th call in the minute", e.get("department/simplelist"), 45009)
	wantCode(t, "another API has its own budget", e.get("user/simplelist", "department_id", "1"), 0)
	clock.Advance(59 * time.Second)
	wantCode(t, "still blocked", e.get("department/simplelist"), 45009)
	clock.Advance(time.Second)
	wantCode(t, "next minute", e.get("department/simplelist"), 0)
	wantCode(t, "5th in the hour", e.get("department/simplelist"), 0)
	clock.Advance(time.Minute)
	wantCode(t, "hour budget used", e.get("department/simplelist"), 45009)
	clock.Advance(time.Hour)
	wantCode(t, "next hour", e.get("department/simplelist"), 0)

	unlimited := newEnv(t, WithRateLimits(0, 0))
	for range 20 {
		wantCode(t, "unlimited", unlimited.get("department/simplelist"), 0)
	}
}

func TestFaults(t *testing.T) {
	e := newEnv(t)
	e.emu.FailNext("department/simplelist", -1, 2)
	wantCode(t, "first", e.get("department/simplelist"), -1)
	wantCode(t, "second", e.get("department/simplelist"), -1)
	wantCode(t, "third", e.get("department/simplelist"), 0)

	e.emu.FailNext("gettoken", 45033, 0) // counts as 1
	r := e.do(http.MethodGet, "gettoken", url.Values{"corpid": {"corp1"}, "corpsecret": {"contacts-secret"}}, nil)
	wantCode(t, "gettoken fault", r, 45033)

	// Over HTTP, as a bench would inject them.
	body := `{"path":"user/simplelist","kind":"5xx","code":503,"count":1}`
	resp, err := e.srv.Client().Post(e.srv.URL+FaultsPath, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("POST faults = %d", resp.StatusCode)
	}
	resp, err = e.srv.Client().Get(e.srv.URL + "/cgi-bin/user/simplelist?department_id=1&access_token=" + e.token)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("injected 503 answered %d", resp.StatusCode)
	}
	e.emu.Faults().Add(faults.Rule{Path: "user/get", Kind: faults.Drop, Count: 1})
	if _, err := e.srv.Client().Get(e.srv.URL + "/cgi-bin/user/get?userid=x&access_token=" + e.token); err == nil {
		t.Fatal("dropped call got an answer")
	}
}

func TestMethodsAndPaths(t *testing.T) {
	e := newEnv(t)
	wantCode(t, "GET on POST API", e.get("department/create"), 40058)
	wantCode(t, "POST on GET API", e.post("department/delete", map[string]any{"id": 2}), 40058)
	wantCode(t, "bad JSON", e.do(http.MethodPost, "department/create", url.Values{"access_token": {e.token}}, []byte(`{`)), 40058)
	resp, err := e.srv.Client().Get(e.srv.URL + "/cgi-bin/nope/nothing")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("unknown path = %d", resp.StatusCode)
	}
	resp, err = e.srv.Client().Get(e.srv.URL + "/_emulator/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("healthz = %d", resp.StatusCode)
	}
}

func TestCalls(t *testing.T) {
	e := newEnv(t)
	e.emu.ResetCalls()
	e.post("department/create", map[string]any{"name": "A", "parentid": 1})
	e.post("department/create", map[string]any{"name": "A", "parentid": 1}) // 60008, still a call
	e.get("department/simplelist")
	e.post("user/create", map[string]any{"userid": "u1", "name": "U", "department": []int{1}, "mobile": "13900000000"})
	e.get("user/delete", "userid", "u1")
	calls := e.emu.Calls()
	if calls["department/create"] != 2 || calls["department/simplelist"] != 1 || calls["user/create"] != 1 {
		t.Fatalf("Calls = %v", calls)
	}
	if got := e.emu.WriteCalls(); got != 4 {
		t.Fatalf("WriteCalls = %d, want 4", got)
	}
	calls["user/create"] = 99 // a copy
	if e.emu.Calls()["user/create"] != 1 {
		t.Fatal("Calls returned shared state")
	}
	e.emu.ResetCalls()
	if e.emu.WriteCalls() != 0 || len(e.emu.Calls()) != 0 {
		t.Fatal("ResetCalls left counts")
	}
}

func TestSeedSnapshotAndFixtures(t *testing.T) {
	emu := New()
	if err := emu.Seed(smallCorp()); err != nil {
		t.Fatal(err)
	}
	snap := emu.Snapshot()
	if snap.CorpName != "测试公司" || len(snap.Departments) != 4 || len(snap.Users) != 3 {
		t.Fatalf("snapshot = %+v", snap)
	}
	if snap.Departments[0].ID != 1 || snap.Departments[0].Name != "测试公司" {
		t.Fatalf("root = %+v", snap.Departments[0])
	}
	if snap.Users[0].Status != StatusActive || snap.Users[1].Status != StatusInactive {
		t.Fatalf("seeded statuses = %d, %d", snap.Users[0].Status, snap.Users[1].Status)
	}
	var backend Department
	for _, d := range snap.Departments {
		if d.ID == 3 {
			backend = d
		}
	}
	if len(backend.DepartmentLeader) != 1 || backend.DepartmentLeader[0] != "alice" {
		t.Fatalf("leaders of 3 = %v", backend.DepartmentLeader)
	}
	// Deep copies: changing the snapshot changes nothing.
	snap.Users[0].Department[0] = 99
	snap.Users[0].Name = "X"
	if again := emu.Snapshot(); again.Users[0].Department[0] != 3 || again.Users[0].Name != "Alice" {
		t.Fatal("Snapshot shares state")
	}
	// Round trip through a JSON file.
	path := filepath.Join(t.TempDir(), "corp.json")
	b, err := json.Marshal(emu.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFixture(path)
	if err != nil {
		t.Fatal(err)
	}
	other := New()
	if err := other.Seed(f); err != nil {
		t.Fatal(err)
	}
	if len(other.Snapshot().Users) != 3 {
		t.Fatal("reloaded fixture lost users")
	}
	if _, err := LoadFixture(filepath.Join(t.TempDir(), "missing.json")); err == nil {
		t.Fatal("LoadFixture of a missing file succeeded")
	}

	bad := []struct {
		name string
		f    Fixture
	}{
		{"no name", Fixture{}},
		{"missing parent", Fixture{CorpName: "c", Departments: []Department{{ID: 2, Name: "a", ParentID: 9}}}},
		{"cycle", Fixture{CorpName: "c", Departments: []Department{{ID: 2, Name: "a", ParentID: 3}, {ID: 3, Name: "b", ParentID: 2}}}},
		{"duplicate id", Fixture{CorpName: "c", Departments: []Department{{ID: 2, Name: "a", ParentID: 1}, {ID: 2, Name: "b", ParentID: 1}}}},
		{"sibling names", Fixture{CorpName: "c", Departments: []Department{{ID: 2, Name: "a", ParentID: 1}, {ID: 3, Name: "a", ParentID: 1}}}},
		{"user unknown dept", Fixture{CorpName: "c", Users: []User{{UserID: "u", Name: "u", Department: []int{5}}}}},
		{"userid case clash", Fixture{CorpName: "c", Users: []User{{UserID: "u", Name: "u", Department: []int{1}}, {UserID: "U", Name: "u", Department: []int{1}}}}},
		{"mobile clash", Fixture{CorpName: "c", Users: []User{{UserID: "u", Name: "u", Department: []int{1}, Mobile: "1"}, {UserID: "v", Name: "v", Department: []int{1}, Mobile: "1"}}}},
		{"bad userid", Fixture{CorpName: "c", Users: []User{{UserID: "-u", Name: "u", Department: []int{1}}}}},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			if err := emu.Seed(tt.f); err == nil {
				t.Fatal("Seed accepted a bad fixture")
			}
			if len(emu.Snapshot().Users) != 3 {
				t.Fatal("a failed Seed changed the state")
			}
		})
	}
}

func TestDemoCompany(t *testing.T) {
	f := DemoCompany()
	e := newEnv(t)
	f.CorpID = "corp1"
	if err := e.emu.Seed(f); err != nil {
		t.Fatal(err)
	}
	r := e.get("department/list")
	wantCode(t, "list", r, 0)
	if n := len(r["department"].([]any)); n != 7 {
		t.Fatalf("departments = %d, want 7", n)
	}
	rows := e.post("user/list_id", map[string]any{"limit": 10000})["dept_user"].([]any)
	if len(e.emu.Snapshot().Users) != 20 || len(rows) != 23 {
		t.Fatalf("users = %d, rows = %d; want 20 users in 23 (user, department) rows", len(e.emu.Snapshot().Users), len(rows))
	}
}
