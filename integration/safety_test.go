package integration

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/temporal"

	"github.com/wecomsync/wecomsync/activities"
	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// The tests in this file are the upstream safety scenarios (issue 11): exports of part of a
// company, pools shared with other organizations, empty cells, accounts made by hand, and files
// that cannot be read whole.

// sheet is one worksheet of a hand-written export: its rows, the header among them.
type sheet struct {
	name   string
	hidden bool
	rows   [][]any
}

// writeExport writes sheets as an .xlsx file in the stack's folder and returns its path.
func (s *stack) writeExport(name string, sheets ...sheet) string {
	s.t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, sh := range sheets {
		if i == 0 {
			require.NoError(s.t, f.SetSheetName("Sheet1", sh.name))
		} else {
			_, err := f.NewSheet(sh.name)
			require.NoError(s.t, err)
		}
		for r, row := range sh.rows {
			cell, err := excelize.CoordinatesToCellName(1, r+1)
			require.NoError(s.t, err)
			require.NoError(s.t, f.SetSheetRow(sh.name, cell, &row))
		}
		if sh.hidden {
			require.NoError(s.t, f.SetSheetVisible(sh.name, false))
		}
	}
	path := filepath.Join(s.dir, name)
	require.NoError(s.t, f.SaveAs(path))
	return path
}

var exportHeader = []any{"姓名", "账号", "部门", "性别", "手机", "邮箱", "禁用状态"}

// member is one export row under exportHeader.
func member(name, id, departments string) []any {
	return []any{name, id, departments, "", "", "", ""}
}

func members(rows ...[]any) sheet {
	return sheet{name: "成员列表", rows: append([][]any{exportHeader}, rows...)}
}

// ownedIDs are the wechatwork_user_ids of every user Authing holds, sorted.
func (s *stack) ownedIDs() []string {
	var ids []string
	for _, u := range s.emu.Snapshot().Users {
		if id := mapping.CustomString(u.CustomData, mapping.KeyUserID); id != "" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ids
}

func upstream(path string, mode plan.Mode) workflows.UpstreamInput {
	in := fileInput(path)
	in.Mode = mode
	return in
}

// An export of one department (rows still start with the company name) lists people whose main
// department is elsewhere, and someone directly under the company: delete-only deletes only inside
// that department's subtree, and the report says which scope it used.
func TestDeleteOnlyExportOfOneDepartment(t *testing.T) {
	s := newStack(t, true)
	full := s.writeExport("full.xlsx", members(
		member("老板", "ceo", "星河科技"),
		member("后端一", "be1", "星河科技/研发中心/后端组"),
		member("后端二", "be2", "星河科技/研发中心/后端组"),
		member("后端三", "be3", "星河科技/研发中心/后端组"),
		member("前端一", "fe1", "星河科技/研发中心/前端组"),
		member("研发负责人", "rdhead", "星河科技/研发中心"),
		member("产品", "pm", "星河科技/市场部；星河科技/研发中心/后端组"),
		member("市场一", "mk1", "星河科技/市场部"),
		member("顾问", "adv", "星河科技；星河科技/研发中心/后端组"),
	))
	rep := s.sync("one-dept-full", upstream(full, plan.ModeCreateUpdate))
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	require.Len(t, s.ownedIDs(), 9)

	// 通讯录 → 导出通讯录 → 后端组 only: be3 has left.
	part := s.writeExport("backend.xlsx", members(
		member("后端一", "be1", "星河科技/研发中心/后端组"),
		member("后端二", "be2", "星河科技/研发中心/后端组"),
		member("产品", "pm", "星河科技/市场部；星河科技/研发中心/后端组"),
		member("顾问", "adv", "星河科技；星河科技/研发中心/后端组"),
	))
	dry := upstream(part, plan.ModeDeleteOnly)
	dry.DryRun = true
	rep = s.sync("one-dept-dry", dry)
	assert.Equal(t, 1, rep.Planned.UsersDelete, mustJSON(rep))
	require.NotNil(t, rep.Scope)
	assert.Equal(t, plan.Scope{Paths: []string{"研发中心/后端组"}, Source: plan.ScopeInferred}, *rep.Scope)
	require.NotEmpty(t, rep.Notes)
	assert.Contains(t, strings.Join(rep.Notes, "\n"), "not an export of the whole organization")

	del := upstream(part, plan.ModeDeleteOnly)
	del.Limits = plan.Limits{MaxDeletePercent: -1} // 1 of 9 synced users is more than 10 %
	rep = s.sync("one-dept-delete", del)
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, 1, rep.Applied.UsersDelete)
	assert.Equal(t, []string{"adv", "be1", "be2", "ceo", "fe1", "mk1", "pm", "rdhead"}, s.ownedIDs(), "only be3, inside 后端组, is gone")

	// The admin says the file covers the whole organization: everyone absent is deleted.
	wide := upstream(part, plan.ModeDeleteOnly)
	wide.Scope, wide.DryRun = []string{"/"}, true
	rep = s.sync("one-dept-wide", wide)
	assert.Equal(t, 4, rep.Planned.UsersDelete, "ceo, fe1, mk1, rdhead")
	assert.True(t, rep.Scope.Whole)
	assert.Equal(t, plan.ScopeInput, rep.Scope.Source)
}

// A pool with two organizations: a user who also belongs to a department of the other one is never
// deleted by delete-only (delete-users-batch removes a person from the whole pool).
func TestDeleteOnlyKeepsUsersOfAnotherOrganization(t *testing.T) {
	s := newStack(t, true)
	owned := func(id, name string, deps ...string) authingemu.User {
		return authingemu.User{UserID: "a-" + id, Username: id, Name: name, DepartmentIDs: deps,
			CustomData: map[string]any{mapping.KeyUserID: id}}
	}
	require.NoError(t, s.emu.Seed(authingemu.Fixture{
		Organizations: []authingemu.Organization{
			{OrganizationCode: "xinghe", OrganizationName: "星河科技", DepartmentID: "root-x"},
			{OrganizationCode: "partner", OrganizationName: "合作伙伴", DepartmentID: "root-p"},
		},
		Departments: []authingemu.Department{
			{DepartmentID: "rd", OrganizationCode: "xinghe", Name: "研发中心"},
			{DepartmentID: "co", OrganizationCode: "partner", Name: "合作部"},
		},
		CustomFields: customFieldFixtures(),
		Users: []authingemu.User{
			owned("stay", "留", "rd"),
			owned("gone", "走", "rd"),
			owned("both", "两边", "rd", "co"),
		},
	}))
	path := s.writeExport("rd.xlsx", members(member("留", "stay", "星河科技/研发中心")))
	in := upstream(path, plan.ModeDeleteOnly)
	in.OrganizationCode = "xinghe"
	in.Limits = plan.Limits{MaxDeletePercent: -1}
	rep := s.sync("two-orgs", in)
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, 1, rep.Applied.UsersDelete)
	assert.Equal(t, []string{"both", "stay"}, s.ownedIDs())
	assert.Equal(t, 1, rep.Planned.UsersKept)
	require.Len(t, rep.Kept, 1)
	assert.Equal(t, plan.Kept{AuthingID: "a-both", UserID: "both", Reason: plan.KeptElsewhere}, rep.Kept[0])
}

func customFieldFixtures() []authingemu.CustomField {
	var out []authingemu.CustomField
	for _, cf := range mapping.CustomFields() {
		out = append(out, authingemu.CustomField{TargetType: cf.TargetType, Key: cf.Key, DataType: "STRING", IsUnique: cf.IsUnique})
	}
	return out
}

// Empty or absent never resets: an empty 性别 and a file without 禁用状态 leave a user an Authing
// admin suspended as they are; a changed country code is written; 未禁用 said explicitly activates.
func TestCreateUpdateEmptyCellsNeverReset(t *testing.T) {
	s := newStack(t, true)
	require.NoError(t, s.emu.Seed(authingemu.Fixture{
		Organizations: []authingemu.Organization{{OrganizationCode: "xinghe", OrganizationName: "星河科技", DepartmentID: "root-x"}},
		Departments:   []authingemu.Department{{DepartmentID: "rd", OrganizationCode: "xinghe", Name: "研发中心"}},
		CustomFields:  customFieldFixtures(),
		Users: []authingemu.User{
			{UserID: "a-s1", Username: "s1", Name: "停用", Gender: "F", Status: "Suspended", Phone: "13800000001", PhoneCountryCode: "+86",
				DepartmentIDs: []string{"rd"}, CustomData: map[string]any{mapping.KeyUserID: "s1"}},
			{UserID: "a-c1", Username: "c1", Name: "港", Phone: "13800138000", PhoneCountryCode: "+86",
				DepartmentIDs: []string{"rd"}, CustomData: map[string]any{mapping.KeyUserID: "c1"}},
		},
	}))
	noStatus := s.writeExport("no-status.xlsx", sheet{name: "成员列表", rows: [][]any{
		{"姓名", "账号", "部门", "性别", "手机"},
		{"停用", "s1", "星河科技/研发中心", "", ""},
		{"港", "c1", "星河科技/研发中心", "", "+852 59000024"},
	}})
	s.emu.ResetCalls()
	rep := s.sync("empty-cells", upstream(noStatus, plan.ModeCreateUpdate))
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, 1, rep.Applied.UsersUpdate, "only the country code change: %s", mustJSON(rep.Planned))
	byName := map[string]authingemu.User{}
	for _, u := range s.emu.Snapshot().Users {
		byName[u.Username] = u
	}
	assert.Equal(t, "Suspended", byName["s1"].Status)
	assert.Equal(t, "F", byName["s1"].Gender)
	assert.Equal(t, "13800000001", byName["s1"].Phone)
	assert.Equal(t, []string{"59000024", "+852"}, []string{byName["c1"].Phone, byName["c1"].PhoneCountryCode})

	rerun := s.sync("empty-cells-rerun", upstream(noStatus, plan.ModeCreateUpdate))
	assert.Zero(t, rerun.Planned.Writes(), "a rerun writes nothing")

	explicit := s.writeExport("explicit.xlsx", members([]any{"停用", "s1", "星河科技/研发中心", "", "", "", "未禁用"}))
	rep = s.sync("explicit-status", upstream(explicit, plan.ModeCreateUpdate))
	assert.Equal(t, 1, rep.Applied.UsersUpdate)
	for _, u := range s.emu.Snapshot().Users {
		if u.Username == "s1" {
			assert.Equal(t, "Activated", u.Status)
		}
	}
}

// A first sync into a pool that already has people adopts them by username, phone or email
// instead of failing each with 409; two accounts with one phone are ambiguous and left alone.
func TestCreateUpdateAdoptsExistingAccounts(t *testing.T) {
	s := newStack(t, true)
	require.NoError(t, s.emu.Seed(authingemu.Fixture{
		Organizations: []authingemu.Organization{{OrganizationCode: "xinghe", OrganizationName: "星河科技"}},
		Users: []authingemu.User{
			{UserID: "m1", Username: "zhangsan", Name: "张三(手工)"},
			{UserID: "m2", Username: "ww", Phone: "13900000002", Name: "王五"},
			{UserID: "m3", Email: "li@x.example", Name: "李四"},
			{UserID: "m4", Phone: "13900000009", Name: "甲"},
			{UserID: "m5", Email: "jia@x.example", Phone: "13900000008", Name: "甲二"},
		},
	}))
	path := s.writeExport("adopt.xlsx", members(
		[]any{"张三", "zhangsan", "星河科技/研发中心", "男", "", "", ""},
		[]any{"王五", "wangwu", "星河科技/研发中心", "", "13900000002", "", ""},
		[]any{"李四", "lisi", "星河科技/研发中心", "", "", "LI@x.example", ""},
		[]any{"甲", "jia", "星河科技/研发中心", "", "13900000009", "jia@x.example", ""},
		[]any{"新人", "newbie", "星河科技/研发中心", "", "13900000001", "", ""},
	))
	dry := upstream(path, plan.ModeCreateUpdate)
	dry.DryRun = true
	rep := s.sync("adopt-dry", dry)
	assert.Equal(t, 3, rep.Planned.UsersAdopt, mustJSON(rep))
	assert.Equal(t, 1, rep.Planned.UsersAmbiguous)
	assert.Equal(t, 1, rep.Planned.UsersCreate)
	require.Len(t, rep.Ambiguous, 1)
	assert.Equal(t, "jia", rep.Ambiguous[0].UserID, "phone fits m4, email fits m5")

	rep = s.sync("adopt", upstream(path, plan.ModeCreateUpdate))
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Zero(t, rep.Failed.Writes(), "no 409s: %s", mustJSON(rep.Failures))
	assert.Equal(t, 3, rep.Applied.UsersAdopt)
	byID := map[string]authingemu.User{}
	for _, u := range s.emu.Snapshot().Users {
		byID[u.UserID] = u
	}
	assert.Equal(t, "zhangsan", byID["m1"].CustomData[mapping.KeyUserID])
	assert.Equal(t, "张三", byID["m1"].Name, "an adopted account is then updated as usual")
	assert.Equal(t, "wangwu", byID["m2"].CustomData[mapping.KeyUserID])
	assert.Equal(t, "ww", byID["m2"].Username, "the login name of an account adopted by phone is kept")
	assert.Equal(t, "lisi", byID["m3"].CustomData[mapping.KeyUserID])
	assert.Nil(t, byID["m4"].CustomData[mapping.KeyUserID], "ambiguous: untouched")
	assert.Len(t, byID, 6, "newbie created, nobody duplicated")
	rerun := s.sync("adopt-rerun", upstream(path, plan.ModeCreateUpdate))
	assert.Zero(t, rerun.Planned.Writes(), mustJSON(rerun.Planned))
	assert.Equal(t, 1, rerun.Planned.UsersAmbiguous, "still ambiguous, still untouched")
}

// A user on a rejected row is never deleted, also when the row's 账号 holds invisible characters.
func TestDeleteOnlyKeepsRejectedRowsWhateverTheBytes(t *testing.T) {
	s := newStack(t, true)
	full := s.writeExport("full.xlsx", members(
		member("张三", "zhangsan", "星河科技/研发中心"),
		member("李四", "lisi", "星河科技/研发中心"),
		member("王五", "wangwu", "星河科技/研发中心"),
	))
	s.sync("zw-full", upstream(full, plan.ModeCreateUpdate))
	part := s.writeExport("part.xlsx", members(
		member("李四", "lisi", "星河科技/研发中心"),
		member("", "zhang\u200dsan\u2060", "星河科技/研发中心"), // no 姓名: rejected
	))
	in := upstream(part, plan.ModeDeleteOnly)
	in.Limits = plan.Limits{MaxDeletePercent: -1, MinFileRatio: -1}
	rep := s.sync("zw-delete", in)
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, 1, rep.File.Rejected)
	assert.Equal(t, []string{"lisi", "zhangsan"}, s.ownedIDs(), "only wangwu is deleted")
}

// A file that cannot be read to its end fails the run before anything is written, naming the file
// and the sheet; so does an empty upload.
func TestUpstreamRefusesFilesNotReadWhole(t *testing.T) {
	s := newStack(t, true)
	var rows [][]any
	for i := range 300 {
		rows = append(rows, member("某人", "u"+strings.Repeat("x", i%5)+string(rune('a'+i%26))+string(rune('a'+i/26)), "星河科技/研发中心"))
	}
	good := s.writeExport("good.xlsx", members(rows...))
	s.sync("cut-full", upstream(good, plan.ModeCreateUpdate))
	cut := filepath.Join(s.dir, "cut.xlsx")
	truncateSheet(t, good, cut)
	empty := filepath.Join(s.dir, "empty.xlsx")
	require.NoError(t, os.WriteFile(empty, nil, 0o644))

	for _, tt := range []struct{ file, want string }{
		{cut, `sheet "成员列表"`},
		{empty, "empty"},
	} {
		s.emu.ResetCalls()
		run := s.start("unreadable-"+filepath.Base(tt.file), upstream(tt.file, plan.ModeDeleteOnly))
		err := run.Get(context.Background(), nil)
		var appErr *temporal.ApplicationError
		require.True(t, errors.As(err, &appErr), "%v", err)
		assert.Equal(t, activities.ErrTypeBadInput, appErr.Type())
		assert.Contains(t, err.Error(), filepath.Base(tt.file))
		assert.Contains(t, err.Error(), tt.want)
		assert.Zero(t, s.emu.WriteCalls(), "nothing written")
	}
	assert.Len(t, s.ownedIDs(), 300)
}

// truncateSheet copies the workbook at from to to with its first worksheet cut in the middle of
// its XML (a download that stopped, re-zipped with correct checksums).
func truncateSheet(t *testing.T, from, to string) {
	t.Helper()
	zr, err := zip.OpenReader(from)
	require.NoError(t, err)
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		require.NoError(t, err)
		data, err := io.ReadAll(rc)
		require.NoError(t, err)
		require.NoError(t, rc.Close())
		if f.Name == "xl/worksheets/sheet1.xml" {
			data = data[:len(data)/2]
		}
		w, err := zw.Create(f.Name)
		require.NoError(t, err)
		_, err = w.Write(data)
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	require.NoError(t, os.WriteFile(to, buf.Bytes(), 0o644))
}

// A sheet without a header that holds rows that look like members (a continuation sheet) makes
// delete-only ask for approval instead of deleting the people on it.
func TestDeleteOnlyContinuationSheetNeedsApproval(t *testing.T) {
	s := newStack(t, true)
	var all, first, rest [][]any
	for i := range 20 {
		row := member("成员", "m"+string(rune('a'+i)), "星河科技/研发中心")
		all = append(all, row)
		if i < 12 {
			first = append(first, row)
		} else {
			rest = append(rest, []any{"成员", "m" + string(rune('a'+i)), "星河科技/研发中心", "", "13800000000", "", ""})
		}
	}
	s.sync("cont-full", upstream(s.writeExport("full.xlsx", members(all...)), plan.ModeCreateUpdate))
	path := s.writeExport("continued.xlsx", members(first...), sheet{name: "续", rows: rest})
	in := upstream(path, plan.ModeDeleteOnly)
	in.DryRun = true
	in.Limits = plan.Limits{MaxDeletes: -1, MaxDeletePercent: -1}
	rep := s.sync("cont-dry", in)
	require.NotNil(t, rep.Approval, mustJSON(rep))
	assert.Contains(t, strings.Join(rep.Approval.Reasons, "\n"), `sheet "续"`)
	assert.Contains(t, strings.Join(rep.Warnings, "\n"), "续")
}

// A second start while a run of the same connection is open never joins it: the starter says
// which run is open and exits 5. A dry run is not refused.
func TestStarterRefusesASecondRunOfAConnection(t *testing.T) {
	s := newStack(t, true)
	full := s.writeExport("full.xlsx", members(member("甲", "a1", "星河科技/研发中心"), member("乙", "a2", "星河科技/研发中心")))
	_, stderr, code := s.starter("upstream", "--file", full, "--wait")
	require.Equal(t, 0, code, stderr)
	part := s.writeExport("part.xlsx", members(member("甲", "a1", "星河科技/研发中心")))
	out, stderr, code := s.starter("upstream", "--file", part, "--mode", "delete-only") // 50 % deletes: waits for approval
	require.Equal(t, 0, code, stderr)
	fields := strings.Fields(out)
	require.Len(t, fields, 2, out)
	runID := fields[1]
	waitFor(t, func() bool {
		p, err := s.client.QueryWorkflow(context.Background(), "upstream-default", runID, workflows.QueryProgress)
		var prog report.Progress
		return err == nil && p.Get(&prog) == nil && prog.Status == report.StatusAwaitingApprove
	})
	_, stderr, code = s.starter("upstream", "--file", full, "--wait")
	assert.Equal(t, 5, code, stderr)
	for _, want := range []string{runID, "delete-only", "part.xlsx", "waits for approval", "--run-id " + runID} {
		assert.Contains(t, stderr, want)
	}
	// A dry run writes nothing: it gets an id of its own and runs beside the open run.
	out, stderr, code = s.starter("upstream", "--file", part, "--mode", "delete-only", "--dry-run", "--wait", "--json")
	require.Equal(t, 0, code, stderr)
	var dry report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &dry), out)
	assert.Equal(t, report.StatusDryRun, dry.Status)
	assert.Equal(t, 1, dry.Planned.UsersDelete)
	assert.Contains(t, stderr, "upstream-default-dry-run-")
	_, stderr, code = s.starter("reject", "--id", "upstream-default", "--run-id", runID, "--by", "test")
	assert.Equal(t, 0, code, stderr)
}
