package integration

import (
	"context"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"

	"github.com/wecomsync/wecomsync/internal/exportgen"
	"github.com/wecomsync/wecomsync/report"
)

func addFault(t *testing.T, s *stack, rule string) {
	t.Helper()
	resp, err := http.Post(s.authURL+"/_emulator/faults", "application/json", strings.NewReader(rule))
	require.NoError(t, err)
	_ = resp.Body.Close()
	require.Less(t, resp.StatusCode, 300, rule)
}

// startWorkerProcess runs a worker in its own process (the test binary in helper mode).
func startWorkerProcess(t *testing.T, s *stack) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = s.workerEnv()
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_, _ = cmd.Process.Wait()
	})
	return cmd
}

// TestWorkerKilledMidApply kills the worker process (SIGKILL) while it writes users, starts a new
// one, and checks that the run completes with every user created exactly once.
func TestWorkerKilledMidApply(t *testing.T) {
	// Slow user writes (30 batches of 100 ms, 4 at a time) so the kill lands mid-apply.
	s := newStack(t, false)
	addFault(t, s, `{"path":"create-users-batch","kind":"latency","delay":"100ms","rate":1}`)
	spec := exportgen.NewSpec(1500, 20, 21)
	company := exportgen.Generate(spec)
	path := s.export("kill.xlsx", company, spec)

	first := startWorkerProcess(t, s)
	run := s.start("kill", fileInput(path))
	waitFor(t, func() bool {
		n := len(s.emu.Snapshot().Users)
		require.Less(t, n, len(company.Members), "the run finished before the worker could be killed")
		return n >= 200
	})
	require.NoError(t, first.Process.Kill())
	_, _ = first.Process.Wait()
	createdAtKill := len(s.emu.Snapshot().Users)
	t.Logf("worker killed with %d of %d users created", createdAtKill, len(company.Members))

	startWorkerProcess(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var rep report.Report
	require.NoError(t, run.Get(ctx, &rep))
	require.Equal(t, report.StatusCompleted, rep.Status, mustJSON(rep))
	assert.Equal(t, len(company.Members), rep.Applied.UsersCreate, "every user counted once")
	snap := s.emu.Snapshot()
	assert.Len(t, snap.Users, len(company.Members), "no duplicates, nothing missing")
	assert.Equal(t, expected(company).Users, s.directory().Users)
	assert.Less(t, createdAtKill, len(company.Members))
}

// TestCancelMidApply cancels a run while it writes users: the run ends canceled, after its chunks
// stopped, with a stored report that counts exactly the users that were written.
func TestCancelMidApply(t *testing.T) {
	s := newStack(t, true)
	// 30 batches of 400 ms, 4 at a time: about 3 s of writes, longer than a cancel takes to arrive.
	addFault(t, s, `{"path":"create-users-batch","kind":"latency","delay":"400ms","rate":1}`)
	spec := exportgen.NewSpec(1500, 20, 23)
	company := exportgen.Generate(spec)
	run := s.start("cancel", fileInput(s.export("cancel.xlsx", company, spec)))
	waitFor(t, func() bool {
		n := len(s.emu.Snapshot().Users)
		require.Less(t, n, len(company.Members), "the run finished before it could be canceled")
		return n >= 200
	})
	require.NoError(t, s.client.CancelWorkflow(context.Background(), run.GetID(), run.GetRunID()))
	var rep report.Report
	err := run.Get(context.Background(), &rep)
	var canceled *temporal.CanceledError
	require.True(t, errors.As(err, &canceled), "%v", err)
	require.NoError(t, canceled.Details(&rep))
	assert.Equal(t, report.StatusCanceled, rep.Status)
	written := len(s.emu.Snapshot().Users)
	assert.Less(t, written, len(company.Members), "the chunk stopped when the run was canceled")
	assert.Equal(t, written, rep.Applied.UsersCreate, "the report counts what the chunk wrote before it stopped")
	assert.NotEmpty(t, rep.ReportKey)
}
