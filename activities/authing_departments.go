package activities

import (
	"context"
	"fmt"
	"sync"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/wecomsync/wecomsync/clients/apierr"
	"github.com/wecomsync/wecomsync/clients/authing"
	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// ApplyDepartments creates the planned departments level by level (parents first), each level
// with bounded concurrency, and stores the resulting path → id map for the user chunks. It is safe
// to retry: on a retry it re-reads the tree and skips departments that already exist.
func (a *AuthingActivities) ApplyDepartments(ctx context.Context, in ApplyDepartmentsInput) (_ ApplyDepartmentsResult, err error) {
	defer a.Conns.explain(in.Connection, &err)
	var res ApplyDepartmentsResult
	c, err := a.Conns.Authing(in.Connection)
	if err != nil {
		return res, err
	}
	var snap TreeSnapshot
	if err := a.Store.GetJSON(ctx, in.Tree, &snap); err != nil {
		return res, err
	}
	creates, err := claimcheck.ReadAll[plan.DepartmentCreate](ctx, a.Store, in.Departments)
	if err != nil {
		return res, err
	}
	if in.CreateOrganization {
		org, err := ensureOrganization(ctx, c, in.OrganizationCode, in.OrganizationName)
		if err != nil {
			return res, err
		}
		snap.RootID = org.DepartmentID
	}
	if activity.GetInfo(ctx).Attempt > 1 && len(creates) > 0 {
		// An earlier attempt may have created some of them: start from what Authing has now.
		if snap, err = readTree(ctx, c, in.OrganizationCode); err != nil {
			return res, err
		}
	}
	ids := directory.NewTree(snap.RootID, snap.Departments).Paths()

	var mu sync.Mutex
	var failures []report.Failure
	created := 0
	hb := startHeartbeat(ctx, 0)
	defer hb.close()
	for _, level := range byDepth(creates) {
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(a.writeConcurrency())
		for _, d := range level {
			mu.Lock()
			_, exists := ids[d.Path]
			parentID, parentOK := ids[d.Parent]
			switch {
			case exists:
				res.Created++ // created by an earlier attempt of this run
			case !parentOK:
				failures = append(failures, report.Failure{Object: "department", Key: d.Path, Action: "create",
					Message: fmt.Sprintf("parent department %q could not be created", d.Parent)})
			}
			mu.Unlock()
			if exists || !parentOK {
				continue
			}
			g.Go(func() error {
				id, err := createDepartment(gctx, c, in.OrganizationCode, parentID, d.Name)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ids[d.Path] = id
					res.Created++
					created++ // by this attempt (the metric counts each write once)
				case apierr.IsPerObject(err):
					failures = append(failures, departmentFailure(d.Path, err))
				default:
					return classify(fmt.Sprintf("create department %q", d.Path), err)
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return res, err
		}
		hb.set(res.Created)
	}
	res.Failed = len(failures)
	a.Metrics.Written("department", "create", "ok", created)
	a.Metrics.Written("department", "create", "failed", res.Failed)
	res.FailureSample = failures[:min(len(failures), SampleSize)]
	if err := writeFailures(ctx, a.Store, in.Prefix+"failures/departments.jsonl", failures); err != nil {
		return res, err
	}
	ref, err := a.Store.PutJSON(ctx, in.Prefix+"apply/department-map.json", DepartmentMap{OrganizationCode: in.OrganizationCode, IDs: ids})
	if err != nil {
		return res, err
	}
	res.DepartmentMap = ref.Key
	a.Log.Info("departments applied", zap.Int("created", res.Created), zap.Int("failed", res.Failed))
	return res, nil
}

// createDepartment creates one department; when Authing says it exists already (a retried call
// that did succeed, or a department made meanwhile), the existing one is looked up and used.
func createDepartment(ctx context.Context, c *authing.Client, org, parentID, name string) (string, error) {
	d, err := c.Departments.Create(ctx, &authing.CreateDepartmentRequest{OrganizationCode: org, Name: name, ParentDepartmentID: parentID})
	if err == nil {
		return d.DepartmentID, nil
	}
	if !apierr.IsExists(err) {
		return "", err
	}
	children, lerr := c.Departments.ListChildren(ctx, org, parentID, false)
	if lerr != nil {
		return "", lerr
	}
	for _, ch := range children {
		if ch.Name == name {
			return ch.DepartmentID, nil
		}
	}
	return "", err
}

func departmentFailure(path string, err error) report.Failure {
	f := report.Failure{Object: "department", Key: path, Action: "create", Message: err.Error()}
	if e, ok := apiError(err); ok {
		f.Code, f.Message = e.StatusCode, e.Message
	}
	return f
}

func readTree(ctx context.Context, c *authing.Client, orgCode string) (TreeSnapshot, error) {
	org, _, err := pickOrganization(ctx, c, orgCode)
	if err != nil {
		return TreeSnapshot{}, err
	}
	deps, err := c.Departments.GetAll(ctx, orgCode, false)
	if err != nil {
		return TreeSnapshot{}, classify("read the departments of "+orgCode, err)
	}
	snap := TreeSnapshot{OrganizationCode: orgCode, RootID: org.DepartmentID}
	for _, d := range deps {
		snap.Departments = append(snap.Departments, directory.Department{ID: d.DepartmentID, ParentID: d.ParentDepartmentID, Name: d.Name})
	}
	return snap, nil
}

// ensureOrganization creates the organization, or finds it when an earlier attempt already did.
func ensureOrganization(ctx context.Context, c *authing.Client, code, name string) (authing.Organization, error) {
	find := func() (authing.Organization, bool, error) {
		orgs, err := c.Organizations.List(ctx)
		if err != nil {
			return authing.Organization{}, false, classify("list organizations", err)
		}
		for _, o := range orgs {
			if o.OrganizationCode == code {
				return o, true, nil
			}
		}
		return authing.Organization{}, false, nil
	}
	if org, ok, err := find(); err != nil || ok {
		return withRoot(org), err // an earlier attempt created it
	}
	created, err := c.Organizations.Create(ctx, &authing.CreateOrganizationRequest{OrganizationCode: code, OrganizationName: name})
	if err != nil {
		if org, ok, ferr := find(); ferr == nil && ok {
			return withRoot(org), nil // created meanwhile (or the answer was lost)
		}
		return authing.Organization{}, classify(fmt.Sprintf("create organization %q", code), err)
	}
	return withRoot(*created), nil
}

// withRoot makes sure the organization names its root: when Authing's answer leaves the root's
// id out, "root" addresses it (reference/authing-api.md §5.1).
func withRoot(o authing.Organization) authing.Organization {
	if o.DepartmentID == "" {
		o.DepartmentID = authing.RootDepartmentID
	}
	return o
}

// byDepth groups department creates by depth; the plan already orders them parents first.
func byDepth(creates []plan.DepartmentCreate) [][]plan.DepartmentCreate {
	var levels [][]plan.DepartmentCreate
	depth := -1
	for _, d := range creates {
		if dd := directory.Depth(d.Path); dd != depth {
			levels = append(levels, nil)
			depth = dd
		}
		levels[len(levels)-1] = append(levels[len(levels)-1], d)
	}
	return levels
}
