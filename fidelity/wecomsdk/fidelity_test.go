package wecomsdk

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/util"
	"github.com/silenceper/wechat/v2/work"
	"github.com/silenceper/wechat/v2/work/addresslist"
	"github.com/silenceper/wechat/v2/work/config"

	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
)

const (
	corpID   = "ww-fidelity"
	secret   = "fidelity-contacts-secret"
	sdkHost  = "qyapi.weixin.qq.com"
	rootDept = 1
)

// redirect sends the SDK's requests for qyapi.weixin.qq.com to the emulator and fails any other.
type redirect struct {
	target *url.URL
	next   http.RoundTripper
}

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != sdkHost {
		return nil, fmt.Errorf("fidelity test refuses to reach %q", req.URL.Host)
	}
	out := req.Clone(req.Context())
	out.URL.Scheme, out.URL.Host, out.Host = r.target.Scheme, r.target.Host, ""
	return r.next.RoundTrip(out)
}

// startSDK returns the SDK's address-list client talking to a fresh emulator.
func startSDK(t *testing.T) (*addresslist.Client, *wecomemu.Server) {
	t.Helper()
	emu := wecomemu.New(wecomemu.WithCorp(corpID, secret))
	seed := wecomemu.DemoCompany()
	seed.CorpID = corpID
	if err := emu.Seed(seed); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	target, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	// The SDK's only way to change its HTTP client is this package variable; restore it afterwards.
	saved := util.DefaultHTTPClient
	util.DefaultHTTPClient = &http.Client{Transport: redirect{target: target, next: srv.Client().Transport}}
	t.Cleanup(func() { util.DefaultHTTPClient = saved })

	wk := work.NewWork(&config.Config{CorpID: corpID, CorpSecret: secret, Cache: cache.NewMemory()})
	return wk.GetAddressList(), emu
}

// errCode returns the SDK error's errcode, or 0.
func errCode(err error) int64 {
	var ce *util.CommonError
	if errors.As(err, &ce) {
		return ce.ErrCode
	}
	return 0
}

// TestSDKRoundTrip drives a department and user create/list/update/delete round trip through the
// SDK. Each step is a subtest named after the SDK call, so `go test -v` lists which calls passed.
func TestSDKRoundTrip(t *testing.T) {
	al, emu := startSDK(t)
	var deptID, childID int

	steps := []struct {
		call string
		run  func(t *testing.T)
	}{
		{"DepartmentCreate", func(t *testing.T) {
			res, err := al.DepartmentCreate(&addresslist.DepartmentCreateRequest{Name: "SDK部", ParentID: rootDept, Order: 10})
			if err != nil || res.ID <= 7 {
				t.Fatalf("DepartmentCreate = %+v, %v", res, err)
			}
			deptID = res.ID
			res, err = al.DepartmentCreate(&addresslist.DepartmentCreateRequest{Name: "SDK子部", ParentID: deptID, ID: 500})
			if err != nil || res.ID != 500 {
				t.Fatalf("DepartmentCreate with id = %+v, %v", res, err)
			}
			childID = res.ID
			_, err = al.DepartmentCreate(&addresslist.DepartmentCreateRequest{Name: "SDK部", ParentID: rootDept})
			if errCode(err) != 60008 {
				t.Fatalf("duplicate sibling name: %v, want errcode 60008", err)
			}
		}},
		{"DepartmentGet", func(t *testing.T) {
			d, err := al.DepartmentGet(deptID)
			if err != nil || d.Name != "SDK部" || d.ParentID != rootDept || d.Order != 10 {
				t.Fatalf("DepartmentGet = %+v, %v", d, err)
			}
		}},
		{"DepartmentUpdate", func(t *testing.T) {
			if err := al.DepartmentUpdate(&addresslist.DepartmentUpdateRequest{ID: deptID, Name: "SDK中心"}); err != nil {
				t.Fatal(err)
			}
			d, err := al.DepartmentGet(deptID)
			if err != nil || d.Name != "SDK中心" || d.Order != 10 {
				t.Fatalf("after update: %+v, %v", d, err)
			}
		}},
		{"DepartmentList", func(t *testing.T) {
			all, err := al.DepartmentList()
			if err != nil || len(all) != 9 {
				t.Fatalf("DepartmentList = %d, %v", len(all), err)
			}
			sub, err := al.DepartmentListByID(deptID)
			if err != nil || len(sub) != 2 || sub[0].ID != deptID || sub[1].ID != childID {
				t.Fatalf("DepartmentListByID = %+v, %v", sub, err)
			}
		}},
		{"DepartmentSimpleList", func(t *testing.T) {
			refs, err := al.DepartmentSimpleList(deptID)
			if err != nil || len(refs) != 2 || refs[1].ParentID != deptID {
				t.Fatalf("DepartmentSimpleList = %+v, %v", refs, err)
			}
		}},
		{"UserCreate", func(t *testing.T) {
			req := &addresslist.UserCreateRequest{
				UserID: "sdk.user", Name: "SDK用户", Mobile: "+86 13700000001", Email: "sdk.user@example.com",
				Department: []int{deptID, childID}, IsLeaderInDept: []int{1, 0}, Position: "测试", Gender: 2,
				Enable: 1, // the SDK always sends enable; 0 would create a disabled member
			}
			if _, err := al.UserCreate(req); err != nil {
				t.Fatal(err)
			}
			req.UserID, req.Mobile = "SDK.USER", "+86 13700000002"
			if _, err := al.UserCreate(req); errCode(err) != 60102 {
				t.Fatalf("userid in another case: %v, want errcode 60102", err)
			}
		}},
		{"UserGet", func(t *testing.T) {
			u, err := al.UserGet("sdk.user")
			if err != nil || u.Name != "SDK用户" || u.Gender != "2" || u.Status != wecomemu.StatusInactive ||
				!slices.Equal(u.Department, []int{deptID, childID}) || u.MainDepartment != deptID || u.Mobile != "+86 13700000001" {
				t.Fatalf("UserGet = %+v, %v", u, err)
			}
			d, err := al.DepartmentGet(deptID)
			if err != nil || !slices.Equal(d.DepartmentLeader, []string{"sdk.user"}) {
				t.Fatalf("leaders = %+v, %v", d, err)
			}
		}},
		{"UserSimpleList", func(t *testing.T) {
			list, err := al.UserSimpleList(childID)
			if err != nil || len(list) != 1 || list[0].UserID != "sdk.user" || list[0].Name != "SDK用户" {
				t.Fatalf("UserSimpleList = %+v, %v", list, err)
			}
		}},
		{"UserListID", func(t *testing.T) {
			var rows []addresslist.DeptUser
			req := &addresslist.UserListIDRequest{Limit: 10}
			for {
				res, err := al.UserListID(req)
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range res.DeptUser {
					rows = append(rows, *r)
				}
				if res.NextCursor == "" {
					break
				}
				req = &addresslist.UserListIDRequest{Cursor: res.NextCursor, Limit: 10}
			}
			if len(rows) != 25 || !slices.Contains(rows, addresslist.DeptUser{UserID: "sdk.user", Department: childID}) {
				t.Fatalf("UserListID = %d rows", len(rows))
			}
		}},
		{"UserUpdate", func(t *testing.T) {
			// The SDK sends every field of UserUpdateRequest (no omitempty), so the request carries
			// the member's whole state, as an SDK user has to.
			err := al.UserUpdate(&addresslist.UserUpdateRequest{
				UserID: "sdk.user", Name: "SDK用户2", Mobile: "+86 13700000001", Email: "sdk.user@example.com",
				Department: []int{deptID}, Position: "经理", Gender: 1, Enable: 1,
			})
			if err != nil {
				t.Fatal(err)
			}
			u, err := al.UserGet("sdk.user")
			if err != nil || u.Name != "SDK用户2" || u.Position != "经理" || u.Gender != "1" || !slices.Equal(u.Department, []int{deptID}) {
				t.Fatalf("after update: %+v, %v", u, err)
			}
			err = al.UserUpdate(&addresslist.UserUpdateRequest{UserID: "nobody", Name: "x", Enable: 1})
			if errCode(err) != 60111 {
				t.Fatalf("update unknown: %v, want errcode 60111", err)
			}
		}},
		{"UserDelete", func(t *testing.T) {
			if err := al.DepartmentDelete(deptID); errCode(err) != 60005 {
				t.Fatalf("delete department with a member: %v, want 60005", err)
			}
			if _, err := al.UserDelete("sdk.user"); err != nil {
				t.Fatal(err)
			}
			if _, err := al.UserGet("sdk.user"); errCode(err) != 60111 {
				t.Fatalf("get deleted: %v, want 60111", err)
			}
		}},
		{"DepartmentDelete", func(t *testing.T) {
			if err := al.DepartmentDelete(deptID); errCode(err) != 60006 {
				t.Fatalf("delete department with a child: %v, want 60006", err)
			}
			for _, id := range []int{childID, deptID} {
				if err := al.DepartmentDelete(id); err != nil {
					t.Fatalf("delete %d: %v", id, err)
				}
			}
			if err := al.DepartmentDelete(deptID); errCode(err) != 60003 {
				t.Fatalf("delete again: %v, want 60003", err)
			}
		}},
		{"AccessToken", func(t *testing.T) {
			// The SDK caches its token: one gettoken for the whole run.
			if got := emu.Calls()["gettoken"]; got != 1 {
				t.Fatalf("gettoken calls = %d, want 1", got)
			}
		}},
	}
	for _, s := range steps {
		if !t.Run(s.call, s.run) {
			t.Fatalf("stopping after %s failed", s.call)
		}
	}
	snap := emu.Snapshot()
	if len(snap.Departments) != 7 || len(snap.Users) != 20 {
		t.Fatalf("after the round trip: %d departments, %d users; want the seed back", len(snap.Departments), len(snap.Users))
	}
}

// TestSDKTokenErrors checks the SDK's token handling against the emulator's errcodes.
func TestSDKTokenErrors(t *testing.T) {
	_, emu := startSDK(t)
	tests := []struct {
		name   string
		corp   string
		secret string
		want   int64
	}{
		{"wrong secret", corpID, "nope", 40001},
		{"wrong corp", "ww-other", secret, 40013},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			al := work.NewWork(&config.Config{CorpID: tt.corp, CorpSecret: tt.secret, Cache: cache.NewMemory()}).GetAddressList()
			_, err := al.DepartmentSimpleList(rootDept)
			if err == nil {
				t.Fatal("call with bad credentials succeeded")
			}
			// The SDK reports token errors as text, not as *util.CommonError.
			if got := errCode(err); got != 0 && got != tt.want {
				t.Fatalf("errcode %d, want %d", got, tt.want)
			}
			if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("errcode=%d", tt.want)) {
				t.Fatalf("error %q does not carry errcode %d", msg, tt.want)
			}
		})
	}
	if emu.Calls()["department/simplelist"] != 0 {
		t.Fatal("a call went out without a token")
	}
}
