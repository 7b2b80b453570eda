// Package metrics exposes the worker's Prometheus metrics: API calls to WeCom and Authing (by
// system, API, outcome and error code, with latency), objects written (by object, action and
// result), runs (by direction and status) and, through OpenTelemetry, the Temporal SDK's own
// metrics (temporal_*), all on one registry served at /metrics. It records counts and durations
// only — never ids, names or secrets.
package metrics

import (
	"net/http"
	"regexp"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
)

// Outcomes of an API call (the outcome label).
const (
	OutcomeOK       = "ok"
	OutcomeError    = "error"
	OutcomeCanceled = "canceled"
)

// Label budgets: the code and api labels take at most this many distinct values; later new ones
// are recorded as "other", so a misbehaving server cannot blow up the series count.
const (
	maxCodes = 64
	maxAPIs  = 128
)

// codePattern is what a code label may be: a number (an errcode or status) or a short word
// ("transport", "unreadable").
var codePattern = regexp.MustCompile(`^(-?[0-9]{1,9}|[a-z_]{1,16})$`)

// Metrics holds the collectors. A nil *Metrics records nothing, so code can take it optionally.
type Metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	writes   *prometheus.CounterVec
	runs     *prometheus.CounterVec

	codes, apis *budget

	sdkOnce    sync.Once
	sdkHandler client.MetricsHandler
	sdkErr     error
}

// New registers the collectors (and the Go runtime and process collectors) on a fresh registry.
func New() *Metrics {
	m := &Metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "wecomsync_api_requests_total",
			Help: "HTTP attempts to the synced systems (every retry and token fetch counts), by system (wecom, authing), " +
				"API, outcome (ok, error, canceled) and code (for errors: WeCom errcode or Authing statusCode, also when " +
				"answered with HTTP 200; the HTTP status of an answer without an envelope; unreadable; transport when no answer came).",
		}, []string{"system", "api", "outcome", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "wecomsync_api_request_duration_seconds",
			Help:    "Latency of each HTTP attempt to the synced systems (every retry counts; rate-limit waits excluded).",
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
		codes: newBudget(maxCodes),
		apis:  newBudget(maxAPIs),
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

// APICall counts one HTTP attempt to system's api and records its latency. outcome is
// OutcomeOK, OutcomeError or OutcomeCanceled (anything else counts as an error); code, kept only
// for errors, is the API's error code, an HTTP status or a short word ("transport"). The api and
// code values come from the clients (fixed paths, small code sets) and are bounded here as well.
func (m *Metrics) APICall(system, api, outcome, code string, d time.Duration) {
	if m == nil {
		return
	}
	api = m.apis.value(api)
	switch outcome {
	case OutcomeOK, OutcomeCanceled:
		code = ""
	default:
		outcome = OutcomeError
		if !codePattern.MatchString(code) {
			code = "other"
		}
		code = m.codes.value(code)
	}
	m.requests.WithLabelValues(system, api, outcome, code).Inc()
	m.latency.WithLabelValues(system, api).Observe(d.Seconds())
}

// sdkBuckets are the histogram bounds (seconds) of the Temporal SDK's timers: from poll and
// schedule-to-start latencies in milliseconds to activities and runs of an hour.
var sdkBuckets = []float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600}

// TemporalHandler returns the metrics handler for client.Options.MetricsHandler: the Temporal
// SDK's own metrics (temporal_* — workflow and activity latencies, task-queue polls,
// schedule-to-start latencies, workflow task failures, requests to the server) go through
// OpenTelemetry into this registry, so one scrape shows them next to wecomsync_*. Timers become
// histograms in seconds (…_seconds), counters get _total. Every call returns the same handler. A
// nil *Metrics returns nil (the SDK's default: no metrics).
func (m *Metrics) TemporalHandler() (client.MetricsHandler, error) {
	if m == nil {
		return nil, nil
	}
	m.sdkOnce.Do(func() {
		exp, err := otelprom.New(
			otelprom.WithRegisterer(m.registry),
			otelprom.WithoutScopeInfo(),
			otelprom.WithoutTargetInfo(),
			otelprom.WithAggregationSelector(func(k sdkmetric.InstrumentKind) sdkmetric.Aggregation {
				if k == sdkmetric.InstrumentKindHistogram {
					return sdkmetric.AggregationExplicitBucketHistogram{Boundaries: sdkBuckets}
				}
				return sdkmetric.DefaultAggregationSelector(k)
			}),
		)
		if err != nil {
			m.sdkErr = err
			return
		}
		provider := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exp))
		m.sdkHandler = temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
			Meter: provider.Meter("go.temporal.io/sdk"),
			// An instrument the meter refuses is reported to OpenTelemetry's error handler (a
			// log line), never a panic in the worker.
			OnError:              otel.Handle,
			UseMonotonicCounters: true,
		})
	})
	return m.sdkHandler, m.sdkErr
}

// budget bounds the distinct values of a label.
type budget struct {
	mu   sync.Mutex
	max  int
	seen map[string]struct{}
}

func newBudget(n int) *budget { return &budget{max: n, seen: make(map[string]struct{}, n)} }

// value returns v, or "other" once max other values were seen.
func (b *budget) value(v string) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.seen[v]; ok {
		return v
	}
	if len(b.seen) >= b.max {
		return "other"
	}
	b.seen[v] = struct{}{}
	return v
}
