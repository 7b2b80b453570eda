package authing

import (
	"errors"
	"fmt"
	"strings"

	"github.com/wecomsync/wecomsync/clients/apierr"
)

// apiCodePoolNotFound is Authing's apiCode for 用户池不存在.
const apiCodePoolNotFound = 2224

// ErrBatchSize is returned, before any request, for a batch of 0 or more than MaxBatchSize items.
var ErrBatchSize = errors.New("authing: a batch takes 1 to 50 items")

// APIError is an answer whose statusCode is not 200 (or a non-2xx HTTP answer). The message is the
// server's, with the pool secret and tokens redacted.
type APIError struct {
	// Op is the API verb, e.g. "create-users-batch".
	Op string
	// HTTPStatus is the HTTP status (200 for most Authing errors, 429 when throttled).
	HTTPStatus int
	// StatusCode is the body's statusCode (the HTTP status when the body had none).
	StatusCode int
	// APICode is the body's apiCode (0 when absent).
	APICode   int
	Message   string
	RequestID string
}

// Error implements error.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "authing %s: statusCode %d", e.Op, e.StatusCode)
	if e.APICode != 0 && e.APICode != e.StatusCode {
		fmt.Fprintf(&b, " (apiCode %d)", e.APICode)
	}
	if e.HTTPStatus != 0 && e.HTTPStatus != 200 && e.HTTPStatus != e.StatusCode {
		fmt.Fprintf(&b, " (HTTP %d)", e.HTTPStatus)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [requestId %s]", e.RequestID)
	}
	return b.String()
}

// Class classifies the error (reference §7.1). A 401 that reaches the caller already survived one
// token refresh, so it is run-level. A real HTTP 404 (unknown verb, wrong base URL) is run-level
// too: Authing answers a missing object with HTTP 200 and statusCode 404, which is Gone; a unique
// clash (409) is Exists.
func (e *APIError) Class() apierr.Class {
	if e.APICode == apiCodePoolNotFound || e.HTTPStatus == 404 {
		return apierr.Run
	}
	if e.HTTPStatus == 429 {
		return apierr.Retryable
	}
	switch c := e.StatusCode; {
	case c == 429 || c == 500 || c == 502 || c == 503 || c == 504:
		return apierr.Retryable
	case c == 401 || c == 402 || c == 403 || c == 501:
		return apierr.Run
	case c == 404:
		return apierr.Gone
	case c == 409:
		return apierr.Exists
	case c == 400 || c == 413 || c == 422 || c == 499 || (c >= 601 && c <= 603):
		return apierr.Record
	case e.HTTPStatus >= 500:
		return apierr.Retryable
	}
	return apierr.Unknown
}

// TransportError is a request that got no usable answer (connection refused or dropped, timeout,
// unreadable body). It is retryable.
type TransportError struct {
	Op string
	// msg is the redacted text of Err.
	msg string
	Err error
}

// Error implements error.
func (e *TransportError) Error() string { return "authing " + e.Op + ": " + e.msg }

// Unwrap returns the underlying error.
func (e *TransportError) Unwrap() error { return e.Err }

// Class is always Retryable: the request may succeed when sent again.
func (e *TransportError) Class() apierr.Class { return apierr.Retryable }
