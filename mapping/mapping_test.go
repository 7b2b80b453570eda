package mapping

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, phone, code string
	}{
		{"13800000000", "13800000000", "+86"},
		{"+86 13800000000", "13800000000", "+86"},
		{"+86-138-0000-0000", "13800000000", "+86"},
		{"+8613800000000", "13800000000", "+86"},
		{"+85259000024", "59000024", "+852"},
		{"+852 5900 0024", "59000024", "+852"},
		{"  138 0000 0000 ", "13800000000", "+86"},
		{"", "", ""},
	}
	for _, tt := range tests {
		phone, code := NormalizePhone(tt.in)
		assert.Equal(t, tt.phone, phone, tt.in)
		assert.Equal(t, tt.code, code, tt.in)
	}
}

func TestFromContact(t *testing.T) {
	p := FromContact(Contact{UserID: "ZhangSan", Name: "张三", Alias: "Sam", Position: "工程师", Gender: "男",
		Mobile: "+86 13800000000", BizMail: "zs@corp.example", Disabled: true})
	assert.Equal(t, Profile{Username: "ZhangSan", Name: "张三", Nickname: "Sam", Phone: "13800000000", PhoneCountryCode: "+86",
		Email: "zs@corp.example", Gender: "M", Status: StatusSuspended, WeComUserID: "ZhangSan", Position: "工程师"}, p)

	p = FromContact(Contact{UserID: "lisi", Name: "李四", Gender: "", Email: "li@x.example", BizMail: "li@corp.example"})
	assert.Equal(t, "li@x.example", p.Email, "邮箱 wins over 企业邮箱")
	assert.Equal(t, "U", p.Gender)
	assert.Equal(t, StatusActivated, p.Status)
}

func TestFromAuthingMatchesFromContact(t *testing.T) {
	want := FromContact(Contact{UserID: "wangwu", Name: "王五", Mobile: "13900000000", Email: "WW@x.example", Gender: "女"})
	have := FromAuthing(AuthingUser{Username: "wangwu", Name: "王五", Phone: "13900000000", Email: "ww@x.example", Gender: "F",
		Status: StatusActivated, CustomData: map[string]any{KeyUserID: "wangwu"}})
	assert.Nil(t, Changes(want, have, nil), "same person in both systems: no changes (email case-insensitive, +86 implied)")
}

func TestChanges(t *testing.T) {
	have := Profile{Username: "u1", Name: "旧名", Phone: "13800000000", PhoneCountryCode: "+86", Email: "a@x.example", Gender: "M",
		Status: StatusActivated, WeComUserID: "u1", Position: "工程师"}
	tests := []struct {
		name   string
		want   Profile
		ignore []string
		out    map[string]any
	}{
		{"nothing changed", have, nil, nil},
		{"name changed", with(have, func(p *Profile) { p.Name = "新名" }), nil, map[string]any{"name": "新名"}},
		{"phone carries its code", with(have, func(p *Profile) { p.Phone = "13900000000" }), nil,
			map[string]any{"phone": "13900000000", "phoneCountryCode": "+86"}},
		{"ignored phone", with(have, func(p *Profile) { p.Phone = "13900000000" }), []string{"mobile"}, nil},
		{"empty in file never clears", with(have, func(p *Profile) { p.Email = "" }), nil, nil},
		{"custom data nested, with the userid the sync recognises users by", with(have, func(p *Profile) { p.Position = "经理" }), nil,
			map[string]any{"customData": map[string]any{KeyUserPosition: "经理", KeyUserID: "u1"}}},
		{"ignored custom key by bare name", with(have, func(p *Profile) { p.Position = "经理" }), []string{KeyUserPosition}, nil},
		{"disabled", with(have, func(p *Profile) { p.Status = StatusSuspended }), nil, map[string]any{"status": StatusSuspended}},
	}
	resigned := with(have, func(p *Profile) { p.Status = "Resigned" })
	assert.Nil(t, Changes(have, resigned, nil), "an Authing admin's Resigned is never set back to Activated")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.out, Changes(tt.want, have, tt.ignore))
		})
	}
}

func TestIsField(t *testing.T) {
	assert.True(t, IsField("mobile"))
	assert.True(t, IsField("email"))
	assert.True(t, IsField(KeyUserPosition))
	assert.False(t, IsField("password"))
}

func with(p Profile, f func(*Profile)) Profile {
	f(&p)
	return p
}
