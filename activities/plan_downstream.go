package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"
	"golang.org/x/sync/errgroup"

	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
)

// Downstream chunking: DefaultDownstreamChunkSize writes per apply activity, grown so that no step
// has more than MaxDownstreamChunks chunks.
const (
	DefaultDownstreamChunkSize = 500
	MaxDownstreamChunks        = 40
)

// PlanDownstream loads the Authing and WeCom snapshots and the last run's snapshot, computes the
// downstream plan and stores its steps in chunks.
func (a *PlanActivities) PlanDownstream(ctx context.Context, in PlanDownstreamInput) (PlanDownstreamResult, error) {
	var res PlanDownstreamResult
	din, err := a.loadDownstream(ctx, in)
	if err != nil {
		return res, err
	}
	activity.RecordHeartbeat(ctx, "snapshots loaded")
	p, err := plan.ComputeDownstream(din)
	if err != nil {
		var ie *plan.InputError
		if errors.As(err, &ie) {
			return res, badInputError(err)
		}
		return res, err
	}
	res.Counts, res.Sources, res.Notes = p.Counts, p.Sources, p.Notes
	res.UsersInScope, res.DepartmentsInScope = p.UsersInScope, p.DepartmentsInScope
	res.AmbiguousSample = p.Ambiguous[:min(len(p.Ambiguous), SampleSize)]
	res.SkippedSample = p.Skipped[:min(len(p.Skipped), SampleSize)]
	if res.Plan, err = a.Store.PutJSON(ctx, in.Prefix+"plan/plan.json", p); err != nil {
		return res, err
	}
	// A plan that leaves the snapshot as it is (a rerun with nothing to do) points at the last
	// run's instead of storing the same again.
	res.NextSnapshot = in.SnapshotKey
	if !p.NextUnchanged {
		next, err := a.Store.PutJSON(ctx, in.Prefix+"plan/snapshot-next.json", p.Next)
		if err != nil {
			return res, err
		}
		res.NextSnapshot = next.Key
	}
	if res.Departments, err = writeLines(ctx, a.Store, in.Prefix+"plan/departments.jsonl", append(p.DepartmentCreates, p.DepartmentUpdates...)); err != nil {
		return res, err
	}
	if res.DepartmentDeletes, err = writeLines(ctx, a.Store, in.Prefix+"plan/department-deletes.jsonl", p.DepartmentDeletes); err != nil {
		return res, err
	}
	for _, step := range []struct {
		kind   ChunkKind
		chunks *[]Chunk
		write  func(key string, from, to int) (claimcheck.Ref, error)
		n      int
	}{
		{ChunkWeComCreate, &res.UserCreates, func(k string, f, t int) (claimcheck.Ref, error) {
			return writeLines(ctx, a.Store, k, p.UserCreates[f:t])
		}, len(p.UserCreates)},
		{ChunkWeComUpdate, &res.UserUpdates, func(k string, f, t int) (claimcheck.Ref, error) {
			return writeLines(ctx, a.Store, k, p.UserUpdates[f:t])
		}, len(p.UserUpdates)},
		{ChunkWeComRemove, &res.Removals, func(k string, f, t int) (claimcheck.Ref, error) {
			return writeLines(ctx, a.Store, k, p.UserRemovals[f:t])
		}, len(p.UserRemovals)},
		{ChunkWriteBack, &res.WriteBacks, func(k string, f, t int) (claimcheck.Ref, error) {
			return writeLines(ctx, a.Store, k, p.WriteBacks[f:t])
		}, len(p.WriteBacks)},
	} {
		size := max(positiveOr(in.ChunkSize, DefaultDownstreamChunkSize), (step.n+MaxDownstreamChunks-1)/MaxDownstreamChunks)
		for from := 0; from < step.n; from += size {
			key := fmt.Sprintf("%splan/%s-%04d.jsonl", in.Prefix, step.kind, from/size)
			ref, err := step.write(key, from, min(from+size, step.n))
			if err != nil {
				return res, err
			}
			*step.chunks = append(*step.chunks, Chunk{Kind: step.kind, Key: key, Count: ref.Count})
		}
	}
	a.Log.Info("downstream plan computed", zap.Any("counts", res.Counts))
	return res, nil
}

// loadDownstream reads everything a downstream plan is computed from, the inputs side by side
// (decoding them is most of a large plan's time).
func (a *PlanActivities) loadDownstream(ctx context.Context, in PlanDownstreamInput) (plan.DownstreamInput, error) {
	din := plan.DownstreamInput{Options: in.Options}
	ignore, err := mapping.ParseIgnoreFields(in.IgnoreFields)
	if err != nil {
		return din, badInputError(fmt.Errorf("ignoreFields: %w", err))
	}
	din.Options.Ignore = ignore
	var tree SourceTree
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return a.Store.GetJSON(gctx, in.SourceTree, &tree) })
	g.Go(func() (err error) {
		din.SourceUsers, err = claimcheck.ReadAll[plan.SourceUser](gctx, a.Store, in.SourceUsers)
		return err
	})
	g.Go(func() error { return a.Store.GetJSON(gctx, in.TargetDepts, &din.TargetDepartments) })
	g.Go(func() (err error) {
		din.TargetUsers, err = claimcheck.ReadAll[plan.TargetUser](gctx, a.Store, in.TargetUsers)
		return err
	})
	g.Go(func() error {
		if err := a.Store.GetJSON(gctx, in.SnapshotKey, &din.Snapshot); err != nil && !errors.Is(err, claimcheck.ErrNotFound) {
			return err
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return din, err
	}
	din.SourceRootID, din.SourceDepartments = tree.RootID, tree.Departments
	return din, nil
}
