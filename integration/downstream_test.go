package integration

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// The downstream scenarios (issue 12): an Authing organization lands in WeCom exactly, with the
// WeCom ids written back; reruns write nothing (changed), everything (overwrite) or nothing (none);
// renames and moves propagate; removals stay inside the synced subtree; ambiguous names are left
// alone; 代开发 and new-IP (48009) runs compare what WeCom hides with the snapshot.

// authingOrg is the organization the downstream tests sync: 研发中心 ─ 后端组, 市场部, with four
// members, one without mobile or email, and a pool user outside the organization.
func authingOrg() authingemu.Fixture {
	user := func(id, name, phone, email, gender string, deps ...string) authingemu.User {
		return authingemu.User{UserID: "a-" + id, Username: id, Name: name, Phone: phone, Email: email, Gender: gender, DepartmentIDs: deps}
	}
	return authingemu.Fixture{
		Organizations: []authingemu.Organization{{OrganizationCode: "xinghe", OrganizationName: "星河科技", DepartmentID: "root-x"}},
		Departments: []authingemu.Department{
			{DepartmentID: "rd", OrganizationCode: "xinghe", Name: "研发中心"},
			{DepartmentID: "be", OrganizationCode: "xinghe", ParentDepartmentID: "rd", Name: "后端组"},
			{DepartmentID: "mk", OrganizationCode: "xinghe", Name: "市场部"},
		},
		Users: []authingemu.User{
			user("zhangsan", "张三", "13800000001", "zs@x.example", "M", "be", "mk"),
			user("lisi", "李四", "", "ls@x.example", "F", "mk"),
			user("wangwu", "王五", "13800000003", "", "", "rd"),
			user("zhaoliu", "赵六", "13800000004", "", "", "root-x"),
			user("nocontact", "无联系", "", "", "", "mk"),
			user("outsider", "局外人", "13800000009", "", ""), // in the pool, not in the organization
		},
	}
}

// wecomState is what WeCom holds: departments by path, members by userid.
type wecomState struct {
	Departments []string
	Users       map[string]wecomMember
}

type wecomMember struct {
	Name, Mobile, Email, Gender string
	Status                      int
	Departments                 []string // paths, main first
}

func (s *stack) wecomState() wecomState {
	snap := s.wecom.Snapshot()
	byID := map[int]wecomemu.Department{}
	for _, d := range snap.Departments {
		byID[d.ID] = d
	}
	var pathOf func(id int) string
	pathOf = func(id int) string {
		d := byID[id]
		if d.ParentID == 0 {
			return "/"
		}
		if p := pathOf(d.ParentID); p != "/" {
			return p + "/" + d.Name
		}
		return d.Name
	}
	st := wecomState{Users: map[string]wecomMember{}}
	for _, d := range snap.Departments {
		if d.ParentID != 0 {
			st.Departments = append(st.Departments, pathOf(d.ID))
		}
	}
	sort.Strings(st.Departments)
	for _, u := range snap.Users {
		m := wecomMember{Name: u.Name, Mobile: u.Mobile, Email: u.Email, Gender: u.Gender, Status: u.Status}
		main := u.MainDepartment
		if main == 0 && len(u.Department) > 0 {
			main = u.Department[0]
		}
		m.Departments = append(m.Departments, pathOf(main))
		for _, d := range u.Department {
			if d != main {
				m.Departments = append(m.Departments, pathOf(d))
			}
		}
		st.Users[u.UserID] = m
	}
	return st
}

// downstream runs a downstream sync to the end and returns its report.
func (s *stack) downstream(id string, in workflows.DownstreamInput) report.Report {
	s.t.Helper()
	run, err := s.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{
		ID: id, TaskQueue: s.taskQueue, WorkflowExecutionTimeout: 10 * time.Minute,
	}, workflows.DownstreamWorkflowName, in)
	require.NoError(s.t, err)
	var rep report.Report
	require.NoError(s.t, run.Get(context.Background(), &rep), "run %s", id)
	s.saveHistory(run, id)
	return rep
}

// writes is the number of write calls both emulators answered since their counters were reset.
func (s *stack) writes() int { return s.emu.WriteCalls() + s.wecom.WriteCalls() }

func (s *stack) resetCalls() {
	s.emu.ResetCalls()
	s.wecom.ResetCalls()
}

func TestDownstreamSelfBuilt(t *testing.T) {
	s := newDownstreamStack(t, mapping.ModeSelfBuilt)
	require.NoError(t, s.emu.Seed(authingOrg()))

	// 1. The organization lands in WeCom exactly; the ids go back into Authing.
	rep := s.downstream("downstream-first", workflows.DownstreamInput{})
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, 3, rep.Applied.DepartmentsCreate)
	assert.Equal(t, 4, rep.Applied.UsersCreate)
	assert.Equal(t, 1, rep.Planned.UsersSkipped, "no mobile or email")
	require.Len(t, rep.Skipped, 1)
	assert.Equal(t, "nocontact", rep.Skipped[0].Key)
	st := s.wecomState()
	assert.Equal(t, []string{"市场部", "研发中心", "研发中心/后端组"}, st.Departments)
	assert.Equal(t, wecomMember{Name: "张三", Mobile: "+86 13800000001", Email: "zs@x.example", Gender: "1", Status: 4,
		Departments: []string{"研发中心/后端组", "市场部"}}, st.Users["zhangsan"])
	assert.Equal(t, []string{"/"}, st.Users["zhaoliu"].Departments, "the organization root is the WeCom root")
	assert.NotContains(t, st.Users, "outsider")
	assert.NotContains(t, st.Users, "nocontact")
	authing := s.emu.Snapshot()
	for _, d := range authing.Departments {
		assert.NotEmpty(t, d.CustomData[mapping.KeyDepartmentID], d.Name)
		assert.NotEmpty(t, d.CustomData[mapping.KeyParentDepartmentID], d.Name)
	}
	for _, u := range authing.Users {
		if u.Username == "zhangsan" {
			assert.Equal(t, "zhangsan", u.CustomData[mapping.KeyUserID])
			assert.NotEmpty(t, u.CustomData[mapping.KeyUserDepartmentIDs])
		}
	}

	// 2. A rerun writes nothing (changed); overwrite writes every matched member; none nothing.
	s.resetCalls()
	rep = s.downstream("downstream-rerun", workflows.DownstreamInput{})
	assert.Zero(t, rep.Planned.Writes(), mustJSON(rep.Planned))
	assert.Zero(t, s.writes(), "emulator write calls")
	assert.Equal(t, 4, rep.Planned.UsersUnchanged)
	assert.Positive(t, rep.Downstream.ComparedWith["wecom"])
	rep = s.downstream("downstream-overwrite", workflows.DownstreamInput{UpdateMode: workflows.UpdateOverwrite})
	assert.Equal(t, 4, rep.Applied.UsersUpdate)
	assert.Equal(t, 4, s.wecom.Writes()["user/update"])
	s.resetCalls()
	rep = s.downstream("downstream-none", workflows.DownstreamInput{UpdateMode: workflows.UpdateNone})
	assert.Zero(t, s.writes())

	// 3. A renamed and a moved department and a moved, renamed member propagate; ignored fields
	// are never written on update.
	require.NoError(t, s.emu.Seed(edited(s.emu.Snapshot(), func(f *authingemu.Fixture) {
		for i := range f.Departments {
			switch f.Departments[i].DepartmentID {
			case "mk":
				f.Departments[i].Name = "市场中心"
			case "be":
				f.Departments[i].ParentDepartmentID = "root-x"
			}
		}
		for i := range f.Users {
			if f.Users[i].Username == "lisi" {
				f.Users[i].Name, f.Users[i].Email = "李四娘", "new-ls@x.example"
				f.Users[i].DepartmentIDs, f.Users[i].MainDepartmentID = []string{"be"}, ""
			}
		}
	})))
	rep = s.downstream("downstream-edited", workflows.DownstreamInput{IgnoreFields: []string{"email"}})
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, 1, rep.Applied.DepartmentsRename)
	assert.Equal(t, 1, rep.Applied.DepartmentsMove)
	assert.Equal(t, 1, rep.Applied.UsersMembership)
	st = s.wecomState()
	assert.Equal(t, []string{"后端组", "市场中心", "研发中心"}, st.Departments)
	assert.Equal(t, "李四娘", st.Users["lisi"].Name)
	assert.Equal(t, "ls@x.example", st.Users["lisi"].Email, "email is on the ignore list")
	assert.Equal(t, []string{"后端组"}, st.Users["lisi"].Departments)
	assert.Equal(t, []string{"后端组", "市场中心"}, st.Users["zhangsan"].Departments, "moved with its department")

	// 4. Removals: none leaves a member Authing dropped; disable and delete act on it.
	require.NoError(t, s.emu.Seed(edited(s.emu.Snapshot(), func(f *authingemu.Fixture) {
		f.Users = dropUser(f.Users, "wangwu")
	})))
	s.downstream("downstream-removed-none", workflows.DownstreamInput{IgnoreFields: []string{"email"}})
	assert.Contains(t, s.wecomState().Users, "wangwu")
	few := plan.Limits{MaxDeletePercent: -1} // 1 of 4 members is more than 10 %
	rep = s.downstream("downstream-disable", workflows.DownstreamInput{DeleteMode: workflows.DeleteDisable, IgnoreFields: []string{"email"}, Limits: few})
	assert.Equal(t, 1, rep.Applied.UsersDisable, mustJSON(rep))
	assert.Equal(t, 2, s.wecomState().Users["wangwu"].Status, "disabled")
	rep = s.downstream("downstream-delete", workflows.DownstreamInput{DeleteMode: workflows.DeleteDelete, IgnoreFields: []string{"email"}, Limits: few})
	assert.Equal(t, 1, rep.Applied.UsersDelete, mustJSON(rep))
	assert.NotContains(t, s.wecomState().Users, "wangwu")
	s.resetCalls()
	rep = s.downstream("downstream-final-rerun", workflows.DownstreamInput{DeleteMode: workflows.DeleteDelete, IgnoreFields: []string{"email"}})
	assert.Zero(t, s.writes(), mustJSON(rep.Planned))
}

// edited returns a fixture of the pool as it is, changed by edit.
func edited(snap authingemu.Fixture, edit func(*authingemu.Fixture)) authingemu.Fixture {
	f := authingemu.Fixture{Organizations: snap.Organizations, Departments: snap.Departments, Users: snap.Users, CustomFields: snap.CustomFields}
	edit(&f)
	return f
}

func dropUser(users []authingemu.User, username string) []authingemu.User {
	var out []authingemu.User
	for _, u := range users {
		if u.Username != username {
			out = append(out, u)
		}
	}
	return out
}

// In 代开发 mode WeCom hides mobile, email and gender: a rerun compares them with the snapshot of
// what the last run wrote and writes nothing; a change in Authing is still written.
func TestDownstreamDaiKaiFa(t *testing.T) {
	s := newDownstreamStack(t, mapping.ModeDaiKaiFa)
	require.NoError(t, s.emu.Seed(authingOrg()))
	rep := s.downstream("daikaifa-first", workflows.DownstreamInput{})
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, "daikaifa", rep.Downstream.AppMode)
	assert.Equal(t, []string{"mobile", "email", "gender"}, rep.Downstream.HiddenFields)
	snap := s.wecom.Snapshot() // the emulator's own state holds what the hidden reads leave out
	for _, u := range snap.Users {
		if u.UserID == "zhangsan" {
			assert.Equal(t, "+86 13800000001", u.Mobile)
		}
	}
	s.resetCalls()
	rep = s.downstream("daikaifa-rerun", workflows.DownstreamInput{})
	assert.Zero(t, s.writes(), mustJSON(rep.Planned))
	assert.Positive(t, rep.Downstream.ComparedWith["snapshot"])
	require.NoError(t, s.emu.Seed(edited(s.emu.Snapshot(), func(f *authingemu.Fixture) {
		for i := range f.Users {
			if f.Users[i].Username == "zhangsan" {
				f.Users[i].Phone, f.Users[i].PhoneCountryCode = "59000024", "+852"
			}
		}
	})))
	rep = s.downstream("daikaifa-mobile", workflows.DownstreamInput{})
	assert.Equal(t, 1, rep.Applied.UsersUpdate, mustJSON(rep))
	for _, u := range s.wecom.Snapshot().Users {
		if u.UserID == "zhangsan" {
			assert.Equal(t, "+852 59000024", u.Mobile)
		}
	}
	s.resetCalls()
	s.downstream("daikaifa-rerun-2", workflows.DownstreamInput{})
	assert.Zero(t, s.writes())
}

// From an IP WeCom refuses detail reads to (48009) a run completes with ids only, says so, and a
// rerun writes nothing.
func TestDownstreamWithoutDetailReads(t *testing.T) {
	s := newDownstreamStack(t, mapping.ModeSelfBuilt, wecomemu.WithNewIP(true))
	require.NoError(t, s.emu.Seed(authingOrg()))
	rep := s.downstream("newip-first", workflows.DownstreamInput{})
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.False(t, rep.Downstream.DetailsReadable)
	assert.Contains(t, strings.Join(rep.Warnings, "\n"), "48009")
	assert.Equal(t, 4, rep.Applied.UsersCreate)
	s.resetCalls()
	rep = s.downstream("newip-rerun", workflows.DownstreamInput{})
	assert.Zero(t, s.writes(), mustJSON(rep.Planned))
	assert.Zero(t, rep.Downstream.ComparedWith["wecom"])
}

// Removals stay below the synced WeCom department; a name that fits several WeCom members is
// reported and left alone; deletes above the threshold wait for approval.
func TestDownstreamScopeAmbiguityAndApproval(t *testing.T) {
	s := newDownstreamStack(t, mapping.ModeSelfBuilt)
	require.NoError(t, s.wecom.Seed(wecomemu.Fixture{CorpName: "星河科技",
		Departments: []wecomemu.Department{{ID: 2, Name: "同步区", ParentID: 1}, {ID: 3, Name: "外部", ParentID: 1}},
		Users: []wecomemu.User{
			{UserID: "zs1", Name: "张三", Mobile: "+86 13900000001", Department: []int{2}},
			{UserID: "zs2", Name: "张三", Mobile: "+86 13900000002", Department: []int{2}},
			{UserID: "stale1", Name: "旧人一", Mobile: "+86 13900000003", Department: []int{2}},
			{UserID: "stale2", Name: "旧人二", Mobile: "+86 13900000004", Department: []int{2}},
			{UserID: "outside", Name: "外人", Mobile: "+86 13900000005", Department: []int{3}},
		}}))
	fix := authingOrg()
	fix.Users = fix.Users[:2] // 张三 (no WeCom id, username zhangsan) and 李四
	require.NoError(t, s.emu.Seed(fix))
	in := workflows.DownstreamInput{WeComRootDepartmentID: 2, DeleteMode: workflows.DeleteDelete, Limits: plan.Limits{MaxDeletes: 1}}
	run, err := s.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "downstream-approval", TaskQueue: s.taskQueue}, workflows.DownstreamWorkflowName, in)
	require.NoError(t, err)
	var prog report.Progress
	waitFor(t, func() bool {
		v, err := s.client.QueryWorkflow(context.Background(), "downstream-approval", run.GetRunID(), workflows.QueryProgress)
		return err == nil && v.Get(&prog) == nil && prog.Status == report.StatusAwaitingApprove
	})
	assert.Contains(t, strings.Join(prog.AwaitingApproval, "\n"), "2 users would be deleted")
	assert.Contains(t, s.wecomState().Users, "stale1", "nothing deleted before the approval")
	require.NoError(t, s.client.SignalWorkflow(context.Background(), "downstream-approval", run.GetRunID(), workflows.SignalApprove, workflows.Approval{By: "test"}))
	var rep report.Report
	require.NoError(t, run.Get(context.Background(), &rep))
	s.saveHistory(run, "downstream-approval")
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	st := s.wecomState()
	assert.NotContains(t, st.Users, "stale1")
	assert.NotContains(t, st.Users, "stale2")
	assert.Contains(t, st.Users, "outside", "outside the synced department")
	assert.Contains(t, st.Users, "zs1", "ambiguous: untouched")
	assert.Contains(t, st.Users, "zs2", "ambiguous: untouched")
	assert.NotContains(t, st.Users, "zhangsan", "ambiguous: not created either")
	require.Len(t, rep.Ambiguous, 1)
	assert.Contains(t, rep.Ambiguous[0].Reason, "张三")
	assert.Contains(t, st.Users, "lisi")
}

// A downstream run started while another of its connection is open — here with another workflow
// id, as a scheduled run has — gives way: it fails at once, names the open run and writes nothing.
func TestDownstreamRunsOfAConnectionDoNotOverlap(t *testing.T) {
	s := newDownstreamStack(t, mapping.ModeSelfBuilt)
	require.NoError(t, s.wecom.Seed(wecomemu.Fixture{CorpName: "星河科技", Users: []wecomemu.User{
		{UserID: "stale1", Name: "旧人一", Mobile: "+86 13900000003", Department: []int{1}},
	}}))
	require.NoError(t, s.emu.Seed(authingOrg()))
	in := workflows.DownstreamInput{DeleteMode: workflows.DeleteDelete, Limits: plan.Limits{MaxDeletes: -1, MaxDeletePercent: 0.1}}
	first, err := s.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "downstream-default", TaskQueue: s.taskQueue}, workflows.DownstreamWorkflowName, in)
	require.NoError(t, err)
	waitFor(t, func() bool {
		v, err := s.client.QueryWorkflow(context.Background(), first.GetID(), first.GetRunID(), workflows.QueryProgress)
		var p report.Progress
		return err == nil && v.Get(&p) == nil && p.Status == report.StatusAwaitingApprove
	})
	s.resetCalls()
	second, err := s.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "downstream-default-2026-11-30T02:00:00Z", TaskQueue: s.taskQueue},
		workflows.DownstreamWorkflowName, workflows.DownstreamInput{})
	require.NoError(t, err)
	err = second.Get(context.Background(), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "another downstream run of connection \"default\" is open: downstream-default")
	assert.Zero(t, s.writes(), "the second run wrote nothing")
	require.NoError(t, s.client.SignalWorkflow(context.Background(), first.GetID(), first.GetRunID(), workflows.SignalReject, workflows.Approval{By: "test"}))
	var rep report.Report
	require.NoError(t, first.Get(context.Background(), &rep))
	assert.Equal(t, report.StatusRejected, rep.Status)
}

// WeCom keeps the mobile of a member who has activated (a mobile written to it is ignored): the
// run does not write it, says so, and a rerun writes nothing — it used to write it every night.
func TestDownstreamLeavesAnActivatedMembersMobile(t *testing.T) {
	s := newDownstreamStack(t, mapping.ModeSelfBuilt)
	require.NoError(t, s.wecom.Seed(wecomemu.Fixture{CorpName: "星河科技", Users: []wecomemu.User{
		{UserID: "wangwu", Name: "王五", Mobile: "+86 13900000003", Department: []int{1}, Status: 1}, // Authing: 13800000003
	}}))
	require.NoError(t, s.emu.Seed(authingOrg()))
	rep := s.downstream("activated-first", workflows.DownstreamInput{})
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Contains(t, strings.Join(rep.Notes, "\n"), "1 activated members")
	assert.Equal(t, "+86 13900000003", s.wecomState().Users["wangwu"].Mobile)
	assert.Equal(t, []string{"研发中心"}, s.wecomState().Users["wangwu"].Departments, "moved all the same")

	s.resetCalls()
	rep = s.downstream("activated-rerun", workflows.DownstreamInput{})
	assert.Zero(t, s.writes(), mustJSON(rep.Planned))
}
