// Command authing-emulator serves the in-memory Authing Management API v3 emulator over HTTP for the
// dev stack and benchmarks:
//
//	go run ./emulators/cmd/authing-emulator --addr 127.0.0.1:8082 --seed demo --pool-id demo-pool \
//	    --secret demo-pool-secret --qps 300 --token-ttl 2h
//
// --seed is demo (one organization, no departments, users or custom fields), empty (no
// organization) or the path of a JSON fixture. Fault rules can be added at /_emulator/faults.
// It must not log the pool secret or tokens.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"

	"go.uber.org/zap"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/emulators/internal/httpserve"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "authing-emulator:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("authing-emulator", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8082", "listen address")
	seed := fs.String("seed", "demo", "demo | empty | path of a JSON fixture")
	poolID := fs.String("pool-id", authingemu.DefaultPoolID, "user pool id (accessKeyId)")
	secret := fs.String("secret", authingemu.DefaultSecret, "user pool secret (accessKeySecret)")
	qps := fs.Float64("qps", authingemu.DefaultQPS, "throttle in requests per second; 0 = unlimited")
	burst := fs.Int("burst", 0, "throttle burst (default: qps)")
	ttl := fs.Duration("token-ttl", authingemu.DefaultTokenTTL, "management token lifetime")
	latency := fs.Duration("latency", 0, "latency added to every call")
	faultSeed := fs.Int64("fault-seed", 1, "seed of rate-based fault rules")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *burst <= 0 {
		*burst = max(int(*qps), 1)
	}
	log, err := zap.NewProduction()
	if err != nil {
		return fmt.Errorf("build logger: %w", err)
	}
	defer func() { _ = log.Sync() }()

	emu := authingemu.New(
		authingemu.WithPool(*poolID, *secret),
		authingemu.WithQPS(*qps, *burst),
		authingemu.WithTokenTTL(*ttl),
		authingemu.WithLatency(*latency),
		authingemu.WithFaultSeed(*faultSeed),
	)
	switch *seed {
	case "demo":
		err = emu.Seed(authingemu.DemoSeed())
	case "empty":
		err = emu.Seed(authingemu.EmptySeed())
	default:
		err = emu.LoadFixture(*seed)
	}
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	snap := emu.Snapshot()
	log.Info("authing emulator listening",
		zap.String("addr", ln.Addr().String()),
		zap.String("poolId", *poolID),
		zap.String("seed", *seed),
		zap.Int("organizations", len(snap.Organizations)),
		zap.Int("departments", len(snap.Departments)),
		zap.Int("users", len(snap.Users)),
		zap.Float64("qps", *qps),
		zap.Int("burst", *burst),
		zap.Duration("tokenTTL", *ttl),
	)

	ctx, stop := httpserve.SignalContext()
	defer stop()
	if err := httpserve.Serve(ctx, ln, emu.Handler()); err != nil {
		return err
	}
	log.Info("authing emulator stopped")
	return nil
}
