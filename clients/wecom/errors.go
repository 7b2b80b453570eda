package wecom

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/wecomsync/wecomsync/clients/apierr"
)

// APIError is a call that WeCom answered with an errcode ≠ 0, or with an HTTP status other than 200.
type APIError struct {
	// Op is the API path, e.g. "user/create".
	Op string
	// ErrCode is WeCom's errcode; 0 when the answer carried no envelope (see HTTPStatus).
	ErrCode int
	// ErrMsg is WeCom's errmsg (informational; decide on ErrCode).
	ErrMsg string
	// HTTPStatus is the HTTP status of the answer (200 for errcode answers).
	HTTPStatus int

	retryAfter time.Duration
}

// Error describes the failure; it never holds a token or secret.
func (e *APIError) Error() string {
	if e.ErrCode == 0 && e.HTTPStatus != http.StatusOK {
		return redact(fmt.Sprintf("wecom %s: HTTP %d %s", e.Op, e.HTTPStatus, e.ErrMsg))
	}
	return redact(fmt.Sprintf("wecom %s: errcode %d: %s", e.Op, e.ErrCode, e.ErrMsg))
}

// Class says how a sync reacts to the error (reference §6). 40014/42001 (a token WeCom no
// longer takes) reach a caller only when the client's refresh and retry failed too: retryable.
func (e *APIError) Class() apierr.Class {
	if e.ErrCode == 0 {
		switch {
		case e.HTTPStatus >= 500, e.HTTPStatus == http.StatusTooManyRequests:
			return apierr.Retryable
		case e.HTTPStatus != http.StatusOK:
			return apierr.Run // a wrong base URL or a proxy in the way
		}
	}
	switch e.ErrCode {
	case -1, 45009, 45033, 302008, 40014, 42001, 40082, 42009:
		return apierr.Retryable
	case 40001, 40013, 41001, 45024, 45026, 48001, 48002, 48004, 48009, 40084, 40088, 40092,
		60020, 60031, 301002, 301042, 302003, 302004, 302005, 302006, 302007:
		return apierr.Run
	case 60004, 60005, 60006:
		return apierr.Order
	case 60111:
		return apierr.Gone
	case 40003, 301021:
		// An unknown userid on user/delete is answered with these too (reference §6).
		if e.Op == "user/delete" {
			return apierr.Gone
		}
		return apierr.Record
	case 60003:
		if e.Op == "department/delete" {
			return apierr.Gone
		}
		return apierr.Record
	case 60102, 60008:
		return apierr.Exists
	default:
		return apierr.Record
	}
}

// RetryAfter is how long WeCom blocks the API after a 45009 (the rest of its window), else 0.
func (e *APIError) RetryAfter() time.Duration { return e.retryAfter }

// needsToken reports an answer that asks for a new access token (40014 invalid, 42001 expired, and
// the third-party suite equivalents).
func needsToken(err error) bool {
	switch errCode(err) {
	case 40014, 42001, 40082, 42009:
		return true
	}
	return false
}

// TransportError is a call that got no answer: connection refused or reset, timeout, dropped
// connection. It is retryable.
type TransportError struct {
	// Op is the API path.
	Op string
	// Err is the underlying error, with any URL in it redacted.
	Err error
}

// Error describes the failure; it never holds a token or secret.
func (e *TransportError) Error() string {
	return redact(fmt.Sprintf("wecom %s: %v", e.Op, e.Err))
}

// Unwrap returns the underlying (redacted) error.
func (e *TransportError) Unwrap() error { return e.Err }

// newTransportError wraps err, removing secrets from any URL it carries.
func newTransportError(op string, err error) *TransportError {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: redact(ue.URL), Err: ue.Err}
	}
	return &TransportError{Op: op, Err: err}
}

// Class is always Retryable: the request may succeed when sent again.
func (e *TransportError) Class() apierr.Class { return apierr.Retryable }

// secretParams are the query parameters whose values never leave the client.
func secretParams() []string { return []string{"access_token=", "corpsecret="} }

// redact replaces the values of access_token and corpsecret parameters in s with REDACTED. Every
// error string and log field that may hold a URL goes through here.
func redact(s string) string {
	lower := strings.ToLower(s)
	var b strings.Builder
	i := 0
	for {
		at, param := -1, ""
		for _, p := range secretParams() {
			if j := strings.Index(lower[i:], p); j >= 0 && (at < 0 || i+j < at) {
				at, param = i+j, p
			}
		}
		if at < 0 {
			b.WriteString(s[i:])
			return b.String()
		}
		end := at + len(param)
		b.WriteString(s[i:end])
		b.WriteString("REDACTED")
		for end < len(s) && !strings.ContainsRune("& \t\n\"'", rune(s[end])) {
			end++
		}
		i = end
	}
}
