package authing

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/emulators/internal/fakeclock"
)

const (
	tPool   = "pool-1"
	tSecret = "pool-1-secret"
)

// newTestClock is a settable clock.
func newTestClock() *fakeclock.Clock {
	return fakeclock.New(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
}

// testEnv is an emulator behind httptest with a valid token.
type testEnv struct {
	s     *Server
	srv   *httptest.Server
	token string
}

// rawEnvelope is an answer as sent.
type rawEnvelope struct {
	StatusCode int             `json:"statusCode"`
	Message    string          `json:"message"`
	APICode    int             `json:"apiCode"`
	RequestID  string          `json:"requestId"`
	Data       json.RawMessage `json:"data"`
}

func newEnv(t *testing.T, seed Fixture, opts ...Option) *testEnv {
	t.Helper()
	s := New(append([]Option{WithPool(tPool, tSecret), WithQPS(0, 0)}, opts...)...)
	require.NoError(t, s.Seed(seed))
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	e := &testEnv{s: s, srv: srv}
	tok := e.managementToken(t)
	require.NotEmpty(t, tok.AccessToken)
	e.token = tok.AccessToken
	return e
}

// tokenAnswer is the data of get-management-token.
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

// managementToken asks get-management-token for a token with the test pool's credentials.
func (e *testEnv) managementToken(t *testing.T) tokenAnswer {
	t.Helper()
	var tok tokenAnswer
	e.ok(t, http.MethodPost, "get-management-token", map[string]string{"accessKeyId": tPool, "accessKeySecret": tSecret}, nil, &tok)
	return tok
}

// do sends one request with the token and pool header and returns the HTTP status and envelope.
func (e *testEnv) do(t *testing.T, method, verb string, body any, q url.Values, header map[string]string) (int, rawEnvelope) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	u := e.srv.URL + "/api/v3/" + verb
	if q != nil {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequest(method, u, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json;charset=UTF-8")
	if e.token != "" {
		req.Header.Set("Authorization", "Bearer "+e.token)
	}
	req.Header.Set("x-authing-userpool-id", tPool)
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	return roundTrip(t, req)
}

// roundTrip sends req and returns the HTTP status and the envelope.
func roundTrip(t *testing.T, req *http.Request) (int, rawEnvelope) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var env rawEnvelope
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	return resp.StatusCode, env
}

// ok requires success and decodes data into out (if not nil).
func (e *testEnv) ok(t *testing.T, method, verb string, body any, q url.Values, out any) {
	t.Helper()
	status, env := e.do(t, method, verb, body, q, nil)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, 200, env.StatusCode, "%s: %s", verb, env.Message)
	assert.Equal(t, "操作成功", env.Message)
	if out != nil {
		require.NoError(t, json.Unmarshal(env.Data, out))
	}
}

// fail requires an error envelope with statusCode want (HTTP 200) and returns it.
func (e *testEnv) fail(t *testing.T, method, verb string, body any, q url.Values, want int) rawEnvelope {
	t.Helper()
	status, env := e.do(t, method, verb, body, q, nil)
	require.Equal(t, http.StatusOK, status)
	require.Equal(t, want, env.StatusCode, "%s: %s", verb, env.Message)
	assert.NotEmpty(t, env.RequestID)
	assert.NotZero(t, env.APICode)
	return env
}

func TestAuthentication(t *testing.T) {
	clock := newTestClock()
	e := newEnv(t, DemoSeed(), WithClock(clock.Now), WithTokenTTL(time.Minute))
	q := url.Values{"organizationCode": {"xinghe"}}
	tests := []struct {
		name   string
		header map[string]string
		status int
		code   int
	}{
		{"bearer token", nil, 200, 0},
		{"bare token", map[string]string{"Authorization": e.token}, 200, 0},
		{"no token", map[string]string{"Authorization": ""}, 401, 401},
		{"unknown token", map[string]string{"Authorization": "Bearer nope"}, 401, 401},
		{"no pool header", map[string]string{"x-authing-userpool-id": ""}, 403, 2224},
		{"other pool", map[string]string{"x-authing-userpool-id": "pool-2"}, 403, 2224},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, env := e.do(t, http.MethodGet, "get-organization", nil, q, tt.header)
			assert.Equal(t, http.StatusOK, status, "errors are HTTP 200")
			assert.Equal(t, tt.status, env.StatusCode, env.Message)
			assert.Equal(t, tt.code, env.APICode)
		})
	}

	clock.Advance(59 * time.Second)
	e.ok(t, http.MethodGet, "get-organization", nil, q, nil)
	clock.Advance(time.Second)
	e.fail(t, http.MethodGet, "get-organization", nil, q, 401)

	creds := []struct {
		name  string
		body  map[string]string
		code  int
		notIn string
	}{
		{"wrong secret", map[string]string{"accessKeyId": tPool, "accessKeySecret": "x"}, 403, tSecret},
		{"unknown pool", map[string]string{"accessKeyId": "pool-2", "accessKeySecret": tSecret}, 403, tSecret},
		{"missing secret", map[string]string{"accessKeyId": tPool}, 400, tSecret},
	}
	for _, tt := range creds {
		t.Run(tt.name, func(t *testing.T) {
			env := e.fail(t, http.MethodPost, "get-management-token", tt.body, nil, tt.code)
			assert.NotContains(t, env.Message, tt.notIn)
		})
	}
}

func TestTokenAnswer(t *testing.T) {
	e := newEnv(t, DemoSeed(), WithTokenTTL(90*time.Minute))
	tok := e.managementToken(t)
	assert.Equal(t, 5400, tok.ExpiresIn)
	assert.NotEqual(t, e.token, tok.AccessToken)
}

func TestRoutingErrors(t *testing.T) {
	e := newEnv(t, DemoSeed())
	tests := []struct {
		name, method, verb string
	}{
		{"GET on a write", http.MethodGet, "create-user"},
		{"POST on a read", http.MethodPost, "get-user"},
		{"unknown verb", http.MethodGet, "no-such-verb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, env := e.do(t, tt.method, tt.verb, nil, nil, nil)
			assert.Equal(t, http.StatusNotFound, status)
			assert.Equal(t, 404, env.StatusCode)
			assert.Equal(t, "Cannot "+tt.method+" /api/v3/"+tt.verb, env.Message)
		})
	}
}

func TestThrottle(t *testing.T) {
	e := newEnv(t, DemoSeed(), WithQPS(0.001, 3)) // the token call took one of the 3
	q := url.Values{"organizationCode": {"xinghe"}}
	e.ok(t, http.MethodGet, "get-organization", nil, q, nil)
	e.ok(t, http.MethodGet, "get-organization", nil, q, nil)
	status, env := e.do(t, http.MethodGet, "get-organization", nil, q, nil)
	assert.Equal(t, http.StatusTooManyRequests, status)
	assert.Equal(t, 429, env.StatusCode)
	assert.Equal(t, "您的请求已超过最大数量限制，请稍后重试", env.Message)
	assert.Equal(t, 3, e.s.Calls()["get-organization"], "throttled calls are counted")
}

func TestFailNextAndFaultEndpoint(t *testing.T) {
	e := newEnv(t, DemoSeed())
	q := url.Values{"organizationCode": {"xinghe"}}
	e.s.FailNext("get-organization", 503, 2)
	e.fail(t, http.MethodGet, "get-organization", nil, q, 503)
	e.fail(t, http.MethodGet, "get-organization", nil, q, 503)
	e.ok(t, http.MethodGet, "get-organization", nil, q, nil)

	// An injected 401 revokes the token the call presented.
	e.s.FailNext("get-organization", 401, 1)
	e.fail(t, http.MethodGet, "get-organization", nil, q, 401)
	env := e.fail(t, http.MethodGet, "get-organization", nil, q, 401)
	assert.Equal(t, "token 无效或已过期", env.Message)

	resp, err := http.Post(e.srv.URL+"/_emulator/faults", "application/json",
		bytes.NewReader([]byte(`{"path":"get-organization","kind":"5xx","code":502,"count":1}`)))
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	resp, err = http.Get(e.srv.URL + "/api/v3/get-organization?organizationCode=xinghe")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode)
	assert.Empty(t, e.s.Faults().Rules())
}

func TestCallCounts(t *testing.T) {
	e := newEnv(t, DemoSeed())
	e.ok(t, http.MethodPost, "list-users", map[string]any{}, nil, nil)
	e.ok(t, http.MethodGet, "get-organization", nil, url.Values{"organizationCode": {"xinghe"}}, nil)
	assert.Zero(t, e.s.WriteCalls(), "token, list-users and GETs are reads")
	e.ok(t, http.MethodPost, "create-user", map[string]any{"username": "a"}, nil, nil)
	e.fail(t, http.MethodPost, "create-user", map[string]any{"username": "a"}, nil, 409)
	assert.Equal(t, 2, e.s.WriteCalls(), "failed writes are write calls too")
	e.ok(t, http.MethodGet, "get-custom-data", nil, url.Values{"targetType": {"DEPARTMENT"}, "targetIdentifier": {e.s.Snapshot().Organizations[0].DepartmentID}}, nil)
	e.fail(t, http.MethodPost, "set-custom-data", customData("USER", "nobody", "k", "v"), nil, 404)
	assert.Equal(t, map[string]int{"get-management-token": 1, "list-users": 1, "get-organization": 1, "get-custom-data": 1,
		"create-user": 2, "set-custom-data": 1}, e.s.Calls())
	assert.Equal(t, map[string]int{"create-user": 2, "set-custom-data": 1}, e.s.Writes())
	e.s.ResetCalls()
	assert.Empty(t, e.s.Calls())
	assert.Empty(t, e.s.Writes())
	assert.Zero(t, e.s.WriteCalls())
}

func TestMalformedBody(t *testing.T) {
	e := newEnv(t, DemoSeed())
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+"/api/v3/create-user", bytes.NewReader([]byte(`{"username":`)))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("x-authing-userpool-id", tPool)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var env rawEnvelope
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
	assert.Equal(t, 400, env.StatusCode)
}
