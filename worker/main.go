// Command worker runs the wecomsync Temporal worker: it reads the configuration (env and optional
// file), builds the API clients and the claim-check store, registers every workflow and activity
// on the "wecomsync" task queue and serves until SIGINT/SIGTERM.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/internal/app"
	"github.com/wecomsync/wecomsync/internal/config"
	"github.com/wecomsync/wecomsync/internal/logging"
	"github.com/wecomsync/wecomsync/internal/metrics"
)

// defaultMemoryLimit keeps the garbage collector ahead of a 100k-user run when GOMEMLIMIT is unset.
const defaultMemoryLimit = 450 << 20

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "worker:", err)
		os.Exit(1)
	}
}

func run() error {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(defaultMemoryLimit)
	}
	cfg, err := config.Load(nil)
	if err != nil {
		return err
	}
	log, err := logging.New(cfg.LogLevel)
	if err != nil {
		return err
	}
	defer func() { _ = log.Sync() }()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	m := metrics.New()
	serveMetrics(ctx, cfg.MetricsAddr, m, log)
	budgets := app.NewBudgets(store, log)
	go budgets.Run(ctx)
	conns, err := app.Connections(cfg, log, m, budgets)
	if err != nil {
		return err
	}
	if len(conns) == 0 {
		log.Warn("no connection configured: set WECOMSYNC_AUTHING_* / WECOMSYNC_WECOM_* or WECOMSYNC_CONFIG")
	}
	// The SDK's own metrics (temporal_*) share the registry served at /metrics.
	c, err := app.Dial(cfg, log, app.WithSDKMetrics(m))
	if err != nil {
		return err
	}
	defer c.Close()

	if err := app.EnsureSearchAttributes(ctx, c, cfg.Namespace); err != nil {
		return err
	}
	w := worker.New(c, cfg.TaskQueue, app.WorkerOptions())
	app.Register(w, app.Deps{Conns: conns, Store: store, Log: log, Metrics: m, Client: c})
	log.Info("worker starting", zap.String("config", cfg.String()))
	if err := w.Start(); err != nil {
		return fmt.Errorf("start worker: %w", err)
	}
	<-ctx.Done()
	w.Stop()
	log.Info("worker stopped")
	return nil
}

// serveMetrics serves /metrics until ctx ends; a metrics endpoint that cannot start is logged, not
// fatal (the worker's job is syncing).
func serveMetrics(ctx context.Context, addr string, m *metrics.Metrics, log *zap.Logger) {
	if addr == "" || addr == "off" {
		return
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", m.Handler())
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Close()
	}()
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("metrics endpoint not served", zap.String("addr", addr), zap.Error(err))
		}
	}()
}
