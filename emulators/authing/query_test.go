package authing

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// listSeed is orgSeed with five users.
func listSeed() Fixture {
	f := orgSeed()
	f.Users = []User{
		{UserID: "u1", Username: "zhangsan", Name: "张三", Email: "ZS@example.com", Gender: "M", ExternalID: "ZS", DepartmentIDs: []string{"d-be"},
			CustomData: map[string]any{"wechatwork_user_id": "ZhangSan", "level": 3.0}},
		{UserID: "u2", Username: "lisi", Name: "李四", Gender: "F", Status: "Suspended", DepartmentIDs: []string{"d-rd"},
			CustomData: map[string]any{"wechatwork_user_id": "LiSi"}},
		{UserID: "u3", Username: "wangwu", Name: "王五", Phone: "13800000003", DepartmentIDs: []string{"root-id"}},
		{UserID: "u4", Username: "zhaoliu", Name: "赵六", DepartmentIDs: []string{"d-be", "d-rd"}},
		{UserID: "u5", Username: "sunqi", Name: "孙七"},
	}
	return f
}

type listBody struct {
	Keywords       string           `json:"keywords,omitempty"`
	AdvancedFilter []map[string]any `json:"advancedFilter,omitempty"`
	Options        map[string]any   `json:"options,omitempty"`
}

type userList struct {
	TotalCount int        `json:"totalCount"`
	List       []wireUser `json:"list"`
}

func ids(l userList) []string {
	out := []string{}
	for _, u := range l.List {
		out = append(out, u.UserID)
	}
	return out
}

func cond(field, op string, v any) map[string]any {
	return map[string]any{"field": field, "operator": op, "value": v}
}

func dept(id, idType string, children bool) []map[string]any {
	return []map[string]any{{"organizationCode": "xinghe", "departmentId": id, "departmentIdType": idType, "includeChildrenDepartments": children}}
}

func TestListUsersFilters(t *testing.T) {
	e := newEnv(t, listSeed())
	tests := []struct {
		name string
		body listBody
		want []string
	}{
		{"everyone, creation order", listBody{}, []string{"u1", "u2", "u3", "u4", "u5"}},
		{"id EQUAL", listBody{AdvancedFilter: []map[string]any{cond("id", "EQUAL", "u3")}}, []string{"u3"}},
		{"id IN", listBody{AdvancedFilter: []map[string]any{cond("id", "IN", []string{"u4", "u1", "nope"})}}, []string{"u1", "u4"}},
		{"email EQUAL ignores case", listBody{AdvancedFilter: []map[string]any{cond("email", "EQUAL", "zs@EXAMPLE.com")}}, []string{"u1"}},
		{"externalId EQUAL", listBody{AdvancedFilter: []map[string]any{cond("externalId", "EQUAL", "ZS")}}, []string{"u1"}},
		{"phone NOT_NULL", listBody{AdvancedFilter: []map[string]any{cond("phone", "NOT_NULL", nil)}}, []string{"u3"}},
		{"status NOT_EQUAL", listBody{AdvancedFilter: []map[string]any{cond("status", "NOT_EQUAL", "Activated")}}, []string{"u2"}},
		{"gender IN", listBody{AdvancedFilter: []map[string]any{cond("gender", "IN", []string{"M", "F"})}}, []string{"u1", "u2"}},
		{"name CONTAINS", listBody{AdvancedFilter: []map[string]any{cond("name", "CONTAINS", "五")}}, []string{"u3"}},
		{"name EQUAL", listBody{AdvancedFilter: []map[string]any{cond("name", "EQUAL", "赵六")}}, []string{"u4"}},
		{"custom EQUAL", listBody{AdvancedFilter: []map[string]any{cond("wechatwork_user_id", "EQUAL", "LiSi")}}, []string{"u2"}},
		{"custom IN", listBody{AdvancedFilter: []map[string]any{cond("wechatwork_user_id", "IN", []string{"LiSi", "ZhangSan"})}}, []string{"u1", "u2"}},
		{"custom IS_NULL", listBody{AdvancedFilter: []map[string]any{cond("wechatwork_user_id", "IS_NULL", nil)}}, []string{"u3", "u4", "u5"}},
		{"custom number EQUAL", listBody{AdvancedFilter: []map[string]any{cond("level", "EQUAL", 3)}}, []string{"u1"}},
		{"department direct", listBody{AdvancedFilter: []map[string]any{cond("department", "IN", dept("d-rd", "", false))}}, []string{"u2", "u4"}},
		{"department subtree by open id", listBody{AdvancedFilter: []map[string]any{cond("department", "IN", dept("2", "open_department_id", true))}}, []string{"u1", "u2", "u4"}},
		{"root direct", listBody{AdvancedFilter: []map[string]any{cond("department", "IN", dept("root", "", false))}}, []string{"u3"}},
		{"root subtree", listBody{AdvancedFilter: []map[string]any{cond("department", "IN", dept("root", "", true))}}, []string{"u1", "u2", "u3", "u4"}},
		{"two conditions", listBody{AdvancedFilter: []map[string]any{cond("department", "IN", dept("d-be", "", false)), cond("wechatwork_user_id", "NOT_NULL", nil)}}, []string{"u1"}},
		{"keywords", listBody{Keywords: "zhao"}, []string{"u4"}},
		{"sort by username desc", listBody{Options: map[string]any{"sort": []map[string]any{{"field": "username", "order": "desc"}}}}, []string{"u4", "u1", "u3", "u5", "u2"}},
		{"page 2", listBody{Options: map[string]any{"pagination": map[string]any{"page": 2, "limit": 2}}}, []string{"u3", "u4"}},
		{"page past the end", listBody{Options: map[string]any{"pagination": map[string]any{"page": 9, "limit": 2}}}, []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got userList
			e.ok(t, http.MethodPost, "list-users", tt.body, nil, &got)
			assert.Equal(t, tt.want, ids(got))
			if tt.body.Options == nil {
				assert.Equal(t, len(tt.want), got.TotalCount)
			}
		})
	}
}

func TestListUsersOptionsAndErrors(t *testing.T) {
	e := newEnv(t, listSeed())
	var got userList
	e.ok(t, http.MethodPost, "list-users", listBody{AdvancedFilter: []map[string]any{cond("id", "EQUAL", "u4")}}, nil, &got)
	require.Len(t, got.List, 1)
	assert.Nil(t, got.List[0].CustomData)
	assert.Nil(t, got.List[0].DepartmentIDs)
	e.ok(t, http.MethodPost, "list-users", listBody{AdvancedFilter: []map[string]any{cond("id", "EQUAL", "u4")},
		Options: map[string]any{"withCustomData": true, "withDepartmentIds": true}}, nil, &got)
	assert.Equal(t, map[string]any{}, got.List[0].CustomData)
	assert.Equal(t, []string{"d-be", "d-rd"}, got.List[0].DepartmentIDs)
	assert.Equal(t, 1, got.TotalCount)

	tests := []struct {
		name string
		body listBody
		code int
		msg  string
	}{
		{"limit over 50", listBody{Options: map[string]any{"pagination": map[string]any{"page": 1, "limit": 51}}}, 400, "limit must less than 50"},
		{"page 0", listBody{Options: map[string]any{"pagination": map[string]any{"page": 0, "limit": 10}}}, 400, "参数 page 格式错误"},
		{"unknown field", listBody{AdvancedFilter: []map[string]any{cond("title", "EQUAL", "x")}}, 400, "title"},
		{"unsupported operator", listBody{AdvancedFilter: []map[string]any{cond("name", "BETWEEN", []int{1, 2})}}, 400, "BETWEEN"},
		{"department needs IN", listBody{AdvancedFilter: []map[string]any{cond("department", "EQUAL", "d-rd")}}, 400, "IN"},
		{"unknown organization", listBody{AdvancedFilter: []map[string]any{cond("department", "IN", []map[string]any{{"organizationCode": "nope", "departmentId": "root"}})}}, 404, "organization not found for code: nope"},
		{"unknown department", listBody{AdvancedFilter: []map[string]any{cond("department", "IN", dept("zzz", "", false))}}, 404, "zzz"},
		{"IN needs a list", listBody{AdvancedFilter: []map[string]any{cond("username", "IN", "a")}}, 400, "value"},
		{"bad sort", listBody{Options: map[string]any{"sort": []map[string]any{{"field": "lastLogin"}}}}, 400, "sort"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := e.fail(t, http.MethodPost, "list-users", tt.body, nil, tt.code)
			assert.Contains(t, env.Message, tt.msg)
		})
	}
}

func TestListCacheFollowsWrites(t *testing.T) {
	e := newEnv(t, listSeed())
	body := listBody{AdvancedFilter: []map[string]any{cond("status", "EQUAL", "Activated")}}
	var got userList
	e.ok(t, http.MethodPost, "list-users", body, nil, &got)
	assert.Equal(t, 4, got.TotalCount)
	require.Len(t, e.s.cache.lists, 1, "a scanning filter is cached")

	e.ok(t, http.MethodPost, "update-user", map[string]any{"userId": "u1", "status": "Suspended"}, nil, nil)
	e.ok(t, http.MethodPost, "list-users", body, nil, &got)
	assert.Equal(t, []string{"u3", "u4", "u5"}, ids(got), "a write invalidates the cache")

	e.ok(t, http.MethodPost, "create-user", map[string]any{"username": "new"}, nil, nil)
	e.ok(t, http.MethodPost, "list-users", body, nil, &got)
	assert.Equal(t, 4, got.TotalCount)
	e.ok(t, http.MethodPost, "delete-users-batch", map[string]any{"userIds": []string{"u3"}}, nil, nil)
	e.ok(t, http.MethodPost, "list-users", body, nil, &got)
	assert.Equal(t, 3, got.TotalCount)
	e.ok(t, http.MethodPost, "set-user-departments", map[string]any{"userId": "u5", "departments": []map[string]any{{"departmentId": "d-be"}}}, nil, nil)
	e.ok(t, http.MethodPost, "list-users", listBody{AdvancedFilter: []map[string]any{cond("department", "IN", dept("d-be", "", false))}}, nil, &got)
	assert.Equal(t, []string{"u1", "u4", "u5"}, ids(got))
}

// bigSeed is orgSeed with n users spread over the departments.
func bigSeed(n int) Fixture {
	f := orgSeed()
	deps := []string{"d-rd", "d-be", "root-id"}
	f.Users = make([]User, n)
	for i := range f.Users {
		f.Users[i] = User{
			Username: fmt.Sprintf("user%06d", i), Name: fmt.Sprintf("用户%d", i), DepartmentIDs: []string{deps[i%3]},
			CustomData: map[string]any{"wechatwork_user_id": fmt.Sprintf("W%06d", i)},
		}
	}
	return f
}

func TestManyUsersCompactionAndIndexes(t *testing.T) {
	const n = 6000
	e := newEnv(t, bigSeed(n))
	// Delete 3,000 users in batches of 50: tombstones are compacted on the way.
	for start := 0; start < 3000; start += 50 {
		var batch []string
		for i := start; i < start+50; i++ {
			batch = append(batch, fmt.Sprintf("user%06d", i*2))
		}
		e.ok(t, http.MethodPost, "delete-users-batch", map[string]any{"userIds": batch, "options": map[string]any{"userIdType": "username"}}, nil, nil)
	}
	assert.Less(t, len(e.s.st.users), n, "tombstones were compacted")
	var got userList
	e.ok(t, http.MethodPost, "list-users", listBody{Options: map[string]any{"pagination": map[string]any{"page": 60, "limit": 50}}}, nil, &got)
	assert.Equal(t, 3000, got.TotalCount)
	require.Len(t, got.List, 50)
	assert.Equal(t, "user005901", *got.List[0].Username)
	e.ok(t, http.MethodPost, "list-users", listBody{AdvancedFilter: []map[string]any{cond("wechatwork_user_id", "EQUAL", "W004001")}}, nil, &got)
	assert.Equal(t, []string{"user004001"}, []string{*got.List[0].Username})
	e.ok(t, http.MethodPost, "list-users", listBody{AdvancedFilter: []map[string]any{cond("wechatwork_user_id", "EQUAL", "W004000")}}, nil, &got)
	assert.Zero(t, got.TotalCount)
}

// BenchmarkListUsers pages through 100,000 users with a filter, the way a sync reads the pool.
func BenchmarkListUsers(b *testing.B) {
	s := New(WithQPS(0, 0))
	if err := s.Seed(bigSeed(100_000)); err != nil {
		b.Fatal(err)
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	b.ResetTimer()
	for i := range b.N {
		q, aerr := s.st.compileUserQuery("", []filter{{Field: "wechatwork_user_id", Operator: "NOT_NULL"}}, nil)
		if aerr != nil {
			b.Fatal(aerr)
		}
		_ = userPage(s.run(q), i%2000+1, 50, true, true)
	}
}
