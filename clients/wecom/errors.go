package wecom

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Class says how a sync should react to an error (reference §6).
type Class int

const (
	// Retryable errors are transient: back off and try again (-1, 45009, 45033, HTTP 5xx/429,
	// transport errors).
	Retryable Class = iota + 1
	// Refresh errors need a new access token and one more try (40014, 42001); the client does
	// this itself, so a caller sees one only when the retry failed the same way.
	Refresh
	// Record errors fail one record; the run goes on (bad field, conflict, 60xxx).
	Record
	// Run errors are configuration or permission problems: stop the run (40001, 40013, 48002, 48009…).
	Run
	// Order errors need other work first: a parent department (60004), or members or children
	// moved away before a delete (60005, 60006).
	Order
	// Gone means the object is not there: 60111, or 60003 on department/delete. A delete treats it
	// as success.
	Gone
	// Exists means the object is already there (60102 userid, 60008 department): look it up, then
	// update.
	Exists
)

// String returns the class name.
func (c Class) String() string {
	switch c {
	case Retryable:
		return "retryable"
	case Refresh:
		return "refresh"
	case Record:
		return "record"
	case Run:
		return "run"
	case Order:
		return "order"
	case Gone:
		return "gone"
	case Exists:
		return "exists"
	default:
		return fmt.Sprintf("Class(%d)", int(c))
	}
}

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

// Class says how to react to the error.
func (e *APIError) Class() Class {
	if e.ErrCode == 0 {
		switch {
		case e.HTTPStatus >= 500, e.HTTPStatus == http.StatusTooManyRequests:
			return Retryable
		case e.HTTPStatus != http.StatusOK:
			return Run // a wrong base URL or a proxy in the way
		}
	}
	switch e.ErrCode {
	case -1, 45009, 45033, 302008:
		return Retryable
	case 40014, 42001, 40082, 42009:
		return Refresh
	case 40001, 40013, 41001, 45024, 45026, 48001, 48002, 48004, 48009, 40084, 40088, 40092,
		60020, 60031, 301002, 301042, 302003, 302004, 302005, 302006, 302007:
		return Run
	case 60004, 60005, 60006:
		return Order
	case 60111:
		return Gone
	case 40003, 301021:
		// An unknown userid on user/delete is answered with these too (reference §6).
		if e.Op == "user/delete" {
			return Gone
		}
		return Record
	case 60003:
		if e.Op == "department/delete" {
			return Gone
		}
		return Record
	case 60102, 60008:
		return Exists
	default:
		return Record
	}
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

// classOf returns the class of err: an *APIError's class, Retryable for a *TransportError, 0 otherwise.
func classOf(err error) Class {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Class()
	}
	var te *TransportError
	if errors.As(err, &te) {
		return Retryable
	}
	return 0
}

// IsRetryable reports whether err is transient (back off, then retry). Cancellation is not.
func IsRetryable(err error) bool {
	return classOf(err) == Retryable && !errors.Is(err, context.Canceled)
}

// IsRecord reports whether err fails only the record it was about.
func IsRecord(err error) bool { return classOf(err) == Record }

// IsRun reports whether err is a configuration or permission problem that should stop the run.
func IsRun(err error) bool { return classOf(err) == Run }

// IsOrder reports whether err asks for other work first (parent missing, members or children left).
func IsOrder(err error) bool { return classOf(err) == Order }

// IsAlreadyExists reports whether the object to create is already there (60102, 60008).
func IsAlreadyExists(err error) bool { return classOf(err) == Exists }

// IsGone reports whether the object is not there (60111; 60003 on department/delete).
func IsGone(err error) bool { return classOf(err) == Gone }

// RetryAfter returns how long to wait before calling again after a 45009 (rate limit) error, or 0.
func RetryAfter(err error) time.Duration {
	var ae *APIError
	if errors.As(err, &ae) && ae.ErrCode == 45009 {
		return ae.retryAfter
	}
	return 0
}

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
