package activities

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/internal/metrics"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// ReportActivities store run reports.
type ReportActivities struct {
	Store *claimcheck.Store
	Log   *zap.Logger
	// Metrics (optional) counts finished runs.
	Metrics *metrics.Metrics
}

// ReportKey is where a run keeps its full report, given the run's blob prefix.
func ReportKey(prefix string) string { return prefix + "report.json" }

// SaveReport stores the full report of a run — the workflow's report with every reject and every
// failure instead of the samples — and, for a successful run, the state the next run compares with.
func (a *ReportActivities) SaveReport(ctx context.Context, in SaveReportInput) (SaveReportResult, error) {
	var res SaveReportResult
	failureKeys, err := a.Store.List(ctx, in.Prefix+"failures/")
	if err != nil {
		return res, err
	}
	full := in.Report
	full.FailuresTotal = 0
	for _, k := range failureKeys {
		n, err := a.Store.CountLines(ctx, k)
		if err != nil {
			return res, err
		}
		full.FailuresTotal += n
	}
	full.ReportKey = ReportKey(in.Prefix)
	full.Rejects, full.Failures = nil, nil
	// Every reject and failure, streamed from their blobs: a file with a million bad rows must not
	// put a million records in memory.
	ref, err := a.Store.PutJSONWithLines(ctx, full.ReportKey, full,
		claimcheck.Lines{Field: "rejects", Keys: []string{in.Prefix + "export/rejects.jsonl"}},
		claimcheck.Lines{Field: "failures", Keys: failureKeys})
	if err != nil {
		return res, err
	}
	switch {
	case in.StateKey != "" && in.NextSnapshot != "":
		if err := a.saveSnapshot(ctx, in.StateKey, in.NextSnapshot, failureKeys); err != nil {
			return res, err
		}
	case in.StateKey != "":
		if err := a.saveState(ctx, in); err != nil {
			return res, err
		}
	}
	a.Metrics.RunFinished(full.Direction, full.Status)
	a.Log.Info("report saved", zap.String("key", ref.Key), zap.Int("failures", full.FailuresTotal))
	return SaveReportResult{Key: ref.Key, FailuresTotal: full.FailuresTotal}, nil
}

// saveState records a successful run's file for the next run's shrink check: its member counts
// merged into the state, or (runs of older workflow versions) the total alone.
func (a *ReportActivities) saveState(ctx context.Context, in SaveReportInput) error {
	state := RunState{Members: in.Members}
	if in.MemberCounts != "" {
		var counts plan.MemberCounts
		if err := a.Store.GetJSON(ctx, in.MemberCounts, &counts); err != nil {
			return err
		}
		var last RunState
		if err := a.Store.GetJSON(ctx, in.StateKey, &last); err != nil && !errors.Is(err, claimcheck.ErrNotFound) {
			return err
		}
		state = RunState{ByMainDepartment: counts.MergeInto(last.ByMainDepartment)}
		for _, n := range state.ByMainDepartment {
			state.Members += n
		}
	}
	_, err := a.Store.PutJSON(ctx, in.StateKey, state)
	return err
}

// saveSnapshot keeps what a downstream run left in WeCom for the next run's comparisons: the
// planned snapshot, except for objects whose write failed, which keep their old entry (so a
// failed change is tried again, not taken as done). Without such failures the planned snapshot is
// copied as it is: a large one is never decoded again.
func (a *ReportActivities) saveSnapshot(ctx context.Context, key, nextKey string, failureKeys []string) error {
	if nextKey == key {
		// The plan left the snapshot as it was: failures have nothing to restore, and there is
		// nothing to copy (S3 refuses to copy an object onto itself).
		return nil
	}
	users, departments, err := a.failedObjects(ctx, failureKeys)
	if err != nil {
		return err
	}
	if len(users) == 0 && len(departments) == 0 {
		return a.Store.Copy(ctx, key, nextKey)
	}
	var next, old plan.Snapshot
	if err := a.Store.GetJSON(ctx, nextKey, &next); err != nil {
		return err
	}
	if err := a.Store.GetJSON(ctx, key, &old); err != nil && !errors.Is(err, claimcheck.ErrNotFound) {
		return err
	}
	if next.Users == nil {
		next.Users = map[string]plan.SnapshotUser{}
	}
	if next.Departments == nil {
		next.Departments = map[int]string{}
	}
	for _, k := range users {
		restore(next.Users, old.Users, k)
	}
	for _, id := range departments {
		restore(next.Departments, old.Departments, id)
	}
	_, err = a.Store.PutJSON(ctx, key, next)
	return err
}

// failedObjects returns the WeCom users (by userid key) and departments whose write failed, from
// the run's failure blobs; failed write-backs into Authing leave WeCom as planned and are left out.
func (a *ReportActivities) failedObjects(ctx context.Context, failureKeys []string) (users []string, departments []int, err error) {
	for _, k := range failureKeys {
		err := claimcheck.ReadLines(ctx, a.Store, k, func(f report.Failure) error {
			switch {
			case f.Action == plan.ActionWriteBack:
			case f.Object == plan.ObjectUser:
				users = append(users, directory.UserKey(f.Key))
			case f.Object == plan.ObjectDepartment:
				if id, err := strconv.Atoi(f.ID); err == nil {
					departments = append(departments, id)
				}
			}
			return nil
		})
		if err != nil {
			return nil, nil, err
		}
	}
	return users, departments, nil
}

// restore puts old's entry for k back into next (or removes k when old had none).
func restore[K comparable, V any](next, old map[K]V, k K) {
	if v, ok := old[k]; ok {
		next[k] = v
	} else {
		delete(next, k)
	}
}

func badInputError(err error) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprint(err), ErrTypeBadInput, err)
}
