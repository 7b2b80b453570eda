package authing

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// orgSeed is one organization (root "root-id", open id "1") with 研发中心 (d-rd, open "2") →
// 后端组 (d-be, open "3"), and the product's custom fields (wechatwork_user_id unique).
func orgSeed() Fixture {
	return Fixture{
		Organizations: []Organization{{OrganizationCode: "xinghe", OrganizationName: "星河科技", DepartmentID: "root-id", OpenDepartmentID: "1"}},
		Departments: []Department{
			{DepartmentID: "d-be", OrganizationCode: "xinghe", ParentDepartmentID: "d-rd", Name: "后端组", OpenDepartmentID: "3", Code: "wecom-3"},
			{DepartmentID: "d-rd", OrganizationCode: "xinghe", Name: "研发中心", OpenDepartmentID: "2", Code: "wecom-2"},
		},
		CustomFields: []CustomField{
			{TargetType: "USER", Key: "wechatwork_user_id", DataType: "STRING", IsUnique: true},
			{TargetType: "USER", Key: "wechatwork_department_ids", DataType: "STRING"},
			{TargetType: "USER", Key: "level", DataType: "NUMBER"},
			{TargetType: "DEPARTMENT", Key: "wechatwork_department_id", DataType: "STRING"},
		},
	}
}

// wireUser is the part of UserDto the tests read.
type wireUser struct {
	UserID           string         `json:"userId"`
	Username         *string        `json:"username"`
	Name             *string        `json:"name"`
	Phone            *string        `json:"phone"`
	Email            *string        `json:"email"`
	Gender           string         `json:"gender"`
	Status           string         `json:"status"`
	City             string         `json:"city"`
	CustomData       map[string]any `json:"customData"`
	DepartmentIDs    []string       `json:"departmentIds"`
	MainDepartmentID *string        `json:"mainDepartmentId"`
	CreatedAt        string         `json:"createdAt"`
}

func TestCreateUserDefaultsAndProfile(t *testing.T) {
	clock := newTestClock()
	e := newEnv(t, orgSeed(), WithClock(clock.Now))
	var u wireUser
	e.ok(t, http.MethodPost, "create-user", map[string]any{
		"phone": "13900000000", "city": "杭州", "password": "never-stored",
		"departmentIds": []string{"2"}, "options": map[string]any{"departmentIdType": "open_department_id"},
	}, nil, &u)
	assert.Equal(t, "U", u.Gender)
	assert.Equal(t, "Activated", u.Status)
	assert.Equal(t, "杭州", u.City)
	assert.Nil(t, u.Username, "unset attributes are null")
	assert.Equal(t, []string{"d-rd"}, u.DepartmentIDs)
	assert.Equal(t, "2025-01-02T03:04:05.000Z", u.CreatedAt)
	assert.Len(t, u.UserID, 24)
	snap := e.s.Snapshot()
	assert.NotContains(t, fmt.Sprint(snap.Users[0]), "never-stored")
}

func TestUserValidation(t *testing.T) {
	e := newEnv(t, orgSeed())
	e.ok(t, http.MethodPost, "create-user", map[string]any{"username": "zs", "email": "zs@example.com", "externalId": "ZS",
		"customData": map[string]any{"wechatwork_user_id": "ZS"}}, nil, nil)
	tests := []struct {
		name string
		body map[string]any
		code int
		msg  string
	}{
		{"needs a key", map[string]any{"name": "x"}, 400, "Must contain one of the following fields: username, phone, email"},
		{"bad email", map[string]any{"email": "not-an-email"}, 400, "参数 email 格式错误"},
		{"mainland phone", map[string]any{"phone": "23800000000"}, 400, "参数 phone 格式错误"},
		{"foreign phone", map[string]any{"phone": "6591234567", "phoneCountryCode": "+65", "username": "sg"}, 200, ""},
		{"bad country code", map[string]any{"phone": "6591234567", "phoneCountryCode": "65"}, 400, "phoneCountryCode"},
		{"username not a string", map[string]any{"username": 5}, 400, "参数 username 格式错误"},
		{"number custom field", map[string]any{"username": "n1", "customData": map[string]any{"level": 3}}, 200, ""},
		{"number field with text", map[string]any{"username": "n2", "customData": map[string]any{"level": "high"}}, 400, "customData.level"},
		{"email case-insensitive", map[string]any{"email": "ZS@example.COM"}, 409, "email"},
		{"externalId", map[string]any{"username": "x", "externalId": "ZS"}, 409, "externalId"},
		{"unique custom value", map[string]any{"username": "y", "customData": map[string]any{"wechatwork_user_id": "ZS"}}, 409, "wechatwork_user_id"},
		{"undefined custom key", map[string]any{"username": "z", "customData": map[string]any{"title": "dev"}}, 400, "title"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.code == 200 {
				e.ok(t, http.MethodPost, "create-user", tt.body, nil, nil)
				return
			}
			env := e.fail(t, http.MethodPost, "create-user", tt.body, nil, tt.code)
			assert.Contains(t, env.Message, tt.msg)
		})
	}
}

func TestUpdateUser(t *testing.T) {
	e := newEnv(t, orgSeed())
	var a, b wireUser
	e.ok(t, http.MethodPost, "create-user", map[string]any{"username": "a", "externalId": "A", "customData": map[string]any{"wechatwork_user_id": "A", "wechatwork_department_ids": "2"}}, nil, &a)
	e.ok(t, http.MethodPost, "create-user", map[string]any{"username": "b", "customData": map[string]any{"wechatwork_user_id": "B"}}, nil, &b)

	var got wireUser
	e.ok(t, http.MethodPost, "update-user", map[string]any{"userId": "A", "name": "阿", "customData": map[string]any{"wechatwork_department_ids": nil},
		"options": map[string]any{"userIdType": "external_id"}}, nil, &got)
	assert.Equal(t, "阿", *got.Name)
	assert.Equal(t, "a", *got.Username)
	assert.Equal(t, map[string]any{"wechatwork_user_id": "A"}, got.CustomData, "null removes a key, others stay")

	e.fail(t, http.MethodPost, "update-user", map[string]any{"userId": b.UserID, "customData": map[string]any{"wechatwork_user_id": "A"}}, nil, 409)
	e.fail(t, http.MethodPost, "update-user", map[string]any{"userId": b.UserID, "gender": "X"}, nil, 400)
	e.fail(t, http.MethodPost, "update-user", map[string]any{"userId": b.UserID, "username": nil}, nil, 400)
	env := e.fail(t, http.MethodPost, "update-user", map[string]any{"userId": "nope", "name": "x"}, nil, 404)
	assert.Equal(t, 2004, env.APICode)
	assert.Equal(t, "用户不存在", env.Message)

	// Freed unique values can be taken.
	e.ok(t, http.MethodPost, "update-user", map[string]any{"userId": a.UserID, "username": "a2"}, nil, nil)
	e.ok(t, http.MethodPost, "update-user", map[string]any{"userId": b.UserID, "username": "a"}, nil, nil)
}

func TestBatchLimitsAndMessages(t *testing.T) {
	e := newEnv(t, orgSeed())
	items := func(n int) []map[string]any {
		out := make([]map[string]any, n)
		for i := range out {
			out[i] = map[string]any{"username": fmt.Sprintf("u%d", i)}
		}
		return out
	}
	tests := []struct {
		name, verb string
		body       map[string]any
		msg        string
	}{
		{"create 0", "create-users-batch", map[string]any{"list": items(0)}, "参数 list 格式错误"},
		{"create 51", "create-users-batch", map[string]any{"list": items(51)}, "参数 list 格式错误"},
		{"update 51", "update-user-batch", map[string]any{"list": items(51)}, "参数 list 格式错误"},
		{"delete 0", "delete-users-batch", map[string]any{"userIds": []string{}}, "参数 userIds 格式错误"},
		{"departments 0", "set-user-departments", map[string]any{"userId": "x", "departments": []any{}}, "参数 departments 格式错误"},
		{"bad departmentIdType", "create-users-batch", map[string]any{"list": []map[string]any{{"username": "u", "departmentIds": []string{"1"}}},
			"options": map[string]any{"departmentIdType": "sync_relation"}}, "list[0]: 参数 options.departmentIdType 格式错误"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := e.fail(t, http.MethodPost, tt.verb, tt.body, nil, 400)
			assert.Contains(t, env.Message, tt.msg)
		})
	}
	// Item errors name the index and the field.
	env := e.fail(t, http.MethodPost, "create-users-batch", map[string]any{"list": []map[string]any{{"username": "ok"}, {"username": "bad", "gender": "Q"}}}, nil, 400)
	assert.Equal(t, "list[1]: 参数 gender 格式错误", env.Message)
	var out []wireUser
	e.ok(t, http.MethodPost, "create-users-batch", map[string]any{"list": items(50)}, nil, &out)
	assert.Len(t, out, 50)
	assert.Len(t, e.s.Snapshot().Users, 50)
}

func TestUpdateBatchSameUserTwice(t *testing.T) {
	e := newEnv(t, orgSeed())
	var a wireUser
	e.ok(t, http.MethodPost, "create-user", map[string]any{"username": "a", "name": "A"}, nil, &a)
	var out []wireUser
	e.ok(t, http.MethodPost, "update-user-batch", map[string]any{"list": []map[string]any{
		{"userId": a.UserID, "name": "A1"}, {"userId": a.UserID, "email": "a@example.com"},
	}}, nil, &out)
	require.Len(t, out, 2)
	assert.Equal(t, "A1", *out[1].Name, "later items build on earlier ones")
	assert.Equal(t, "a@example.com", *out[1].Email)
	// update-user-batch takes Authing ids only.
	e.fail(t, http.MethodPost, "update-user-batch", map[string]any{"list": []map[string]any{{"userId": "a", "name": "x"}}}, nil, 404)
}

func TestUserDepartments(t *testing.T) {
	e := newEnv(t, orgSeed())
	var u wireUser
	e.ok(t, http.MethodPost, "create-user", map[string]any{"username": "a", "departmentIds": []string{"d-be"}}, nil, &u)
	e.ok(t, http.MethodPost, "set-user-departments", map[string]any{"userId": "a", "options": map[string]any{"userIdType": "username"},
		"departments": []map[string]any{{"departmentId": "d-rd", "isLeader": true}, {"departmentId": "root-id", "isMainDepartment": true}}}, nil, nil)
	var page struct {
		TotalCount int `json:"totalCount"`
		List       []struct {
			DepartmentID     string `json:"departmentId"`
			OrganizationCode string `json:"organizationCode"`
			IsRoot           bool   `json:"isRoot"`
			IsLeader         bool   `json:"isLeader"`
			IsMainDepartment bool   `json:"isMainDepartment"`
			OpenDepartmentID string `json:"openDepartmentId"`
			JoinedAt         string `json:"joinedAt"`
		} `json:"list"`
	}
	e.ok(t, http.MethodGet, "get-user-departments", nil, url.Values{"userId": {u.UserID}}, &page)
	require.Equal(t, 2, page.TotalCount)
	assert.Equal(t, "d-rd", page.List[0].DepartmentID)
	assert.True(t, page.List[0].IsLeader)
	assert.False(t, page.List[0].IsMainDepartment)
	assert.True(t, page.List[1].IsRoot)
	assert.True(t, page.List[1].IsMainDepartment)
	assert.Equal(t, "1", page.List[1].OpenDepartmentID)
	assert.NotEmpty(t, page.List[1].JoinedAt)

	env := e.fail(t, http.MethodPost, "set-user-departments", map[string]any{"userId": u.UserID,
		"departments": []map[string]any{{"departmentId": "x1"}, {"departmentId": "d-rd"}, {"departmentId": "x2"}}}, nil, 404)
	assert.Equal(t, "存在不合法的 departmentId: x1, x2", env.Message)
	e.fail(t, http.MethodGet, "get-user-departments", nil, url.Values{"userId": {"nope"}}, 404)

	// Leadership goes with the membership.
	e.ok(t, http.MethodPost, "set-user-departments", map[string]any{"userId": u.UserID, "departments": []map[string]any{{"departmentId": "d-be"}}}, nil, nil)
	snap := e.s.Snapshot()
	for _, d := range snap.Departments {
		assert.Empty(t, d.LeaderUserIDs, d.Name)
	}
	assert.Equal(t, []string{"d-be"}, snap.Users[0].DepartmentIDs)
	assert.Equal(t, "d-be", snap.Users[0].MainDepartmentID)
}

func TestDeleteUsersBatch(t *testing.T) {
	e := newEnv(t, orgSeed())
	e.ok(t, http.MethodPost, "create-users-batch", map[string]any{"list": []map[string]any{
		{"username": "a", "phone": "13800000001", "departmentIds": []string{"d-rd"}},
		{"username": "b", "phone": "13800000002"},
	}}, nil, nil)
	e.ok(t, http.MethodPost, "delete-users-batch", map[string]any{"userIds": []string{"13800000001", "13899999999"}, "options": map[string]any{"userIdType": "phone"}}, nil, nil)
	e.fail(t, http.MethodGet, "get-user", nil, url.Values{"userId": {"a"}, "userIdType": {"username"}}, 404)
	// The freed username and phone can be reused.
	e.ok(t, http.MethodPost, "create-user", map[string]any{"username": "a", "phone": "13800000001"}, nil, nil)
	e.fail(t, http.MethodGet, "get-user", nil, url.Values{"userId": {"x"}, "userIdType": {"identity"}}, 400)
}
