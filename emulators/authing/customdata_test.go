package authing

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// writeBackSeed is orgSeed with two users (u1, u2) for the WeCom id write-back.
func writeBackSeed() Fixture {
	f := orgSeed()
	f.Users = []User{{UserID: "u1", Username: "zhangsan"}, {UserID: "u2", Username: "lisi"}}
	return f
}

func customData(targetType, id string, kv ...any) map[string]any {
	list := []map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		list = append(list, map[string]any{"key": kv[i], "value": kv[i+1]})
	}
	return map[string]any{"targetType": targetType, "targetIdentifier": id, "list": list}
}

func TestSetAndGetCustomData(t *testing.T) {
	e := newEnv(t, writeBackSeed())
	many := customData("USER", "u1")
	for range 51 {
		many["list"] = append(many["list"].([]map[string]any), map[string]any{"key": "level", "value": 1})
	}
	tests := []struct {
		name        string
		body        any
		want        int
		wantAPICode int
	}{
		{"user id", customData("USER", "u1", "wechatwork_user_id", "ZhangSan", "wechatwork_department_ids", "2,3"), 200, 0},
		{"number field", customData("USER", "u1", "level", 3), 200, 0},
		{"unique value of another user", customData("USER", "u2", "wechatwork_user_id", "ZhangSan"), 409, 0},
		{"undefined key", customData("USER", "u1", "nope", "x"), 400, 0},
		{"department key on a user", customData("USER", "u1", "wechatwork_department_id", "2"), 400, 0},
		{"wrong data type", customData("USER", "u1", "level", "high"), 400, 0},
		{"unknown user", customData("USER", "ghost", "wechatwork_user_id", "G"), 404, 2004},
		{"department", customData("DEPARTMENT", "d-rd", "wechatwork_department_id", "2"), 200, 0},
		{"organization root", customData("DEPARTMENT", "root-id", "wechatwork_department_id", "1"), 200, 0},
		{"user key on a department", customData("DEPARTMENT", "d-rd", "wechatwork_user_id", "x"), 400, 0},
		{"unknown department", customData("DEPARTMENT", "d-x", "wechatwork_department_id", "9"), 404, 0},
		{"role (none exist)", customData("ROLE", "admin", "k", "v"), 404, 0},
		{"bad target type", customData("ORG", "u1", "level", 1), 400, 0},
		{"no identifier", customData("USER", "", "level", 1), 400, 0},
		{"empty list", customData("USER", "u1"), 400, 0},
		{"51 items", many, 400, 0},
		{"value missing", map[string]any{"targetType": "USER", "targetIdentifier": "u1", "list": []map[string]any{{"key": "level"}}}, 400, 0},
		{"null removes", customData("USER", "u1", "wechatwork_department_ids", nil), 200, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == 200 {
				var out map[string]any
				e.ok(t, http.MethodPost, "set-custom-data", tt.body, nil, &out)
				assert.Equal(t, map[string]any{"success": true}, out)
				return
			}
			env := e.fail(t, http.MethodPost, "set-custom-data", tt.body, nil, tt.want)
			if tt.wantAPICode != 0 {
				assert.Equal(t, tt.wantAPICode, env.APICode)
			}
		})
	}

	get := func(targetType, id string) map[string]any {
		var out map[string]any
		e.ok(t, http.MethodGet, "get-custom-data", nil, url.Values{"targetType": {targetType}, "targetIdentifier": {id}}, &out)
		return out
	}
	assert.Equal(t, map[string]any{"wechatwork_user_id": "ZhangSan", "level": float64(3)}, get("USER", "u1"))
	assert.Equal(t, map[string]any{}, get("USER", "u2"))
	assert.Equal(t, map[string]any{"wechatwork_department_id": "2"}, get("DEPARTMENT", "d-rd"))
	assert.Equal(t, map[string]any{"wechatwork_department_id": "1"}, get("DEPARTMENT", "root-id"))
	e.fail(t, http.MethodGet, "get-custom-data", nil, url.Values{"targetType": {"USER"}, "targetIdentifier": {"ghost"}}, 404)
	e.fail(t, http.MethodGet, "get-custom-data", nil, url.Values{"targetType": {"X"}, "targetIdentifier": {"u1"}}, 400)

	// The written value is what the sync looks users up by afterwards.
	var found userList
	e.ok(t, http.MethodPost, "list-users", map[string]any{
		"advancedFilter": []map[string]any{cond("wechatwork_user_id", "EQUAL", "ZhangSan")},
		"options":        map[string]any{"withCustomData": true}}, nil, &found)
	assert.Equal(t, []string{"u1"}, ids(found))
	var d wireDept
	e.ok(t, http.MethodGet, "get-department", nil, url.Values{"organizationCode": {"xinghe"}, "departmentId": {"d-rd"}, "withCustomData": {"true"}}, &d)
	assert.Equal(t, "2", d.CustomData["wechatwork_department_id"])
}

func TestCustomFieldDefinitions(t *testing.T) {
	e := newEnv(t, writeBackSeed())
	e.ok(t, http.MethodPost, "set-custom-data", customData("USER", "u1", "wechatwork_user_id", "ZhangSan", "level", 2), nil, nil)
	e.ok(t, http.MethodPost, "set-custom-data", customData("DEPARTMENT", "d-rd", "wechatwork_department_id", "2"), nil, nil)

	type page struct {
		TotalCount int `json:"totalCount"`
		List       []struct {
			Key      string `json:"key"`
			DataType string `json:"dataType"`
		} `json:"list"`
	}
	lists := []struct {
		name     string
		q        url.Values
		wantKeys []string
		total    int
	}{
		{"users' fields", url.Values{"targetType": {"USER"}}, []string{"wechatwork_user_id", "wechatwork_department_ids", "level"}, 3},
		{"paged", url.Values{"targetType": {"USER"}, "page": {"2"}, "limit": {"2"}}, []string{"level"}, 3},
		{"by data type", url.Values{"targetType": {"USER"}, "dataType": {"NUMBER"}}, []string{"level"}, 1},
		{"by keyword", url.Values{"targetType": {"USER"}, "keyword": {"department"}}, []string{"wechatwork_department_ids"}, 1},
		{"departments' fields", url.Values{"targetType": {"DEPARTMENT"}}, []string{"wechatwork_department_id"}, 1},
	}
	for _, tt := range lists {
		t.Run(tt.name, func(t *testing.T) {
			var p page
			e.ok(t, http.MethodGet, "list-custom-fields", nil, tt.q, &p)
			var keys []string
			for _, f := range p.List {
				keys = append(keys, f.Key)
			}
			assert.Equal(t, tt.wantKeys, keys)
			assert.Equal(t, tt.total, p.TotalCount)
		})
	}
	e.fail(t, http.MethodGet, "list-custom-fields", nil, url.Values{"targetType": {"GROUP"}}, 400)
	e.fail(t, http.MethodGet, "list-custom-fields", nil, url.Values{"targetType": {"USER"}, "dataType": {"ARRAY"}}, 400)
	e.fail(t, http.MethodGet, "list-custom-fields", nil, url.Values{"targetType": {"USER"}, "limit": {"51"}}, 400)

	deletes := []struct {
		name string
		body map[string]any
		want int
	}{
		{"bad target type", map[string]any{"list": []map[string]any{{"targetType": "ORG", "key": "level"}}}, 400},
		{"no key", map[string]any{"list": []map[string]any{{"targetType": "USER"}}}, 400},
		{"empty list", map[string]any{"list": []map[string]any{}}, 400},
		{"user and department fields", map[string]any{"list": []map[string]any{
			{"targetType": "USER", "key": "wechatwork_user_id"}, {"targetType": "DEPARTMENT", "key": "wechatwork_department_id"}}}, 200},
		{"again: undefined keys are ignored", map[string]any{"list": []map[string]any{{"targetType": "USER", "key": "wechatwork_user_id"}}}, 200},
	}
	for _, tt := range deletes {
		t.Run("delete "+tt.name, func(t *testing.T) {
			if tt.want == 200 {
				e.ok(t, http.MethodPost, "delete-custom-fields", tt.body, nil, nil)
			} else {
				e.fail(t, http.MethodPost, "delete-custom-fields", tt.body, nil, tt.want)
			}
		})
	}
	var data map[string]any
	e.ok(t, http.MethodGet, "get-custom-data", nil, url.Values{"targetType": {"USER"}, "targetIdentifier": {"u1"}}, &data)
	assert.Equal(t, map[string]any{"level": float64(2)}, data, "values of deleted fields are gone")
	var deptData map[string]any
	e.ok(t, http.MethodGet, "get-custom-data", nil, url.Values{"targetType": {"DEPARTMENT"}, "targetIdentifier": {"d-rd"}}, &deptData)
	assert.Empty(t, deptData)
	e.fail(t, http.MethodPost, "set-custom-data", customData("USER", "u2", "wechatwork_user_id", "x"), nil, 400)
	e.fail(t, http.MethodPost, "list-users", map[string]any{"advancedFilter": []map[string]any{cond("wechatwork_user_id", "EQUAL", "ZhangSan")}}, nil, 400)
	// Defined again, the key holds nothing: the index forgot the deleted values.
	e.ok(t, http.MethodPost, "set-custom-fields", map[string]any{"list": []map[string]any{{"targetType": "USER", "key": "wechatwork_user_id", "dataType": "STRING"}}}, nil, nil)
	var found userList
	e.ok(t, http.MethodPost, "list-users", map[string]any{"advancedFilter": []map[string]any{cond("wechatwork_user_id", "EQUAL", "ZhangSan")}}, nil, &found)
	assert.Empty(t, ids(found))
}

func TestWriteBackThroughUpdates(t *testing.T) {
	e := newEnv(t, writeBackSeed())
	var d wireDept
	e.ok(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": "d-be",
		"customData": map[string]any{"wechatwork_department_id": "3"}}, nil, &d)
	assert.Equal(t, map[string]any{"wechatwork_department_id": "3"}, d.CustomData)
	var moved wireDept
	e.ok(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": "3", "departmentIdType": "open_department_id",
		"parentDepartmentId": "root", "name": "后端部"}, nil, &moved)
	assert.Equal(t, "root-id", *moved.ParentDepartmentID, "moved to the top level")
	assert.Equal(t, "后端部", moved.Name)
	assert.Equal(t, map[string]any{"wechatwork_department_id": "3"}, moved.CustomData, "a move keeps the custom data")
	var cleared wireDept
	e.ok(t, http.MethodPost, "update-department", map[string]any{"organizationCode": "xinghe", "departmentId": "d-be",
		"customData": map[string]any{"wechatwork_department_id": nil}}, nil, &cleared)
	assert.Empty(t, cleared.CustomData, "null removes the key")

	batch := []struct {
		name  string
		items []map[string]any
		want  int
	}{
		{"ids for two users", []map[string]any{
			{"userId": "u1", "customData": map[string]any{"wechatwork_user_id": "ZhangSan", "wechatwork_department_ids": "2"}},
			{"userId": "u2", "customData": map[string]any{"wechatwork_user_id": "LiSi"}}}, 200},
		{"a clash fails the batch", []map[string]any{
			{"userId": "u1", "customData": map[string]any{"wechatwork_department_ids": "2,3"}},
			{"userId": "u2", "customData": map[string]any{"wechatwork_user_id": "ZhangSan"}}}, 409},
		{"an undefined key fails the batch", []map[string]any{{"userId": "u1", "customData": map[string]any{"nope": 1}}}, 400},
	}
	for _, tt := range batch {
		t.Run(tt.name, func(t *testing.T) {
			body := map[string]any{"list": tt.items}
			if tt.want == 200 {
				e.ok(t, http.MethodPost, "update-user-batch", body, nil, nil)
			} else {
				e.fail(t, http.MethodPost, "update-user-batch", body, nil, tt.want)
			}
		})
	}
	snap := e.s.Snapshot()
	require.Len(t, snap.Users, 2)
	assert.Equal(t, map[string]any{"wechatwork_user_id": "ZhangSan", "wechatwork_department_ids": "2"}, snap.Users[0].CustomData)
	assert.Equal(t, map[string]any{"wechatwork_user_id": "LiSi"}, snap.Users[1].CustomData)
}
