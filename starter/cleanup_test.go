package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/wecomsync/wecomsync/internal/claimcheck"
)

func TestCleanupCountsDryRunsAndListsInKeyOrder(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	store, err := claimcheck.Open(ctx, "file://"+filepath.ToSlash(dir)+"?create_dir=true")
	require.NoError(t, err)
	defer store.Close()
	old := time.Now().Add(-48 * time.Hour)
	for _, key := range []string{"uploads/bbb/x.xlsx", "runs/upstream-default/r2/plan.json", "runs/upstream-default/r2/report.json",
		"uploads/aaa/y.xlsx", "uploads/new/z.xlsx"} {
		_, err := store.Put(ctx, key, strings.NewReader("{}"))
		require.NoError(t, err)
		if !strings.HasPrefix(key, "uploads/new/") {
			require.NoError(t, os.Chtimes(filepath.Join(dir, filepath.FromSlash(key)), old, old))
		}
	}
	e, out, errb := testEnv()
	e.store, e.client = store, &endedClient{status: enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED}
	require.NoError(t, e.cleanup(ctx, time.Hour, true))
	var groups []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		groups = append(groups, strings.Fields(line)[0])
	}
	assert.Equal(t, []string{"runs/upstream-default/r2/", "uploads/aaa/", "uploads/bbb/"}, groups)
	assert.Contains(t, out.String(), "runs/upstream-default/r2/ (2 blobs, ")
	assert.Contains(t, out.String(), "uploads/aaa/ (1 blob, ")
	assert.Contains(t, errb.String(), "would delete 3 runs/uploads older than 1h0m0s")
	exists, err := store.Exists(ctx, "uploads/aaa/y.xlsx")
	require.NoError(t, err)
	assert.True(t, exists, "a dry run deletes nothing")

	e, _, errb = testEnv()
	e.store, e.client = store, &endedClient{status: enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED}
	require.NoError(t, e.cleanup(ctx, time.Hour, false))
	assert.Contains(t, errb.String(), "deleted 3 runs/uploads")
	keys, err := store.List(ctx, "")
	require.NoError(t, err)
	assert.Equal(t, []string{"uploads/new/z.xlsx"}, keys)
}
