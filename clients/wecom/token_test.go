package wecom

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/wecomsync/wecomsync/clients/apierr"

	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
)

// callConcurrently runs n SimpleList calls at once and fails on any error.
func callConcurrently(t *testing.T, c *Client, n int) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			if _, err := c.Departments.SimpleList(context.Background(), 0); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

func TestTokenIsCachedAndShared(t *testing.T) {
	e := setup(t, envConfig{})
	callConcurrently(t, e.client, 50)
	if got := e.emu.Calls()["gettoken"]; got != 1 {
		t.Fatalf("gettoken calls = %d for 50 concurrent first callers, want 1", got)
	}
	tok1, err := e.client.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tok2, _ := e.client.Token(context.Background())
	if tok1 != tok2 || e.emu.Calls()["gettoken"] != 1 {
		t.Fatal("Token did not reuse the cached token")
	}
}

func TestTokenExpiryMidRun(t *testing.T) {
	e := setup(t, envConfig{emu: []wecomemu.Option{wecomemu.WithTokenTTL(10 * time.Minute)}})
	callConcurrently(t, e.client, 5)
	first, _ := e.client.Token(context.Background())

	// Past the token's end: concurrent callers share one refresh and nobody sees an error.
	e.clock.Advance(11 * time.Minute)
	e.emu.ResetCalls()
	callConcurrently(t, e.client, 40)
	if got := e.emu.Calls()["gettoken"]; got != 1 {
		t.Fatalf("gettoken calls after expiry = %d, want 1", got)
	}
	second, _ := e.client.Token(context.Background())
	if second == first {
		t.Fatal("token not renewed after expiry")
	}
	if e.emu.Calls()["department/simplelist"] != 40 {
		t.Fatalf("calls = %v: an expired token reached the API", e.emu.Calls())
	}

	// Inside the refresh margin (a tenth of the lifetime) the client asks again ahead of expiry;
	// WeCom hands back the same token, which stays in use until it ends.
	e.clock.Advance(9*time.Minute + 30*time.Second)
	e.emu.ResetCalls()
	callConcurrently(t, e.client, 10)
	if got := e.emu.Calls()["gettoken"]; got != 1 {
		t.Fatalf("gettoken calls inside the margin = %d, want 1", got)
	}
	if tok, _ := e.client.Token(context.Background()); tok != second {
		t.Fatal("token changed before its end")
	}
}

func TestTokenRejectedIsRefreshedOnce(t *testing.T) {
	tests := []struct {
		name      string
		fail      func(e *testEnv)
		wantErr   bool
		wantToken int // gettoken calls after the first
	}{
		{"revoked token (40014)", func(e *testEnv) { e.emu.RevokeTokens() }, false, 1},
		{"expired early (42001)", func(e *testEnv) { e.emu.FailNext("department/simplelist", 42001, 1) }, false, 1},
		{"rejected twice", func(e *testEnv) { e.emu.FailNext("department/simplelist", 42001, 2) }, true, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, envConfig{})
			if _, err := e.client.Departments.SimpleList(context.Background(), 0); err != nil {
				t.Fatal(err)
			}
			tt.fail(e)
			e.emu.ResetCalls()
			_, err := e.client.Departments.SimpleList(context.Background(), 0)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if tt.wantErr && (!needsToken(err) || !apierr.IsRetryable(err)) {
				t.Fatalf("err = %v, want a token error, retryable", err)
			}
			if got := e.emu.Calls()["gettoken"]; got != tt.wantToken {
				t.Fatalf("gettoken calls = %d, want %d", got, tt.wantToken)
			}
		})
	}
}

func TestConcurrentRejectionsShareOneRefresh(t *testing.T) {
	e := setup(t, envConfig{})
	callConcurrently(t, e.client, 1)
	e.emu.RevokeTokens()
	e.emu.ResetCalls()
	callConcurrently(t, e.client, 50)
	if got := e.emu.Calls()["gettoken"]; got != 1 {
		t.Fatalf("gettoken calls = %d for 50 callers holding a revoked token, want 1", got)
	}
}

func TestTokenRefreshFailure(t *testing.T) {
	e := setup(t, envConfig{emu: []wecomemu.Option{wecomemu.WithTokenTTL(10 * time.Minute)}})
	tok, err := e.client.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// Early refresh fails: the still-valid token is used.
	e.clock.Advance(9*time.Minute + 30*time.Second)
	e.emu.FailNext("gettoken", 40001, 1)
	if got, err := e.client.Token(context.Background()); err != nil || got != tok {
		t.Fatalf("Token = %q, %v; want the current token", got, err)
	}
	// Once the token has ended, the failure is returned.
	e.clock.Advance(time.Minute)
	e.emu.FailNext("gettoken", 40001, 1)
	if _, err := e.client.Token(context.Background()); !apierr.IsRun(err) {
		t.Fatalf("Token after expiry with a bad secret: %v", err)
	}
	// A cancelled caller returns at once.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.client.Departments.SimpleList(ctx, 0); err == nil || apierr.IsRetryable(err) {
		t.Fatalf("cancelled call: %v", err)
	}
}
