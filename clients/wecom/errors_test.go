package wecom

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wecomsync/wecomsync/clients/apierr"
)

func TestAPIErrorClass(t *testing.T) {
	tests := []struct {
		op     string
		code   int
		status int
		want   apierr.Class
	}{
		{"user/create", -1, 200, apierr.Retryable},
		{"user/create", 45009, 200, apierr.Retryable},
		{"user/create", 45033, 200, apierr.Retryable},
		{"user/create", 0, 502, apierr.Retryable},
		{"user/create", 0, 503, apierr.Retryable},
		{"user/create", 0, 429, apierr.Retryable},
		{"user/create", 0, 404, apierr.Run},
		{"user/get", 40014, 200, apierr.Retryable},
		{"user/get", 42001, 200, apierr.Retryable},
		{"gettoken", 40001, 200, apierr.Run},
		{"gettoken", 40013, 200, apierr.Run},
		{"user/get", 41001, 200, apierr.Run},
		{"user/create", 48002, 200, apierr.Run},
		{"user/get", 48009, 200, apierr.Run},
		{"department/create", 60004, 200, apierr.Order},
		{"department/delete", 60005, 200, apierr.Order},
		{"department/delete", 60006, 200, apierr.Order},
		{"user/delete", 60111, 200, apierr.Gone},
		{"department/delete", 60003, 200, apierr.Gone},
		{"department/update", 60003, 200, apierr.Record},
		{"user/create", 60003, 200, apierr.Record},
		{"user/create", 60102, 200, apierr.Exists},
		{"department/create", 60008, 200, apierr.Exists},
		{"user/create", 60104, 200, apierr.Record},
		{"user/create", 60106, 200, apierr.Record},
		{"user/create", 40003, 200, apierr.Record},
		{"user/create", 40058, 200, apierr.Record},
		{"user/batchdelete", 40031, 200, apierr.Record},
		{"user/create", 60129, 200, apierr.Record},
		{"user/create", 99999, 200, apierr.Record},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d/%d", tt.op, tt.code, tt.status), func(t *testing.T) {
			e := &APIError{Op: tt.op, ErrCode: tt.code, HTTPStatus: tt.status}
			if got := e.Class(); got != tt.want {
				t.Fatalf("Class = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHelpersSeeThroughWrapping(t *testing.T) {
	wrap := func(e error) error { return fmt.Errorf("create user %q: %w", "u1", e) }
	tests := []struct {
		name string
		err  error
		is   func(error) bool
	}{
		{"retryable", wrap(&APIError{Op: "x", ErrCode: -1, HTTPStatus: 200}), apierr.IsRetryable},
		{"transport", wrap(&TransportError{Op: "x", Err: errors.New("reset")}), apierr.IsRetryable},
		{"record", wrap(&APIError{Op: "x", ErrCode: 60104, HTTPStatus: 200}), apierr.IsRecord},
		{"run", wrap(&APIError{Op: "x", ErrCode: 40001, HTTPStatus: 200}), apierr.IsRun},
		{"order", wrap(&APIError{Op: "x", ErrCode: 60004, HTTPStatus: 200}), apierr.IsOrder},
		{"exists", wrap(&APIError{Op: "x", ErrCode: 60102, HTTPStatus: 200}), apierr.IsExists},
		{"gone", wrap(&APIError{Op: "x", ErrCode: 60111, HTTPStatus: 200}), apierr.IsGone},
	}
	all := []func(error) bool{apierr.IsRetryable, apierr.IsRecord, apierr.IsRun, apierr.IsOrder, apierr.IsExists, apierr.IsGone}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := 0
			for _, is := range all {
				if is(tt.err) {
					n++
				}
			}
			if !tt.is(tt.err) || n != 1 {
				t.Fatalf("%v: matched %d helpers, want exactly the expected one", tt.err, n)
			}
		})
	}
	for _, err := range []error{nil, errors.New("plain"), context.Canceled, fmt.Errorf("x: %w", context.Canceled)} {
		for _, is := range all {
			if is(err) {
				t.Fatalf("%v classified", err)
			}
		}
	}
	if apierr.IsRetryable(&TransportError{Op: "x", Err: context.Canceled}) {
		t.Fatal("a cancelled call is retryable")
	}
}

func TestRetryAfter(t *testing.T) {
	rl := &APIError{Op: "x", ErrCode: 45009, HTTPStatus: 200, retryAfter: 42 * time.Second}
	if got := apierr.RetryAfter(fmt.Errorf("w: %w", rl)); got != 42*time.Second {
		t.Fatalf("apierr.RetryAfter = %v", got)
	}
	if got := apierr.RetryAfter(&APIError{Op: "x", ErrCode: -1}); got != 0 {
		t.Fatalf("apierr.RetryAfter of -1 = %v", got)
	}
	if apierr.RetryAfter(nil) != 0 {
		t.Fatal("apierr.RetryAfter(nil) != 0")
	}
}

func TestErrorStrings(t *testing.T) {
	e := &APIError{Op: "user/create", ErrCode: 60104, ErrMsg: "mobile existed", HTTPStatus: 200}
	if got := e.Error(); got != "wecom user/create: errcode 60104: mobile existed" {
		t.Fatalf("Error = %q", got)
	}
	h := &APIError{Op: "user/get", HTTPStatus: 502, ErrMsg: "Bad Gateway"}
	if got := h.Error(); got != "wecom user/get: HTTP 502 Bad Gateway" {
		t.Fatalf("Error = %q", got)
	}
	if apierr.Retryable.String() != "retryable" || apierr.Exists.String() != "exists" {
		t.Fatal("Class.String")
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://h/cgi-bin/gettoken?corpid=c&corpsecret=abc123", "https://h/cgi-bin/gettoken?corpid=c&corpsecret=REDACTED"},
		{"GET /x?access_token=T0K&userid=u", "GET /x?access_token=REDACTED&userid=u"},
		{`"/x?ACCESS_TOKEN=T0K" and corpsecret=zz done`, `"/x?ACCESS_TOKEN=REDACTED" and corpsecret=REDACTED done`},
		{"nothing here", "nothing here"},
		{"access_token=", "access_token=REDACTED"},
	}
	for _, tt := range tests {
		if got := redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	ue := &url.Error{Op: "Get", URL: "http://h/x?access_token=SECRETTOKEN", Err: errors.New("EOF")}
	te := newTransportError("x", ue)
	var got *url.Error
	if !errors.As(te, &got) || strings.Contains(got.URL, "SECRETTOKEN") || strings.Contains(te.Error(), "SECRETTOKEN") {
		t.Fatalf("transport error keeps the token: %v", te)
	}
}
