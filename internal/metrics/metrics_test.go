package metrics

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	return rec.Body.String()
}

func TestAPICallsByOutcomeAndCode(t *testing.T) {
	m := New()
	m.APICall("wecom", "user/create", OutcomeOK, "", 20*time.Millisecond)
	m.APICall("wecom", "user/create", OutcomeOK, "ignored", 30*time.Millisecond)
	m.APICall("wecom", "user/create", OutcomeError, "60104", 10*time.Millisecond)
	m.APICall("wecom", "user/create", OutcomeError, "-1", 10*time.Millisecond)
	m.APICall("authing", "create-users-batch", OutcomeError, "429", time.Millisecond)
	m.APICall("authing", "list-users", OutcomeError, "transport", time.Second)
	m.APICall("authing", "list-users", OutcomeCanceled, "", time.Second)
	m.APICall("authing", "list-users", "weird", "no such code!", time.Second)
	out := scrape(t, m)
	for _, want := range []string{
		`wecomsync_api_requests_total{api="user/create",code="",outcome="ok",system="wecom"} 2`,
		`wecomsync_api_requests_total{api="user/create",code="60104",outcome="error",system="wecom"} 1`,
		`wecomsync_api_requests_total{api="user/create",code="-1",outcome="error",system="wecom"} 1`,
		`wecomsync_api_requests_total{api="create-users-batch",code="429",outcome="error",system="authing"} 1`,
		`wecomsync_api_requests_total{api="list-users",code="transport",outcome="error",system="authing"} 1`,
		`wecomsync_api_requests_total{api="list-users",code="",outcome="canceled",system="authing"} 1`,
		`wecomsync_api_requests_total{api="list-users",code="other",outcome="error",system="authing"} 1`,
		`wecomsync_api_request_duration_seconds_count{api="user/create",system="wecom"} 4`,
		`wecomsync_api_request_duration_seconds_count{api="list-users",system="authing"} 3`,
	} {
		assert.Contains(t, out, want)
	}
	assert.Contains(t, out, "every retry")
}

func TestAPICallLabelsStayBounded(t *testing.T) {
	m := New()
	for i := range maxCodes + 10 {
		m.APICall("wecom", fmt.Sprintf("api-%d", i%3), OutcomeError, strconv.Itoa(40000+i), time.Millisecond)
	}
	for i := range maxAPIs + 10 {
		m.APICall("authing", fmt.Sprintf("verb-%d", i), OutcomeOK, "", time.Millisecond)
	}
	out := scrape(t, m)
	assert.Equal(t, maxCodes, strings.Count(out, `outcome="error",system="wecom"} 1`), "distinct codes")
	assert.Contains(t, out, `code="other",outcome="error",system="wecom"} `)
	assert.Contains(t, out, `wecomsync_api_requests_total{api="other",code="",outcome="ok",system="authing"} `)
}

func TestTemporalSDKMetricsShareTheRegistry(t *testing.T) {
	m := New()
	h, err := m.TemporalHandler()
	require.NoError(t, err)
	require.NotNil(t, h)
	again, err := m.TemporalHandler()
	require.NoError(t, err)
	assert.Equal(t, temporalotel.ExtractMetricsHandler(h).GetMeter(), temporalotel.ExtractMetricsHandler(again).GetMeter(),
		"one meter per registry")

	tagged := h.WithTags(map[string]string{"activity_type": "ApplyUsers", "task_queue": "wecomsync"})
	tagged.Counter("temporal_request").Inc(3)
	tagged.Timer("temporal_activity_execution_latency").Record(1500 * time.Millisecond)
	tagged.Gauge("temporal_num_pollers").Update(2)
	m.RunFinished("upstream", "completed")

	out := scrape(t, m)
	for _, want := range []string{
		`temporal_request_total{activity_type="ApplyUsers",task_queue="wecomsync"} 3`,
		`temporal_activity_execution_latency_seconds_bucket{activity_type="ApplyUsers",task_queue="wecomsync",le="2.5"} 1`,
		`temporal_activity_execution_latency_seconds_bucket{activity_type="ApplyUsers",task_queue="wecomsync",le="1"} 0`,
		`temporal_activity_execution_latency_seconds_count{activity_type="ApplyUsers",task_queue="wecomsync"} 1`,
		`temporal_num_pollers{activity_type="ApplyUsers",task_queue="wecomsync"} 2`,
		`wecomsync_runs_total{direction="upstream",status="completed"} 1`,
		"go_goroutines",
	} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "otel_scope")
	assert.NotContains(t, out, "target_info")
}

func TestWritesAndRuns(t *testing.T) {
	m := New()
	m.Written("user", "create", "ok", 49)
	m.Written("user", "create", "failed", 1)
	m.Written("user", "delete", "ok", 0) // nothing recorded
	m.RunFinished("upstream", "completed")
	out := scrape(t, m)
	assert.Contains(t, out, `wecomsync_objects_written_total{action="create",object="user",result="ok"} 49`)
	assert.Contains(t, out, `wecomsync_objects_written_total{action="create",object="user",result="failed"} 1`)
	assert.NotContains(t, out, `action="delete"`)
	assert.Contains(t, out, `wecomsync_runs_total{direction="upstream",status="completed"} 1`)
}

func TestNilMetricsRecordNothing(t *testing.T) {
	var m *Metrics
	m.Written("user", "create", "ok", 1)
	m.RunFinished("upstream", "completed")
	m.APICall("authing", "list-users", OutcomeOK, "", time.Second)
	h, err := m.TemporalHandler()
	assert.NoError(t, err)
	assert.Nil(t, h)
}
