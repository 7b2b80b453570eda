// Package metrics exposes the worker's Prometheus metrics: API calls to WeCom and Authing (by
// system, API and outcome, with latency), objects written (by object, action and result) and runs
// (by direction and status). It records counts and durations only — never ids, names or secrets.
package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics holds the collectors. A nil *Metrics records nothing, so code can take it optionally.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	writes   *prometheus.CounterVec
	runs     *prometheus.CounterVec
}

// New registers the collectors (and the Go runtime and process collectors) on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wecomsync_api_requests_total",
			Help: "HTTP requests to the synced systems, by system (wecom, authing), API and outcome (HTTP status class or error).",
		}, []string{"system", "api", "outcome"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "wecomsync_api_request_duration_seconds",
			Help:    "Latency of HTTP requests to the synced systems.",
			Buckets: prometheus.ExponentialBuckets(0.005, 2, 12),
		}, []string{"system", "api"}),
		writes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wecomsync_objects_written_total",
			Help: "Objects written by syncs, by object (user, department), action (create, update, membership, delete, suspend) and result (ok, failed).",
		}, []string{"object", "action", "result"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wecomsync_runs_total",
			Help: "Finished sync runs, by direction and status (completed, completed-with-errors, dry-run, rejected, failed, canceled).",
		}, []string{"direction", "status"}),
	}
	m.registry.MustRegister(m.requests, m.latency, m.writes, m.runs,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}

// Written adds n objects written with the given object, action and result.
func (m *Metrics) Written(object, action, result string, n int) {
	if m == nil || n == 0 {
		return
	}
	m.writes.WithLabelValues(object, action, result).Add(float64(n))
}

// RunFinished counts a finished run.
func (m *Metrics) RunFinished(direction, status string) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(direction, status).Inc()
}

// Transport wraps next (nil = http.DefaultTransport) so that every request to system is counted
// and timed. The API label is the request path after apiPrefix ("/api/v3/", "/cgi-bin/"); query
// strings (where WeCom carries its token) are never recorded.
func (m *Metrics) Transport(system, apiPrefix string, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	if m == nil {
		return next
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		api := r.URL.Path
		if i := strings.Index(api, apiPrefix); i >= 0 {
			api = api[i+len(apiPrefix):]
		}
		start := time.Now()
		resp, err := next.RoundTrip(r)
		m.latency.WithLabelValues(system, api).Observe(time.Since(start).Seconds())
		outcome := "error"
		if err == nil {
			outcome = strconv.Itoa(resp.StatusCode/100) + "xx"
		}
		m.requests.WithLabelValues(system, api, outcome).Inc()
		return resp, err
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
