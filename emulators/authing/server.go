package authing

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/wecomsync/wecomsync/emulators/internal/faults"
	"github.com/wecomsync/wecomsync/emulators/internal/jsonio"
)

// Defaults of the options.
const (
	DefaultPoolID   = "demo-pool"
	DefaultSecret   = "demo-pool-secret"
	DefaultTokenTTL = 7200 * time.Second
	DefaultQPS      = 300
	DefaultBurst    = 300
)

// okMessage is the message of every successful answer.
const okMessage = "操作成功"

// throttleMessage is the body message of Authing's HTTP 429.
const throttleMessage = "您的请求已超过最大数量限制，请稍后重试"

// maxBody bounds a request body.
const maxBody = 8 << 20

// Server is the emulator. It is safe for concurrent use.
type Server struct {
	poolID, secret string
	tokenTTL       time.Duration
	now            func() time.Time
	limiter        *rate.Limiter // nil = unlimited
	throttled      atomic.Int64
	latency        time.Duration
	faults         *faults.Injector
	routes         map[string]route
	calls          map[string]*atomic.Int64

	mu    sync.RWMutex
	st    *state
	cache listCache

	tokMu      sync.Mutex           // guards tokens, nonces and noncePrune
	tokens     map[string]time.Time // token → expiry
	nonces     map[string]time.Time // signature nonce → until when a replay is refused
	noncePrune time.Time            // next sweep of expired nonces
}

// Option configures a Server.
type Option func(*config)

type config struct {
	poolID, secret string
	tokenTTL       time.Duration
	now            func() time.Time
	qps            float64
	burst          int
	latency        time.Duration
	faultSeed      int64
}

// WithPool sets the user-pool id (the accessKeyId) and its secret.
func WithPool(userPoolID, secret string) Option {
	return func(c *config) { c.poolID, c.secret = userPoolID, secret }
}

// WithTokenTTL sets the lifetime of management tokens (default 7,200 s).
func WithTokenTTL(d time.Duration) Option { return func(c *config) { c.tokenTTL = d } }

// WithClock sets the clock used for token expiry and timestamps.
func WithClock(now func() time.Time) Option { return func(c *config) { c.now = now } }

// WithQPS sets the throttle (default 300 per second, burst 300); qps 0 means unlimited.
func WithQPS(qps float64, burst int) Option {
	return func(c *config) { c.qps, c.burst = qps, burst }
}

// WithLatency adds d to every API call.
func WithLatency(d time.Duration) Option { return func(c *config) { c.latency = d } }

// WithFaultSeed seeds the random draws of rate-based fault rules.
func WithFaultSeed(seed int64) Option { return func(c *config) { c.faultSeed = seed } }

// route is one API verb.
type route struct {
	method string
	write  bool // counted by WriteCalls; runs under the write lock
	noLock bool // does not touch the state
	h      func(*Server, *call) (any, *apiError)
}

// call is one parsed request.
type call struct {
	q    url.Values
	body []byte
	now  time.Time
}

// New returns an emulator with an empty pool (see Seed).
func New(opts ...Option) *Server {
	cfg := config{
		poolID: DefaultPoolID, secret: DefaultSecret, tokenTTL: DefaultTokenTTL,
		now: time.Now, qps: DefaultQPS, burst: DefaultBurst, faultSeed: 1,
	}
	for _, o := range opts {
		o(&cfg)
	}
	s := &Server{
		poolID:   cfg.poolID,
		secret:   cfg.secret,
		tokenTTL: cfg.tokenTTL,
		now:      cfg.now,
		latency:  cfg.latency,
		faults:   faults.New(cfg.faultSeed),
		st:       newState(),
		tokens:   map[string]time.Time{},
		nonces:   map[string]time.Time{},
	}
	if cfg.qps > 0 {
		burst := max(cfg.burst, 1)
		s.limiter = rate.NewLimiter(rate.Limit(cfg.qps), burst)
	}
	s.routes = routes()
	s.calls = make(map[string]*atomic.Int64, len(s.routes))
	for verb := range s.routes {
		s.calls[verb] = new(atomic.Int64)
	}
	return s
}

const tokenVerb = "get-management-token"

func routes() map[string]route {
	get := func(h func(*Server, *call) (any, *apiError)) route { return route{method: http.MethodGet, h: h} }
	post := func(h func(*Server, *call) (any, *apiError)) route {
		return route{method: http.MethodPost, write: true, h: h}
	}
	return map[string]route{
		tokenVerb:    {method: http.MethodPost, noLock: true, h: (*Server).getManagementToken},
		"list-users": {method: http.MethodPost, h: (*Server).listUsers},

		"get-user":             get((*Server).getUser),
		"create-user":          post((*Server).createUser),
		"create-users-batch":   post((*Server).createUsersBatch),
		"update-user":          post((*Server).updateUser),
		"update-user-batch":    post((*Server).updateUserBatch),
		"delete-users-batch":   post((*Server).deleteUsersBatch),
		"set-user-departments": post((*Server).setUserDepartments),
		"get-user-departments": get((*Server).getUserDepartments),

		"list-organizations":        get((*Server).listOrganizations),
		"create-organization":       post((*Server).createOrganization),
		"get-organization":          get((*Server).getOrganization),
		"get-all-departments":       get((*Server).getAllDepartments),
		"list-children-departments": get((*Server).listChildrenDepartments),
		"get-department":            get((*Server).getDepartment),
		"create-department":         post((*Server).createDepartment),
		"update-department":         post((*Server).updateDepartment),
		"delete-department":         post((*Server).deleteDepartment),
		"list-department-members":   get((*Server).listDepartmentMembers),
		"add-department-members":    post((*Server).addDepartmentMembers),
		"remove-department-members": post((*Server).removeDepartmentMembers),
		"get-custom-fields":         get((*Server).getCustomFields),
		"list-custom-fields":        get((*Server).listCustomFields),
		"set-custom-fields":         post((*Server).setCustomFields),
		"delete-custom-fields":      post((*Server).deleteCustomFields),
		"set-custom-data":           post((*Server).setCustomData),
		"get-custom-data":           get((*Server).getCustomData),
	}
}

// Handler serves /api/v3/<verb> and the fault rules at /_emulator/faults.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/_emulator/faults", s.faults.Handler())
	mux.HandleFunc("/api/v3/", s.serveAPI)
	return mux
}

// Faults returns the fault injector (rules keyed by verb, e.g. "list-users").
func (s *Server) Faults() *faults.Injector { return s.faults }

// FailNext makes the next count calls of verb answer the envelope with statusCode (e.g. 500, 503, or
// 401, which also revokes the token the call presented, forcing the caller to fetch a new one).
func (s *Server) FailNext(verb string, statusCode, count int) {
	s.faults.Add(faults.Rule{Path: verb, Kind: faults.ErrCode, Code: statusCode, Count: count})
}

// Calls returns the number of requests per verb (verbs never called are left out).
func (s *Server) Calls() map[string]int {
	out := map[string]int{}
	for verb, n := range s.calls {
		if v := n.Load(); v > 0 {
			out[verb] = int(v)
		}
	}
	return out
}

// Throttled returns how many calls the pool's rate limit refused with HTTP 429.
func (s *Server) Throttled() int { return int(s.throttled.Load()) }

// ResetCalls sets every call count (and the throttled count) to zero.
func (s *Server) ResetCalls() {
	s.throttled.Store(0)
	for _, n := range s.calls {
		n.Store(0)
	}
}

// Writes returns the number of requests per writing verb (every POST except list-users and
// get-management-token); verbs never called are left out. A rerun that changes nothing should
// leave it empty.
func (s *Server) Writes() map[string]int {
	out := map[string]int{}
	for verb, n := range s.calls {
		if v := n.Load(); v > 0 && s.routes[verb].write {
			out[verb] = int(v)
		}
	}
	return out
}

// WriteCalls returns the number of requests to writing verbs (see Writes).
func (s *Server) WriteCalls() int {
	total := 0
	for _, n := range s.Writes() {
		total += n
	}
	return total
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	verb := strings.TrimPrefix(r.URL.Path, "/api/v3/")
	rt, ok := s.routes[verb]
	if !ok || r.Method != rt.method {
		if ok {
			s.calls[verb].Add(1)
		}
		jsonio.Write(w, http.StatusNotFound, envelope{StatusCode: 404, Message: "Cannot " + r.Method + " " + r.URL.Path})
		return
	}
	s.calls[verb].Add(1)
	if s.latency > 0 && !faults.Wait(r.Context(), s.latency) {
		return
	}
	if s.limiter != nil && !s.limiter.Allow() {
		s.throttled.Add(1)
		jsonio.Write(w, http.StatusTooManyRequests, envelope{StatusCode: 429, Message: throttleMessage})
		return
	}
	rule, handled := s.faults.Apply(w, r, verb)
	if handled {
		return
	}
	if rule.Kind == faults.ErrCode {
		if rule.Code == 401 {
			s.revoke(r) // the presented token is invalid from now on
		}
		s.writeError(w, &apiError{status: rule.Code, apiCode: rule.Code, msg: injectedMessage(rule.Code)})
		return
	}
	c := &call{q: r.URL.Query(), now: s.now().UTC()}
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			s.writeError(w, &apiError{status: 400, apiCode: 400, msg: "请求体无法读取"})
			return
		}
		c.body = body
	}
	if verb != tokenVerb {
		if aerr := s.authorize(r, c); aerr != nil {
			s.writeError(w, aerr)
			return
		}
	}
	data, aerr := s.dispatch(rt, c)
	if aerr != nil {
		s.writeError(w, aerr)
		return
	}
	jsonio.Write(w, http.StatusOK, envelope{StatusCode: 200, Message: okMessage, Data: data})
}

// dispatch runs the handler under the state lock; a successful write bumps the state version.
func (s *Server) dispatch(rt route, c *call) (any, *apiError) {
	switch {
	case rt.noLock:
		return rt.h(s, c)
	case rt.write:
		s.mu.Lock()
		defer s.mu.Unlock()
		data, aerr := rt.h(s, c)
		if aerr == nil {
			s.st.version++
		}
		return data, aerr
	default:
		s.mu.RLock()
		defer s.mu.RUnlock()
		return rt.h(s, c)
	}
}

func injectedMessage(code int) string {
	switch code {
	case 401:
		return "token 已失效，请重新获取"
	case 429:
		return throttleMessage
	case 500:
		return "服务器内部错误"
	case 502:
		return "Bad Gateway"
	case 503:
		return "服务暂不可用，请稍后重试"
	case 504:
		return "请求超时"
	}
	return fmt.Sprintf("injected error %d", code)
}

// ---- authentication ----

func (s *Server) getManagementToken(c *call) (any, *apiError) {
	var in struct {
		AccessKeyID     string `json:"accessKeyId"`
		AccessKeySecret string `json:"accessKeySecret"`
	}
	if aerr := decode(c.body, &in); aerr != nil {
		return nil, aerr
	}
	if in.AccessKeyID == "" {
		return nil, badParam("accessKeyId")
	}
	if in.AccessKeySecret == "" {
		return nil, badParam("accessKeySecret")
	}
	if in.AccessKeyID != s.poolID {
		return nil, errPoolNotFound()
	}
	if in.AccessKeySecret != s.secret {
		return nil, &apiError{status: 403, apiCode: 403, msg: "accessKeyId 或 accessKeySecret 不正确"}
	}
	tok := randomHex(24)
	s.tokMu.Lock()
	for t, exp := range s.tokens {
		if !c.now.Before(exp) {
			delete(s.tokens, t)
		}
	}
	s.tokens[tok] = c.now.Add(s.tokenTTL)
	s.tokMu.Unlock()
	return map[string]any{"access_token": tok, "expires_in": int64(s.tokenTTL / time.Second)}, nil
}

// presentedToken is the token of a request: "Bearer <t>" or the bare token.
func presentedToken(r *http.Request) string {
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	if len(auth) > 7 && strings.EqualFold(auth[:7], "bearer ") {
		auth = strings.TrimSpace(auth[7:])
	}
	return auth
}

// revoke forgets the token presented by r.
func (s *Server) revoke(r *http.Request) {
	s.tokMu.Lock()
	defer s.tokMu.Unlock()
	delete(s.tokens, presentedToken(r))
}

// authorize checks a request signature, or else the token and the pool header.
func (s *Server) authorize(r *http.Request, c *call) *apiError {
	if isSigned(r) {
		return s.verifySignature(r, c.body, c.now)
	}
	now := c.now
	auth := presentedToken(r)
	if auth == "" {
		return &apiError{status: 401, apiCode: 401, msg: "请先登录: 缺少 Authorization"}
	}
	s.tokMu.Lock()
	exp, ok := s.tokens[auth]
	s.tokMu.Unlock()
	if !ok || !now.Before(exp) {
		return &apiError{status: 401, apiCode: 401, msg: "token 无效或已过期"}
	}
	if r.Header.Get("x-authing-userpool-id") != s.poolID {
		return errPoolNotFound()
	}
	return nil
}

// ---- wire helpers ----

// envelope is every answer's body.
type envelope struct {
	StatusCode int    `json:"statusCode"`
	Message    string `json:"message"`
	APICode    int    `json:"apiCode,omitempty"`
	RequestID  string `json:"requestId,omitempty"`
	Data       any    `json:"data,omitempty"`
}

// apiError is an answer with statusCode ≠ 200 (still HTTP 200).
type apiError struct {
	status  int
	apiCode int
	msg     string
}

func (e *apiError) Error() string { return fmt.Sprintf("statusCode %d: %s", e.status, e.msg) }

// withPrefix names the batch item an error belongs to.
func (e *apiError) withPrefix(prefix string) *apiError {
	if e == nil || prefix == "" {
		return e
	}
	return &apiError{status: e.status, apiCode: e.apiCode, msg: prefix + e.msg}
}

// maxBatch is how many items a batch call takes at most.
const maxBatch = 50

// batchSize checks that a list of n items holds 1–50 of them.
func batchSize(n int, field string) *apiError {
	if n == 0 || n > maxBatch {
		return badParam(field)
	}
	return nil
}

func badParam(field string) *apiError {
	return &apiError{status: 400, apiCode: 400, msg: "参数 " + field + " 格式错误"}
}

func errUserNotFound() *apiError {
	return &apiError{status: 404, apiCode: 2004, msg: "用户不存在"}
}

func errPoolNotFound() *apiError {
	return &apiError{status: 403, apiCode: 2224, msg: "用户池不存在"}
}

func errDeptNotFound(id string) *apiError {
	return &apiError{status: 404, apiCode: 404, msg: "部门不存在: " + id}
}

func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	jsonio.Write(w, http.StatusOK, envelope{StatusCode: e.status, Message: e.msg, APICode: e.apiCode, RequestID: newRequestID()})
}

// decode unmarshals a JSON body; an empty body decodes as {}.
func decode(body []byte, v any) *apiError {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &apiError{status: 400, apiCode: 400, msg: "请求体不是合法的 JSON: " + err.Error()}
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func newRequestID() string {
	h := randomHex(16)
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

// ---- query helpers ----

func qBool(q url.Values, key string) bool {
	v := strings.ToLower(q.Get(key))
	return v == "true" || v == "1"
}

// paging reads page (≥1, default 1) and limit (1–50, default 10).
func paging(page, limit *int) (int, int, *apiError) {
	p, l := 1, 10
	if page != nil {
		if *page < 1 {
			return 0, 0, badParam("page")
		}
		p = *page
	}
	if limit != nil {
		if *limit > 50 {
			return 0, 0, &apiError{status: 400, apiCode: 400, msg: "limit must less than 50"}
		}
		if *limit < 1 {
			return 0, 0, badParam("limit")
		}
		l = *limit
	}
	return p, l, nil
}

// qPaging reads page and limit from a query string.
func qPaging(q url.Values) (int, int, *apiError) {
	var page, limit *int
	for key, dst := range map[string]**int{"page": &page, "limit": &limit} {
		if v := q.Get(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				return 0, 0, badParam(key)
			}
			*dst = &n
		}
	}
	return paging(page, limit)
}

// pageOf returns the 1-based page of list.
func pageOf[T any](list []T, page, limit int) []T {
	start := (page - 1) * limit
	if start >= len(list) {
		return nil
	}
	return list[start:min(start+limit, len(list))]
}

// isoTime renders a timestamp the way Authing does.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }
