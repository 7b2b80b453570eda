package integration

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/report"
)

// TestWorkerProcessesShareTheAuthingBudget runs three worker processes on one pool whose budget is
// 100 QPS: a run whose membership changes (two or three calls each) spread over many chunks, and so
// over the three workers, gets no HTTP 429 — the workers split the budget through the blob store
// instead of each taking all of it. (make bench measures the rates and times.)
func TestWorkerProcessesShareTheAuthingBudget(t *testing.T) {
	const qps = 100
	s := newStack(t, false, authingemu.WithQPS(qps, qps))
	s.env = append(s.env, "WECOMSYNC_AUTHING_QPS=100")
	for range 3 {
		startWorkerProcess(t, s)
	}
	spec := exportgen.NewSpec(600, 12, 31)
	company := exportgen.Generate(spec)
	first := fileInput(s.export("budget.xlsx", company, spec))
	first.ChunkSize = 100
	rep := s.sync("budget-first", first)
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))

	moved, _ := company.Edited(exportgen.Edit{Move: 300, Seed: 5})
	edited := fileInput(s.export("budget-moved.xlsx", moved, spec))
	edited.ChunkSize, edited.Concurrency = 50, 6
	s.emu.ResetCalls()
	start := time.Now()
	rep = s.sync("budget-moved", edited)
	took := time.Since(start)
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, 300, rep.Applied.UsersMembership)
	calls := 0
	for _, n := range s.emu.Calls() {
		calls += n
	}
	t.Logf("%d Authing calls in %.1fs (%.0f/s against a budget of %d/s) by three workers", calls, took.Seconds(), float64(calls)/took.Seconds(), qps)
	assert.Zero(t, s.emu.Throttled(), "no HTTP 429: the three workers kept to one budget together")
	_ = context.Background()
}
