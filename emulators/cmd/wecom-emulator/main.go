// Command wecom-emulator serves the in-memory WeCom contacts API emulator over HTTP, for the dev
// stack and benchmarks. Point a client at http://ADDR/cgi-bin/; inject faults at
// http://ADDR/_emulator/faults.
//
//	go run ./emulators/cmd/wecom-emulator --addr 127.0.0.1:8081 --seed demo
//
// It must not log the secret, and it listens on loopback unless told otherwise.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/emulators/internal/httpserve"
	"github.com/wecomsync/wecomsync/emulators/wecom"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "wecom-emulator:", err)
		os.Exit(1)
	}
}

type config struct {
	addr        string
	seed        string
	corpID      string
	secret      string
	appSecret   string
	mode        string
	newIP       bool
	perMinute   int
	perHour     int
	tokenTTL    time.Duration
	latency     time.Duration
	faultSeed   int64
	development bool
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("wecom-emulator", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8081", "listen address")
	fs.StringVar(&c.seed, "seed", "demo", "initial directory: demo, empty, or a fixture JSON file")
	fs.StringVar(&c.corpID, "corp-id", wecom.DefaultCorpID, "corp id accepted by gettoken")
	fs.StringVar(&c.secret, "secret", wecom.DefaultContactsSecret, "contacts-sync (通讯录同步) secret")
	fs.StringVar(&c.appSecret, "app-secret", "", "optional read-only app secret")
	fs.StringVar(&c.mode, "mode", string(wecom.ModeSelfBuilt), "app mode: selfbuilt or daikaifa (hides mobile, email, …)")
	fs.BoolVar(&c.newIP, "new-ip", false, "answer 48009 to detail reads with the contacts-sync token")
	fs.IntVar(&c.perMinute, "rate-per-min", wecom.DefaultPerMinute, "calls per minute per API (0 = unlimited)")
	fs.IntVar(&c.perHour, "rate-per-hour", wecom.DefaultPerHour, "calls per hour per API (0 = unlimited)")
	fs.DurationVar(&c.tokenTTL, "token-ttl", wecom.DefaultTokenTTL, "access token lifetime")
	fs.DurationVar(&c.latency, "latency", 0, "base latency added to every API call")
	fs.Int64Var(&c.faultSeed, "fault-seed", 1, "seed of the fault injector's random draws")
	fs.BoolVar(&c.development, "dev-log", false, "human-readable logs")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	switch wecom.Mode(c.mode) {
	case wecom.ModeSelfBuilt, wecom.ModeDaiKaiFa:
	default:
		return c, fmt.Errorf("--mode %q: want selfbuilt or daikaifa", c.mode)
	}
	if c.corpID == "" || c.secret == "" {
		return c, errors.New("--corp-id and --secret must not be empty")
	}
	return c, nil
}

// fixture returns the directory the --seed flag names.
func fixture(seed, corpID string) (wecom.Fixture, error) {
	var f wecom.Fixture
	switch seed {
	case "demo":
		f = wecom.DemoCompany()
	case "empty", "":
		f = wecom.Fixture{CorpName: wecom.DefaultCorpName}
	default:
		var err error
		if f, err = wecom.LoadFixture(seed); err != nil {
			return f, err
		}
	}
	f.CorpID = corpID
	return f, nil
}

func newServer(c config) (*wecom.Server, error) {
	opts := []wecom.Option{
		wecom.WithCorp(c.corpID, c.secret),
		wecom.WithMode(wecom.Mode(c.mode)),
		wecom.WithNewIP(c.newIP),
		wecom.WithRateLimits(c.perMinute, c.perHour),
		wecom.WithTokenTTL(c.tokenTTL),
		wecom.WithLatency(c.latency),
		wecom.WithFaultSeed(c.faultSeed),
	}
	if c.appSecret != "" {
		opts = append(opts, wecom.WithAppSecret(c.appSecret))
	}
	emu := wecom.New(opts...)
	f, err := fixture(c.seed, c.corpID)
	if err != nil {
		return nil, err
	}
	if err := emu.Seed(f); err != nil {
		return nil, err
	}
	return emu, nil
}

func run(args []string, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(c.development)
	if err != nil {
		return fmt.Errorf("logger: %w", err)
	}
	defer func() { _ = log.Sync() }()

	emu, err := newServer(c)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	ctx, stop := httpserve.SignalContext()
	defer stop()
	return serve(ctx, ln, emu, c, log)
}

// serve answers on ln until ctx ends, then shuts down gracefully, logging the start and the stop.
func serve(ctx context.Context, ln net.Listener, emu *wecom.Server, c config, log *zap.Logger) error {
	snap := emu.Snapshot()
	log.Info("wecom emulator listening",
		zap.String("addr", ln.Addr().String()),
		zap.String("base_url", "http://"+ln.Addr().String()+"/cgi-bin/"),
		zap.String("corp_id", c.corpID),
		zap.String("mode", c.mode),
		zap.Bool("new_ip", c.newIP),
		zap.String("seed", c.seed),
		zap.Int("departments", len(snap.Departments)),
		zap.Int("users", len(snap.Users)),
		zap.Int("rate_per_min", c.perMinute),
		zap.Int("rate_per_hour", c.perHour),
		zap.Duration("token_ttl", c.tokenTTL))
	if err := httpserve.Serve(ctx, ln, emu.Handler()); err != nil {
		return err
	}
	log.Info("wecom emulator stopped")
	return nil
}

func newLogger(development bool) (*zap.Logger, error) {
	if development {
		return zap.NewDevelopment()
	}
	return zap.NewProduction()
}
