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
  list               list recent runs of both directions, newest first
  check-connections  test the worker's WeCom and Authing credentials
  codec-server       serve /encode and /decode for the Temporal UI when payloads are encrypted
  cleanup            delete old runs' snapshots, plans and reports and old uploads from the blob store

Run 'starter <command> -h' for the flags of a command.

exit codes: 0 done (the run completed), 1 the command could not do its job, 2 a bad command
line, 3 the run failed, was rejected or was canceled, 4 the run completed with errors (some
writes failed), 5 another run of the connection is open.
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

// env is what every command needs: the configuration, and once the command has checked its
// flags (env.connect), a Temporal client and the blob store.
type env struct {
	cfg    *config.Config
	client client.Client
	store  *claimcheck.Store
	stdout io.Writer
	stderr io.Writer
}

// commands are the starter's commands. Each parses its flags first (parseFlags), so that -h and
// a bad command line never need Temporal, then connects (env.connect).
var commands = map[string]func(context.Context, *env, []string) error{
	"upstream":          cmdUpstream,
	"downstream":        cmdDownstream,
	"schedule":          cmdSchedule,
	"approve":           cmdDecide(true),
	"reject":            cmdDecide(false),
	"progress":          cmdProgress,
	"report":            cmdReport,
	"list":              cmdList,
	"check-connections": cmdCheckConnections,
	"cleanup":           cmdCleanup,
	"codec-server":      cmdCodecServer,
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitError{code: exitUsage}
	}
	if isHelp(args[0]) {
		fmt.Fprint(stdout, usage)
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return unknownCommand(stderr, "starter", usage, args[0])
	}
	cfg, err := config.Load(nil)
	if err != nil {
		return err
	}
	return cmd(ctx, &env{cfg: cfg, stdout: stdout, stderr: stderr}, args[1:])
}

// isHelp reports whether a command word asks for help.
func isHelp(arg string) bool { return arg == "-h" || arg == "--help" || arg == "help" }

// unknownCommand prints one error line and the usage, and ends with exitUsage.
func unknownCommand(stderr io.Writer, where, usage, name string) error {
	fmt.Fprintf(stderr, "%s: unknown command %q\n\n%s", where, name, usage)
	return exitError{code: exitUsage}
}

// connect dials Temporal and, with store, opens the blob store; the returned func closes what it
// opened.
func (e *env) connect(ctx context.Context, store bool) (func(), error) {
	c, err := app.Dial(e.cfg, zap.NewNop())
	if err != nil {
		return nil, err
	}
	e.client = c
	if !store {
		return c.Close, nil
	}
	s, err := app.OpenStore(ctx, e.cfg)
	if err != nil {
		c.Close()
		return nil, err
	}
	e.store = s
	return func() { _ = s.Close(); c.Close() }, nil
}
