package authing

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		class    ErrorClass
		notFound bool
		conflict bool
	}{
		{"HTTP 429", &APIError{HTTPStatus: 429, StatusCode: 429}, ClassRetryable, false, false},
		{"statusCode 429", &APIError{HTTPStatus: 200, StatusCode: 429}, ClassRetryable, false, false},
		{"500", &APIError{HTTPStatus: 200, StatusCode: 500}, ClassRetryable, false, false},
		{"502", &APIError{HTTPStatus: 502, StatusCode: 502}, ClassRetryable, false, false},
		{"503", &APIError{HTTPStatus: 200, StatusCode: 503}, ClassRetryable, false, false},
		{"504", &APIError{HTTPStatus: 200, StatusCode: 504}, ClassRetryable, false, false},
		{"HTTP 507 without envelope", &APIError{HTTPStatus: 507, StatusCode: 507}, ClassRetryable, false, false},
		{"transport", &TransportError{Op: "list-users", msg: "EOF", Err: io.EOF}, ClassRetryable, false, false},
		{"400", &APIError{HTTPStatus: 200, StatusCode: 400}, ClassRecord, false, false},
		{"404 user", &APIError{HTTPStatus: 200, StatusCode: 404, APICode: 2004}, ClassRecord, true, false},
		{"409", &APIError{HTTPStatus: 200, StatusCode: 409}, ClassRecord, false, true},
		{"413", &APIError{HTTPStatus: 200, StatusCode: 413}, ClassRecord, false, false},
		{"422", &APIError{HTTPStatus: 200, StatusCode: 422}, ClassRecord, false, false},
		{"499", &APIError{HTTPStatus: 200, StatusCode: 499}, ClassRecord, false, false},
		{"601", &APIError{HTTPStatus: 200, StatusCode: 601}, ClassRecord, false, false},
		{"603", &APIError{HTTPStatus: 200, StatusCode: 603}, ClassRecord, false, false},
		{"401 after refresh", &APIError{HTTPStatus: 200, StatusCode: 401}, ClassRun, false, false},
		{"402", &APIError{HTTPStatus: 200, StatusCode: 402}, ClassRun, false, false},
		{"403", &APIError{HTTPStatus: 200, StatusCode: 403}, ClassRun, false, false},
		{"501", &APIError{HTTPStatus: 200, StatusCode: 501}, ClassRun, false, false},
		{"pool not found", &APIError{HTTPStatus: 200, StatusCode: 404, APICode: 2224}, ClassRun, false, false},
		{"unknown route (HTTP 404)", &APIError{HTTPStatus: 404, StatusCode: 404}, ClassRun, false, false},
		{"wrapped 409", fmt.Errorf("create user %q: %w", "zs", &APIError{StatusCode: 409}), ClassRecord, false, true},
		{"canceled", fmt.Errorf("authing list-users: %w", context.Canceled), ClassUnknown, false, false},
		{"canceled during retry", fmt.Errorf("%w (retry stopped: %w)", &APIError{StatusCode: 503}, context.Canceled), ClassUnknown, false, false},
		{"batch size", ErrBatchSize, ClassUnknown, false, false},
		{"other", errors.New("boom"), ClassUnknown, false, false},
		{"nil", nil, ClassUnknown, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.class, Class(tt.err))
			assert.Equal(t, tt.class == ClassRetryable, IsRetryable(tt.err))
			assert.Equal(t, tt.class == ClassRecord, IsRecord(tt.err))
			assert.Equal(t, tt.class == ClassRun, IsRun(tt.err))
			assert.Equal(t, tt.notFound, IsNotFound(tt.err))
			assert.Equal(t, tt.conflict, IsConflict(tt.err))
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
