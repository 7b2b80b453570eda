package activities

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/clients/authing"
	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/internal/metrics"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
)

// DefaultOrganizationCode is the code of the organization created in a pool that has none.
const DefaultOrganizationCode = "wecom"

// AuthingActivities read and write Authing. Credentials stay inside Conns, in the worker.
type AuthingActivities struct {
	Conns Connections
	Store *claimcheck.Store
	Log   *zap.Logger
	// ReadConcurrency is how many list-users pages are read at once (default 8).
	ReadConcurrency int
	// WriteConcurrency is how many write calls one activity has in flight (default 4).
	WriteConcurrency int
	// Metrics (optional) counts the objects written.
	Metrics *metrics.Metrics
}

func (a *AuthingActivities) readConcurrency() int  { return positiveOr(a.ReadConcurrency, 8) }
func (a *AuthingActivities) writeConcurrency() int { return positiveOr(a.WriteConcurrency, 4) }

func positiveOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// ReadAuthing snapshots the organization's department tree and the users the sync owns (those with
// wechatwork_user_id) into the store.
func (a *AuthingActivities) ReadAuthing(ctx context.Context, in ReadAuthingInput) (_ ReadAuthingResult, err error) {
	defer a.Conns.explain(in.Connection, &err)
	var res ReadAuthingResult
	c, org, exists, err := a.organization(ctx, in.Connection, in.OrganizationCode)
	if err != nil {
		return res, err
	}
	res.OrganizationCode, res.OrganizationExists = org.OrganizationCode, exists

	tree := TreeSnapshot{OrganizationCode: org.OrganizationCode, RootID: org.DepartmentID}
	if exists {
		deps, err := c.Departments.GetAll(ctx, org.OrganizationCode, false)
		if err != nil {
			return res, classify("read the departments of "+org.OrganizationCode, err)
		}
		for _, d := range deps {
			if d.DepartmentID != org.DepartmentID {
				tree.Departments = append(tree.Departments, directory.Department{ID: d.DepartmentID, ParentID: d.ParentDepartmentID, Name: d.Name})
			}
		}
	}
	res.Departments = len(tree.Departments)
	if res.Tree, err = a.Store.PutJSON(ctx, in.Prefix+"authing/tree.json", tree); err != nil {
		return res, err
	}

	res.MissingCustomFields, err = missingCustomFields(ctx, c)
	if err != nil {
		return res, err
	}
	// Every user of the pool is read: those the sync owns (they carry wechatwork_user_id) are
	// compared and may be deleted; the others may be adopted by a member of the file.
	res.Users, err = a.readAllUsers(ctx, c, in.Prefix+"authing/users.jsonl", func(u authing.User) any { return currentUser(u) })
	if err != nil {
		return res, err
	}
	a.Log.Info("Authing read", zap.String("organization", res.OrganizationCode), zap.Int("departments", res.Departments),
		zap.Int("users", res.Users.Count))
	return res, nil
}

// readAllUsers writes every user of the pool once (by Authing id), as convert makes it, to the
// JSON lines at key. Pages are read in parallel; a server whose order is not stable across pages
// could skip or repeat users. Repeats are dropped; a short read is read again page by page.
func (a *AuthingActivities) readAllUsers(ctx context.Context, c *authing.Client, key string, convert func(authing.User) any) (claimcheck.Ref, error) {
	ref, total, err := a.readUsers(ctx, c, key, a.readConcurrency(), convert)
	if err != nil || ref.Count >= total {
		return ref, err
	}
	a.Log.Warn("list-users returned fewer users than it announced; reading again page by page",
		zap.Int("read", ref.Count), zap.Int("announced", total))
	if ref, total, err = a.readUsers(ctx, c, key, 1, convert); err == nil && ref.Count < total {
		err = fmt.Errorf("read the users: Authing announced %d but listed %d; the pool may be changing, try again", total, ref.Count)
	}
	return ref, err
}

// readUsers writes every user of the pool once (by Authing id) to key. It also returns how many
// users Authing announced.
func (a *AuthingActivities) readUsers(ctx context.Context, c *authing.Client, key string, parallel int, convert func(authing.User) any) (claimcheck.Ref, int, error) {
	w, err := a.Store.NewLineWriter(ctx, key)
	if err != nil {
		return claimcheck.Ref{}, 0, err
	}
	seen := map[string]bool{}
	total, err := c.Users.ForEachPage(ctx, usersQuery(nil), parallel, func(page []authing.User) error {
		for _, u := range page {
			if seen[u.UserID] {
				continue
			}
			seen[u.UserID] = true
			if err := w.Write(convert(u)); err != nil {
				return err
			}
		}
		activity.RecordHeartbeat(ctx, len(seen))
		return nil
	})
	if err != nil {
		w.Abort()
		return claimcheck.Ref{}, 0, classify("read the users", err)
	}
	ref, err := w.Close()
	return ref, total, err
}

// usersQuery lists every user of the pool (filters nil) or those matching filters, with what the
// plan compares.
func usersQuery(filters []authing.Filter) *authing.ListUsersRequest {
	return &authing.ListUsersRequest{
		AdvancedFilter: filters,
		Options: authing.ListUsersOptions{
			Pagination: authing.Pagination{Page: 1, Limit: 50},
			// A fixed order keeps pages stable while they are read in parallel.
			Sort:              []authing.Sort{{Field: "createdAt", Order: "asc"}},
			WithCustomData:    true,
			WithDepartmentIDs: true,
		},
	}
}

// ownedUsersQuery lists the users that carry one of the WeCom userids ids.
func ownedUsersQuery(ids []string) *authing.ListUsersRequest {
	return usersQuery([]authing.Filter{{Field: mapping.KeyUserID, Operator: authing.OpIn, Value: ids}})
}

func currentUser(u authing.User) plan.CurrentUser {
	return plan.CurrentUser{
		AuthingID: u.UserID,
		Username:  u.Username,
		User: mapping.FromAuthing(mapping.AuthingUser{
			Username: u.Username, Name: u.Name, Nickname: u.Nickname, Phone: u.Phone, PhoneCountryCode: u.PhoneCountryCode,
			Email: u.Email, Gender: u.Gender, Status: u.Status, CustomData: u.CustomData,
		}),
		DepartmentIDs:    u.DepartmentIDs,
		MainDepartmentID: u.MainDepartmentID,
	}
}

// organization is the connection's Authing client and the organization a run syncs (exists is
// false when the pool has none yet).
func (a *AuthingActivities) organization(ctx context.Context, conn, code string) (*authing.Client, authing.Organization, bool, error) {
	c, err := a.Conns.Authing(conn)
	if err != nil {
		return nil, authing.Organization{}, false, err
	}
	org, exists, err := pickOrganization(ctx, c, code)
	return c, org, exists, err
}

// pickOrganization finds the organization to sync into. With no code, the pool's only organization
// is used; a pool with none gets DefaultOrganizationCode (created by the apply step).
func pickOrganization(ctx context.Context, c *authing.Client, code string) (authing.Organization, bool, error) {
	orgs, err := c.Organizations.List(ctx)
	if err != nil {
		return authing.Organization{}, false, classify("list organizations", err)
	}
	codes := make([]string, 0, len(orgs))
	for _, o := range orgs {
		if code != "" && o.OrganizationCode == code {
			return withRoot(o), true, nil
		}
		codes = append(codes, o.OrganizationCode)
	}
	sort.Strings(codes)
	switch {
	case code != "":
		return authing.Organization{}, false, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("organization %q does not exist in the user pool (it has: %s)", code, listOrNone(codes)), ErrTypeRun, nil)
	case len(orgs) == 1:
		return withRoot(orgs[0]), true, nil
	case len(orgs) == 0:
		return authing.Organization{OrganizationCode: DefaultOrganizationCode}, false, nil
	}
	return authing.Organization{}, false, temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("the user pool has %d organizations (%s): choose one with organizationCode", len(orgs), listOrNone(codes)), ErrTypeBadInput, nil)
}

func listOrNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// missingCustomFields lists the custom fields the sync needs that Authing lacks.
func missingCustomFields(ctx context.Context, c *authing.Client) ([]string, error) {
	have := map[string]bool{}
	for _, target := range []string{"USER", "DEPARTMENT"} {
		fields, err := c.CustomFields.Get(ctx, target)
		if err != nil {
			return nil, classify("read the "+target+" custom fields", err)
		}
		for _, f := range fields {
			have[target+"/"+f.Key] = true
		}
	}
	var missing []string
	for _, f := range mapping.CustomFields() {
		if !have[f.TargetType+"/"+f.Key] {
			missing = append(missing, f.Key)
		}
	}
	return missing, nil
}

// EnsureCustomFields creates the custom fields the sync needs that Authing lacks.
func (a *AuthingActivities) EnsureCustomFields(ctx context.Context, in EnsureCustomFieldsInput) (_ EnsureCustomFieldsResult, err error) {
	defer a.Conns.explain(in.Connection, &err)
	var res EnsureCustomFieldsResult
	c, err := a.Conns.Authing(in.Connection)
	if err != nil {
		return res, err
	}
	missing, err := missingCustomFields(ctx, c)
	if err != nil || len(missing) == 0 {
		return res, err
	}
	var set []authing.CustomField
	for _, f := range mapping.CustomFields() {
		if slices.Contains(missing, f.Key) {
			set = append(set, authing.CustomField{TargetType: f.TargetType, Key: f.Key, DataType: "STRING", Label: f.Label, IsUnique: f.IsUnique})
		}
	}
	if _, err := c.CustomFields.Set(ctx, set); err != nil {
		return res, classify("create custom fields", err)
	}
	res.Created = missing
	return res, nil
}
