package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
)

// cmdCleanup deletes what old runs left in the blob store: their snapshots, plans and reports
// (runs/<workflow>/<run>/…) and uploaded exports (uploads/…). The blob store is not an archive;
// Temporal keeps the run log for the namespace's retention.
func cmdCleanup(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("cleanup", "[--older-than 720h] [--dry-run]")
	olderThan := fs.Duration("older-than", 30*24*time.Hour, "delete runs and uploads last written longer ago than this")
	dryRun := fs.Bool("dry-run", false, "list what would be deleted, delete nothing")
	closeAll, err := e.setUp(ctx, fs, args, true, func() error {
		if *olderThan <= 0 {
			return fmt.Errorf("--older-than %s: want a positive duration such as 720h", *olderThan)
		}
		return nil
	})
	if err != nil {
		return err
	}
	defer closeAll()
	cutoff := time.Now().Add(-*olderThan)
	// A run's blobs go together: keep them all while any of them is recent.
	newest := map[string]time.Time{}
	keys := map[string][]string{}
	for _, prefix := range []string{"runs/", "uploads/"} {
		err := e.store.Walk(ctx, prefix, func(key string, modified time.Time) error {
			group := groupOf(key)
			if modified.After(newest[group]) {
				newest[group] = modified
			}
			keys[group] = append(keys[group], key)
			return nil
		})
		if err != nil {
			return err
		}
	}
	deleted := 0
	for group, ks := range keys {
		if newest[group].After(cutoff) || e.runIsOpen(ctx, group) {
			continue
		}
		fmt.Fprintf(e.stdout, "%s (%d blobs, last written %s)\n", group, len(ks), newest[group].Format(time.RFC3339))
		if *dryRun {
			continue
		}
		for _, k := range ks {
			if err := e.store.Delete(ctx, k); err != nil {
				return err
			}
		}
		deleted++
	}
	verb := "deleted"
	if *dryRun {
		verb = "would delete"
	}
	fmt.Fprintf(e.stderr, "%s %d runs/uploads older than %s from %s\n", verb, deleted, *olderThan, e.store)
	return nil
}

// groupOf is the run or upload a key belongs to: runs/<workflow>/<run>/ or uploads/<hash>/.
func groupOf(key string) string {
	parts := strings.SplitN(key, "/", 4)
	if parts[0] == "runs" && len(parts) >= 3 {
		return strings.Join(parts[:3], "/") + "/"
	}
	if len(parts) >= 2 {
		return strings.Join(parts[:2], "/") + "/"
	}
	return key
}

// runIsOpen reports whether group is the blob folder of a run that is still open (one waiting for
// approval can outlive any age limit). When Temporal cannot tell, the run is kept.
func (e *env) runIsOpen(ctx context.Context, group string) bool {
	parts := strings.Split(strings.TrimSuffix(group, "/"), "/")
	if len(parts) != 3 || parts[0] != "runs" {
		return false
	}
	desc, err := e.client.DescribeWorkflow(ctx, parts[1], parts[2])
	if err != nil {
		var notFound *serviceerror.NotFound
		return !errors.As(err, &notFound) // gone from Temporal (retention): its blobs may go
	}
	return desc.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
}
