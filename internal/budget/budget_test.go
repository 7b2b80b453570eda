package budget

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/zap"
)

func rec(worker string, active bool, f float64) Record {
	return Record{Worker: worker, APIs: map[string]APIUse{"x": {Active: active, Fraction: f}}}
}

func TestShare(t *testing.T) {
	assert.Equal(t, 1.0, Share(true, 0, "x", nil), "alone: the whole budget")
	assert.Zero(t, Share(false, 0.5, "x", nil), "idle: nothing")
	// A second worker starts while the first holds everything: it waits for the headroom.
	assert.Zero(t, Share(true, 0, "x", []Record{rec("a", true, 1)}))
	// The first sees it and drops to half at once.
	assert.Equal(t, 0.5, Share(true, 1, "x", []Record{rec("b", true, 0)}))
	// Then the second grows into the freed half.
	assert.Equal(t, 0.5, Share(true, 0, "x", []Record{rec("a", true, 0.5)}))
	// Two newcomers share the headroom instead of both taking it.
	assert.InDelta(t, 1.0/3, Share(true, 0, "x", []Record{rec("a", true, 1.0/3), rec("c", true, 0)}), 1e-9)
	assert.InDelta(t, 0.2, Share(true, 0, "x", []Record{rec("a", true, 0.6), rec("c", true, 0)}), 1e-9)
	// A worker that stopped using the API leaves its share to the others.
	assert.Equal(t, 1.0, Share(true, 0.5, "x", []Record{rec("a", false, 0)}))
}

// memStore is a shared store in memory.
type memStore struct {
	mu   sync.Mutex
	recs map[string]Record
}

func (m *memStore) Put(_ context.Context, key string, r Record) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.recs[key] = r
	return nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.recs, key)
	return nil
}

func (m *memStore) List(_ context.Context, prefix string) ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []Record
	for k, r := range m.recs {
		if strings.HasPrefix(k, prefix) {
			out = append(out, r)
		}
	}
	return out, nil
}

// Three workers hammering one API together never pass its budget; alone, one gets all of it.
func TestWorkersTogetherStayWithinTheBudget(t *testing.T) {
	store := &memStore{recs: map[string]Record{}}
	const perSecond = 400.0
	rates := func(string) []Rate { return []Rate{{PerSecond: perSecond, Burst: 20}} }
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var budgets []*Budget
	for _, w := range []string{"w1", "w2", "w3"} {
		c := New(store, w, 20*time.Millisecond, zap.NewNop())
		budgets = append(budgets, c.Budget("test/pool", rates))
		go c.Run(ctx)
	}
	var calls atomic.Int64
	hammer := func(b *Budget, d time.Duration) {
		end := time.Now().Add(d)
		for time.Now().Before(end) {
			if b.Wait(ctx, "x") == nil {
				calls.Add(1)
			}
		}
	}
	// Alone: the first worker gets the whole budget.
	hammer(budgets[0], 300*time.Millisecond)
	assert.Equal(t, 1.0, budgets[0].fraction("x"), "a lone worker is not held to a third")
	// Together: three workers at once.
	calls.Store(0)
	start := time.Now()
	var wg sync.WaitGroup
	for _, b := range budgets {
		wg.Add(1)
		go func() { defer wg.Done(); hammer(b, 2*time.Second) }()
	}
	wg.Wait()
	together := float64(calls.Load()) / time.Since(start).Seconds()
	// An upper bound, not a timing: the three never pass the budget (bursts included).
	assert.LessOrEqual(t, together, perSecond*1.1)
	var sum float64
	for _, b := range budgets {
		sum += b.fraction("x")
	}
	assert.LessOrEqual(t, sum, 1.0+1e-9, "the fractions never add up to more than the budget")
}

// A worker that leaves removes its record; a record left by a worker dead long ago is removed by
// the others.
func TestRecordsOfGoneWorkersAreRemoved(t *testing.T) {
	store := &memStore{recs: map[string]Record{
		"budgets/test/pool/dead.json": {Worker: "dead", At: time.Now().Add(-time.Hour)},
	}}
	ctx, cancel := context.WithCancel(context.Background())
	c := New(store, "w1", 10*time.Millisecond, zap.NewNop())
	b := c.Budget("test/pool", func(string) []Rate { return []Rate{{PerSecond: 100, Burst: 10}} })
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	require.NoError(t, b.Wait(ctx, "x"))
	// The round wakes the waiting caller before it publishes its record.
	require.Eventually(t, func() bool {
		store.mu.Lock()
		defer store.mu.Unlock()
		_, mine := store.recs["budgets/test/pool/w1.json"]
		return mine
	}, 5*time.Second, time.Millisecond, "the worker publishes its record")
	store.mu.Lock()
	_, dead := store.recs["budgets/test/pool/dead.json"]
	store.mu.Unlock()
	assert.False(t, dead, "the dead worker's record is gone")
	cancel()
	<-done
	assert.Empty(t, store.recs, "a leaving worker removes its record")
}

// A worker's first share starts with its share of the burst; a share that only changes keeps what
// was spent; a share taken again after idling gets what the bucket refilled meanwhile, at most its
// share of the burst — no fresh burst after a short idle.
func TestAWorkerStartsWithItsShareOfTheBurst(t *testing.T) {
	now := time.Now()
	a := &api{rates: []Rate{{PerSecond: 1, Burst: 100}}, limiters: []limiter{{}}}
	a.setFraction(1, now)
	assert.InDelta(t, 100, a.limiters[0].bucket.TokensAt(now), 0.01, "first share: the whole burst")
	require.True(t, a.limiters[0].bucket.AllowN(now, 80))
	a.setFraction(0.5, now)
	assert.InDelta(t, 20, a.limiters[0].bucket.TokensAt(now), 0.01, "shrinking keeps what was spent")
	a.setFraction(1, now)
	assert.InDelta(t, 20, a.limiters[0].bucket.TokensAt(now), 0.01, "growing gives no new burst")
	a.setFraction(0, now) // idle: given back
	a.setFraction(0.5, now.Add(time.Second))
	assert.InDelta(t, 21, a.limiters[0].bucket.TokensAt(now.Add(time.Second)), 0.01, "back after a short idle: what it refilled (1/s for 1 s), no fresh burst")
	a.setFraction(0, now.Add(time.Second))
	a.setFraction(0.5, now.Add(time.Hour))
	assert.InDelta(t, 50, a.limiters[0].bucket.TokensAt(now.Add(time.Hour)), 0.01, "back after a long idle: its share of the burst")
}

// A caller waiting for a share keeps its API in use however long the rounds take; a worker whose
// callers stop (no call, nobody waiting) gives its share back at the first round idleAfter after
// its last call, and a worker still calling grows into it at its next round.
func TestAnIdleWorkerGivesItsShareBackSoon(t *testing.T) {
	store := &memStore{recs: map[string]Record{}}
	var nanos atomic.Int64
	nanos.Store(time.Now().UnixNano())
	clock := func() time.Time { return time.Unix(0, nanos.Load()) }
	advance := func(d time.Duration) { nanos.Add(int64(d)) }
	rates := func(string) []Rate { return []Rate{{PerSecond: 300, Burst: 10}} }
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a failure bound only
	defer cancel()
	var cs []*Coordinator
	var bs []*Budget
	for _, w := range []string{"w1", "w2"} {
		c := New(store, w, time.Hour, zap.NewNop()) // rounds only when the test runs them
		c.now = clock
		b := c.Budget("test/pool", rates)
		b.now = clock
		cs, bs = append(cs, c), append(bs, b)
	}
	rounds := func() {
		for i := range cs {
			require.NoError(t, cs[i].round(ctx, bs[i]))
		}
	}
	rounds()
	require.NoError(t, bs[0].Wait(ctx, "x"))
	rounds()
	assert.Equal(t, 1.0, bs[0].fraction("x"), "alone: everything")

	second := make(chan error, 1)
	go func() { second <- bs[1].Wait(ctx, "x") }() // no headroom: it waits for rounds
	require.Eventually(t, func() bool {
		bs[1].mu.Lock()
		defer bs[1].mu.Unlock()
		return bs[1].apis["x"] != nil && bs[1].apis["x"].waiting == 1
	}, 5*time.Second, time.Millisecond)
	for range 2 {
		advance(10 * idleAfter) // slow rounds: the waiting caller still counts
		require.NoError(t, bs[0].Wait(ctx, "x"))
		rounds()
	}
	require.NoError(t, <-second)
	assert.Equal(t, 0.5, bs[0].fraction("x"))
	assert.Equal(t, 0.5, bs[1].fraction("x"))

	// w1 stops calling; w2 goes on.
	advance(idleAfter - time.Millisecond)
	require.NoError(t, bs[1].Wait(ctx, "x"))
	rounds()
	assert.Equal(t, 0.5, bs[0].fraction("x"), "not idle yet")
	advance(time.Millisecond)
	require.NoError(t, bs[1].Wait(ctx, "x"))
	rounds()
	assert.Zero(t, bs[0].fraction("x"), "unused for idleAfter: given back")
	assert.Equal(t, 1.0, bs[1].fraction("x"), "the worker still calling grows into it (its round read w1's)")
}

// After a round has read the others, a first call takes its share at once instead of waiting for
// the next round; an API whose callers wait on its window stays in use however long they wait, so
// its share is not given back under them.
func TestFirstUseAndLongWaits(t *testing.T) {
	store := &memStore{recs: map[string]Record{}}
	c := New(store, "w1", time.Hour, zap.NewNop()) // rounds only when the test runs them
	now := time.Now()
	c.now = func() time.Time { return now }
	b := c.Budget("test/corp", func(string) []Rate { return []Rate{{Window: time.Hour, Max: 1}} })
	b.now = c.now
	ctx := context.Background()
	require.NoError(t, c.round(ctx, b))

	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second) // a failure bound only
	defer cancel()
	require.NoError(t, b.Wait(waitCtx, "x"), "no round needed for the first call")
	assert.Equal(t, 1.0, b.fraction("x"))

	second := make(chan error, 1)
	go func() { second <- b.Wait(waitCtx, "x") }() // the hour's window is full: it waits
	require.Eventually(t, func() bool {
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.apis["x"].waiting == 1
	}, 5*time.Second, time.Millisecond)
	now = now.Add(10 * idleAfter)
	require.NoError(t, c.round(ctx, b))
	assert.Equal(t, 1.0, b.fraction("x"), "a caller still waits: the API is in use")
	cancel()
	assert.ErrorIs(t, <-second, context.Canceled)
	require.NoError(t, c.round(ctx, b))
	now = now.Add(10 * idleAfter)
	require.NoError(t, c.round(ctx, b))
	assert.Zero(t, b.fraction("x"), "nobody waits or calls any more: the share is given back")
}
