package wecom

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/wecomsync/wecomsync/clients/apierr/apierrtest"
)

func TestObserverSeesEveryAttemptAsClassified(t *testing.T) {
	tests := []struct {
		name string
		rule *fault
		want []string // outcome/code of each user/list_id attempt
	}{
		{"ok", nil, []string{"ok/"}},
		{"errcode in an HTTP 200 answer, retried", &fault{Kind: "errcode", Code: -1, Count: 2}, []string{"error/-1", "error/-1", "ok/"}},
		{"errcode not retried", &fault{Kind: "errcode", Code: 60011, Count: 1}, []string{"error/60011"}},
		{"HTTP 429, retried", &fault{Kind: "429", Count: 1}, []string{"error/429", "ok/"}},
		{"HTTP 503, retried", &fault{Kind: "5xx", Code: 503, Count: 1}, []string{"error/503", "ok/"}},
		{"dropped connection, retried", &fault{Kind: "drop", Count: 1}, []string{"error/transport", "ok/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var obs apierrtest.Calls
			e := setup(t, envConfig{client: []Option{WithObserver(obs.Observe)}})
			if tt.rule != nil {
				tt.rule.Path = "user/list_id"
				e.inject(t, *tt.rule)
			}
			_, _ = e.client.Users.ListID(context.Background(), &ListIDRequest{})
			if got := obs.Of("user/list_id"); !slices.Equal(got, tt.want) {
				t.Fatalf("user/list_id attempts = %v, want %v", got, tt.want)
			}
			if got := obs.Of("gettoken"); !slices.Equal(got, []string{"ok/"}) {
				t.Fatalf("gettoken attempts = %v", got)
			}
			for _, c := range obs.All() {
				if c.Duration <= 0 {
					t.Fatalf("%+v: no duration", c)
				}
			}
		})
	}
}

func TestObserverSeesTokenRefresh(t *testing.T) {
	var obs apierrtest.Calls
	e := setup(t, envConfig{client: []Option{WithObserver(obs.Observe)}})
	if _, err := e.client.Token(context.Background()); err != nil {
		t.Fatal(err)
	}
	e.emu.RevokeTokens()
	if _, err := e.client.Departments.SimpleList(context.Background(), 0); err != nil {
		t.Fatal(err)
	}
	if got, want := obs.Of("department/simplelist"), []string{"error/40014", "ok/"}; !slices.Equal(got, want) {
		t.Fatalf("department/simplelist attempts = %v, want %v", got, want)
	}
	if got := obs.Of("gettoken"); !slices.Equal(got, []string{"ok/", "ok/"}) {
		t.Fatalf("gettoken attempts = %v", got)
	}
}

func TestObserverUnreadableAndCanceled(t *testing.T) {
	srv := apierrtest.HangingServer(t, map[string]string{
		"/cgi-bin/gettoken":              `{"errcode":0,"access_token":"TOKEN","expires_in":7200}`,
		"/cgi-bin/department/simplelist": `<html>proxy login</html>`,
	})
	var obs apierrtest.Calls
	c := newTestClient(t, newFakeClock(), srv.URL+"/cgi-bin/", WithCredentials(testCorp, testSecret), WithObserver(obs.Observe), WithRetry(0))
	if _, err := c.Departments.SimpleList(context.Background(), 0); err == nil {
		t.Fatal("an HTML answer must fail")
	}
	if got, want := obs.Of("department/simplelist"), []string{"error/unreadable"}; !slices.Equal(got, want) {
		t.Fatalf("department/simplelist attempts = %v, want %v", got, want)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Users.Get(ctx, "zhangsan"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Get = %v, want the caller's deadline", err)
	}
	if got, want := obs.Of("user/get"), []string{"canceled/"}; !slices.Equal(got, want) {
		t.Fatalf("user/get attempts = %v, want %v", got, want)
	}
}

func TestObserverClientTimeoutIsTransport(t *testing.T) {
	srv := apierrtest.HangingServer(t, map[string]string{"/cgi-bin/gettoken": `{"errcode":0,"access_token":"TOKEN","expires_in":7200}`})
	var obs apierrtest.Calls
	c := newTestClient(t, newFakeClock(), srv.URL+"/cgi-bin/", WithCredentials(testCorp, testSecret),
		WithObserver(obs.Observe), WithRetry(0), WithTimeout(50*time.Millisecond))
	if _, err := c.Users.Get(context.Background(), "zhangsan"); err == nil {
		t.Fatal("a timeout must fail")
	}
	if got, want := obs.Of("user/get"), []string{"error/transport"}; !slices.Equal(got, want) {
		t.Fatalf("user/get attempts = %v, want %v", got, want)
	}
}
