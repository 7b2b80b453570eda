package authing

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/clients/apierr/apierrtest"
	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
)

func TestObserverSeesEveryAttemptAsClassified(t *testing.T) {
	tests := []struct {
		name string
		rule *faultRule
		want []string // outcome/code of each list-users attempt (a POST: net/http never replays it)
	}{
		{"ok", nil, []string{"ok/"}},
		{"statusCode in an HTTP 200 answer, retried", &faultRule{Kind: "errcode", Code: 500, Count: 2}, []string{"error/500", "error/500", "ok/"}},
		{"statusCode not retried", &faultRule{Kind: "errcode", Code: 400, Count: 1}, []string{"error/400"}},
		{"HTTP 429, retried", &faultRule{Kind: "429", Count: 1}, []string{"error/429", "ok/"}},
		{"HTTP 502 without envelope, retried", &faultRule{Kind: "5xx", Code: 502, Count: 1}, []string{"error/502", "ok/"}},
		{"dropped connection, retried", &faultRule{Kind: "drop", Count: 1}, []string{"error/transport", "ok/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var obs apierrtest.Calls
			e := setup(t, authingemu.DemoSeed(), nil, WithObserver(obs.Observe))
			if tt.rule != nil {
				tt.rule.Path = "list-users"
				e.addFault(t, *tt.rule)
			}
			_, _ = e.c.Users.List(context.Background(), nil)
			assert.Equal(t, tt.want, obs.Of("list-users"))
			assert.Equal(t, []string{"ok/"}, obs.Of(tokenVerb))
			for _, c := range obs.All() {
				assert.Positive(t, c.Duration, "%+v", c)
			}
		})
	}
}

func TestObserverSeesTokenRefresh(t *testing.T) {
	var obs apierrtest.Calls
	e := setup(t, authingemu.DemoSeed(), nil, WithObserver(obs.Observe))
	e.addFault(t, faultRule{Path: "list-organizations", Kind: "errcode", Code: 401, Count: 1})
	_, err := e.c.Organizations.List(context.Background())
	require.NoError(t, err)
	assert.Equal(t, []string{"error/401", "ok/"}, obs.Of("list-organizations"))
	assert.Equal(t, []string{"ok/", "ok/"}, obs.Of(tokenVerb))
}

func TestObserverUnreadableTimeoutAndCanceled(t *testing.T) {
	srv := apierrtest.HangingServer(t, map[string]string{
		apiPrefix + tokenVerb:            `{"statusCode":200,"data":{"access_token":"TOKEN","expires_in":7200}}`,
		apiPrefix + "list-organizations": `<html>proxy login</html>`,
	})
	var obs apierrtest.Calls
	c, err := NewClient(WithBaseURL(srv.URL), WithCredentials(testPool, testSecret), WithRetry(0),
		WithTimeout(50*time.Millisecond), WithObserver(obs.Observe))
	require.NoError(t, err)

	_, err = c.Organizations.List(context.Background())
	require.Error(t, err)
	assert.Equal(t, []string{"error/unreadable"}, obs.Of("list-organizations"))

	// The client's own per-attempt timeout: no answer came.
	_, err = c.Organizations.Get(context.Background(), "xinghe")
	require.Error(t, err)
	assert.Equal(t, []string{"error/transport"}, obs.Of("get-organization"))

	// The caller gave up: not an error of the API.
	ctx, cancel := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	_, err = c.Users.Get(ctx, "u1", "", false, false)
	require.True(t, errors.Is(err, context.Canceled), "%v", err)
	assert.Equal(t, []string{"canceled/"}, obs.Of("get-user"))
}
