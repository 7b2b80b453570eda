package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/mapping"
)

// tree: root(r) ─ 研发中心(d1) ─ 后端组(d2); root ─ 市场部(d3); another org's department d9 is unknown.
func testTree() *Tree {
	return NewTree("r", []Department{
		{ID: "d2", ParentID: "d1", Name: "后端组"},
		{ID: "d1", ParentID: "root", Name: "研发中心"},
		{ID: "d3", ParentID: "r", Name: "市场部"},
	})
}

func desired(id, name string, deps ...string) DesiredUser {
	return DesiredUser{Profile: mapping.FromContact(mapping.Contact{UserID: id, Name: name}), Departments: deps}
}

func current(authingID, id, name string, depIDs ...string) CurrentUser {
	return CurrentUser{AuthingID: authingID, Profile: mapping.FromContact(mapping.Contact{UserID: id, Name: name}), DepartmentIDs: depIDs}
}

func TestTree(t *testing.T) {
	tr := NewTree("r", []Department{
		{ID: "d2", ParentID: "d1", Name: "后端组"},
		{ID: "d1", ParentID: "r", Name: "研发中心"},
		{ID: "x", ParentID: "nowhere", Name: "孤儿"},
		{ID: "d1b", ParentID: "r", Name: "研发中心"}, // a same-named sibling: no unique path
	})
	id, ok := tr.ID("研发中心/后端组")
	assert.True(t, ok)
	assert.Equal(t, "d2", id)
	p, ok := tr.Path("d2")
	assert.True(t, ok)
	assert.Equal(t, "研发中心/后端组", p)
	rootID, _ := tr.ID(RootPath)
	assert.Equal(t, "r", rootID)
	assert.Len(t, tr.Problems, 2)
	assert.Equal(t, 3, tr.Len())
}

func TestCreateUpdate(t *testing.T) {
	in := Input{
		Tree:    testTree(),
		Options: Options{Mode: ModeCreateUpdate},
		Desired: []DesiredUser{
			desired("new1", "新人", "研发中心/前端组/小组A", "市场部"),
			desired("same", "不变", "研发中心/后端组"),
			desired("Renamed", "新名字", "研发中心/后端组"),
			desired("mover", "搬家", "市场部"),
			desired("noDept", "无部门"),
		},
		Current: []CurrentUser{
			current("a1", "same", "不变", "d2"),
			current("a2", "renamed", "旧名字", "d2"), // matched case-insensitively
			current("a3", "mover", "搬家", "d2", "other-org-dept"),
			current("a4", "noDept", "无部门", "d3"),
			current("a5", "gone", "离职", "d3"), // absent from the file: left alone in create-update
		},
	}
	p, err := Compute(in)
	require.NoError(t, err)
	assert.Equal(t, []DepartmentCreate{
		{Path: "研发中心/前端组", Parent: "研发中心", Name: "前端组"},
		{Path: "研发中心/前端组/小组A", Parent: "研发中心/前端组", Name: "小组A"},
	}, p.DepartmentCreates)
	require.Len(t, p.UserCreates, 1)
	assert.Equal(t, "new1", p.UserCreates[0].Profile.WeComUserID)
	assert.Equal(t, []string{"研发中心/前端组/小组A", "市场部"}, p.UserCreates[0].Departments)
	assert.Equal(t, []UserChange{
		{AuthingID: "a2", UserID: "Renamed", Fields: map[string]any{"username": "Renamed", "name": "新名字",
			"customData": map[string]any{mapping.KeyUserID: "Renamed"}}},
		{AuthingID: "a3", UserID: "mover", Departments: []string{"市场部"}, KeepDepartmentIDs: []string{"other-org-dept"}},
	}, p.UserChanges)
	assert.Equal(t, Counts{DepartmentsCreate: 2, UsersCreate: 1, UsersUpdate: 1, UsersMembership: 1, UsersUnchanged: 2}, p.Counts)
	assert.Equal(t, 5, p.Counts.Writes())
}

func TestCreateUpdateRerunIsEmpty(t *testing.T) {
	in := Input{
		Tree:    testTree(),
		Options: Options{Mode: ModeCreateUpdate},
		Desired: []DesiredUser{desired("u1", "一", "研发中心/后端组", "市场部")},
		Current: []CurrentUser{current("a1", "u1", "一", "d3", "d2")}, // membership order differs: same set
	}
	p, err := Compute(in)
	require.NoError(t, err)
	assert.Zero(t, p.Counts.Writes())
	assert.Equal(t, 1, p.Counts.UsersUnchanged)
}

func TestDeleteOnlyScope(t *testing.T) {
	// The file covers 研发中心 only (an export of one department).
	base := Input{
		Tree:    testTree(),
		Options: Options{Mode: ModeDeleteOnly},
		Desired: []DesiredUser{desired("keep", "留", "研发中心")},
		Present: []string{"Rejected"},
		Current: []CurrentUser{
			current("a1", "keep", "留", "d1"),
			current("a2", "left-rd", "走", "d2"),                                                       // below a covered department: deleted
			current("a3", "market", "市场", "d3"),                                                       // outside the file's departments: untouched
			current("a4", "both", "两边", "d2", "d3"),                                                   // partly outside: untouched
			current("a5", "rejected", "被拒", "d2"),                                                     // on a rejected row of the file: untouched
			current("a6", "nodept", "无部门"),                                                            // root not covered: untouched
			current("a7", "foreign", "外部", "other-org-dept"),                                          // only in another organization: untouched
			{AuthingID: "a8", Profile: mapping.Profile{Name: "不归同步管"}, DepartmentIDs: []string{"d2"}}, // not owned
			current("a9", "Also-Left", "也走", "d1"),
		},
	}
	p, err := Compute(base)
	require.NoError(t, err)
	assert.Equal(t, []UserDelete{
		{AuthingID: "a9", UserID: "Also-Left", Action: DeleteActionDelete},
		{AuthingID: "a2", UserID: "left-rd", Action: DeleteActionDelete},
	}, p.UserDeletes)
	assert.Equal(t, 2, p.Counts.UsersDelete)
	assert.Empty(t, p.DepartmentCreates)
	assert.Empty(t, p.UserCreates)

	// A file with a member directly under the company covers everything.
	base.Desired = append(base.Desired, desired("ceo", "老板"))
	base.Desired[1].Departments = []string{RootPath}
	p, err = Compute(base)
	require.NoError(t, err)
	assert.Equal(t, 5, p.Counts.UsersDelete) // also-left, both, left-rd, market, nodept
}

func TestDeleteOnlySuspend(t *testing.T) {
	suspended := current("a2", "s2", "已停用", "d1")
	suspended.Profile.Status = mapping.StatusSuspended
	p, err := Compute(Input{
		Tree:    testTree(),
		Options: Options{Mode: ModeDeleteOnly, DeleteAction: DeleteActionSuspend},
		Desired: []DesiredUser{desired("keep", "留", "研发中心")},
		Current: []CurrentUser{current("a1", "s1", "走", "d1"), suspended},
	})
	require.NoError(t, err)
	assert.Equal(t, []UserDelete{{AuthingID: "a1", UserID: "s1", Action: DeleteActionSuspend}}, p.UserDeletes)
	assert.Equal(t, Counts{UsersSuspend: 1, UsersUnchanged: 1}, p.Counts)
}

func TestComputeRejectsBadOptions(t *testing.T) {
	_, err := Compute(Input{Tree: testTree(), Options: Options{Mode: "sideways"}})
	assert.ErrorContains(t, err, `unknown mode "sideways"`)
	_, err = Compute(Input{Tree: testTree(), Options: Options{Mode: ModeDeleteOnly, DeleteAction: "shred"}})
	assert.ErrorContains(t, err, `unknown delete action "shred"`)
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name                      string
		limits                    Limits
		counts                    Counts
		owned, members, last, why int
	}{
		{"under every limit", Limits{}, Counts{UsersDelete: 5}, 100, 95, 100, 0},
		{"absolute", Limits{MaxDeletePercent: -1}, Counts{UsersDelete: 51}, 100000, 99949, 0, 1},
		{"percentage", Limits{}, Counts{UsersSuspend: 11}, 100, 89, 0, 1},
		{"both", Limits{}, Counts{UsersDelete: 60}, 100, 40, 0, 2},
		{"file shrank", Limits{}, Counts{}, 100, 40, 100, 1},
		{"disabled checks", Limits{MaxDeletes: -1, MaxDeletePercent: -1, MinFileRatio: -1}, Counts{UsersDelete: 90}, 100, 10, 100, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Len(t, tt.limits.Check(tt.counts, tt.owned, tt.members, tt.last), tt.why)
		})
	}
}

// A member's secondary department outside the export must not bring that department's users into
// the delete scope (an export of 研发中心 where one engineer also belongs to 市场部).
func TestDeleteOnlyScopeIgnoresSecondaryDepartments(t *testing.T) {
	p, err := Compute(Input{
		Tree:    testTree(),
		Options: Options{Mode: ModeDeleteOnly},
		Desired: []DesiredUser{desired("eng", "工程师", "研发中心/后端组", "市场部")},
		Current: []CurrentUser{
			current("a1", "eng", "工程师", "d2", "d3"),
			current("a2", "marketer", "市场", "d3"),
			current("a3", "gone-eng", "离职", "d2"),
		},
	})
	require.NoError(t, err)
	assert.Equal(t, []UserDelete{{AuthingID: "a3", UserID: "gone-eng", Action: DeleteActionDelete}}, p.UserDeletes)
}

func TestCreateUpdateDetectsMainDepartmentChange(t *testing.T) {
	cur := current("a1", "u1", "一", "d2", "d3")
	cur.MainDepartmentID = "d2"
	p, err := Compute(Input{
		Tree:    testTree(),
		Options: Options{Mode: ModeCreateUpdate},
		Desired: []DesiredUser{desired("u1", "一", "市场部", "研发中心/后端组")}, // same set, new main department
		Current: []CurrentUser{cur},
	})
	require.NoError(t, err)
	require.Len(t, p.UserChanges, 1)
	assert.Equal(t, []string{"市场部", "研发中心/后端组"}, p.UserChanges[0].Departments)

	cur.MainDepartmentID = "d3" // already the main department: nothing to do
	p, err = Compute(Input{Tree: testTree(), Options: Options{Mode: ModeCreateUpdate},
		Desired: []DesiredUser{desired("u1", "一", "市场部", "研发中心/后端组")}, Current: []CurrentUser{cur}})
	require.NoError(t, err)
	assert.Empty(t, p.UserChanges)
}
