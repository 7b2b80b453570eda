// Package wecom is a client for the WeCom (企业微信) contacts API: access tokens, departments and
// members (https://qyapi.weixin.qq.com/cgi-bin/…).
//
// The client caches the access token per client and refreshes it before expiry and on
// 40014/42001 (one gettoken for any number of concurrent callers), keeps to the per-API rate
// budget itself, retries transient failures (-1, 45033, HTTP 5xx, lost connections) with backoff,
// and turns every failure into an *APIError or *TransportError that callers classify with
// package apierr (Retryable, Record, Run, Order, Gone, Exists, RetryAfter), like the Authing client.
//
// It must not log or return the corp secret or an access token (every URL in an error is redacted
// in one place), must not hold global state, and must not decide sync policy: "already exists"
// and "gone" are reported, not swallowed.
package wecom

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wecomsync/wecomsync/clients/apierr"
	"github.com/wecomsync/wecomsync/internal/window"

	"github.com/go-resty/resty/v2"
	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// Defaults of a Client built without options.
const (
	DefaultBaseURL    = "https://qyapi.weixin.qq.com/cgi-bin/"
	DefaultTimeout    = 30 * time.Second
	DefaultPerMinute  = 10000
	DefaultPerHour    = 150000
	DefaultMaxRetries = 3
)

// Backoff bounds for transient errors.
const (
	backoffBase = 200 * time.Millisecond
	backoffMax  = 10 * time.Second
)

// Option configures a Client.
type Option func(*Client) error

// WithBaseURL sets the API root, e.g. an emulator's "http://127.0.0.1:8081/cgi-bin/".
func WithBaseURL(base string) Option {
	return func(c *Client) error {
		u, err := url.Parse(base)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return fmt.Errorf("base URL %q: want an absolute http(s) URL", redact(base))
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		c.baseURL = u.String()
		return nil
	}
}

// WithCredentials sets the corp id and the contacts-sync (通讯录同步) or app secret.
func WithCredentials(corpID, secret string) Option {
	return func(c *Client) error {
		c.corpID, c.secret = corpID, secret
		return nil
	}
}

// WithHTTPClient sets the HTTP client (a copy is used; the timeout of WithTimeout applies to it).
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return errors.New("nil HTTP client")
		}
		cp := *hc
		c.httpClient = &cp
		return nil
	}
}

// WithTimeout sets the timeout of one HTTP call (default 30 s).
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return fmt.Errorf("timeout %v: must be positive", d)
		}
		c.timeout = d
		return nil
	}
}

// WithRateLimit sets the client's own call budget per API path, per minute and per hour
// (defaults 10,000 and 150,000, WeCom's per-corp limits; 0 = no limit); see Limits.
func WithRateLimit(perMinute, perHour int) Option {
	return func(c *Client) error {
		if perMinute < 0 || perHour < 0 {
			return fmt.Errorf("rate limit %d/min, %d/h: must not be negative", perMinute, perHour)
		}
		c.perMinute, c.perHour = perMinute, perHour
		return nil
	}
}

// Limiter paces the client's calls; api is the path called (each WeCom API has its own budget).
// A shared limiter keeps several processes together within the corp's budgets (internal/budget).
type Limiter interface {
	Wait(ctx context.Context, api string) error
}

// WithLimiter replaces the client's own per-API token buckets (WithRateLimit) with l.
func WithLimiter(l Limiter) Option {
	return func(c *Client) error {
		c.limiter = l
		return nil
	}
}

// Limits are the limits WithRateLimit gives one API path. The minute budget is a token bucket
// holding a tenth of it that refills at 90 % of its rate, so no minute — clock aligned or not — sees
// more calls than the budget and calls are paced evenly. The hour budget counts the calls of the
// last hour (at most 90 % of it): a bucket would hold a long run to the hour's average rate (37.5/s)
// although WeCom allows 150,000 calls in any hour at the minute's pace.
type Limits struct {
	// PerSecond and Burst are the minute bucket's (0: no minute budget).
	PerSecond float64
	Burst     int
	// HourMax is how many calls any trailing hour admits (0: no hour budget).
	HourMax int
}

// LimitsOf returns the limits of one API for budgets of perMinute and perHour calls (0 = none).
func LimitsOf(perMinute, perHour int) Limits {
	var l Limits
	if perMinute > 0 {
		l.PerSecond, l.Burst = 0.9*float64(perMinute)/60, max(1, perMinute/10)
	}
	if perHour > 0 {
		l.HourMax = max(1, perHour*9/10)
	}
	return l
}

// WithLogger sets the logger for retries and token refreshes (default: none).
func WithLogger(l *zap.Logger) Option {
	return func(c *Client) error {
		if l != nil {
			c.log = l
		}
		return nil
	}
}

// WithRetry sets how many times a transient failure (-1, 45033, HTTP 5xx/429, transport error) is
// retried inside the client, with exponential backoff and jitter (default 3; 0 = never).
func WithRetry(maxRetries int) Option {
	return func(c *Client) error {
		if maxRetries < 0 {
			return fmt.Errorf("retries %d: must not be negative", maxRetries)
		}
		c.maxRetries = maxRetries
		return nil
	}
}

// WithRateLimitWait lets the client wait out a 45009 (rate limit) answer itself when the wait is at
// most d, within the retry count. The default 0 returns the error at once: retryable, with
// RetryAfter.
func WithRateLimitWait(d time.Duration) Option {
	return func(c *Client) error {
		c.maxRateWait = d
		return nil
	}
}

// WithClock sets the clock for token expiry, rate budgets and 45009 waits (default time.Now).
func WithClock(now func() time.Time) Option {
	return func(c *Client) error {
		if now != nil {
			c.clock = now
		}
		return nil
	}
}

// Call is the outcome of one HTTP attempt, as an Observer sees it.
type Call = apierr.Call

// Observer is told the outcome of every HTTP attempt (apierr.Observer).
type Observer = apierr.Observer

// WithObserver sets an Observer of every HTTP attempt (default: none).
func WithObserver(o Observer) Option {
	return func(c *Client) error {
		c.observe = o
		return nil
	}
}

// service is shared by the API areas.
type service struct{ client *Client }

// DepartmentsService calls the department/* APIs.
type DepartmentsService service

// UsersService calls the user/* APIs.
type UsersService service

// Client calls the WeCom contacts API for one corp and secret. It is safe for concurrent use.
type Client struct {
	// Departments calls department/create, update, delete, list, simplelist and get.
	Departments *DepartmentsService
	// Users calls user/create, get, update, delete, batchdelete, simplelist, list and list_id.
	Users *UsersService

	baseURL     string
	corpID      string
	secret      string
	httpClient  *http.Client
	timeout     time.Duration
	perMinute   int
	perHour     int
	maxRetries  int
	maxRateWait time.Duration
	log         *zap.Logger
	clock       func() time.Time
	observe     Observer
	// sleep waits d or until ctx ends; tests replace it to move a fake clock instead.
	sleep func(ctx context.Context, d time.Duration) error

	r      *resty.Client
	tokens *tokenCache

	limMu    sync.Mutex
	limiters map[string]*budget
	limiter  Limiter // replaces limiters when set
}

// budget is the pair of limiters of one API path.
type budget struct {
	minute *rate.Limiter
	hour   *window.Limiter
}

// NewClient returns a client; WithCredentials is required.
func NewClient(opts ...Option) (*Client, error) {
	c := &Client{
		baseURL:    DefaultBaseURL,
		timeout:    DefaultTimeout,
		perMinute:  DefaultPerMinute,
		perHour:    DefaultPerHour,
		maxRetries: DefaultMaxRetries,
		log:        zap.NewNop(),
		clock:      time.Now,
		sleep:      sleepCtx,
		limiters:   make(map[string]*budget),
	}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, fmt.Errorf("new wecom client: %w", err)
		}
	}
	if c.corpID == "" || c.secret == "" {
		return nil, errors.New("new wecom client: corp id and secret are required (WithCredentials)")
	}
	if c.httpClient == nil {
		c.httpClient = &http.Client{}
	}
	c.r = resty.NewWithClient(c.httpClient).
		SetBaseURL(c.baseURL).
		SetTimeout(c.timeout).
		SetLogger(nopLogger{}).
		SetHeader("Accept", "application/json")
	c.tokens = &tokenCache{c: c}
	c.Departments = &DepartmentsService{client: c}
	c.Users = &UsersService{client: c}
	return c, nil
}

// CheckConnection gets a token, then makes two cheap reads (department/simplelist, one row of
// user/list_id), so bad credentials, a wrong base URL, a secret that is not the contacts-sync one
// or missing rights show before a run starts.
func (c *Client) CheckConnection(ctx context.Context) error {
	if _, err := c.Token(ctx); err != nil {
		return fmt.Errorf("check wecom connection: %w", err)
	}
	// No id: the whole visible tree (the root being 1 is seen in examples, not documented as a rule).
	if _, err := c.Departments.SimpleList(ctx, 0); err != nil {
		return fmt.Errorf("check wecom connection: %w", err)
	}
	// An app's own secret may list departments too; only the contacts-sync secret lists members
	// with user/list_id (48002 otherwise), which every downstream run needs.
	if _, err := c.Users.ListID(ctx, &ListIDRequest{Limit: 1}); err != nil {
		return fmt.Errorf("check wecom connection: %w", err)
	}
	return nil
}

// get calls a GET API.
func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	return c.call(ctx, http.MethodGet, path, q, nil, out)
}

// post calls a POST API with a JSON body.
func (c *Client) post(ctx context.Context, path string, body, out any) error {
	return c.call(ctx, http.MethodPost, path, nil, body, out)
}

// call makes one API call with a token, the rate budget, one refresh on 40014/42001 and retries of
// transient failures. out receives the answer when errcode is 0.
func (c *Client) call(ctx context.Context, method, path string, q url.Values, body, out any) error {
	refreshed := false
	return c.withRetry(ctx, path, func() (bool, error) {
		tok, err := c.Token(ctx)
		if err != nil {
			return true, err // gettoken was already retried
		}
		err = c.do(ctx, method, path, withToken(q, tok), body, out)
		if !needsToken(err) || refreshed {
			return false, err
		}
		refreshed = true
		c.tokens.invalidate(tok)
		c.log.Info("wecom token rejected; refreshing", zap.String("op", path), zap.Int("errcode", errCode(err)))
		if tok, err = c.Token(ctx); err != nil {
			return true, err
		}
		if err := c.wait(ctx, path); err != nil {
			return true, err
		}
		return false, c.do(ctx, method, path, withToken(q, tok), body, out)
	})
}

// withToken returns a copy of q with the access token set.
func withToken(q url.Values, tok string) url.Values {
	out := make(url.Values, len(q)+1)
	for k, v := range q {
		out[k] = v
	}
	out.Set("access_token", tok)
	return out
}

// withRetry runs try after taking one call from path's rate budget, and again after a backoff
// while it fails transiently, up to the retry count. try returns stop=true for an error that must
// not be retried here.
func (c *Client) withRetry(ctx context.Context, path string, try func() (stop bool, err error)) error {
	for attempt := 0; ; attempt++ {
		if err := c.wait(ctx, path); err != nil {
			return err
		}
		stop, err := try()
		if err == nil || stop {
			return err
		}
		delay, retry := c.retryDelay(err, attempt)
		if !retry {
			return err
		}
		c.log.Info("wecom call failed; retrying", zap.String("op", path), zap.Int("errcode", errCode(err)),
			zap.Int("attempt", attempt+1), zap.Duration("delay", delay), zap.String("error", err.Error()))
		if err := c.sleep(ctx, delay); err != nil {
			return fmt.Errorf("wecom %s: %w", path, err)
		}
	}
}

// retryDelay decides whether the client retries err itself, and after how long.
func (c *Client) retryDelay(err error, attempt int) (time.Duration, bool) {
	// A token WeCom refused again right after a refresh is left to the caller's next attempt
	// (which refreshes again), not retried here with the same token.
	if attempt >= c.maxRetries || !apierr.IsRetryable(err) || needsToken(err) {
		return 0, false
	}
	if after := apierr.RetryAfter(err); after > 0 {
		return after, after <= c.maxRateWait
	}
	d := backoffBase << min(attempt, 10)
	d = min(d, backoffMax)
	// ±25 % jitter so that concurrent callers do not retry in step.
	return d*3/4 + rand.N(d/2+1), true
}

func errCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.ErrCode
	}
	return 0
}

// envelope is the errcode/errmsg part of every answer.
type envelope struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

// do makes one HTTP round trip and decodes the answer; the observer learns its outcome.
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body, out any) (err error) {
	status := 0 // the answer's HTTP status; 0 = no answer
	if c.observe != nil {
		start := time.Now()
		defer func() { c.observe(observed(path, status, err, time.Since(start))) }()
	}
	req := c.r.R().SetContext(ctx).SetQueryParamsFromValues(q)
	if body != nil {
		req.SetHeader("Content-Type", "application/json").SetBody(body)
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("wecom %s: %w", path, ctx.Err())
		}
		return newTransportError(path, err)
	}
	raw := resp.Body()
	status = resp.StatusCode()
	if status != http.StatusOK {
		return &APIError{Op: path, HTTPStatus: resp.StatusCode(), ErrMsg: snippet(raw)}
	}
	var env envelope
	if err := json.Unmarshal(raw, &env); err != nil {
		return &APIError{Op: path, HTTPStatus: http.StatusBadGateway, ErrMsg: "answer is not JSON: " + snippet(raw)}
	}
	if env.ErrCode != 0 {
		e := &APIError{Op: path, ErrCode: env.ErrCode, ErrMsg: env.ErrMsg, HTTPStatus: resp.StatusCode()}
		if env.ErrCode == 45009 {
			e.retryAfter = c.untilNextMinute()
		}
		return e
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return &APIError{Op: path, HTTPStatus: http.StatusBadGateway, ErrMsg: "decode answer: " + err.Error()}
		}
	}
	return nil
}

// observed describes the outcome err of one attempt of path answered with HTTP status (0 = none).
func observed(path string, status int, err error, d time.Duration) Call {
	call := Call{API: path, Outcome: "ok", Duration: d}
	var ae *APIError
	var te *TransportError
	switch {
	case err == nil:
		return call
	case errors.As(err, &te):
		// First: an HTTP timeout is a DeadlineExceeded too, but not the caller's.
		call.Code = "transport"
	case errors.As(err, &ae) && ae.ErrCode != 0:
		call.Code = strconv.Itoa(ae.ErrCode)
	case ae != nil && status == http.StatusOK:
		call.Code = "unreadable"
	case ae != nil:
		call.Code = strconv.Itoa(status)
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		call.Outcome = "canceled"
		return call
	default:
		call.Code = "transport"
	}
	call.Outcome = "error"
	return call
}

// untilNextMinute is the wait after a 45009: WeCom blocks an API for the rest of its window
// (minute ⇒ up to 60 s). Waiting for the next minute boundary clears a minute block; an hour
// block answers 45009 again.
func (c *Client) untilNextMinute() time.Duration {
	now := c.clock()
	return now.Truncate(time.Minute).Add(time.Minute).Sub(now)
}

// snippet returns the start of a body for an error message.
func snippet(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) > 200 {
		b = append(b[:200:200], "…"...)
	}
	return string(b)
}

// wait takes one call from path's minute and hour budgets, sleeping until it may go.
func (c *Client) wait(ctx context.Context, path string) error {
	if c.limiter != nil {
		return c.limiter.Wait(ctx, path)
	}
	b := c.budgetFor(path)
	if b.minute != nil {
		now := c.clock()
		r := b.minute.ReserveN(now, 1)
		if !r.OK() {
			return fmt.Errorf("wecom %s: rate budget cannot admit a call", path)
		}
		if d := r.DelayFrom(now); d > 0 {
			if err := c.sleep(ctx, d); err != nil {
				r.CancelAt(c.clock())
				return err
			}
		}
	}
	for b.hour != nil {
		ok, d := b.hour.TakeAt(c.clock())
		if ok {
			break
		}
		if err := c.sleep(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

func (c *Client) budgetFor(path string) *budget {
	c.limMu.Lock()
	defer c.limMu.Unlock()
	b := c.limiters[path]
	if b == nil {
		l := LimitsOf(c.perMinute, c.perHour)
		b = &budget{}
		if l.PerSecond > 0 {
			b.minute = rate.NewLimiter(rate.Limit(l.PerSecond), l.Burst)
		}
		if l.HourMax > 0 {
			b.hour = window.New(l.HourMax, time.Hour)
		}
		c.limiters[path] = b
	}
	return b
}

// sleepCtx waits d unless ctx ends first.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// nopLogger keeps resty quiet: its messages may hold request URLs.
type nopLogger struct{}

func (nopLogger) Errorf(string, ...any) {}
func (nopLogger) Warnf(string, ...any)  {}
func (nopLogger) Debugf(string, ...any) {}

// Ptr returns a pointer to v, for the optional fields of update requests.
func Ptr[T any](v T) *T { return &v }
