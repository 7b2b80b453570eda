package integration

import (
	"context"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/clients/authing"
	"github.com/wecomsync/wecomsync/clients/wecom"
	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
	"github.com/wecomsync/wecomsync/internal/app"
	"github.com/wecomsync/wecomsync/workflows"
)

// TestCheckConnections tests credentials from the worker: the starter only sees ok or the error.
func TestCheckConnections(t *testing.T) {
	s := newStack(t, false)
	wemu := wecomemu.New(wecomemu.WithCorp("ww-demo-corp", "demo-contacts-secret"))
	require.NoError(t, wemu.Seed(wecomemu.DemoCompany()))
	wsrv := httptest.NewServer(wemu.Handler())
	t.Cleanup(wsrv.Close)
	good, err := wecom.NewClient(wecom.WithBaseURL(wsrv.URL+"/cgi-bin/"), wecom.WithCredentials("ww-demo-corp", "demo-contacts-secret"))
	require.NoError(t, err)
	badWeCom, err := wecom.NewClient(wecom.WithBaseURL(wsrv.URL+"/cgi-bin/"), wecom.WithCredentials("ww-demo-corp", "wrong-secret-123"), wecom.WithRetry(0))
	require.NoError(t, err)
	badAuthing, err := authing.NewClient(authing.WithBaseURL(s.authURL), authing.WithCredentials(poolID, "wrong-pool-secret"), authing.WithRetry(0))
	require.NoError(t, err)

	w := worker.New(s.client, s.taskQueue, app.WorkerOptions())
	app.Register(w, app.Deps{Store: s.store, Log: zap.NewNop(), Conns: activities.Connections{
		"default": {Authing: s.authingClient(), WeCom: good},
		"broken":  {Authing: badAuthing, WeCom: badWeCom},
	}})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	run, err := s.client.ExecuteWorkflow(context.Background(), client.StartWorkflowOptions{ID: "check", TaskQueue: s.taskQueue},
		workflows.CheckConnectionsWorkflowName, activities.CheckConnectionsInput{})
	require.NoError(t, err)
	var res activities.CheckConnectionsResult
	require.NoError(t, run.Get(context.Background(), &res))
	s.saveHistory(run, "check-connections")
	require.Len(t, res.Connections, 2)
	broken, def := res.Connections[0], res.Connections[1]
	assert.Equal(t, activities.ConnectionStatus{Name: "default", Authing: activities.CheckOK, WeCom: activities.CheckOK}, def)
	assert.True(t, broken.AuthingError)
	assert.True(t, broken.WeComError)
	assert.Contains(t, broken.WeCom, "40001")
	for _, text := range []string{broken.Authing, broken.WeCom} {
		assert.NotContains(t, text, "wrong-secret-123")
		assert.NotContains(t, text, "wrong-pool-secret")
	}
}
