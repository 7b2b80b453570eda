package activities

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/clients/apierr"
	"github.com/wecomsync/wecomsync/clients/wecom"
	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// WeCom apply sizes: users per batch of a chunk (each one call), and the most ids one
// user/batchdelete takes.
const (
	wecomBatchSize       = 25
	wecomBatchDeleteSize = wecom.MaxBatchDelete
)

// wecomFailure records one object WeCom refused.
func wecomFailure(object, key, action string, err error) report.Failure {
	f := report.Failure{Object: object, Key: key, Action: action, Message: err.Error()}
	var ae *wecom.APIError
	if errors.As(err, &ae) {
		f.Code, f.Message = ae.ErrCode, ae.ErrMsg
	}
	return f
}

// ApplyWeComDepartments renames, creates and moves WeCom departments: renames first, then creates
// one at a time in plan order (a department after its parent), then moves. A department refused
// by WeCom (81001, 81002, a name clash …) is recorded and its children are not attempted. It is safe to retry: a create whose id exists under the same parent
// was made by an earlier attempt.
func (a *WeComActivities) ApplyWeComDepartments(ctx context.Context, in ApplyWeComDepartmentsInput) (_ ChunkResult, err error) {
	defer a.Conns.explain(in.Connection, &err)
	var res ChunkResult
	c, err := a.Conns.WeCom(in.Connection)
	if err != nil {
		return res, err
	}
	writes, err := claimcheck.ReadAll[plan.DepartmentWrite](ctx, a.Store, in.Key)
	if err != nil {
		return res, err
	}
	// Renames first: a new department may take a name an existing one gives up. Moves after the
	// creates: a department may move under a new one.
	var renames, creates, moves []plan.DepartmentWrite
	for _, w := range writes {
		switch {
		case w.Move:
			moves = append(moves, w)
		case w.Rename:
			renames = append(renames, w)
		default:
			creates = append(creates, w)
		}
	}
	st := &applyState{}
	hb := startHeartbeat(ctx, 0)
	defer hb.close()
	failedIDs := map[int]bool{}
	for _, w := range renames {
		if err := a.updateDepartment(ctx, c, w, st, failedIDs); err != nil {
			return st.result(), withPartialResult(err, st.result())
		}
	}
	// One at a time, in plan order (parents first): WeCom wants departments created serially
	// (reference/wecom-api.md §3.2).
	for i, w := range creates {
		if err := ctx.Err(); err != nil {
			return st.result(), withPartialResult(err, st.result())
		}
		if st.failed(failedIDs, w.ParentID) {
			st.fail(failedIDs, w.ID, plan.ActionCreate, report.Failure{Object: plan.ObjectDepartment, Key: w.Path, Action: plan.ActionCreate,
				Message: "its parent department could not be created"})
			continue
		}
		err := createWeComDepartment(context.WithoutCancel(ctx), c, w) // a call sent runs to its end: its outcome counts
		switch {
		case err == nil:
			st.ok(plan.ObjectDepartment, plan.ActionCreate)
		case apierr.IsPerObject(err):
			st.fail(failedIDs, w.ID, plan.ActionCreate, wecomFailure(plan.ObjectDepartment, w.Path, plan.ActionCreate, err))
		default:
			err = classify(fmt.Sprintf("create WeCom department %q", w.Path), err)
			return st.result(), withPartialResult(err, st.result())
		}
		if i%50 == 49 {
			hb.set(st.result().Applied.Writes())
		}
	}
	hb.set(st.result().Applied.Writes())
	for _, w := range moves {
		if err := a.updateDepartment(ctx, c, w, st, failedIDs); err != nil {
			return st.result(), withPartialResult(err, st.result())
		}
	}
	res = st.result()
	if err := writeFailures(ctx, a.Store, in.Prefix+"failures/wecom-departments.jsonl", st.failures); err != nil {
		return res, err
	}
	recordCounts(a.Metrics, res.Applied, res.Failed)
	a.Log.Info("WeCom departments applied", zap.Int("written", res.Applied.Writes()), zap.Int("failed", res.Failed.Writes()))
	return res, nil
}

// updateDepartment renames and/or moves one department.
func (a *WeComActivities) updateDepartment(ctx context.Context, c *wecom.Client, w plan.DepartmentWrite, st *applyState, failedIDs map[int]bool) error {
	u := &wecom.DepartmentUpdate{ID: w.ID}
	if w.Rename {
		u.Name = wecom.Ptr(w.Name)
	}
	if w.Move {
		u.ParentID = wecom.Ptr(w.ParentID)
	}
	err := c.Departments.Update(ctx, u)
	actions := []string{}
	if w.Rename {
		actions = append(actions, plan.ActionRename)
	}
	if w.Move {
		actions = append(actions, plan.ActionMove)
	}
	for _, action := range actions {
		switch {
		case err == nil:
			st.ok(plan.ObjectDepartment, action)
		case apierr.IsPerObject(err):
			st.fail(failedIDs, w.ID, action, wecomFailure(plan.ObjectDepartment, w.Path, action, err))
		default:
			return classify(fmt.Sprintf("update WeCom department %q", w.Path), err)
		}
	}
	return nil
}

// createWeComDepartment creates one department with the plan's id. "Exists" is verified: the id
// under the same parent is this department (an earlier attempt made it); anything else is a clash.
func createWeComDepartment(ctx context.Context, c *wecom.Client, w plan.DepartmentWrite) error {
	_, err := c.Departments.Create(ctx, &wecom.Department{ID: w.ID, Name: w.Name, ParentID: w.ParentID})
	if !apierr.IsExists(err) {
		return err
	}
	refs, lerr := c.Departments.SimpleList(ctx, w.ID)
	if lerr != nil {
		return err
	}
	for _, r := range refs {
		if r.ID == w.ID && r.ParentID == w.ParentID {
			return nil
		}
	}
	return fmt.Errorf("a department with this name or id %d exists already and is not this one: %w", w.ID, err)
}

// applyState counts what one apply activity wrote and what failed, safely from many goroutines.
type applyState struct {
	mu       sync.Mutex
	applied  plan.Counts
	failedC  plan.Counts
	failures []report.Failure
}

func (s *applyState) ok(object, action string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applied.Inc(object, action, 1)
}

func (s *applyState) fail(failedIDs map[int]bool, id int, action string, f report.Failure) {
	s.mu.Lock()
	defer s.mu.Unlock()
	failedIDs[id] = true
	f.ID = strconv.Itoa(id)
	s.failedC.Inc(f.Object, action, 1)
	s.failures = append(s.failures, f)
}

func (s *applyState) failed(failedIDs map[int]bool, id int) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return failedIDs[id]
}

func (s *applyState) result() ChunkResult {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ChunkResult{Applied: s.applied, Failed: s.failedC, FailureSample: append([]report.Failure(nil), s.failures[:min(len(s.failures), SampleSize)]...)}
}

// ApplyWeComDepartmentDeletes deletes departments Authing no longer has, in plan order (children
// first), one at a time: WeCom refuses a department with members or children (60005, 60006).
func (a *WeComActivities) ApplyWeComDepartmentDeletes(ctx context.Context, in ApplyWeComDepartmentsInput) (_ ChunkResult, err error) {
	defer a.Conns.explain(in.Connection, &err)
	c, err := a.Conns.WeCom(in.Connection)
	if err != nil {
		return ChunkResult{}, err
	}
	deletes, err := claimcheck.ReadAll[plan.DepartmentWrite](ctx, a.Store, in.Key)
	if err != nil {
		return ChunkResult{}, err
	}
	st := &applyState{}
	failedIDs := map[int]bool{}
	hb := startHeartbeat(ctx, 0)
	defer hb.close()
	for i, w := range deletes {
		err := c.Departments.Delete(ctx, w.ID)
		switch {
		case err == nil || apierr.IsGone(err):
			st.ok(plan.ObjectDepartment, plan.ActionDelete)
		case apierr.IsPerObject(err):
			st.fail(failedIDs, w.ID, plan.ActionDelete, wecomFailure(plan.ObjectDepartment, w.Path, plan.ActionDelete, err))
		default:
			return st.result(), withPartialResult(classify(fmt.Sprintf("delete WeCom department %q", w.Path), err), st.result())
		}
		hb.set(i + 1)
	}
	res := st.result()
	if err := writeFailures(ctx, a.Store, in.Prefix+"failures/wecom-department-deletes.jsonl", st.failures); err != nil {
		return res, err
	}
	recordCounts(a.Metrics, res.Applied, res.Failed)
	return res, nil
}

// ApplyWeComChunk applies one chunk of member creates, updates or removals, in batches with
// bounded concurrency (each member one call, removals by user/batchdelete). It resumes from its
// last heartbeat when retried; a member WeCom refuses is recorded and the chunk goes on.
func (a *WeComActivities) ApplyWeComChunk(ctx context.Context, in ApplyWeComChunkInput) (_ ChunkResult, err error) {
	defer a.Conns.explain(in.Connection, &err)
	c, err := a.Conns.WeCom(in.Connection)
	if err != nil {
		return ChunkResult{}, err
	}
	w := &wecomWriter{c: c, invite: in.Invite, retried: resumed(ctx)}
	spec := chunkSpec{Key: in.Chunk.Key, Prefix: in.Prefix, BatchSize: wecomBatchSize, Concurrency: a.writeConcurrency()}
	removals := spec
	removals.BatchSize, removals.Concurrency = wecomBatchDeleteSize, 1 // user/batchdelete takes 200
	return applyKind(in.Chunk.Kind, map[ChunkKind]func() (ChunkResult, error){
		ChunkWeComCreate: func() (ChunkResult, error) { return runChunk(ctx, a.Store, a.Metrics, spec, w.createBatch) },
		ChunkWeComUpdate: func() (ChunkResult, error) { return runChunk(ctx, a.Store, a.Metrics, spec, w.updateBatch) },
		ChunkWeComRemove: func() (ChunkResult, error) { return runChunk(ctx, a.Store, a.Metrics, removals, w.removeBatch) },
	})
}

// wecomWriter writes members.
type wecomWriter struct {
	c       *wecom.Client
	invite  bool
	retried bool
}

// member is the create body of w.
func (ww *wecomWriter) member(w plan.UserWrite) *wecom.User {
	u := &wecom.User{UserID: w.UserID, Department: w.Departments, ToInvite: wecom.Ptr(ww.invite)}
	for _, f := range w.Fields {
		v := w.User.Get(f)
		switch f {
		case directory.FieldName:
			u.Name = v
		case directory.FieldAlias:
			u.Alias = v
		case directory.FieldMobile:
			u.Mobile = v
		case directory.FieldEmail:
			u.Email = v
		case directory.FieldGender:
			u.Gender = wecom.Gender(mapping.WeComGender(v))
		case directory.FieldPosition:
			u.Position = v
		case directory.FieldStatus:
			u.Enable = wecom.Ptr(mapping.WeComEnable(v))
		}
	}
	if len(w.Departments) > 0 {
		u.MainDepartment = w.Departments[0]
	}
	return u
}

// update is the update body of w: its fields, and its departments when it moves.
func (ww *wecomWriter) update(w plan.UserWrite) *wecom.UserUpdate {
	m := ww.member(w)
	u := &wecom.UserUpdate{UserID: w.UserID}
	for _, f := range w.Fields {
		switch f {
		case directory.FieldName:
			u.Name = wecom.Ptr(m.Name)
		case directory.FieldAlias:
			u.Alias = wecom.Ptr(m.Alias)
		case directory.FieldMobile:
			u.Mobile = wecom.Ptr(m.Mobile)
		case directory.FieldEmail:
			u.Email = wecom.Ptr(m.Email)
		case directory.FieldGender:
			u.Gender = wecom.Ptr(m.Gender)
		case directory.FieldPosition:
			u.Position = wecom.Ptr(m.Position)
		case directory.FieldStatus:
			u.Enable = m.Enable
		}
	}
	if w.Departments != nil {
		u.Department, u.MainDepartment = w.Departments, wecom.Ptr(w.Departments[0])
	}
	return u
}

// perMember runs write for each member of a batch one after the other, counting action on
// success and recording WeCom's per-member refusals; a run-level or transient error stops it.
func perMember[T any](ctx context.Context, batch []T, name func(T) string, write func(context.Context, T) (actions []string, err error)) (applied, failed plan.Counts, failures []report.Failure, err error) {
	for _, item := range batch {
		actions, werr := write(ctx, item)
		switch {
		case werr == nil:
			for _, a := range actions {
				applied.Inc(plan.ObjectUser, a, 1)
			}
		case apierr.IsPerObject(werr):
			for _, a := range actions {
				failed.Inc(plan.ObjectUser, a, 1)
			}
			failures = append(failures, wecomFailure(plan.ObjectUser, name(item), strings.Join(actions, "+"), werr))
		default:
			return applied, failed, nil, classify("write WeCom member "+name(item), werr)
		}
	}
	return applied, failed, failures, nil
}

func userWriteName(w plan.UserWrite) string { return w.UserID }

// createBatch creates members. A userid that exists already (60102) is adopted when it is this
// run's own create of an earlier attempt or a member made meanwhile: it is updated to the wanted
// values, so the member ends up as planned either way.
func (ww *wecomWriter) createBatch(ctx context.Context, batch []plan.UserWrite) (plan.Counts, plan.Counts, []report.Failure, error) {
	return perMember(ctx, batch, userWriteName, func(ctx context.Context, w plan.UserWrite) ([]string, error) {
		err := ww.c.Users.Create(ctx, ww.member(w))
		if apierr.IsExists(err) {
			fields := w.AdoptFields
			if fields == nil {
				fields = w.Fields // a plan made before AdoptFields existed
			}
			err = ww.c.Users.Update(ctx, ww.update(plan.UserWrite{UserID: w.UserID, Fields: fields, User: w.User, Departments: w.Departments}))
		}
		return []string{plan.ActionCreate}, err
	})
}

// updateBatch updates and moves members.
func (ww *wecomWriter) updateBatch(ctx context.Context, batch []plan.UserWrite) (plan.Counts, plan.Counts, []report.Failure, error) {
	return perMember(ctx, batch, userWriteName, func(ctx context.Context, w plan.UserWrite) ([]string, error) {
		var actions []string
		if len(w.Fields) > 0 {
			actions = append(actions, plan.ActionUpdate)
		}
		if w.Move {
			actions = append(actions, plan.ActionMembership)
		}
		return actions, ww.c.Users.Update(ctx, ww.update(w))
	})
}

// removeBatch deletes (user/batchdelete, all or nothing: refused, one by one) or disables members.
func (ww *wecomWriter) removeBatch(ctx context.Context, batch []plan.UserRemoval) (plan.Counts, plan.Counts, []report.Failure, error) {
	var deletes []string
	var disables []plan.UserRemoval
	for _, r := range batch {
		if r.Action == plan.DeleteDelete {
			deletes = append(deletes, r.UserID)
		} else {
			disables = append(disables, r)
		}
	}
	name := func(r plan.UserRemoval) string { return r.UserID }
	applied, failed, failures, err := perMember(ctx, disables, name, func(ctx context.Context, r plan.UserRemoval) ([]string, error) {
		return []string{plan.ActionDisable}, ww.c.Users.Update(ctx, &wecom.UserUpdate{UserID: r.UserID, Enable: wecom.Ptr(0)})
	})
	if err != nil || len(deletes) == 0 {
		return applied, failed, failures, err
	}
	if err := ww.c.Users.BatchDelete(ctx, deletes); err == nil {
		applied.UsersDelete += len(deletes)
		return applied, failed, failures, nil
	} else if !apierr.IsPerObject(err) {
		return applied, failed, nil, classify("delete WeCom members", err)
	}
	var singles []plan.UserRemoval
	for _, id := range deletes {
		singles = append(singles, plan.UserRemoval{UserID: id, Action: plan.DeleteDelete})
	}
	a2, f2, fs2, err := perMember(ctx, singles, name, func(ctx context.Context, r plan.UserRemoval) ([]string, error) {
		err := ww.c.Users.Delete(ctx, r.UserID)
		if apierr.IsGone(err) {
			err = nil // already gone
		}
		return []string{plan.ActionDelete}, err
	})
	return applied.Add(a2), failed.Add(f2), append(failures, fs2...), err
}
