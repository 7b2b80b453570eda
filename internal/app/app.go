// Package app wires wecomsync together: it builds the API clients from the configuration and
// registers every workflow and activity on a Temporal worker. The worker binary and the
// integration tests share it, so they run exactly the same thing. It holds no logic of its own.
package app

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"time"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/activities"
	"github.com/wecomsync/wecomsync/clients/apierr"
	"github.com/wecomsync/wecomsync/clients/authing"
	"github.com/wecomsync/wecomsync/clients/wecom"
	"github.com/wecomsync/wecomsync/internal/budget"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/internal/codec"
	"github.com/wecomsync/wecomsync/internal/config"
	"github.com/wecomsync/wecomsync/internal/logging"
	"github.com/wecomsync/wecomsync/internal/metrics"
	"github.com/wecomsync/wecomsync/workflows"
)

// Deps are what the activities need.
type Deps struct {
	Conns activities.Connections
	Store *claimcheck.Store
	Log   *zap.Logger
	// Metrics (optional) counts written objects and finished runs.
	Metrics *metrics.Metrics
	// Client lets a run ask Temporal whether another run of its connection is open.
	Client client.Client
}

// Register puts every workflow and activity of wecomsync on w.
func Register(w worker.Registry, d Deps) {
	w.RegisterWorkflowWithOptions(workflows.UpstreamSync, workflow.RegisterOptions{Name: workflows.UpstreamWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.DownstreamSync, workflow.RegisterOptions{Name: workflows.DownstreamWorkflowName})
	w.RegisterWorkflowWithOptions(workflows.CheckConnections, workflow.RegisterOptions{Name: workflows.CheckConnectionsWorkflowName})
	w.RegisterActivity(&activities.ExcelActivities{Store: d.Store, Log: d.Log})
	w.RegisterActivity(&activities.AuthingActivities{Conns: d.Conns, Store: d.Store, Log: d.Log, Metrics: d.Metrics})
	w.RegisterActivity(&activities.WeComActivities{Conns: d.Conns, Store: d.Store, Log: d.Log, Metrics: d.Metrics})
	w.RegisterActivity(&activities.PlanActivities{Store: d.Store, Log: d.Log})
	w.RegisterActivity(&activities.ReportActivities{Store: d.Store, Log: d.Log, Metrics: d.Metrics})
	w.RegisterActivity(&activities.CheckActivities{Conns: d.Conns})
	w.RegisterActivity(&activities.RunActivities{Client: d.Client})
}

// WeCom's per-corp, per-API budgets (reference/wecom-api.md §7), used when only one is configured.
const (
	wecomPerMinute = 10000
	wecomPerHour   = 150000
)

// httpClient is the HTTP client of one system's API: pooled keep-alive connections sized for the
// activities' concurrency (the default pool keeps only 2 idle connections per host).
func httpClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = 128, 64
	return &http.Client{Transport: t}
}

// apiObserver counts every attempt of system's client in m as the client classified it (nil: no
// metrics).
func apiObserver(m *metrics.Metrics, system string) apierr.Observer {
	if m == nil {
		return nil
	}
	return func(c apierr.Call) { m.APICall(system, c.API, c.Outcome, c.Code, c.Duration) }
}

// Connections builds the API clients of every configured connection; m (optional) counts their
// calls: every attempt by API, outcome and error code, with its latency.
//
// With budgets, each connection's clients share the pool's and the corp's API budgets with the
// other workers using the same blob store (internal/budget); nil keeps each client's own limiters.
func Connections(cfg *config.Config, log *zap.Logger, m *metrics.Metrics, budgets *budget.Coordinator) (activities.Connections, error) {
	conns := activities.Connections{}
	for name, cc := range cfg.Connections {
		conn := &activities.Connection{}
		if cc.WeCom != nil {
			conn.WeComMode = cc.WeCom.Mode
		}
		if a := cc.Authing; a != nil {
			opts := []authing.Option{authing.WithCredentials(a.UserPoolID, a.Secret), authing.WithLogger(log),
				authing.WithHTTPClient(httpClient()), authing.WithObserver(apiObserver(m, "authing"))}
			if a.URL != "" {
				opts = append(opts, authing.WithBaseURL(a.URL))
			}
			if a.QPS > 0 {
				opts = append(opts, authing.WithRateLimit(a.QPS, max(1, int(a.QPS/30))))
			}
			if budgets != nil {
				opts = append(opts, authing.WithLimiter(authingBudget(budgets, a)))
			}
			c, err := authing.NewClient(opts...)
			if err != nil {
				return nil, fmt.Errorf("connection %q: Authing client: %w", name, err)
			}
			conn.Authing = c
		}
		if w := cc.WeCom; w != nil {
			opts := []wecom.Option{wecom.WithCredentials(w.CorpID, w.Secret), wecom.WithLogger(log),
				wecom.WithHTTPClient(httpClient()), wecom.WithObserver(apiObserver(m, "wecom"))}
			if w.URL != "" {
				opts = append(opts, wecom.WithBaseURL(w.URL))
			}
			if w.PerMinute > 0 || w.PerHour > 0 {
				opts = append(opts, wecom.WithRateLimit(cmp.Or(w.PerMinute, wecomPerMinute), cmp.Or(w.PerHour, wecomPerHour)))
			}
			if budgets != nil {
				opts = append(opts, wecom.WithLimiter(wecomBudget(budgets, w)))
			}
			c, err := wecom.NewClient(opts...)
			if err != nil {
				return nil, fmt.Errorf("connection %q: WeCom client: %w", name, err)
			}
			conn.WeCom = c
		}
		conns[name] = conn
	}
	return conns, nil
}

// ClientOption adds to the Temporal client options of one binary (see WithSDKMetrics).
type ClientOption func(*client.Options) error

// WithSDKMetrics reports the Temporal SDK's own metrics (temporal_*: workflow and activity
// latencies, polls, schedule-to-start, workflow task failures) into m, next to wecomsync_* on
// the same /metrics. The worker uses it; the starter and the tests need not. A nil m adds nothing.
func WithSDKMetrics(m *metrics.Metrics) ClientOption {
	return func(o *client.Options) error {
		h, err := m.TemporalHandler()
		if err != nil {
			return fmt.Errorf("temporal SDK metrics: %w", err)
		}
		if h != nil {
			o.MetricsHandler = h
		}
		return nil
	}
}

// ClientOptions are the Temporal client options of every wecomsync binary, plus extra. With codec
// keys configured, payloads and failure messages are encrypted (internal/codec).
func ClientOptions(cfg *config.Config, log *zap.Logger, extra ...ClientOption) (client.Options, error) {
	opts := client.Options{
		HostPort:  cfg.TemporalAddress,
		Namespace: cfg.Namespace,
		Logger:    logging.NewTemporal(log),
	}
	if cfg.CodecKeys != "" {
		keys, err := codec.ParseKeys(cfg.CodecKeys)
		if err != nil {
			return opts, fmt.Errorf("WECOMSYNC_CODEC_KEYS: %w", err)
		}
		opts.DataConverter = codec.DataConverter(keys)
		opts.FailureConverter = codec.FailureConverter(keys)
	}
	for _, o := range extra {
		if err := o(&opts); err != nil {
			return opts, err
		}
	}
	return opts, nil
}

// WorkerOptions are the worker options of every wecomsync worker. Heartbeats reach the server at
// least every 5 s, so progress is fresh and a cancel reaches a running chunk within seconds.
func WorkerOptions() worker.Options {
	return worker.Options{MaxHeartbeatThrottleInterval: 5 * time.Second}
}

// Dial connects to Temporal with ClientOptions.
func Dial(cfg *config.Config, log *zap.Logger, extra ...ClientOption) (client.Client, error) {
	opts, err := ClientOptions(cfg, log, extra...)
	if err != nil {
		return nil, err
	}
	c, err := client.Dial(opts)
	if err != nil {
		return nil, fmt.Errorf("connect to Temporal at %s: %w", cfg.TemporalAddress, err)
	}
	return c, nil
}

// OpenStore opens the claim-check store.
func OpenStore(ctx context.Context, cfg *config.Config) (*claimcheck.Store, error) {
	return claimcheck.Open(ctx, cfg.BlobURL)
}
