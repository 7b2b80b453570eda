package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
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
	return e.cleanup(ctx, *olderThan, *dryRun)
}

// cleanup deletes (or with dryRun lists) the runs and uploads last written longer ago than
// olderThan, in key order, and says how many.
func (e *env) cleanup(ctx context.Context, olderThan time.Duration, dryRun bool) error {
	cutoff := time.Now().Add(-olderThan)
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
	for _, group := range slices.Sorted(maps.Keys(keys)) {
		ks := keys[group]
		if newest[group].After(cutoff) || e.runIsOpen(ctx, group) {
			continue
		}
		fmt.Fprintf(e.stdout, "%s (%s, last written %s)\n", group, plural(len(ks), "blob"), newest[group].Format(time.RFC3339))
		deleted++
		if dryRun {
			continue
		}
		for _, k := range ks {
			if err := e.store.Delete(ctx, k); err != nil {
				return err
			}
		}
	}
	verb := "deleted"
	if dryRun {
		verb = "would delete"
	}
	fmt.Fprintf(e.stderr, "%s %d runs/uploads older than %s from %s\n", verb, deleted, olderThan, e.store)
	return nil
}

// plural is n and a noun, in the plural unless n is 1: "1 blob", "3 blobs".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
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
