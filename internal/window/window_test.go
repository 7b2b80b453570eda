package window

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAdmitsMaxCallsInAnyTrailingWindow(t *testing.T) {
	l := New(100, time.Hour) // slices of a minute
	start := time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC)
	for i := range 60 {
		ok, _ := l.TakeAt(start.Add(time.Duration(i) * time.Second))
		require.True(t, ok)
	}
	at := start.Add(30 * time.Minute)
	for range 40 {
		ok, _ := l.TakeAt(at)
		require.True(t, ok)
	}
	ok, wait := l.TakeAt(at)
	assert.False(t, ok, "the 101st call within an hour")
	// The first 60 calls (slice 02:00) leave at 03:01, the end of their slice plus the hour.
	assert.Equal(t, 31*time.Minute, wait)
	ok, _ = l.TakeAt(start.Add(time.Hour))
	assert.False(t, ok, "02:00:59 is less than an hour before 03:00")
	for range 60 {
		ok, _ = l.TakeAt(start.Add(61 * time.Minute))
		require.True(t, ok, "the first minute's calls have left")
	}
	ok, wait = l.TakeAt(start.Add(61 * time.Minute))
	assert.False(t, ok)
	assert.Equal(t, 30*time.Minute, wait, "next: the calls of 02:30 leave at 03:31")
	ok, _ = l.TakeAt(start.Add(3 * time.Hour))
	assert.True(t, ok, "after a long pause nothing is counted")
}

func TestSetMaxKeepsWhatWasCounted(t *testing.T) {
	l := New(10, time.Minute)
	now := time.Now()
	for range 6 {
		ok, _ := l.TakeAt(now)
		require.True(t, ok)
	}
	l.SetMax(5)
	ok, _ := l.TakeAt(now)
	assert.False(t, ok, "6 counted, 5 allowed")
	l.SetMax(0)
	ok, wait := l.TakeAt(now.Add(2 * time.Minute))
	assert.False(t, ok, "a limit of 0 admits nothing")
	assert.Positive(t, wait)
	l.SetMax(7)
	ok, _ = l.TakeAt(now)
	assert.True(t, ok)
}

func TestWaitEndsWithTheContext(t *testing.T) {
	l := New(1, time.Hour)
	require.NoError(t, l.Wait(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, l.Wait(ctx), context.Canceled)
}
