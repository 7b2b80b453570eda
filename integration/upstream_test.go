package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/wecomexport"
	"github.com/wecomsync/wecomsync/workflows"
)

// expected computes, independently of the product's mapping and plan code, what Authing must hold
// after a create-update of c: the users of the file and the departments they need.
func expected(c exportgen.Company) directory {
	dir := directory{Users: map[string]dirUser{}}
	deps := map[string]bool{}
	for _, m := range c.Members {
		u := dirUser{Username: m.UserID, Name: m.Name, Nickname: m.Alias, Position: m.Position, Email: m.Email,
			Gender: "U", Status: "Activated"}
		if u.Email == "" {
			u.Email = m.BizMail
		}
		switch m.Gender {
		case "男":
			u.Gender = "M"
		case "女":
			u.Gender = "F"
		}
		if m.Disabled != nil && *m.Disabled {
			u.Status = "Suspended"
		}
		u.Phone = strings.NewReplacer("+86", "", " ", "", "-", "").Replace(m.Mobile)
		seen := map[string]bool{}
		for _, segs := range m.Departments {
			p := strings.Join(segs[1:], "/")
			if !seen[p] {
				seen[p] = true
				u.Departments = append(u.Departments, p)
			}
			for i := 2; i <= len(segs); i++ {
				deps[strings.Join(segs[1:i], "/")] = true
			}
		}
		sort.Strings(u.Departments)
		dir.Users[m.UserID] = u
	}
	for p := range deps {
		dir.Departments = append(dir.Departments, p)
	}
	sort.Strings(dir.Departments)
	return dir
}

func fileInput(path string) workflows.UpstreamInput {
	return workflows.UpstreamInput{File: "file://" + path}
}

// TestUpstreamLifecycle walks one directory through its life: first sync, no-op rerun, an edited
// export, a dry run, delete-only, and delete-only from an export of one department.
func TestUpstreamLifecycle(t *testing.T) {
	s := newStack(t, true)
	spec := exportgen.NewSpec(120, 15, 7)
	spec.BadRows = 6
	company := exportgen.Generate(spec)
	first := s.export("first.xlsx", company, spec)

	// 1. First sync into an empty organization.
	rep := s.sync("upstream-first", fileInput(first))
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	want := expected(company)
	got := s.directory()
	assert.Equal(t, want.Departments, got.Departments)
	assert.Equal(t, want.Users, got.Users)
	assert.Equal(t, len(want.Departments), rep.Applied.DepartmentsCreate)
	assert.Equal(t, len(company.Members), rep.Applied.UsersCreate)
	assert.Zero(t, rep.Failed.Writes())
	assert.ElementsMatch(t, []string{"wechatwork_user_id", "wechatwork_department_ids", "wechatwork_position",
		"wechatwork_department_id", "wechatwork_parent_department_id"}, rep.CustomFieldsMade)
	// Every bad row is reported with its sheet, Excel row and reason.
	require.Equal(t, len(company.BadRows), rep.File.Rejected)
	var wantRejects []string
	for _, b := range company.BadRows {
		wantRejects = append(wantRejects, fmt.Sprintf("%s:%d:%s", b.Reject.Sheet, b.Reject.Row, b.Reject.Field))
	}
	var gotRejects []string
	for _, r := range rep.Rejects {
		gotRejects = append(gotRejects, fmt.Sprintf("%s:%d:%s", r.Sheet, r.Row, r.Field))
		assert.NotEmpty(t, r.Reason)
	}
	assert.ElementsMatch(t, wantRejects, gotRejects)
	m := s.scrape()
	assert.Contains(t, m, fmt.Sprintf(`wecomsync_objects_written_total{action="create",object="user",result="ok"} %d`, len(company.Members)))
	assert.Contains(t, m, fmt.Sprintf(`wecomsync_objects_written_total{action="create",object="department",result="ok"} %d`, len(want.Departments)))
	assert.Contains(t, m, `wecomsync_runs_total{direction="upstream",status="completed"} 1`)

	// 2. The same file again writes nothing.
	s.emu.ResetCalls()
	rep = s.sync("upstream-rerun", fileInput(first))
	assert.Equal(t, report.StatusCompleted, rep.Status)
	assert.Zero(t, rep.Planned.Writes(), mustJSON(rep.Planned))
	assert.Zero(t, s.emu.WriteCalls(), "a rerun makes no write call: %v", s.emu.Calls())

	// 3. An edited export: only the differences are written; removed users stay.
	edited, log := company.Edited(exportgen.Edit{Rename: 2, Move: 2, Add: 3, Remove: 3, Seed: 8})
	editedPath := s.export("edited.xlsx", edited, spec)
	s.emu.ResetCalls()
	rep = s.sync("upstream-edited", fileInput(editedPath))
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, len(log.Added), rep.Applied.UsersCreate)
	assert.Equal(t, len(log.Renamed), rep.Applied.UsersUpdate)
	assert.Equal(t, len(log.Moved), rep.Applied.UsersMembership)
	got = s.directory()
	wantEdited := expected(edited)
	for id, u := range wantEdited.Users {
		assert.Equal(t, u, got.Users[id], id)
	}
	for _, id := range log.Removed {
		assert.Contains(t, got.Users, id, "create-update leaves users absent from the file alone")
	}
	assert.Len(t, got.Users, len(company.Members)+len(log.Added))

	// 4. A dry run of delete-only plans exactly the removed users and writes nothing.
	s.emu.ResetCalls()
	in := fileInput(editedPath)
	in.Mode, in.DryRun = plan.ModeDeleteOnly, true
	rep = s.sync("upstream-delete-dry", in)
	assert.Equal(t, report.StatusDryRun, rep.Status)
	assert.Equal(t, len(log.Removed), rep.Planned.UsersDelete)
	assert.Zero(t, s.emu.WriteCalls())
	require.NotNil(t, rep.Approval, "rows without a readable 账号 make delete-only ask first")
	assert.Contains(t, strings.Join(rep.Approval.Reasons, "\n"), "no readable 账号")

	// 5. Delete-only waits for approval (the file has rows without a 账号), then deletes exactly them.
	in.DryRun = false
	rep = s.syncApproved("upstream-delete", in, "no readable 账号")
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, len(log.Removed), rep.Applied.UsersDelete)
	got = s.directory()
	for _, id := range log.Removed {
		assert.NotContains(t, got.Users, id)
	}
	assert.Len(t, got.Users, len(edited.Members))

	// 6. Delete-only from an export of one top-level department, minus one of its members: only
	// that member goes; nobody outside the exported department is touched.
	dept, inside := biggestTopLevel(edited)
	require.GreaterOrEqual(t, len(inside), 2)
	partial := edited
	partial.Members, partial.BadRows = nil, nil
	for _, m := range edited.Members {
		if allUnder(m, dept) && m.UserID != inside[0] {
			partial.Members = append(partial.Members, m)
		}
	}
	partialPath := s.export("one-department.xlsx", partial, spec)
	in = fileInput(partialPath)
	in.Mode = plan.ModeDeleteOnly
	in.Limits.MinFileRatio = -1 // an export of one department is smaller than the last full one on purpose
	rep = s.sync("upstream-delete-scoped", in)
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, 1, rep.Applied.UsersDelete, mustJSON(rep))
	got = s.directory()
	assert.NotContains(t, got.Users, inside[0])
	assert.Len(t, got.Users, len(edited.Members)-1)
}

// biggestTopLevel returns the top-level department with the most members whose departments all
// lie below it, and those members.
func biggestTopLevel(c exportgen.Company) (string, []string) {
	members := map[string][]string{}
	for _, m := range c.Members {
		if len(m.Departments) == 0 || len(m.Departments[0]) < 2 {
			continue
		}
		top := m.Departments[0][1]
		if allUnder(m, top) {
			members[top] = append(members[top], m.UserID)
		}
	}
	best := ""
	for d, ms := range members {
		if len(ms) > len(members[best]) || (len(ms) == len(members[best]) && d < best) {
			best = d
		}
	}
	return best, members[best]
}

func allUnder(m wecomexport.Member, top string) bool {
	for _, segs := range m.Departments {
		if len(segs) < 2 || segs[1] != top {
			return false
		}
	}
	return len(m.Departments) > 0
}

// TestUpstreamApproval: a delete-only run above the threshold waits for a signal.
func TestUpstreamApproval(t *testing.T) {
	s := newStack(t, true)
	spec := exportgen.NewSpec(40, 6, 11)
	company := exportgen.Generate(spec)
	rep := s.sync("approval-seed", fileInput(s.export("all.xlsx", company, spec)))
	require.Equal(t, report.StatusCompleted, rep.Status)

	half := company
	half.Members = company.Members[:20] // the rest would be deleted: 50 % > 10 %
	in := fileInput(s.export("half.xlsx", half, spec))
	in.Mode = plan.ModeDeleteOnly
	run := s.start("approval-delete", in)
	waitFor(t, func() bool {
		v, err := s.client.QueryWorkflow(context.Background(), run.GetID(), run.GetRunID(), workflows.QueryProgress)
		if err != nil {
			return false
		}
		var p report.Progress
		return v.Get(&p) == nil && p.Status == report.StatusAwaitingApprove
	})
	before := len(s.directory().Users)
	assert.Equal(t, 40, before, "nothing is deleted while the run waits")
	require.NoError(t, s.client.SignalWorkflow(context.Background(), run.GetID(), run.GetRunID(), workflows.SignalApprove, workflows.Approval{By: "it"}))
	var final report.Report
	require.NoError(t, run.Get(context.Background(), &final))
	s.saveHistory(run, "upstream-approved")
	assert.Equal(t, "approved", final.Approval.Decision)
	assert.Equal(t, 20, final.Applied.UsersDelete)
	assert.Len(t, s.directory().Users, 20)
}

// TestUpstreamSurvivesFaults: 5xx, throttling and dropped connections during the run are retried;
// the result is exact.
func TestUpstreamSurvivesFaults(t *testing.T) {
	s := newStack(t, true)
	for _, rule := range []string{
		`{"path":"create-users-batch","kind":"5xx","code":503,"count":3}`,
		`{"path":"create-department","kind":"errcode","code":500,"count":2}`,
		`{"path":"list-users","kind":"429","count":2}`,
		`{"path":"create-users-batch","kind":"drop","count":1}`,
	} {
		addFault(t, s, rule)
	}
	spec := exportgen.NewSpec(300, 20, 3)
	company := exportgen.Generate(spec)
	rep := s.sync("faults", fileInput(s.export("f.xlsx", company, spec)))
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	want := expected(company)
	got := s.directory()
	assert.Equal(t, want.Users, got.Users)
	assert.Equal(t, want.Departments, got.Departments)
}

// TestUpstreamBadFile: a file with no header fails the run with a clear error and writes nothing.
func TestUpstreamBadFile(t *testing.T) {
	s := newStack(t, true)
	path := s.dir + "/not-an-export.xlsx"
	require.NoError(t, os.WriteFile(path, []byte("name,userid\n张三,zs\n"), 0o644))
	s.emu.ResetCalls()
	run := s.start("bad-file", fileInput(path))
	var rep report.Report
	err := run.Get(context.Background(), &rep)
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), err)
	assert.Equal(t, "BadInput", appErr.Type())
	assert.Contains(t, err.Error(), "not-an-export.xlsx")
	require.NoError(t, appErr.Details(&rep))
	assert.Equal(t, report.StatusFailed, rep.Status)
	assert.Zero(t, s.emu.WriteCalls())
	s.saveHistory(run, "upstream-bad-file")
}

// TestUpstreamFromTemporalCLI starts a run the way the README shows, with the temporal CLI and JSON input.
func TestUpstreamFromTemporalCLI(t *testing.T) {
	s := newStack(t, true)
	spec := exportgen.NewSpec(25, 4, 5)
	company := exportgen.Generate(spec)
	path := s.export("cli.xlsx", company, spec)
	out, err := exec.Command(temporalBin, "workflow", "start", "--address", devServer.FrontendHostPort(),
		"--type", "UpstreamSync", "--task-queue", s.taskQueue, "--workflow-id", "from-cli",
		"--input", fmt.Sprintf(`{"file":"file://%s"}`, path)).CombinedOutput()
	require.NoError(t, err, string(out))
	var rep report.Report
	require.NoError(t, s.client.GetWorkflow(context.Background(), "from-cli", "").Get(context.Background(), &rep))
	assert.Equal(t, report.StatusCompleted, rep.Status)
	assert.Equal(t, expected(company).Users, s.directory().Users)
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestUpstreamIntoAPoolWithoutOrganization: the organization is created from the file's company.
func TestUpstreamIntoAPoolWithoutOrganization(t *testing.T) {
	s := newStack(t, true)
	require.NoError(t, s.emu.Seed(authingemu.EmptySeed()))
	spec := exportgen.NewSpec(30, 5, 29)
	company := exportgen.Generate(spec)
	rep := s.sync("no-org", fileInput(s.export("no-org.xlsx", company, spec)))
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, "wecom", rep.OrganizationCode)
	orgs := s.emu.Snapshot().Organizations
	require.Len(t, orgs, 1)
	assert.Equal(t, company.Name, orgs[0].OrganizationName)
	want := expected(company)
	got := s.directory()
	assert.Equal(t, want.Users, got.Users)
	assert.Equal(t, want.Departments, got.Departments)
}
