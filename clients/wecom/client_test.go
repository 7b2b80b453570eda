package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecomsync/wecomsync/clients/apierr"

	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
)

const (
	testCorp   = "ww-test-corp"
	testSecret = "s3cret-contacts-VALUE"
	testApp    = "s3cret-app-VALUE"
)

// fakeClock is shared by the emulator and the client; the client's sleeps advance it.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 3, 4, 10, 0, 30, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	c.mu.Unlock()
	return ctx.Err()
}

func (c *fakeClock) Slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.slept...)
}

// testEnv is a client talking over real HTTP to an emulator mounted under a path prefix (so a
// client that drops the base path fails loudly), both on one fake clock.
type testEnv struct {
	emu    *wecomemu.Server
	srv    *httptest.Server
	client *Client
	clock  *fakeClock
	base   string
}

type envConfig struct {
	emu    []wecomemu.Option
	client []Option
	seed   *wecomemu.Fixture
}

func setup(t *testing.T, cfg envConfig) *testEnv {
	t.Helper()
	clock := newFakeClock()
	emu := wecomemu.New(append([]wecomemu.Option{
		wecomemu.WithCorp(testCorp, testSecret),
		wecomemu.WithAppSecret(testApp),
		wecomemu.WithClock(clock.Now),
	}, cfg.emu...)...)
	seed := wecomemu.DemoCompany()
	if cfg.seed != nil {
		seed = *cfg.seed
	}
	seed.CorpID = testCorp
	if err := emu.Seed(seed); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/prefix/", http.StripPrefix("/prefix", emu.Handler()))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	base := srv.URL + "/prefix/cgi-bin/"
	c := newTestClient(t, clock, base, append([]Option{WithCredentials(testCorp, testSecret)}, cfg.client...)...)
	return &testEnv{emu: emu, srv: srv, client: c, clock: clock, base: base}
}

func newTestClient(t *testing.T, clock *fakeClock, base string, opts ...Option) *Client {
	t.Helper()
	c, err := NewClient(append([]Option{WithBaseURL(base), WithClock(clock.Now), WithTimeout(5 * time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	c.sleep = clock.Sleep
	return c
}

// fault is an emulator fault rule as /_emulator/faults takes it.
type fault struct {
	Path  string `json:"path"`
	Kind  string `json:"kind"`
	Code  int    `json:"code,omitempty"`
	Count int    `json:"count,omitempty"`
}

// inject adds a fault rule over HTTP, as a person or a bench would.
func (e *testEnv) inject(t *testing.T, f fault) {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := e.srv.Client().Post(e.srv.URL+"/prefix"+wecomemu.FaultsPath, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("inject %+v: HTTP %d", f, resp.StatusCode)
	}
}

// assertNoSecret fails when s holds the secret or a token.
func assertNoSecret(t *testing.T, s string, tokens ...string) {
	t.Helper()
	for _, v := range append([]string{testSecret, testApp}, tokens...) {
		if v != "" && strings.Contains(s, v) {
			t.Fatalf("%q leaks a secret or token", s)
		}
	}
}

func TestNewClientOptions(t *testing.T) {
	tests := []struct {
		name    string
		opts    []Option
		wantErr string
	}{
		{"ok", []Option{WithCredentials("c", "s")}, ""},
		{"no credentials", nil, "corp id and secret"},
		{"relative base", []Option{WithCredentials("c", "s"), WithBaseURL("/cgi-bin/")}, "absolute"},
		{"nil http client", []Option{WithCredentials("c", "s"), WithHTTPClient(nil)}, "nil HTTP client"},
		{"bad timeout", []Option{WithCredentials("c", "s"), WithTimeout(0)}, "timeout"},
		{"negative retry", []Option{WithCredentials("c", "s"), WithRetry(-1)}, "retries"},
		{"negative rate", []Option{WithCredentials("c", "s"), WithRateLimit(-1, 0)}, "rate limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.opts...)
			if tt.wantErr == "" {
				if err != nil || c.Users == nil || c.Departments == nil {
					t.Fatalf("NewClient = %v, %v", c, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.wantErr)
			}
		})
	}
	// The caller's http.Client is not modified.
	hc := &http.Client{Timeout: time.Hour}
	if _, err := NewClient(WithCredentials("c", "s"), WithHTTPClient(hc), WithTimeout(time.Second)); err != nil {
		t.Fatal(err)
	}
	if hc.Timeout != time.Hour {
		t.Fatal("NewClient changed the caller's http.Client")
	}
}

func TestCheckConnection(t *testing.T) {
	e := setup(t, envConfig{})
	tests := []struct {
		name    string
		corp    string
		secret  string
		wantRun bool
		code    int
		op      string
	}{
		{"contacts secret", testCorp, testSecret, false, 0, ""},
		{"app secret: lists departments, not members", testCorp, testApp, true, 48002, "user/list_id"},
		{"wrong secret", testCorp, "wrong-" + testSecret, true, 40001, "gettoken"},
		{"wrong corp", "ww-other", testSecret, true, 40013, "gettoken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, e.clock, e.base, WithCredentials(tt.corp, tt.secret))
			err := c.CheckConnection(context.Background())
			if !tt.wantRun {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			var ae *APIError
			if !apierr.IsRun(err) || !errors.As(err, &ae) || ae.ErrCode != tt.code || ae.Op != tt.op {
				t.Fatalf("err = %v, want run-level errcode %d on %s", err, tt.code, tt.op)
			}
			assertNoSecret(t, err.Error(), "wrong-"+testSecret)
		})
	}
	// A wrong base URL is a run-level problem too.
	c := newTestClient(t, e.clock, e.srv.URL+"/elsewhere/", WithCredentials(testCorp, testSecret))
	if err := c.CheckConnection(context.Background()); !apierr.IsRun(err) {
		t.Fatalf("wrong base URL: %v", err)
	}
}

func TestTransientErrorsAreRetried(t *testing.T) {
	tests := []struct {
		name  string
		rule  fault
		calls int // emulator calls of user/list_id, first try included
	}{
		{"system busy -1", fault{Kind: "errcode", Code: -1, Count: 2}, 3},
		{"concurrency 45033", fault{Kind: "errcode", Code: 45033, Count: 1}, 2},
		{"HTTP 502", fault{Kind: "5xx", Count: 2}, 3},
		{"HTTP 503", fault{Kind: "5xx", Code: 503, Count: 1}, 2},
		{"dropped connection", fault{Kind: "drop", Count: 2}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, envConfig{})
			if _, err := e.client.Token(context.Background()); err != nil {
				t.Fatal(err)
			}
			// A POST: net/http itself never replays it on a dropped connection.
			tt.rule.Path = "user/list_id"
			e.inject(t, tt.rule)
			page, err := e.client.Users.ListID(context.Background(), &ListIDRequest{})
			if err != nil || len(page.DeptUser) != 23 {
				t.Fatalf("ListID = %+v, %v", page, err)
			}
			if got := e.emu.Calls()["user/list_id"]; got != tt.calls {
				t.Fatalf("calls = %d, want %d", got, tt.calls)
			}
			if n := len(e.clock.Slept()); n != tt.calls-1 {
				t.Fatalf("backoff sleeps = %d, want %d", n, tt.calls-1)
			}
		})
	}
}

func TestRetriesRunOut(t *testing.T) {
	e := setup(t, envConfig{client: []Option{WithRetry(2)}})
	e.emu.FailNext("department/simplelist", -1, 10)
	_, err := e.client.Departments.SimpleList(context.Background(), 0)
	if !apierr.IsRetryable(err) {
		t.Fatalf("err = %v, want retryable", err)
	}
	if got := e.emu.Calls()["department/simplelist"]; got != 3 {
		t.Fatalf("calls = %d, want 3 (1 + 2 retries)", got)
	}
	// Backoff grows.
	slept := e.clock.Slept()
	if len(slept) != 2 || slept[1] <= slept[0] {
		t.Fatalf("backoff = %v, want two growing waits", slept)
	}

	none := setup(t, envConfig{client: []Option{WithRetry(0)}})
	none.inject(t, fault{Path: "user/list_id", Kind: "drop", Count: 1})
	_, err = none.client.Users.ListID(context.Background(), &ListIDRequest{Limit: 10})
	var te *TransportError
	if !errors.As(err, &te) || !apierr.IsRetryable(err) {
		t.Fatalf("dropped connection without retries: %v", err)
	}
	assertNoSecret(t, err.Error())
}

func TestRateLimitAnswer45009(t *testing.T) {
	t.Run("returned retryable with apierr.RetryAfter, then recovers", func(t *testing.T) {
		e := setup(t, envConfig{emu: []wecomemu.Option{wecomemu.WithRateLimits(2, 0)}})
		ctx := context.Background()
		for range 2 {
			if _, err := e.client.Departments.SimpleList(ctx, 0); err != nil {
				t.Fatal(err)
			}
		}
		_, err := e.client.Departments.SimpleList(ctx, 0)
		after := apierr.RetryAfter(err)
		if !apierr.IsRetryable(err) || after <= 0 || after > time.Minute {
			t.Fatalf("err = %v, apierr.RetryAfter %v; want retryable 45009 with a wait ≤ 1 min", err, after)
		}
		if got := e.emu.Calls()["department/simplelist"]; got != 3 {
			t.Fatalf("calls = %d: a 45009 must not be retried without WithRateLimitWait", got)
		}
		e.clock.Advance(after)
		if _, err := e.client.Departments.SimpleList(ctx, 0); err != nil {
			t.Fatalf("after the window: %v", err)
		}
	})
	t.Run("waited out inside the client under the cap", func(t *testing.T) {
		e := setup(t, envConfig{
			emu:    []wecomemu.Option{wecomemu.WithRateLimits(2, 0)},
			client: []Option{WithRateLimitWait(time.Minute)},
		})
		ctx := context.Background()
		for range 3 {
			if _, err := e.client.Departments.SimpleList(ctx, 0); err != nil {
				t.Fatal(err)
			}
		}
		if got := e.emu.Calls()["department/simplelist"]; got != 4 {
			t.Fatalf("calls = %d, want 4 (one 45009 waited out)", got)
		}
	})
	t.Run("cap below the wait returns the error", func(t *testing.T) {
		e := setup(t, envConfig{
			emu:    []wecomemu.Option{wecomemu.WithRateLimits(1, 0)},
			client: []Option{WithRateLimitWait(time.Millisecond)},
		})
		ctx := context.Background()
		if _, err := e.client.Departments.SimpleList(ctx, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := e.client.Departments.SimpleList(ctx, 0); apierr.RetryAfter(err) == 0 {
			t.Fatalf("err = %v, want 45009", err)
		}
	})
}

func TestClientKeepsToItsRateBudget(t *testing.T) {
	// The emulator allows 10 calls per minute; the client's budget of 10/min keeps it under that.
	e := setup(t, envConfig{
		emu:    []wecomemu.Option{wecomemu.WithRateLimits(10, 0)},
		client: []Option{WithRateLimit(10, 0)},
	})
	ctx := context.Background()
	for i := range 25 {
		if _, err := e.client.Departments.SimpleList(ctx, 0); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	var waited time.Duration
	for _, d := range e.clock.Slept() {
		waited += d
	}
	if waited < time.Minute {
		t.Fatalf("25 calls at 10/min waited only %v", waited)
	}
}

// The hour budget counts the calls of the last hour: a long run goes at the minute's pace until the
// hour's budget is spent (a bucket refilled at the hour's average rate would hold it far slower),
// and never past it.
func TestClientKeepsToItsHourBudgetAtTheMinutePace(t *testing.T) {
	e := setup(t, envConfig{
		emu:    []wecomemu.Option{wecomemu.WithRateLimits(100, 1000)},
		client: []Option{WithRateLimit(100, 1000)},
	})
	ctx := context.Background()
	waited := func() time.Duration {
		var d time.Duration
		for _, s := range e.clock.Slept() {
			d += s
		}
		return d
	}
	for i := range 900 { // 90 % of the hour's budget: 90 calls a minute after a burst of 10
		if _, err := e.client.Departments.SimpleList(ctx, 0); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if got := waited(); got < 9*time.Minute || got > 11*time.Minute {
		t.Fatalf("900 calls at 100/min and 1,000/h waited %v, want about 10 min (the minute's pace)", got)
	}
	if _, err := e.client.Departments.SimpleList(ctx, 0); err != nil {
		t.Fatalf("call 901: %v", err)
	}
	if got := waited(); got < time.Hour {
		t.Fatalf("the 901st call within the hour went after %v: the hour's budget holds 900", got)
	}
}

func TestLogsAndErrorsHoldNoSecrets(t *testing.T) {
	core, logs := observer.New(zapcore.DebugLevel)
	e := setup(t, envConfig{client: []Option{WithLogger(zap.New(core))}})
	ctx := context.Background()
	tok, err := e.client.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e.emu.FailNext("user/get", -1, 1)
	e.inject(t, fault{Path: "user/get", Kind: "drop", Count: 1})
	e.emu.RevokeTokens()
	if _, err := e.client.Users.Get(ctx, "zhangwei"); err != nil {
		t.Fatal(err)
	}
	if logs.Len() == 0 {
		t.Fatal("retries and refreshes were not logged")
	}
	for _, entry := range logs.All() {
		assertNoSecret(t, entry.Message+" "+fieldString(entry.Context), tok)
	}

	// A transport error names the URL without secrets.
	e.srv.Close()
	c := newTestClient(t, e.clock, e.base, WithCredentials(testCorp, testSecret), WithRetry(0))
	err = c.CheckConnection(ctx)
	if !apierr.IsRetryable(err) {
		t.Fatalf("closed server: %v", err)
	}
	if !strings.Contains(err.Error(), "corpsecret=REDACTED") {
		t.Fatalf("error %q does not show the redacted URL", err)
	}
	assertNoSecret(t, err.Error())
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		assertNoSecret(t, u.Error())
	}
}

// fieldString renders a log entry's fields.
func fieldString(fields []zapcore.Field) string {
	enc := zapcore.NewMapObjectEncoder()
	for _, f := range fields {
		f.AddTo(enc)
	}
	return fmt.Sprint(enc.Fields)
}
