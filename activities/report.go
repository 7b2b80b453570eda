package activities

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/internal/metrics"
	"github.com/wecomsync/wecomsync/wecomexport"
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
	doc := map[string]any{}
	raw, err := json.Marshal(in.Report)
	if err != nil {
		return res, err
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return res, err
	}
	failures := []Failure{}
	keys, err := a.Store.List(ctx, in.Prefix+"failures/")
	if err != nil {
		return res, err
	}
	for _, k := range keys {
		if err := claimcheck.ReadLines(ctx, a.Store, k, func(f Failure) error {
			failures = append(failures, f)
			return nil
		}); err != nil {
			return res, err
		}
	}
	rejects := []wecomexport.Reject{}
	err = claimcheck.ReadLines(ctx, a.Store, in.Prefix+"export/rejects.jsonl", func(r wecomexport.Reject) error {
		rejects = append(rejects, r)
		return nil
	})
	if err != nil && !errors.Is(err, claimcheck.ErrNotFound) {
		return res, err
	}
	if len(rejects) > 0 {
		doc["rejects"] = rejects
	}
	doc["failures"], doc["failuresTotal"] = failures, len(failures)
	doc["reportKey"] = ReportKey(in.Prefix)
	ref, err := a.Store.PutJSON(ctx, ReportKey(in.Prefix), doc)
	if err != nil {
		return res, err
	}
	if in.StateKey != "" {
		if _, err := a.Store.PutJSON(ctx, in.StateKey, RunState{Members: in.Members}); err != nil {
			return res, err
		}
	}
	direction, _ := doc["direction"].(string)
	status, _ := doc["status"].(string)
	a.Metrics.RunFinished(direction, status)
	a.Log.Info("report saved", zap.String("key", ref.Key), zap.Int("failures", len(failures)))
	return SaveReportResult{Key: ref.Key, FailuresTotal: len(failures)}, nil
}

func badInputError(err error) error {
	return temporal.NewNonRetryableApplicationError(fmt.Sprint(err), ErrTypeBadInput, err)
}
