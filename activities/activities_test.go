package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/clients/authing"
	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// world is an Authing emulator over HTTP, a client to it and an in-memory blob store.
type world struct {
	emu   *authingemu.Server
	store *claimcheck.Store
	acts  *AuthingActivities
	env   *testsuite.TestActivityEnvironment
	root  string
}

// newWorld serves the emulator seeded with seed; front, if given, stands in front of it (to make
// it answer like a differently behaving server).
func newWorld(t *testing.T, seed authingemu.Fixture, front ...func(*authingemu.Server) http.Handler) *world {
	t.Helper()
	emu := authingemu.New(authingemu.WithPool("p", "s"))
	require.NoError(t, emu.Seed(seed))
	h := emu.Handler()
	if len(front) > 0 {
		h = front[0](emu)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := authing.NewClient(authing.WithBaseURL(srv.URL), authing.WithCredentials("p", "s"), authing.WithRetry(0))
	require.NoError(t, err)
	store, err := claimcheck.Open(context.Background(), "mem://")
	require.NoError(t, err)
	w := &world{emu: emu, store: store,
		acts: &AuthingActivities{Conns: Connections{"default": {Authing: c}}, Store: store, Log: zap.NewNop()}}
	var s testsuite.WorkflowTestSuite
	w.env = s.NewTestActivityEnvironment()
	w.env.RegisterActivity(w.acts)
	if snap := emu.Snapshot(); len(snap.Organizations) > 0 {
		w.root = snap.Organizations[0].DepartmentID
	}
	return w
}

// seedWithFields is the demo organization with the sync's custom fields defined.
func seedWithFields(users ...authingemu.User) authingemu.Fixture {
	f := authingemu.DemoSeed()
	for _, cf := range mapping.CustomFields() {
		f.CustomFields = append(f.CustomFields, authingemu.CustomField{TargetType: cf.TargetType, Key: cf.Key, DataType: "STRING", IsUnique: cf.IsUnique})
	}
	f.Users = users
	return f
}

func creates(from, to int) []plan.UserCreate {
	var out []plan.UserCreate
	for i := from; i < to; i++ {
		out = append(out, plan.UserCreate{Row: i + 2, User: mapping.FromContact(mapping.Contact{
			UserID: fmt.Sprintf("user%03d", i), Name: fmt.Sprintf("用户%d", i), Mobile: fmt.Sprintf("1380000%04d", i)})})
	}
	return out
}

func (w *world) chunk(t *testing.T, kind ChunkKind, items any) Chunk {
	t.Helper()
	key := "runs/t/plan/users-" + string(kind) + "-0000.jsonl"
	var ref claimcheck.Ref
	var err error
	switch v := items.(type) {
	case []plan.UserCreate:
		ref, err = writeLines(context.Background(), w.store, key, v)
	case []plan.UserDelete:
		ref, err = writeLines(context.Background(), w.store, key, v)
	}
	require.NoError(t, err)
	return Chunk{Kind: kind, Key: key, Count: ref.Count}
}

func (w *world) depMap(t *testing.T) string {
	ref, err := w.store.PutJSON(context.Background(), "runs/t/apply/department-map.json", DepartmentMap{IDs: map[string]string{"": w.root}})
	require.NoError(t, err)
	return ref.Key
}

func (w *world) applyChunk(t *testing.T, c Chunk) (ChunkResult, error) {
	val, err := w.env.ExecuteActivity(w.acts.ApplyUserChunk, ApplyUserChunkInput{Connection: "default", Chunk: c, DepartmentMap: w.depMap(t), Prefix: "runs/t/"})
	var res ChunkResult
	if err == nil {
		require.NoError(t, val.Get(&res))
	}
	return res, err
}

// A batch refused for one bad record is retried user by user: the good users land, the bad one
// is reported with its row and Authing's status code.
func TestApplyUserChunkIsolatesBadRecords(t *testing.T) {
	w := newWorld(t, seedWithFields(authingemu.User{Username: "someone", Phone: "13800000001"}))
	users := creates(0, 5) // user001 wants 13800000001, which "someone" already has
	res, err := w.applyChunk(t, w.chunk(t, ChunkCreate, users))
	require.NoError(t, err)
	assert.Equal(t, plan.Counts{UsersCreate: 4}, res.Applied)
	assert.Equal(t, plan.Counts{UsersCreate: 1}, res.Failed)
	require.Len(t, res.FailureSample, 1)
	f := res.FailureSample[0]
	assert.Equal(t, report.Failure{Object: "user", Key: "user001", Action: "create", Row: 3, Code: 409, Message: f.Message}, f)
	assert.Len(t, w.emu.Snapshot().Users, 5)
	keys, err := w.store.List(context.Background(), "runs/t/failures/")
	require.NoError(t, err)
	assert.Len(t, keys, 1, "the failure is stored for the full report")
}

// A retried chunk resumes after the last finished batch and looks before it creates, so users an
// earlier attempt created are neither duplicated nor missed, and every user is counted once.
func TestApplyUserChunkResumesFromHeartbeat(t *testing.T) {
	w := newWorld(t, seedWithFields())
	users := creates(0, 120) // three batches
	c := w.chunk(t, ChunkCreate, users)
	// The earlier attempt finished batch 0 and was killed half-way through batch 1.
	var earlier []authing.CreateUserInput
	for _, u := range users[:60] {
		earlier = append(earlier, createInput(u.User, nil))
	}
	client, _ := w.acts.Conns.Authing("default")
	_, err := client.Users.CreateBatch(context.Background(), earlier[:50], nil)
	require.NoError(t, err)
	_, err = client.Users.CreateBatch(context.Background(), earlier[50:], nil)
	require.NoError(t, err)
	w.env.SetHeartbeatDetails(chunkProgress{Done: []bool{true, false, false}, Applied: plan.Counts{UsersCreate: 50}})
	w.emu.ResetCalls()

	res, err := w.applyChunk(t, c)
	require.NoError(t, err)
	assert.Equal(t, plan.Counts{UsersCreate: 120}, res.Applied)
	assert.Zero(t, res.Failed.Writes())
	assert.Len(t, w.emu.Snapshot().Users, 120)
	assert.Equal(t, 2, w.emu.Calls()["create-users-batch"], "batch 0 is not redone")
}

// Deleting a user that is already gone counts as deleted; suspending sets the status.
func TestApplyUserChunkDeletes(t *testing.T) {
	w := newWorld(t, seedWithFields(
		authingemu.User{UserID: "a1", Username: "keep", CustomData: map[string]any{mapping.KeyUserID: "keep"}},
		authingemu.User{UserID: "a2", Username: "bye", CustomData: map[string]any{mapping.KeyUserID: "bye"}},
		authingemu.User{UserID: "a3", Username: "pause", CustomData: map[string]any{mapping.KeyUserID: "pause"}},
	))
	res, err := w.applyChunk(t, w.chunk(t, ChunkDelete, []plan.UserDelete{
		{AuthingID: "a2", UserID: "bye", Action: plan.DeleteActionDelete},
		{AuthingID: "gone", UserID: "ghost", Action: plan.DeleteActionDelete},
		{AuthingID: "a3", UserID: "pause", Action: plan.DeleteActionSuspend},
	}))
	require.NoError(t, err)
	assert.Equal(t, plan.Counts{UsersDelete: 2, UsersSuspend: 1}, res.Applied)
	byName := map[string]string{}
	for _, u := range w.emu.Snapshot().Users {
		byName[u.Username] = u.Status
	}
	assert.Equal(t, map[string]string{"keep": "Activated", "pause": "Suspended"}, byName)
}

func TestReadAuthingOrganizationChoice(t *testing.T) {
	two := seedWithFields()
	two.Organizations = append(two.Organizations, authingemu.Organization{OrganizationCode: "other", OrganizationName: "其他"})
	for _, tc := range []struct {
		name    string
		seed    authingemu.Fixture
		org     string
		errType string
		want    string
		exists  bool
	}{
		{"the only organization", seedWithFields(), "", "", "xinghe", true},
		{"none: created later", authingemu.EmptySeed(), "", "", DefaultOrganizationCode, false},
		{"several: must choose", two, "", ErrTypeBadInput, "2 organizations (other, xinghe)", false},
		{"named and missing", seedWithFields(), "acme", ErrTypeRun, `organization "acme" does not exist`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, tc.seed)
			val, err := w.env.ExecuteActivity(w.acts.ReadAuthing, ReadAuthingInput{Connection: "default", OrganizationCode: tc.org, Prefix: "runs/t/"})
			if tc.errType != "" {
				var appErr *temporal.ApplicationError
				require.True(t, errors.As(err, &appErr), err)
				assert.Equal(t, tc.errType, appErr.Type())
				assert.Contains(t, err.Error(), tc.want)
				return
			}
			require.NoError(t, err)
			var res ReadAuthingResult
			require.NoError(t, val.Get(&res))
			assert.Equal(t, tc.want, res.OrganizationCode)
			assert.Equal(t, tc.exists, res.OrganizationExists)
		})
	}
}

func TestUnknownConnectionIsARunError(t *testing.T) {
	w := newWorld(t, seedWithFields())
	_, err := w.env.ExecuteActivity(w.acts.ReadAuthing, ReadAuthingInput{Connection: "prod", Prefix: "runs/t/"})
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr))
	assert.Equal(t, ErrTypeRun, appErr.Type())
	assert.Contains(t, err.Error(), `unknown connection "prod"; this worker knows: default`)
}

func TestParseExportBadFile(t *testing.T) {
	store, err := claimcheck.Open(context.Background(), "mem://")
	require.NoError(t, err)
	a := &ExcelActivities{Store: store, Log: zap.NewNop()}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	path := filepath.Join(t.TempDir(), "contacts.xlsx")
	require.NoError(t, os.WriteFile(path, []byte("姓名,账号\n"), 0o644))
	for _, file := range []string{"file://" + path, "uploads/none/missing.xlsx", "/nowhere/x.xlsx"} {
		_, err := env.ExecuteActivity(a.ParseExport, ParseExportInput{File: file, EndRow: -1, Prefix: "runs/t/"})
		var appErr *temporal.ApplicationError
		require.True(t, errors.As(err, &appErr), "%s: %v", file, err)
		assert.Equal(t, ErrTypeBadInput, appErr.Type(), file)
	}
}

func TestEnsureCustomFieldsIsIdempotent(t *testing.T) {
	w := newWorld(t, authingemu.DemoSeed())
	for i, want := range [][]string{{"wechatwork_user_id", "wechatwork_department_ids", "wechatwork_position", "wechatwork_department_id", "wechatwork_parent_department_id"}, nil} {
		val, err := w.env.ExecuteActivity(w.acts.EnsureCustomFields, EnsureCustomFieldsInput{Connection: "default"})
		require.NoError(t, err)
		var res EnsureCustomFieldsResult
		require.NoError(t, val.Get(&res))
		assert.Equal(t, want, res.Created, "call %d", i+1)
	}
}

// A list-users page that skips a user (a server whose order shifts between pages) is caught by
// the announced total and read again page by page: the snapshot holds every owned user once.
func TestReadAuthingRereadsAShortList(t *testing.T) {
	var users []authingemu.User
	for i := range 120 {
		id := fmt.Sprintf("u%03d", i)
		users = append(users, authingemu.User{Username: id, CustomData: map[string]any{mapping.KeyUserID: id}})
	}
	dropped := false
	w := newWorld(t, seedWithFields(users...), func(emu *authingemu.Server) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(body))
			rec := httptest.NewRecorder()
			emu.Handler().ServeHTTP(rec, r)
			out := rec.Body.Bytes()
			if strings.HasSuffix(r.URL.Path, "/list-users") && strings.Contains(string(body), `"page":2`) && !dropped {
				dropped = true
				var env map[string]any
				require.NoError(t, json.Unmarshal(out, &env))
				data := env["data"].(map[string]any)
				data["list"] = data["list"].([]any)[1:]
				out, _ = json.Marshal(env)
			}
			w.WriteHeader(rec.Code)
			_, _ = w.Write(out)
		})
	})
	val, err := w.env.ExecuteActivity(w.acts.ReadAuthing, ReadAuthingInput{Connection: "default", Prefix: "runs/t/"})
	require.NoError(t, err)
	var res ReadAuthingResult
	require.NoError(t, val.Get(&res))
	assert.True(t, dropped)
	assert.Equal(t, 120, res.Users.Count)
}

// On a server where set-user-departments adds instead of replacing (its semantics are not
// documented), the departments the user left are removed after a read-back; on a replacing server
// nothing more is written.
func TestMembershipChangeRemovesStaleDepartments(t *testing.T) {
	for _, addsOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("set-user-departments adds only: %v", addsOnly), func(t *testing.T) {
			seed := seedWithFields(authingemu.User{UserID: "a1", Username: "mover", DepartmentIDs: []string{"dOld"},
				CustomData: map[string]any{mapping.KeyUserID: "mover"}})
			seed.Departments = []authingemu.Department{
				{DepartmentID: "dOld", OrganizationCode: "xinghe", Name: "旧部门"},
				{DepartmentID: "dNew", OrganizationCode: "xinghe", Name: "新部门"},
			}
			w := newWorld(t, seed, func(emu *authingemu.Server) http.Handler {
				return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if addsOnly && strings.HasSuffix(r.URL.Path, "/set-user-departments") {
						var body struct {
							UserID      string `json:"userId"`
							Departments []struct {
								DepartmentID string `json:"departmentId"`
							} `json:"departments"`
						}
						require.NoError(t, json.NewDecoder(r.Body).Decode(&body))
						for _, d := range body.Departments {
							add, _ := json.Marshal(map[string]any{"organizationCode": "xinghe", "departmentId": d.DepartmentID, "userIds": []string{body.UserID}})
							req := r.Clone(r.Context())
							req.URL.Path = strings.TrimSuffix(r.URL.Path, "set-user-departments") + "add-department-members"
							req.Body = io.NopCloser(bytes.NewReader(add))
							emu.Handler().ServeHTTP(httptest.NewRecorder(), req)
						}
						_, _ = w.Write([]byte(`{"statusCode":200,"message":"操作成功","data":{"success":true}}`))
						return
					}
					emu.Handler().ServeHTTP(w, r)
				})
			})
			emu, store, a, env := w.emu, w.store, w.acts, w.env
			root := emu.Snapshot().Organizations[0].DepartmentID
			dm, err := store.PutJSON(context.Background(), "runs/t/apply/department-map.json", DepartmentMap{OrganizationCode: "xinghe",
				IDs: map[string]string{"": root, "旧部门": "dOld", "新部门": "dNew"}})
			require.NoError(t, err)
			chunk, err := writeLines(context.Background(), store, "runs/t/plan/users-change-0000.jsonl",
				[]plan.UserChange{{AuthingID: "a1", UserID: "mover", Departments: []string{"新部门"}}})
			require.NoError(t, err)
			emu.ResetCalls()
			_, err = env.ExecuteActivity(a.ApplyUserChunk, ApplyUserChunkInput{Connection: "default",
				Chunk: Chunk{Kind: ChunkChange, Key: chunk.Key, Count: 1}, DepartmentMap: dm.Key, Prefix: "runs/t/"})
			require.NoError(t, err)
			for _, u := range emu.Snapshot().Users {
				assert.Equal(t, []string{"dNew"}, u.DepartmentIDs)
			}
			removes := 0
			if addsOnly {
				removes = 1
			}
			assert.Equal(t, removes, emu.Calls()["remove-department-members"])
		})
	}
}

// retryAfterErr is a client error that asks to wait (like WeCom's 45009).
type retryAfterErr struct{ wait time.Duration }

func (e retryAfterErr) Error() string             { return "api freq out of limit" }
func (e retryAfterErr) RetryAfter() time.Duration { return e.wait }

// The wait a server asked for survives the partial result a chunk attaches: Temporal reads the
// retry delay of the outermost error only.
func TestPartialResultKeepsTheRetryDelay(t *testing.T) {
	err := withPartialResult(classify("create users", retryAfterErr{wait: 42 * time.Second}), ChunkResult{})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	assert.Equal(t, ErrTypeRateLimited, appErr.Type())
	assert.Equal(t, 42*time.Second, appErr.NextRetryDelay())
	assert.False(t, appErr.NonRetryable())
	var partial ChunkResult
	require.NoError(t, appErr.Details(&partial))
}
