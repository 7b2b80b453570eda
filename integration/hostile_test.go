package integration

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/wecomsync/wecomsync/activities"
	authingemu "github.com/wecomsync/wecomsync/emulators/authing"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/report"
)

// peakRSS reads the peak resident set size of a process (VmHWM) in bytes.
func peakRSS(t *testing.T, pid int) int64 {
	t.Helper()
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			require.NoError(t, err)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc status")
	return 0
}

// TestHostileExports sends every file of testdata/exports/hostile through the real workflow, on a
// worker in its own process: damaged, oversized and empty files fail the run before anything is
// written, naming the file; the tricky but readable ones sync what Excel shows. The worker's peak
// RSS over the whole corpus is logged and bounded (the product's target is 600 MB).
func TestHostileExports(t *testing.T) {
	s := newStack(t, false)
	worker := startWorkerProcess(t, s)
	refused := map[string]string{
		"empty.xlsx":            "empty",
		"truncated-sheet.xlsx":  `sheet "成员列表"`,
		"malformed-sheet.xlsx":  `sheet "成员列表"`,
		"crc-mismatch.xlsx":     `sheet "成员列表"`,
		"invalid-utf8.xlsx":     `sheet "成员列表"`,
		"zipbomb-declared.xlsx": "too large",
		"zipbomb-inflate.xlsx":  "too large",
		"giant-cell.xlsx":       "too large",
		"huge-sst-count.xlsx":   "too large",
		"huge-sst-bytes.xlsx":   "too large",
		"million-columns.xlsx":  "too large",
		"million-rows.xlsx":     "too large",
	}
	// What the readable files sync: userids created (each file into an empty pool).
	synced := map[string][]string{
		"number-forms.xlsx":           {"10086"}, // one phone for all five rows: the other four are 409s
		"invisible-userids.xlsx":      {"lisi", "zhangsan"},
		"date-bool-cells.xlsx":        {"t1", "t2"},
		"error-cells.xlsx":            {"ok"},
		"hidden-sheets.xlsx":          nil, // checked by count below
		"continuation-no-header.xlsx": nil,
		"notice-row40.xlsx":           {"late1", "late2"},
	}
	files, err := filepath.Glob("../testdata/exports/hostile/*.xlsx")
	require.NoError(t, err)
	require.Len(t, files, len(refused)+len(synced), "every file of the corpus has an expected outcome here")
	for _, f := range files {
		name := filepath.Base(f)
		abs, err := filepath.Abs(f)
		require.NoError(t, err)
		require.NoError(t, s.emu.Seed(authingemu.DemoSeed()))
		s.emu.ResetCalls()
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		run := s.start("hostile-"+strings.TrimSuffix(name, ".xlsx"), upstream(abs, plan.ModeCreateUpdate))
		var rep report.Report
		err = run.Get(ctx, &rep)
		cancel()
		if want, ok := refused[name]; ok {
			var appErr *temporal.ApplicationError
			require.True(t, errors.As(err, &appErr), "%s: %v", name, err)
			assert.Equal(t, activities.ErrTypeBadInput, appErr.Type(), name)
			assert.Contains(t, err.Error(), name)
			assert.Contains(t, strings.ToLower(err.Error()), strings.ToLower(want), name)
			assert.Zero(t, s.emu.WriteCalls(), "%s: nothing written", name)
			continue
		}
		require.NoError(t, err, name)
		dir := s.directory()
		switch name {
		case "number-forms.xlsx":
			assert.Equal(t, 5, rep.File.Members, "every number form reads as digits")
			assert.Equal(t, "13800138000", dir.Users["10086"].Phone)
			assert.Equal(t, 4, rep.Failed.UsersCreate, "the same phone four more times: Authing refuses, nothing else")
		case "date-bool-cells.xlsx":
			assert.Equal(t, "Suspended", dir.Users["t1"].Status, "TRUE in 禁用状态")
		case "hidden-sheets.xlsx", "continuation-no-header.xlsx":
			assert.Equal(t, rep.File.Members, len(dir.Users), name)
			assert.NotEmpty(t, rep.File.SkippedSheets, name)
			assert.NotEmpty(t, rep.Warnings, name)
			continue
		}
		var ids []string
		for id := range dir.Users {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		assert.Equal(t, synced[name], ids, name)
	}
	rss := peakRSS(t, worker.Process.Pid)
	t.Logf("worker peak RSS over the hostile corpus: %d MiB", rss>>20)
	assert.Less(t, rss, int64(600<<20))
}
