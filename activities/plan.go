package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/activity"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/plan"
)

// Chunking: DefaultChunkSize users per apply activity, grown so a plan never has more than
// MaxChunks chunks (each chunk is a handful of history events).
const (
	DefaultChunkSize = 2000
	MaxChunks        = 100
)

// PlanActivities compute plans from stored snapshots.
type PlanActivities struct {
	Store *claimcheck.Store
	Log   *zap.Logger
}

// RunState is what successful runs leave for the next one: the latest known number of members
// per main department (merged from every file read in full) and their total.
type RunState struct {
	Members          int            `json:"members"`
	ByMainDepartment map[string]int `json:"byMainDepartment,omitempty"`
}

// PlanUpstream loads the export and Authing snapshots, computes the plan and stores it in chunks.
func (a *PlanActivities) PlanUpstream(ctx context.Context, in PlanUpstreamInput) (PlanUpstreamResult, error) {
	var res PlanUpstreamResult
	pin := plan.Input{Options: in.Options, TopLevel: in.TopLevelNames}
	var err error
	if pin.Desired, err = claimcheck.ReadAll[plan.DesiredUser](ctx, a.Store, in.Members); err != nil {
		return res, err
	}
	activity.RecordHeartbeat(ctx, "members loaded")
	if in.RejectedUserIDs != "" {
		if pin.Present, err = claimcheck.ReadAll[string](ctx, a.Store, in.RejectedUserIDs); err != nil {
			return res, err
		}
	}
	if pin.Current, err = claimcheck.ReadAll[plan.CurrentUser](ctx, a.Store, in.Users); err != nil {
		return res, err
	}
	activity.RecordHeartbeat(ctx, "users loaded")
	var snap TreeSnapshot
	if err := a.Store.GetJSON(ctx, in.Tree, &snap); err != nil {
		return res, err
	}
	pin.Tree = directory.NewTree(snap.RootID, snap.Departments)
	for i, p := range pin.Tree.Problems {
		if i == 10 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("… and %d more department problems", len(pin.Tree.Problems)-10))
			break
		}
		res.Warnings = append(res.Warnings, p)
	}

	p, err := plan.Compute(pin)
	if err != nil {
		return res, badInputError(err)
	}
	res.Counts, res.OwnedUsers, res.OwnedInScope = p.Counts, p.OwnedUsers, p.OwnedInScope
	res.Scope, res.Notes = p.Scope, p.Notes
	res.AmbiguousSample = p.Ambiguous[:min(len(p.Ambiguous), SampleSize)]
	res.KeptSample = p.Kept[:min(len(p.Kept), SampleSize)]
	if res.Plan, err = a.Store.PutJSON(ctx, in.Prefix+"plan/plan.json", p); err != nil {
		return res, err
	}
	if res.Departments, err = writeLines(ctx, a.Store, in.Prefix+"plan/departments.jsonl", p.DepartmentCreates); err != nil {
		return res, err
	}
	size := chunkSize(in.ChunkSize, len(p.UserCreates)+len(p.UserChanges)+len(p.UserDeletes))
	for _, part := range []struct {
		kind ChunkKind
		add  func(key string, from, to int) (claimcheck.Ref, error)
		n    int
	}{
		{ChunkCreate, func(k string, f, t int) (claimcheck.Ref, error) {
			return writeLines(ctx, a.Store, k, p.UserCreates[f:t])
		}, len(p.UserCreates)},
		{ChunkChange, func(k string, f, t int) (claimcheck.Ref, error) {
			return writeLines(ctx, a.Store, k, p.UserChanges[f:t])
		}, len(p.UserChanges)},
		{ChunkDelete, func(k string, f, t int) (claimcheck.Ref, error) {
			return writeLines(ctx, a.Store, k, p.UserDeletes[f:t])
		}, len(p.UserDeletes)},
	} {
		for from := 0; from < part.n; from += size {
			key := fmt.Sprintf("%splan/users-%s-%04d.jsonl", in.Prefix, part.kind, from/size)
			ref, err := part.add(key, from, min(from+size, part.n))
			if err != nil {
				return res, err
			}
			res.Chunks = append(res.Chunks, Chunk{Kind: part.kind, Key: key, Count: ref.Count})
		}
	}
	var state RunState
	if err := a.Store.GetJSON(ctx, in.StateKey, &state); err != nil && !errors.Is(err, claimcheck.ErrNotFound) {
		return res, err
	}
	res.LastMembers = state.Members
	counts := plan.CountMembers(pin.Desired)
	if p.Scope != nil && state.ByMainDepartment != nil {
		// Compare inside this run's scope: a partial export against the same departments' last count.
		res.LastMembers = plan.InScope(state.ByMainDepartment, *p.Scope)
		res.MembersInScope = plan.InScope(counts.ByMainDepartment, *p.Scope)
		res.ComparedInScope = true
	}
	ref, err := a.Store.PutJSON(ctx, in.Prefix+"plan/member-counts.json", counts)
	if err != nil {
		return res, err
	}
	res.MemberCounts = ref.Key
	a.Log.Info("plan computed", zap.Any("counts", res.Counts), zap.Int("chunks", len(res.Chunks)))
	return res, nil
}

// chunkSize returns the users per chunk: the requested size, grown to keep at most MaxChunks.
func chunkSize(requested, total int) int {
	size := positiveOr(requested, DefaultChunkSize)
	if need := (total + MaxChunks - 1) / MaxChunks; need > size {
		size = need
	}
	return size
}

func writeLines[T any](ctx context.Context, s *claimcheck.Store, key string, items []T) (claimcheck.Ref, error) {
	w, err := s.NewLineWriter(ctx, key)
	if err != nil {
		return claimcheck.Ref{}, err
	}
	for _, it := range items {
		if err := w.Write(it); err != nil {
			w.Abort()
			return claimcheck.Ref{}, err
		}
	}
	return w.Close()
}
