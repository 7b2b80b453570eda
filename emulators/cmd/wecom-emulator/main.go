// Command wecom-emulator serves the in-memory WeCom contacts API emulator over HTTP, for the dev
// stack and benchmarks. Point a client at http://ADDR/cgi-bin/; inject faults at
// http://ADDR/_emulator/faults.
//
//	go run ./emulators/cmd/wecom-emulator --addr 127.0.0.1:8081 --seed demo
//
// It must not log the secret, and it listens on loopback unless told otherwise.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
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
	concurrent  int
	maxNodes    int
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
	fs.StringVar(&c.seed, "seed", "demo", "initial directory: demo, empty (only the root department), or a fixture JSON file")
	fs.StringVar(&c.corpID, "corp-id", wecom.DefaultCorpID, "corp id accepted by gettoken")
	fs.StringVar(&c.secret, "secret", wecom.DefaultContactsSecret, "contacts-sync (通讯录同步) secret")
	fs.StringVar(&c.appSecret, "app-secret", "", "optional read-only app secret")
	fs.StringVar(&c.mode, "mode", string(wecom.ModeSelfBuilt), "app mode: selfbuilt or daikaifa (hides mobile, email, …)")
	fs.BoolVar(&c.newIP, "new-ip", false, "answer 48009 to detail reads with the contacts-sync token")
	fs.IntVar(&c.perMinute, "rate-per-min", wecom.DefaultPerMinute, "calls per minute per API (0 = unlimited)")
	fs.IntVar(&c.perHour, "rate-per-hour", wecom.DefaultPerHour, "calls per hour per API (0 = unlimited)")
	fs.IntVar(&c.concurrent, "max-concurrent", 0, "calls in flight per corp before 45033 (0 = unlimited; WeCom publishes no number)")
	fs.IntVar(&c.maxNodes, "max-nodes", wecom.DefaultMaxNodes, "sub-departments + members one department may hold before 81001 (0 = unlimited)")
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
		wecom.WithMaxConcurrent(c.concurrent),
		wecom.WithMaxNodes(c.maxNodes),
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
	emu, err := newServer(c)
	if err != nil {
		return err
	}
	return httpserve.Main(c.addr, c.development, emu.Handler(), "wecom emulator", startFields(emu, c))
}

// startFields is what the start line logs: where to point a client and how the emulator is set.
func startFields(emu *wecom.Server, c config) httpserve.StartFields {
	return func(addr string) []zap.Field {
		snap := emu.Snapshot()
		return []zap.Field{
			zap.String("base_url", "http://"+addr+"/cgi-bin/"),
			zap.String("corp_id", c.corpID),
			zap.String("mode", c.mode),
			zap.Bool("new_ip", c.newIP),
			zap.String("seed", c.seed),
			zap.Int("departments", len(snap.Departments)),
			zap.Int("users", len(snap.Users)),
			zap.Int("rate_per_min", c.perMinute),
			zap.Int("rate_per_hour", c.perHour),
			zap.Int("max_concurrent", c.concurrent),
			zap.Int("max_nodes", c.maxNodes),
			zap.Duration("token_ttl", c.tokenTTL),
		}
	}
}
