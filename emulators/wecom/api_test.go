package wecom

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestDepartmentCreate(t *testing.T) {
	e := newSeededEnv(t)
	tests := []struct {
		name   string
		body   map[string]any
		want   int
		wantID int
	}{
		{"auto id", map[string]any{"name": "运营", "parentid": 1}, 0, 5},
		{"given id", map[string]any{"name": "前端", "parentid": 2, "id": 40, "order": 3}, 0, 40},
		{"next auto id after given", map[string]any{"name": "测试", "parentid": 2}, 0, 41},
		{"same name elsewhere", map[string]any{"name": "后端", "parentid": 4}, 0, 42},
		{"missing parent", map[string]any{"name": "x", "parentid": 99}, 60004, 0},
		{"no parent", map[string]any{"name": "x"}, 60004, 0},
		{"duplicate id", map[string]any{"name": "y", "parentid": 1, "id": 2}, 60008, 0},
		{"root id", map[string]any{"name": "y", "parentid": 1, "id": 1}, 60008, 0},
		{"negative id", map[string]any{"name": "y", "parentid": 1, "id": -3}, 60123, 0},
		{"sibling name", map[string]any{"name": "研发", "parentid": 1}, 60008, 0},
		{"empty name", map[string]any{"name": "", "parentid": 1}, 60125, 0},
		{"long name", map[string]any{"name": strings.Repeat("长", 65), "parentid": 1}, 60001, 0},
		{"64 chars ok", map[string]any{"name": strings.Repeat("长", 64), "parentid": 1}, 0, 43},
		{"bad char", map[string]any{"name": "a*b", "parentid": 1}, 60009, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post("department/create", tt.body)
			wantCode(t, "create", r, tt.want)
			if tt.want == 0 {
				if r["errmsg"] != "created" || int(r["id"].(float64)) != tt.wantID {
					t.Fatalf("answer %v, want created id %d", r, tt.wantID)
				}
			}
		})
	}
	// Depth: the root is level 1, so 14 more levels fit and the 16th is refused.
	parent := 1
	for level := 2; level <= 15; level++ {
		r := e.post("department/create", map[string]any{"name": fmt.Sprintf("L%d", level), "parentid": parent})
		wantCode(t, fmt.Sprintf("level %d", level), r, 0)
		parent = int(r["id"].(float64))
	}
	wantCode(t, "level 16", e.post("department/create", map[string]any{"name": "L16", "parentid": parent}), 81002)
}

func TestDepartmentUpdateDeleteRead(t *testing.T) {
	e := newSeededEnv(t)
	updates := []struct {
		name string
		body map[string]any
		want int
	}{
		{"rename", map[string]any{"id": 4, "name": "市场部"}, 0},
		{"order only", map[string]any{"id": 4, "order": 9}, 0},
		{"move", map[string]any{"id": 3, "parentid": 4}, 0},
		{"unknown", map[string]any{"id": 77, "name": "x"}, 60003},
		{"unknown parent", map[string]any{"id": 3, "parentid": 77}, 60004},
		{"cycle", map[string]any{"id": 4, "parentid": 3}, 60010},
		{"self parent", map[string]any{"id": 4, "parentid": 4}, 60010},
		{"move root", map[string]any{"id": 1, "parentid": 2}, 60010},
		{"sibling clash", map[string]any{"id": 2, "name": "市场部"}, 60008},
		{"bad name", map[string]any{"id": 2, "name": "a|b"}, 60009},
		{"rename root", map[string]any{"id": 1, "name": "新公司"}, 0},
	}
	for _, tt := range updates {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post("department/update", tt.body)
			wantCode(t, "update", r, tt.want)
			if tt.want == 0 && r["errmsg"] != "updated" {
				t.Fatalf("errmsg = %v", r["errmsg"])
			}
		})
	}
	got := e.get("department/get", "id", "4")["department"].(map[string]any)
	if got["name"] != "市场部" || got["order"].(float64) != 9 || got["parentid"].(float64) != 1 {
		t.Fatalf("department 4 = %v", got)
	}
	if e.emu.Snapshot().CorpName != "新公司" {
		t.Fatal("renaming the root did not rename the corp")
	}

	// Reads: 4 has 3 (moved) under it; alice leads 3.
	list := e.get("department/list", "id", "4")["department"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["id"].(float64) != 4 || list[1].(map[string]any)["id"].(float64) != 3 {
		t.Fatalf("department/list?id=4 = %v", list)
	}
	if l := list[1].(map[string]any)["department_leader"].([]any); len(l) != 1 || l[0] != "alice" {
		t.Fatalf("leaders of 3 = %v", l)
	}
	simple := e.get("department/simplelist")["department_id"].([]any)
	if len(simple) != 4 {
		t.Fatalf("simplelist = %v", simple)
	}
	if row := simple[0].(map[string]any); row["id"].(float64) != 1 || row["parentid"].(float64) != 0 {
		t.Fatalf("first simplelist row = %v", row)
	}
	wantCode(t, "list unknown", e.get("department/list", "id", "99"), 60003)
	wantCode(t, "get unknown", e.get("department/get", "id", "99"), 60003)
	wantCode(t, "get no id", e.get("department/get"), 40058)

	wantCode(t, "empty parent", e.post("department/create", map[string]any{"name": "空", "parentid": 1, "id": 50}), 0)
	wantCode(t, "its child", e.post("department/create", map[string]any{"name": "子", "parentid": 50}), 0)
	deletes := []struct {
		name, id string
		want     int
	}{
		{"root", "1", 60007},
		{"unknown", "99", 60003},
		{"with members and children: members first", "4", 60005},
		{"with members", "3", 60005},
		{"with children only", "50", 60006},
		{"bad id", "x", 40058},
	}
	for _, tt := range deletes {
		t.Run("delete "+tt.name, func(t *testing.T) {
			wantCode(t, "delete", e.get("department/delete", "id", tt.id), tt.want)
		})
	}
	wantCode(t, "move alice out", e.post("user/update", map[string]any{"userid": "alice", "department": []int{1}}), 0)
	r := e.get("department/delete", "id", "3")
	wantCode(t, "delete emptied", r, 0)
	if r["errmsg"] != "deleted" {
		t.Fatalf("errmsg = %v", r["errmsg"])
	}
	wantCode(t, "delete again", e.get("department/delete", "id", "3"), 60003)
}

func TestUserCreate(t *testing.T) {
	e := newSeededEnv(t)
	base := func(mod func(m map[string]any)) map[string]any {
		m := map[string]any{"userid": "dave", "name": "Dave", "department": []int{2}, "mobile": "13900000009"}
		mod(m)
		return m
	}
	tests := []struct {
		name string
		body map[string]any
		want int
	}{
		{"no userid", base(func(m map[string]any) { delete(m, "userid") }), 40003},
		{"malformed userid", base(func(m map[string]any) { m["userid"] = "da ve" }), 40003},
		{"leading dot", base(func(m map[string]any) { m["userid"] = ".dave" }), 40003},
		{"over 64 bytes", base(func(m map[string]any) { m["userid"] = strings.Repeat("d", 65) }), 40058},
		{"no name", base(func(m map[string]any) { delete(m, "name") }), 60112},
		{"long name", base(func(m map[string]any) { m["name"] = strings.Repeat("名", 65) }), 60112},
		{"no department", base(func(m map[string]any) { delete(m, "department") }), 60127},
		{"empty department", base(func(m map[string]any) { m["department"] = []int{} }), 60127},
		{"unknown department", base(func(m map[string]any) { m["department"] = []int{2, 99} }), 60003},
		{"101 departments", base(func(m map[string]any) {
			d := make([]int, 101)
			for i := range d {
				d[i] = 1
			}
			m["department"] = d
		}), 60110},
		{"leader length", base(func(m map[string]any) { m["is_leader_in_dept"] = []int{1, 0} }), 60132},
		{"no mobile or email", base(func(m map[string]any) { delete(m, "mobile") }), 60129},
		{"bad mobile", base(func(m map[string]any) { m["mobile"] = "call me" }), 60103},
		{"bad email", base(func(m map[string]any) { m["email"] = "nope" }), 60105},
		{"taken userid other case", base(func(m map[string]any) { m["userid"] = "ALICE" }), 60102},
		{"taken mobile", base(func(m map[string]any) { m["mobile"] = "13800000001" }), 60104},
		{"taken email other case", base(func(m map[string]any) { m["email"] = "Carol@Example.com" }), 60106},
		{"bad gender", base(func(m map[string]any) { m["gender"] = "9" }), 40058},
		{"six leaders", base(func(m map[string]any) { m["direct_leader"] = []string{"a", "b", "c", "d", "e", "f"} }), 60257},
		{"ok", base(func(m map[string]any) { m["gender"] = "1"; m["email"] = "dave@example.com" }), 0},
		{"ok numeric gender, email only", map[string]any{"userid": "erin@x.com", "name": "Erin", "department": []int{4}, "email": "erin@example.com", "gender": 2}, 0},
		{"ok disabled", map[string]any{"userid": "fay", "name": "Fay", "department": []int{4, 2}, "mobile": "+86 139-0000-0010", "enable": 0, "is_leader_in_dept": []int{1, 0}}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post("user/create", tt.body)
			wantCode(t, "create", r, tt.want)
			if tt.want == 0 && r["errmsg"] != "created" {
				t.Fatalf("errmsg = %v", r["errmsg"])
			}
		})
	}
	dave := e.get("user/get", "userid", "DAVE") // lookups are case-insensitive
	wantCode(t, "get", dave, 0)
	if dave["userid"] != "dave" || dave["gender"] != "1" || dave["status"].(float64) != StatusInactive || dave["main_department"].(float64) != 2 {
		t.Fatalf("dave = %v", dave)
	}
	if erin := e.get("user/get", "userid", "erin@x.com"); erin["gender"] != "2" {
		t.Fatalf("numeric gender stored as %v", erin["gender"])
	}
	if fay := e.get("user/get", "userid", "fay"); fay["status"].(float64) != StatusDisabled {
		t.Fatalf("fay status = %v", fay["status"])
	}
	wantCode(t, "get unknown", e.get("user/get", "userid", "zed"), 60111)
	wantCode(t, "get empty", e.get("user/get"), 40003)
}

func TestUserUpdate(t *testing.T) {
	e := newSeededEnv(t)
	tests := []struct {
		name  string
		body  map[string]any
		want  int
		check func(u map[string]any) bool
	}{
		{"unknown", map[string]any{"userid": "zed", "name": "Z"}, 60111, nil},
		{"no userid", map[string]any{"name": "Z"}, 40003, nil},
		{"rename only", map[string]any{"userid": "bob", "name": "Robert"}, 0,
			func(u map[string]any) bool { return u["name"] == "Robert" && u["mobile"] == "13800000002" }},
		{"inactive member's mobile changes", map[string]any{"userid": "bob", "mobile": "13800000022"}, 0,
			func(u map[string]any) bool { return u["mobile"] == "13800000022" }},
		{"mobile taken", map[string]any{"userid": "bob", "mobile": "13800000001"}, 60104, nil},
		{"email taken", map[string]any{"userid": "bob", "email": "ALICE@example.com"}, 60106, nil},
		{"own email again", map[string]any{"userid": "alice", "email": "alice@example.com"}, 0, nil},
		{"active member's mobile ignored", map[string]any{"userid": "alice", "mobile": "13800000099", "position": "Lead"}, 0,
			func(u map[string]any) bool { return u["mobile"] == "13800000001" && u["position"] == "Lead" }},
		{"disable", map[string]any{"userid": "alice", "enable": 0}, 0,
			func(u map[string]any) bool { return u["status"].(float64) == StatusDisabled }},
		{"enable restores active", map[string]any{"userid": "alice", "enable": 1}, 0,
			func(u map[string]any) bool { return u["status"].(float64) == StatusActive }},
		{"departments replaced, leaders dropped", map[string]any{"userid": "alice", "department": []int{2, 4}}, 0,
			func(u map[string]any) bool {
				return u["main_department"].(float64) == 2 && u["is_leader_in_dept"] == nil && len(u["department"].([]any)) == 2
			}},
		{"unknown department", map[string]any{"userid": "alice", "department": []int{77}}, 60003, nil},
		{"leader length", map[string]any{"userid": "alice", "is_leader_in_dept": []int{1}}, 60132, nil},
		{"empty name", map[string]any{"userid": "alice", "name": ""}, 60112, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.post("user/update", tt.body)
			wantCode(t, "update", r, tt.want)
			if tt.check != nil {
				u := e.get("user/get", "userid", tt.body["userid"].(string))
				if !tt.check(u) {
					t.Fatalf("after update: %v", u)
				}
			}
		})
	}
	// Email moved off carol frees it for others.
	wantCode(t, "move email", e.post("user/update", map[string]any{"userid": "carol", "email": "carol2@example.com"}), 0)
	wantCode(t, "reuse email", e.post("user/update", map[string]any{"userid": "bob", "email": "carol@example.com"}), 0)
}

func TestUserDeleteAndBatchDelete(t *testing.T) {
	e := newSeededEnv(t)
	wantCode(t, "delete unknown", e.get("user/delete", "userid", "zed"), 60111)
	wantCode(t, "delete empty", e.get("user/delete"), 40003)
	r := e.get("user/delete", "userid", "Carol")
	wantCode(t, "delete", r, 0)
	if r["errmsg"] != "deleted" {
		t.Fatalf("errmsg = %v", r["errmsg"])
	}
	wantCode(t, "get deleted", e.get("user/get", "userid", "carol"), 60111)
	// The deleted member's email is free again.
	wantCode(t, "recreate", e.post("user/create", map[string]any{"userid": "carol", "name": "C", "department": []int{1}, "email": "carol@example.com"}), 0)

	many := make([]string, 201)
	for i := range many {
		many[i] = fmt.Sprintf("u%d", i)
	}
	wantCode(t, "201 ids", e.post("user/batchdelete", map[string]any{"useridlist": many}), 40032)
	wantCode(t, "empty list", e.post("user/batchdelete", map[string]any{"useridlist": []string{}}), 40031)
	wantCode(t, "one unknown", e.post("user/batchdelete", map[string]any{"useridlist": []string{"alice", "zed"}}), 40031)
	if len(e.emu.Snapshot().Users) != 3 {
		t.Fatal("a failed batchdelete deleted someone")
	}
	wantCode(t, "batch", e.post("user/batchdelete", map[string]any{"useridlist": []string{"alice", "BOB", "bob"}}), 0)
	users := e.emu.Snapshot().Users
	if len(users) != 1 || users[0].UserID != "carol" {
		t.Fatalf("left = %+v", users)
	}
}

func TestUserLists(t *testing.T) {
	e := newSeededEnv(t)
	ids := func(r map[string]any) []string {
		var out []string
		for _, u := range r["userlist"].([]any) {
			out = append(out, u.(map[string]any)["userid"].(string))
		}
		return out
	}
	tests := []struct {
		dept, fetchChild string
		want             []string
	}{
		{"1", "0", nil},
		{"1", "1", []string{"alice", "bob", "carol"}},
		{"2", "0", []string{"bob"}},
		{"2", "1", []string{"alice", "bob"}},
		{"4", "", []string{"bob", "carol"}},
	}
	for _, tt := range tests {
		t.Run(tt.dept+"/"+tt.fetchChild, func(t *testing.T) {
			for _, path := range []string{"user/simplelist", "user/list"} {
				r := e.get(path, "department_id", tt.dept, "fetch_child", tt.fetchChild)
				wantCode(t, path, r, 0)
				if got := ids(r); !slices.Equal(got, tt.want) {
					t.Fatalf("%s = %v, want %v", path, got, tt.want)
				}
			}
		})
	}
	full := e.get("user/list", "department_id", "3")["userlist"].([]any)[0].(map[string]any)
	if full["mobile"] != "13800000001" || full["gender"] != "2" {
		t.Fatalf("user/list row = %v", full)
	}
	simple := e.get("user/simplelist", "department_id", "4")["userlist"].([]any)[0].(map[string]any)
	if _, has := simple["mobile"]; has || simple["name"] != "Bob" {
		t.Fatalf("user/simplelist row = %v", simple)
	}
	wantCode(t, "unknown dept", e.get("user/simplelist", "department_id", "99"), 60003)
	wantCode(t, "no dept", e.get("user/list"), 40058)
}
