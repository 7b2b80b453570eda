package authing

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wecomsync/wecomsync/clients/apierr"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
)

func TestTokenIsCached(t *testing.T) {
	e := setup(t, authingemu.DemoSeed(), nil)
	ctx := context.Background()
	for range 5 {
		_, err := e.c.Organizations.Get(ctx, "xinghe")
		require.NoError(t, err)
	}
	assert.Equal(t, 1, e.emu.Calls()["get-management-token"])
}

// concurrently runs n reads at once and fails on any error.
func concurrently(t *testing.T, c *Client, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	start := make(chan struct{})
	for range n {
		wg.Go(func() {
			<-start
			_, err := c.Organizations.Get(context.Background(), "xinghe")
			errs <- err
		})
	}
	close(start)
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}

func TestTokenExpiryRefreshesOnce(t *testing.T) {
	tests := []struct {
		name string
		// advanceClient: the client sees the expiry too (proactive refresh); otherwise only the
		// emulator does and the client learns it from 401 answers.
		advanceClient bool
	}{
		{"client sees expiry", true},
		{"server rejects the token", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emuClock, cliClock := newFakeClock(), newFakeClock()
			e := setup(t, authingemu.DemoSeed(),
				[]authingemu.Option{authingemu.WithClock(emuClock.Now), authingemu.WithTokenTTL(60 * time.Second)},
				WithClock(cliClock.Now))
			concurrently(t, e.c, 20)
			require.Equal(t, 1, e.emu.Calls()["get-management-token"])

			emuClock.Advance(61 * time.Second)
			if tt.advanceClient {
				cliClock.Advance(61 * time.Second)
			}
			concurrently(t, e.c, 40)
			assert.Equal(t, 2, e.emu.Calls()["get-management-token"], "many callers, one refresh")
		})
	}
}

func TestTokenRefreshedBeforeExpiry(t *testing.T) {
	clock := newFakeClock()
	e := setup(t, authingemu.DemoSeed(),
		[]authingemu.Option{authingemu.WithClock(clock.Now), authingemu.WithTokenTTL(100 * time.Second)},
		WithClock(clock.Now))
	ctx := context.Background()
	_, err := e.c.Organizations.Get(ctx, "xinghe")
	require.NoError(t, err)
	clock.Advance(85 * time.Second) // inside the token's life, before the 10 % margin
	_, err = e.c.Organizations.Get(ctx, "xinghe")
	require.NoError(t, err)
	assert.Equal(t, 1, e.emu.Calls()["get-management-token"])
	clock.Advance(6 * time.Second) // 91 s: within the margin, still valid on the server
	_, err = e.c.Organizations.Get(ctx, "xinghe")
	require.NoError(t, err)
	assert.Equal(t, 2, e.emu.Calls()["get-management-token"])
	calls := e.emu.Calls()["get-organization"]
	assert.Equal(t, 3, calls, "no call was rejected")
}

func TestUnauthorizedRefreshesOnceThenFailsRun(t *testing.T) {
	tests := []struct {
		name       string
		failures   int
		wantErr    bool
		wantTokens int
	}{
		{"one 401 is healed by a refresh", 1, false, 2},
		{"a 401 after the refresh fails the run", 2, true, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, authingemu.DemoSeed(), nil)
			e.emu.FailNext("get-organization", 401, tt.failures)
			_, err := e.c.Organizations.Get(context.Background(), "xinghe")
			assert.Equal(t, tt.wantTokens, e.emu.Calls()["get-management-token"])
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.True(t, apierr.IsRun(err), "%v", err)
			assert.Equal(t, 2, e.emu.Calls()["get-organization"])
		})
	}
}

func TestBadCredentials(t *testing.T) {
	tests := []struct {
		name, pool, secret string
	}{
		{"wrong secret", testPool, "not-the-" + testSecret},
		{"unknown pool", "no-such-pool", testSecret},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, authingemu.DemoSeed(), nil)
			c, err := NewClient(WithBaseURL(e.srv.URL), WithCredentials(tt.pool, tt.secret))
			require.NoError(t, err)
			_, err = c.Organizations.List(context.Background())
			require.Error(t, err)
			assert.True(t, apierr.IsRun(err), "%v", err)
			assert.Equal(t, 1, e.emu.Calls()["get-management-token"], "credential errors are not retried")
			assert.NotContains(t, err.Error(), testSecret)
		})
	}
}

// recordingTransport remembers the Authorization headers the client sent.
type recordingTransport struct {
	mu     sync.Mutex
	tokens []string
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		rt.mu.Lock()
		rt.tokens = append(rt.tokens, strings.TrimPrefix(h, "Bearer "))
		rt.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(r)
}

func TestSecretsAbsentFromErrorsAndLogs(t *testing.T) {
	rt := &recordingTransport{}
	core, logs := observer.New(zapcore.DebugLevel)
	e := setup(t, authingemu.DemoSeed(), nil,
		WithHTTPClient(&http.Client{Transport: rt}), WithLogger(zap.New(core)), WithRetry(1))
	ctx := context.Background()

	var errs []error
	e.emu.FailNext("get-organization", 401, 2) // refresh, then a run-level 401
	_, err := e.c.Organizations.Get(ctx, "xinghe")
	errs = append(errs, err)
	e.emu.FailNext("get-organization", 503, 5) // retries exhausted
	_, err = e.c.Organizations.Get(ctx, "xinghe")
	errs = append(errs, err)
	_, err = e.c.Users.Get(ctx, "nobody", "", false, false) // 404
	errs = append(errs, err)
	_, err = e.c.Users.Create(ctx, CreateUserInput{Name: "no key"}, nil) // 400
	errs = append(errs, err)

	rt.mu.Lock()
	tokens := append([]string(nil), rt.tokens...)
	rt.mu.Unlock()
	require.GreaterOrEqual(t, len(tokens), 2, "the 401 made the client use a second token")
	for _, err := range errs {
		require.Error(t, err)
		for _, secret := range append(tokens, testSecret) {
			assert.NotContains(t, err.Error(), secret)
		}
	}
	require.NotZero(t, logs.Len(), "retries and refreshes are logged")
	for _, entry := range logs.All() {
		line := entry.Message
		for _, f := range entry.Context {
			line += " " + f.String
		}
		for _, secret := range append(tokens, testSecret) {
			assert.NotContains(t, line, secret)
		}
	}
}

func TestRedactorReplacesSecrets(t *testing.T) {
	r := &redactor{secrets: []string{"pool-secret"}}
	for i := range 6 {
		r.add("token-" + string(rune('a'+i)))
	}
	got := r.redact("x pool-secret token-f token-c y")
	assert.Equal(t, "x [REDACTED] [REDACTED] [REDACTED] y", got)
	assert.Len(t, r.secrets, 1+keptTokens)
}
