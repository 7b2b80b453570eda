package integration

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
	"github.com/wecomsync/wecomsync/internal/app"
	"github.com/wecomsync/wecomsync/internal/config"
	"github.com/wecomsync/wecomsync/internal/metrics"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/report"
	"github.com/wecomsync/wecomsync/workflows"
)

// TestMetricsScrape runs a downstream sync on a worker wired like the worker binary — its
// configuration read from the worker's environment, app.Connections counting every API attempt,
// app.Dial WithSDKMetrics — with an errcode and an Authing statusCode injected (both answered with
// HTTP 200, both retried), then scrapes its /metrics over HTTP: the Temporal SDK's series and
// wecomsync's share the one endpoint, and the injected answers count as errors with their codes.
func TestMetricsScrape(t *testing.T) {
	s := newStack(t, false)
	require.NoError(t, s.emu.Seed(authingOrg()))
	s.wecomMode = mapping.ModeSelfBuilt
	s.wecom = wecomemu.New(wecomemu.WithCorp(wecomCorp, wecomSecret), wecomemu.WithMode(wecomemu.Mode(s.wecomMode)))
	wsrv := httptest.NewServer(s.wecom.Handler())
	t.Cleanup(wsrv.Close)
	s.wecomURL = wsrv.URL + "/cgi-bin/"

	env := map[string]string{}
	for _, kv := range s.workerEnv() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	env["WECOMSYNC_CONFIG"] = "" // only the stack's connection
	cfg, err := config.Load(func(k string) string { return env[k] })
	require.NoError(t, err)
	m := metrics.New()
	s.metrics = m
	conns, err := app.Connections(cfg, zap.NewNop(), m, nil)
	require.NoError(t, err)
	c, err := app.Dial(cfg, zap.NewNop(), app.WithSDKMetrics(m))
	require.NoError(t, err)
	t.Cleanup(c.Close)
	w := worker.New(c, cfg.TaskQueue, app.WorkerOptions())
	app.Register(w, app.Deps{Conns: conns, Store: s.store, Log: zap.NewNop(), Metrics: m, Client: s.client})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	srv := httptest.NewServer(m.Handler())
	t.Cleanup(srv.Close)

	s.wecom.FailNext("user/create", -1, 1)        // 系统繁忙, in an HTTP 200 answer
	s.emu.FailNext("get-all-departments", 503, 1) // statusCode 503, in an HTTP 200 answer
	rep := s.downstream("metrics-downstream", workflows.DownstreamInput{})
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	require.Equal(t, 4, rep.Applied.UsersCreate)

	// The SDK counts a completed workflow once the server took its last workflow task, which
	// may be just after the run's result reached the caller.
	var scraped string
	waitFor(t, func() bool {
		scraped = scrapeSamples(t, srv.URL+"/metrics")
		return strings.Contains(scraped, "temporal_workflow_completed_total{")
	})
	if os.Getenv("WECOMSYNC_PRINT_METRICS") == "1" {
		t.Log(scraped)
	}
	for _, want := range []string{
		// wecomsync: the clients' own classification, every attempt counted.
		`wecomsync_api_requests_total{api="user/create",code="-1",outcome="error",system="wecom"} 1`,
		`wecomsync_api_requests_total{api="user/create",code="",outcome="ok",system="wecom"} 4`,
		`wecomsync_api_requests_total{api="get-all-departments",code="503",outcome="error",system="authing"} 1`,
		`wecomsync_api_requests_total{api="gettoken",code="",outcome="ok",system="wecom"}`,
		`wecomsync_api_request_duration_seconds_count{api="user/create",system="wecom"} 5`,
		`wecomsync_objects_written_total{action="create",object="user",result="ok"} 4`,
		`wecomsync_runs_total{direction="downstream",status="completed"} 1`,
		// temporal: the SDK's metrics through OpenTelemetry, on the same registry.
		`temporal_activity_execution_latency_seconds_bucket{`,
		`temporal_activity_schedule_to_start_latency_seconds_bucket{`,
		`temporal_workflow_task_schedule_to_start_latency_seconds_bucket{`,
		`temporal_workflow_task_execution_latency_seconds_bucket{`,
		`temporal_workflow_endtoend_latency_seconds_count{`,
		`temporal_workflow_completed_total{`,
		`temporal_request_total{`,
		`workflow_type="DownstreamSync"`,
		`task_queue="` + s.taskQueue + `"`,
	} {
		assert.Contains(t, scraped, want)
	}
	assert.NotContains(t, scraped, "2xx", "no HTTP status guessing")
	assert.NotContains(t, scraped, wecomSecret)
	assert.NotContains(t, scraped, poolSecret)
	assert.Contains(t, s.scrape(), "temporal_request_total{", "the stack's scrape reads the same registry")
}

// scrapeSamples GETs a /metrics endpoint and returns its wecomsync_* and temporal_* samples (not
// the Go runtime's, so that a failure prints what matters).
func scrapeSamples(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, resp.Body.Close())
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var b strings.Builder
	for line := range strings.Lines(string(raw)) {
		if strings.HasPrefix(line, "wecomsync_") || strings.HasPrefix(line, "temporal_") {
			b.WriteString(line)
		}
	}
	return b.String()
}
