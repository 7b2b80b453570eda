package app

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
	"github.com/wecomsync/wecomsync/internal/config"
	"github.com/wecomsync/wecomsync/internal/metrics"
)

// scrape returns the wecomsync_* and temporal_* samples of m's /metrics.
func scrape(t *testing.T, m *metrics.Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	var b strings.Builder
	for line := range strings.Lines(rec.Body.String()) {
		if strings.HasPrefix(line, "wecomsync_") || strings.HasPrefix(line, "temporal_") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// The clients built by Connections report each attempt as they classified it: an error inside an
// HTTP 200 answer counts as an error with its code, never as a success.
func TestConnectionsCountAPICallsByOutcome(t *testing.T) {
	aemu := authingemu.New(authingemu.WithPool("pool", "pool-secret"))
	require.NoError(t, aemu.Seed(authingemu.DemoSeed()))
	asrv := httptest.NewServer(aemu.Handler())
	defer asrv.Close()
	wemu := wecomemu.New(wecomemu.WithCorp("ww-corp", "corp-secret"))
	seed := wecomemu.DemoCompany()
	seed.CorpID = "ww-corp"
	require.NoError(t, wemu.Seed(seed))
	wsrv := httptest.NewServer(wemu.Handler())
	defer wsrv.Close()
	cfg := &config.Config{Connections: map[string]config.Connection{"default": {
		Authing: &config.Authing{URL: asrv.URL, UserPoolID: "pool", Secret: "pool-secret"},
		WeCom:   &config.WeCom{URL: wsrv.URL + "/cgi-bin/", CorpID: "ww-corp", Secret: "corp-secret"},
	}}}
	m := metrics.New()
	conns, err := Connections(cfg, zap.NewNop(), m, nil)
	require.NoError(t, err)
	conn := conns["default"]

	aemu.FailNext("list-organizations", 500, 1) // statusCode 500 in an HTTP 200 answer, retried
	_, err = conn.Authing.Organizations.List(context.Background())
	require.NoError(t, err)
	wemu.FailNext("department/simplelist", 60011, 1) // no permission: not retried
	_, err = conn.WeCom.Departments.SimpleList(context.Background(), 0)
	require.Error(t, err)

	out := scrape(t, m)
	for _, want := range []string{
		`wecomsync_api_requests_total{api="list-organizations",code="500",outcome="error",system="authing"} 1`,
		`wecomsync_api_requests_total{api="list-organizations",code="",outcome="ok",system="authing"} 1`,
		`wecomsync_api_requests_total{api="get-management-token",code="",outcome="ok",system="authing"} 1`,
		`wecomsync_api_requests_total{api="department/simplelist",code="60011",outcome="error",system="wecom"} 1`,
		`wecomsync_api_requests_total{api="gettoken",code="",outcome="ok",system="wecom"} 1`,
		`wecomsync_api_request_duration_seconds_count{api="list-organizations",system="authing"} 2`,
		`wecomsync_api_request_duration_seconds_count{api="department/simplelist",system="wecom"} 1`,
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, `api="department/simplelist",code="",outcome="ok"`, "an errcode answer is no success")
	assert.NotContains(t, out, "corp-secret")
	assert.NotContains(t, out, "2xx", "no status guessing")

	// Without metrics the clients still work.
	conns, err = Connections(cfg, zap.NewNop(), nil, nil)
	require.NoError(t, err)
	_, err = conns["default"].Authing.Organizations.List(context.Background())
	require.NoError(t, err)
}

// Only a client dialed WithSDKMetrics reports the SDK's metrics; ClientOptions alone (the starter,
// the tests) has none.
func TestClientOptionsSDKMetricsOnlyWhenAsked(t *testing.T) {
	cfg := &config.Config{TemporalAddress: "localhost:7233", Namespace: "default"}
	opts, err := ClientOptions(cfg, zap.NewNop())
	require.NoError(t, err)
	assert.Nil(t, opts.MetricsHandler)

	opts, err = ClientOptions(cfg, zap.NewNop(), WithSDKMetrics(nil))
	require.NoError(t, err)
	assert.Nil(t, opts.MetricsHandler)

	m := metrics.New()
	opts, err = ClientOptions(cfg, zap.NewNop(), WithSDKMetrics(m))
	require.NoError(t, err)
	require.NotNil(t, opts.MetricsHandler)
	opts.MetricsHandler.Counter("temporal_request").Inc(1)
	assert.Contains(t, scrape(t, m), "temporal_request_total 1")
}
