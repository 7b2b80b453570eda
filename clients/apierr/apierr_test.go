package apierr

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type fake struct {
	c     Class
	after time.Duration
}

func (f fake) Error() string             { return f.c.String() }
func (f fake) Class() Class              { return f.c }
func (f fake) RetryAfter() time.Duration { return f.after }

func TestClasses(t *testing.T) {
	wrapped := fmt.Errorf("create user: %w", fake{c: Exists})
	assert.True(t, IsExists(wrapped))
	assert.True(t, IsPerObject(wrapped))
	assert.False(t, IsPerObject(fake{c: Run}))
	assert.True(t, IsRun(fake{c: Run}))
	assert.Equal(t, Unknown, Of(context.Canceled))
	assert.Equal(t, Unknown, Of(fmt.Errorf("x: %w", context.DeadlineExceeded)))
	assert.Equal(t, 30*time.Second, RetryAfter(fmt.Errorf("w: %w", fake{c: Retryable, after: 30 * time.Second})))
	assert.Zero(t, RetryAfter(fmt.Errorf("plain")))
	assert.Equal(t, "gone", Gone.String())
}
