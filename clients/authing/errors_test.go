package authing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/wecomsync/wecomsync/clients/apierr"

	"github.com/stretchr/testify/assert"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name  string
		err   error
		class apierr.Class
	}{
		{"HTTP 429", &APIError{HTTPStatus: 429, StatusCode: 429}, apierr.Retryable},
		{"statusCode 429", &APIError{HTTPStatus: 200, StatusCode: 429}, apierr.Retryable},
		{"500", &APIError{HTTPStatus: 200, StatusCode: 500}, apierr.Retryable},
		{"502", &APIError{HTTPStatus: 502, StatusCode: 502}, apierr.Retryable},
		{"503", &APIError{HTTPStatus: 200, StatusCode: 503}, apierr.Retryable},
		{"504", &APIError{HTTPStatus: 200, StatusCode: 504}, apierr.Retryable},
		{"HTTP 507 without envelope", &APIError{HTTPStatus: 507, StatusCode: 507}, apierr.Retryable},
		{"transport", &TransportError{Op: "list-users", msg: "EOF", Err: io.EOF}, apierr.Retryable},
		{"400", &APIError{HTTPStatus: 200, StatusCode: 400}, apierr.Record},
		{"404 user", &APIError{HTTPStatus: 200, StatusCode: 404, APICode: 2004}, apierr.Gone},
		{"409", &APIError{HTTPStatus: 200, StatusCode: 409}, apierr.Exists},
		{"413", &APIError{HTTPStatus: 200, StatusCode: 413}, apierr.Record},
		{"422", &APIError{HTTPStatus: 200, StatusCode: 422}, apierr.Record},
		{"499", &APIError{HTTPStatus: 200, StatusCode: 499}, apierr.Record},
		{"601", &APIError{HTTPStatus: 200, StatusCode: 601}, apierr.Record},
		{"603", &APIError{HTTPStatus: 200, StatusCode: 603}, apierr.Record},
		{"401 after refresh", &APIError{HTTPStatus: 200, StatusCode: 401}, apierr.Run},
		{"402", &APIError{HTTPStatus: 200, StatusCode: 402}, apierr.Run},
		{"403", &APIError{HTTPStatus: 200, StatusCode: 403}, apierr.Run},
		{"501", &APIError{HTTPStatus: 200, StatusCode: 501}, apierr.Run},
		{"pool not found", &APIError{HTTPStatus: 200, StatusCode: 404, APICode: 2224}, apierr.Run},
		{"unknown route (HTTP 404)", &APIError{HTTPStatus: 404, StatusCode: 404}, apierr.Run},
		{"wrapped 409", fmt.Errorf("create user %q: %w", "zs", &APIError{StatusCode: 409}), apierr.Exists},
		{"canceled", fmt.Errorf("authing list-users: %w", context.Canceled), apierr.Unknown},
		{"canceled during retry", fmt.Errorf("%w (retry stopped: %w)", &APIError{StatusCode: 503}, context.Canceled), apierr.Unknown},
		{"batch size", ErrBatchSize, apierr.Unknown},
		{"other", errors.New("boom"), apierr.Unknown},
		{"nil", nil, apierr.Unknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.class, apierr.Of(tt.err))
		})
	}
}

func TestAPIErrorString(t *testing.T) {
	tests := []struct {
		err  *APIError
		want string
	}{
		{&APIError{Op: "get-user", HTTPStatus: 200, StatusCode: 404, APICode: 2004, Message: "用户不存在", RequestID: "r-1"},
			"authing get-user: statusCode 404 (apiCode 2004): 用户不存在 [requestId r-1]"},
		{&APIError{Op: "list-users", HTTPStatus: 429, StatusCode: 429, Message: "slow down"},
			"authing list-users: statusCode 429: slow down"},
		{&APIError{Op: "list-users", HTTPStatus: 502, StatusCode: 500},
			"authing list-users: statusCode 500 (HTTP 502)"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}
}
