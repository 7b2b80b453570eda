package mapping

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/directory"
)

func ptr[T any](v T) *T { return &v }

func TestFromContact(t *testing.T) {
	u := FromContact(Contact{UserID: "ZhangSan", Name: "张三", Alias: "Sam", Position: "工程师", Gender: "男",
		Mobile: "+86 13800000000", BizMail: "zs@corp.example", Disabled: ptr(true)})
	assert.Equal(t, directory.User{UserID: "ZhangSan", Name: "张三", Alias: "Sam", Mobile: "+86 13800000000",
		Email: "zs@corp.example", Gender: "M", Status: directory.StatusDisabled, Position: "工程师"}, u)

	u = FromContact(Contact{UserID: "lisi", Name: "李四", Email: "li@x.example", BizMail: "li@corp.example", Disabled: ptr(false)})
	assert.Equal(t, "li@x.example", u.Email, "邮箱 wins over 企业邮箱")
	assert.Equal(t, directory.StatusEnabled, u.Status)

	// Empty or absent is no value: nothing to compare, nothing to write.
	u = FromContact(Contact{UserID: "wangwu", Name: "王五"})
	assert.Equal(t, directory.User{UserID: "wangwu", Name: "王五"}, u)
	assert.Equal(t, "U", FromContact(Contact{Gender: "保密"}).Gender, "a value other than 男/女 is U")
}

func TestFromAuthingMatchesFromContact(t *testing.T) {
	want := FromContact(Contact{UserID: "wangwu", Name: "王五", Mobile: "13900000000", Email: "WW@x.example", Gender: "女", Disabled: ptr(false)})
	have := FromAuthing(AuthingUser{Username: "wangwu", Name: "王五", Phone: "13900000000", Email: "ww@x.example", Gender: "F",
		Status: StatusActivated, CustomData: map[string]any{KeyUserID: "wangwu"}})
	assert.Empty(t, directory.Diff(want, have, directory.AllFields()), "same person in both systems (email case-insensitive, +86 implied)")
	assert.Equal(t, "wangwu", have.UserID)
}

func TestAuthingFields(t *testing.T) {
	u := directory.User{UserID: "u1", Name: "名", Alias: "别", Mobile: "+852 59000024", Email: "a@x.example", Gender: "F",
		Position: "经理", Status: directory.StatusDisabled}
	assert.Equal(t, map[string]any{
		"name": "名", "nickname": "别", "phone": "59000024", "phoneCountryCode": "+852", "email": "a@x.example", "gender": "F",
		"status": StatusSuspended, "customData": map[string]any{KeyUserPosition: "经理", KeyUserID: "u1"},
	}, AuthingFields(u, directory.Fields()))
	assert.Nil(t, AuthingFields(directory.User{UserID: "u1"}, directory.Fields()), "no values, no payload")
	assert.Equal(t, map[string]any{"customData": map[string]any{KeyUserID: "u1"}}, AuthingLink(directory.User{UserID: "u1"}, nil))
}

func TestAuthingStatusesTheSyncDoesNotManage(t *testing.T) {
	have := FromAuthing(AuthingUser{Status: "Resigned"})
	want := directory.User{Status: directory.StatusEnabled}
	assert.Empty(t, directory.Diff(want, have, directory.AllFields()), "a resigned user is an Authing admin's decision")
}

func TestParseIgnoreFields(t *testing.T) {
	set, err := ParseIgnoreFields([]string{"phone", "Email", "nickname", "username", "customData.wechatwork_position", "enable"})
	require.NoError(t, err)
	assert.Equal(t, directory.FieldSet{directory.FieldMobile: true, directory.FieldEmail: true, directory.FieldAlias: true,
		directory.FieldPosition: true, directory.FieldStatus: true}, set)
	_, err = ParseIgnoreFields([]string{"salary"})
	assert.Error(t, err)
}
