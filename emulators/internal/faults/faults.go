// Package faults injects failures into the wecomsync HTTP emulators: extra latency, HTTP 5xx or 429
// answers, dropped connections and API-level error codes, each for the next N calls of a path or for
// a random share of them.
//
// The package knows no API envelope: an ErrCode rule is handed back to the emulator, which renders
// its own error body. It must not hold global state, read the wall clock for decisions or use an
// unseeded random source; an Injector with the same seed and the same calls fires the same faults.
package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/wecomsync/wecomsync/emulators/internal/jsonio"
)

// Kind of injected fault.
type Kind string

const (
	// HTTP5xx answers HTTP Status Code (default 502) with a short body.
	HTTP5xx Kind = "5xx"
	// ErrCode answers the API's own error envelope with Code (e.g. WeCom 45009/-1/45033/42001,
	// Authing statusCode 500); the emulator decides how to render it.
	ErrCode Kind = "errcode"
	// HTTP429 answers a real HTTP 429 (Authing throttle).
	HTTP429 Kind = "429"
	// Latency adds Delay, then the call is served normally.
	Latency Kind = "latency"
	// Drop hijacks and closes the connection without an answer.
	Drop Kind = "drop"
)

// AnyPath is the Rule.Path that matches every path.
const AnyPath = "*"

// throttleBody is the body of an injected HTTP 429: Authing's documented throttle answer, the only
// API of the project that throttles with a real 429.
const throttleBody = `{"statusCode":429,"message":"您的请求已超过最大数量限制，请稍后重试"}`

// Rule says which calls fail and how.
type Rule struct {
	// Path is the API path the rule applies to, e.g. "user/create" or "list-users"; "*" = every path.
	Path string `json:"path"`
	// Kind is the kind of fault.
	Kind Kind `json:"kind"`
	// Code is the errcode/statusCode for ErrCode, or the HTTP status for HTTP5xx.
	Code int `json:"code,omitempty"`
	// Delay is waited before the call is answered: the whole effect of a Latency rule, and an extra
	// wait before the failure for the other kinds. JSON carries nanoseconds (or a duration string
	// such as "250ms"); "delayMs" is accepted too.
	Delay time.Duration `json:"delay,omitempty"`
	// Count makes the rule fire on the next Count matching calls only; 0 = unlimited (use Rate).
	Count int `json:"count,omitempty"`
	// Rate is the probability (0..1) that the rule fires on a matching call when Count == 0.
	// 0 (or anything ≥ 1) means every matching call.
	Rate float64 `json:"rate,omitempty"`
}

// UnmarshalJSON accepts "delay" as nanoseconds or as a duration string, and "delayMs" as milliseconds.
func (r *Rule) UnmarshalJSON(b []byte) error {
	type plain Rule
	var aux struct {
		plain
		Delay   json.RawMessage `json:"delay,omitempty"`
		DelayMs int64           `json:"delayMs,omitempty"`
	}
	if err := json.Unmarshal(b, &aux); err != nil {
		return err
	}
	out := Rule(aux.plain)
	out.Delay = 0
	if len(aux.Delay) > 0 && string(aux.Delay) != "null" {
		var ns int64
		if err := json.Unmarshal(aux.Delay, &ns); err == nil {
			out.Delay = time.Duration(ns)
		} else {
			var s string
			if err := json.Unmarshal(aux.Delay, &s); err != nil {
				return fmt.Errorf("rule delay: want nanoseconds or a duration string, got %s", aux.Delay)
			}
			d, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("rule delay: %w", err)
			}
			out.Delay = d
		}
	}
	if aux.DelayMs != 0 {
		out.Delay = time.Duration(aux.DelayMs) * time.Millisecond
	}
	*r = out
	return nil
}

// Validate reports whether the rule can be applied.
func (r Rule) Validate() error {
	switch r.Kind {
	case HTTP5xx, ErrCode, HTTP429, Latency, Drop:
	default:
		return fmt.Errorf("unknown fault kind %q (want 5xx, errcode, 429, latency or drop)", r.Kind)
	}
	if r.Path == "" {
		return fmt.Errorf("fault rule needs a path (or %q)", AnyPath)
	}
	if r.Count < 0 || r.Delay < 0 || r.Rate < 0 {
		return fmt.Errorf("fault rule %s on %q: count, delay and rate must not be negative", r.Kind, r.Path)
	}
	if r.Kind == Latency && r.Delay == 0 {
		return fmt.Errorf("latency rule on %q needs a delay", r.Path)
	}
	return nil
}

// Injector holds rules; it is safe for concurrent use and deterministic for a given seed.
type Injector struct {
	mu    sync.Mutex
	rules []Rule // Count holds the calls left for counted rules
	rnd   *rand.Rand
}

// New returns an Injector without rules whose random draws (for Rate) come from seed.
func New(seed int64) *Injector {
	return &Injector{rnd: rand.New(rand.NewPCG(uint64(seed), 0x5eed))}
}

// Add appends a rule. Rules are tried in the order added.
func (i *Injector) Add(r Rule) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rules = append(i.rules, r)
}

// Reset removes all rules.
func (i *Injector) Reset() {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.rules = nil
}

// Rules returns a copy of the rules in force; a counted rule shows the calls it has left.
func (i *Injector) Rules() []Rule {
	i.mu.Lock()
	defer i.mu.Unlock()
	return append([]Rule(nil), i.rules...)
}

// Match decides the fault for one call of path and consumes one Count of each rule that fires.
// Rules are tried in the order added: firing Latency rules add up their Delay and the search goes
// on; the first firing rule of another kind ends it and is returned with the collected latency added
// to its Delay. When only Latency rules fire, the result is a Latency rule with their summed Delay.
// ok is false when no rule fires.
func (i *Injector) Match(path string) (Rule, bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	var latency time.Duration
	latencyFired := false
	for k := 0; k < len(i.rules); k++ {
		r := i.rules[k]
		if r.Path != AnyPath && r.Path != path {
			continue
		}
		if r.Count > 0 {
			i.rules[k].Count--
			if i.rules[k].Count == 0 {
				i.rules = append(i.rules[:k], i.rules[k+1:]...)
				k--
			}
		} else if r.Rate > 0 && r.Rate < 1 && i.rnd.Float64() >= r.Rate {
			continue
		}
		if r.Kind == Latency {
			latency += r.Delay
			latencyFired = true
			continue
		}
		r.Delay += latency
		r.Count = 0
		return r, true
	}
	if latencyFired {
		return Rule{Path: path, Kind: Latency, Delay: latency}, true
	}
	return Rule{}, false
}

// Apply decides the fault for one call of path (see Match) and carries out the generic kinds: it
// waits the rule's Delay, then answers HTTP5xx and HTTP429 or drops the connection, and returns
// handled=true. For ErrCode it waits the Delay and returns the rule with handled=false, so the
// emulator renders its own envelope. For Latency, or when no rule fires, it returns handled=false
// and the call is to be served normally (the returned Kind tells which). A call whose client goes
// away during the delay is handled.
func (i *Injector) Apply(w http.ResponseWriter, r *http.Request, path string) (Rule, bool) {
	rule, ok := i.Match(path)
	if !ok {
		return Rule{}, false
	}
	if !Wait(r.Context(), rule.Delay) {
		return rule, true
	}
	switch rule.Kind {
	case HTTP5xx:
		status := rule.Code
		if status < 500 || status > 599 {
			status = http.StatusBadGateway
		}
		http.Error(w, fmt.Sprintf("%d %s (injected fault)", status, http.StatusText(status)), status)
		return rule, true
	case HTTP429:
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(throttleBody))
		return rule, true
	case Drop:
		drop(w)
		return rule, true
	default: // ErrCode, Latency
		return rule, false
	}
}

// Wait sleeps for d unless ctx ends first; it reports whether the full delay passed (for d ≤ 0,
// whether ctx is still live). The emulators use it for injected and configured latency.
func Wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// drop closes the client connection without an answer. Where the connection cannot be hijacked
// (HTTP/2), it answers 502 instead.
func drop(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, "502 Bad Gateway (injected drop; connection not hijackable)", http.StatusBadGateway)
		return
	}
	_ = conn.Close()
}

// Handler serves the rules over HTTP, for a person or a bench driving a running emulator:
// GET lists the rules, POST adds one (a JSON Rule, or a JSON array of rules), DELETE removes all.
// Each emulator mounts it at /_emulator/faults.
func (i *Injector) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			jsonio.Write(w, http.StatusOK, nonNil(i.Rules()))
		case http.MethodPost:
			rules, err := decodeRules(r)
			if err != nil {
				jsonio.Write(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
				return
			}
			for _, rule := range rules {
				i.Add(rule)
			}
			jsonio.Write(w, http.StatusCreated, nonNil(i.Rules()))
		case http.MethodDelete:
			i.Reset()
			w.WriteHeader(http.StatusNoContent)
		default:
			w.Header().Set("Allow", "GET, POST, DELETE")
			jsonio.Write(w, http.StatusMethodNotAllowed, map[string]string{"error": "use GET, POST or DELETE"})
		}
	})
}

// decodeRules reads one rule or an array of rules from the request body and validates them all.
func decodeRules(r *http.Request) ([]Rule, error) {
	body := http.MaxBytesReader(nil, r.Body, 1<<20)
	var raw json.RawMessage
	if err := json.NewDecoder(body).Decode(&raw); err != nil {
		return nil, fmt.Errorf("decode fault rule: %w", err)
	}
	var rules []Rule
	if strings.HasPrefix(strings.TrimSpace(string(raw)), "[") {
		if err := json.Unmarshal(raw, &rules); err != nil {
			return nil, fmt.Errorf("decode fault rules: %w", err)
		}
	} else {
		var one Rule
		if err := json.Unmarshal(raw, &one); err != nil {
			return nil, fmt.Errorf("decode fault rule: %w", err)
		}
		rules = []Rule{one}
	}
	for _, rule := range rules {
		if err := rule.Validate(); err != nil {
			return nil, err
		}
	}
	return rules, nil
}

// nonNil makes an empty rule list encode as [] rather than null.
func nonNil(rules []Rule) []Rule {
	if rules == nil {
		return []Rule{}
	}
	return rules
}
