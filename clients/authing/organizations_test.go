package authing

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/clients/apierr"
	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
)

func TestOrganizations(t *testing.T) {
	e := setup(t, authingemu.EmptySeed(), nil)
	ctx := context.Background()
	orgs, err := e.c.Organizations.List(ctx)
	require.NoError(t, err)
	assert.Empty(t, orgs)

	org, err := e.c.Organizations.Create(ctx, &CreateOrganizationRequest{OrganizationCode: "xinghe", OrganizationName: "星河科技", OpenDepartmentID: "1"})
	require.NoError(t, err)
	assert.Equal(t, "星河科技", org.OrganizationName)
	assert.NotEmpty(t, org.DepartmentID)
	assert.Equal(t, "1", org.OpenDepartmentID)

	got, err := e.c.Organizations.Get(ctx, "xinghe")
	require.NoError(t, err)
	assert.Equal(t, org.DepartmentID, got.DepartmentID)

	_, err = e.c.Organizations.Create(ctx, &CreateOrganizationRequest{OrganizationCode: "xinghe", OrganizationName: "again"})
	assert.True(t, apierr.IsExists(err), "%v", err)
	_, err = e.c.Organizations.Create(ctx, &CreateOrganizationRequest{OrganizationCode: "bad code!", OrganizationName: "x"})
	assert.True(t, apierr.IsRecord(err), "%v", err)
	_, err = e.c.Organizations.Get(ctx, "nope")
	assert.True(t, apierr.IsGone(err), "%v", err)
	assert.Contains(t, err.Error(), "organization not found for code: nope")
}

func TestOrganizationsListReadsAllPages(t *testing.T) {
	f := authingemu.EmptySeed()
	for i := range 120 {
		f.Organizations = append(f.Organizations, authingemu.Organization{OrganizationCode: fmt.Sprintf("org%03d", i), OrganizationName: fmt.Sprintf("组织%d", i)})
	}
	e := setup(t, f, nil)
	orgs, err := e.c.Organizations.List(context.Background())
	require.NoError(t, err)
	require.Len(t, orgs, 120)
	assert.Equal(t, "org000", orgs[0].OrganizationCode)
	assert.Equal(t, "org119", orgs[119].OrganizationCode)
	assert.Equal(t, 3, e.emu.Calls()["list-organizations"])
}
