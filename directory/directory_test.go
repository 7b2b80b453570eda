package directory

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestPhones(t *testing.T) {
	tests := []struct{ in, want string }{
		{"13800000000", "+86 13800000000"},
		{"+86 13800000000", "+86 13800000000"},
		{"+86-138-0000-0000", "+86 13800000000"},
		{"+8613800000000", "+86 13800000000"},
		{"+85259000024", "+852 59000024"},
		{"+852 5900 0024", "+852 59000024"},
		{"  138 0000 0000 ", "+86 13800000000"},
		{"", ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, NormalizePhone(tt.in), tt.in)
	}
	n, c := SplitPhone("+852 59000024")
	assert.Equal(t, []string{"59000024", "+852"}, []string{n, c})
}

func TestUserKey(t *testing.T) {
	for _, id := range []string{"ZhangSan", "zhang\u200dsan", "\ufeffzhangsan", "zhangsan\u00a0", "zhang\u2060san", "ｚｈａｎｇｓａｎ", " zhang san "} {
		assert.Equal(t, "zhangsan", UserKey(id), "%q", id)
	}
	assert.Equal(t, "zhang\u00adsan", "zhang\u00adsan")
	assert.Equal(t, "zhangsan", UserKey("zhang\u00adsan"), "soft hyphen")
	assert.Equal(t, "a b", StripInvisible("\u200b a b\u00a0"), "inner spaces stay in the cell text")
}

// The short way of UserKey (ids that are their own key) agrees with the long one on every ASCII
// character, wherever it stands.
func TestUserKeyShortWay(t *testing.T) {
	for c := range 0x80 {
		for _, id := range []string{string(rune(c)), "zhang" + string(rune(c)) + "san", "zhangsan" + string(rune(c))} {
			assert.Equal(t, foldKey(id), UserKey(id), "%q", id)
		}
	}
	for _, id := range []string{"", "zhangsan", "zhang.san-01@example.com", "ZhangSan", "张三", "zhangsan\u200b"} {
		assert.Equal(t, foldKey(id), UserKey(id), "%q", id)
	}
}

func TestDiff(t *testing.T) {
	have := User{Name: "旧", Email: "A@x.example", Gender: "M", Status: StatusDisabled}
	want := User{Name: "新", Email: "a@X.example"}
	assert.Equal(t, []Field{FieldName}, Diff(want, have, AllFields()), "empty fields and case-only email differences are not changes")
	assert.Empty(t, Diff(want, have, AllFields().Without(FieldSet{FieldName: true})))
	assert.Empty(t, Diff(User{Status: StatusEnabled}, User{Status: "Resigned"}, AllFields()))
	assert.Equal(t, []Field{FieldStatus}, Diff(User{Status: StatusEnabled}, User{}, AllFields()))
}

func TestSameDepartments(t *testing.T) {
	assert.True(t, SameDepartments([]string{"a", "b"}, []string{"b", "a"}, false))
	assert.False(t, SameDepartments([]string{"a", "b"}, []string{"b", "a"}, true))
	assert.False(t, SameDepartments([]string{"a"}, []string{"a", "b"}, false))
}

func TestParseField(t *testing.T) {
	for name, want := range map[string]Field{"mobile": FieldMobile, "phone": FieldMobile, "nickname": FieldAlias, "enable": FieldStatus, "Position": FieldPosition} {
		f, err := ParseField(name)
		assert.NoError(t, err)
		assert.Equal(t, want, f, name)
	}
	_, err := ParseField("salary")
	assert.ErrorContains(t, err, "not a synced field")
}

func TestTree(t *testing.T) {
	tr := NewTree("r", []Department{
		{ID: "d2", ParentID: "d1", Name: "后端组"},
		{ID: "d1", ParentID: "r", Name: "研发中心"},
		{ID: "x", ParentID: "nowhere", Name: "孤儿"},
		{ID: "d1b", ParentID: "r", Name: "研发中心"}, // a same-named sibling: no unique path
	})
	id, ok := tr.ID("研发中心/后端组")
	assert.True(t, ok)
	assert.Equal(t, "d2", id)
	p, ok := tr.Path("d2")
	assert.True(t, ok)
	assert.Equal(t, "研发中心/后端组", p)
	rootID, _ := tr.ID(RootPath)
	assert.Equal(t, "r", rootID)
	assert.Len(t, tr.Problems, 2)
	assert.Equal(t, 3, tr.Len())
}
