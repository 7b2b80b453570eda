package wecom

import (
	"fmt"
	"testing"
)

// TestNodeLimit runs a sequence of writes against departments that hold at most two nodes
// (sub-departments + direct members).
func TestNodeLimit(t *testing.T) {
	e := newEnv(t, WithMaxNodes(2))
	user := func(id string, depts ...int) map[string]any {
		return map[string]any{"userid": id, "name": id, "department": depts, "email": id + "@example.com"}
	}
	steps := []struct {
		name string
		path string
		body map[string]any
		want int
	}{
		{"first child of the root", "department/create", map[string]any{"id": 2, "name": "A", "parentid": 1}, 0},
		{"second child of the root", "department/create", map[string]any{"id": 3, "name": "B", "parentid": 1}, 0},
		{"root full", "department/create", map[string]any{"name": "C", "parentid": 1}, 81001},
		{"child of A", "department/create", map[string]any{"id": 4, "name": "D", "parentid": 2}, 0},
		{"member fills A", "user/create", user("u1", 2), 0},
		{"A full for a member", "user/create", user("u2", 2), 81001},
		{"A full for a department", "department/create", map[string]any{"name": "E", "parentid": 2}, 81001},
		{"member of B", "user/create", user("u2", 3), 0},
		{"joining full A", "user/update", map[string]any{"userid": "u2", "department": []int{3, 2}}, 81001},
		{"staying in full A", "user/update", map[string]any{"userid": "u1", "department": []int{2}, "name": "U1"}, 0},
		{"move D out of A into B", "department/update", map[string]any{"id": 4, "parentid": 3}, 0},
		{"A has room again", "department/create", map[string]any{"id": 5, "name": "E", "parentid": 2}, 0},
		{"move into full B", "department/update", map[string]any{"id": 5, "parentid": 3}, 81001},
		{"rename in place is no move", "department/update", map[string]any{"id": 5, "name": "E2", "parentid": 2}, 0},
		{"root full for a member", "user/create", user("u3", 1), 81001},
	}
	for _, st := range steps {
		wantCode(t, st.name, e.post(st.path, st.body), st.want)
	}
}

// TestNodeLimitDefault seeds a department with 30,000 members (Seed does not check the limit)
// and shows that the API refuses the 30,001st node.
func TestNodeLimitDefault(t *testing.T) {
	f := Fixture{CorpName: "大公司", Departments: []Department{{ID: 2, Name: "满员部门", ParentID: 1}}}
	for i := range DefaultMaxNodes {
		f.Users = append(f.Users, User{UserID: fmt.Sprintf("u%05d", i), Name: "U", Department: []int{2}})
	}
	e := newEnv(t)
	if err := e.emu.Seed(f); err != nil {
		t.Fatal(err)
	}
	wantCode(t, "member 30,001", e.post("user/create", map[string]any{"userid": "extra", "name": "X", "department": []int{2}, "email": "x@example.com"}), 81001)
	wantCode(t, "sub-department 30,001", e.post("department/create", map[string]any{"name": "子", "parentid": 2}), 81001)
	wantCode(t, "elsewhere", e.post("department/create", map[string]any{"name": "子", "parentid": 1}), 0)
	wantCode(t, "a member leaves", e.get("user/delete", "userid", "u00000"), 0)
	wantCode(t, "room for one", e.post("department/create", map[string]any{"name": "子", "parentid": 2}), 0)
}
