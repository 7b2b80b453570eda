package authing

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSeedSnapshotRoundTrip(t *testing.T) {
	s := New(WithPool(tPool, tSecret))
	require.NoError(t, s.Seed(listSeed()))
	snap := s.Snapshot()
	assert.Equal(t, tPool, snap.UserPoolID)
	require.Len(t, snap.Departments, 2)
	assert.Equal(t, "研发中心", snap.Departments[0].Name, "parents first")
	assert.Equal(t, "root-id", snap.Departments[0].ParentDepartmentID)
	require.Len(t, snap.Users, 5)
	assert.Equal(t, "d-be", snap.Users[3].MainDepartmentID)

	b, err := json.Marshal(snap)
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "fixture.json")
	require.NoError(t, os.WriteFile(path, b, 0o600))
	other := New(WithPool(tPool, tSecret))
	require.NoError(t, other.LoadFixture(path))
	assert.Equal(t, snap, other.Snapshot())
}

func TestGeneratedIDsSkipSeededOnes(t *testing.T) {
	first := newEnv(t, DemoSeed())
	var a wireUser
	first.ok(t, http.MethodPost, "create-user", map[string]any{"username": "a"}, nil, &a)
	second := newEnv(t, first.s.Snapshot())
	for _, name := range []string{"b", "c", "d"} {
		var u wireUser
		second.ok(t, http.MethodPost, "create-user", map[string]any{"username": name}, nil, &u)
		assert.NotEqual(t, a.UserID, u.UserID)
	}
	var d map[string]any
	second.ok(t, http.MethodPost, "create-department", map[string]any{"organizationCode": "xinghe", "name": "x", "parentDepartmentId": "root"}, nil, &d)
	assert.NotEqual(t, first.s.Snapshot().Organizations[0].DepartmentID, d["departmentId"])
	assert.Len(t, second.s.Snapshot().Users, 4)
	var got wireUser
	second.ok(t, http.MethodGet, "get-user", nil, url.Values{"userId": {a.UserID}}, &got)
	assert.Equal(t, "a", *got.Username)
}

func TestSnapshotIsACopy(t *testing.T) {
	s := New()
	require.NoError(t, s.Seed(listSeed()))
	snap := s.Snapshot()
	snap.Users[0].CustomData["wechatwork_user_id"] = "changed"
	snap.Users[0].DepartmentIDs[0] = "changed"
	snap.CustomFields[0].Key = "changed"
	again := s.Snapshot()
	assert.Equal(t, "ZhangSan", again.Users[0].CustomData["wechatwork_user_id"])
	assert.Equal(t, "d-be", again.Users[0].DepartmentIDs[0])
	assert.Equal(t, "wechatwork_user_id", again.CustomFields[0].Key)
}

func TestSeedRejects(t *testing.T) {
	mutate := func(f func(*Fixture)) Fixture {
		fx := listSeed()
		f(&fx)
		return fx
	}
	tests := []struct {
		name string
		f    Fixture
		msg  string
	}{
		{"other pool", mutate(func(f *Fixture) { f.UserPoolID = "pool-2" }), "pool-2"},
		{"missing parent", mutate(func(f *Fixture) { f.Departments[0].ParentDepartmentID = "ghost" }), "ghost"},
		{"duplicate username", mutate(func(f *Fixture) { f.Users[1].Username = "zhangsan" }), "username"},
		{"duplicate user id", mutate(func(f *Fixture) { f.Users[1].UserID = "u1" }), "u1"},
		{"undefined custom key", mutate(func(f *Fixture) { f.Users[0].CustomData["x"] = "y" }), "x"},
		{"unique custom value", mutate(func(f *Fixture) { f.Users[1].CustomData["wechatwork_user_id"] = "ZhangSan" }), "wechatwork_user_id"},
		{"unknown department", mutate(func(f *Fixture) { f.Users[0].DepartmentIDs = []string{"nope"} }), "nope"},
		{"foreign main department", mutate(func(f *Fixture) { f.Users[0].MainDepartmentID = "d-rd" }), "mainDepartmentId"},
		{"leader not a user", mutate(func(f *Fixture) { f.Departments[0].LeaderUserIDs = []string{"ghost"} }), "ghost"},
		{"duplicate organization", mutate(func(f *Fixture) { f.Organizations = append(f.Organizations, f.Organizations[0]) }), "xinghe"},
		{"sibling names", mutate(func(f *Fixture) {
			f.Departments = append(f.Departments, Department{OrganizationCode: "xinghe", Name: "研发中心"})
		}), "研发中心"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(WithPool(tPool, tSecret))
			require.NoError(t, s.Seed(DemoSeed()))
			err := s.Seed(tt.f)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Equal(t, "xinghe", s.Snapshot().Organizations[0].OrganizationCode, "state unchanged")
			assert.Empty(t, s.Snapshot().Departments)
		})
	}
}

func TestDemoAndEmptySeeds(t *testing.T) {
	s := New()
	require.NoError(t, s.Seed(DemoSeed()))
	snap := s.Snapshot()
	require.Len(t, snap.Organizations, 1)
	assert.Equal(t, "xinghe", snap.Organizations[0].OrganizationCode)
	assert.Equal(t, "星河科技", snap.Organizations[0].OrganizationName)
	assert.NotEmpty(t, snap.Organizations[0].DepartmentID)
	assert.Empty(t, snap.Departments)
	assert.Empty(t, snap.Users)
	assert.Empty(t, snap.CustomFields, "the sync has to define the custom fields")

	require.NoError(t, s.Seed(EmptySeed()))
	assert.Empty(t, s.Snapshot().Organizations)

	_, err := ReadFixture(filepath.Join(t.TempDir(), "missing.json"))
	assert.Error(t, err)
}
