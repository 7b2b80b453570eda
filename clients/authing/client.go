// Package authing is a client for the Authing Management API v3 (the calls a directory sync needs):
// users, organizations, departments and custom fields, authenticated with a cached management token.
//
// Every call goes through one token-bucket limiter shared by the whole client, retries HTTP 429,
// 5xx and transport errors with exponential backoff and jitter (context-aware), and refreshes the
// token once when the server answers 401. Failures are *APIError or *TransportError values that
// callers classify with package apierr (Retryable, Record, Run, Gone for a missing object,
// Exists for a unique clash).
//
// The package must not: log or return the pool secret or a token (they are redacted from every
// error and log line); split batches for the caller (a batch over 50 items is refused with
// ErrBatchSize); decide sync policy (what to create, update or delete); keep state besides the
// token.
package authing

import (
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

	"github.com/go-resty/resty/v2"
	"github.com/wecomsync/wecomsync/clients/apierr"
	"go.uber.org/zap"
	"golang.org/x/time/rate"
)

// Defaults of the options.
const (
	DefaultBaseURL    = "https://api.authing.cn"
	DefaultTimeout    = 30 * time.Second
	DefaultQPS        = 300
	DefaultBurst      = 10
	DefaultMaxRetries = 4
	// MaxBatchSize is the largest batch the API takes; MaxPageSize the largest page.
	MaxBatchSize = 50
	MaxPageSize  = 50
)

const apiPrefix = "/api/v3/"

// Client talks to one user pool. It is safe for concurrent use.
type Client struct {
	rc         *resty.Client
	poolID     string
	secret     string
	timeout    time.Duration
	limiter    Limiter
	maxRetries int
	backoffMin time.Duration
	backoffMax time.Duration
	log        *zap.Logger
	now        func() time.Time
	tokens     *tokenSource
	redactor   *redactor
	observe    Observer

	// Users reads and writes users and their department memberships.
	Users *UsersService
	// Departments reads and writes the departments of an organization.
	Departments *DepartmentsService
	// Organizations lists and creates organizations.
	Organizations *OrganizationsService
	// CustomFields reads and defines custom fields.
	CustomFields *CustomFieldsService
}

// service is what every API area shares.
type service struct{ client *Client }

// Option configures a Client.
type Option func(*config)

type config struct {
	baseURL        string
	poolID, secret string
	httpClient     *http.Client
	timeout        time.Duration
	qps            float64
	burst          int
	maxRetries     int
	backoffMin     time.Duration
	backoffMax     time.Duration
	log            *zap.Logger
	now            func() time.Time
	observe        Observer
	limiter        Limiter
}

// WithBaseURL sets the API host (default https://api.authing.cn); paths are /api/v3/<verb>.
func WithBaseURL(u string) Option { return func(c *config) { c.baseURL = u } }

// WithCredentials sets the user-pool id (accessKeyId) and secret (accessKeySecret).
func WithCredentials(userPoolID, secret string) Option {
	return func(c *config) { c.poolID, c.secret = userPoolID, secret }
}

// WithHTTPClient sets the HTTP client (its transport; the client applies WithTimeout per attempt).
func WithHTTPClient(hc *http.Client) Option { return func(c *config) { c.httpClient = hc } }

// WithTimeout bounds each HTTP attempt (default 30 s).
func WithTimeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// WithRateLimit sets the client-wide token bucket (default 300 QPS, burst 10); qps ≤ 0 = unlimited.
func WithRateLimit(qps float64, burst int) Option {
	return func(c *config) { c.qps, c.burst = qps, burst }
}

// Limiter paces the client's calls; api is the verb called. A shared limiter keeps several
// processes together within one pool's budget (internal/budget).
type Limiter interface {
	Wait(ctx context.Context, api string) error
}

// WithLimiter replaces the client's own token bucket (WithRateLimit) with l.
func WithLimiter(l Limiter) Option { return func(c *config) { c.limiter = l } }

// localLimiter is the client's own token bucket, one for every verb.
type localLimiter struct{ l *rate.Limiter }

func (l localLimiter) Wait(ctx context.Context, _ string) error { return l.l.Wait(ctx) }

func cmpLimiter(a, b Limiter) Limiter {
	if a != nil {
		return a
	}
	return b
}

// WithRetry sets how many times a retryable failure is retried (default 4; 0 = never).
func WithRetry(maxRetries int) Option { return func(c *config) { c.maxRetries = maxRetries } }

// WithBackoff sets the first retry wait and the cap of the exponential backoff (default 250 ms, 8 s).
func WithBackoff(initial, maxWait time.Duration) Option {
	return func(c *config) { c.backoffMin, c.backoffMax = initial, maxWait }
}

// WithLogger sets the logger (default: none). Retries and token refreshes are logged at debug/info.
func WithLogger(l *zap.Logger) Option { return func(c *config) { c.log = l } }

// WithClock sets the clock used for token expiry.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// Call is the outcome of one HTTP attempt, as an Observer sees it.
type Call = apierr.Call

// Observer is told the outcome of every HTTP attempt (apierr.Observer).
type Observer = apierr.Observer

// WithObserver sets an Observer of every HTTP attempt (default: none).
func WithObserver(o Observer) Option { return func(c *config) { c.observe = o } }

// NewClient returns a client; WithCredentials is required.
func NewClient(opts ...Option) (*Client, error) {
	cfg := config{
		baseURL: DefaultBaseURL, timeout: DefaultTimeout, qps: DefaultQPS, burst: DefaultBurst,
		maxRetries: DefaultMaxRetries, backoffMin: 250 * time.Millisecond, backoffMax: 8 * time.Second,
		log: zap.NewNop(), now: time.Now,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.poolID == "" || cfg.secret == "" {
		return nil, errors.New("authing: user pool id and secret are required (WithCredentials)")
	}
	base := strings.TrimRight(cfg.baseURL, "/")
	if u, err := url.Parse(base); err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("authing: invalid base URL %q", cfg.baseURL)
	}
	if cfg.timeout <= 0 {
		cfg.timeout = DefaultTimeout
	}
	if cfg.log == nil {
		cfg.log = zap.NewNop()
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if cfg.qps > 0 {
		lim = rate.NewLimiter(rate.Limit(cfg.qps), max(cfg.burst, 1))
	}
	rc := resty.New()
	if cfg.httpClient != nil {
		rc = resty.NewWithClient(cfg.httpClient)
	}
	rc.SetBaseURL(base).SetLogger(nopLogger{}).SetHeader("User-Agent", "wecomsync-authing/1")
	c := &Client{
		rc:         rc,
		poolID:     cfg.poolID,
		secret:     cfg.secret,
		timeout:    cfg.timeout,
		limiter:    cmpLimiter(cfg.limiter, localLimiter{lim}),
		maxRetries: max(cfg.maxRetries, 0),
		backoffMin: max(cfg.backoffMin, time.Millisecond),
		backoffMax: max(cfg.backoffMax, cfg.backoffMin),
		log:        cfg.log,
		now:        cfg.now,
		redactor:   &redactor{secrets: []string{cfg.secret}},
		observe:    cfg.observe,
	}
	c.tokens = &tokenSource{c: c}
	common := &service{client: c}
	c.Users = (*UsersService)(common)
	c.Departments = (*DepartmentsService)(common)
	c.Organizations = (*OrganizationsService)(common)
	c.CustomFields = (*CustomFieldsService)(common)
	return c, nil
}

// CheckConnection fetches a token and makes one cheap read (list-organizations, one item).
func (c *Client) CheckConnection(ctx context.Context) error {
	if _, err := c.tokens.token(ctx); err != nil {
		return fmt.Errorf("check connection: %w", err)
	}
	q := url.Values{"page": {"1"}, "limit": {"1"}}
	if err := c.get(ctx, "list-organizations", q, nil); err != nil {
		return fmt.Errorf("check connection: %w", err)
	}
	return nil
}

// get calls a read verb with a query string and decodes data into out (if not nil).
func (c *Client) get(ctx context.Context, verb string, q url.Values, out any) error {
	return c.do(ctx, http.MethodGet, verb, q, nil, out)
}

// post calls a verb with a JSON body and decodes data into out (if not nil).
func (c *Client) post(ctx context.Context, verb string, in, out any) error {
	return c.do(ctx, http.MethodPost, verb, nil, in, out)
}

// do runs one API call: token, limiter, retries, one refresh on 401, decoding.
func (c *Client) do(ctx context.Context, method, verb string, q url.Values, in, out any) error {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("authing %s: encode request: %w", verb, err)
		}
		body = b
	}
	var data json.RawMessage
	refreshed := false
	err := c.retry(ctx, verb, func() error {
		tok, err := c.tokens.token(ctx)
		if err != nil {
			return stop(err)
		}
		data, err = c.send(ctx, method, verb, q, body, tok)
		if !refreshed && isUnauthorized(err) {
			refreshed = true
			c.log.Info("authing token rejected, refreshing", zap.String("op", verb))
			c.tokens.invalidate(tok)
			if tok, err = c.tokens.token(ctx); err != nil {
				return stop(err)
			}
			data, err = c.send(ctx, method, verb, q, body, tok)
		}
		return err
	})
	if err != nil {
		return err
	}
	if out == nil || len(data) == 0 || string(data) == "null" {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("authing %s: decode data: %w", verb, err)
	}
	return nil
}

func isUnauthorized(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == 401
}

// stopRetry ends a retry loop with err as it is.
type stopRetry struct{ err error }

func (s *stopRetry) Error() string { return s.err.Error() }

func stop(err error) error { return &stopRetry{err: err} }

// retry runs fn until it succeeds, fails for good, or maxRetries retries are spent.
func (c *Client) retry(ctx context.Context, op string, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		var st *stopRetry
		if errors.As(err, &st) {
			return st.err
		}
		if !apierr.IsRetryable(err) || attempt >= c.maxRetries {
			return err
		}
		wait := c.backoff(attempt)
		c.log.Debug("authing call retried", zap.String("op", op), zap.Int("attempt", attempt+1),
			zap.Duration("wait", wait), zap.String("error", err.Error()))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("%w (retry stopped: %w)", err, ctx.Err())
		case <-t.C:
		}
	}
}

// backoff is the wait before retry n (0-based): exponential with equal jitter, capped.
func (c *Client) backoff(n int) time.Duration {
	d := c.backoffMin << min(n, 20)
	if d <= 0 || d > c.backoffMax {
		d = c.backoffMax
	}
	return d/2 + rand.N(d/2+1)
}

// send makes one HTTP attempt and returns the envelope's data; the observer learns its outcome.
func (c *Client) send(ctx context.Context, method, verb string, q url.Values, body []byte, token string) (data json.RawMessage, err error) {
	if err := c.limiter.Wait(ctx, verb); err != nil {
		return nil, fmt.Errorf("authing %s: wait for the rate limiter: %w", verb, err)
	}
	status := 0 // the answer's HTTP status; 0 = no answer
	if c.observe != nil {
		start := time.Now()
		defer func() { c.observe(observed(verb, status, err, time.Since(start))) }()
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req := c.rc.R().SetContext(actx).SetHeader("x-authing-userpool-id", c.poolID)
	if token != "" {
		req.SetHeader("Authorization", "Bearer "+token)
	}
	if q != nil {
		req.SetQueryParamsFromValues(q)
	}
	if body != nil {
		req.SetHeader("Content-Type", "application/json;charset=UTF-8").SetBody(body)
	}
	resp, err := req.Execute(method, apiPrefix+verb)
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("authing %s: %w", verb, ctx.Err())
		}
		return nil, &TransportError{Op: verb, msg: c.redactor.redact(err.Error()), Err: err}
	}
	status = resp.StatusCode()
	return c.decode(verb, status, resp.Body())
}

// decode checks the envelope and returns its data.
func (c *Client) decode(verb string, httpStatus int, body []byte) (json.RawMessage, error) {
	var env struct {
		StatusCode int             `json:"statusCode"`
		Message    string          `json:"message"`
		APICode    int             `json:"apiCode"`
		RequestID  string          `json:"requestId"`
		Data       json.RawMessage `json:"data"`
	}
	err := json.Unmarshal(body, &env)
	ok2xx := httpStatus >= 200 && httpStatus < 300
	if err != nil || env.StatusCode == 0 {
		text := c.redactor.redact(snippet(body))
		if ok2xx {
			return nil, &TransportError{Op: verb, msg: "unreadable answer: " + text, Err: err}
		}
		return nil, &APIError{Op: verb, HTTPStatus: httpStatus, StatusCode: httpStatus, Message: text}
	}
	if !ok2xx || env.StatusCode != 200 {
		return nil, &APIError{
			Op: verb, HTTPStatus: httpStatus, StatusCode: env.StatusCode, APICode: env.APICode,
			Message: c.redactor.redact(env.Message), RequestID: env.RequestID,
		}
	}
	return env.Data, nil
}

// observed describes the outcome err of one attempt of verb answered with HTTP status (0 = none).
func observed(verb string, status int, err error, d time.Duration) Call {
	call := Call{API: verb, Outcome: "error", Duration: d}
	var ae *APIError
	var te *TransportError
	switch {
	case err == nil:
		call.Outcome = "ok"
	case errors.As(err, &ae):
		code := ae.StatusCode
		if code == 200 || code == 0 { // a non-2xx HTTP answer whose body says 200
			code = ae.HTTPStatus
		}
		call.Code = strconv.Itoa(code)
	case errors.As(err, &te) && status != 0:
		call.Code = "unreadable"
	case te != nil:
		call.Code = "transport"
	default: // the caller's context ended (send wraps its error, never a TransportError)
		call.Outcome = "canceled"
	}
	return call
}

// snippet shortens a body for an error message.
func snippet(b []byte) string {
	s := strings.TrimSpace(string(b))
	if r := []rune(s); len(r) > 200 {
		s = string(r[:200]) + "…"
	}
	return s
}

// redactor removes the secret and the tokens from text.
type redactor struct {
	mu      sync.RWMutex
	secrets []string // [0] is the pool secret, then the latest tokens
}

const keptTokens = 4

func (r *redactor) add(token string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.secrets = append(r.secrets, token)
	if len(r.secrets) > 1+keptTokens {
		r.secrets = append(r.secrets[:1], r.secrets[len(r.secrets)-keptTokens:]...)
	}
}

func (r *redactor) redact(s string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, sec := range r.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return s
}

// nopLogger silences resty's own logging (it would print request errors to stderr).
type nopLogger struct{}

func (nopLogger) Errorf(string, ...any) {}
func (nopLogger) Warnf(string, ...any)  {}
func (nopLogger) Debugf(string, ...any) {}
