package plan

import (
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/directory"
)

// The Authing organization of these tests: root r ─ 研发中心(d1) ─ 后端组(d2); r ─ 市场部(d3).
func authingTree() []SourceDepartment {
	return []SourceDepartment{
		{ID: "d2", ParentID: "d1", Name: "后端组"},
		{ID: "d1", ParentID: "r", Name: "研发中心"},
		{ID: "d3", ParentID: "root", Name: "市场部"},
	}
}

func person(authingID, userID, name, mobile string, deps ...string) SourceUser {
	return SourceUser{AuthingID: authingID, NewUserID: userID,
		User: directory.User{Name: name, Mobile: mobile, Status: directory.StatusEnabled, Departments: deps}}
}

func downstreamInput(users ...SourceUser) DownstreamInput {
	return DownstreamInput{
		SourceRootID:      "r",
		SourceDepartments: authingTree(),
		SourceUsers:       users,
		TargetDepartments: []TargetDepartment{{ID: 1, Name: "星河科技"}},
		Options:           DownstreamOptions{UpdateMode: UpdateChanged, DeleteMode: DeleteNone, RootID: 1, RequireContact: true},
	}
}

// landed turns a plan's writes into the WeCom and Authing state they leave, for a rerun.
func landed(t *testing.T, in DownstreamInput, p *DownstreamPlan, readable []directory.Field) DownstreamInput {
	t.Helper()
	deps := map[int]TargetDepartment{}
	for _, d := range in.TargetDepartments {
		deps[d.ID] = d
	}
	for _, w := range p.DepartmentCreates {
		deps[w.ID] = TargetDepartment{ID: w.ID, ParentID: w.ParentID, Name: w.Name}
	}
	for _, w := range p.DepartmentUpdates {
		d := deps[w.ID]
		d.Name = w.Name
		if w.Move {
			d.ParentID = w.ParentID
		}
		deps[w.ID] = d
	}
	users := map[string]TargetUser{}
	for _, u := range in.TargetUsers {
		users[key(u.UserID)] = u
	}
	for _, w := range append(append([]UserWrite{}, p.UserCreates...), p.UserUpdates...) {
		u := users[key(w.UserID)]
		u.UserID = w.UserID
		for _, f := range w.Fields {
			u.User.Set(f, w.User.Get(f))
		}
		if w.Departments != nil {
			u.Departments, u.MainKnown = w.Departments, true
		}
		u.Readable = readable
		for _, f := range directory.Fields() {
			if !contains(readable, f) {
				u.User.Set(f, "")
			}
		}
		users[key(w.UserID)] = u
	}
	out := in
	out.TargetDepartments, out.TargetUsers = nil, nil
	for _, d := range deps {
		out.TargetDepartments = append(out.TargetDepartments, d)
	}
	for _, u := range users {
		out.TargetUsers = append(out.TargetUsers, u)
	}
	out.SourceDepartments = append([]SourceDepartment{}, in.SourceDepartments...)
	out.SourceUsers = append([]SourceUser{}, in.SourceUsers...)
	for _, wb := range p.WriteBacks {
		for i := range out.SourceDepartments {
			if d := &out.SourceDepartments[i]; d.ID == wb.AuthingID && wb.Object == ObjectDepartment {
				d.WeComID = ifSet(wb.Data["wechatwork_department_id"], d.WeComID)
				d.WeComParentID = ifSet(wb.Data["wechatwork_parent_department_id"], d.WeComParentID)
			}
		}
		for i := range out.SourceUsers {
			if u := &out.SourceUsers[i]; u.AuthingID == wb.AuthingID && wb.Object == ObjectUser {
				u.UserID = ifSet(wb.Data["wechatwork_user_id"], u.UserID)
				u.WeComDepartmentIDs = ifSet(wb.Data["wechatwork_department_ids"], u.WeComDepartmentIDs)
			}
		}
	}
	out.Snapshot = p.Next
	return out
}

func contains(fs []directory.Field, f directory.Field) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

func ifSet(v, old string) string {
	if v != "" {
		return v
	}
	return old
}

func TestDownstreamIntoAnEmptyCorp(t *testing.T) {
	in := downstreamInput(
		person("a1", "zhangsan", "张三", "+86 13800000001", "d2", "d3"),
		person("a2", "lisi", "李四", "", "r"),
		person("a3", "bad id!", "坏", "+86 13800000003", "d3"),
		person("a4", "outsider", "局外人", "+86 13800000004"), // in the pool, not in the organization
	)
	in.SourceUsers[1].User.Email = "li@x.example"
	in.SourceUsers = append(in.SourceUsers, person("a5", "nocontact", "无联系", "", "d3"))
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	assert.Equal(t, []DepartmentWrite{
		{AuthingID: "d3", Path: "市场部", ID: 2, ParentID: 1, Name: "市场部"},
		{AuthingID: "d1", Path: "研发中心", ID: 3, ParentID: 1, Name: "研发中心"},
		{AuthingID: "d2", Path: "研发中心/后端组", ID: 4, ParentID: 3, Name: "后端组"},
	}, p.DepartmentCreates, "parents first, ids chosen above every known one")
	require.Len(t, p.UserCreates, 2)
	assert.Equal(t, UserWrite{AuthingID: "a1", UserID: "zhangsan", Departments: []int{4, 2},
		Fields:      []directory.Field{directory.FieldName, directory.FieldMobile, directory.FieldStatus},
		AdoptFields: []directory.Field{directory.FieldName, directory.FieldMobile, directory.FieldStatus},
		User:        directory.User{UserID: "zhangsan", Name: "张三", Mobile: "+86 13800000001", Status: directory.StatusEnabled}}, p.UserCreates[0])
	assert.Equal(t, []int{1}, p.UserCreates[1].Departments, "the organization root is the WeCom root")
	assert.Equal(t, 2, p.Counts.UsersSkipped, "an invalid userid, no mobile or email")
	assert.Equal(t, 3, p.Counts.DepartmentsWriteBack)
	assert.Equal(t, 2, p.Counts.UsersWriteBack)

	rerun, err := ComputeDownstream(landed(t, in, p, directory.Fields()))
	require.NoError(t, err)
	assert.Zero(t, rerun.Counts.Writes(), "%+v", rerun.Counts)
	assert.Equal(t, 2, rerun.Counts.UsersUnchanged)
	assert.Equal(t, 2, rerun.Counts.UsersSkipped)
	assert.False(t, p.NextUnchanged)
	assert.True(t, rerun.NextUnchanged, "a rerun with nothing to do leaves the snapshot as it was")
}

// The next snapshot is the last one as it was only when nothing is written and WeCom shows what
// the last run left.
func TestDownstreamNextSnapshotUnchanged(t *testing.T) {
	in := downstreamInput(person("a1", "zhangsan", "张三", "+86 13800000001", "d3"), person("a2", "lisi", "李四", "+86 13800000002", "d3"))
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	next := landed(t, in, p, directory.Fields())
	rerun, err := ComputeDownstream(next)
	require.NoError(t, err)
	require.True(t, rerun.NextUnchanged)
	assert.Equal(t, next.Snapshot, rerun.Next)

	for name, change := range map[string]func(in *DownstreamInput){
		"a field changed in Authing": func(in *DownstreamInput) { in.SourceUsers[0].User.Name = "张三丰" },
		"a position set in WeCom":    func(in *DownstreamInput) { in.TargetUsers[0].User.Position = "CEO" },
		"a department renamed in WeCom": func(in *DownstreamInput) {
			for i := range in.TargetDepartments {
				in.TargetDepartments[i].Name += "二"
			}
			in.Options.UpdateMode = UpdateNone
		},
		"a member gone from WeCom": func(in *DownstreamInput) {
			in.Snapshot.Users["wangwu"] = SnapshotUser{User: directory.User{UserID: "wangwu", Name: "王五"}, Departments: []int{2}}
		},
		"the snapshot lost a user": func(in *DownstreamInput) { delete(in.Snapshot.Users, key(in.TargetUsers[0].UserID)) },
		"no snapshot":              func(in *DownstreamInput) { in.Snapshot = Snapshot{} },
	} {
		t.Run(name, func(t *testing.T) {
			changed := next
			changed.SourceUsers = append([]SourceUser{}, next.SourceUsers...)
			changed.TargetUsers = append([]TargetUser{}, next.TargetUsers...)
			changed.TargetDepartments = append([]TargetDepartment{}, next.TargetDepartments...)
			changed.Snapshot = Snapshot{Users: maps.Clone(next.Snapshot.Users), Departments: maps.Clone(next.Snapshot.Departments)}
			change(&changed)
			p, err := ComputeDownstream(changed)
			require.NoError(t, err)
			assert.False(t, p.NextUnchanged)
		})
	}
}

// In 代开发 mode WeCom hides mobile, email and gender: they are compared with what the last run
// wrote, never with WeCom's empty answer.
func TestDownstreamComparesHiddenFieldsWithTheSnapshot(t *testing.T) {
	in := downstreamInput(person("a1", "zhangsan", "张三", "+86 13800000001", "d3"))
	in.SourceUsers[0].User.Gender = "M"
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	visible := []directory.Field{directory.FieldName, directory.FieldAlias, directory.FieldPosition, directory.FieldStatus}
	next := landed(t, in, p, visible)

	rerun, err := ComputeDownstream(next)
	require.NoError(t, err)
	assert.Zero(t, rerun.Counts.Writes(), "hidden fields equal the snapshot: %+v", rerun.UserUpdates)
	assert.Equal(t, 2, rerun.Sources[SourceSnapshot], "mobile and gender")
	assert.Equal(t, 2, rerun.Sources[SourceWeCom], "name and status")

	next.SourceUsers[0].User.Mobile = "+852 59000024"
	changed, err := ComputeDownstream(next)
	require.NoError(t, err)
	require.Len(t, changed.UserUpdates, 1)
	assert.Equal(t, []directory.Field{directory.FieldMobile}, changed.UserUpdates[0].Fields)

	next.Snapshot = Snapshot{} // the snapshot is lost: what cannot be read is written once
	lost, err := ComputeDownstream(next)
	require.NoError(t, err)
	require.Len(t, lost.UserUpdates, 1)
	assert.Equal(t, []directory.Field{directory.FieldMobile, directory.FieldGender}, lost.UserUpdates[0].Fields)
	assert.Equal(t, 2, lost.Sources[SourceNone])
}

func TestDownstreamUpdateModesAndIgnoreList(t *testing.T) {
	in := downstreamInput(person("a1", "zhangsan", "张三", "+86 13800000001", "d3"))
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	next := landed(t, in, p, directory.Fields())
	next.SourceUsers[0].User.Name = "张三丰"
	next.SourceUsers[0].User.Mobile = "+86 13900000009"

	next.Options.Ignore = directory.FieldSet{directory.FieldMobile: true}
	changed, err := ComputeDownstream(next)
	require.NoError(t, err)
	require.Len(t, changed.UserUpdates, 1)
	assert.Equal(t, []directory.Field{directory.FieldName}, changed.UserUpdates[0].Fields, "mobile is on the ignore list")

	next.Options.UpdateMode = UpdateOverwrite
	over, err := ComputeDownstream(next)
	require.NoError(t, err)
	require.Len(t, over.UserUpdates, 1)
	assert.Equal(t, []directory.Field{directory.FieldName, directory.FieldStatus}, over.UserUpdates[0].Fields, "every mapped field but the ignored")
	assert.True(t, over.UserUpdates[0].Move, "overwrite sends the departments too")

	next.Options.UpdateMode = UpdateNone
	none, err := ComputeDownstream(next)
	require.NoError(t, err)
	assert.Empty(t, none.UserUpdates)
	assert.Zero(t, none.Counts.Writes())
}

func TestDownstreamRenamesAndMoves(t *testing.T) {
	in := downstreamInput(person("a1", "zhangsan", "张三", "+86 13800000001", "d2"))
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	next := landed(t, in, p, directory.Fields())
	next.SourceDepartments = []SourceDepartment{
		{ID: "d2", ParentID: "r", Name: "平台组", WeComID: "4", WeComParentID: "3"}, // renamed and moved to the top
		{ID: "d1", ParentID: "r", Name: "研发中心", WeComID: "3", WeComParentID: "1"},
		{ID: "d3", ParentID: "r", Name: "市场部", WeComID: "2", WeComParentID: "1"},
	}
	next.SourceUsers[0].User.Departments = []string{"d3", "d2"} // the user moves: a new main department
	moved, err := ComputeDownstream(next)
	require.NoError(t, err)
	assert.Equal(t, []DepartmentWrite{{AuthingID: "d2", Path: "平台组", ID: 4, ParentID: 1, Name: "平台组", Rename: true, Move: true}}, moved.DepartmentUpdates)
	require.Len(t, moved.UserUpdates, 1)
	assert.Equal(t, []int{2, 4}, moved.UserUpdates[0].Departments)
	assert.Equal(t, 1, moved.Counts.UsersMembership)
	assert.Equal(t, 1, moved.Counts.DepartmentsWriteBack, "the new parent id is written back")
	// Every key of the object's WeCom ids, changed or not: Authing may replace customData whole.
	byKey := map[string]map[string]string{}
	for _, wb := range moved.WriteBacks {
		byKey[wb.Key] = wb.Data
	}
	assert.Equal(t, map[string]string{"wechatwork_department_id": "4", "wechatwork_parent_department_id": "1"}, byKey["平台组"])
	assert.Equal(t, map[string]string{"wechatwork_user_id": "zhangsan", "wechatwork_department_ids": "2,4"}, byKey["zhangsan"])
}

// A name that fits several WeCom members is ambiguous: reported, and neither created nor changed.
func TestDownstreamMatchesByNameOnlyWhenUnique(t *testing.T) {
	in := downstreamInput(
		person("a1", "zs-authing", "张三", "+86 13800000001", "d3"),
		person("a2", "ls-authing", "李四", "+86 13800000002", "d3"),
	)
	all := directory.Fields()
	in.TargetUsers = []TargetUser{
		{UserID: "zhangsan1", Departments: []int{1}, User: directory.User{Name: "张三"}, Readable: all},
		{UserID: "zhangsan2", Departments: []int{1}, User: directory.User{Name: "张三"}, Readable: all},
		{UserID: "lisi", Departments: []int{1}, User: directory.User{Name: "李四"}, Readable: all},
	}
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	require.Len(t, p.Ambiguous, 1)
	assert.Equal(t, "zs-authing", p.Ambiguous[0].UserID)
	assert.Empty(t, p.UserCreates)
	require.Len(t, p.UserUpdates, 1)
	assert.Equal(t, "lisi", p.UserUpdates[0].UserID, "matched by its unique name")
	assert.Equal(t, "lisi", p.WriteBacks[len(p.WriteBacks)-1].Data["wechatwork_user_id"])
	assert.Equal(t, 1, p.Counts.UsersAmbiguous)

	in.Options.DeleteMode = DeleteDelete
	p, err = ComputeDownstream(in)
	require.NoError(t, err)
	assert.Empty(t, p.UserRemovals, "the members an ambiguous name fits are not removed either")
}

// Members Authing no longer has are disabled or deleted only below the root department; a member
// with a department elsewhere, or one an Authing user outside the organization is, stays. Empty
// departments Authing lacks are deleted children first.
func TestDownstreamRemovalsStayInsideTheScope(t *testing.T) {
	in := downstreamInput(person("a1", "keep", "留", "+86 13800000001", "d3"), person("a9", "elsewhere", "别处", "+86 1", ""))
	in.SourceUsers[1].User.Departments = nil
	in.Options.RootID = 10
	in.SourceDepartments = []SourceDepartment{{ID: "d3", ParentID: "r", Name: "市场部", WeComID: "11", WeComParentID: "10"}}
	in.TargetDepartments = []TargetDepartment{
		{ID: 1, Name: "公司"}, {ID: 10, ParentID: 1, Name: "同步区"}, {ID: 11, ParentID: 10, Name: "市场部"},
		{ID: 12, ParentID: 10, Name: "旧部门"}, {ID: 13, ParentID: 12, Name: "旧小组"}, {ID: 14, ParentID: 10, Name: "有人的旧部门"},
		{ID: 20, ParentID: 1, Name: "外面"},
	}
	all := directory.Fields()
	in.TargetUsers = []TargetUser{
		{UserID: "keep", Departments: []int{11}, Readable: all, User: directory.User{Name: "留", Mobile: "+86 13800000001", Status: directory.StatusEnabled}},
		{UserID: "gone", Departments: []int{13}, Readable: all},
		{UserID: "straddle", Departments: []int{14, 20}, Readable: all}, // also outside the root: stays
		{UserID: "outside", Departments: []int{20}, Readable: all},
		{UserID: "elsewhere", Departments: []int{11}, Readable: all},
	}
	in.Options.DeleteMode = DeleteDelete
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	assert.Equal(t, []UserRemoval{{UserID: "gone", Action: DeleteDelete}}, p.UserRemovals)
	assert.Equal(t, []DepartmentWrite{{Path: "旧部门/旧小组", ID: 13}, {Path: "旧部门", ID: 12}}, p.DepartmentDeletes,
		"children first; 有人的旧部门 keeps a member")
	assert.Equal(t, 3, p.UsersInScope, "keep, gone, elsewhere")
	assert.Equal(t, 4, p.DepartmentsInScope)

	in.Options.DeleteMode = DeleteDisable
	p, err = ComputeDownstream(in)
	require.NoError(t, err)
	assert.Equal(t, []UserRemoval{{UserID: "gone", Action: DeleteDisable}}, p.UserRemovals)
	assert.Empty(t, p.DepartmentDeletes, "disabled members keep their departments")
	assert.Equal(t, 1, p.Counts.UsersDisable)

	in.TargetUsers[1].User.Status = directory.StatusDisabled
	p, err = ComputeDownstream(in)
	require.NoError(t, err)
	assert.Empty(t, p.UserRemovals, "disabled already")
}

func TestDownstreamRejectsBadOptions(t *testing.T) {
	in := downstreamInput()
	in.Options.UpdateMode = "sometimes"
	_, err := ComputeDownstream(in)
	var ie *InputError
	assert.ErrorAs(t, err, &ie)
	in = downstreamInput()
	in.Options.RootID = 99
	_, err = ComputeDownstream(in)
	assert.ErrorContains(t, err, "wecomRootDepartmentId 99")
}

// Departments are matched by wechatwork_department_id before any by name: a department renamed
// in Authing keeps its WeCom department, and a new one given its old name gets a new one.
func TestDownstreamMatchesDepartmentIDsBeforeNames(t *testing.T) {
	in := downstreamInput()
	in.SourceDepartments = []SourceDepartment{
		{ID: "x", ParentID: "r", Name: "研究院", WeComID: "5", WeComParentID: "1"}, // was 研发部; sorts after it
		{ID: "y", ParentID: "r", Name: "研发部"},                                   // new, the old name
	}
	in.TargetDepartments = []TargetDepartment{{ID: 1, Name: "星河科技"}, {ID: 5, ParentID: 1, Name: "研发部"}}
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	require.Len(t, p.DepartmentUpdates, 1)
	assert.Equal(t, DepartmentWrite{AuthingID: "x", Path: "研究院", ID: 5, Name: "研究院", Rename: true}, p.DepartmentUpdates[0])
	require.Len(t, p.DepartmentCreates, 1)
	assert.Equal(t, "y", p.DepartmentCreates[0].AuthingID)
	assert.NotEqual(t, 5, p.DepartmentCreates[0].ID)
}

// An ambiguous department name is reported and its candidates are left alone with their subtrees,
// also with deleteMode delete; so is the WeCom department of an Authing department the run could
// not place.
func TestDownstreamKeepsAmbiguousDepartments(t *testing.T) {
	in := downstreamInput()
	in.SourceDepartments = []SourceDepartment{
		{ID: "a", ParentID: "r", Name: "研发部"},
		{ID: "b", ParentID: "a", Name: "后端组", WeComID: "8", WeComParentID: "5"}, // under the ambiguous one
	}
	in.TargetDepartments = []TargetDepartment{{ID: 1, Name: "星河科技"},
		{ID: 5, ParentID: 1, Name: "研发部"}, {ID: 6, ParentID: 1, Name: "研发部"}, {ID: 7, ParentID: 6, Name: "小组"},
		{ID: 8, ParentID: 5, Name: "后端组"}, {ID: 9, ParentID: 1, Name: "旧部门"}}
	in.Options.DeleteMode = DeleteDelete
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	require.Len(t, p.Ambiguous, 1)
	assert.Equal(t, 1, p.Counts.DepartmentsAmbiguous)
	assert.Equal(t, []DepartmentWrite{{Path: "旧部门", ID: 9}}, p.DepartmentDeletes, "only the department nothing in Authing stands for")
	assert.Empty(t, p.DepartmentCreates)
}

// From an IP WeCom hides department names to (48009), a department is matched by the name the
// last run wrote.
func TestDownstreamMatchesDepartmentsBySnapshotNames(t *testing.T) {
	in := downstreamInput()
	in.SourceDepartments = []SourceDepartment{{ID: "x", ParentID: "r", Name: "市场部"}}
	in.TargetDepartments = []TargetDepartment{{ID: 1}, {ID: 5, ParentID: 1}}
	in.Snapshot = Snapshot{Departments: map[int]string{5: "市场部"}}
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	assert.Empty(t, p.DepartmentCreates)
	assert.Empty(t, p.DepartmentUpdates)
	require.Len(t, p.WriteBacks, 1)
	assert.Equal(t, "5", p.WriteBacks[0].Data["wechatwork_department_id"])
}

// updateMode none moves nothing, so the write-back records WeCom's parent, not Authing's.
func TestDownstreamNoneWritesBackWhatWeComHas(t *testing.T) {
	in := downstreamInput()
	in.SourceDepartments = []SourceDepartment{
		{ID: "x", ParentID: "r", Name: "市场部"}, {ID: "y", ParentID: "r", Name: "研发部"},
		{ID: "z", ParentID: "y", Name: "后端组", WeComID: "7", WeComParentID: "5"}, // moved in Authing from 市场部 to 研发部
	}
	in.TargetDepartments = []TargetDepartment{{ID: 1}, {ID: 5, ParentID: 1, Name: "市场部"}, {ID: 6, ParentID: 1, Name: "研发部"}, {ID: 7, ParentID: 5, Name: "后端组"}}
	in.Options.UpdateMode = UpdateNone
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	assert.Empty(t, p.DepartmentUpdates)
	for _, w := range p.WriteBacks {
		assert.NotEqual(t, "z", w.AuthingID, "nothing changed for 后端组: %+v", w)
	}
}

// WeCom ignores a mobile written to an activated member: a changed-mode run does not write it
// (a rerun would write it again forever) and says so; other fields are still written.
func TestDownstreamLeavesAnActivatedMembersMobile(t *testing.T) {
	in := downstreamInput(person("a1", "zhangsan", "张三丰", "+86 13900000009", "d3"))
	in.SourceDepartments = []SourceDepartment{{ID: "d3", ParentID: "r", Name: "市场部", WeComID: "2", WeComParentID: "1"}}
	in.SourceUsers[0].UserID, in.SourceUsers[0].WeComDepartmentIDs = "zhangsan", "2"
	in.TargetDepartments = []TargetDepartment{{ID: 1, Name: "星河科技"}, {ID: 2, ParentID: 1, Name: "市场部"}}
	member := TargetUser{UserID: "zhangsan", Departments: []int{2}, MainKnown: true, Readable: directory.Fields(), Activated: true,
		User: directory.User{UserID: "zhangsan", Name: "张三", Mobile: "+86 13800000001", Status: directory.StatusEnabled}}
	in.TargetUsers = []TargetUser{member}
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	require.Len(t, p.UserUpdates, 1)
	assert.Equal(t, []directory.Field{directory.FieldName}, p.UserUpdates[0].Fields)
	require.Len(t, p.Notes, 1)
	assert.Contains(t, p.Notes[0], "1 activated members")

	in.TargetUsers[0].User.Name = "张三丰" // the name landed; the mobile stays WeCom's
	p, err = ComputeDownstream(in)
	require.NoError(t, err)
	assert.Zero(t, p.Counts.Writes(), "%+v", p.Counts)

	in.TargetUsers[0].Activated = false // not activated yet: the mobile is written
	p, err = ComputeDownstream(in)
	require.NoError(t, err)
	require.Len(t, p.UserUpdates, 1)
	assert.Equal(t, []directory.Field{directory.FieldMobile}, p.UserUpdates[0].Fields)
}

// A create carries the fields to write if its userid exists already (60102: adopting a member is
// an update): never the ignored ones.
func TestDownstreamAdoptionSkipsIgnoredFields(t *testing.T) {
	in := downstreamInput(person("a1", "zhangsan", "张三", "+86 13800000001", "d3"))
	in.Options.Ignore = directory.FieldSet{directory.FieldMobile: true}
	p, err := ComputeDownstream(in)
	require.NoError(t, err)
	require.Len(t, p.UserCreates, 1)
	assert.Contains(t, p.UserCreates[0].Fields, directory.FieldMobile, "a new member gets its mobile")
	assert.Equal(t, []directory.Field{directory.FieldName, directory.FieldStatus}, p.UserCreates[0].AdoptFields)
}
