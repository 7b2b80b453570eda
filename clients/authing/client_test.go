package authing

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/wecomsync/wecomsync/clients/apierr"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
)

const (
	testPool   = "pool-under-test"
	testSecret = "s3cr3t-pool-secret-value"
)

// fakeClock is a settable clock shared by the emulator and the client.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// env is an emulator behind a real HTTP server and a client pointed at it.
type env struct {
	emu *authingemu.Server
	srv *httptest.Server
	c   *Client
}

// setup starts an emulator seeded with seed and a client with fast backoff.
func setup(t *testing.T, seed authingemu.Fixture, emuOpts []authingemu.Option, clientOpts ...Option) *env {
	t.Helper()
	emu := authingemu.New(append([]authingemu.Option{authingemu.WithPool(testPool, testSecret), authingemu.WithQPS(0, 0)}, emuOpts...)...)
	require.NoError(t, emu.Seed(seed))
	srv := httptest.NewServer(emu.Handler())
	t.Cleanup(srv.Close)
	opts := append([]Option{
		WithBaseURL(srv.URL + "/"), WithCredentials(testPool, testSecret), WithRateLimit(0, 0),
		WithBackoff(time.Millisecond, 5*time.Millisecond), WithTimeout(5 * time.Second),
	}, clientOpts...)
	c, err := NewClient(opts...)
	require.NoError(t, err)
	return &env{emu: emu, srv: srv, c: c}
}

// faultRule is a rule for the emulator's /_emulator/faults endpoint.
type faultRule struct {
	Path  string `json:"path"`
	Kind  string `json:"kind"`
	Code  int    `json:"code,omitempty"`
	Count int    `json:"count,omitempty"`
}

// addFault installs a fault rule through the emulator's HTTP endpoint.
func (e *env) addFault(t *testing.T, r faultRule) {
	t.Helper()
	b, err := json.Marshal(r)
	require.NoError(t, err)
	resp, err := http.Post(e.srv.URL+"/_emulator/faults", "application/json", bytes.NewReader(b))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusCreated, resp.StatusCode)
}

func TestNewClientValidation(t *testing.T) {
	tests := []struct {
		name string
		opts []Option
		ok   bool
	}{
		{"no credentials", nil, false},
		{"no secret", []Option{WithCredentials("pool", "")}, false},
		{"bad base URL", []Option{WithCredentials("pool", "s"), WithBaseURL("::nope")}, false},
		{"relative base URL", []Option{WithCredentials("pool", "s"), WithBaseURL("/api")}, false},
		{"defaults", []Option{WithCredentials("pool", "s")}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.opts...)
			if tt.ok {
				require.NoError(t, err)
				assert.NotNil(t, c.Users)
				assert.NotNil(t, c.Departments)
				assert.NotNil(t, c.Organizations)
				assert.NotNil(t, c.CustomFields)
				return
			}
			require.Error(t, err)
			assert.NotContains(t, err.Error(), "s3cr3t")
		})
	}
}

func TestCheckConnection(t *testing.T) {
	e := setup(t, authingemu.DemoSeed(), nil)
	require.NoError(t, e.c.CheckConnection(context.Background()))
	calls := e.emu.Calls()
	assert.Equal(t, 1, calls["get-management-token"])
	assert.Equal(t, 1, calls["list-organizations"])
	assert.Zero(t, e.emu.WriteCalls())

	bad, err := NewClient(WithBaseURL(e.srv.URL), WithCredentials(testPool, "wrong-"+testSecret))
	require.NoError(t, err)
	err = bad.CheckConnection(context.Background())
	require.Error(t, err)
	assert.True(t, apierr.IsRun(err), "bad secret must stop the run: %v", err)
	assert.NotContains(t, err.Error(), testSecret)
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name      string
		rule      faultRule
		wantErr   bool
		wantCalls int
		class     apierr.Class
	}{
		{"HTTP 502 retried", faultRule{Kind: "5xx", Code: 502, Count: 2}, false, 3, apierr.Unknown},
		{"statusCode 503 retried", faultRule{Kind: "errcode", Code: 503, Count: 3}, false, 4, apierr.Unknown},
		{"statusCode 500 retried", faultRule{Kind: "errcode", Code: 500, Count: 1}, false, 2, apierr.Unknown},
		{"injected HTTP 429 retried", faultRule{Kind: "429", Count: 2}, false, 3, apierr.Unknown},
		{"dropped connection retried", faultRule{Kind: "drop", Count: 2}, false, 3, apierr.Unknown},
		{"retries exhausted", faultRule{Kind: "errcode", Code: 503, Count: 10}, true, 5, apierr.Retryable},
		{"400 not retried", faultRule{Kind: "errcode", Code: 400, Count: 1}, true, 1, apierr.Record},
		{"403 not retried", faultRule{Kind: "errcode", Code: 403, Count: 1}, true, 1, apierr.Run},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, authingemu.DemoSeed(), nil)
			tt.rule.Path = "list-organizations"
			e.addFault(t, tt.rule)
			orgs, err := e.c.Organizations.List(context.Background())
			assert.Equal(t, tt.wantCalls, e.emu.Calls()["list-organizations"])
			if !tt.wantErr {
				require.NoError(t, err)
				assert.Len(t, orgs, 1)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.class, apierr.Of(err), "%v", err)
		})
	}
}

func TestRateLimitRecovery(t *testing.T) {
	// The emulator allows 20 calls per second with a burst of 2; the client sends faster and must
	// recover from the 429s by backing off.
	e := setup(t, authingemu.DemoSeed(), []authingemu.Option{authingemu.WithQPS(20, 2)},
		WithRateLimit(1000, 50), WithRetry(30), WithBackoff(10*time.Millisecond, 100*time.Millisecond))
	concurrently(t, e.c, 10)
	calls := e.emu.Calls()
	assert.Greater(t, calls["get-organization"], 10, "some calls must have been throttled and retried")
}

func TestClientLimiterPacesCalls(t *testing.T) {
	// The emulator allows 40 calls per second without burst; a client limited to 8 per second
	// never meets its throttle, even without retries and with callers in parallel.
	e := setup(t, authingemu.DemoSeed(), []authingemu.Option{authingemu.WithQPS(40, 1)}, WithRateLimit(8, 1), WithRetry(0))
	concurrently(t, e.c, 6)
	assert.Equal(t, 6, e.emu.Calls()["get-organization"])
}

func TestThrottledErrorIsRetryable(t *testing.T) {
	e := setup(t, authingemu.DemoSeed(), nil, WithRetry(0))
	e.addFault(t, faultRule{Path: "get-organization", Kind: "429", Count: 1})
	_, err := e.c.Organizations.Get(context.Background(), "xinghe")
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusTooManyRequests, ae.HTTPStatus)
	assert.Equal(t, 429, ae.StatusCode)
	assert.True(t, apierr.IsRetryable(err))
}

func TestContextCancelStopsRetries(t *testing.T) {
	e := setup(t, authingemu.DemoSeed(), nil, WithRetry(50), WithBackoff(50*time.Millisecond, 50*time.Millisecond))
	e.emu.FailNext("list-organizations", 503, 1000)
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Millisecond)
	defer cancel()
	_, err := e.c.Organizations.List(ctx)
	require.Error(t, err)
	assert.True(t, errors.Is(err, context.DeadlineExceeded), "%v", err)
	assert.False(t, apierr.IsRetryable(err))
	assert.Less(t, e.emu.Calls()["list-organizations"], 50)
}

func TestTransportErrorRedacted(t *testing.T) {
	// A server that is gone: every attempt fails in transport.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, err := NewClient(WithBaseURL(url), WithCredentials(testPool, testSecret), WithRetry(1), WithBackoff(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
	_, err = c.Organizations.List(context.Background())
	require.Error(t, err)
	var te *TransportError
	require.ErrorAs(t, err, &te)
	assert.True(t, apierr.IsRetryable(err))
	assert.Equal(t, tokenVerb, te.Op)
	assert.NotContains(t, err.Error(), testSecret)
}

func TestWrongBaseURLIsRunLevel(t *testing.T) {
	e := setup(t, authingemu.DemoSeed(), nil)
	c, err := NewClient(WithBaseURL(e.srv.URL+"/not-authing"), WithCredentials(testPool, testSecret))
	require.NoError(t, err)
	_, err = c.Organizations.List(context.Background())
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, http.StatusNotFound, ae.HTTPStatus)
	assert.True(t, apierr.IsRun(err), "%v", err)
	assert.False(t, apierr.IsGone(err))
}
