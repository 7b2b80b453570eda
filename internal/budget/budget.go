// Package budget shares an API's rate budget among the worker processes that call the API at the
// same time, without an admin dividing numbers by hand.
//
// Why not Temporal's task-queue rate limit: TaskQueueActivitiesPerSecond limits how many activities
// start per second, and a wecomsync activity makes hundreds of calls (batches of a chunk, pages of a
// read) — that is what keeps a run's history small and its throughput high. A limit on starts would
// either need one activity per API call (tens of thousands of activities and their history events
// per run) or would not bound the calls at all. So the budget itself is shared:
//
// Each worker keeps, per API, local token buckets (the client's own limiters) whose rate and burst
// are a fraction of the API's budget. Every Interval it publishes, in the claim-check store every
// worker already shares (a folder on one machine, S3/MinIO across machines), which APIs it is using
// and the fractions it holds, and reads the others'. The fraction of a worker that uses an API is
// an equal share among the workers using it (1 when it is alone, so one busy worker of three runs as
// fast as a lone worker); it shrinks at once when others start, and grows only into the headroom
// the others' published fractions leave, split among the workers that want to grow, so the sum of
// the fractions never exceeds 1 even while the workers' views differ by one round. A worker that has
// not used an API for a while gives its fraction back. A worker that stops publishing (killed) is
// forgotten after Expiry.
//
// It must not know the APIs: callers name their budgets and APIs and give their rates.
package budget

import (
	"context"
	"fmt"
	"math"
	"path"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"
	"golang.org/x/time/rate"

	"github.com/wecomsync/wecomsync/internal/window"
)

// Defaults of a Coordinator.
const (
	DefaultInterval = 200 * time.Millisecond
	// idleAfter is how long an API may go unused (no call, nobody waiting) before its fraction is
	// given back. Short, because a worker without work holds an equal share nobody uses until then,
	// holding the busy workers to theirs: Temporal hands a run's chunks to whichever worker polls,
	// so a worker is often left without one for a while (make bench's budget scenario: with 2 s,
	// three workers applying one run called Authing at 84–90 % of its budget, with 250 ms at
	// 96–99 %). A round and a bit: a worker with work has callers waiting on its limiters, or
	// calls milliseconds apart; a caller waiting for a share counts as waiting (Wait); a worker
	// that gives its share back and soon takes one again gets no fresh burst (setFraction).
	idleAfter = 250 * time.Millisecond
)

// Store is where workers publish their records (internal/app adapts the claim-check store).
type Store interface {
	Put(ctx context.Context, key string, r Record) error
	// List returns every record under prefix.
	List(ctx context.Context, prefix string) ([]Record, error)
	Delete(ctx context.Context, key string) error
}

// staleAfter is when a dead worker's record is removed from the store.
const staleAfter = 10 * time.Minute

// Record is one worker's published state of one budget.
type Record struct {
	Worker string            `json:"worker"`
	At     time.Time         `json:"at"`
	APIs   map[string]APIUse `json:"apis"`
}

// APIUse is what a worker does with one API of a budget.
type APIUse struct {
	Active   bool    `json:"active"`
	Fraction float64 `json:"fraction"`
}

// Rate is one limit of an API's budget: a token bucket (events per second and burst) or, with
// Window set, at most Max events in any trailing Window (internal/window).
type Rate struct {
	PerSecond float64
	Burst     int
	Window    time.Duration
	Max       int
}

// Budget is the shared budget of one system account (an Authing pool, a WeCom corp): the
// limiters of its APIs in this worker. It implements the clients' limiter interface.
type Budget struct {
	name   string
	rates  func(api string) []Rate
	worker string
	now    func() time.Time

	mu   sync.Mutex
	apis map[string]*api
	// others are the other workers' records the last round read; seen says a round has read them.
	others []Record
	seen   bool
	// ready is closed and replaced at every round, waking callers that hold no fraction yet.
	ready chan struct{}
}

type api struct {
	rates    []Rate
	limiters []limiter // one per rate
	fraction float64
	lastUse  time.Time
	waiting  int // callers waiting on the limiters
}

// limiter is one rate of an API in this worker: a token bucket or a window.
type limiter struct {
	bucket *rate.Limiter
	window *window.Limiter
}

func (l limiter) wait(ctx context.Context) error {
	if l.window != nil {
		return l.window.Wait(ctx)
	}
	return l.bucket.Wait(ctx)
}

// Wait blocks until one call of api may go, within this worker's fraction of its budget.
func (b *Budget) Wait(ctx context.Context, apiName string) error {
	b.mu.Lock()
	a := b.api(apiName)
	// An API with callers waiting is in use, however long they wait: on the limiters, or for a
	// share while the others hold the whole budget (rounds apart, longer than idleAfter).
	a.waiting++
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		a.waiting--
		a.lastUse = b.now()
		b.mu.Unlock()
	}()
	for {
		b.mu.Lock()
		a.lastUse = b.now()
		if a.fraction == 0 && b.seen {
			// First use, or again after idling: take a share now from what the last round read
			// rather than wait for the next one.
			a.setFraction(Share(true, 0, apiName, b.others), a.lastUse)
		}
		held := a.fraction > 0
		lims, ready := slices.Clone(a.limiters), b.ready
		b.mu.Unlock()
		if held {
			if err := waitAll(ctx, lims); err != nil {
				return fmt.Errorf("rate budget %s %s: %w", b.name, apiName, err)
			}
			return nil
		}
		select { // no fraction yet: the next round gives one
		case <-ready:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func waitAll(ctx context.Context, lims []limiter) error {
	for _, l := range lims {
		if err := l.wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// fraction is this worker's current fraction of api's budget.
func (b *Budget) fraction(apiName string) float64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	if a := b.apis[apiName]; a != nil {
		return a.fraction
	}
	return 0
}

func (b *Budget) api(name string) *api {
	a := b.apis[name]
	if a == nil {
		a = &api{rates: b.rates(name)}
		for _, r := range a.rates {
			if r.Window > 0 {
				a.limiters = append(a.limiters, limiter{window: window.New(0, r.Window)})
			} else {
				a.limiters = append(a.limiters, limiter{}) // the bucket comes with the first share
			}
		}
		b.apis[name] = a
	}
	return a
}

// setFraction scales api's limits to fraction f of its budget. A worker's first share starts with
// its share of each bucket's burst, as a lone client's full bucket would: starting empty would hold
// it to the refill rate. A share given back (f = 0) leaves the buckets as they are — callers never
// wait on them then — so they go on refilling at their last rate, like an unused client's; a share
// taken again gets what they refilled, at most its share of the burst: after a long idle its
// share of the burst, after a short one no fresh burst (a worker whose work comes and goes would
// otherwise take a new burst every time). The others' buckets shrink to their fractions at the
// same round, so the bursts together stay within the budget's. A window keeps counting the calls
// this worker made in it.
func (a *api) setFraction(f float64, now time.Time) {
	a.fraction = f
	for i, r := range a.rates {
		if r.Window > 0 {
			a.limiters[i].window.SetMax(int(math.Floor(float64(r.Max) * f)))
			continue
		}
		if f == 0 {
			continue
		}
		limit, burst := rate.Limit(r.PerSecond*f), max(1, int(math.Floor(float64(r.Burst)*f)))
		if a.limiters[i].bucket == nil {
			a.limiters[i].bucket = rate.NewLimiter(limit, burst)
			continue
		}
		a.limiters[i].bucket.SetLimitAt(now, limit)
		a.limiters[i].bucket.SetBurstAt(now, burst)
	}
}

// Coordinator runs the rounds of every budget of this worker.
type Coordinator struct {
	store    Store
	worker   string
	interval time.Duration
	expiry   time.Duration
	log      *zap.Logger
	now      func() time.Time

	mu      sync.Mutex
	budgets []*Budget
}

// New returns a coordinator that publishes as worker (unique per process) under the store's
// "budgets/" folder every interval (0 = DefaultInterval).
func New(store Store, worker string, interval time.Duration, log *zap.Logger) *Coordinator {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &Coordinator{store: store, worker: worker, interval: interval, expiry: 5 * interval, log: log, now: time.Now}
}

// Budget returns the shared budget name (e.g. "authing/<pool id>"); rates gives an API's buckets
// at the full budget (the same for every worker).
func (c *Coordinator) Budget(name string, rates func(api string) []Rate) *Budget {
	b := &Budget{name: name, rates: rates, worker: c.worker, now: c.now, apis: map[string]*api{}, ready: make(chan struct{})}
	c.mu.Lock()
	c.budgets = append(c.budgets, b)
	c.mu.Unlock()
	return b
}

// Run publishes and reads the fractions every interval until ctx ends.
func (c *Coordinator) Run(ctx context.Context) {
	t := time.NewTicker(c.interval)
	defer t.Stop()
	for {
		c.mu.Lock()
		budgets := append([]*Budget(nil), c.budgets...)
		c.mu.Unlock()
		for _, b := range budgets {
			if err := c.round(ctx, b); err != nil && ctx.Err() == nil {
				c.log.Warn("rate budget round failed; keeping the current shares", zap.String("budget", b.name), zap.Error(err))
			}
		}
		select {
		case <-ctx.Done():
			// Leave: the others take this worker's share at their next round.
			for _, b := range budgets {
				_ = c.store.Delete(context.WithoutCancel(ctx), c.key(b, c.worker))
			}
			return
		case <-t.C:
		}
	}
}

func (c *Coordinator) key(b *Budget, worker string) string { return c.prefix(b) + worker + ".json" }

func (c *Coordinator) prefix(b *Budget) string { return path.Join("budgets", b.name) + "/" }

// round reads the other workers' records, sets this worker's fractions and publishes them.
func (c *Coordinator) round(ctx context.Context, b *Budget) error {
	records, err := c.store.List(ctx, c.prefix(b))
	if err != nil {
		return err
	}
	now := c.now()
	var others []Record
	for _, r := range records {
		switch age := now.Sub(r.At); {
		case r.Worker == c.worker:
		case age < c.expiry:
			others = append(others, r)
		case age > staleAfter:
			_ = c.store.Delete(ctx, c.key(b, r.Worker)) // a worker that died long ago
		}
	}
	b.mu.Lock()
	mine := Record{Worker: c.worker, At: now, APIs: map[string]APIUse{}}
	b.others, b.seen = others, true
	for name, a := range b.apis {
		active := a.waiting > 0 || now.Sub(a.lastUse) < idleAfter
		a.setFraction(Share(active, a.fraction, name, others), now)
		mine.APIs[name] = APIUse{Active: active, Fraction: a.fraction}
	}
	close(b.ready)
	b.ready = make(chan struct{})
	b.mu.Unlock()
	return c.store.Put(ctx, c.key(b, c.worker), mine)
}

// Share is a worker's next fraction of one API's budget: 0 when it does not use the API; else an
// equal share among the workers using it, reached at once when it means less and, when it means
// more, only through the headroom the others' fractions leave, split among those that want to grow.
func Share(active bool, current float64, api string, others []Record) float64 {
	if !active {
		return 0
	}
	users, held := 1, 0.0
	for _, r := range others {
		held += r.APIs[api].Fraction
		if r.APIs[api].Active {
			users++
		}
	}
	fair := 1 / float64(users)
	if current >= fair {
		return fair
	}
	growers := 1
	for _, r := range others {
		if u := r.APIs[api]; u.Active && u.Fraction < fair {
			growers++
		}
	}
	headroom := max(0, 1-held-current)
	return min(fair, current+headroom/float64(growers))
}
