package wecom

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/wecomsync/wecomsync/emulators/internal/faults"
	"github.com/wecomsync/wecomsync/emulators/internal/ratewindow"
)

// Mode is the kind of app whose view of the directory the emulator serves.
type Mode string

const (
	// ModeSelfBuilt serves every field (a self-built app of a private deployment, or an app
	// created before 2022-06-20).
	ModeSelfBuilt Mode = "selfbuilt"
	// ModeDaiKaiFa hides mobile, email, biz_mail, avatar, thumb_avatar, qr_code, gender, address
	// (and direct_leader) in every read, as WeCom does for 代开发 apps.
	ModeDaiKaiFa Mode = "daikaifa"
)

// Defaults of a Server built without options.
const (
	DefaultCorpID         = "ww-demo-corp"
	DefaultContactsSecret = "demo-contacts-secret"
	DefaultCorpName       = "我的企业"
	DefaultTokenTTL       = 7200 * time.Second
	DefaultPerMinute      = 10000
	DefaultPerHour        = 150000
	// DefaultMaxNodes is WeCom's limit of nodes (sub-departments + members) under one department.
	DefaultMaxNodes = 30000
)

// FaultsPath is where Handler mounts the fault injector.
const FaultsPath = "/_emulator/faults"

// maxBody caps a request body.
const maxBody = 8 << 20

type tokenKind int

const (
	tokenContacts tokenKind = iota + 1 // 通讯录同步 secret: reads and writes
	tokenApp                           // app secret: reads only
)

type token struct {
	kind    tokenKind
	expires time.Time
}

// Option configures a Server.
type Option func(*Server)

// WithCorp sets the corp id and the contacts-sync (通讯录同步) secret gettoken accepts.
func WithCorp(corpID, contactsSecret string) Option {
	return func(s *Server) { s.corpID, s.contactsSecret = corpID, contactsSecret }
}

// WithAppSecret adds an app secret whose tokens may read but not write (48002).
func WithAppSecret(secret string) Option {
	return func(s *Server) { s.appSecret = secret }
}

// WithMode sets the app mode (default ModeSelfBuilt).
func WithMode(m Mode) Option {
	return func(s *Server) { s.mode = m }
}

// WithNewIP makes detail reads (user/get, user/list, department/list, department/get) with the
// contacts-sync token answer 48009, as WeCom does for IPs added after 2022-08-15.
func WithNewIP(on bool) Option {
	return func(s *Server) { s.newIP = on }
}

// WithTokenTTL sets the access-token lifetime (default 7200 s).
func WithTokenTTL(d time.Duration) Option {
	return func(s *Server) {
		if d > 0 {
			s.tokenTTL = d
		}
	}
}

// WithClock sets the clock used for token expiry and rate-limit windows.
func WithClock(now func() time.Time) Option {
	return func(s *Server) {
		if now != nil {
			s.clock = now
		}
	}
}

// WithRateLimits sets the per-corp, per-API call limits per minute and per hour (defaults
// 10,000 and 150,000; 0 = unlimited). Past a limit every call of that API answers 45009 until the
// window ends.
func WithRateLimits(perMinute, perHour int) Option {
	return func(s *Server) { s.perMinute, s.perHour = perMinute, perHour }
}

// WithMaxConcurrent answers 45033 (接口并发调用超过限制) to a call that arrives while n calls of the
// corp are already in flight; n ≤ 0 (the default) means no limit. WeCom does not publish its
// number, so the default leaves it off rather than make benchmarks measure an invented limit;
// tests and benches opt in with a small n.
func WithMaxConcurrent(n int) Option {
	return func(s *Server) { s.maxConcurrent = n }
}

// WithMaxNodes sets how many nodes (sub-departments + direct members) one department may hold
// before a create, move or join answers 81001 (default 30,000; ≤ 0 = unlimited). Tests lower it.
func WithMaxNodes(n int) Option {
	return func(s *Server) { s.maxNodes = n }
}

// WithLatency adds a base latency to every API call.
func WithLatency(d time.Duration) Option {
	return func(s *Server) { s.latency = d }
}

// WithFaultSeed seeds the fault injector's random draws (default 1).
func WithFaultSeed(seed int64) Option {
	return func(s *Server) { s.faultSeed = seed }
}

// Server is an in-memory WeCom contacts API. It is safe for concurrent use.
type Server struct {
	corpID         string
	contactsSecret string
	appSecret      string
	mode           Mode
	newIP          bool
	tokenTTL       time.Duration
	clock          func() time.Time
	perMinute      int
	perHour        int
	maxConcurrent  int
	maxNodes       int
	latency        time.Duration
	faultSeed      int64

	faults   *faults.Injector
	minute   *ratewindow.Limiter
	hour     *ratewindow.Limiter
	hints    atomic.Int64
	inFlight atomic.Int64

	mu      sync.RWMutex // guards st, tokens, current
	st      *state
	tokens  map[string]token
	current map[tokenKind]string

	callsMu sync.Mutex
	calls   map[string]int
}

// New returns a Server holding an empty corp (only the root department).
func New(opts ...Option) *Server {
	s := &Server{
		corpID:         DefaultCorpID,
		contactsSecret: DefaultContactsSecret,
		mode:           ModeSelfBuilt,
		tokenTTL:       DefaultTokenTTL,
		clock:          time.Now,
		perMinute:      DefaultPerMinute,
		perHour:        DefaultPerHour,
		maxNodes:       DefaultMaxNodes,
		faultSeed:      1,
		st:             newState(DefaultCorpName),
		tokens:         make(map[string]token),
		current:        make(map[tokenKind]string),
		calls:          make(map[string]int),
	}
	for _, o := range opts {
		o(s)
	}
	s.st.maxNodes = s.maxNodes
	s.faults = faults.New(s.faultSeed)
	s.minute = ratewindow.New(s.perMinute, time.Minute)
	s.hour = ratewindow.New(s.perHour, time.Hour)
	return s
}

// CorpID returns the corp id gettoken accepts.
func (s *Server) CorpID() string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.corpID
}

// Seed replaces the whole directory with the fixture; a non-empty CorpID also replaces the corp id.
// Issued tokens stay valid. On error nothing changes. A fixture may hold more nodes under one
// department than WithMaxNodes allows; only API calls are refused with 81001.
func (s *Server) Seed(f Fixture) error {
	st, err := stateFromFixture(f)
	if err != nil {
		return fmt.Errorf("seed wecom emulator: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	st.maxNodes = s.maxNodes
	s.st = st
	if f.CorpID != "" {
		s.corpID = f.CorpID
	}
	return nil
}

// Snapshot returns a deep copy of the directory: departments parents first, users in creation
// order, with each department's leaders filled in.
func (s *Server) Snapshot() Fixture {
	s.mu.RLock()
	defer s.mu.RUnlock()
	f := Fixture{CorpID: s.corpID, CorpName: s.st.corpName}
	for _, id := range s.st.subtree(RootDepartmentID) {
		f.Departments = append(f.Departments, s.st.department(id))
	}
	for _, rec := range s.st.users {
		if !rec.deleted {
			f.Users = append(f.Users, rec.u.clone())
		}
	}
	return f
}

// Faults returns the fault injector (also served at /_emulator/faults).
func (s *Server) Faults() *faults.Injector { return s.faults }

// FailNext makes the next count calls of path (e.g. "user/create", "gettoken") answer errcode.
// A count below 1 counts as 1.
func (s *Server) FailNext(path string, errcode, count int) {
	s.faults.Add(faults.Rule{Path: path, Kind: faults.ErrCode, Code: errcode, Count: max(count, 1)})
}

// RevokeTokens invalidates every issued token: their next use answers 40014.
func (s *Server) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
	clear(s.current)
}

// Calls returns how many calls each API path (e.g. "user/create") received, failed ones included.
func (s *Server) Calls() map[string]int {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	return maps.Clone(s.calls)
}

// ResetCalls zeroes the call counters.
func (s *Server) ResetCalls() {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	clear(s.calls)
}

// Writes returns how many calls each write API (create, update, delete, batchdelete) received,
// failed ones included; write APIs never called are left out. A rerun that changes nothing
// should leave it empty.
func (s *Server) Writes() map[string]int {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	out := make(map[string]int)
	for path, c := range s.calls {
		if ep, ok := endpointFor(path); ok && ep.write {
			out[path] = c
		}
	}
	return out
}

// WriteCalls returns how many create, update and delete calls (batchdelete included) were received.
func (s *Server) WriteCalls() int {
	n := 0
	for _, c := range s.Writes() {
		n += c
	}
	return n
}

// Handler serves the API under /cgi-bin/ (so a client's base URL is http://host:port/cgi-bin/),
// the fault injector at /_emulator/faults, call counters at /_emulator/calls (GET; DELETE resets)
// and a liveness probe at /_emulator/healthz.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle(FaultsPath, s.faults.Handler())
	mux.HandleFunc("/_emulator/healthz", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("/_emulator/calls", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			s.ResetCalls()
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_ = json.NewEncoder(w).Encode(s.Calls())
	})
	mux.HandleFunc("/cgi-bin/", s.serveAPI)
	return mux
}

// call is one authenticated API call.
type call struct {
	q    url.Values
	body []byte
	kind tokenKind
}

// envelope is the part of every answer that says how the call went.
type envelope struct {
	ErrCode int    `json:"errcode"`
	ErrMsg  string `json:"errmsg"`
}

func success(msg string) envelope { return envelope{ErrMsg: msg} }

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, "/cgi-bin/")
	ep, known := endpointFor(path)
	if !known {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		_, _ = io.WriteString(w, `{"errcode":404,"errmsg":"invalid url"}`)
		return
	}
	s.countCall(path)
	if !s.enter() {
		s.writeError(w, 45033)
		return
	}
	defer s.leave()
	if !faults.Wait(r.Context(), s.latency) {
		return
	}
	rule, handled := s.faults.Apply(w, r, path)
	if handled {
		return
	}
	if rule.Kind == faults.ErrCode {
		s.writeError(w, rule.Code)
		return
	}
	if r.Method != ep.method {
		s.writeError(w, 40058)
		return
	}
	q := r.URL.Query()
	if path == "gettoken" {
		s.writeResult(w, s.getToken(q))
		return
	}
	kind, code := s.authenticate(q.Get("access_token"))
	if code == 0 {
		code = s.limit(path)
	}
	if code == 0 {
		code = s.permit(ep, kind)
	}
	if code != 0 {
		s.writeError(w, code)
		return
	}
	c := &call{q: q, kind: kind}
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
		if err != nil {
			return // the client went away
		}
		if len(strings.TrimSpace(string(body))) == 0 {
			body = []byte("{}")
		}
		c.body = body
	}
	s.writeResult(w, ep.fn(s, c))
}

func (s *Server) countCall(path string) {
	s.callsMu.Lock()
	defer s.callsMu.Unlock()
	s.calls[path]++
}

// result is what an endpoint answers: a body on success, else an errcode.
type result struct {
	body any
	code int
}

func fail(code int) result { return result{code: code} }

func (s *Server) writeResult(w http.ResponseWriter, res result) {
	if res.code != 0 {
		s.writeError(w, res.code)
		return
	}
	writeJSON(w, res.body)
}

func (s *Server) writeError(w http.ResponseWriter, code int) {
	hint := s.hints.Add(1)
	msg := fmt.Sprintf("%s, hint: [%d_%06d], more info at https://open.work.weixin.qq.com/devtool/query?e=%d",
		errText(code), s.clock().Unix(), hint%1000000, code)
	writeJSON(w, envelope{ErrCode: code, ErrMsg: msg})
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"errcode":-1,"errmsg":"system busy"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

// ---- tokens, limits, permissions ----

type tokenResponse struct {
	envelope
	AccessToken string `json:"access_token"`
	ExpiresIn   int    `json:"expires_in"`
}

func (s *Server) getToken(q url.Values) result {
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.Get("corpid") != s.corpID {
		return fail(40013)
	}
	var kind tokenKind
	switch secret := q.Get("corpsecret"); {
	case secret != "" && secret == s.contactsSecret:
		kind = tokenContacts
	case secret != "" && secret == s.appSecret:
		kind = tokenApp
	default:
		return fail(40001)
	}
	if code := s.limit("gettoken"); code != 0 {
		return fail(code)
	}
	now := s.clock()
	// Within its lifetime the same token comes back, with the seconds it has left.
	if tok, ok := s.current[kind]; ok && now.Before(s.tokens[tok].expires) {
		left := s.tokens[tok].expires.Sub(now)
		return result{body: tokenResponse{envelope: success("ok"), AccessToken: tok, ExpiresIn: ceilSeconds(left)}}
	}
	tok := newToken()
	s.tokens[tok] = token{kind: kind, expires: now.Add(s.tokenTTL)}
	s.current[kind] = tok
	return result{body: tokenResponse{envelope: success("ok"), AccessToken: tok, ExpiresIn: ceilSeconds(s.tokenTTL)}}
}

func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

// newToken returns a random token of 128 characters, about the length WeCom issues.
func newToken() string {
	b := make([]byte, 96)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) authenticate(tok string) (tokenKind, int) {
	if tok == "" {
		return 0, 41001
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, found := s.tokens[tok]
	switch {
	case !found:
		return 0, 40014
	case !s.clock().Before(t.expires):
		return 0, 42001
	}
	return t.kind, 0
}

// permit applies the token kind's rights.
func (s *Server) permit(ep endpoint, kind tokenKind) int {
	switch {
	case kind == tokenApp && (ep.write || ep.contactsOnly):
		return 48002
	case kind == tokenContacts && s.newIP && ep.detail:
		return 48009
	}
	return 0
}
