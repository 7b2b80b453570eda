package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/mapping"
)

// tree: root(r) ─ 研发中心(d1) ─ 后端组(d2), 研发中心 ─ 前端组(d4); root ─ 市场部(d3).
// Another organization's department d9 is not in it; u1 has no unique path (a sibling of d1 with
// its name).
func testTree() *directory.Tree {
	return directory.NewTree("r", []directory.Department{
		{ID: "d2", ParentID: "d1", Name: "后端组"},
		{ID: "d1", ParentID: "root", Name: "研发中心"},
		{ID: "d3", ParentID: "r", Name: "市场部"},
		{ID: "d4", ParentID: "d1", Name: "前端组"},
		{ID: "u1", ParentID: "r", Name: "研发中心"},
	})
}

func desired(id, name string, deps ...string) DesiredUser {
	return DesiredUser{User: directory.User{UserID: id, Name: name, Departments: deps}}
}

func current(authingID, id, name string, depIDs ...string) CurrentUser {
	return CurrentUser{AuthingID: authingID, Username: id, User: directory.User{UserID: id, Name: name}, DepartmentIDs: depIDs}
}

func deletes(p *Plan) []string {
	var out []string
	for _, d := range p.UserDeletes {
		out = append(out, d.UserID)
	}
	return out
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
	assert.Equal(t, []DepartmentCreate{{Path: "研发中心/前端组/小组A", Parent: "研发中心/前端组", Name: "小组A"}}, p.DepartmentCreates)
	require.Len(t, p.UserCreates, 1)
	assert.Equal(t, "new1", p.UserCreates[0].User.UserID)
	assert.Equal(t, []string{"研发中心/前端组/小组A", "市场部"}, p.UserCreates[0].User.Departments)
	assert.Equal(t, []UserChange{
		{AuthingID: "a2", UserID: "Renamed", Fields: map[string]any{"name": "新名字"}},
		{AuthingID: "a3", UserID: "mover", Departments: []string{"市场部"}, KeepDepartmentIDs: []string{"other-org-dept"}},
	}, p.UserChanges)
	assert.Equal(t, Counts{DepartmentsCreate: 1, UsersCreate: 1, UsersUpdate: 1, UsersMembership: 1, UsersUnchanged: 2}, p.Counts)
	assert.Equal(t, 4, p.Counts.Writes())
	assert.Nil(t, p.Scope, "create-update deletes nothing and has no scope")
}

func TestCreateUpdateRerunIsEmpty(t *testing.T) {
	cur := current("a1", "u1", "一", "d3", "d2")
	cur.User.Mobile, cur.User.Gender, cur.User.Status = "+86 13800000000", "M", directory.StatusEnabled
	want := desired("u1", "一", "研发中心/后端组", "市场部")
	want.User.Mobile, want.User.Gender, want.User.Status = "+86 13800000000", "M", directory.StatusEnabled
	p, err := Compute(Input{Tree: testTree(), Options: Options{Mode: ModeCreateUpdate}, Desired: []DesiredUser{want}, Current: []CurrentUser{cur}})
	require.NoError(t, err)
	assert.Zero(t, p.Counts.Writes(), "membership order differs without a known main department: same set")
	assert.Equal(t, 1, p.Counts.UsersUnchanged)
}

// Empty never resets: a member whose export row leaves 性别, 手机 or 禁用状态 empty (or has no such
// column) changes nothing of those fields, whatever Authing holds; a suspended user stays suspended.
func TestCreateUpdateEmptyNeverResets(t *testing.T) {
	cur := current("a1", "u1", "一", "d2")
	cur.User.Gender, cur.User.Status, cur.User.Mobile = "F", directory.StatusDisabled, "+86 13900000000"
	want := desired("u1", "一", "研发中心/后端组") // no gender, no status, no mobile
	p, err := Compute(Input{Tree: testTree(), Options: Options{Mode: ModeCreateUpdate}, Desired: []DesiredUser{want}, Current: []CurrentUser{cur}})
	require.NoError(t, err)
	assert.Zero(t, p.Counts.Writes())

	// Said explicitly, it is written.
	want.User.Status = directory.StatusEnabled
	p, err = Compute(Input{Tree: testTree(), Options: Options{Mode: ModeCreateUpdate}, Desired: []DesiredUser{want}, Current: []CurrentUser{cur}})
	require.NoError(t, err)
	require.Len(t, p.UserChanges, 1)
	assert.Equal(t, map[string]any{"status": mapping.StatusActivated}, p.UserChanges[0].Fields)
}

func TestCreateUpdateWritesCountryCodeChanges(t *testing.T) {
	cur := current("a1", "u1", "一", "d2")
	cur.User.Mobile = "+86 13800138000"
	for _, tt := range []struct{ mobile, phone, code string }{
		{"+852 59000024", "59000024", "+852"},
		{"+852 13800138000", "13800138000", "+852"}, // the code alone changes
	} {
		want := desired("u1", "一", "研发中心/后端组")
		want.User.Mobile = tt.mobile
		p, err := Compute(Input{Tree: testTree(), Options: Options{Mode: ModeCreateUpdate}, Desired: []DesiredUser{want}, Current: []CurrentUser{cur}})
		require.NoError(t, err)
		require.Len(t, p.UserChanges, 1, tt.mobile)
		assert.Equal(t, map[string]any{"phone": tt.phone, "phoneCountryCode": tt.code}, p.UserChanges[0].Fields)
	}
}

func TestCreateUpdateIgnoreFields(t *testing.T) {
	cur := current("a1", "u1", "旧", "d2")
	cur.User.Mobile = "+86 13800138000"
	want := desired("u1", "新", "研发中心/后端组")
	want.User.Mobile = "+86 13900139000"
	p, err := Compute(Input{Tree: testTree(), Options: Options{Mode: ModeCreateUpdate, IgnoreFields: []string{"phone", "username"}},
		Desired: []DesiredUser{want}, Current: []CurrentUser{cur}})
	require.NoError(t, err)
	require.Len(t, p.UserChanges, 1)
	assert.Equal(t, map[string]any{"name": "新"}, p.UserChanges[0].Fields)

	_, err = Compute(Input{Tree: testTree(), Options: Options{Mode: ModeCreateUpdate, IgnoreFields: []string{"salary"}}})
	assert.ErrorContains(t, err, `"salary" is not a synced field`)
}

func TestCreateUpdateDetectsMainDepartmentChange(t *testing.T) {
	cur := current("a1", "u1", "一", "d2", "d3")
	cur.MainDepartmentID = "d2"
	in := Input{Tree: testTree(), Options: Options{Mode: ModeCreateUpdate},
		Desired: []DesiredUser{desired("u1", "一", "市场部", "研发中心/后端组")}, // same set, new main department
		Current: []CurrentUser{cur}}
	p, err := Compute(in)
	require.NoError(t, err)
	require.Len(t, p.UserChanges, 1)
	assert.Equal(t, []string{"市场部", "研发中心/后端组"}, p.UserChanges[0].Departments)

	in.Current[0].MainDepartmentID = "d3" // already the main department: nothing to do
	p, err = Compute(in)
	require.NoError(t, err)
	assert.Empty(t, p.UserChanges)
}

// A first sync into a pool that already has people adopts a unique match by username, then phone,
// then email; several matches, a match linked to another userid or an account two members fit are
// ambiguous and left untouched.
func TestCreateUpdateAdoptsExistingAccounts(t *testing.T) {
	unowned := func(authingID, username, mobile, email string, depIDs ...string) CurrentUser {
		return CurrentUser{AuthingID: authingID, Username: username, DepartmentIDs: depIDs,
			User: directory.User{Name: "手工", Mobile: mobile, Email: email}}
	}
	withContact := func(d DesiredUser, mobile, email string) DesiredUser {
		d.User.Mobile, d.User.Email = mobile, email
		return d
	}
	in := Input{
		Tree:    testTree(),
		Options: Options{Mode: ModeCreateUpdate},
		Desired: []DesiredUser{
			withContact(desired("ByName", "按账号", "市场部"), "", ""),
			withContact(desired("byphone", "按手机", "市场部"), "+86 13800000001", ""),
			withContact(desired("bymail", "按邮箱", "市场部"), "", "Mail@X.example"),
			withContact(desired("twice", "重名", "市场部"), "+86 13800000009", ""),
			withContact(desired("linked", "已关联", "市场部"), "+86 13800000007", ""),
			withContact(desired("claimA", "争", "市场部"), "+86 13800000005", ""),
			withContact(desired("claimB", "抢", "市场部"), "", "shared@x.example"),
			withContact(desired("fresh", "新人", "市场部"), "+86 13800000002", ""),
		},
		Current: []CurrentUser{
			unowned("m1", "byname", "", "", "d3"),
			unowned("m2", "someone", "+86 13800000001", ""),
			unowned("m3", "", "", "mail@x.example"),
			unowned("m4", "", "+86 13800000009", ""),
			unowned("m5", "", "+86 13800000009", ""),
			current("o1", "other", "别人", "d3"),
			unowned("m6", "", "+86 13800000005", "shared@x.example"),
		},
	}
	in.Current[5].User.Mobile = "+86 13800000007"
	p, err := Compute(in)
	require.NoError(t, err)
	adopted := map[string]string{}
	for _, ch := range p.UserChanges {
		require.True(t, ch.Adopt, ch.UserID)
		adopted[ch.UserID] = ch.AuthingID + " by " + ch.AdoptedBy
		assert.Equal(t, ch.UserID, ch.Fields["customData"].(map[string]any)[mapping.KeyUserID], "the account is linked to its userid")
	}
	assert.Equal(t, map[string]string{"ByName": "m1 by username", "byphone": "m2 by phone", "bymail": "m3 by email"}, adopted)
	ambiguous := map[string]bool{}
	for _, a := range p.Ambiguous {
		ambiguous[a.UserID] = true
	}
	assert.Equal(t, map[string]bool{"twice": true, "linked": true, "claimA": true, "claimB": true}, ambiguous)
	require.Len(t, p.UserCreates, 1)
	assert.Equal(t, "fresh", p.UserCreates[0].User.UserID)
	assert.Equal(t, 3, p.Counts.UsersAdopt)
	assert.Equal(t, 4, p.Counts.UsersAmbiguous)
	assert.Equal(t, 2, p.Counts.UsersMembership, "adopted accounts join the file's departments (m1 is in 市场部 already)")

	in.Options.MatchBy = []string{MatchNone}
	p, err = Compute(in)
	require.NoError(t, err)
	assert.Len(t, p.UserCreates, 8, "matchBy none: every member without an owned account is created")
	in.Options.MatchBy = []string{"shoe size"}
	_, err = Compute(in)
	assert.ErrorContains(t, err, `matchBy: "shoe size"`)
}

func TestInferScope(t *testing.T) {
	tests := []struct {
		name    string
		desired []DesiredUser
		want    Scope
	}{
		{"one department; members with main departments elsewhere prove nothing", []DesiredUser{
			desired("a", "", "研发中心/后端组"),
			desired("b", "", "市场部", "研发中心/后端组"),      // main department elsewhere
			desired("ceo", "", RootPath, "研发中心/后端组"), // directly under the company too
			desired("c", "", "研发中心/后端组/平台", "市场部"),   // below, and elsewhere
		}, Scope{Paths: []string{"研发中心/后端组"}, Source: ScopeInferred}},
		{"several departments: the union of their subtrees", []DesiredUser{
			desired("a", "", "研发中心/后端组"), desired("b", "", "研发中心/后端组/平台"), desired("c", "", "市场部"),
		}, Scope{Paths: []string{"市场部", "研发中心/后端组"}, Source: ScopeInferred}},
		{"someone only directly under the company: the whole organization", []DesiredUser{
			desired("ceo", "", RootPath), desired("a", "", "市场部"),
		}, Scope{Whole: true, Source: ScopeInferred}},
		{"nobody in a single department: nothing proven", []DesiredUser{
			desired("a", "", "市场部", "研发中心"), desired("b", ""),
		}, Scope{Source: ScopeInferred}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, InferScope(tt.desired))
		})
	}
}

// An export of 研发中心/后端组 lists its members, some of them with their main department elsewhere
// (市场部, or directly under the company): delete-only deletes only inside 后端组.
func TestDeleteOnlyDeletesOnlyInsideTheExportedDepartment(t *testing.T) {
	in := Input{
		Tree:    testTree(),
		Options: Options{Mode: ModeDeleteOnly},
		Desired: []DesiredUser{
			desired("eng", "工程师", "研发中心/后端组"),
			desired("pm", "产品", "市场部", "研发中心/后端组"),
			desired("ceo", "老板", RootPath, "研发中心/后端组"),
		},
		Present: []string{"zero\u200bwidth"}, // a rejected row whose 账号 holds a zero-width space
		Current: []CurrentUser{
			current("a1", "eng", "工程师", "d2"),
			current("a2", "pm", "产品", "d3", "d2"),
			current("a3", "ceo", "老板", "r", "d2"),
			current("a4", "left-be", "离职", "d2"),       // inside 后端组: deleted
			current("a5", "marketer", "市场", "d3"),      // outside: untouched
			current("a6", "fe", "前端", "d4"),            // a sibling department: untouched
			current("a7", "rd-head", "研发负责人", "d1"),    // the parent department: untouched
			current("a8", "nodept", "无部门"),             // no department, scope not whole: untouched
			current("a9", "Zerowidth", "被拒", "d2"),     // on the rejected row: present
			current("a10", "both", "两边", "d2", "d9"),   // also in another organization: kept
			current("a11", "twin", "重名部门", "d2", "u1"), // also in an unplaceable department: kept
			{AuthingID: "a12", Username: "manual", User: directory.User{Name: "手工"}, DepartmentIDs: []string{"d2"}}, // not owned
		},
	}
	p, err := Compute(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"left-be"}, deletes(p))
	assert.Equal(t, &Scope{Paths: []string{"研发中心/后端组"}, Source: ScopeInferred}, p.Scope)
	assert.Equal(t, []Kept{{AuthingID: "a10", UserID: "both", Reason: KeptElsewhere}, {AuthingID: "a11", UserID: "twin", Reason: KeptElsewhere}}, p.Kept)
	assert.Equal(t, 2, p.Counts.UsersKept)
	assert.Equal(t, 4, p.Counts.UsersOutOfScope)
	assert.Contains(t, p.Notes[1], "not an export of the whole organization")

	// The admin widens the scope to 研发中心 (written as the export writes it, company first).
	in.Options.Scope = []string{"星河科技/研发中心"}
	in.TopLevel = []string{"星河科技"}
	p, err = Compute(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"fe", "left-be", "rd-head"}, deletes(p))
	assert.Equal(t, ScopeInput, p.Scope.Source)

	// The whole organization: also people in no department; never the kept ones.
	in.Options.Scope = []string{"/"}
	p, err = Compute(in)
	require.NoError(t, err)
	assert.Equal(t, []string{"fe", "left-be", "marketer", "nodept", "rd-head"}, deletes(p))
	assert.Equal(t, 2, p.Counts.UsersKept)

	in.Options.Scope = []string{"研发中心/后段组"}
	_, err = Compute(in)
	var ie *InputError
	require.ErrorAs(t, err, &ie)
	assert.ErrorContains(t, err, "no such department")
}

func TestDeleteOnlySuspend(t *testing.T) {
	suspended := current("a2", "s2", "已停用", "d1")
	suspended.User.Status = directory.StatusDisabled
	p, err := Compute(Input{
		Tree:    testTree(),
		Options: Options{Mode: ModeDeleteOnly, DeleteAction: DeleteActionSuspend},
		Desired: []DesiredUser{desired("keep", "留", "研发中心")},
		Current: []CurrentUser{current("a1", "s1", "走", "d1"), suspended, current("a0", "keep", "留", "d1")},
	})
	require.NoError(t, err)
	assert.Equal(t, []UserDelete{{AuthingID: "a1", UserID: "s1", Action: DeleteActionSuspend}}, p.UserDeletes)
	assert.Equal(t, Counts{UsersSuspend: 1, UsersUnchanged: 1}, p.Counts)
	assert.Equal(t, 3, p.OwnedInScope)
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

func TestCountsTable(t *testing.T) {
	c := Counts{}
	c.Inc(ObjectUser, ActionAdopt, 2)
	c.Inc(ObjectDepartment, ActionCreate, 1)
	c.Inc(ObjectUser, ActionKept, 5)
	assert.Equal(t, 3, c.Writes(), "kept users are not writes")
	assert.Equal(t, 2, c.Get(ObjectUser, ActionAdopt))
	assert.Equal(t, Counts{UsersAdopt: 4, DepartmentsCreate: 2, UsersKept: 10}, c.Add(c))
}

func TestMemberCountsCompareInsideTheScope(t *testing.T) {
	full := CountMembers([]DesiredUser{
		desired("ceo", "", RootPath), desired("a", "", "研发中心/后端组"), desired("b", "", "研发中心/后端组"),
		desired("c", "", "市场部"), desired("d", "", "市场部", "研发中心/后端组"),
	})
	assert.True(t, full.Scope.Whole)
	state := full.MergeInto(nil)
	assert.Equal(t, map[string]int{RootPath: 1, "研发中心/后端组": 2, "市场部": 2}, state)

	// A later export of 后端组 alone: compared with 后端组's earlier count, not the company's.
	part := CountMembers([]DesiredUser{desired("a", "", "研发中心/后端组"), desired("d", "", "市场部", "研发中心/后端组")})
	assert.Equal(t, []string{"研发中心/后端组"}, part.Scope.Paths)
	assert.Equal(t, 2, InScope(state, part.Scope))
	assert.Equal(t, 1, InScope(part.ByMainDepartment, part.Scope), "d's main department is elsewhere")
	merged := part.MergeInto(state)
	assert.Equal(t, map[string]int{RootPath: 1, "研发中心/后端组": 1, "市场部": 2}, merged, "only 后端组's count is replaced")
}
