package integration

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/clients/authing"
	"github.com/wecomsync/wecomsync/clients/wecom"
	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
	"github.com/wecomsync/wecomsync/internal/app"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/internal/metrics"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// stack is one test's world: an Authing emulator over HTTP, a blob store, a task queue of its own
// and (unless started without) an in-process worker wired exactly like the worker binary.
type stack struct {
	t       *testing.T
	emu     *authingemu.Server
	authURL string
	// wecom is the WeCom emulator of a downstream stack (nil for upstream-only stacks).
	wecom     *wecomemu.Server
	wecomURL  string
	wecomMode string
	// env is added to the environment of the stack's worker processes.
	env       []string
	blobURL   string
	store     *claimcheck.Store
	client    client.Client
	taskQueue string
	dir       string
	metrics   *metrics.Metrics
}

const (
	poolID     = "demo-pool"
	poolSecret = "demo-pool-secret"
)

func newStack(t *testing.T, withWorker bool, opts ...authingemu.Option) *stack {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test: needs the Temporal dev server")
	}
	s := &stack{t: t, dir: t.TempDir(), taskQueue: "it-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-"))}
	s.emu = authingemu.New(append([]authingemu.Option{authingemu.WithPool(poolID, poolSecret)}, opts...)...)
	require.NoError(t, s.emu.Seed(authingemu.DemoSeed()))
	srv := httptest.NewServer(s.emu.Handler())
	t.Cleanup(srv.Close)
	s.authURL = srv.URL
	s.blobURL = "file://" + filepath.Join(s.dir, "blobs") + "?create_dir=true"
	var err error
	s.store, err = claimcheck.Open(context.Background(), s.blobURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.store.Close() })
	s.client, err = client.Dial(client.Options{HostPort: devServer.FrontendHostPort(), Logger: nopLogger{}})
	require.NoError(t, err)
	t.Cleanup(s.client.Close)
	if withWorker {
		s.startWorker()
	}
	return s
}

func (s *stack) authingClient() *authing.Client {
	c, err := authing.NewClient(authing.WithBaseURL(s.authURL), authing.WithCredentials(poolID, poolSecret))
	require.NoError(s.t, err)
	return c
}

// newDownstreamStack is a stack with a WeCom emulator too (an empty corp unless seeded), served
// with opts, and a worker whose default connection reaches both in app mode mode.
func newDownstreamStack(t *testing.T, mode string, opts ...wecomemu.Option) *stack {
	t.Helper()
	s := newStack(t, false)
	s.wecomMode = mode
	s.wecom = wecomemu.New(append([]wecomemu.Option{wecomemu.WithCorp(wecomCorp, wecomSecret), wecomemu.WithMode(wecomemu.Mode(mode))}, opts...)...)
	srv := httptest.NewServer(s.wecom.Handler())
	t.Cleanup(srv.Close)
	s.wecomURL = srv.URL + "/cgi-bin/"
	s.startWorker()
	return s
}

const (
	wecomCorp   = "ww-test-corp"
	wecomSecret = "test-contacts-secret"
)

func (s *stack) wecomClient() *wecom.Client {
	c, err := wecom.NewClient(wecom.WithBaseURL(s.wecomURL), wecom.WithCredentials(wecomCorp, wecomSecret))
	require.NoError(s.t, err)
	return c
}

func (s *stack) startWorker() {
	w := worker.New(s.client, s.taskQueue, app.WorkerOptions())
	s.metrics = metrics.New()
	conn := &activities.Connection{Authing: s.authingClient()}
	if s.wecom != nil {
		conn.WeCom, conn.WeComMode = s.wecomClient(), s.wecomMode
	}
	app.Register(w, app.Deps{
		Conns:   activities.Connections{"default": conn},
		Store:   s.store,
		Log:     zap.NewNop(),
		Metrics: s.metrics,
		Client:  s.client,
	})
	require.NoError(s.t, w.Start())
	s.t.Cleanup(w.Stop)
}

// workerEnv is the environment of a worker process serving this stack.
func (s *stack) workerEnv() []string {
	env := append(os.Environ(),
		helperWorkerEnv+"=1",
		"WECOMSYNC_TEMPORAL_ADDRESS="+devServer.FrontendHostPort(),
		"WECOMSYNC_TASK_QUEUE="+s.taskQueue,
		"WECOMSYNC_BLOB_URL="+s.blobURL,
		"WECOMSYNC_AUTHING_URL="+s.authURL,
		"WECOMSYNC_AUTHING_USERPOOL_ID="+poolID,
		"WECOMSYNC_AUTHING_SECRET="+poolSecret,
	)
	env = append(env, s.env...)
	if s.wecom != nil {
		env = append(env,
			"WECOMSYNC_WECOM_URL="+s.wecomURL,
			"WECOMSYNC_WECOM_CORP_ID="+wecomCorp,
			"WECOMSYNC_WECOM_SECRET="+wecomSecret,
			"WECOMSYNC_WECOM_MODE="+s.wecomMode,
		)
	}
	return env
}

// export writes a generated company as an .xlsx and returns its path.
func (s *stack) export(name string, c exportgen.Company, spec exportgen.Spec) string {
	path := filepath.Join(s.dir, name)
	require.NoError(s.t, exportgen.WriteCompany(path, c, spec))
	return path
}

// start starts an upstream run for the file at path and returns its handle.
func (s *stack) start(id string, in workflows.UpstreamInput) client.WorkflowRun {
	run, err := s.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: id, TaskQueue: s.taskQueue, WorkflowExecutionTimeout: 10 * time.Minute,
	}, workflows.UpstreamWorkflowName, in)
	require.NoError(s.t, err)
	return run
}

// sync runs an upstream sync to the end and returns its report.
func (s *stack) sync(id string, in workflows.UpstreamInput) report.Report {
	run := s.start(id, in)
	var rep report.Report
	require.NoError(s.t, run.Get(context.Background(), &rep), "run %s", id)
	s.saveHistory(run, id)
	return rep
}

// syncApproved runs an upstream sync that must wait for approval for a reason containing want,
// approves it, and returns its report.
func (s *stack) syncApproved(id string, in workflows.UpstreamInput, want string) report.Report {
	s.t.Helper()
	run := s.start(id, in)
	var prog report.Progress
	waitFor(s.t, func() bool {
		v, err := s.client.QueryWorkflow(context.Background(), id, run.GetRunID(), workflows.QueryProgress)
		return err == nil && v.Get(&prog) == nil && prog.Status == report.StatusAwaitingApprove
	})
	require.Contains(s.t, strings.Join(prog.AwaitingApproval, "\n"), want)
	require.NoError(s.t, s.client.SignalWorkflow(context.Background(), id, run.GetRunID(), workflows.SignalApprove, workflows.Approval{By: "test"}))
	var rep report.Report
	require.NoError(s.t, run.Get(context.Background(), &rep), "run %s", id)
	s.saveHistory(run, id)
	return rep
}

// saveHistory records the run's history into testdata/histories when UPDATE_HISTORIES=1, for the
// replay tests in package workflows.
func (s *stack) saveHistory(run client.WorkflowRun, name string) {
	if os.Getenv("UPDATE_HISTORIES") != "1" {
		return
	}
	it := s.client.GetWorkflowHistory(context.Background(), run.GetID(), run.GetRunID(), false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(s.t, err)
		h.Events = append(h.Events, e)
	}
	raw, err := protojson.MarshalOptions{Indent: "  "}.Marshal(h)
	require.NoError(s.t, err)
	path := filepath.Join("..", "testdata", "histories", name+".json")
	require.NoError(s.t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(s.t, os.WriteFile(path, raw, 0o644))
}

// directory is what Authing holds, in the terms of the export: users by userid.
type directory struct {
	Departments []string           // every department path below the root, sorted
	Users       map[string]dirUser // by wechatwork_user_id
	Total       int                // every user of the pool, owned or not
}

type dirUser struct {
	Username, Name, Nickname, Phone, Email, Gender, Status, Position string
	Departments                                                      []string // paths, sorted
}

func (s *stack) directory() directory {
	snap := s.emu.Snapshot()
	require.Len(s.t, snap.Organizations, 1)
	root := snap.Organizations[0].DepartmentID
	byID := map[string]authingemu.Department{}
	for _, d := range snap.Departments {
		byID[d.DepartmentID] = d
	}
	var pathOf func(id string) string
	pathOf = func(id string) string {
		if id == root {
			return ""
		}
		d := byID[id]
		if d.ParentDepartmentID == root || d.ParentDepartmentID == "" {
			return d.Name
		}
		return pathOf(d.ParentDepartmentID) + "/" + d.Name
	}
	dir := directory{Users: map[string]dirUser{}, Total: len(snap.Users)}
	for _, d := range snap.Departments {
		dir.Departments = append(dir.Departments, pathOf(d.DepartmentID))
	}
	sort.Strings(dir.Departments)
	for _, u := range snap.Users {
		id, _ := u.CustomData["wechatwork_user_id"].(string)
		if id == "" {
			continue
		}
		pos, _ := u.CustomData["wechatwork_position"].(string)
		du := dirUser{Username: u.Username, Name: u.Name, Nickname: u.Nickname, Phone: u.Phone, Email: u.Email,
			Gender: u.Gender, Status: u.Status, Position: pos}
		for _, d := range u.DepartmentIDs {
			du.Departments = append(du.Departments, pathOf(d))
		}
		sort.Strings(du.Departments)
		dir.Users[id] = du
	}
	return dir
}

func mustJSON(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// scrape returns the stack worker's metrics in the Prometheus text format.
func (s *stack) scrape() string {
	rec := httptest.NewRecorder()
	s.metrics.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}
