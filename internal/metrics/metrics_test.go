package metrics

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func scrape(t *testing.T, m *Metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	return rec.Body.String()
}

func TestTransportCountsRequestsWithoutQueries(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "boom") {
			w.WriteHeader(http.StatusBadGateway)
		}
	}))
	defer srv.Close()
	m := New()
	c := &http.Client{Transport: m.Transport("wecom", "/cgi-bin/", nil)}
	for _, path := range []string{"/cgi-bin/user/create?access_token=SECRET-TOKEN", "/cgi-bin/user/create", "/cgi-bin/boom"} {
		resp, err := c.Get(srv.URL + path)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	out := scrape(t, m)
	assert.Contains(t, out, `wecomsync_api_requests_total{api="user/create",outcome="2xx",system="wecom"} 2`)
	assert.Contains(t, out, `wecomsync_api_requests_total{api="boom",outcome="5xx",system="wecom"} 1`)
	assert.Contains(t, out, `wecomsync_api_request_duration_seconds_count{api="user/create",system="wecom"} 2`)
	assert.NotContains(t, out, "SECRET-TOKEN")
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
	assert.Equal(t, http.DefaultTransport, m.Transport("authing", "/api/v3/", nil))
}
