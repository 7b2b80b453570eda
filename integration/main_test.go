// Package integration runs wecomsync end to end: a real Temporal dev server (the pinned temporal
// CLI from ./bin), the Authing emulator over real HTTP, the worker's real wiring (internal/app) and
// generated exports. `go test -short` skips it.
package integration

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"

	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/internal/app"
	"github.com/wecomsync/wecomsync/internal/config"
)

// helperWorkerEnv makes the test binary act as a worker process (for the kill test).
const helperWorkerEnv = "WECOMSYNC_INTEGRATION_WORKER"

var (
	devServer *testsuite.DevServer
	// temporalBin is the temporal CLI the dev server runs from (also used to start runs like a person).
	temporalBin string
)

func TestMain(m *testing.M) {
	if os.Getenv(helperWorkerEnv) == "1" {
		if err := runHelperWorker(); err != nil {
			fmt.Fprintln(os.Stderr, "helper worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run())
	}
	temporalBin = os.Getenv("WECOMSYNC_TEMPORAL_BIN")
	if temporalBin == "" {
		temporalBin, _ = filepath.Abs("../bin/temporal")
	}
	if _, err := os.Stat(temporalBin); err != nil {
		fmt.Fprintf(os.Stderr, "integration tests need the temporal CLI at %s: run `make tools` (or go test -short)\n", temporalBin)
		os.Exit(1)
	}
	var err error
	devServer, err = testsuite.StartDevServer(context.Background(), testsuite.DevServerOptions{
		ExistingPath: temporalBin,
		LogLevel:     "error",
		ClientOptions: &client.Options{
			Logger: nopLogger{},
		},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "start the Temporal dev server:", err)
		os.Exit(1)
	}
	if err := app.EnsureSearchAttributes(context.Background(), devServer.Client(), "default"); err != nil {
		fmt.Fprintln(os.Stderr, "register the search attributes:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = devServer.Stop()
	os.Exit(code)
}

// runHelperWorker is the worker binary's main, configured by the environment the test sets.
func runHelperWorker() error {
	cfg, err := config.Load(nil)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	store, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	// Like the worker binary, worker processes share the API budgets through the blob store.
	budgets := app.NewBudgets(store, zap.NewNop())
	go budgets.Run(ctx)
	conns, err := app.Connections(cfg, zap.NewNop(), nil, budgets)
	if err != nil {
		return err
	}
	c, err := app.Dial(cfg, zap.NewNop())
	if err != nil {
		return err
	}
	defer c.Close()
	w := worker.New(c, cfg.TaskQueue, app.WorkerOptions())
	app.Register(w, app.Deps{Conns: conns, Store: store, Log: zap.NewNop(), Client: c})
	return w.Run(worker.InterruptCh())
}

// nopLogger silences the SDK in tests.
type nopLogger struct{}

func (nopLogger) Debug(string, ...any) {}
func (nopLogger) Info(string, ...any)  {}
func (nopLogger) Warn(string, ...any)  {}
func (nopLogger) Error(string, ...any) {}
