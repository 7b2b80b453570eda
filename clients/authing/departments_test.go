package authing

import (
	"context"
	"testing"

	"github.com/wecomsync/wecomsync/clients/apierr"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func ptr[T any](v T) *T { return &v }

func TestDepartmentsReadAndCreate(t *testing.T) {
	e := setup(t, companySeed(), nil)
	ctx := context.Background()

	all, err := e.c.Departments.GetAll(ctx, "xinghe", false)
	require.NoError(t, err)
	require.Len(t, all, 2, "the root is not included")
	assert.Equal(t, "研发中心", all[0].Name)
	assert.Equal(t, "root-id", all[0].ParentDepartmentID)
	assert.Equal(t, "d-rd", all[1].ParentDepartmentID)
	assert.True(t, all[0].HasChildren)

	// Top-level by "root", under the root's real id, and under a parent typed by open id.
	ops, err := e.c.Departments.Create(ctx, &CreateDepartmentRequest{OrganizationCode: "xinghe", Name: "运营部", ParentDepartmentID: RootDepartmentID,
		OpenDepartmentID: "4", Code: "wecom-4", CustomData: map[string]any{"wechatwork_department_id": "4", "wechatwork_parent_department_id": "1"}})
	require.NoError(t, err)
	assert.Equal(t, "root-id", ops.ParentDepartmentID)
	assert.Equal(t, "4", ops.CustomData["wechatwork_department_id"])
	hr, err := e.c.Departments.Create(ctx, &CreateDepartmentRequest{OrganizationCode: "xinghe", Name: "人事部", ParentDepartmentID: "root-id"})
	require.NoError(t, err)
	assert.Equal(t, "root-id", hr.ParentDepartmentID)
	fe, err := e.c.Departments.Create(ctx, &CreateDepartmentRequest{OrganizationCode: "xinghe", Name: "前端组", ParentDepartmentID: "2",
		DepartmentIDType: IDTypeOpenDepartmentID, OpenDepartmentID: "5"})
	require.NoError(t, err)
	assert.Equal(t, "d-rd", fe.ParentDepartmentID)

	top, err := e.c.Departments.ListChildren(ctx, "xinghe", RootDepartmentID, true)
	require.NoError(t, err)
	var names []string
	for _, d := range top {
		names = append(names, d.Name)
	}
	assert.Equal(t, []string{"研发中心", "运营部", "人事部"}, names)

	root, err := e.c.Departments.Get(ctx, "xinghe", RootDepartmentID, "", false)
	require.NoError(t, err)
	assert.Equal(t, "root-id", root.DepartmentID)
	assert.Equal(t, "星河科技", root.Name)
	byCode, err := e.c.Departments.Get(ctx, "xinghe", "wecom-4", IDTypeCode, true)
	require.NoError(t, err)
	assert.Equal(t, ops.DepartmentID, byCode.DepartmentID)

	tests := []struct {
		name   string
		req    CreateDepartmentRequest
		status int
	}{
		{"sibling name taken", CreateDepartmentRequest{OrganizationCode: "xinghe", Name: "研发中心", ParentDepartmentID: RootDepartmentID}, 409},
		{"open id taken", CreateDepartmentRequest{OrganizationCode: "xinghe", Name: "新部门", ParentDepartmentID: RootDepartmentID, OpenDepartmentID: "2"}, 409},
		{"code taken", CreateDepartmentRequest{OrganizationCode: "xinghe", Name: "新部门", ParentDepartmentID: RootDepartmentID, Code: "wecom-3"}, 409},
		{"name required", CreateDepartmentRequest{OrganizationCode: "xinghe", ParentDepartmentID: RootDepartmentID}, 400},
		{"unknown custom key", CreateDepartmentRequest{OrganizationCode: "xinghe", Name: "新部门", ParentDepartmentID: RootDepartmentID, CustomData: map[string]any{"wechatwork_user_id": "x"}}, 400},
		{"unknown parent", CreateDepartmentRequest{OrganizationCode: "xinghe", Name: "新部门", ParentDepartmentID: "nope"}, 404},
		{"unknown organization", CreateDepartmentRequest{OrganizationCode: "nope", Name: "新部门", ParentDepartmentID: RootDepartmentID}, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.Departments.Create(ctx, &tt.req)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.StatusCode, ae.Message)
		})
	}
	_, err = e.c.Departments.Get(ctx, "xinghe", "nope", "", false)
	assert.True(t, apierr.IsGone(err))
}

func TestDepartmentsUpdateAndDelete(t *testing.T) {
	e := setup(t, companySeed(), nil)
	ctx := context.Background()

	// Only the fields set are sent: renaming keeps the code.
	d, err := e.c.Departments.Update(ctx, &UpdateDepartmentRequest{OrganizationCode: "xinghe", DepartmentID: "3",
		DepartmentIDType: IDTypeOpenDepartmentID, Name: ptr("服务端组"), CustomData: map[string]any{"wechatwork_department_id": "3"}})
	require.NoError(t, err)
	assert.Equal(t, "服务端组", d.Name)
	assert.Equal(t, "wecom-3", d.Code)
	assert.Equal(t, "3", d.CustomData["wechatwork_department_id"])

	// Move 后端组 to the top level, then try to put 研发中心 below it and below itself.
	d, err = e.c.Departments.Update(ctx, &UpdateDepartmentRequest{OrganizationCode: "xinghe", DepartmentID: "d-be", ParentDepartmentID: ptr(RootDepartmentID)})
	require.NoError(t, err)
	assert.Equal(t, "root-id", d.ParentDepartmentID)
	_, err = e.c.Departments.Update(ctx, &UpdateDepartmentRequest{OrganizationCode: "xinghe", DepartmentID: "d-rd", ParentDepartmentID: ptr("d-rd")})
	assert.True(t, apierr.IsRecord(err), "cycle: %v", err)
	_, err = e.c.Departments.Update(ctx, &UpdateDepartmentRequest{OrganizationCode: "xinghe", DepartmentID: "d-be", ParentDepartmentID: ptr("d-rd")})
	require.NoError(t, err)
	_, err = e.c.Departments.Update(ctx, &UpdateDepartmentRequest{OrganizationCode: "xinghe", DepartmentID: "d-rd", ParentDepartmentID: ptr("d-be")})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, 400, ae.StatusCode)

	// Delete: the root, a parent and a department with members are refused.
	_, err = e.c.Users.Create(ctx, CreateUserInput{Username: "m", DepartmentIDs: []string{"d-be"}}, nil)
	require.NoError(t, err)
	for _, id := range []string{RootDepartmentID, "d-rd", "d-be"} {
		err := e.c.Departments.Delete(ctx, "xinghe", id)
		require.ErrorAs(t, err, &ae, id)
		assert.Equal(t, 400, ae.StatusCode, id)
	}
	require.NoError(t, e.c.Users.DeleteBatch(ctx, []string{"m"}, "username"))
	require.NoError(t, e.c.Departments.Delete(ctx, "xinghe", "d-be"))
	require.NoError(t, e.c.Departments.Delete(ctx, "xinghe", "d-rd"))
	all, err := e.c.Departments.GetAll(ctx, "xinghe", false)
	require.NoError(t, err)
	assert.Empty(t, all)
	err = e.c.Departments.Delete(ctx, "xinghe", "d-rd")
	assert.True(t, apierr.IsGone(err))
}

func TestListMembers(t *testing.T) {
	e := setup(t, seedUsers(120), nil)
	ctx := context.Background()
	page, err := e.c.Departments.ListMembers(ctx, &ListMembersRequest{OrganizationCode: "xinghe", DepartmentID: "d-be", Limit: 50, WithDepartmentIDs: true})
	require.NoError(t, err)
	assert.Equal(t, 40, page.TotalCount)
	assert.Len(t, page.List, 40)
	assert.Equal(t, []string{"d-be"}, page.List[0].DepartmentIDs)

	page, err = e.c.Departments.ListMembers(ctx, &ListMembersRequest{OrganizationCode: "xinghe", DepartmentID: "2",
		DepartmentIDType: IDTypeOpenDepartmentID, IncludeChildrenDepartments: true, Page: 3, Limit: 50})
	require.NoError(t, err)
	assert.Equal(t, 120, page.TotalCount)
	assert.Len(t, page.List, 20)
	assert.Equal(t, "user00100", page.List[0].Username)
}

func TestDepartmentMembers(t *testing.T) {
	e := setup(t, companySeed(), nil)
	ctx := context.Background()
	users, err := e.c.Users.CreateBatch(ctx, []CreateUserInput{{Username: "a", DepartmentIDs: []string{"d-be"}}, {Username: "b"}}, nil)
	require.NoError(t, err)
	a, b := users[0].UserID, users[1].UserID

	e.emu.ResetCalls()
	require.NoError(t, e.c.Departments.AddMembers(ctx, "xinghe", "d-rd", []string{a, b}))
	require.NoError(t, e.c.Departments.AddMembers(ctx, "xinghe", RootDepartmentID, []string{b}))
	require.NoError(t, e.c.Departments.AddMembers(ctx, "xinghe", "d-rd", []string{a}), "adding a member again is fine")
	assert.Equal(t, 3, e.emu.WriteCalls())

	deps, err := e.c.Users.Departments(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, []UserDepartmentInfo{
		{DepartmentID: "d-be", Name: "后端组", OrganizationCode: "xinghe", IsMainDepartment: true},
		{DepartmentID: "d-rd", Name: "研发中心", OrganizationCode: "xinghe"},
	}, deps)
	deps, err = e.c.Users.Departments(ctx, b)
	require.NoError(t, err)
	assert.Equal(t, []UserDepartmentInfo{
		{DepartmentID: "d-rd", Name: "研发中心", OrganizationCode: "xinghe", IsMainDepartment: true},
		{DepartmentID: "root-id", Name: "星河科技", OrganizationCode: "xinghe"},
	}, deps)
	rd, err := e.c.Departments.Get(ctx, "xinghe", "d-rd", "", false)
	require.NoError(t, err)
	assert.Equal(t, 2, rd.MembersCount)

	// Removing the main department makes the next membership main; removing a non-member is fine.
	require.NoError(t, e.c.Departments.RemoveMembers(ctx, "xinghe", "d-be", []string{a, b}))
	deps, err = e.c.Users.Departments(ctx, a)
	require.NoError(t, err)
	assert.Equal(t, []UserDepartmentInfo{{DepartmentID: "d-rd", Name: "研发中心", OrganizationCode: "xinghe", IsMainDepartment: true}}, deps)
	require.NoError(t, e.c.Departments.RemoveMembers(ctx, "xinghe", "d-rd", []string{a}))
	deps, err = e.c.Users.Departments(ctx, a)
	require.NoError(t, err)
	assert.Empty(t, deps)
	require.NoError(t, e.c.Departments.Delete(ctx, "xinghe", "d-be"), "后端组 has no members left")

	tests := []struct {
		name      string
		call      func(context.Context, string, string, []string) error
		org, dept string
		ids       []string
		msg       string
	}{
		{"unknown user", e.c.Departments.AddMembers, "xinghe", "d-rd", []string{b, "ghost"}, "用户不存在: ghost"},
		{"unknown user on remove", e.c.Departments.RemoveMembers, "xinghe", "d-rd", []string{"ghost"}, "用户不存在: ghost"},
		{"username is not a user id", e.c.Departments.AddMembers, "xinghe", "d-rd", []string{"a"}, "用户不存在: a"},
		{"unknown organization", e.c.Departments.AddMembers, "nope", RootDepartmentID, []string{a}, "organization not found for code: nope"},
		{"unknown department", e.c.Departments.RemoveMembers, "xinghe", "d-be", []string{a}, "部门不存在: d-be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(ctx, tt.org, tt.dept, tt.ids)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, 404, ae.StatusCode)
			assert.Contains(t, ae.Message, tt.msg)
			assert.True(t, apierr.IsGone(err))
		})
	}
	deps, err = e.c.Users.Departments(ctx, b)
	require.NoError(t, err)
	assert.Len(t, deps, 2, "a failed call writes nothing")
}
