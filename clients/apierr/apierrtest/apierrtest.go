// Package apierrtest records what the clients tell their Observer, for the clients' tests.
package apierrtest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/wecomsync/wecomsync/clients/apierr"
)

// Calls records the calls an Observer is told of; safe for concurrent use.
type Calls struct {
	mu  sync.Mutex
	got []apierr.Call
}

// Observe is the Observer to give a client.
func (c *Calls) Observe(call apierr.Call) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.got = append(c.got, call)
}

// Of returns the "outcome/code" of every call of api, in order.
func (c *Calls) Of(api string) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, call := range c.got {
		if call.API == api {
			out = append(out, call.Outcome+"/"+call.Code)
		}
	}
	return out
}

// All returns every recorded call, in order.
func (c *Calls) All() []apierr.Call {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]apierr.Call(nil), c.got...)
}

// HangingServer answers each path of answers with its body and holds every other request until
// the caller gives up or the test ends: an API that never answers, for timeouts and cancellations.
func HangingServer(t testing.TB, answers map[string]string) *httptest.Server {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if body, ok := answers[r.URL.Path]; ok {
			_, _ = w.Write([]byte(body))
			return
		}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // cleanups run last first: held requests end, then the server closes
	return srv
}
