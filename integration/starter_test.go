package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
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
	require.Contains(t, rows[0], "账号 UserID")
	col := slices.Index(rows[0], "账号 UserID")
	var userIDs []string
	for _, row := range rows[1:] {
		if col < len(row) && row[col] != "" {
			userIDs = append(userIDs, row[col])
		}
	}
	assert.NotEmpty(t, userIDs, "rejected rows name their 账号")
	panes, err := f.GetPanes("rejects")
	require.NoError(t, err)
	assert.True(t, panes.Freeze)
	require.NoError(t, f.Close())
	st, err := os.Stat(xlsx)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())

	// Some writes refused (two members with one phone: the second is a 409): the run completes
	// with errors, --wait and report exit 4, and the failure names its sheet and row.
	dup := s.writeExport("dup-phone.xlsx", members(
		[]any{"甲", "dup1", "星河科技/研发中心", "", "13911112222", "", ""},
		[]any{"乙", "dup2", "星河科技/研发中心", "", "13911112222", "", ""}))
	out, stderr, code = s.starter("upstream", "--file", dup, "--wait", "--id", "cli-errors")
	assert.Equal(t, 4, code, "completed with errors: %s\n%s", out, stderr)
	assert.Contains(t, out, "completed-with-errors")
	assert.Regexp(t, `create user "dup[12]" \(成员列表 row [23]\): 409 `, out)
	out, stderr, code = s.starter("report", "--id", "cli-errors")
	assert.Equal(t, 4, code, stderr)
	assert.Regexp(t, `create user "dup[12]" \(成员列表 row [23]\): 409 `, out)

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
	out, stderr, code = s.starter("upstream", "--file", bad, "--wait", "--json", "--id", "cli-bad")
	assert.Equal(t, 3, code, "a failed run exits 3")
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	assert.Equal(t, report.StatusFailed, rep.Status)
	assert.Contains(t, rep.Error, "bad.xlsx")
	assert.Equal(t, 1, strings.Count(stderr, "starter: "), "the run's message once: %s", stderr)

	// As a person reads it: what the run got to and its own message, once; no counts table of a
	// plan it never made, none of Temporal's wrapping.
	out, stderr, code = s.starter("report", "--id", "cli-bad")
	assert.Equal(t, 3, code, stderr)
	assert.Equal(t, 1, strings.Count(out+stderr, "error: "), out+stderr)
	assert.Contains(t, out, "bad.xlsx")
	assert.NotContains(t, out, "planned", "no all-zero counts table")
	for _, wrapping := range []string{"retryable", "workflow execution error", "activity error"} {
		assert.NotContains(t, out+stderr, wrapping)
	}
}

// TestStarterCommandLine: the conventions every command shares, on the built binary.
func TestStarterCommandLine(t *testing.T) {
	s := newStack(t, false)
	out, stderr, code := s.starter()
	assert.Equal(t, 2, code)
	assert.Empty(t, out)
	assert.Contains(t, stderr, "usage: starter <command>")
	for _, cmd := range []string{"upstream", "report", "progress", "approve", "reject", "check-connections", "cleanup", "codec-server", "list"} {
		out, stderr, code = s.starter(cmd, "-h")
		assert.Equal(t, 0, code, cmd)
		assert.Contains(t, out, "usage: starter "+cmd, cmd)
		assert.NotContains(t, out+stderr, "help requested", cmd)
		_, stderr, code = s.starter(cmd, "--bogus")
		assert.Equal(t, 2, code, cmd)
		assert.Equal(t, 1, strings.Count(stderr, "flag provided but not defined"), cmd)
		assert.Equal(t, 1, strings.Count(stderr, "usage: starter "+cmd), cmd)
	}
	_, stderr, code = s.starter("sync")
	assert.Equal(t, 2, code)
	assert.True(t, strings.HasPrefix(stderr, `starter: unknown command "sync"`+"\n"), stderr)
}
