package authing

import (
	"context"
	"testing"

	"github.com/wecomsync/wecomsync/clients/apierr"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
)

// productFields are the four fields of reference §6.3.
func productFields() []CustomField {
	return []CustomField{
		{TargetType: TargetUser, Key: "wechatwork_user_id", DataType: "STRING", Label: "企业微信 UserID", IsUnique: true},
		{TargetType: TargetUser, Key: "wechatwork_department_ids", DataType: "STRING", Label: "企业微信部门ID列表"},
		{TargetType: TargetDepartment, Key: "wechatwork_department_id", DataType: "STRING", Label: "企业微信部门ID"},
		{TargetType: TargetDepartment, Key: "wechatwork_parent_department_id", DataType: "STRING", Label: "企业微信父部门ID"},
	}
}

func TestCustomFields(t *testing.T) {
	e := setup(t, authingemu.DemoSeed(), nil)
	ctx := context.Background()
	got, err := e.c.CustomFields.Get(ctx, TargetUser)
	require.NoError(t, err)
	assert.Empty(t, got, "the demo pool starts without the product's fields")

	out, err := e.c.CustomFields.Set(ctx, productFields())
	require.NoError(t, err)
	assert.Equal(t, productFields(), out)

	users, err := e.c.CustomFields.Get(ctx, TargetUser)
	require.NoError(t, err)
	assert.Equal(t, productFields()[:2], users)
	depts, err := e.c.CustomFields.Get(ctx, TargetDepartment)
	require.NoError(t, err)
	assert.Equal(t, productFields()[2:], depts)

	relabel := productFields()[1]
	relabel.Label = "部门"
	out, err = e.c.CustomFields.Set(ctx, []CustomField{relabel})
	require.NoError(t, err)
	assert.Equal(t, "部门", out[0].Label)

	tests := []struct {
		name  string
		field CustomField
		msg   string
	}{
		{"dataType is immutable", CustomField{TargetType: TargetUser, Key: "wechatwork_user_id", DataType: "NUMBER"}, "dataType 不可修改"},
		{"built-in key", CustomField{TargetType: TargetUser, Key: "email", DataType: "STRING"}, "email"},
		{"unknown data type", CustomField{TargetType: TargetUser, Key: "x", DataType: "ARRAY"}, "dataType"},
		{"bad target", CustomField{TargetType: "TEAM", Key: "x", DataType: "STRING"}, "targetType"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.c.CustomFields.Set(ctx, []CustomField{tt.field})
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, 400, ae.StatusCode)
			assert.Contains(t, ae.Message, tt.msg)
		})
	}
	_, err = e.c.CustomFields.Get(ctx, "GROUP")
	assert.True(t, apierr.IsRecord(err))
}
