package authing

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// ErrorClass says how a caller should react to an error.
type ErrorClass string

const (
	// ClassRetryable errors are transient: back off and try again (HTTP 429, 5xx, transport).
	ClassRetryable ErrorClass = "retryable"
	// ClassRecord errors belong to one object: record the failure on it and go on.
	ClassRecord ErrorClass = "record"
	// ClassRun errors make every further call fail too (credentials, plan, missing pool): stop the run.
	ClassRun ErrorClass = "run"
	// ClassUnknown is anything else (including context cancellation).
	ClassUnknown ErrorClass = "unknown"
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
// too: Authing answers a missing object with HTTP 200 and statusCode 404.
func (e *APIError) Class() ErrorClass {
	if e.APICode == apiCodePoolNotFound || e.HTTPStatus == 404 {
		return ClassRun
	}
	if e.HTTPStatus == 429 {
		return ClassRetryable
	}
	switch c := e.StatusCode; {
	case c == 429 || c == 500 || c == 502 || c == 503 || c == 504:
		return ClassRetryable
	case c == 401 || c == 402 || c == 403 || c == 501:
		return ClassRun
	case c == 400 || c == 404 || c == 409 || c == 413 || c == 422 || c == 499 || (c >= 601 && c <= 603):
		return ClassRecord
	case e.HTTPStatus >= 500:
		return ClassRetryable
	}
	return ClassUnknown
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

// Class classifies err: an *APIError by its code, a *TransportError as retryable, anything else
// (context cancellation, ErrBatchSize, …) as unknown.
func Class(err error) ErrorClass {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return ClassUnknown
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Class()
	}
	var te *TransportError
	if errors.As(err, &te) {
		return ClassRetryable
	}
	return ClassUnknown
}

// IsRetryable reports a transient error: HTTP 429, statusCode 429/500/502/503/504, transport errors.
func IsRetryable(err error) bool { return Class(err) == ClassRetryable }

// IsRecord reports an error that fails one object (400/404/409/413/422/499/601–603).
func IsRecord(err error) bool { return Class(err) == ClassRecord }

// IsRun reports an error that fails the run (401 after a refresh, 402, 403, 501, pool not found).
func IsRun(err error) bool { return Class(err) == ClassRun }

// IsNotFound reports statusCode 404 (e.g. 用户不存在), not a real HTTP 404.
func IsNotFound(err error) bool { return hasStatus(err, 404) }

// IsConflict reports statusCode 409: a unique attribute clashes with an existing object.
func IsConflict(err error) bool { return hasStatus(err, 409) }

func hasStatus(err error, code int) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.StatusCode == code && ae.Class() == ClassRecord
}
