// Command starter is the wecomsync command line: it uploads exports and starts upstream runs,
// starts downstream runs and manages their nightly schedule, follows their progress, approves or
// rejects runs waiting at a safety threshold, prints reports and tests the worker's connections.
// It talks only to Temporal and the blob store; credentials of WeCom and Authing stay with the
// worker.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"go.temporal.io/sdk/client"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/internal/app"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/internal/config"
)

const usage = `usage: starter <command> [flags]

commands:
  upstream           upload a WeCom contacts export and sync it into Authing
  downstream         sync Authing into WeCom (through the WeCom API) now
  schedule           create, list, describe, pause, resume, trigger or delete the nightly downstream sync
  approve, reject    decide on a run waiting for approval
  progress           show a running run's progress
  report             print a run's report (table or --json; --failures-xlsx writes failures)
  check-connections  test the worker's WeCom and Authing credentials
  codec-server       serve /encode and /decode for the Temporal UI when payloads are encrypted
  cleanup            delete old runs' snapshots, plans and reports and old uploads from the blob store

Run 'starter <command> -h' for the flags of a command.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	var ee exitError
	switch {
	case errors.As(err, &ee):
		os.Exit(ee.code)
	case err != nil:
		fmt.Fprintln(os.Stderr, "starter:", err)
		os.Exit(1)
	}
}

// getenv reads an environment variable (a secret named on the command line, never the secret itself).
func getenv(name string) string { return os.Getenv(name) }

// env is what every command needs: the configuration, a Temporal client and the blob store.
type env struct {
	cfg    *config.Config
	client client.Client
	store  *claimcheck.Store
	stdout io.Writer
	stderr io.Writer
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, usage)
		return nil
	}
	commands := map[string]func(context.Context, *env, []string) error{
		"upstream":          cmdUpstream,
		"downstream":        cmdDownstream,
		"schedule":          cmdSchedule,
		"approve":           cmdDecide(true),
		"reject":            cmdDecide(false),
		"progress":          cmdProgress,
		"report":            cmdReport,
		"check-connections": cmdCheckConnections,
		"cleanup":           cmdCleanup,
		"codec-server":      cmdCodecServer,
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", args[0])
	}
	cfg, err := config.Load(nil)
	if err != nil {
		return err
	}
	e := &env{cfg: cfg, stdout: stdout, stderr: stderr}
	if args[0] == "codec-server" || dialsLate[args[0]] { // they dial themselves, if at all
		return cmd(ctx, e, args[1:])
	}
	c, err := app.Dial(cfg, zap.NewNop())
	if err != nil {
		return err
	}
	defer c.Close()
	e.client = c
	store, err := app.OpenStore(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close()
	e.store = store
	return cmd(ctx, e, args[1:])
}
