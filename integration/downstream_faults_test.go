package integration

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/wecomsync/wecomsync/activities"
	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// Issue 12, "must show": token expiry, 45009 and 45033 injected mid-run, and a SIGKILLed worker →
// the same end state. Each test syncs the same generated Authing organization into an empty WeCom
// with one kind of trouble injected while the run writes members, then checks that WeCom and the
// Authing write-backs are exactly those of an undisturbed run, every member was created exactly
// once, the report's counts are exact and a rerun writes nothing.
//
// "Mid-run" is not left to timing: the WeCom emulator sits behind a recorder (wecomLog) that sees
// every user/create answer, and the trouble is injected from it right after the k-th member was
// created, while the other batches of the step are in flight.

// faultOrgUsers is the size of the generated organization: large enough for several apply chunks
// (500 writes each) and many batches in flight when the trouble starts, small enough for a run of a
// few seconds.
const faultOrgUsers = 1200

// faultOrgDepartments is the generated department tree: Authing id, parent id ("" = the
// organization root) and name.
var faultOrgDepartments = []struct{ id, parent, name string }{
	{"rd", "", "研发中心"}, {"mk", "", "市场部"}, {"sa", "", "销售部"}, {"fi", "", "财务部"}, {"hr", "", "人事部"},
	{"be", "rd", "后端组"}, {"fe", "rd", "前端组"}, {"qa", "rd", "测试组"}, {"ops", "rd", "运维组"},
	{"pay", "be", "支付小组"}, {"acct", "be", "账户小组"},
	{"brand", "mk", "品牌组"}, {"event", "mk", "活动组"},
	{"north", "sa", "华北区"}, {"south", "sa", "华南区"}, {"east", "sa", "华东区"}, {"sh", "east", "上海办"},
	{"ac", "fi", "会计组"},
	{"recruit", "hr", "招聘组"}, {"train", "hr", "培训组"},
}

const faultOrgRoot = "root-f"

// faultOrg is an organization of n members over 20 departments (three levels deep), generated
// deterministically: every 50th member sits at the root, every 7th in two departments (the second
// one its main department every other time), every 10th has no mobile and every 13th no email (so
// every 130th has no contact at all and is skipped, as is one more member), and one pool user is
// outside the organization.
func faultOrg(n int) authingemu.Fixture {
	f := authingemu.Fixture{
		Organizations: []authingemu.Organization{{OrganizationCode: "faults", OrganizationName: "故障科技", DepartmentID: faultOrgRoot}},
	}
	for _, d := range faultOrgDepartments {
		f.Departments = append(f.Departments, authingemu.Department{DepartmentID: d.id, OrganizationCode: "faults", ParentDepartmentID: d.parent, Name: d.name})
	}
	surnames := []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗")
	given := []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英"}
	for i := range n {
		u := authingemu.User{
			UserID:   fmt.Sprintf("a-%04d", i),
			Username: fmt.Sprintf("m%04d", i),
			Name:     string(surnames[i%len(surnames)]) + given[(i/len(surnames))%len(given)],
			Phone:    fmt.Sprintf("139%08d", i),
			Email:    fmt.Sprintf("m%04d@faults.example", i),
			Gender:   []string{"M", "F"}[i%2],
		}
		if i%10 == 3 {
			u.Phone = ""
		}
		if i%13 == 5 {
			u.Email = ""
		}
		switch d := faultOrgDepartments[i%len(faultOrgDepartments)].id; {
		case i%50 == 0:
			u.DepartmentIDs = []string{faultOrgRoot}
		case i%7 == 0:
			other := faultOrgDepartments[(i/7)%len(faultOrgDepartments)].id
			if other == d {
				other = faultOrgDepartments[(i/7+1)%len(faultOrgDepartments)].id
			}
			u.DepartmentIDs = []string{d, other}
			if i%14 == 0 {
				u.MainDepartmentID = other
			}
		default:
			u.DepartmentIDs = []string{d}
		}
		f.Users = append(f.Users, u)
	}
	f.Users = append(f.Users,
		authingemu.User{UserID: "a-nocontact", Username: "nocontact", Name: "无联系", DepartmentIDs: []string{"mk"}},
		authingemu.User{UserID: "a-outsider", Username: "outsider", Name: "局外人", Phone: "13700000009"},
	)
	return f
}

// expectedWeCom is what WeCom must hold after a run of f into an empty corp, computed from the
// fixture alone: every department, and every member with a mobile or an email under its Authing
// username, main department first.
func expectedWeCom(f authingemu.Fixture) wecomState {
	path := map[string]string{}
	var pathOf func(id string) string
	parent := map[string]string{}
	name := map[string]string{}
	for _, d := range f.Departments {
		parent[d.DepartmentID], name[d.DepartmentID] = d.ParentDepartmentID, d.Name
	}
	root := f.Organizations[0].DepartmentID
	pathOf = func(id string) string {
		if id == root || id == "" {
			return "/"
		}
		if p, ok := path[id]; ok {
			return p
		}
		p := name[id]
		if pp := pathOf(parent[id]); pp != "/" {
			p = pp + "/" + p
		}
		path[id] = p
		return p
	}
	st := wecomState{Users: map[string]wecomMember{}}
	for _, d := range f.Departments {
		st.Departments = append(st.Departments, pathOf(d.DepartmentID))
	}
	sort.Strings(st.Departments)
	for _, u := range f.Users {
		if len(u.DepartmentIDs) == 0 || u.Phone == "" && u.Email == "" {
			continue
		}
		m := wecomMember{Name: u.Name, Email: u.Email, Gender: mapping.WeComGender(u.Gender), Status: wecomemu.StatusInactive}
		if u.Phone != "" {
			m.Mobile = "+86 " + u.Phone
		}
		main := u.MainDepartmentID
		if main == "" {
			main = u.DepartmentIDs[0]
		}
		m.Departments = []string{pathOf(main)}
		for _, d := range u.DepartmentIDs {
			if d != main {
				m.Departments = append(m.Departments, pathOf(d))
			}
		}
		st.Users[u.Username] = m
	}
	return st
}

// ---- the stack: a downstream stack whose WeCom emulator is behind a recorder ----

// wecomLog records the answers of the WeCom emulator's writes (and gettoken), and calls hooks
// after them.
type wecomLog struct {
	mu sync.Mutex
	// created counts the user/create calls answered errcode 0, per userid.
	created map[string]int
	// codes counts the answers of each path per errcode (answerDropped: no answer; an HTTP error
	// status is counted negated).
	codes map[string]map[int]int
	// first45009 is when the first 45009 was answered.
	first45009 time.Time
	// hooks are called after each answer, outside the lock, with the path's errcode-0 answers so far.
	hooks []func(path string, code, ok int)
	// toLose and lost count the successful answers per path still to be lost, and those lost.
	toLose, lost map[string]int
}

// answerDropped counts a call the emulator answered without a body (a dropped connection).
const answerDropped = -2

func newWeComLog() *wecomLog {
	return &wecomLog{created: map[string]int{}, codes: map[string]map[int]int{}, toLose: map[string]int{}, lost: map[string]int{}}
}

// afterOK runs fn once, right after the k-th call of path answered errcode 0: inside the
// emulator's handler, while the other calls of the step are in flight. fn must not call
// require (it runs outside the test goroutine).
func (l *wecomLog) afterOK(path string, k int, fn func()) {
	var once sync.Once
	l.mu.Lock()
	defer l.mu.Unlock()
	l.hooks = append(l.hooks, func(p string, code, ok int) {
		if p == path && code == 0 && ok >= k {
			once.Do(fn)
		}
	})
}

// afterCreates runs fn once, right after the k-th member was created.
func (l *wecomLog) afterCreates(k int, fn func()) { l.afterOK("user/create", k, fn) }

// calls is how many calls of path were answered, whatever the answer.
func (l *wecomLog) calls(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.codes[path] {
		n += c
	}
	return n
}

func (l *wecomLog) count(path string, code int) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.codes[path][code]
}

// recordedPaths are the WeCom API paths the recorder decodes.
var recordedPaths = []string{"user/create", "user/update", "gettoken", "department/create"}

// wrap puts the recorder in front of the emulator's handler.
func (l *wecomLog) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := strings.TrimPrefix(r.URL.Path, "/cgi-bin/")
		if !slices.Contains(recordedPaths, path) {
			next.ServeHTTP(w, r)
			return
		}
		var req struct {
			UserID string `json:"userid"`
		}
		if r.Body != nil {
			body, _ := io.ReadAll(r.Body)
			_ = json.Unmarshal(body, &req)
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		rec := &recordingWriter{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		code := answerDropped
		var env struct {
			ErrCode int `json:"errcode"`
		}
		switch {
		case rec.status != 0 && rec.status != http.StatusOK:
			code = -rec.status
		case rec.body.Len() > 0 && json.Unmarshal(rec.body.Bytes(), &env) == nil:
			code = env.ErrCode
		}
		l.mu.Lock()
		if l.codes[path] == nil {
			l.codes[path] = map[int]int{}
		}
		l.codes[path][code]++
		ok := l.codes[path][0]
		if path == "user/create" && code == 0 {
			l.created[req.UserID]++
		}
		if code == 45009 && l.first45009.IsZero() {
			l.first45009 = time.Now()
		}
		lose := code == 0 && l.toLose[path] > 0
		if lose {
			l.toLose[path]--
			l.lost[path]++
		}
		hooks := slices.Clone(l.hooks)
		l.mu.Unlock()
		switch {
		case lose:
			// Done, but the caller never hears of it: the connection drops after the write.
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				_ = conn.Close()
			}
		case rec.status != 0 || rec.body.Len() > 0:
			w.WriteHeader(cmp.Or(rec.status, http.StatusOK))
			_, _ = w.Write(rec.body.Bytes())
		}
		for _, h := range hooks {
			h(path, code, ok)
		}
	})
}

// loseAnswers makes the next n calls of path that succeed lose their answer: the emulator
// applies them, then the connection drops, as when a response times out after the write.
func (l *wecomLog) loseAnswers(path string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.toLose[path] += n
}

func (l *wecomLog) lostAnswers(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.lost[path]
}

// recordingWriter holds the emulator's answer until the recorder has seen it; Unwrap lets the
// emulator hijack the connection itself (an injected drop).
type recordingWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (w *recordingWriter) WriteHeader(code int) { w.status = code }

func (w *recordingWriter) Write(b []byte) (int, error) { return w.body.Write(b) }

func (w *recordingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// newFaultStack is newDownstreamStack (自建) with the WeCom emulator behind a recorder, seeded with
// org, and with the in-process worker only when withWorker (else the test runs worker processes).
func newFaultStack(t *testing.T, org authingemu.Fixture, withWorker bool, opts ...wecomemu.Option) (*stack, *wecomLog) {
	t.Helper()
	s := newStack(t, false)
	s.wecomMode = mapping.ModeSelfBuilt
	s.wecom = wecomemu.New(append([]wecomemu.Option{wecomemu.WithCorp(wecomCorp, wecomSecret), wecomemu.WithMode(wecomemu.ModeSelfBuilt)}, opts...)...)
	log := newWeComLog()
	srv := httptest.NewServer(log.wrap(s.wecom.Handler()))
	t.Cleanup(srv.Close)
	s.wecomURL = srv.URL + "/cgi-bin/"
	require.NoError(t, s.emu.Seed(org))
	if withWorker {
		s.startWorker()
	}
	return s, log
}

// startDownstream starts a downstream run and returns its handle.
func (s *stack) startDownstream(id string, in workflows.DownstreamInput) client.WorkflowRun {
	s.t.Helper()
	run, err := s.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: id, TaskQueue: s.taskQueue, WorkflowExecutionTimeout: 5 * time.Minute,
	}, workflows.DownstreamWorkflowName, in)
	require.NoError(s.t, err)
	return run
}

// finish waits for a run (at most within) and returns its report.
func (s *stack) finish(run client.WorkflowRun, within time.Duration) report.Report {
	s.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	var rep report.Report
	require.NoError(s.t, run.Get(ctx, &rep), "run %s", run.GetID())
	return rep
}

// ---- the end state ----

// writeBacks are the WeCom ids Authing holds: the wechatwork_* custom data of each department (by
// Authing id) and user (by username).
type writeBacks struct {
	Departments map[string]map[string]string
	Users       map[string]map[string]string
}

func (s *stack) writeBacks() writeBacks {
	wb := writeBacks{Departments: map[string]map[string]string{}, Users: map[string]map[string]string{}}
	pick := func(cd map[string]any) map[string]string {
		out := map[string]string{}
		for k, v := range cd {
			if strings.HasPrefix(k, "wechatwork_") {
				out[k] = fmt.Sprint(v)
			}
		}
		return out
	}
	snap := s.emu.Snapshot()
	for _, d := range snap.Departments {
		wb.Departments[d.DepartmentID] = pick(d.CustomData)
	}
	for _, u := range snap.Users {
		wb.Users[u.Username] = pick(u.CustomData)
	}
	return wb
}

// checkWriteBacks checks the write-backs against WeCom itself: every Authing department names the
// WeCom department at its path and that one's parent, every synced user its userid and its WeCom
// departments (main first); users WeCom does not have carry nothing.
func checkWriteBacks(t *testing.T, s *stack, org authingemu.Fixture) {
	t.Helper()
	snap := s.wecom.Snapshot()
	byID := map[int]wecomemu.Department{}
	for _, d := range snap.Departments {
		byID[d.ID] = d
	}
	idOf := map[string]int{} // WeCom department path → id
	for _, d := range snap.Departments {
		p := []string{}
		for id := d.ID; byID[id].ParentID != 0; id = byID[id].ParentID {
			p = append([]string{byID[id].Name}, p...)
		}
		idOf[strings.Join(p, "/")] = d.ID
	}
	parent, name := map[string]string{}, map[string]string{}
	for _, d := range org.Departments {
		parent[d.DepartmentID], name[d.DepartmentID] = d.ParentDepartmentID, d.Name
	}
	var pathOf func(id string) string
	pathOf = func(id string) string {
		if id == "" || id == faultOrgRoot {
			return ""
		}
		if pp := pathOf(parent[id]); pp != "" {
			return pp + "/" + name[id]
		}
		return name[id]
	}
	wb := s.writeBacks()
	for _, d := range org.Departments {
		id, ok := idOf[pathOf(d.DepartmentID)]
		require.True(t, ok, "WeCom has %s", pathOf(d.DepartmentID))
		assert.Equal(t, map[string]string{
			mapping.KeyDepartmentID:       strconv.Itoa(id),
			mapping.KeyParentDepartmentID: strconv.Itoa(idOf[pathOf(d.ParentDepartmentID)]),
		}, wb.Departments[d.DepartmentID], pathOf(d.DepartmentID))
	}
	members := map[string]wecomemu.User{}
	for _, u := range snap.Users {
		members[u.UserID] = u
	}
	for _, u := range org.Users {
		m, ok := members[u.Username]
		if !ok {
			assert.Empty(t, wb.Users[u.Username], u.Username)
			continue
		}
		ids := make([]string, len(m.Department))
		for i, d := range m.Department {
			ids[i] = strconv.Itoa(d)
		}
		assert.Equal(t, strconv.Itoa(m.MainDepartment), ids[0], "%s: main department first", u.Username)
		assert.Equal(t, map[string]string{mapping.KeyUserID: u.Username, mapping.KeyUserDepartmentIDs: strings.Join(ids, ",")},
			wb.Users[u.Username], u.Username)
	}
}

// reference is the end state of an undisturbed run of faultOrg(faultOrgUsers) into an empty WeCom,
// computed once per test process on a stack of its own.
var reference struct {
	once   sync.Once
	state  wecomState
	wb     writeBacks
	report report.Report
	ok     bool
}

// undisturbed returns the reference end state, running the clean sync the first time.
func undisturbed(t *testing.T) (wecomState, writeBacks, report.Report) {
	t.Helper()
	reference.once.Do(func() {
		t.Run("undisturbed", func(t *testing.T) {
			org := faultOrg(faultOrgUsers)
			s, log := newFaultStack(t, org, true)
			rep := s.finish(s.startDownstream("undisturbed", workflows.DownstreamInput{}), 2*time.Minute)
			require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
			st := s.wecomState()
			require.Equal(t, expectedWeCom(org), st, "the undisturbed run does what the fixture says")
			checkWriteBacks(t, s, org)
			checkCreatedOnce(t, log, org)
			reference.state, reference.wb, reference.report, reference.ok = st, s.writeBacks(), rep, true
		})
	})
	require.True(t, reference.ok, "the undisturbed reference run failed")
	return reference.state, reference.wb, reference.report
}

// checkCreatedOnce checks that every member was created by exactly one successful user/create.
func checkCreatedOnce(t *testing.T, log *wecomLog, org authingemu.Fixture) {
	t.Helper()
	want := map[string]int{}
	for id := range expectedWeCom(org).Users {
		want[id] = 1
	}
	log.mu.Lock()
	defer log.mu.Unlock()
	assert.Equal(t, want, log.created, "successful user/create calls per userid")
}

// checkSameEndState is the "same end state" of the issue: the run completed without failures,
// WeCom and the write-backs equal those of the undisturbed run, every member was created exactly
// once, the report counts exactly what the undisturbed run counted, and a rerun writes nothing.
func checkSameEndState(t *testing.T, s *stack, log *wecomLog, org authingemu.Fixture, rep report.Report) {
	t.Helper()
	refState, refWB, refRep := undisturbed(t)
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, refState, s.wecomState(), "WeCom as after an undisturbed run")
	assert.Equal(t, refWB, s.writeBacks(), "Authing write-backs as after an undisturbed run")
	checkWriteBacks(t, s, org)
	checkCreatedOnce(t, log, org)
	assert.Equal(t, refRep.Planned, rep.Planned, "planned")
	assert.Equal(t, refRep.Applied, rep.Applied, "applied: every write counted once")
	assert.Zero(t, rep.Failed.Writes(), mustJSON(rep.Failures))
	assert.Empty(t, rep.Failures)
	users := len(refState.Users)
	assert.Equal(t, users, rep.Applied.UsersCreate)
	assert.Equal(t, users, rep.Applied.UsersWriteBack)
	assert.Equal(t, len(faultOrgDepartments), rep.Applied.DepartmentsCreate)
	assert.Equal(t, len(faultOrgDepartments), rep.Applied.DepartmentsWriteBack)
	assert.Equal(t, skippedMembers(org), rep.Planned.UsersSkipped, "members without mobile and email")

	s.resetCalls()
	rerun := s.finish(s.startDownstream(rep.WorkflowID+"-rerun", workflows.DownstreamInput{}), time.Minute)
	require.Equal(t, report.StatusCompleted, rerun.Status, mustJSON(rerun))
	assert.Zero(t, rerun.Planned.Writes(), mustJSON(rerun.Planned))
	assert.Zero(t, s.writes(), "a rerun writes nothing: WeCom %v, Authing %v", s.wecom.Writes(), s.emu.Writes())
	assert.Equal(t, users, rerun.Planned.UsersUnchanged)
}

// skippedMembers is how many members of org WeCom cannot take (no mobile and no email).
func skippedMembers(org authingemu.Fixture) int {
	n := 0
	for _, u := range org.Users {
		if len(u.DepartmentIDs) > 0 && u.Phone == "" && u.Email == "" {
			n++
		}
	}
	return n
}

// ---- the scenarios ----

// Every token is revoked right after the 300th member was created (its next use answers 40014)
// and the first two gettoken calls after it answer -1; later 42001 (expired) and 40014 (invalid)
// are injected on user/create: the client fetches a new token once for all callers, retrying
// gettoken, and sends each call again.
func TestDownstreamFaultTokenExpiry(t *testing.T) {
	org := faultOrg(faultOrgUsers)
	s, log := newFaultStack(t, org, true)
	log.afterCreates(300, func() {
		s.wecom.FailNext("gettoken", -1, 2)
		s.wecom.RevokeTokens()
	})
	log.afterCreates(600, func() { s.wecom.FailNext("user/create", 42001, 5) })
	var revoked atomic.Int64 // 40014 answers to calls with the revoked token
	log.afterCreates(900, func() {
		revoked.Store(int64(log.count("user/create", 40014)))
		s.wecom.FailNext("user/create", 40014, 5)
	})
	rep := s.finish(s.startDownstream("fault-token", workflows.DownstreamInput{}), 2*time.Minute)
	checkSameEndState(t, s, log, org, rep)
	assert.Positive(t, revoked.Load(), "the revoked token was used mid-run")
	assert.Equal(t, 5, log.count("user/create", 40014)-int(revoked.Load()), "injected: invalid")
	assert.Equal(t, 5, log.count("user/create", 42001), "injected: expired")
	assert.Equal(t, 2, log.count("gettoken", -1))
	assert.GreaterOrEqual(t, log.count("gettoken", 0), 2, "a new token was fetched")
}

// Three user/create calls answer 45009 (the API is blocked for the rest of WeCom's minute) right
// after the 400th member: the client does not wait itself, it returns a retryable error with
// RetryAfter (the end of the minute), and the chunk activity asks Temporal to retry it after that
// delay (NextRetryDelay) instead of hammering the blocked API on its backoff. The run waits for the
// window, finishes, and ends as an undisturbed run.
func TestDownstreamFaultRateLimited(t *testing.T) {
	org := faultOrg(faultOrgUsers)
	s, log := newFaultStack(t, org, true)
	log.afterCreates(400, func() { s.wecom.FailNext("user/create", 45009, 3) })
	started := time.Now()
	run := s.startDownstream("fault-45009", workflows.DownstreamInput{})
	// A 45009 waits for the end of the minute (up to 60 s); the rest of the run takes seconds.
	rep := s.finish(run, 3*time.Minute)
	t.Logf("the run took %s (first 45009 at %s)", time.Since(started).Round(time.Millisecond), log.first45009.Format("15:04:05.000"))
	checkSameEndState(t, s, log, org, rep)
	assert.Equal(t, 3, log.count("user/create", 45009))

	// The history: each chunk that met a 45009 failed with RateLimited and a retry delay of at most
	// a minute, and its next attempt started when WeCom's window had ended, not before.
	windowEnd := log.first45009.Truncate(time.Minute).Add(time.Minute)
	retries := retriedAttempts(t, s, run)
	require.NotEmpty(t, retries, "a chunk met the 45009 and was retried")
	for _, r := range retries {
		info := r.lastFailure.GetApplicationFailureInfo()
		assert.Contains(t, r.lastFailure.GetMessage(), "45009")
		assert.Equal(t, activities.ErrTypeRateLimited, info.GetType(), "%s: the failure says the API is rate limited", r.activity)
		if assert.NotNil(t, info.GetNextRetryDelay(), "%s: the failure carries WeCom's RetryAfter as NextRetryDelay", r.activity) {
			d := info.GetNextRetryDelay().AsDuration()
			assert.True(t, d > 0 && d <= time.Minute, "%s: retry delay %s, want the rest of the minute", r.activity, d)
		}
		assert.False(t, r.startedAt.Before(windowEnd), "%s attempt %d started at %s, before WeCom's window ended at %s",
			r.activity, r.attempt, r.startedAt.Format("15:04:05.000"), windowEnd.Format("15:04:05.000"))
	}
}

// retriedAttempt is an activity whose last attempt was not its first, as the history shows it.
type retriedAttempt struct {
	activity    string
	attempt     int32
	startedAt   time.Time
	lastFailure *failurepb.Failure
}

// retriedAttempts lists the activities of run that were retried.
func retriedAttempts(t *testing.T, s *stack, run client.WorkflowRun) []retriedAttempt {
	t.Helper()
	names := map[int64]string{}
	var out []retriedAttempt
	it := s.client.GetWorkflowHistory(context.Background(), run.GetID(), run.GetRunID(), false, 0)
	for it.HasNext() {
		e, err := it.Next()
		require.NoError(t, err)
		if a := e.GetActivityTaskScheduledEventAttributes(); a != nil {
			names[e.GetEventId()] = a.GetActivityType().GetName()
		}
		if a := e.GetActivityTaskStartedEventAttributes(); a != nil && a.GetAttempt() > 1 {
			out = append(out, retriedAttempt{activity: names[a.GetScheduledEventId()], attempt: a.GetAttempt(),
				startedAt: e.GetEventTime().AsTime(), lastFailure: a.GetLastFailure()})
		}
	}
	return out
}

// 45033 (too many concurrent calls) and -1 (系统繁忙) are injected on user/create mid-run, twenty
// of each: the client backs off and sends the call again; what it cannot place within its retries
// the activity's retry places, resuming after the last finished batch.
func TestDownstreamFaultBusy(t *testing.T) {
	org := faultOrg(faultOrgUsers)
	s, log := newFaultStack(t, org, true)
	log.afterCreates(300, func() { s.wecom.FailNext("user/create", 45033, 20) })
	log.afterCreates(700, func() { s.wecom.FailNext("user/create", -1, 20) })
	rep := s.finish(s.startDownstream("fault-busy", workflows.DownstreamInput{}), 2*time.Minute)
	checkSameEndState(t, s, log, org, rep)
	assert.Equal(t, 20, log.count("user/create", 45033))
	assert.Equal(t, 20, log.count("user/create", -1))
}

// The emulator enforces a real concurrency limit (WithMaxConcurrent, 8 calls of the corp at once):
// with every chunk of the step running and sixteen batches of each in flight, far more calls
// arrive than it admits, so 45033 comes back throughout the run, on any API; the run still ends as
// an undisturbed run.
func TestDownstreamFaultConcurrencyLimit(t *testing.T) {
	org := faultOrg(faultOrgUsers)
	s, log := newFaultStack(t, org, true, wecomemu.WithMaxConcurrent(faultMaxConcurrent))
	// Calls that take a while, so that they overlap.
	addWeComFault(t, s, `{"path":"*","kind":"latency","delay":"2ms"}`)
	rep := s.finish(s.startDownstream("fault-45033", workflows.DownstreamInput{}), 3*time.Minute)
	checkSameEndState(t, s, log, org, rep)
	t.Logf("45033 answered to %d user/create calls", log.count("user/create", 45033))
	assert.Positive(t, log.count("user/create", 45033), "the limit was reached")
}

// faultMaxConcurrent is the emulator's concurrency limit in TestDownstreamFaultConcurrencyLimit.
const faultMaxConcurrent = 8

// addWeComFault adds a fault rule (JSON) through the WeCom emulator's /_emulator/faults endpoint.
func addWeComFault(t *testing.T, s *stack, rule string) {
	t.Helper()
	require.NoError(t, postWeComFault(s, rule))
}

// postWeComFault is addWeComFault for the emulator's hooks, which must not call require.
func postWeComFault(s *stack, rule string) error {
	url := strings.TrimSuffix(s.wecomURL, "/cgi-bin/") + "/_emulator/faults"
	resp, err := http.Post(url, "application/json", strings.NewReader(rule))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("fault rule %s: HTTP %d %s", rule, resp.StatusCode, b)
	}
	return nil
}

// The worker runs in its own process and is SIGKILLed while it creates members (each user/create
// takes 50 ms; one chunk at a time, sixteen batches of it in flight), once a chunk's heartbeat
// says some of its batches are done. A second worker process takes over when Temporal notices the
// dead one (the apply activities' heartbeat timeout): the chunk resumes after its last heartbeat,
// and the members the dead worker created after it are adopted (60102, then updated). No member is
// created twice, none is missing, and the report counts each once.
func TestDownstreamFaultWorkerKilled(t *testing.T) {
	org := faultOrg(faultOrgUsers)
	members := len(expectedWeCom(org).Users)
	s, log := newFaultStack(t, org, false)
	addWeComFault(t, s, `{"path":"user/create","kind":"latency","delay":"50ms"}`)
	first := startWorkerProcess(t, s)
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()
	run := s.startDownstream("fault-kill", workflows.DownstreamInput{Concurrency: 1})
	waitUntil(t, "a chunk heartbeat with finished batches", time.Minute, func() bool {
		select {
		case err := <-exited:
			t.Fatalf("the worker process ended before it was killed: %v", err)
		default:
		}
		return chunkBatchesDone(t, s, run) > 0
	})
	require.NoError(t, first.Process.Kill())
	<-exited
	atKill, callsAtKill := len(s.wecom.Snapshot().Users), log.calls("user/create")
	t.Logf("worker killed with %d of %d members created", atKill, members)
	require.Less(t, atKill, members, "killed mid-apply")

	startWorkerProcess(t, s)
	rep := s.finish(run, 3*time.Minute)
	checkSameEndState(t, s, log, org, rep)
	after := log.calls("user/create") - callsAtKill
	t.Logf("%d user/create calls after the kill, %d of them answered 60102 (adopted)", after, log.count("user/create", 60102))
	assert.Less(t, after, members-atKill+wecomBatchesInFlight*25, "the chunk resumed after its last heartbeat, not from its start")
}

// wecomBatchesInFlight is how many batches of one WeCom chunk are written at once (the activities'
// default write concurrency).
const wecomBatchesInFlight = 16

// chunkBatchesDone is how many batches the running chunks of run say they finished in their last
// heartbeat.
func chunkBatchesDone(t *testing.T, s *stack, run client.WorkflowRun) int {
	t.Helper()
	d, err := s.client.DescribeWorkflow(context.Background(), run.GetID(), run.GetRunID())
	require.NoError(t, err)
	done := 0
	for _, a := range d.RawResponse.GetPendingActivities() {
		if a.GetActivityType().GetName() != "ApplyWeComChunk" || a.GetHeartbeatDetails() == nil {
			continue
		}
		var prog struct {
			Done []bool `json:"done"`
		}
		require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(a.GetHeartbeatDetails(), &prog))
		for _, d := range prog.Done {
			if d {
				done++
			}
		}
	}
	return done
}

// Connections drop and servers answer 5xx on the Authing write-backs (update-user-batch,
// update-department) of a first run, and on WeCom user/update in a second run after members were
// renamed, given new emails and moved in Authing; some department/create, user/create and
// user/update calls lose their answer after WeCom applied them (the client sends them again and
// meets 60008/60102, which the run adopts): both runs end exactly as planned.
func TestDownstreamFaultDroppedWrites(t *testing.T) {
	org := faultOrg(faultOrgUsers)
	s, log := newFaultStack(t, org, true)
	log.loseAnswers("department/create", 2)
	log.afterCreates(200, func() { log.loseAnswers("user/create", 5) })
	log.afterCreates(600, func() {
		for _, rule := range []string{
			`{"path":"update-user-batch","kind":"drop","count":3}`,
			`{"path":"update-user-batch","kind":"5xx","code":502,"count":2}`,
			`{"path":"update-department","kind":"5xx","code":503,"count":3}`,
			`{"path":"update-department","kind":"drop","count":2}`,
		} {
			assert.NoError(t, postAuthingFault(s, rule))
		}
	})
	rep := s.finish(s.startDownstream("fault-dropped-writeback", workflows.DownstreamInput{}), 2*time.Minute)
	checkSameEndState(t, s, log, org, rep)
	assert.Empty(t, s.emu.Faults().Rules(), "every injected write-back fault fired")
	assert.Equal(t, 2, log.lostAnswers("department/create"))
	assert.Equal(t, 5, log.lostAnswers("user/create"))
	assert.Equal(t, 5, log.count("user/create", 60102), "each create whose answer was lost met itself when sent again")

	// Authing changes: every third member renamed, every fifth with an email gets a new one,
	// every eleventh moves to another department.
	edited := editedFaultOrg(org)
	require.NoError(t, s.emu.Seed(edited.withWriteBacks(s.emu.Snapshot())))
	want := expectedWeCom(edited.Fixture)
	log.afterOK("user/update", 50, func() { log.loseAnswers("user/update", 3) })
	log.afterOK("user/update", 100, func() {
		for _, rule := range []string{
			`{"path":"user/update","kind":"drop","count":4}`,
			`{"path":"user/update","kind":"5xx","code":502,"count":4}`,
		} {
			assert.NoError(t, postWeComFault(s, rule))
		}
	})
	rep = s.finish(s.startDownstream("fault-dropped-update", workflows.DownstreamInput{}), 2*time.Minute)
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, want, s.wecomState(), "WeCom as the edited organization says")
	checkWriteBacks(t, s, edited.Fixture)
	assert.Equal(t, edited.updated, rep.Applied.UsersUpdate, "updated members, each counted once")
	assert.Equal(t, edited.moved, rep.Applied.UsersMembership, "moved members, each counted once")
	assert.Equal(t, edited.moved, rep.Applied.UsersWriteBack, "the moved members' department ids written back")
	assert.Equal(t, rep.Planned.Writes(), rep.Applied.Writes(), mustJSON(rep.Planned))
	assert.Zero(t, rep.Failed.Writes(), mustJSON(rep.Failures))
	assert.Equal(t, 4, log.count("user/update", answerDropped))
	assert.Equal(t, 4, log.count("user/update", -http.StatusBadGateway))
	assert.Equal(t, 3, log.lostAnswers("user/update"))
	s.resetCalls()
	rerun := s.finish(s.startDownstream("fault-dropped-rerun", workflows.DownstreamInput{}), time.Minute)
	assert.Zero(t, rerun.Planned.Writes(), mustJSON(rerun.Planned))
	assert.Zero(t, s.writes(), "a rerun writes nothing: WeCom %v, Authing %v", s.wecom.Writes(), s.emu.Writes())
}

// postAuthingFault adds a fault rule (JSON) through the Authing emulator's /_emulator/faults.
func postAuthingFault(s *stack, rule string) error {
	resp, err := http.Post(s.authURL+"/_emulator/faults", "application/json", strings.NewReader(rule))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("fault rule %s: HTTP %d", rule, resp.StatusCode)
	}
	return nil
}

// editedOrg is faultOrg after an admin's changes, with how many synced members they touch.
type editedOrg struct {
	authingemu.Fixture
	updated, moved int
}

func editedFaultOrg(org authingemu.Fixture) editedOrg {
	e := editedOrg{Fixture: org}
	e.Users = slices.Clone(org.Users)
	synced := expectedWeCom(org).Users
	for i := range e.Users {
		u := &e.Users[i]
		if !strings.HasPrefix(u.Username, "m") {
			continue
		}
		n, _ := strconv.Atoi(strings.TrimPrefix(u.Username, "m"))
		changed := false
		if n%3 == 1 {
			u.Name += "新"
			changed = true
		}
		if n%5 == 2 && u.Email != "" {
			u.Email = "new-" + u.Email
			changed = true
		}
		_, isSynced := synced[u.Username]
		if n%11 == 4 && u.DepartmentIDs[0] != faultOrgRoot {
			u.DepartmentIDs = []string{faultOrgDepartments[(n/11)%len(faultOrgDepartments)].id}
			if u.DepartmentIDs[0] == org.Users[i].DepartmentIDs[0] && len(org.Users[i].DepartmentIDs) == 1 {
				u.DepartmentIDs = []string{faultOrgRoot}
			}
			u.MainDepartmentID = ""
			if isSynced {
				e.moved++
			}
		}
		if changed && isSynced {
			e.updated++
		}
	}
	return e
}

// withWriteBacks is the edited fixture carrying the custom data (the WeCom ids) Authing holds now.
func (e editedOrg) withWriteBacks(now authingemu.Fixture) authingemu.Fixture {
	f := e.Fixture
	f.CustomFields = now.CustomFields
	depData := map[string]map[string]any{}
	for _, d := range now.Departments {
		depData[d.DepartmentID] = d.CustomData
	}
	userData := map[string]map[string]any{}
	for _, u := range now.Users {
		userData[u.UserID] = u.CustomData
	}
	f.Departments = slices.Clone(f.Departments)
	for i := range f.Departments {
		f.Departments[i].CustomData = depData[f.Departments[i].DepartmentID]
	}
	for i := range f.Users {
		f.Users[i].CustomData = userData[f.Users[i].UserID]
	}
	return f
}

// A schedule made with the starter fires the real DownstreamSync on the stack's worker: a
// scheduled run brings the organization into WeCom, and the schedule is deleted. A second schedule
// whose run has to wait for approval (more disables than --max-deletes) skips its next starts while
// that run waits, and the run, approved, disables the members Authing does not have.
func TestDownstreamScheduleEndToEnd(t *testing.T) {
	org := faultOrg(60)
	s, _ := newFaultStack(t, org, true)
	ctx := context.Background()
	sc := s.client.ScheduleClient()
	cleanup := func(id string) {
		t.Cleanup(func() {
			h := sc.GetHandle(context.Background(), id)
			if d, err := h.Describe(context.Background()); err == nil {
				for _, r := range d.Info.RunningWorkflows {
					_ = s.client.TerminateWorkflow(context.Background(), r.WorkflowID, r.FirstExecutionRunID, "test over")
				}
			}
			_ = h.Delete(context.Background())
		})
	}
	describe := func(id string) *client.ScheduleDescription {
		d, err := sc.GetHandle(ctx, id).Describe(ctx)
		require.NoError(t, err)
		return d
	}

	// 1. Every 2 s, the default connection, changed mode: the first run syncs everything.
	const nightly = "downstream-faults-e2e"
	cleanup(nightly)
	out, stderr, code := s.starter("schedule", "create", "--id", nightly, "--connection", workflows.DefaultConnection, "--every", "2s")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "created schedule "+nightly)
	var rep report.Report
	waitUntil(t, "a scheduled run completed", time.Minute, func() bool {
		for _, a := range describe(nightly).Info.RecentActions {
			if a.StartWorkflowResult == nil {
				continue
			}
			run := s.client.GetWorkflow(ctx, a.StartWorkflowResult.WorkflowID, a.StartWorkflowResult.FirstExecutionRunID)
			d, err := s.client.DescribeWorkflow(ctx, run.GetID(), run.GetRunID())
			if err == nil && d.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
				require.NoError(t, run.Get(ctx, &rep))
				return true
			}
		}
		return false
	})
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.True(t, strings.HasPrefix(rep.WorkflowID, "downstream-"+workflows.DefaultConnection+"-"), rep.WorkflowID)
	assert.Equal(t, len(expectedWeCom(org).Users), rep.Applied.UsersCreate)
	assert.Equal(t, expectedWeCom(org), s.wecomState(), "WeCom holds the organization")
	checkWriteBacks(t, s, org)
	// Paused, it starts nothing more; once its runs are over, it is deleted.
	_, stderr, code = s.starter("schedule", "pause", "--id", nightly)
	require.Equal(t, 0, code, stderr)
	waitUntil(t, "no open scheduled run", 30*time.Second, func() bool { return len(describe(nightly).Info.RunningWorkflows) == 0 })
	out, stderr, code = s.starter("schedule", "delete", "--id", nightly)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "deleted schedule "+nightly)
	waitUntil(t, "the schedule gone", 15*time.Second, func() bool {
		_, err := sc.GetHandle(ctx, nightly).Describe(ctx)
		var notFound *serviceerror.NotFound
		return errors.As(err, &notFound)
	})

	// 2. Three WeCom members Authing does not have; disable them, approval above one.
	snap := s.wecom.Snapshot()
	for i := range 3 {
		snap.Users = append(snap.Users, wecomemu.User{UserID: fmt.Sprintf("stale%d", i), Name: "旧人", Mobile: fmt.Sprintf("+86 1370000100%d", i), Department: []int{1}, Status: wecomemu.StatusActive})
	}
	require.NoError(t, s.wecom.Seed(snap))
	const guarded = "downstream-faults-e2e-guarded"
	cleanup(guarded)
	_, stderr, code = s.starter("schedule", "create", "--id", guarded, "--connection", workflows.DefaultConnection, "--every", "2s",
		"--delete-mode", "disable", "--max-deletes", "1")
	require.Equal(t, 0, code, stderr)
	var waiting client.ScheduleWorkflowExecution
	waitUntil(t, "a scheduled run waiting for approval", time.Minute, func() bool {
		running := describe(guarded).Info.RunningWorkflows
		if len(running) == 0 {
			return false
		}
		waiting = running[0]
		v, err := s.client.QueryWorkflow(ctx, waiting.WorkflowID, waiting.FirstExecutionRunID, workflows.QueryProgress)
		var prog report.Progress
		return err == nil && v.Get(&prog) == nil && prog.Status == report.StatusAwaitingApprove
	})
	waitUntil(t, "a start skipped for overlap", 15*time.Second, func() bool { return describe(guarded).Info.NumActionsSkippedOverlap > 0 })
	d := describe(guarded)
	assert.Equal(t, 1, d.Info.NumActions, "one run at a time")
	require.Len(t, d.Info.RunningWorkflows, 1)
	assert.Equal(t, waiting.WorkflowID, d.Info.RunningWorkflows[0].WorkflowID)
	for i := range 3 {
		assert.Equal(t, wecomemu.StatusActive, s.wecomState().Users[fmt.Sprintf("stale%d", i)].Status, "nothing disabled before the approval")
	}
	_, stderr, code = s.starter("schedule", "delete", "--id", guarded)
	require.Equal(t, 0, code, stderr)
	require.NoError(t, s.client.SignalWorkflow(ctx, waiting.WorkflowID, waiting.FirstExecutionRunID, workflows.SignalApprove, workflows.Approval{By: "test"}))
	run := s.client.GetWorkflow(ctx, waiting.WorkflowID, waiting.FirstExecutionRunID)
	rep = s.finish(run, time.Minute)
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, 3, rep.Applied.UsersDisable)
	assert.Zero(t, rep.Applied.UsersCreate)
	for i := range 3 {
		assert.Equal(t, wecomemu.StatusDisabled, s.wecomState().Users[fmt.Sprintf("stale%d", i)].Status)
	}
}

// WeCom's tokens live one second here, so they run out again and again while the run writes
// (each user/create takes 50 ms): the client fetches a new one ahead of expiry, and on 42001 when
// it was too late.
func TestDownstreamFaultTokenLifetime(t *testing.T) {
	org := faultOrg(faultOrgUsers)
	s, log := newFaultStack(t, org, true, wecomemu.WithTokenTTL(time.Second))
	addWeComFault(t, s, `{"path":"user/create","kind":"latency","delay":"50ms"}`)
	rep := s.finish(s.startDownstream("fault-token-ttl", workflows.DownstreamInput{}), 2*time.Minute)
	checkSameEndState(t, s, log, org, rep)
	t.Logf("gettoken answered %d times; user/create answered 42001 %d times", log.count("gettoken", 0), log.count("user/create", 42001))
	assert.Greater(t, log.count("gettoken", 0), 2, "tokens were renewed during the run")
}
