package activities

import (
	"context"
	"fmt"
	"path"
	"slices"
	"strings"
	"sync"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"

	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/internal/metrics"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// applyFunc writes one batch of a chunk: what it wrote, what failed (per object) and an error
// that stops the chunk (run-level or transient).
type applyFunc[T any] func(ctx context.Context, batch []T) (applied, failed plan.Counts, failures []report.Failure, err error)

// chunkSpec is what the runner needs to know of one chunk.
type chunkSpec struct {
	Key         string // the chunk's JSON lines in the store
	Prefix      string // the run's blob prefix (failures go under it)
	BatchSize   int    // items per apply call
	Concurrency int    // batches in flight
}

// chunkProgress is the heartbeat of a chunk: which batches are done and what they counted, so that
// a retried activity resumes after the last finished batch.
type chunkProgress struct {
	Done    []bool           `json:"done"`
	Applied plan.Counts      `json:"applied"`
	Failed  plan.Counts      `json:"failed"`
	Sample  []report.Failure `json:"sample,omitempty"`
}

// chunkRunner applies one chunk of writes in batches with bounded concurrency, whatever system they
// go to: it heartbeats its progress, resumes after the last finished batch when retried, keeps each
// batch's failures in the store for the full report, and returns what was written also when it
// stops early (in the error's details, or as a canceled error's details).
type chunkRunner struct {
	store   *claimcheck.Store
	metrics *metrics.Metrics
	spec    chunkSpec

	mu   sync.Mutex
	prog chunkProgress
}

// applyKind runs the applier of kind (a chunk of creates, changes, removals …).
func applyKind(kind ChunkKind, appliers map[ChunkKind]func() (ChunkResult, error)) (ChunkResult, error) {
	if apply, ok := appliers[kind]; ok {
		return apply()
	}
	return ChunkResult{}, badInputError(fmt.Errorf("unknown chunk kind %q", kind))
}

// resumed reports whether an earlier attempt may have written part of the chunk: appliers look
// before they write then.
func resumed(ctx context.Context) bool {
	return activity.GetInfo(ctx).Attempt > 1 || activity.HasHeartbeatDetails(ctx)
}

// runChunk applies the chunk at spec.Key with apply and returns its counts.
func runChunk[T any](ctx context.Context, store *claimcheck.Store, m *metrics.Metrics, spec chunkSpec, apply applyFunc[T]) (ChunkResult, error) {
	r := &chunkRunner{store: store, metrics: m, spec: spec}
	if activity.HasHeartbeatDetails(ctx) {
		_ = activity.GetHeartbeatDetails(ctx, &r.prog)
	}
	err := applyBatches(ctx, r, apply)
	p := r.snapshot()
	res := ChunkResult{Applied: p.Applied, Failed: p.Failed, FailureSample: p.Sample}
	if ctx.Err() != nil {
		return res, temporal.NewCanceledError(res) // the run was canceled: say what was written
	}
	if err != nil {
		// A failed chunk still wrote what it wrote: the result rides in the error's details so the
		// workflow's report counts it.
		return res, withPartialResult(err, res)
	}
	return res, nil
}

// applyBatches reads the chunk, splits it into batches and runs those not done yet, heartbeating
// the progress so that a retry resumes after the last finished batch.
func applyBatches[T any](ctx context.Context, r *chunkRunner, apply applyFunc[T]) error {
	items, err := claimcheck.ReadAll[T](ctx, r.store, r.spec.Key)
	if err != nil {
		return err
	}
	size := max(r.spec.BatchSize, 1)
	n := (len(items) + size - 1) / size
	if len(r.prog.Done) != n {
		r.prog = chunkProgress{Done: make([]bool, n)}
	}
	hb := startHeartbeat(ctx, r.snapshot())
	defer hb.close()
	// gctx stops new batches (on the first error, or when the run is canceled); a batch already
	// sent runs to its end on callCtx, so its outcome is known and counted, never guessed.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(r.spec.Concurrency, 1))
	callCtx := context.WithoutCancel(ctx)
	for b := 0; b < n; b++ {
		if r.prog.Done[b] {
			continue
		}
		batch := items[b*size : min((b+1)*size, len(items))]
		g.Go(func() error {
			if gctx.Err() != nil {
				return nil // stopping: leave this batch to a later attempt
			}
			applied, failed, failures, err := apply(callCtx, batch)
			if err != nil {
				return err
			}
			// Written even when empty: a batch that failed in an earlier attempt and succeeded now
			// must not keep its old failures.
			if err := writeFailures(callCtx, r.store, r.failureKey(b), failures); err != nil {
				return err
			}
			recordCounts(r.metrics, applied, failed)
			r.mu.Lock()
			defer r.mu.Unlock()
			r.prog.Done[b] = true
			r.prog.Applied = r.prog.Applied.Add(applied)
			r.prog.Failed = r.prog.Failed.Add(failed)
			if room := SampleSize - len(r.prog.Sample); room > 0 {
				r.prog.Sample = append(r.prog.Sample, failures[:min(room, len(failures))]...)
			}
			hb.set(r.snapshotLocked())
			return nil
		})
	}
	return g.Wait()
}

// snapshot copies the progress for a heartbeat (the batch goroutines keep changing it).
func (r *chunkRunner) snapshot() chunkProgress {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.snapshotLocked()
}

func (r *chunkRunner) snapshotLocked() chunkProgress {
	p := r.prog
	p.Done = slices.Clone(r.prog.Done)
	p.Sample = slices.Clone(r.prog.Sample)
	return p
}

// failureKey is where batch b of this chunk keeps its failures (overwritten when the batch reruns).
func (r *chunkRunner) failureKey(b int) string {
	base := strings.TrimSuffix(path.Base(r.spec.Key), ".jsonl")
	return fmt.Sprintf("%sfailures/%s-%04d.jsonl", r.spec.Prefix, base, b)
}

// writeFailures stores a list of failures at key; an empty list removes what an earlier attempt
// stored there.
func writeFailures(ctx context.Context, store *claimcheck.Store, key string, failures []report.Failure) error {
	if len(failures) == 0 {
		return store.Delete(ctx, key)
	}
	_, err := writeLines(ctx, store, key, failures)
	return err
}

// recordCounts adds one batch's outcome to the written-objects metric.
func recordCounts(m *metrics.Metrics, applied, failed plan.Counts) {
	for _, c := range plan.WriteCells() {
		m.Written(c.Object, c.Action, "ok", c.Get(applied))
		m.Written(c.Object, c.Action, "failed", c.Get(failed))
	}
}
