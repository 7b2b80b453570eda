package main

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	wecomemu "github.com/wecomsync/wecomsync/emulators/wecom"
)

// answerCounter wraps an emulator's handler and counts the failures it answers, per API and
// code: WeCom's errcode (HTTP 200, {"errcode":n,…}) or any HTTP status but 200. The emulators count
// calls, not how they were answered; a 45009 (rate limit) or a 429 shows here.
type answerCounter struct {
	next   http.Handler
	prefix string // stripped from the request path to name the API

	mu     sync.Mutex
	since  time.Time
	counts map[string]map[string]int // API → code → answers
	served map[string]*serving       // API → when and how long it was served
}

// serving is how one API was served: when its first call arrived and its last one ended (seconds
// after the counter was last taken) and the time the emulator spent on its calls.
type serving struct {
	Calls int     `json:"calls"`
	First float64 `json:"firstSeconds"`
	Last  float64 `json:"lastSeconds"`
	Busy  float64 `json:"busySeconds"`
}

func newAnswerCounter(next http.Handler, prefix string) *answerCounter {
	a := &answerCounter{next: next, prefix: prefix}
	a.take()
	return a
}

func (a *answerCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec := &answerRecorder{ResponseWriter: w, status: http.StatusOK}
	start := time.Now()
	a.next.ServeHTTP(rec, r)
	end := time.Now()
	code := ""
	switch {
	case rec.status != http.StatusOK:
		code = "http " + strconv.Itoa(rec.status)
	case rec.errcode != 0:
		code = strconv.Itoa(rec.errcode)
	}
	api := strings.TrimPrefix(r.URL.Path, a.prefix)
	a.mu.Lock()
	defer a.mu.Unlock()
	sv := a.served[api]
	if sv == nil {
		sv = &serving{First: start.Sub(a.since).Seconds()}
		a.served[api] = sv
	}
	sv.Calls++
	sv.Last = max(sv.Last, end.Sub(a.since).Seconds())
	sv.Busy += end.Sub(start).Seconds()
	if code == "" {
		return
	}
	if a.counts[api] == nil {
		a.counts[api] = map[string]int{}
	}
	a.counts[api][code]++
}

// take returns the failures counted since the last take, per API and code, and how each API was
// served, and starts over.
func (a *answerCounter) take() (map[string]map[string]int, map[string]*serving) {
	a.mu.Lock()
	defer a.mu.Unlock()
	counts, served := a.counts, a.served
	a.since, a.counts, a.served = time.Now(), map[string]map[string]int{}, map[string]*serving{}
	return counts, served
}

// answerRecorder remembers the status and the errcode at the start of the first body write.
type answerRecorder struct {
	http.ResponseWriter
	status  int
	errcode int
	wrote   bool
}

func (r *answerRecorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

var errcodePrefix = []byte(`{"errcode":`)

func (r *answerRecorder) Write(b []byte) (int, error) {
	if !r.wrote {
		r.wrote = true
		if rest, ok := bytes.CutPrefix(b, errcodePrefix); ok {
			end := bytes.IndexAny(rest, ",}")
			if end > 0 {
				r.errcode, _ = strconv.Atoi(string(rest[:end]))
			}
		}
	}
	return r.ResponseWriter.Write(b)
}

// countOf returns how many answers of code the API api got (api "" = every API).
func countOf(counts map[string]map[string]int, api, code string) int {
	n := 0
	for a, byCode := range counts {
		if api == "" || a == api {
			n += byCode[code]
		}
	}
	return n
}

// wecomSwitch serves whichever WeCom emulator is current, so that a corp built with the rate
// limits lifted can go on at the real limits with the same state (a new emulator seeded from the
// old one's snapshot) behind the same URL the worker knows.
type wecomSwitch struct {
	cur atomic.Pointer[wecomServed]
}

type wecomServed struct {
	srv *wecomemu.Server
	h   http.Handler
}

func (s *wecomSwitch) set(srv *wecomemu.Server) {
	s.cur.Store(&wecomServed{srv: srv, h: srv.Handler()})
}

func (s *wecomSwitch) server() *wecomemu.Server { return s.cur.Load().srv }

func (s *wecomSwitch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.cur.Load().h.ServeHTTP(w, r)
}
