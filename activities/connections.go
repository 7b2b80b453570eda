package activities

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.temporal.io/sdk/temporal"

	"github.com/wecomsync/wecomsync/clients/apierr"
	"github.com/wecomsync/wecomsync/clients/authing"
	"github.com/wecomsync/wecomsync/clients/wecom"
)

// Connection is one named pair of credentials-holding clients, built by the worker from its config.
type Connection struct {
	Authing *authing.Client
	WeCom   *wecom.Client
	// WeComMode is the WeCom app mode: selfbuilt (自建, default) or daikaifa (代开发).
	WeComMode string
}

// Connections maps connection names (as workflows name them) to clients.
type Connections map[string]*Connection

// Authing returns the Authing client of the named connection.
func (c Connections) Authing(name string) (*authing.Client, error) {
	conn, err := c.get(name)
	if err != nil {
		return nil, err
	}
	if conn.Authing == nil {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("connection %q has no Authing credentials on this worker", name), ErrTypeRun, nil)
	}
	return conn.Authing, nil
}

// WeCom returns the WeCom client of the named connection.
func (c Connections) WeCom(name string) (*wecom.Client, error) {
	conn, err := c.get(name)
	if err != nil {
		return nil, err
	}
	if conn.WeCom == nil {
		return nil, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("connection %q has no WeCom credentials on this worker", name), ErrTypeRun, nil)
	}
	return conn.WeCom, nil
}

// WeComMode returns the named connection's WeCom app mode (selfbuilt when unset or unknown).
func (c Connections) WeComMode(name string) string {
	if conn, ok := c[name]; ok {
		return modeName(conn.WeComMode)
	}
	return modeName("")
}

func (c Connections) get(name string) (*Connection, error) {
	if conn, ok := c[name]; ok {
		return conn, nil
	}
	known := make([]string, 0, len(c))
	for n := range c {
		known = append(known, n)
	}
	sort.Strings(known)
	return nil, temporal.NewNonRetryableApplicationError(
		fmt.Sprintf("unknown connection %q; this worker knows: %s", name, strings.Join(known, ", ")), ErrTypeRun, nil)
}

// classify turns a client error into the activity's error: a run-level one (bad credentials, no
// permission) is not retried; one the server asked to wait for (WeCom's 45009) is retried after
// that wait; anything else is returned as is for the activity's retry policy.
func classify(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case apierr.IsRun(err):
		return temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s: %v", op, err), ErrTypeRun, err)
	case apierr.RetryAfter(err) > 0:
		return temporal.NewApplicationErrorWithOptions(fmt.Sprintf("%s: %v", op, err), ErrTypeRateLimited,
			temporal.ApplicationErrorOptions{Cause: err, NextRetryDelay: apierr.RetryAfter(err)})
	}
	return fmt.Errorf("%s: %w", op, err)
}

// apiError finds the Authing API error in err's chain.
func apiError(err error) (*authing.APIError, bool) {
	var e *authing.APIError
	ok := errors.As(err, &e)
	return e, ok
}

// withPartialResult attaches what an activity did before it failed to its error, keeping the
// error's type, retryability and retry delay (Temporal reads NextRetryDelay on the outermost error
// only: a 45009's wait for the end of WeCom's window would be lost); the workflow reads it with
// temporal.ApplicationError.Details.
func withPartialResult(err error, partial any) error {
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		return temporal.NewApplicationErrorWithOptions(appErr.Message(), appErr.Type(), temporal.ApplicationErrorOptions{
			NonRetryable: appErr.NonRetryable(), NextRetryDelay: appErr.NextRetryDelay(), Cause: err, Details: []any{partial}})
	}
	return temporal.NewApplicationErrorWithOptions(err.Error(), "", temporal.ApplicationErrorOptions{Cause: err, Details: []any{partial}})
}
