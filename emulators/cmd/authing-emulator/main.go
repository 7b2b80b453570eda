// Command authing-emulator serves the in-memory Authing Management API v3 emulator over HTTP for the
// dev stack and benchmarks:
//
//	go run ./emulators/cmd/authing-emulator --addr 127.0.0.1:8082 --seed demo --pool-id demo-pool \
//	    --secret demo-pool-secret --qps 300 --token-ttl 2h
//
// --seed is demo (one organization, no departments, users or custom fields), empty (no
// organization) or the path of a JSON fixture. Clients authenticate with a management token or
// sign requests with the pool id and secret as the official Node SDK does. Fault rules can be
// added at /_emulator/faults. It must not log the pool secret or tokens.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"go.uber.org/zap"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/emulators/internal/httpserve"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "authing-emulator:", err)
		os.Exit(1)
	}
}

type config struct {
	addr        string
	seed        string
	poolID      string
	secret      string
	qps         float64
	burst       int
	tokenTTL    time.Duration
	latency     time.Duration
	faultSeed   int64
	development bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("authing-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8082", "listen address")
	fs.StringVar(&c.seed, "seed", "demo", "demo | empty (a pool without organization) | path of a JSON fixture")
	fs.StringVar(&c.poolID, "pool-id", authingemu.DefaultPoolID, "user pool id (accessKeyId)")
	fs.StringVar(&c.secret, "secret", authingemu.DefaultSecret, "user pool secret (accessKeySecret)")
	fs.Float64Var(&c.qps, "qps", authingemu.DefaultQPS, "throttle in requests per second; 0 = unlimited")
	fs.IntVar(&c.burst, "burst", 0, "throttle burst (default: qps)")
	fs.DurationVar(&c.tokenTTL, "token-ttl", authingemu.DefaultTokenTTL, "management token lifetime")
	fs.DurationVar(&c.latency, "latency", 0, "latency added to every call")
	fs.Int64Var(&c.faultSeed, "fault-seed", 1, "seed of rate-based fault rules")
	fs.BoolVar(&c.development, "dev-log", false, "human-readable logs")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.poolID == "" || c.secret == "" {
		return c, fmt.Errorf("--pool-id and --secret must not be empty")
	}
	if c.burst <= 0 {
		c.burst = max(int(c.qps), 1)
	}
	return c, nil
}

// newServer builds the emulator and seeds it as --seed says.
func newServer(c config) (*authingemu.Server, error) {
	emu := authingemu.New(
		authingemu.WithPool(c.poolID, c.secret),
		authingemu.WithQPS(c.qps, c.burst),
		authingemu.WithTokenTTL(c.tokenTTL),
		authingemu.WithLatency(c.latency),
		authingemu.WithFaultSeed(c.faultSeed),
	)
	var err error
	switch c.seed {
	case "demo":
		err = emu.Seed(authingemu.DemoSeed())
	case "empty", "":
		err = emu.Seed(authingemu.EmptySeed())
	default:
		err = emu.LoadFixture(c.seed)
	}
	if err != nil {
		return nil, err
	}
	return emu, nil
}

func run(args []string, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	emu, err := newServer(c)
	if err != nil {
		return err
	}
	return httpserve.Main(c.addr, c.development, emu.Handler(), "authing emulator", startFields(emu, c))
}

// startFields is what the start line logs: the pool, its size and the limits.
func startFields(emu *authingemu.Server, c config) httpserve.StartFields {
	return func(addr string) []zap.Field {
		snap := emu.Snapshot()
		return []zap.Field{
			zap.String("base_url", "http://"+addr+"/api/v3/"),
			zap.String("poolId", c.poolID),
			zap.String("seed", c.seed),
			zap.Int("organizations", len(snap.Organizations)),
			zap.Int("departments", len(snap.Departments)),
			zap.Int("users", len(snap.Users)),
			zap.Float64("qps", c.qps),
			zap.Int("burst", c.burst),
			zap.Duration("tokenTTL", c.tokenTTL),
		}
	}
}
