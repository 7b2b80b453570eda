package activities

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/internal/metrics"
	"github.com/wecomsync/wecomsync/plan"
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
	if in.StateKey != "" {
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

func badInputError(err error) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprint(err), ErrTypeBadInput, err)
}
