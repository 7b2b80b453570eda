package authing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/clients/apierr"
	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
)

// companySeed is one organization (root open id "1") with 研发中心 (open id "2") → 后端组 (open id
// "3"), and the product's four custom fields.
func companySeed() authingemu.Fixture {
	return authingemu.Fixture{
		Organizations: []authingemu.Organization{{OrganizationCode: "xinghe", OrganizationName: "星河科技", OpenDepartmentID: "1", DepartmentID: "root-id"}},
		Departments: []authingemu.Department{
			{DepartmentID: "d-rd", OrganizationCode: "xinghe", Name: "研发中心", OpenDepartmentID: "2", Code: "wecom-2"},
			{DepartmentID: "d-be", OrganizationCode: "xinghe", ParentDepartmentID: "d-rd", Name: "后端组", OpenDepartmentID: "3", Code: "wecom-3"},
		},
		CustomFields: []authingemu.CustomField{
			{TargetType: "USER", Key: "wechatwork_user_id", DataType: "STRING", IsUnique: true},
			{TargetType: "USER", Key: "wechatwork_department_ids", DataType: "STRING"},
			{TargetType: "DEPARTMENT", Key: "wechatwork_department_id", DataType: "STRING"},
			{TargetType: "DEPARTMENT", Key: "wechatwork_parent_department_id", DataType: "STRING"},
		},
	}
}

func zhangsan() CreateUserInput {
	return CreateUserInput{
		Username: "zhangsan", Name: "张三", Phone: "13800000000", Email: "zs@example.com", Gender: "M",
		ExternalID: "ZhangSan", DepartmentIDs: []string{"3", "2"},
		CustomData: map[string]any{"wechatwork_user_id": "ZhangSan"},
	}
}

func TestUsersCreateGetUpdate(t *testing.T) {
	e := setup(t, companySeed(), nil)
	ctx := context.Background()
	u, err := e.c.Users.Create(ctx, zhangsan(), &CreateUserOptions{DepartmentIDType: IDTypeOpenDepartmentID, ResetPasswordOnFirstLogin: true})
	require.NoError(t, err)
	require.NotEmpty(t, u.UserID)
	assert.Equal(t, []string{"d-be", "d-rd"}, u.DepartmentIDs)
	assert.Equal(t, "d-be", u.MainDepartmentID)
	assert.Equal(t, "Activated", u.Status)

	lookups := []struct{ id, idType string }{
		{u.UserID, ""}, {u.UserID, "user_id"}, {"ZhangSan", "external_id"}, {"zhangsan", "username"},
		{"13800000000", "phone"}, {"ZS@Example.com", "email"},
	}
	for _, l := range lookups {
		got, err := e.c.Users.Get(ctx, l.id, l.idType, true, true)
		require.NoError(t, err, "%s %s", l.idType, l.id)
		assert.Equal(t, u.UserID, got.UserID)
		assert.Equal(t, "ZhangSan", got.CustomData["wechatwork_user_id"])
		assert.Equal(t, []string{"d-be", "d-rd"}, got.DepartmentIDs)
	}
	bare, err := e.c.Users.Get(ctx, u.UserID, "", false, false)
	require.NoError(t, err)
	assert.Nil(t, bare.CustomData)
	assert.Nil(t, bare.DepartmentIDs)

	up, err := e.c.Users.Update(ctx, UpdateUserInput{UserID: u.UserID, Fields: map[string]any{
		"name": "张三丰", "customData": map[string]any{"wechatwork_department_ids": "3,2"},
	}})
	require.NoError(t, err)
	assert.Equal(t, "张三丰", up.Name)
	assert.Equal(t, "zs@example.com", up.Email, "fields not sent stay")
	assert.Equal(t, map[string]any{"wechatwork_user_id": "ZhangSan", "wechatwork_department_ids": "3,2"}, up.CustomData)

	_, err = e.c.Users.Get(ctx, "nobody", "external_id", false, false)
	assert.True(t, apierr.IsGone(err), "%v", err)
	assert.True(t, apierr.IsPerObject(err))
}

func TestUpdateUserInputMarshalsFlat(t *testing.T) {
	b, err := json.Marshal(UpdateUserInput{UserID: "u1", Fields: map[string]any{"name": "x", "userId": "ignored"}})
	require.NoError(t, err)
	assert.JSONEq(t, `{"userId":"u1","name":"x"}`, string(b))
	b, err = json.Marshal(ListUsersRequest{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"options":{"withCustomData":false,"withDepartmentIds":false}}`, string(b))
}

func TestUsersCreateValidation(t *testing.T) {
	tests := []struct {
		name   string
		in     CreateUserInput
		status int
		msg    string
	}{
		{"no username, phone or email", CreateUserInput{Name: "无名"}, 400, "Must contain one of the following fields: username, phone, email"},
		{"bad gender", CreateUserInput{Username: "a", Gender: "X"}, 400, "gender"},
		{"bad status", CreateUserInput{Username: "a", Status: "Gone"}, 400, "status"},
		{"bad phone", CreateUserInput{Username: "a", Phone: "+86 138"}, 400, "phone"},
		{"duplicate username", CreateUserInput{Username: "zhangsan"}, 409, "username"},
		{"duplicate email, other case", CreateUserInput{Email: "ZS@EXAMPLE.COM"}, 409, "email"},
		{"duplicate phone", CreateUserInput{Phone: "13800000000"}, 409, "phone"},
		{"duplicate externalId", CreateUserInput{Username: "b", ExternalID: "ZhangSan"}, 409, "externalId"},
		{"unknown custom key", CreateUserInput{Username: "c", CustomData: map[string]any{"job_title": "dev"}}, 400, "job_title"},
		{"custom key of departments", CreateUserInput{Username: "c", CustomData: map[string]any{"wechatwork_department_id": "2"}}, 400, "wechatwork_department_id"},
		{"unique custom value taken", CreateUserInput{Username: "d", CustomData: map[string]any{"wechatwork_user_id": "ZhangSan"}}, 409, "wechatwork_user_id"},
		{"unknown department", CreateUserInput{Username: "e", DepartmentIDs: []string{"99"}}, 404, "存在不合法的 departmentId: 99"},
	}
	e := setup(t, companySeed(), nil)
	ctx := context.Background()
	_, err := e.c.Users.Create(ctx, zhangsan(), &CreateUserOptions{DepartmentIDType: IDTypeOpenDepartmentID})
	require.NoError(t, err)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.Users.Create(ctx, tt.in, &CreateUserOptions{DepartmentIDType: IDTypeOpenDepartmentID})
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, tt.status, ae.StatusCode)
			assert.Equal(t, 200, ae.HTTPStatus)
			assert.Contains(t, ae.Message, tt.msg)
			assert.NotEmpty(t, ae.RequestID)
			assert.True(t, apierr.IsPerObject(err))
			assert.Equal(t, tt.status == 409, apierr.IsExists(err))
		})
	}
	assert.Len(t, e.emu.Snapshot().Users, 1)
}

func TestBatchCaps(t *testing.T) {
	e := setup(t, companySeed(), nil)
	ctx := context.Background()
	many := make([]CreateUserInput, 51)
	updates := make([]UpdateUserInput, 51)
	ids := make([]string, 51)
	deps := make([]UserDepartment, 51)
	calls := []struct {
		name string
		call func() error
	}{
		{"create 0", func() error { _, err := e.c.Users.CreateBatch(ctx, nil, nil); return err }},
		{"create 51", func() error { _, err := e.c.Users.CreateBatch(ctx, many, nil); return err }},
		{"update 0", func() error { _, err := e.c.Users.UpdateBatch(ctx, nil); return err }},
		{"update 51", func() error { _, err := e.c.Users.UpdateBatch(ctx, updates); return err }},
		{"delete 0", func() error { return e.c.Users.DeleteBatch(ctx, nil, "") }},
		{"delete 51", func() error { return e.c.Users.DeleteBatch(ctx, ids, "") }},
		{"departments 0", func() error { return e.c.Users.SetDepartments(ctx, "u", nil, "") }},
		{"departments 51", func() error { return e.c.Users.SetDepartments(ctx, "u", deps, "") }},
		{"custom fields 0", func() error { _, err := e.c.CustomFields.Set(ctx, nil); return err }},
		{"add members 0", func() error { return e.c.Departments.AddMembers(ctx, "xinghe", "d-rd", nil) }},
		{"add members 51", func() error { return e.c.Departments.AddMembers(ctx, "xinghe", "d-rd", ids) }},
		{"remove members 0", func() error { return e.c.Departments.RemoveMembers(ctx, "xinghe", "d-rd", []string{}) }},
		{"remove members 51", func() error { return e.c.Departments.RemoveMembers(ctx, "xinghe", "d-rd", ids) }},
	}
	for _, tt := range calls {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			assert.ErrorIs(t, err, ErrBatchSize)
		})
	}
	assert.Empty(t, e.emu.Calls(), "no request for a batch of the wrong size")
}

func TestCreateBatch(t *testing.T) {
	e := setup(t, companySeed(), nil)
	ctx := context.Background()
	list := make([]CreateUserInput, 50)
	for i := range list {
		list[i] = CreateUserInput{Username: fmt.Sprintf("u%02d", i), Name: fmt.Sprintf("用户%d", i), DepartmentIDs: []string{"wecom-3"},
			CustomData: map[string]any{"wechatwork_user_id": fmt.Sprintf("U%02d", i)}}
	}
	users, err := e.c.Users.CreateBatch(ctx, list, &CreateUserOptions{DepartmentIDType: IDTypeCode})
	require.NoError(t, err)
	require.Len(t, users, 50)
	assert.Equal(t, "u07", users[7].Username)
	assert.Equal(t, []string{"d-be"}, users[7].DepartmentIDs)
	assert.Equal(t, 1, e.emu.WriteCalls())
}

func TestCreateBatchAllOrNothing(t *testing.T) {
	tests := []struct {
		name  string
		items []CreateUserInput
		msg   string
	}{
		{"duplicate inside the batch", []CreateUserInput{{Username: "a"}, {Username: "b"}, {Username: "a"}}, "list[2]"},
		{"clash with the pool", []CreateUserInput{{Username: "a"}, {Username: "zhangsan"}}, "list[1]"},
		{"unknown custom key", []CreateUserInput{{Username: "a"}, {Username: "b", CustomData: map[string]any{"nope": "x"}}}, "list[1]: 自定义字段 nope"},
		{"invalid item", []CreateUserInput{{Name: "no key"}, {Username: "b"}}, "list[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, companySeed(), nil)
			ctx := context.Background()
			_, err := e.c.Users.Create(ctx, zhangsan(), &CreateUserOptions{DepartmentIDType: IDTypeOpenDepartmentID})
			require.NoError(t, err)
			_, err = e.c.Users.CreateBatch(ctx, tt.items, nil)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Contains(t, ae.Message, tt.msg)
			assert.Len(t, e.emu.Snapshot().Users, 1, "nothing of the batch was written")
		})
	}
}

func TestUpdateBatch(t *testing.T) {
	e := setup(t, companySeed(), nil)
	ctx := context.Background()
	users, err := e.c.Users.CreateBatch(ctx, []CreateUserInput{{Username: "a", Name: "A"}, {Username: "b", Name: "B"}}, nil)
	require.NoError(t, err)

	_, err = e.c.Users.UpdateBatch(ctx, []UpdateUserInput{
		{UserID: users[0].UserID, Fields: map[string]any{"name": "A2"}},
		{UserID: "no-such-user", Fields: map[string]any{"name": "X"}},
	})
	require.True(t, apierr.IsGone(err), "%v", err)
	assert.Contains(t, err.Error(), "list[1]")
	got, err := e.c.Users.Get(ctx, users[0].UserID, "", false, false)
	require.NoError(t, err)
	assert.Equal(t, "A", got.Name, "all or nothing")

	_, err = e.c.Users.UpdateBatch(ctx, []UpdateUserInput{{UserID: users[1].UserID, Fields: map[string]any{"username": "a"}}})
	assert.True(t, apierr.IsExists(err), "%v", err)

	out, err := e.c.Users.UpdateBatch(ctx, []UpdateUserInput{
		{UserID: users[0].UserID, Fields: map[string]any{"name": "A2", "status": "Suspended"}},
		{UserID: users[1].UserID, Fields: map[string]any{"gender": "F"}},
	})
	require.NoError(t, err)
	require.Len(t, out, 2)
	assert.Equal(t, "Suspended", out[0].Status)
	assert.Equal(t, "A2", out[0].Name)
	assert.Equal(t, "F", out[1].Gender)
	assert.Equal(t, "B", out[1].Name)
}

func TestDeleteBatch(t *testing.T) {
	e := setup(t, companySeed(), nil)
	ctx := context.Background()
	_, err := e.c.Users.CreateBatch(ctx, []CreateUserInput{
		{Username: "a", ExternalID: "A", DepartmentIDs: []string{"d-rd"}}, {Username: "b", ExternalID: "B"}, {Username: "c", ExternalID: "C"},
	}, nil)
	require.NoError(t, err)
	require.NoError(t, e.c.Users.DeleteBatch(ctx, []string{"A", "C", "missing"}, "external_id"))
	_, err = e.c.Users.Get(ctx, "A", "external_id", false, false)
	assert.True(t, apierr.IsGone(err))
	page, err := e.c.Users.List(ctx, &ListUsersRequest{})
	require.NoError(t, err)
	require.Equal(t, 1, page.TotalCount)
	assert.Equal(t, "b", page.List[0].Username)
	d, err := e.c.Departments.Get(ctx, "xinghe", "d-rd", "", false)
	require.NoError(t, err)
	assert.Zero(t, d.MembersCount, "deleted users leave their departments")
}

func TestSetDepartments(t *testing.T) {
	e := setup(t, companySeed(), nil)
	ctx := context.Background()
	u, err := e.c.Users.Create(ctx, zhangsan(), &CreateUserOptions{DepartmentIDType: IDTypeOpenDepartmentID})
	require.NoError(t, err)

	require.NoError(t, e.c.Users.SetDepartments(ctx, "ZhangSan", []UserDepartment{
		{DepartmentID: "root-id"}, {DepartmentID: "d-rd", IsLeader: true, IsMainDepartment: true},
	}, "external_id"))
	got, err := e.c.Users.Get(ctx, u.UserID, "", false, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"root-id", "d-rd"}, got.DepartmentIDs, "replace, not add")
	assert.Equal(t, "d-rd", got.MainDepartmentID)
	be, err := e.c.Departments.Get(ctx, "xinghe", "3", IDTypeOpenDepartmentID, false)
	require.NoError(t, err)
	assert.Zero(t, be.MembersCount)
	rd, err := e.c.Departments.Get(ctx, "xinghe", "d-rd", "", false)
	require.NoError(t, err)
	assert.Equal(t, []string{u.UserID}, rd.LeaderUserIDs)

	err = e.c.Users.SetDepartments(ctx, u.UserID, []UserDepartment{{DepartmentID: "d-rd"}, {DepartmentID: "2"}}, "")
	require.True(t, apierr.IsGone(err), "open ids are not accepted: %v", err)
	assert.Contains(t, err.Error(), "存在不合法的 departmentId: 2")
	got, err = e.c.Users.Get(ctx, u.UserID, "", false, true)
	require.NoError(t, err)
	assert.Equal(t, []string{"root-id", "d-rd"}, got.DepartmentIDs, "unchanged after the error")
}

func TestListUsers(t *testing.T) {
	e := setup(t, companySeed(), nil)
	ctx := context.Background()
	_, err := e.c.Users.CreateBatch(ctx, []CreateUserInput{
		{Username: "zhangsan", Name: "张三", DepartmentIDs: []string{"d-be"}, CustomData: map[string]any{"wechatwork_user_id": "ZhangSan"}},
		{Username: "lisi", Name: "李四", DepartmentIDs: []string{"d-rd"}, CustomData: map[string]any{"wechatwork_user_id": "LiSi"}},
		{Username: "wangwu", Name: "王五", Email: "ww@example.com"},
	}, nil)
	require.NoError(t, err)
	rdTree := []DepartmentFilter{{OrganizationCode: "xinghe", DepartmentID: "2", DepartmentIDType: IDTypeOpenDepartmentID, IncludeChildrenDepartments: true}}
	tests := []struct {
		name string
		req  ListUsersRequest
		want []string
	}{
		{"all in creation order", ListUsersRequest{}, []string{"zhangsan", "lisi", "wangwu"}},
		{"custom key EQUAL", ListUsersRequest{AdvancedFilter: []Filter{{Field: "wechatwork_user_id", Operator: OpEqual, Value: "LiSi"}}}, []string{"lisi"}},
		{"custom key NOT_NULL", ListUsersRequest{AdvancedFilter: []Filter{{Field: "wechatwork_user_id", Operator: OpNotNull}}}, []string{"zhangsan", "lisi"}},
		{"username IN", ListUsersRequest{AdvancedFilter: []Filter{{Field: "username", Operator: OpIn, Value: []string{"wangwu", "zhangsan"}}}}, []string{"zhangsan", "wangwu"}},
		{"department subtree", ListUsersRequest{AdvancedFilter: []Filter{{Field: "department", Operator: OpIn, Value: rdTree}}}, []string{"zhangsan", "lisi"}},
		{"keywords", ListUsersRequest{Keywords: "王"}, []string{"wangwu"}},
		{"page 2 of 2", ListUsersRequest{Options: ListUsersOptions{Pagination: Pagination{Page: 2, Limit: 2}}}, []string{"wangwu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := e.c.Users.List(ctx, &tt.req)
			require.NoError(t, err)
			var got []string
			for _, u := range page.List {
				got = append(got, u.Username)
			}
			assert.Equal(t, tt.want, got)
		})
	}

	_, err = e.c.Users.List(ctx, &ListUsersRequest{Options: ListUsersOptions{Pagination: Pagination{Page: 1, Limit: 51}}})
	require.True(t, apierr.IsRecord(err))
	assert.Contains(t, err.Error(), "limit must less than 50")
}

// seedUsers returns companySeed with n users spread over the two departments.
func seedUsers(n int) authingemu.Fixture {
	f := companySeed()
	for i := range n {
		dep := "d-rd"
		if i%3 == 0 {
			dep = "d-be"
		}
		f.Users = append(f.Users, authingemu.User{
			Username: fmt.Sprintf("user%05d", i), Name: fmt.Sprintf("用户%d", i),
			DepartmentIDs: []string{dep}, CustomData: map[string]any{"wechatwork_user_id": fmt.Sprintf("W%05d", i)},
		})
	}
	return f
}

func TestForEachPage(t *testing.T) {
	const n = 1234
	e := setup(t, seedUsers(n), nil)
	seen := map[string]int{}
	var inFn, overlaps atomic.Int32
	_, err := e.c.Users.ForEachPage(context.Background(), &ListUsersRequest{Options: ListUsersOptions{WithCustomData: true}}, 4, func(users []User) error {
		if inFn.Add(1) > 1 {
			overlaps.Add(1)
		}
		defer inFn.Add(-1)
		for _, u := range users {
			seen[u.UserID]++
			if u.CustomData["wechatwork_user_id"] == nil {
				return fmt.Errorf("user %s without customData", u.UserID)
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Len(t, seen, n)
	for id, k := range seen {
		require.Equal(t, 1, k, "user %s seen %d times", id, k)
	}
	assert.Zero(t, overlaps.Load(), "fn must never run concurrently")
	assert.Equal(t, (n+49)/50, e.emu.Calls()["list-users"])

	// A filtered walk: only the members of 后端组.
	count := 0
	_, err = e.c.Users.ForEachPage(context.Background(), &ListUsersRequest{AdvancedFilter: []Filter{{Field: "department", Operator: OpIn,
		Value: []DepartmentFilter{{OrganizationCode: "xinghe", DepartmentID: "d-be"}}}}}, 4, func(users []User) error {
		count += len(users)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, (n+2)/3, count)
}

func TestForEachPageStopsOnError(t *testing.T) {
	e := setup(t, seedUsers(600), nil)
	boom := errors.New("boom")
	calls := 0
	_, err := e.c.Users.ForEachPage(context.Background(), nil, 2, func([]User) error {
		calls++
		if calls == 3 {
			return boom
		}
		return nil
	})
	require.ErrorIs(t, err, boom)
	assert.Equal(t, 3, calls)

	// A fresh emulator: a page request the walk above gave up on may still reach the first one
	// and take the injected answer.
	e = setup(t, seedUsers(600), nil)
	e.emu.FailNext("list-users", 400, 1)
	_, err = e.c.Users.ForEachPage(context.Background(), nil, 2, func([]User) error { return nil })
	assert.True(t, apierr.IsRecord(err), "%v", err)
}

// manyDepartmentsSeed is companySeed with n more top-level departments and user "multi" (id u-multi)
// in all of them, main in the second, leader of the third.
func manyDepartmentsSeed(n int) authingemu.Fixture {
	f := companySeed()
	u := authingemu.User{UserID: "u-multi", Username: "multi"}
	for i := range n {
		id := fmt.Sprintf("dep-%03d", i)
		d := authingemu.Department{DepartmentID: id, OrganizationCode: "xinghe", Name: fmt.Sprintf("部门%03d", i)}
		if i == 2 {
			d.LeaderUserIDs = []string{"u-multi"}
		}
		f.Departments = append(f.Departments, d)
		u.DepartmentIDs = append(u.DepartmentIDs, id)
	}
	u.MainDepartmentID = "dep-001"
	f.Users = append(f.Users, u)
	return f
}

func TestUserDepartmentsReadsEveryPage(t *testing.T) {
	e := setup(t, manyDepartmentsSeed(120), nil)
	ctx := context.Background()
	deps, err := e.c.Users.Departments(ctx, "u-multi")
	require.NoError(t, err)
	require.Len(t, deps, 120)
	for i, d := range deps {
		assert.Equal(t, fmt.Sprintf("dep-%03d", i), d.DepartmentID)
		assert.Equal(t, "xinghe", d.OrganizationCode)
		assert.Equal(t, i == 1, d.IsMainDepartment, d.DepartmentID)
		assert.Equal(t, i == 2, d.IsLeader, d.DepartmentID)
	}
	assert.Equal(t, "部门119", deps[119].Name)
	assert.Equal(t, 3, e.emu.Calls()["get-user-departments"])

	// Exactly one full page: the totalCount ends the walk without another request.
	e = setup(t, manyDepartmentsSeed(50), nil)
	deps, err = e.c.Users.Departments(ctx, "u-multi")
	require.NoError(t, err)
	assert.Len(t, deps, 50)
	assert.Equal(t, 1, e.emu.Calls()["get-user-departments"])

	// userIdType is user_id: a username is not found.
	_, err = e.c.Users.Departments(ctx, "multi")
	assert.True(t, apierr.IsGone(err), "%v", err)
	e.emu.FailNext("get-user-departments", 400, 1)
	_, err = e.c.Users.Departments(ctx, "u-multi")
	assert.True(t, apierr.IsRecord(err), "%v", err)
}

// bareListHandler serves the emulator but answers get-user-departments with data as a bare array
// (the page's list, without totalCount); with ignorePaging every request reads page 1.
func bareListHandler(t *testing.T, emu http.Handler, ignorePaging bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v3/get-user-departments" {
			emu.ServeHTTP(w, r)
			return
		}
		if ignorePaging {
			q := r.URL.Query()
			q.Set("page", "1")
			r.URL.RawQuery = q.Encode()
		}
		rec := httptest.NewRecorder()
		emu.ServeHTTP(rec, r)
		var env map[string]json.RawMessage
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Errorf("emulator answer: %v", err)
			return
		}
		var data struct {
			List json.RawMessage `json:"list"`
		}
		if len(env["data"]) > 0 && json.Unmarshal(env["data"], &data) == nil && data.List != nil {
			env["data"] = data.List
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		_ = json.NewEncoder(w).Encode(env)
	})
}

func TestUserDepartmentsBareArray(t *testing.T) {
	tests := []struct {
		name         string
		n            int
		ignorePaging bool
		want, calls  int
	}{
		{"paged, last page short", 120, false, 120, 3},
		{"paged, last page full", 100, false, 100, 3},
		{"paging ignored: a repeated page ends the walk", 50, true, 50, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := authingemu.New(authingemu.WithPool(testPool, testSecret), authingemu.WithQPS(0, 0))
			require.NoError(t, emu.Seed(manyDepartmentsSeed(tt.n)))
			srv := httptest.NewServer(bareListHandler(t, emu.Handler(), tt.ignorePaging))
			t.Cleanup(srv.Close)
			c, err := NewClient(WithBaseURL(srv.URL), WithCredentials(testPool, testSecret), WithRateLimit(0, 0))
			require.NoError(t, err)
			deps, err := c.Users.Departments(context.Background(), "u-multi")
			require.NoError(t, err)
			require.Len(t, deps, tt.want)
			assert.Equal(t, "dep-000", deps[0].DepartmentID)
			assert.True(t, deps[1].IsMainDepartment)
			assert.Equal(t, tt.calls, emu.Calls()["get-user-departments"])
		})
	}
}
