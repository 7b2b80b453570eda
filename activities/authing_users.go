package activities

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/wecomsync/wecomsync/clients/apierr"
	"github.com/wecomsync/wecomsync/clients/authing"
	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// BatchSize is the largest batch Authing's batch APIs take.
const BatchSize = 50

// userChunk is the state of one ApplyUserChunk call: the Authing writes of its batches.
type userChunk struct {
	c       *authing.Client
	deps    DepartmentMap
	retried bool // an earlier attempt may have written part of this chunk: look before writing

	orgOnce sync.Once
	orgIDs  map[string]bool // ids of the organization's departments, from deps
}

// ApplyUserChunk applies one chunk of user creates, changes or deletes in batches of BatchSize,
// with bounded concurrency. Per-object failures are recorded and the chunk goes on; run-level errors
// stop it; transient errors fail the attempt, and the retry resumes from the last heartbeat.
func (a *AuthingActivities) ApplyUserChunk(ctx context.Context, in ApplyUserChunkInput) (_ ChunkResult, err error) {
	defer a.Conns.explain(in.Connection, &err)
	c, err := a.Conns.Authing(in.Connection)
	if err != nil {
		return ChunkResult{}, err
	}
	r := &userChunk{c: c, retried: resumed(ctx)}
	if in.DepartmentMap != "" {
		if err := a.Store.GetJSON(ctx, in.DepartmentMap, &r.deps); err != nil {
			return ChunkResult{}, err
		}
	}
	spec := chunkSpec{Key: in.Chunk.Key, Prefix: in.Prefix, BatchSize: BatchSize, Concurrency: a.writeConcurrency()}
	return applyKind(in.Chunk.Kind, map[ChunkKind]func() (ChunkResult, error){
		ChunkCreate: func() (ChunkResult, error) { return runChunk(ctx, a.Store, a.Metrics, spec, r.createBatch) },
		ChunkChange: func() (ChunkResult, error) { return runChunk(ctx, a.Store, a.Metrics, spec, r.changeBatch) },
		ChunkDelete: func() (ChunkResult, error) { return runChunk(ctx, a.Store, a.Metrics, spec, r.deleteBatch) },
	})
}

// errNoDepartment: a membership names a department whose create failed earlier in the run.
var errNoDepartment = errors.New("the department does not exist in Authing (its create failed)")

// departmentIDs resolves paths to Authing ids; a path with no id names a department whose create failed.
func (r *userChunk) departmentIDs(paths []string) ([]string, error) {
	ids := make([]string, 0, len(paths))
	for _, p := range paths {
		id, ok := r.deps.IDs[p]
		if !ok {
			return nil, fmt.Errorf("department %q: %w", p, errNoDepartment)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// createBatch creates up to BatchSize users with one call; when Authing refuses the batch for a bad
// record, each user is created alone so the bad ones are isolated and the rest still land.
func (r *userChunk) createBatch(ctx context.Context, batch []plan.UserCreate) (applied, failed plan.Counts, failures []report.Failure, err error) {
	exists := map[string]bool{}
	if r.retried {
		if exists, err = r.existingUserIDs(ctx, batch); err != nil {
			return applied, failed, nil, err
		}
	}
	var inputs []authing.CreateUserInput
	var pending []plan.UserCreate
	for _, u := range batch {
		if exists[strings.ToLower(u.User.UserID)] {
			applied.UsersCreate++ // an earlier attempt created it
			continue
		}
		ids, derr := r.departmentIDs(u.User.Departments)
		if derr != nil {
			failed.UsersCreate++
			failures = append(failures, userFailure(u.User.UserID, "create", u.Sheet, u.Row, derr))
			continue
		}
		inputs = append(inputs, createInput(u.User, ids))
		pending = append(pending, u)
	}
	if len(inputs) == 0 {
		return applied, failed, failures, nil
	}
	opts := &authing.CreateUserOptions{DepartmentIDType: "department_id"}
	created, err := r.c.Users.CreateBatch(ctx, inputs, opts)
	switch {
	case err == nil && len(created) >= len(inputs):
		applied.UsersCreate += len(inputs)
		return applied, failed, failures, nil
	case err == nil:
		// Fewer users came back than were sent: a batch that skips bad records. Whoever is there
		// now was created; the rest are created one by one below, which names their problem.
		there, lerr := r.existingUserIDs(ctx, pending)
		if lerr != nil {
			return applied, failed, nil, lerr
		}
		var restIn []authing.CreateUserInput
		var rest []plan.UserCreate
		for i, u := range pending {
			if there[strings.ToLower(u.User.UserID)] {
				applied.UsersCreate++
			} else {
				restIn, rest = append(restIn, inputs[i]), append(rest, u)
			}
		}
		inputs, pending = restIn, rest
	case !apierr.IsPerObject(err):
		return applied, failed, nil, classify("create users", err)
	}
	for i, in := range inputs {
		u := pending[i]
		ok, membership, err := r.createOne(ctx, u, in, opts)
		switch {
		case err != nil:
			return applied, failed, nil, err
		case !ok:
			failed.UsersCreate++
			failures = append(failures, *membership)
			continue
		}
		applied.UsersCreate++
		if membership != nil {
			failed.UsersMembership++
			failures = append(failures, *membership)
		}
	}
	return applied, failed, failures, nil
}

// createOne creates one user after its batch was refused. A record-level refusal is checked
// against Authing before it counts as a failure: the user may exist already (an earlier call
// created it and its answer was lost — whatever status code the server uses for duplicates). When
// Authing refuses membership of the organization root, the user is created without it and that
// membership is reported. It returns whether the user exists now and the failure to report.
func (r *userChunk) createOne(ctx context.Context, u plan.UserCreate, in authing.CreateUserInput, opts *authing.CreateUserOptions) (bool, *report.Failure, error) {
	_, err := r.c.Users.Create(ctx, in, opts)
	if err == nil {
		return true, nil, nil
	}
	if !apierr.IsPerObject(err) {
		return false, nil, classify("create user "+u.User.UserID, err)
	}
	there, lerr := r.existingUserIDs(ctx, []plan.UserCreate{u})
	if lerr != nil {
		return false, nil, lerr
	}
	if there[strings.ToLower(u.User.UserID)] {
		return true, nil, nil
	}
	root := r.deps.IDs[plan.RootPath]
	if withoutRoot := slices.DeleteFunc(slices.Clone(in.DepartmentIDs), func(id string) bool { return id == root }); root != "" && len(withoutRoot) < len(in.DepartmentIDs) {
		in.DepartmentIDs = withoutRoot
		if _, err2 := r.c.Users.Create(ctx, in, opts); err2 == nil {
			f := userFailure(u.User.UserID, "membership", u.Sheet, u.Row, err)
			f.Message = "created without membership of the organization root, which Authing refused: " + f.Message
			return true, &f, nil
		}
	}
	f := userFailure(u.User.UserID, "create", u.Sheet, u.Row, err)
	return false, &f, nil
}

// existingUserIDs returns which of the batch's userids Authing already has (lower-cased).
func (r *userChunk) existingUserIDs(ctx context.Context, batch []plan.UserCreate) (map[string]bool, error) {
	ids := make([]string, len(batch))
	for i, u := range batch {
		ids[i] = u.User.UserID
	}
	page, err := r.c.Users.List(ctx, ownedUsersQuery(ids))
	if err != nil {
		return nil, classify("look up users before create", err)
	}
	out := make(map[string]bool, len(page.List))
	for _, u := range page.List {
		out[strings.ToLower(mapping.CustomString(u.CustomData, mapping.KeyUserID))] = true
	}
	return out, nil
}

// createInput is the create request of a new user: username = the WeCom userid, every field the
// file gives, and wechatwork_user_id.
func createInput(u directory.User, departmentIDs []string) authing.CreateUserInput {
	f := mapping.AuthingFields(u, directory.Fields())
	str := func(k string) string { v, _ := f[k].(string); return v }
	custom, _ := f["customData"].(map[string]any)
	if custom == nil {
		custom = map[string]any{}
	}
	custom[mapping.KeyUserID] = u.UserID
	return authing.CreateUserInput{
		Username: u.UserID, Name: str("name"), Nickname: str("nickname"), Phone: str("phone"), PhoneCountryCode: str("phoneCountryCode"),
		Email: str("email"), Gender: str("gender"), Status: str("status"), DepartmentIDs: departmentIDs, CustomData: custom,
	}
}

// changeBatch updates changed attributes (one batch call) and sets changed memberships (one call
// per user). Both are idempotent, so a retried batch simply writes the same values again.
func (r *userChunk) changeBatch(ctx context.Context, batch []plan.UserChange) (applied, failed plan.Counts, failures []report.Failure, err error) {
	var updates []authing.UpdateUserInput
	var updated []plan.UserChange
	for _, ch := range batch {
		if ch.Fields != nil {
			updates = append(updates, authing.UpdateUserInput{UserID: ch.AuthingID, Fields: ch.Fields})
			updated = append(updated, ch)
		}
	}
	// An adoption is an update that also links the account to its WeCom userid.
	action := func(ch plan.UserChange) string {
		if ch.Adopt {
			return plan.ActionAdopt
		}
		return plan.ActionUpdate
	}
	for _, ch := range updated {
		applied.Inc(plan.ObjectUser, action(ch), 1)
	}
	_, failures, err = r.updateUsers(ctx, updates, func(i int, err error) report.Failure {
		applied.Inc(plan.ObjectUser, action(updated[i]), -1)
		failed.Inc(plan.ObjectUser, action(updated[i]), 1)
		return userFailure(updated[i].UserID, action(updated[i]), updated[i].Sheet, updated[i].Row, err)
	})
	if err != nil {
		return plan.Counts{}, plan.Counts{}, nil, err
	}

	for _, ch := range batch {
		if ch.Departments == nil {
			continue
		}
		ids, err := r.departmentIDs(ch.Departments)
		if err == nil {
			err = r.c.Users.SetDepartments(ctx, ch.AuthingID, memberships(append(ids, ch.KeepDepartmentIDs...)), "user_id")
		}
		if err == nil {
			err = r.removeStaleMemberships(ctx, ch.AuthingID, ids)
		}
		switch {
		case err == nil:
			applied.UsersMembership++
		case errors.Is(err, errNoDepartment) || errors.Is(err, authing.ErrBatchSize) || apierr.IsPerObject(err):
			failed.UsersMembership++
			failures = append(failures, userFailure(ch.UserID, "membership", ch.Sheet, ch.Row, err))
		default:
			return applied, failed, nil, classify("set departments of "+ch.UserID, err)
		}
	}
	return applied, failed, failures, nil
}

// removeStaleMemberships reads the user's departments back and removes those of this organization
// that set-user-departments left in place. Its replace semantics are assumed, not documented
// (reference/authing-api.md §4.1): on a server that adds instead, this keeps a moved user from
// staying in its old department and the plan from finding the same change on every run.
func (r *userChunk) removeStaleMemberships(ctx context.Context, userID string, want []string) error {
	have, err := r.c.Users.Departments(ctx, userID)
	if err != nil {
		return err
	}
	for _, d := range have {
		if !r.inOrganization(d.DepartmentID) || slices.Contains(want, d.DepartmentID) {
			continue
		}
		if err := r.c.Departments.RemoveMembers(ctx, r.deps.OrganizationCode, d.DepartmentID, []string{userID}); err != nil {
			return err
		}
	}
	return nil
}

// inOrganization reports whether id is a department of the synced organization.
func (r *userChunk) inOrganization(id string) bool {
	r.orgOnce.Do(func() {
		r.orgIDs = make(map[string]bool, len(r.deps.IDs))
		for _, v := range r.deps.IDs {
			r.orgIDs[v] = true
		}
	})
	return r.orgIDs[id]
}

func memberships(ids []string) []authing.UserDepartment {
	out := make([]authing.UserDepartment, len(ids))
	for i, id := range ids {
		out[i] = authing.UserDepartment{DepartmentID: id, IsMainDepartment: i == 0}
	}
	return out
}

// updateUsers writes updates with one batch call, falling back to one call per user when Authing
// refuses the batch for a bad record. It returns how many landed and a failure per refused user.
func (r *userChunk) updateUsers(ctx context.Context, updates []authing.UpdateUserInput, fail func(int, error) report.Failure) (int, []report.Failure, error) {
	if len(updates) == 0 {
		return 0, nil, nil
	}
	_, err := r.c.Users.UpdateBatch(ctx, updates)
	if err == nil {
		return len(updates), nil, nil
	}
	if !apierr.IsPerObject(err) {
		return 0, nil, classify("update users", err)
	}
	ok := 0
	var failures []report.Failure
	for i, u := range updates {
		if _, err := r.c.Users.Update(ctx, u); err != nil {
			if !apierr.IsPerObject(err) {
				return ok, nil, classify("update user", err)
			}
			failures = append(failures, fail(i, err))
			continue
		}
		ok++
	}
	return ok, failures, nil
}

// deleteBatch deletes or suspends up to BatchSize users. A user already gone counts as deleted.
func (r *userChunk) deleteBatch(ctx context.Context, batch []plan.UserDelete) (applied, failed plan.Counts, failures []report.Failure, err error) {
	var deletes []plan.UserDelete
	var suspends []authing.UpdateUserInput
	var suspended []plan.UserDelete
	for _, d := range batch {
		if d.Action == plan.DeleteActionSuspend {
			suspends = append(suspends, authing.UpdateUserInput{UserID: d.AuthingID, Fields: map[string]any{"status": mapping.StatusSuspended}})
			suspended = append(suspended, d)
		} else {
			deletes = append(deletes, d)
		}
	}
	ok, fs, err := r.updateUsers(ctx, suspends, func(i int, err error) report.Failure { return userFailure(suspended[i].UserID, "suspend", "", 0, err) })
	if err != nil {
		return applied, failed, nil, err
	}
	applied.UsersSuspend, failed.UsersSuspend, failures = ok, len(fs), fs
	if len(deletes) == 0 {
		return applied, failed, failures, nil
	}
	ids := make([]string, len(deletes))
	for i, d := range deletes {
		ids[i] = d.AuthingID
	}
	if err := r.c.Users.DeleteBatch(ctx, ids, "user_id"); err == nil || apierr.IsGone(err) && len(ids) == 1 {
		applied.UsersDelete += len(ids)
		return applied, failed, failures, nil
	} else if !apierr.IsPerObject(err) {
		return applied, failed, nil, classify("delete users", err)
	}
	for i, id := range ids {
		err := r.c.Users.DeleteBatch(ctx, []string{id}, "user_id")
		switch {
		case err == nil || apierr.IsGone(err):
			applied.UsersDelete++
		case apierr.IsPerObject(err):
			failed.UsersDelete++
			failures = append(failures, userFailure(deletes[i].UserID, "delete", "", 0, err))
		default:
			return applied, failed, nil, classify("delete user "+deletes[i].UserID, err)
		}
	}
	return applied, failed, failures, nil
}

func userFailure(userID, action, sheet string, row int, err error) report.Failure {
	f := report.Failure{Object: "user", Key: userID, Action: action, Sheet: sheet, Row: row, Message: err.Error()}
	if e, ok := apiError(err); ok {
		f.Code, f.Message = e.StatusCode, e.Message
	}
	return f
}
