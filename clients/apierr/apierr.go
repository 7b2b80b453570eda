// Package apierr is the error vocabulary the WeCom and the Authing clients share: each client
// turns its own failures (a WeCom errcode, an Authing statusCode, a lost connection) into an error
// of one of these classes, so the activities react to both systems the same way — retry, fail one
// object, stop the run, reorder, treat as done, adopt what exists.
//
// It must not know either API: the mapping of codes to classes lives in each client.
package apierr

import (
	"context"
	"errors"
	"time"
)

// Class says how a sync reacts to an error.
type Class int

// Classes, from the reference's reactions (reference/wecom-api.md §6, authing-api.md §7.1).
const (
	// Unknown is anything else, context cancellation included.
	Unknown Class = iota
	// Retryable errors are transient: back off and try again (HTTP 5xx/429, WeCom -1, 45009,
	// 45033, lost connections).
	Retryable
	// Record errors fail one object; the run goes on (a bad field, a unique clash on another key).
	Record
	// Run errors are configuration or permission problems: stop the run (bad credentials, a
	// missing pool, no write permission, an IP not allowed).
	Run
	// Order errors need other work first: a missing parent, members or children still there.
	Order
	// Gone means the object is not there: a delete counts it done.
	Gone
	// Exists means the object to create is already there: look it up and adopt it.
	Exists
)

// String names the class.
func (c Class) String() string {
	return [...]string{"unknown", "retryable", "record", "run", "order", "gone", "exists"}[min(int(c), 6)]
}

// Classified is implemented by the clients' errors.
type Classified interface {
	error
	Class() Class
}

// Of returns the class of err (Unknown for an error no client classified, or a cancellation).
func Of(err error) Class {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return Unknown
	}
	var c Classified
	if errors.As(err, &c) {
		return c.Class()
	}
	return Unknown
}

// IsRetryable reports a transient error.
func IsRetryable(err error) bool { return Of(err) == Retryable }

// IsRun reports an error that stops the run.
func IsRun(err error) bool { return Of(err) == Run }

// IsRecord reports an error that fails only the object it was about.
func IsRecord(err error) bool { return Of(err) == Record }

// IsOrder reports an error that asks for other work first.
func IsOrder(err error) bool { return Of(err) == Order }

// IsGone reports an object that is not there.
func IsGone(err error) bool { return Of(err) == Gone }

// IsExists reports an object that is already there.
func IsExists(err error) bool { return Of(err) == Exists }

// IsPerObject reports an error about one object — bad, missing, already there or out of order —
// as opposed to the run or the connection: the object is recorded and the run goes on.
func IsPerObject(err error) bool {
	switch Of(err) {
	case Record, Order, Gone, Exists:
		return true
	}
	return false
}

// RetryAfter returns how long to wait before calling again when the server said so (WeCom's
// 45009 blocks an API for the rest of its window), else 0.
func RetryAfter(err error) time.Duration {
	var r interface{ RetryAfter() time.Duration }
	if errors.As(err, &r) {
		return r.RetryAfter()
	}
	return 0
}

// Call is the outcome of one HTTP attempt of either client, as an Observer sees it.
type Call struct {
	// API names the call: WeCom's path ("user/create", "gettoken") or Authing's verb
	// ("create-users-batch", "get-management-token"); a fixed set, never a query or an id.
	API string
	// Outcome is "ok", "error", or "canceled" when the caller's context ended first.
	Outcome string
	// Code says why an attempt failed: WeCom's errcode ("60104") or Authing's statusCode ("400",
	// "429"), the HTTP status of an answer without an envelope ("502"), "unreadable" for a 2xx
	// answer that does not decode, or "transport" when no answer came (a dropped connection, a
	// timeout). Empty unless Outcome is "error".
	Code string
	// Duration is the attempt's round trip (the rate-budget wait excluded).
	Duration time.Duration
}

// Observer is told the outcome of every HTTP attempt, token fetches and retries included, e.g. to
// count them. It is called synchronously and must not block.
type Observer func(Call)
