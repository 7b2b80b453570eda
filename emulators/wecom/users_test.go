package wecom

import (
	"fmt"
	"testing"
)

// pageAll pages user/list_id with limit and returns every row and the number of pages.
func pageAll(t *testing.T, e *env, limit int) ([]string, int) {
	t.Helper()
	var rows []string
	cursor, pages := "", 0
	for {
		r := e.post("user/list_id", map[string]any{"cursor": cursor, "limit": limit})
		wantCode(t, "list_id", r, 0)
		pages++
		for _, row := range r["dept_user"].([]any) {
			m := row.(map[string]any)
			rows = append(rows, fmt.Sprintf("%s/%d", m["userid"], int(m["department"].(float64))))
		}
		cursor = r["next_cursor"].(string)
		if cursor == "" {
			return rows, pages
		}
		if pages > 1000 {
			t.Fatal("list_id never ends")
		}
	}
}

func TestListIDPaging(t *testing.T) {
	e := newSeededEnv(t)
	want := []string{"alice/3", "bob/2", "bob/4", "carol/4"}
	tests := []struct {
		limit     int
		wantPages int
	}{{1, 4}, {2, 2}, {3, 2}, {4, 1}, {10000, 1}}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.limit), func(t *testing.T) {
			rows, pages := pageAll(t, e, tt.limit)
			if fmt.Sprint(rows) != fmt.Sprint(want) || pages != tt.wantPages {
				t.Fatalf("rows %v in %d pages, want %v in %d", rows, pages, want, tt.wantPages)
			}
		})
	}
	for _, bad := range []any{0, -1, 10001} {
		wantCode(t, fmt.Sprintf("limit %v", bad), e.post("user/list_id", map[string]any{"limit": bad}), 40058)
	}
	wantCode(t, "bad cursor", e.post("user/list_id", map[string]any{"cursor": "not-a-cursor"}), 40058)
	if r := e.post("user/list_id", nil); code(r) != 0 || len(r["dept_user"].([]any)) != 4 {
		t.Fatalf("list_id without body = %v", r)
	}

	// A member deleted between pages: paging carries on with the next one.
	first := e.post("user/list_id", map[string]any{"limit": 2})
	wantCode(t, "delete bob", e.get("user/delete", "userid", "bob"), 0)
	second := e.post("user/list_id", map[string]any{"limit": 2, "cursor": first["next_cursor"]})
	rows := second["dept_user"].([]any)
	if len(rows) != 1 || rows[0].(map[string]any)["userid"] != "carol" || second["next_cursor"] != "" {
		t.Fatalf("page after deletion = %v", second)
	}
}

func TestListIDLargeCorp(t *testing.T) {
	const n = 100_000
	f := Fixture{CorpName: "大公司", Departments: []Department{{ID: 2, Name: "A", ParentID: 1}}}
	for i := range n {
		depts := []int{1}
		if i%4 == 0 {
			depts = []int{1, 2}
		}
		f.Users = append(f.Users, User{UserID: fmt.Sprintf("u%06d", i), Name: "U", Department: depts})
	}
	e := newEnv(t)
	if err := e.emu.Seed(f); err != nil {
		t.Fatal(err)
	}
	// Delete 25 scattered runs of 200 so the listing must step over removed members.
	for i := 1; i < n; i += 4000 {
		ids := make([]string, 0, 200)
		for j := i; j < i+200 && j < n; j++ {
			ids = append(ids, fmt.Sprintf("u%06d", j))
		}
		wantCode(t, "batchdelete", e.post("user/batchdelete", map[string]any{"useridlist": ids}), 0)
	}
	users := len(e.emu.Snapshot().Users)
	rows, pages := pageAll(t, e, 10000)
	seen := make(map[string]bool, len(rows))
	for _, r := range rows {
		if seen[r] {
			t.Fatalf("row %s listed twice", r)
		}
		seen[r] = true
	}
	wantRows := 0
	for _, u := range e.emu.Snapshot().Users {
		wantRows += len(u.Department)
	}
	if users != n-25*200 || len(rows) != wantRows || pages != (wantRows+9999)/10000 {
		t.Fatalf("%d users: %d rows in %d pages, want %d rows", users, len(rows), pages, wantRows)
	}
}

func TestRemovedMembersAreCompacted(t *testing.T) {
	st := newState("c")
	for i := range 3000 {
		st.insertUser(User{UserID: fmt.Sprintf("u%d", i), Name: "U", Department: []int{1}})
	}
	// A cursor taken before the deletions stays usable after compaction.
	_, cursor, code := st.listID("", 2500)
	if code != 0 || cursor == "" {
		t.Fatalf("first page: code %d cursor %q", code, cursor)
	}
	for i := range 2000 {
		if code := st.deleteUser(fmt.Sprintf("u%d", i)); code != 0 {
			t.Fatalf("delete u%d: %d", i, code)
		}
	}
	if len(st.users) >= 3000 {
		t.Fatalf("no compaction: %d stored for 1000 members", len(st.users))
	}
	rows, next, code := st.listID(cursor, 10000)
	if code != 0 || next != "" || len(rows) != 500 || rows[0].UserID != "u2500" {
		t.Fatalf("after compaction: %d rows from %v, next %q, code %d", len(rows), rows[0], next, code)
	}
	all, _, _ := st.listID("", 10000)
	if len(all) != 1000 || all[0].UserID != "u2000" {
		t.Fatalf("full listing: %d rows from %v", len(all), all[0])
	}
}
