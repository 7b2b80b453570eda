package activities

import (
	"context"
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/clients/authing"
	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
)

// UserID fields a downstream run may take a created user's WeCom userid from.
const (
	UserIDFieldUsername   = "username"
	UserIDFieldEmail      = "email"
	UserIDFieldPhone      = "phone"
	UserIDFieldExternalID = "externalId"
	UserIDFieldUserID     = "userId"
	userIDFieldCustom     = "customData."
)

// CheckUserIDField reports whether f names an Authing attribute a userid can come from.
func CheckUserIDField(f string) error {
	switch {
	case f == UserIDFieldUsername, f == UserIDFieldEmail, f == UserIDFieldPhone, f == UserIDFieldExternalID, f == UserIDFieldUserID:
		return nil
	case strings.HasPrefix(f, userIDFieldCustom) && len(f) > len(userIDFieldCustom):
		return nil
	}
	return fmt.Errorf("userIdField %q is not username, email, phone, externalId, userId or customData.<key>", f)
}

// userIDOf is the value of field f of u: the userid u gets in WeCom when the run creates it.
func userIDOf(u authing.User, f string) string {
	switch f {
	case UserIDFieldEmail:
		return u.Email
	case UserIDFieldPhone:
		return u.Phone
	case UserIDFieldExternalID:
		return u.ExternalID
	case UserIDFieldUserID:
		return u.UserID
	case UserIDFieldUsername, "":
		return u.Username
	}
	return mapping.CustomString(u.CustomData, strings.TrimPrefix(f, userIDFieldCustom))
}

// ReadAuthingSource snapshots what a downstream run syncs: the organization's department tree
// with its WeCom ids, and every user of the pool with the desired WeCom values (members of the
// organization carry their departments; the others are read so that their WeCom members are
// recognised and never removed).
func (a *AuthingActivities) ReadAuthingSource(ctx context.Context, in ReadAuthingSourceInput) (_ ReadAuthingSourceResult, err error) {
	defer a.Conns.explain(in.Connection, &err)
	var res ReadAuthingSourceResult
	if err := CheckUserIDField(in.UserIDField); err != nil {
		return res, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeBadInput, nil)
	}
	c, org, exists, err := a.organization(ctx, in.Connection, in.OrganizationCode)
	if err != nil {
		return res, err
	}
	if !exists {
		return res, temporal.NewNonRetryableApplicationError("the user pool has no organization: there is nothing to sync into WeCom", ErrTypeRun, nil)
	}
	res.OrganizationCode = org.OrganizationCode
	deps, err := c.Departments.GetAll(ctx, org.OrganizationCode, true)
	if err != nil {
		return res, classify("read the departments of "+org.OrganizationCode, err)
	}
	tree := SourceTree{OrganizationCode: org.OrganizationCode, RootID: org.DepartmentID}
	inOrg := map[string]bool{org.DepartmentID: true, authing.RootDepartmentID: true}
	for _, d := range deps {
		if d.DepartmentID == org.DepartmentID {
			continue
		}
		inOrg[d.DepartmentID] = true
		tree.Departments = append(tree.Departments, plan.SourceDepartment{ID: d.DepartmentID, ParentID: d.ParentDepartmentID, Name: d.Name,
			WeComID: mapping.CustomString(d.CustomData, mapping.KeyDepartmentID), WeComParentID: mapping.CustomString(d.CustomData, mapping.KeyParentDepartmentID)})
	}
	res.Departments = len(tree.Departments)
	if res.Tree, err = a.Store.PutJSON(ctx, in.Prefix+"authing/source-tree.json", tree); err != nil {
		return res, err
	}
	if res.MissingCustomFields, err = missingCustomFields(ctx, c); err != nil {
		return res, err
	}
	members := map[string]bool{} // a set: a short read is read again
	res.Users, err = a.readAllUsers(ctx, c, in.Prefix+"authing/source-users.jsonl", func(u authing.User) any {
		s := sourceUser(u, in.UserIDField, inOrg, org.DepartmentID)
		if len(s.User.Departments) > 0 {
			members[u.UserID] = true
		}
		return s
	})
	if err != nil {
		return res, err
	}
	res.Members = len(members)
	a.Log.Info("Authing source read", zap.String("organization", res.OrganizationCode), zap.Int("departments", res.Departments),
		zap.Int("members", res.Members), zap.Int("users", res.Users.Count))
	return res, nil
}

// sourceUser is an Authing user as a downstream plan wants it in WeCom.
func sourceUser(u authing.User, userIDField string, inOrg map[string]bool, rootID string) plan.SourceUser {
	want := mapping.FromAuthing(mapping.AuthingUser{Username: u.Username, Name: u.Name, Nickname: u.Nickname, Phone: u.Phone,
		PhoneCountryCode: u.PhoneCountryCode, Email: u.Email, Gender: u.Gender, Status: u.Status, CustomData: u.CustomData})
	s := plan.SourceUser{AuthingID: u.UserID, UserID: want.UserID, NewUserID: directory.StripInvisible(userIDOf(u, userIDField)),
		WeComDepartmentIDs: mapping.CustomString(u.CustomData, mapping.KeyUserDepartmentIDs)}
	want.UserID, want.Status = "", mapping.DesiredStatus(u.Status)
	if want.Gender == directory.GenderUnknown {
		want.Gender = "" // Authing's default says nothing: WeCom's undefined is not written over
	}
	for _, id := range u.DepartmentIDs {
		if !inOrg[id] {
			continue
		}
		if id == authing.RootDepartmentID {
			id = rootID
		}
		if id == u.MainDepartmentID {
			want.Departments = append([]string{id}, want.Departments...)
		} else {
			want.Departments = append(want.Departments, id)
		}
	}
	s.User = want
	return s
}
