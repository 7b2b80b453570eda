package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/report"
)

var (
	starterOnce sync.Once
	starterBin  string
	starterErr  error
)

// buildStarter builds the starter binary once per test process.
func buildStarter(t *testing.T) string {
	t.Helper()
	starterOnce.Do(func() {
		dir, err := os.MkdirTemp("", "wecomsync-starter-")
		if err != nil {
			starterErr = err
			return
		}
		starterBin = filepath.Join(dir, "starter")
		out, err := exec.Command("go", "build", "-o", starterBin, "../starter").CombinedOutput()
		if err != nil {
			starterErr = errors.New(string(out))
		}
	})
	require.NoError(t, starterErr)
	return starterBin
}

// starter runs the starter binary against the stack and returns stdout and the exit code.
func (s *stack) starter(args ...string) (string, string, int) {
	s.t.Helper()
	cmd := exec.Command(buildStarter(s.t), args...)
	cmd.Env = append(os.Environ(),
		"WECOMSYNC_TEMPORAL_ADDRESS="+devServer.FrontendHostPort(),
		"WECOMSYNC_TASK_QUEUE="+s.taskQueue,
		"WECOMSYNC_BLOB_URL="+s.blobURL,
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		code = exitErr.ExitCode()
	} else {
		require.NoError(s.t, err)
	}
	return stdout.String(), stderr.String(), code
}

// TestStarter drives the CLI as an admin would: upload and sync with --wait --json, a dry run,
// the report with the failures workbook, and a bad file.
func TestStarter(t *testing.T) {
	s := newStack(t, true)
	spec := exportgen.NewSpec(30, 5, 13)
	spec.BadRows = 3
	company := exportgen.Generate(spec)
	path := s.export("starter.xlsx", company, spec)

	out, stderr, code := s.starter("upstream", "--file", path, "--dry-run", "--wait", "--id", "cli-dry")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "dry run, nothing written")
	assert.Zero(t, s.emu.WriteCalls())

	out, stderr, code = s.starter("upstream", "--file", path, "--wait", "--json", "--id", "cli-sync")
	require.Equal(t, 0, code, stderr)
	var rep report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, report.StatusCompleted, rep.Status)
	assert.Equal(t, len(company.Members), rep.Applied.UsersCreate)
	assert.Equal(t, "starter.xlsx", rep.File.File)
	assert.Contains(t, stderr, "started cli-sync")

	xlsx := filepath.Join(s.dir, "failures.xlsx")
	out, stderr, code = s.starter("report", "--id", "cli-sync", "--failures-xlsx", xlsx)
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "users created")
	f, err := excelize.OpenFile(xlsx)
	require.NoError(t, err)
	rows, err := f.GetRows("rejects")
	require.NoError(t, err)
	assert.Len(t, rows, 1+len(company.BadRows), "a header and one row per reject")
	require.NoError(t, f.Close())

	// cleanup keeps recent runs and deletes old ones with all their blobs.
	_, stderr, code = s.starter("cleanup", "--older-than", "1h")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, stderr, "deleted 0 runs/uploads")
	keys, err := s.store.List(context.Background(), "runs/")
	require.NoError(t, err)
	require.NotEmpty(t, keys)
	out, stderr, code = s.starter("cleanup", "--older-than", "1ns")
	require.Equal(t, 0, code, stderr)
	assert.Contains(t, out, "runs/cli-sync/")
	for _, prefix := range []string{"runs/", "uploads/"} {
		keys, err = s.store.List(context.Background(), prefix)
		require.NoError(t, err)
		assert.Empty(t, keys, prefix)
	}

	bad := filepath.Join(s.dir, "bad.xlsx")
	require.NoError(t, os.WriteFile(bad, []byte("not a workbook"), 0o644))
	out, _, code = s.starter("upstream", "--file", bad, "--wait", "--json", "--id", "cli-bad")
	assert.Equal(t, 3, code, "a failed run exits 3")
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, report.StatusFailed, rep.Status)
	assert.Contains(t, rep.Error, "bad.xlsx")
}
