package activities

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/clients/wecom"
	"github.com/wecomsync/wecomsync/directory"
	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
)

// readWeCom runs ReadWeCom against the demo corp (served through front when given) and returns
// its result and the members it stored, by userid.
func readWeCom(t *testing.T, front func(http.Handler) http.Handler) (ReadWeComResult, map[string]plan.TargetUser) {
	t.Helper()
	emu := wecomemu.New()
	require.NoError(t, emu.Seed(wecomemu.DemoCompany()))
	var h http.Handler = emu.Handler()
	if front != nil {
		h = front(h)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := wecom.NewClient(wecom.WithBaseURL(srv.URL+"/cgi-bin/"), wecom.WithCredentials(wecomemu.DefaultCorpID, wecomemu.DefaultContactsSecret), wecom.WithRetry(0))
	require.NoError(t, err)
	ctx := context.Background()
	store, err := claimcheck.Open(ctx, "mem://")
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	acts := &WeComActivities{Conns: Connections{"default": {WeCom: c, WeComMode: mapping.ModeSelfBuilt}}, Store: store, Log: zap.NewNop()}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(acts)
	val, err := env.ExecuteActivity(acts.ReadWeCom, ReadWeComInput{Connection: "default", Prefix: "runs/t/"})
	require.NoError(t, err)
	var res ReadWeComResult
	require.NoError(t, val.Get(&res))
	users := map[string]plan.TargetUser{}
	require.NoError(t, claimcheck.ReadLines(ctx, store, res.Users.Key, func(u plan.TargetUser) error {
		users[u.UserID] = u
		return nil
	}))
	return res, users
}

// The members from user/list_id get the fields and the main department user/list shows.
func TestReadWeComJoinsDetailsToMembers(t *testing.T) {
	res, users := readWeCom(t, nil)
	assert.True(t, res.DetailsReadable)
	assert.Len(t, users, 20)
	for id, u := range users {
		assert.Equal(t, directory.AllFields().Sorted(), u.Readable, id)
		assert.True(t, u.MainKnown, id)
		assert.NotEmpty(t, u.User.Name, id)
	}
	linfeng := users["linfeng"]
	assert.Equal(t, []int{7, 6}, linfeng.Departments, "main department first")
	assert.Equal(t, "林峰", linfeng.User.Name)
	assert.Equal(t, "linfeng", linfeng.User.UserID)
	assert.Equal(t, "+86 13800000018", linfeng.User.Mobile)
}

// When WeCom refuses the detail reads (48009) while the department names are readable, the run
// goes on with every member's ids and departments, and no member is taken as read in detail.
func TestReadWeComWithoutDetailReads(t *testing.T) {
	res, users := readWeCom(t, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/user/list") && r.URL.Query().Get("department_id") != "3" {
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"errcode":48009,"errmsg":"api forbidden for this IP"}`)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	assert.False(t, res.DetailsReadable)
	assert.Contains(t, strings.Join(res.Warnings, "\n"), "48009")
	assert.Len(t, users, 20)
	for id, u := range users {
		assert.Empty(t, u.Readable, id)
		assert.Empty(t, u.User.Name, id)
		assert.False(t, u.MainKnown, id)
		assert.NotEmpty(t, u.Departments, id)
	}
	assert.ElementsMatch(t, []int{7, 6}, users["linfeng"].Departments)
}
