package wecom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/wecomsync/wecomsync/clients/apierr"

	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
)

func TestUsersCreateGetUpdateDelete(t *testing.T) {
	e := setup(t, envConfig{})
	ctx := context.Background()
	us := e.client.Users

	u := &User{
		UserID: "newbie", Name: "新人", Alias: "Newbie", Mobile: "+86 13911112222", Email: "newbie@xinghe.example.com",
		Department: []int{3, 5}, IsLeaderInDept: []int{0, 1}, Position: "工程师", Gender: GenderFemale,
		ExtAttr:  &ExtAttr{Attrs: []ExtAttrItem{{Type: 0, Name: "工号", Text: &ExtAttrText{Value: "A001"}}}},
		ToInvite: Ptr(false),
		Status:   StatusActive, // answer-only: not sent
	}
	if err := us.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	got, err := us.Get(ctx, "newbie")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "新人" || got.Gender != GenderFemale || got.Status != StatusInactive || got.MainDepartment != 3 ||
		!slices.Equal(got.Department, []int{3, 5}) || got.ExtAttr == nil || got.ExtAttr.Attrs[0].Text.Value != "A001" {
		t.Fatalf("Get = %+v", got)
	}

	// Only the set fields are sent: the rest stays.
	if err := us.Update(ctx, &UserUpdate{UserID: "newbie", Position: Ptr("高级工程师"), Gender: Ptr(GenderMale)}); err != nil {
		t.Fatal(err)
	}
	got, _ = us.Get(ctx, "newbie")
	if got.Position != "高级工程师" || got.Gender != GenderMale || got.Name != "新人" || got.Mobile != "+86 13911112222" ||
		!slices.Equal(got.IsLeaderInDept, []int{0, 1}) {
		t.Fatalf("after update: %+v", got)
	}
	if err := us.Update(ctx, &UserUpdate{UserID: "newbie", Enable: Ptr(0)}); err != nil {
		t.Fatal(err)
	}
	if got, _ := us.Get(ctx, "newbie"); got.Status != StatusDisabled {
		t.Fatalf("status after disable = %d", got.Status)
	}
	if err := us.Update(ctx, &UserUpdate{UserID: "newbie", Enable: Ptr(1), Department: []int{4}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := us.Get(ctx, "newbie"); got.Status != StatusInactive || !slices.Equal(got.Department, []int{4}) {
		t.Fatalf("after enable and move: %+v", got)
	}

	if err := us.Delete(ctx, "newbie"); err != nil {
		t.Fatal(err)
	}
	if _, err := us.Get(ctx, "newbie"); !apierr.IsGone(err) {
		t.Fatalf("Get deleted: %v", err)
	}
	if err := us.Delete(ctx, "newbie"); !apierr.IsGone(err) {
		t.Fatalf("Delete deleted: %v", err)
	}
}

func TestUserUpdateSendsOnlySetFields(t *testing.T) {
	b, err := json.Marshal(&UserUpdate{UserID: "u", Name: Ptr(""), Enable: Ptr(0), DirectLeader: &[]string{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := string(b); got != `{"userid":"u","name":"","direct_leader":[],"enable":0}` {
		t.Fatalf("body = %s", got)
	}
}

func TestGenderDecodesNumbers(t *testing.T) {
	var u User
	if err := json.Unmarshal([]byte(`{"userid":"u","gender":1}`), &u); err != nil || u.Gender != GenderMale {
		t.Fatalf("numeric gender = %q, %v", u.Gender, err)
	}
	if err := json.Unmarshal([]byte(`{"userid":"u","gender":"2"}`), &u); err != nil || u.Gender != GenderFemale {
		t.Fatalf("string gender = %q, %v", u.Gender, err)
	}
	if err := json.Unmarshal([]byte(`{"gender":true}`), &u); err == nil {
		t.Fatal("bool gender accepted")
	}
}

func TestUserErrorsAreClassified(t *testing.T) {
	e := setup(t, envConfig{})
	ctx := context.Background()
	us := e.client.Users
	tests := []struct {
		name string
		user User
		is   func(error) bool
		code int
	}{
		{"userid taken (other case)", User{UserID: "ZhangWei", Name: "x", Department: []int{1}, Mobile: "13000000000"}, apierr.IsExists, 60102},
		{"mobile of another member", User{UserID: "x1", Name: "x", Department: []int{1}, Mobile: "+86 13800000001"}, apierr.IsRecord, 60104},
		{"email of another member", User{UserID: "x2", Name: "x", Department: []int{1}, Email: "lina@xinghe.example.com"}, apierr.IsRecord, 60106},
		{"no mobile or email", User{UserID: "x3", Name: "x", Department: []int{1}}, apierr.IsRecord, 60129},
		{"malformed userid", User{UserID: "x y", Name: "x", Department: []int{1}, Mobile: "13000000001"}, apierr.IsRecord, 40003},
		{"no department", User{UserID: "x4", Name: "x", Mobile: "13000000002"}, apierr.IsRecord, 60127},
		{"unknown department", User{UserID: "x5", Name: "x", Department: []int{99}, Mobile: "13000000003"}, apierr.IsRecord, 60003},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := us.Create(ctx, &tt.user)
			var ae *APIError
			if !tt.is(err) || !errors.As(err, &ae) || ae.ErrCode != tt.code || ae.Op != "user/create" {
				t.Fatalf("err = %v, want errcode %d of the expected class", err, tt.code)
			}
		})
	}
	if err := us.Update(ctx, &UserUpdate{UserID: "nobody", Name: Ptr("x")}); !apierr.IsGone(err) {
		t.Fatalf("update unknown: %v", err)
	}
}

func TestBatchDeleteSplitsAt200(t *testing.T) {
	f := wecomemu.Fixture{CorpName: "批量"}
	var ids []string
	for i := range 450 {
		id := fmt.Sprintf("b%03d", i)
		ids = append(ids, id)
		f.Users = append(f.Users, wecomemu.User{UserID: id, Name: id, Department: []int{1}})
	}
	f.Users = append(f.Users, wecomemu.User{UserID: "keep", Name: "keep", Department: []int{1}})
	e := setup(t, envConfig{seed: &f})
	ctx := context.Background()
	if err := e.client.Users.BatchDelete(ctx, ids); err != nil {
		t.Fatal(err)
	}
	if got := e.emu.Calls()["user/batchdelete"]; got != 3 {
		t.Fatalf("batchdelete calls = %d, want 3", got)
	}
	if users := e.emu.Snapshot().Users; len(users) != 1 || users[0].UserID != "keep" {
		t.Fatalf("left = %d users", len(users))
	}
	if err := e.client.Users.BatchDelete(ctx, nil); err != nil || e.emu.Calls()["user/batchdelete"] != 3 {
		t.Fatalf("empty BatchDelete: %v", err)
	}
	// An unknown id fails its call as a whole.
	err := e.client.Users.BatchDelete(ctx, []string{"keep", "ghost"})
	if !apierr.IsRecord(err) || errCode(err) != 40031 {
		t.Fatalf("batch with an unknown id: %v", err)
	}
	if len(e.emu.Snapshot().Users) != 1 {
		t.Fatal("a failed batch deleted a member")
	}
}

func TestUserLists(t *testing.T) {
	e := setup(t, envConfig{})
	ctx := context.Background()
	us := e.client.Users
	refs, err := us.SimpleList(ctx, 2, false)
	if err != nil || len(refs) != 1 || refs[0].UserID != "wangfang" || refs[0].Name != "王芳" {
		t.Fatalf("SimpleList(2) = %+v, %v", refs, err)
	}
	refs, err = us.SimpleList(ctx, 2, true)
	if err != nil || len(refs) != 9 {
		t.Fatalf("SimpleList(2, child) = %d, %v", len(refs), err)
	}
	users, err := us.List(ctx, 7, false)
	if err != nil || len(users) != 4 || users[0].UserID != "guoyan" || users[0].Mobile == "" || users[0].Gender != GenderFemale {
		t.Fatalf("List(7) = %+v, %v", users, err)
	}
	if _, err := us.List(ctx, 99, false); !apierr.IsRecord(err) {
		t.Fatalf("List of unknown department: %v", err)
	}
}

func TestListIDPagesAndAll(t *testing.T) {
	f := wecomemu.Fixture{CorpName: "大公司", Departments: []wecomemu.Department{{ID: 2, Name: "二部", ParentID: 1}}}
	const n = 12000
	for i := range n {
		d := []int{1}
		if i%3 == 0 {
			d = []int{2, 1}
		}
		f.Users = append(f.Users, wecomemu.User{UserID: fmt.Sprintf("u%05d", i), Name: "U", Department: d})
	}
	e := setup(t, envConfig{seed: &f})
	ctx := context.Background()
	const rows = n + n/3

	page, err := e.client.Users.ListID(ctx, &ListIDRequest{Limit: 5})
	if err != nil || len(page.DeptUser) != 5 || page.NextCursor == "" || page.DeptUser[0] != (DeptUser{UserID: "u00000", Department: 2}) {
		t.Fatalf("first page = %+v, %v", page, err)
	}
	if _, err := e.client.Users.ListID(ctx, &ListIDRequest{Limit: 10001}); !apierr.IsRecord(err) || errCode(err) != 40058 {
		t.Fatalf("limit 10001: %v", err)
	}

	e.emu.ResetCalls()
	seen := make(map[DeptUser]bool, rows)
	for row, err := range e.client.Users.ListIDAll(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		if seen[row] {
			t.Fatalf("row %+v twice", row)
		}
		seen[row] = true
	}
	if len(seen) != rows || e.emu.Calls()["user/list_id"] != 2 {
		t.Fatalf("ListIDAll = %d rows in %d calls, want %d in 2", len(seen), e.emu.Calls()["user/list_id"], rows)
	}

	// Stopping early stops paging.
	e.emu.ResetCalls()
	count := 0
	for _, err := range e.client.Users.ListIDAll(ctx, 100) {
		if err != nil {
			t.Fatal(err)
		}
		if count++; count == 150 {
			break
		}
	}
	if got := e.emu.Calls()["user/list_id"]; got != 2 {
		t.Fatalf("calls after break at 150 rows of 100-row pages = %d, want 2", got)
	}

	// An error is yielded once and ends the sequence.
	e.emu.FailNext("user/list_id", 48002, 1)
	var errs []error
	for _, err := range e.client.Users.ListIDAll(ctx, 0) {
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) != 1 || !apierr.IsRun(errs[0]) {
		t.Fatalf("errors = %v", errs)
	}
}

func TestDaiKaiFaHidesFields(t *testing.T) {
	e := setup(t, envConfig{emu: []wecomemu.Option{wecomemu.WithMode(wecomemu.ModeDaiKaiFa)}})
	ctx := context.Background()
	u, err := e.client.Users.Get(ctx, "lina")
	if err != nil {
		t.Fatal(err)
	}
	if u.Name != "李娜" || u.Mobile != "" || u.Email != "" || u.Gender != GenderUnknown || u.Address != "" || u.Avatar != "" {
		t.Fatalf("代开发 Get = %+v", u)
	}
	users, err := e.client.Users.List(ctx, 1, true)
	if err != nil || len(users) != 20 {
		t.Fatalf("List = %d, %v", len(users), err)
	}
	for _, u := range users {
		if u.Mobile != "" || u.Email != "" || u.BizMail != "" {
			t.Fatalf("代开发 List shows %+v", u)
		}
	}
}

func TestUserReadsFromNewIP(t *testing.T) {
	e := setup(t, envConfig{emu: []wecomemu.Option{wecomemu.WithNewIP(true)}})
	ctx := context.Background()
	if _, err := e.client.Users.Get(ctx, "lina"); !apierr.IsRun(err) || errCode(err) != 48009 {
		t.Fatalf("Get from a new IP: %v", err)
	}
	if _, err := e.client.Users.List(ctx, 1, true); !apierr.IsRun(err) {
		t.Fatalf("List from a new IP: %v", err)
	}
	if refs, err := e.client.Users.SimpleList(ctx, 1, true); err != nil || len(refs) != 20 {
		t.Fatalf("SimpleList from a new IP = %d, %v", len(refs), err)
	}
	n := 0
	for _, err := range e.client.Users.ListIDAll(ctx, 0) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 23 {
		t.Fatalf("ListIDAll from a new IP = %d rows", n)
	}
	// Writes still work.
	if err := e.client.Users.Update(ctx, &UserUpdate{UserID: "lina", Position: Ptr("组长")}); err != nil {
		t.Fatal(err)
	}
}
