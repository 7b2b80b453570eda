package authing

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wireDept is the part of DepartmentDto the tests read.
type wireDept struct {
	DepartmentID       string         `json:"departmentId"`
	ParentDepartmentID *string        `json:"parentDepartmentId"`
	Name               string         `json:"name"`
	OpenDepartmentID   *string        `json:"openDepartmentId"`
	Code               *string        `json:"code"`
	MembersCount       int            `json:"membersCount"`
	HasChildren        bool           `json:"hasChildren"`
	LeaderUserIDs      []string       `json:"leaderUserIds"`
	CustomData         map[string]any `json:"customData"`
}

func names(ds []wireDept) []string {
	out := []string{}
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

func TestOrganizationsAPI(t *testing.T) {
	e := newEnv(t, EmptySeed())
	var list struct {
		TotalCount int              `json:"totalCount"`
		List       []map[string]any `json:"list"`
	}
	e.ok(t, http.MethodGet, "list-organizations", nil, nil, &list)
	assert.Zero(t, list.TotalCount)
	for i := range 12 {
		e.ok(t, http.MethodPost, "create-organization", map[string]any{"organizationCode": fmt.Sprintf("o%02d", i), "organizationName": fmt.Sprintf("组织%d", i)}, nil, nil)
	}
	e.ok(t, http.MethodGet, "list-organizations", nil, url.Values{"page": {"2"}, "limit": {"5"}}, &list)
	assert.Equal(t, 12, list.TotalCount)
	require.Len(t, list.List, 5)
	assert.Equal(t, "o05", list.List[0]["organizationCode"])
	e.ok(t, http.MethodGet, "list-organizations", nil, url.Values{"fetchAll": {"true"}}, &list)
	assert.Len(t, list.List, 12)
	e.ok(t, http.MethodGet, "list-organizations", nil, nil, &list)
	assert.Len(t, list.List, 10, "default limit")
	e.fail(t, http.MethodGet, "list-organizations", nil, url.Values{"limit": {"60"}}, 400)
	e.fail(t, http.MethodGet, "list-organizations", nil, url.Values{"page": {"x"}}, 400)

	tests := []struct {
		name string
		body map[string]any
		code int
	}{
		{"duplicate code", map[string]any{"organizationCode": "o01", "organizationName": "x"}, 409},
		{"bad code", map[string]any{"organizationCode": "a b", "organizationName": "x"}, 400},
		{"no name", map[string]any{"organizationCode": "o99"}, 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.fail(t, http.MethodPost, "create-organization", tt.body, nil, tt.code)
		})
	}
	var org map[string]any
	e.ok(t, http.MethodGet, "get-organization", nil, url.Values{"organizationCode": {"o03"}}, &org)
	assert.Equal(t, "组织3", org["organizationName"])
	assert.Equal(t, false, org["hasChildren"])
}

func TestDepartmentReads(t *testing.T) {
	e := newEnv(t, listSeed())
	q := func(kv ...string) url.Values {
		v := url.Values{"organizationCode": {"xinghe"}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	var all []wireDept
	e.ok(t, http.MethodGet, "get-all-departments", nil, q(), &all)
	assert.Equal(t, []string{"研发中心", "后端组"}, names(all), "parents first, root excluded")
	assert.Nil(t, all[0].CustomData)
	e.ok(t, http.MethodGet, "get-all-departments", nil, q("departmentId", "2", "departmentIdType", "open_department_id", "withCustomData", "true"), &all)
	assert.Equal(t, []string{"后端组"}, names(all))
	assert.Equal(t, map[string]any{}, all[0].CustomData)
	e.fail(t, http.MethodGet, "get-all-departments", nil, q("departmentIdType", "code"), 400)
	e.fail(t, http.MethodGet, "get-all-departments", nil, url.Values{"organizationCode": {"nope"}}, 404)

	var d wireDept
	e.ok(t, http.MethodGet, "get-department", nil, q("departmentId", "root"), &d)
	assert.Equal(t, "root-id", d.DepartmentID)
	assert.Equal(t, "星河科技", d.Name)
	assert.Nil(t, d.ParentDepartmentID)
	assert.Equal(t, 1, d.MembersCount, "direct members only")
	e.ok(t, http.MethodGet, "get-department", nil, q("departmentCode", "wecom-3"), &d)
	assert.Equal(t, "d-be", d.DepartmentID)
	assert.Equal(t, 2, d.MembersCount)
	e.ok(t, http.MethodGet, "get-department", nil, q("departmentId", "1", "departmentIdType", "open_department_id"), &d)
	assert.Equal(t, "root-id", d.DepartmentID)
	e.fail(t, http.MethodGet, "get-department", nil, q("departmentId", "d-be", "departmentIdType", "sync_relation"), 400)
	e.fail(t, http.MethodGet, "get-department", nil, q("departmentId", "zzz"), 404)

	var children struct {
		TotalCount int        `json:"totalCount"`
		List       []wireDept `json:"list"`
	}
	e.ok(t, http.MethodGet, "list-children-departments", nil, q("departmentId", "root"), &children)
	assert.Equal(t, []string{"研发中心"}, names(children.List))
	assert.True(t, children.List[0].HasChildren)
	e.ok(t, http.MethodGet, "list-children-departments", nil, q("departmentId", "d-be"), &children)
	assert.Zero(t, children.TotalCount)

	var members userList
	e.ok(t, http.MethodGet, "list-department-members", nil, q("departmentId", "root", "includeChildrenDepartments", "true", "limit", "3"), &members)
	assert.Equal(t, 4, members.TotalCount)
	assert.Equal(t, []string{"u1", "u2", "u3"}, ids(members))
	e.fail(t, http.MethodGet, "list-department-members", nil, q("departmentId", "root", "limit", "51"), 400)
}

func TestDepartmentWrites(t *testing.T) {
	e := newEnv(t, listSeed())
	var d wireDept
	e.ok(t, http.MethodPost, "create-department", map[string]any{"organizationCode": "xinghe", "name": " 前端组 ", "parentDepartmentId": "wecom-2",
		"departmentIdType": "code", "openDepartmentId": "5", "customData": map[string]any{"wechatwork_department_id": "5"}}, nil, &d)
	assert.Equal(t, "前端组", d.Name)
	assert.Equal(t, "d-rd", *d.ParentDepartmentID)
	assert.Equal(t, "5", d.CustomData["wechatwork_department_id"])
	fe := d.DepartmentID

	// Same name under another parent is fine; the same open id in another organization too.
	e.ok(t, http.MethodPost, "create-department", map[string]any{"organizationCode": "xinghe", "name": "前端组", "parentDepartmentId": "root"}, nil, nil)
	e.ok(t, http.MethodPost, "create-organization", map[string]any{"organizationCode": "other", "organizationName": "其他"}, nil, nil)
	e.ok(t, http.MethodPost, "create-department", map[string]any{"organizationCode": "other", "name": "X", "parentDepartmentId": "root", "openDepartmentId": "5"}, nil, nil)

	// Moving into a subtree where the name is taken is a conflict.
	e.fail(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": fe, "parentDepartmentId": "root"}, nil, 409)
	e.fail(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": "d-be", "code": "wecom-2"}, nil, 409)
	e.fail(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": "d-be", "customData": map[string]any{"nope": 1}}, nil, 400)
	e.fail(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": "d-be", "leaderUserIds": []string{"ghost"}}, nil, 404)
	e.fail(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": "root", "name": "新名"}, nil, 400)

	// The root accepts customData and leaders.
	e.ok(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": "root",
		"customData": map[string]any{"wechatwork_department_id": "1"}, "leaderUserIds": []string{"u3"}}, nil, &d)
	assert.Equal(t, "1", d.CustomData["wechatwork_department_id"])
	assert.Equal(t, []string{"u3"}, d.LeaderUserIDs)

	// A move keeps the subtree and updates both parents.
	e.ok(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": "3", "departmentIdType": "open_department_id",
		"parentDepartmentId": "1"}, nil, &d)
	assert.Equal(t, "root-id", *d.ParentDepartmentID)
	e.ok(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": "d-rd", "parentDepartmentId": "d-be", "name": "研发"}, nil, nil)
	var all []wireDept
	e.ok(t, http.MethodGet, "get-all-departments", nil, url.Values{"organizationCode": {"xinghe"}}, &all)
	assert.Equal(t, []string{"前端组", "后端组", "研发", "前端组"}, names(all), "moved departments go last among their new siblings")
	env := e.fail(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": "d-be", "parentDepartmentId": fe}, nil, 400)
	assert.Contains(t, env.Message, "子部门")

	env = e.fail(t, http.MethodPost, "delete-department", map[string]any{"organizationCode": "xinghe", "departmentId": "d-be"}, nil, 400)
	assert.Contains(t, env.Message, "子部门")
	env = e.fail(t, http.MethodPost, "delete-department", map[string]any{"organizationCode": "xinghe", "departmentId": "root"}, nil, 400)
	assert.Contains(t, env.Message, "根部门")
	e.ok(t, http.MethodPost, "delete-department", map[string]any{"organizationCode": "xinghe", "departmentId": fe}, nil, nil)
	env = e.fail(t, http.MethodPost, "delete-department", map[string]any{"organizationCode": "xinghe", "departmentId": "d-rd"}, nil, 400)
	assert.Contains(t, env.Message, "成员")

	// The deleted department's name, open id and code are free again.
	e.ok(t, http.MethodPost, "create-department", map[string]any{"organizationCode": "xinghe", "name": "前端组", "parentDepartmentId": "d-rd", "openDepartmentId": "5"}, nil, nil)
}

// userDepts is the data of get-user-departments as the member tests read it.
type userDepts struct {
	TotalCount int `json:"totalCount"`
	List       []struct {
		DepartmentID     string `json:"departmentId"`
		IsLeader         bool   `json:"isLeader"`
		IsMainDepartment bool   `json:"isMainDepartment"`
		JoinedAt         string `json:"joinedAt"`
	} `json:"list"`
}

// memberships returns a user's department ids in order and the main one, read over
// get-user-departments.
func (e *testEnv) memberships(t *testing.T, userID string) ([]string, string) {
	t.Helper()
	var page userDepts
	e.ok(t, http.MethodGet, "get-user-departments", nil, url.Values{"userId": {userID}, "limit": {"50"}}, &page)
	require.Equal(t, len(page.List), page.TotalCount)
	ids, main := []string{}, ""
	for _, d := range page.List {
		ids = append(ids, d.DepartmentID)
		if d.IsMainDepartment {
			require.Empty(t, main, "one main department")
			main = d.DepartmentID
		}
	}
	return ids, main
}

func members(org, dept, idType string, userIDs ...string) map[string]any {
	body := map[string]any{"organizationCode": org, "departmentId": dept, "userIds": userIDs}
	if idType != "" {
		body["departmentIdType"] = idType
	}
	return body
}

func TestAddDepartmentMembers(t *testing.T) {
	clock := newTestClock()
	e := newEnv(t, listSeed(), WithClock(clock.Now))
	var res map[string]any
	e.ok(t, http.MethodPost, "add-department-members", members("xinghe", "2", "open_department_id", "u5", "u1", "u5"), nil, &res)
	assert.Equal(t, map[string]any{"success": true}, res)

	got, main := e.memberships(t, "u5")
	assert.Equal(t, []string{"d-rd"}, got)
	assert.Equal(t, "d-rd", main, "a user's first membership is main")
	got, main = e.memberships(t, "u1")
	assert.Equal(t, []string{"d-be", "d-rd"}, got)
	assert.Equal(t, "d-be", main, "the main department stays")

	var d wireDept
	e.ok(t, http.MethodGet, "get-department", nil, url.Values{"organizationCode": {"xinghe"}, "departmentId": {"d-rd"}}, &d)
	assert.Equal(t, 4, d.MembersCount)
	var list userList
	e.ok(t, http.MethodGet, "list-department-members", nil, url.Values{"organizationCode": {"xinghe"}, "departmentId": {"d-rd"}}, &list)
	assert.Equal(t, []string{"u1", "u2", "u4", "u5"}, ids(list))

	// Adding again changes nothing, not even joinedAt.
	var before, after userDepts
	e.ok(t, http.MethodGet, "get-user-departments", nil, url.Values{"userId": {"u1"}}, &before)
	clock.Advance(time.Hour)
	e.ok(t, http.MethodPost, "add-department-members", members("xinghe", "d-rd", "department_id", "u1"), nil, nil)
	e.ok(t, http.MethodGet, "get-user-departments", nil, url.Values{"userId": {"u1"}}, &after)
	assert.Equal(t, before, after)

	// By code, by "root" and by the root's real id.
	e.ok(t, http.MethodPost, "add-department-members", members("xinghe", "wecom-3", "code", "u5"), nil, nil)
	e.ok(t, http.MethodPost, "add-department-members", members("xinghe", "root", "", "u5"), nil, nil)
	e.ok(t, http.MethodPost, "add-department-members", members("xinghe", "root-id", "", "u5", "u3"), nil, nil)
	got, main = e.memberships(t, "u5")
	assert.Equal(t, []string{"d-rd", "d-be", "root-id"}, got)
	assert.Equal(t, "d-rd", main)
	got, _ = e.memberships(t, "u3")
	assert.Equal(t, []string{"root-id"}, got)
}

func TestRemoveDepartmentMembers(t *testing.T) {
	e := newEnv(t, listSeed())
	// u4 is in d-be (implicitly main) and d-rd.
	var res map[string]any
	e.ok(t, http.MethodPost, "remove-department-members", members("xinghe", "3", "open_department_id", "u4"), nil, &res)
	assert.Equal(t, map[string]any{"success": true}, res)
	got, main := e.memberships(t, "u4")
	assert.Equal(t, []string{"d-rd"}, got)
	assert.Equal(t, "d-rd", main, "the next membership becomes main")

	// u1: d-be, d-rd (main, leader), root.
	e.ok(t, http.MethodPost, "set-user-departments", map[string]any{"userId": "u1", "departments": []map[string]any{
		{"departmentId": "d-be"}, {"departmentId": "d-rd", "isMainDepartment": true, "isLeader": true}, {"departmentId": "root-id"}}}, nil, nil)
	e.ok(t, http.MethodPost, "remove-department-members", members("xinghe", "wecom-2", "code", "u1", "u2"), nil, nil)
	got, main = e.memberships(t, "u1")
	assert.Equal(t, []string{"d-be", "root-id"}, got)
	assert.Equal(t, "root-id", main, "the membership after the removed main one")
	var d wireDept
	e.ok(t, http.MethodGet, "get-department", nil, url.Values{"organizationCode": {"xinghe"}, "departmentId": {"d-rd"}}, &d)
	assert.Empty(t, d.LeaderUserIDs, "leadership goes with the membership")
	assert.Equal(t, 1, d.MembersCount, "u4 is left")

	// Removing the last membership when it is main wraps to the first; removing a non-member is a no-op.
	e.ok(t, http.MethodPost, "remove-department-members", members("xinghe", "root", "", "u1"), nil, nil)
	got, main = e.memberships(t, "u1")
	assert.Equal(t, []string{"d-be"}, got)
	assert.Equal(t, "d-be", main)
	e.ok(t, http.MethodPost, "remove-department-members", members("xinghe", "root", "", "u1"), nil, nil)
	got, _ = e.memberships(t, "u1")
	assert.Equal(t, []string{"d-be"}, got)

	// The last membership can go: no departments, no main department.
	e.ok(t, http.MethodPost, "remove-department-members", members("xinghe", "d-be", "", "u1"), nil, nil)
	got, main = e.memberships(t, "u1")
	assert.Empty(t, got)
	assert.Empty(t, main)
	var u wireUser
	e.ok(t, http.MethodGet, "get-user", nil, url.Values{"userId": {"u1"}, "withDepartmentIds": {"true"}}, &u)
	assert.Empty(t, u.DepartmentIDs)
	assert.Nil(t, u.MainDepartmentID)
	var list userList
	e.ok(t, http.MethodGet, "list-department-members", nil, url.Values{"organizationCode": {"xinghe"}, "departmentId": {"d-be"}}, &list)
	assert.Empty(t, ids(list))
	// The department is empty now and can be deleted.
	e.ok(t, http.MethodPost, "delete-department", map[string]any{"organizationCode": "xinghe", "departmentId": "d-be"}, nil, nil)
}

func TestDepartmentMembersErrors(t *testing.T) {
	e := newEnv(t, listSeed())
	many := make([]string, 51)
	for i := range many {
		many[i] = "u1"
	}
	tests := []struct {
		name string
		body map[string]any
		code int
		msg  string
	}{
		{"unknown organization", members("nope", "root", "", "u1"), 404, "organization not found for code: nope"},
		{"no organization", members("", "root", "", "u1"), 400, "参数 organizationCode 格式错误"},
		{"unknown department", members("xinghe", "zzz", "", "u1"), 404, "部门不存在: zzz"},
		{"open id is not a department id", members("xinghe", "2", "", "u1"), 404, "部门不存在: 2"},
		{"bad departmentIdType", members("xinghe", "2", "sync_relation", "u1"), 400, "参数 departmentIdType 格式错误"},
		{"no department", members("xinghe", "", "", "u1"), 400, "参数 departmentId 格式错误"},
		{"unknown users", members("xinghe", "d-rd", "", "x1", "u5", "x2", "x1"), 404, "用户不存在: x1, x2"},
		{"username is not a user id", members("xinghe", "d-rd", "", "sunqi"), 404, "用户不存在: sunqi"},
		{"no userIds", members("xinghe", "d-rd", ""), 400, "参数 userIds 格式错误"},
		{"missing userIds", map[string]any{"organizationCode": "xinghe", "departmentId": "d-rd"}, 400, "参数 userIds 格式错误"},
		{"51 userIds", members("xinghe", "d-rd", "", many...), 400, "参数 userIds 格式错误"},
	}
	for _, verb := range []string{"add-department-members", "remove-department-members"} {
		for _, tt := range tests {
			t.Run(verb+"/"+tt.name, func(t *testing.T) {
				env := e.fail(t, http.MethodPost, verb, tt.body, nil, tt.code)
				assert.Equal(t, tt.msg, env.Message)
			})
		}
	}
	env := e.fail(t, http.MethodPost, "add-department-members", members("xinghe", "d-rd", "", "nobody"), nil, 404)
	assert.Equal(t, 2004, env.APICode)
	got, _ := e.memberships(t, "u5")
	assert.Empty(t, got, "nothing is written when one id is unknown")
	status, env := e.do(t, http.MethodGet, "add-department-members", nil, nil, nil)
	assert.Equal(t, http.StatusNotFound, status, "POST only")
	assert.Equal(t, "Cannot GET /api/v3/add-department-members", env.Message)

	// 50 ids are fine; both verbs are write calls.
	e.s.ResetCalls()
	e.ok(t, http.MethodPost, "add-department-members", members("xinghe", "d-rd", "", many[:50]...), nil, nil)
	e.ok(t, http.MethodPost, "remove-department-members", members("xinghe", "d-rd", "", "u1"), nil, nil)
	assert.Equal(t, 2, e.s.WriteCalls())
	assert.Equal(t, map[string]int{"add-department-members": 1, "remove-department-members": 1}, e.s.Calls())
}
