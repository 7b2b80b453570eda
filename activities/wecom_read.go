package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/wecomsync/wecomsync/clients/wecom"
	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/internal/metrics"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
)

// WeComActivities read and write WeCom. Credentials stay inside Conns, in the worker.
type WeComActivities struct {
	Conns Connections
	Store *claimcheck.Store
	Log   *zap.Logger
	// ReadConcurrency is how many detail reads are in flight at once (default 16).
	ReadConcurrency int
	// WriteConcurrency is how many write calls one activity has in flight (default 16): enough to
	// keep WeCom's per-API budget busy at real latencies; the client's limiter keeps the budget.
	WriteConcurrency int
	// Metrics (optional) counts the objects written.
	Metrics *metrics.Metrics
}

func (a *WeComActivities) readConcurrency() int  { return positiveOr(a.ReadConcurrency, 16) }
func (a *WeComActivities) writeConcurrency() int { return positiveOr(a.WriteConcurrency, 16) }

// errcodeDetailsBlocked is WeCom's answer to a detail read with the contacts-sync secret from an
// IP added after 2022-08-15.
const errcodeDetailsBlocked = 48009

func detailsBlocked(err error) bool {
	var ae *wecom.APIError
	return errors.As(err, &ae) && ae.ErrCode == errcodeDetailsBlocked
}

// ReadWeCom snapshots the corp with the calls a contacts-sync secret can still make: ids and
// structure from department/simplelist and user/list_id, names and fields from department/list
// and user/list where WeCom lets this IP read them (48009: ids only, said in the result). In 代开发
// mode the fields WeCom hides are never read as values.
func (a *WeComActivities) ReadWeCom(ctx context.Context, in ReadWeComInput) (_ ReadWeComResult, err error) {
	defer a.Conns.explain(in.Connection, &err)
	res := ReadWeComResult{DetailsReadable: true}
	c, err := a.Conns.WeCom(in.Connection)
	if err != nil {
		return res, err
	}
	res.Mode = a.Conns.WeComMode(in.Connection)
	hidden := mapping.HiddenFields(res.Mode)
	for _, f := range hidden.Sorted() {
		res.Hidden = append(res.Hidden, string(f))
	}
	deps, err := a.readDepartments(ctx, c, &res)
	if err != nil {
		return res, err
	}
	if res.Departments, err = a.Store.PutJSON(ctx, in.Prefix+"wecom/departments.json", deps); err != nil {
		return res, err
	}
	// user/list_id (its pages one after the other) and the detail reads (user/list) need nothing
	// from each other: they run side by side. Once the members are listed, each department's
	// details are joined to them as they arrive, and a joined member is encoded at once, while
	// the rate-limited reads go on.
	readable := directory.AllFields().Without(hidden).Sorted()
	answers := make(chan []wecom.User, len(deps)) // never full: a department's reader never waits
	var users map[string]*plan.TargetUser
	var joined map[string][]byte // userid key → the member's record (a JSON line) with its details
	var detailsErr error
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		if users, err = a.readMembers(gctx, c); err != nil {
			return err
		}
		joined, err = joinDetails(users, answers, readable)
		return err
	})
	if res.DetailsReadable {
		g.Go(func() error {
			defer close(answers)
			detailsErr = a.readDetails(gctx, c, deps, answers)
			if detailsBlocked(detailsErr) {
				return nil // the members are read all the same
			}
			return detailsErr
		})
	} else {
		close(answers)
	}
	if err := g.Wait(); err != nil {
		return res, err
	}
	if detailsErr != nil {
		res.DetailsReadable, joined = false, nil // ids only for every member, not for some
	}
	if !res.DetailsReadable {
		res.Warnings = append(res.Warnings, "WeCom refuses detail reads from this IP (48009: contacts-sync secret, IP added after 2022-08-15): "+
			"the run matches by ids only and compares fields and names with what the last successful run wrote")
	}
	ids := make([]string, 0, len(users))
	for k := range users {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	w, err := a.Store.NewLineWriter(ctx, in.Prefix+"wecom/users.jsonl")
	if err != nil {
		return res, err
	}
	for _, k := range ids {
		if record, ok := joined[k]; ok {
			err = w.WriteLine(record)
		} else {
			err = w.Write(users[k])
		}
		if err != nil {
			w.Abort()
			return res, err
		}
	}
	if res.Users, err = w.Close(); err != nil {
		return res, err
	}
	a.Log.Info("WeCom read", zap.Int("departments", len(deps)), zap.Int("users", len(users)), zap.Bool("details", res.DetailsReadable))
	return res, nil
}

// readDepartments lists every department, with names where WeCom allows (department/list), else
// ids and parents only (department/simplelist).
func (a *WeComActivities) readDepartments(ctx context.Context, c *wecom.Client, res *ReadWeComResult) ([]plan.TargetDepartment, error) {
	full, err := c.Departments.List(ctx, 0)
	if err == nil {
		out := make([]plan.TargetDepartment, len(full))
		for i, d := range full {
			out[i] = plan.TargetDepartment{ID: d.ID, ParentID: d.ParentID, Name: d.Name}
		}
		return out, nil
	}
	if !detailsBlocked(err) {
		return nil, classify("read the WeCom departments", err)
	}
	res.DetailsReadable = false
	refs, err := c.Departments.SimpleList(ctx, 0)
	if err != nil {
		return nil, classify("read the WeCom department ids", err)
	}
	out := make([]plan.TargetDepartment, len(refs))
	for i, d := range refs {
		out[i] = plan.TargetDepartment{ID: d.ID, ParentID: d.ParentID}
	}
	return out, nil
}

// readMembers pages through user/list_id: every member with its departments (main unknown yet).
func (a *WeComActivities) readMembers(ctx context.Context, c *wecom.Client) (map[string]*plan.TargetUser, error) {
	users := map[string]*plan.TargetUser{}
	n := 0
	for row, err := range c.Users.ListIDAll(ctx, 0) {
		if err != nil {
			return nil, classify("list the WeCom members (user/list_id)", err)
		}
		k := directory.UserKey(row.UserID)
		u := users[k]
		if u == nil {
			u = &plan.TargetUser{UserID: row.UserID}
			users[k] = u
		}
		if !slices.Contains(u.Departments, row.Department) {
			u.Departments = append(u.Departments, row.Department)
		}
		if n++; n%10000 == 0 {
			activity.RecordHeartbeat(ctx, n)
		}
	}
	return users, nil
}

// readDetails reads every department's members in full (user/list, one call per department, in
// parallel) and sends each department's answer to answers.
func (a *WeComActivities) readDetails(ctx context.Context, c *wecom.Client, deps []plan.TargetDepartment, answers chan<- []wecom.User) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(a.readConcurrency())
	hb := startHeartbeat(ctx, "reading member details")
	defer hb.close()
	for i, d := range deps {
		g.Go(func() error {
			list, err := c.Users.List(gctx, d.ID, false)
			if err != nil {
				if detailsBlocked(err) {
					return err
				}
				return classify(fmt.Sprintf("read the members of WeCom department %d", d.ID), err)
			}
			answers <- list
			hb.set(fmt.Sprintf("member details: %d of %d departments", i+1, len(deps)))
			return nil
		})
	}
	return g.Wait()
}

// joinDetails joins the departments' answers of user/list, until answers is closed, to the
// members of user/list_id — the readable fields and the main department — and returns the joined
// members' records (JSON lines of plan.TargetUser) by userid key. users themselves stay ids only.
func joinDetails(users map[string]*plan.TargetUser, answers <-chan []wecom.User, readable []directory.Field) (map[string][]byte, error) {
	set := directory.FieldSet{}
	for _, f := range readable {
		set[f] = true
	}
	joined := make(map[string][]byte, len(users))
	for list := range answers {
		for _, m := range list {
			k := directory.UserKey(m.UserID)
			u := users[k]
			if _, done := joined[k]; u == nil || done {
				continue // not in list_id (visibility), or joined in another department already
			}
			j := *u
			j.User = mapping.FromWeComAPI(mapping.Contact{UserID: m.UserID, Name: m.Name, Alias: m.Alias, Position: m.Position,
				Gender: string(m.Gender), Mobile: m.Mobile, Email: m.Email}, m.Status, set)
			j.User.UserID = m.UserID
			j.Readable = readable
			j.Activated = m.Status == 1
			if m.MainDepartment != 0 && slices.Contains(u.Departments, m.MainDepartment) {
				j.Departments = []int{m.MainDepartment}
				for _, id := range u.Departments {
					if id != m.MainDepartment {
						j.Departments = append(j.Departments, id)
					}
				}
				j.MainKnown = true
			}
			record, err := claimcheck.EncodeLine(j)
			if err != nil {
				return nil, err
			}
			joined[k] = record
		}
	}
	return joined, nil
}

// modeName reads a connection's WeCom app mode ("" = selfbuilt).
func modeName(mode string) string {
	if strings.TrimSpace(mode) == "" {
		return mapping.ModeSelfBuilt
	}
	return mode
}
