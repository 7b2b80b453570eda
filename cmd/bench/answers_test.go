package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestAnswerCounter(t *testing.T) {
	h := http.NewServeMux()
	h.HandleFunc("/cgi-bin/user/create", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"errcode":45009,"errmsg":"api freq out of limit"}`)
	})
	h.HandleFunc("/cgi-bin/user/list", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"errcode":0,"errmsg":"ok","userlist":[]}`)
	})
	h.HandleFunc("/cgi-bin/throttled", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusTooManyRequests)
	})
	a := newAnswerCounter(h, "/cgi-bin/")
	for _, path := range []string{"user/create", "user/create", "user/list", "throttled"} {
		rec := httptest.NewRecorder()
		a.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/cgi-bin/"+path, nil))
	}
	counts, served := a.take()
	if got := countOf(counts, "", "45009"); got != 2 {
		t.Errorf("45009 answers = %d, want 2 (%v)", got, counts)
	}
	if got := countOf(counts, "throttled", "http 429"); got != 1 {
		t.Errorf("429 answers = %d, want 1 (%v)", got, counts)
	}
	if _, ok := counts["user/list"]; ok {
		t.Errorf("a successful answer was counted as a failure: %v", counts)
	}
	if served["user/create"].Calls != 2 || served["user/list"].Calls != 1 {
		t.Errorf("served = %v", served)
	}
	if counts, served := a.take(); len(counts) != 0 || len(served) != 0 {
		t.Errorf("take did not start over: %v %v", counts, served)
	}
}
