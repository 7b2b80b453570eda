package wecom

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"
)

// Token lifetime handling.
const (
	defaultTokenLifetime = 7200 * time.Second
	maxRefreshMargin     = 5 * time.Minute
)

// tokenCache holds the client's access token. Concurrent callers that need a new token share one
// gettoken call.
type tokenCache struct {
	c     *Client
	group singleflight.Group

	mu        sync.Mutex
	token     string
	expires   time.Time // when WeCom stops accepting it
	refreshAt time.Time // when to fetch a new one ahead of expiry
}

// Token returns a valid access token: the cached one, or a new one from gettoken once the cached
// one is near expiry or was rejected. Many concurrent callers cause one gettoken call.
func (c *Client) Token(ctx context.Context) (string, error) {
	return c.tokens.get(ctx)
}

func (t *tokenCache) get(ctx context.Context) (string, error) {
	now := t.c.clock()
	t.mu.Lock()
	tok, expires, refreshAt := t.token, t.expires, t.refreshAt
	t.mu.Unlock()
	if tok != "" && now.Before(refreshAt) {
		return tok, nil
	}
	// The fetch outlives a cancelled caller: other callers may be waiting for it.
	ch := t.group.DoChan("token", func() (any, error) {
		return t.fetch(context.WithoutCancel(ctx))
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			if tok != "" && t.c.clock().Before(expires) {
				// Refreshing early failed; the current token is still good.
				t.c.log.Info("wecom token refresh failed; using the current token", zap.String("error", res.Err.Error()))
				return tok, nil
			}
			return "", res.Err
		}
		return res.Val.(string), nil
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// fetch calls gettoken (with retries of transient failures) and caches the answer.
func (t *tokenCache) fetch(ctx context.Context) (string, error) {
	c := t.c
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	q := url.Values{"corpid": {c.corpID}, "corpsecret": {c.secret}}
	err := c.withRetry(ctx, "gettoken", func() (bool, error) {
		return false, c.do(ctx, http.MethodGet, "gettoken", q, nil, &out)
	})
	if err != nil {
		return "", err
	}
	if out.AccessToken == "" {
		return "", &APIError{Op: "gettoken", HTTPStatus: http.StatusOK, ErrCode: -1, ErrMsg: "answer holds no access_token"}
	}
	lifetime := time.Duration(out.ExpiresIn) * time.Second
	if lifetime <= 0 {
		lifetime = defaultTokenLifetime
	}
	// Refresh ahead of expiry by a tenth of the lifetime, at most 5 minutes. WeCom hands back the
	// same token while it is valid, so a refresh inside the margin yields a shorter lifetime and a
	// proportionally shorter margin rather than a gettoken per call.
	margin := min(maxRefreshMargin, lifetime/10)
	now := c.clock()
	t.mu.Lock()
	t.token, t.expires, t.refreshAt = out.AccessToken, now.Add(lifetime), now.Add(lifetime-margin)
	t.mu.Unlock()
	c.log.Debug("wecom token fetched", zap.Duration("lifetime", lifetime))
	return out.AccessToken, nil
}

// invalidate drops tok if it is still the cached token, so the next caller fetches a new one.
func (t *tokenCache) invalidate(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token == tok {
		t.token = ""
	}
}
