package wecom

import (
	"fmt"
	"maps"
	"testing"
)

// TestDepartmentUpdateClashes covers 60008 on department/update: a rename or a move into a
// parent that already has a child of that name.
func TestDepartmentUpdateClashes(t *testing.T) {
	e := newSeededEnv(t) // 1 → 2 研发 (→ 3 后端), 4 市场
	wantCode(t, "setup: 后端 under 市场", e.post("department/create", map[string]any{"id": 5, "name": "后端", "parentid": 4}), 0)
	tests := []struct {
		name string
		body map[string]any
		want int
	}{
		{"rename into a sibling's name", map[string]any{"id": 4, "name": "研发"}, 60008},
		{"move next to a namesake", map[string]any{"id": 5, "parentid": 2}, 60008},
		{"move and rename away from the clash", map[string]any{"id": 5, "parentid": 2, "name": "后端二组"}, 0},
		{"rename to its own name", map[string]any{"id": 5, "name": "后端二组"}, 0},
		{"same parent again", map[string]any{"id": 5, "parentid": 2}, 0},
		{"move back, name free there now", map[string]any{"id": 5, "parentid": 4, "name": "后端"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, "update", e.post("department/update", tt.body), tt.want)
		})
	}
	wantCode(t, "create: duplicate id", e.post("department/create", map[string]any{"id": 5, "name": "x", "parentid": 1}), 60008)
	wantCode(t, "create: sibling name", e.post("department/create", map[string]any{"name": "后端", "parentid": 4}), 60008)
}

// TestUserMoveAndEnable covers what the downstream sync sends to user/update: a move
// (department + main_department) and enable 0/1.
func TestUserMoveAndEnable(t *testing.T) {
	e := newSeededEnv(t) // alice in 3 (leader), bob in 2 and 4 (inactive), carol in 4 (disabled)
	tests := []struct {
		name  string
		body  map[string]any
		want  int
		check func(u map[string]any) bool
	}{
		{"move to two departments, main second", map[string]any{"userid": "alice", "department": []int{2, 4}, "main_department": 4}, 0,
			func(u map[string]any) bool {
				return fmt.Sprint(u["department"]) == "[2 4]" && u["main_department"].(float64) == 4 && u["is_leader_in_dept"] == nil
			}},
		{"main department outside the move", map[string]any{"userid": "alice", "department": []int{3}, "main_department": 4}, 40066, nil},
		{"main department alone must be a member's", map[string]any{"userid": "alice", "main_department": 3}, 40066, nil},
		{"main department within", map[string]any{"userid": "alice", "main_department": 2}, 0,
			func(u map[string]any) bool { return u["main_department"].(float64) == 2 }},
		{"move with leaders and order", map[string]any{"userid": "alice", "department": []int{3}, "is_leader_in_dept": []int{1}, "order": []int{7}}, 0,
			func(u map[string]any) bool {
				return fmt.Sprint(u["department"], u["is_leader_in_dept"], u["order"], u["main_department"]) == "[3] [1] [7] 3"
			}},
		{"order length mismatch", map[string]any{"userid": "alice", "department": []int{2, 3}, "order": []int{1}}, 40058, nil},
		{"disable", map[string]any{"userid": "alice", "enable": 0}, 0, hasStatus(StatusDisabled)},
		{"disable again", map[string]any{"userid": "alice", "enable": 0}, 0, hasStatus(StatusDisabled)},
		{"enable restores active", map[string]any{"userid": "alice", "enable": 1}, 0, hasStatus(StatusActive)},
		{"disable an inactive member", map[string]any{"userid": "bob", "enable": 0}, 0, hasStatus(StatusDisabled)},
		{"enable restores inactive", map[string]any{"userid": "bob", "enable": 1}, 0, hasStatus(StatusInactive)},
		{"enable a seeded disabled member", map[string]any{"userid": "carol", "enable": 1}, 0, hasStatus(StatusInactive)},
		{"userid in another case", map[string]any{"userid": "CAROL", "position": "销售"}, 0,
			func(u map[string]any) bool { return u["position"] == "销售" && u["userid"] == "carol" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, "update", e.post("user/update", tt.body), tt.want)
			if tt.check != nil {
				if u := e.get("user/get", "userid", tt.body["userid"].(string)); !tt.check(u) {
					t.Fatalf("after update: %v", u)
				}
			}
		})
	}
}

// hasStatus checks a member's status.
func hasStatus(want int) func(u map[string]any) bool {
	return func(u map[string]any) bool { return u["status"].(float64) == float64(want) }
}

// TestUserConflicts covers 60102/60104/60106 on create and update.
func TestUserConflicts(t *testing.T) {
	e := newSeededEnv(t) // alice 13800000001 alice@example.com, bob 13800000002, carol carol@example.com
	tests := []struct {
		name, path string
		body       map[string]any
		want       int
	}{
		{"userid in another case", "user/create", map[string]any{"userid": "Bob", "name": "B", "department": []int{1}, "email": "b2@example.com"}, 60102},
		{"mobile of another member", "user/create", map[string]any{"userid": "dan", "name": "D", "department": []int{1}, "mobile": "13800000002"}, 60104},
		{"email of another member, other case", "user/create", map[string]any{"userid": "dan", "name": "D", "department": []int{1}, "email": "ALICE@example.com"}, 60106},
		{"update to a taken mobile (inactive member)", "user/update", map[string]any{"userid": "bob", "mobile": "13800000001"}, 60104},
		{"update to a taken email", "user/update", map[string]any{"userid": "bob", "email": "carol@example.com"}, 60106},
		{"free values", "user/create", map[string]any{"userid": "dan", "name": "D", "department": []int{1}, "mobile": "13800000009", "email": "dan@example.com"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.path, e.post(tt.path, tt.body), tt.want)
		})
	}
}

// TestBatchDeleteBounds covers the 200-id cap and all-or-nothing.
func TestBatchDeleteBounds(t *testing.T) {
	f := Fixture{CorpName: "c"}
	for i := range 201 {
		f.Users = append(f.Users, User{UserID: fmt.Sprintf("u%03d", i), Name: "U", Department: []int{1}})
	}
	ids := func(from, to int) []string {
		var out []string
		for i := from; i < to; i++ {
			out = append(out, fmt.Sprintf("u%03d", i))
		}
		return out
	}
	tests := []struct {
		name      string
		ids       []string
		want      int
		wantUsers int
	}{
		{"201 ids", ids(0, 201), 40032, 201},
		{"200 with one unknown", append(ids(0, 199), "nobody"), 40031, 201},
		{"empty", []string{}, 40031, 201},
		{"200 known", ids(0, 200), 0, 1},
		{"already deleted", ids(0, 1), 40031, 1},
	}
	e := newEnv(t)
	if err := e.emu.Seed(f); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, "batchdelete", e.post("user/batchdelete", map[string]any{"useridlist": tt.ids}), tt.want)
			if n := len(e.emu.Snapshot().Users); n != tt.wantUsers {
				t.Fatalf("%d members left, want %d", n, tt.wantUsers)
			}
		})
	}
}

// TestWrites checks the per-API write counters that "a rerun made 0 writes" assertions use.
func TestWrites(t *testing.T) {
	e := newSeededEnv(t)
	e.emu.ResetCalls()
	e.get("department/simplelist")
	e.post("user/list_id", map[string]any{})
	e.get("user/get", "userid", "alice")
	if w := e.emu.Writes(); len(w) != 0 || e.emu.WriteCalls() != 0 {
		t.Fatalf("reads counted as writes: %v", w)
	}
	e.post("department/create", map[string]any{"name": "新", "parentid": 1})
	e.post("department/update", map[string]any{"id": 4, "name": "研发"}) // 60008: a write call all the same
	e.post("user/update", map[string]any{"userid": "bob", "enable": 0})
	e.post("user/batchdelete", map[string]any{"useridlist": []string{"carol"}})
	e.get("department/delete", "id", "99")
	want := map[string]int{"department/create": 1, "department/update": 1, "user/update": 1, "user/batchdelete": 1, "department/delete": 1}
	if got := e.emu.Writes(); !maps.Equal(got, want) || e.emu.WriteCalls() != 5 {
		t.Fatalf("Writes = %v (%d), want %v", got, e.emu.WriteCalls(), want)
	}
	e.emu.ResetCalls()
	if len(e.emu.Writes()) != 0 {
		t.Fatal("ResetCalls kept write counts")
	}
}
