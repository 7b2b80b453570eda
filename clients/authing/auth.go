package authing

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"
)

const tokenVerb = "get-management-token"

// maxRefreshMargin bounds how long before expiry a token is replaced (a tenth of its lifetime).
const maxRefreshMargin = 5 * time.Minute

// tokenSource caches the management token. Concurrent callers that find it missing or due share
// one fetch (single-flight).
type tokenSource struct {
	c         *Client
	mu        sync.Mutex
	tok       string
	refreshAt time.Time
	group     singleflight.Group
}

// current returns the cached token and whether it is still fresh.
func (t *tokenSource) current() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tok, t.tok != "" && t.c.now().Before(t.refreshAt)
}

// token returns a fresh token, fetching one if needed.
func (t *tokenSource) token(ctx context.Context) (string, error) {
	stale, ok := t.current()
	if ok {
		return stale, nil
	}
	ch := t.group.DoChan(tokenVerb, func() (any, error) {
		// A caller that saw the old token may arrive after another flight replaced it.
		if tok, ok := t.current(); ok && tok != stale {
			return tok, nil
		}
		return t.fetch(context.WithoutCancel(ctx))
	})
	select {
	case <-ctx.Done():
		return "", fmt.Errorf("authing %s: %w", tokenVerb, ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return "", r.Err
		}
		return r.Val.(string), nil
	}
}

// invalidate drops tok if it is still the cached token (the server rejected it).
func (t *tokenSource) invalidate(tok string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok == tok {
		t.tok = ""
	}
}

// fetch gets a new token from get-management-token.
func (t *tokenSource) fetch(ctx context.Context) (string, error) {
	c := t.c
	body, err := json.Marshal(map[string]string{"accessKeyId": c.poolID, "accessKeySecret": c.secret})
	if err != nil {
		return "", fmt.Errorf("authing %s: encode request: %w", tokenVerb, err)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	err = c.retry(ctx, tokenVerb, func() error {
		data, err := c.send(ctx, http.MethodPost, tokenVerb, nil, body, "")
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &out); err != nil || out.AccessToken == "" {
			return fmt.Errorf("authing %s: answer without access_token", tokenVerb)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	c.redactor.add(out.AccessToken)
	ttl := time.Duration(out.ExpiresIn) * time.Second
	if ttl <= 0 {
		ttl = 7200 * time.Second
	}
	now := c.now()
	t.mu.Lock()
	t.tok = out.AccessToken
	t.refreshAt = now.Add(ttl - min(ttl/10, maxRefreshMargin))
	t.mu.Unlock()
	c.log.Debug("authing management token fetched", zap.Duration("ttl", ttl))
	return out.AccessToken, nil
}
