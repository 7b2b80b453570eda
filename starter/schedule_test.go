package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/wecomsync/wecomsync/workflows"
)

// parseCreate parses args as the flags of `schedule create` on task queue wecomsync.
func parseCreate(t *testing.T, args ...string) (scheduleConfig, error) {
	t.Helper()
	var sf scheduleFlags
	return sf.config(testFlags(t, sf.register, args), "wecomsync")
}

func TestScheduleDefaults(t *testing.T) {
	cfg, err := parseCreate(t)
	require.NoError(t, err)
	opts := cfg.options()
	assert.Equal(t, "downstream-default-nightly", opts.ID)
	assert.Equal(t, client.ScheduleSpec{CronExpressions: []string{"0 2 * * *"}, TimeZoneName: "Asia/Shanghai"}, opts.Spec)
	assert.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_SKIP, opts.Overlap)
	assert.Equal(t, time.Hour, opts.CatchupWindow)
	assert.False(t, opts.PauseOnFailure)
	assert.False(t, opts.Paused)
	assert.NotEmpty(t, opts.Note)

	action, ok := opts.Action.(*client.ScheduleWorkflowAction)
	require.True(t, ok)
	assert.Equal(t, "downstream-default", action.ID, "Temporal appends -<time>")
	assert.Equal(t, workflows.DownstreamWorkflowName, action.Workflow)
	assert.Equal(t, "wecomsync", action.TaskQueue)
	assert.Equal(t, []any{workflows.DownstreamInput{Connection: "default", UpdateMode: "changed", DeleteMode: "none"}}, action.Args)
	assert.Equal(t, map[string]any{memoConnection: "default", memoConfigHash: cfg.hash()}, action.Memo)
	assert.Equal(t, "scheduled downstream changed sync of default", action.StaticSummary)
}

func TestScheduleFromFlags(t *testing.T) {
	cfg, err := parseCreate(t, "--connection", "xinghe", "--id", "nightly-xh", "--every", "2s", "--overlap", "buffer-one",
		"--catchup-window", "30m", "--pause-on-failure", "--note", "trial", "--update-mode", "overwrite",
		"--delete-mode", "disable", "--ignore-field", "mobile", "--dry-run")
	require.NoError(t, err)
	opts := cfg.options()
	assert.Equal(t, "nightly-xh", opts.ID)
	assert.Equal(t, client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 2 * time.Second}}}, opts.Spec, "an interval has no time zone")
	assert.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE, opts.Overlap)
	assert.Equal(t, 30*time.Minute, opts.CatchupWindow)
	assert.True(t, opts.PauseOnFailure)
	assert.Equal(t, "trial", opts.Note)
	action := opts.Action.(*client.ScheduleWorkflowAction)
	assert.Equal(t, "downstream-xinghe", action.ID)
	assert.Equal(t, []any{workflows.DownstreamInput{Connection: "xinghe", UpdateMode: "overwrite", DeleteMode: "disable",
		IgnoreFields: []string{"mobile"}, DryRun: true}}, action.Args)
	assert.Equal(t, "scheduled downstream overwrite sync of xinghe, disable absent users (dry run)", action.StaticSummary)

	s := cfg.schedule(&client.ScheduleState{Paused: true, Note: "kept"})
	assert.Equal(t, &client.ScheduleState{Paused: true, Note: "kept"}, s.State, "an update keeps paused and note")
	assert.Equal(t, opts.Spec, *s.Spec)
	assert.Equal(t, &client.SchedulePolicies{Overlap: opts.Overlap, CatchupWindow: opts.CatchupWindow, PauseOnFailure: true}, s.Policy)
	assert.Equal(t, action, s.Action)
}

func TestScheduleRejected(t *testing.T) {
	assertRejected(t, func(args ...string) error { _, err := parseCreate(t, args...); return err }, []rejectCase{
		{[]string{"--cron", "0 3 * * *", "--every", "2h"}, "--cron and --every"},
		{[]string{"--every", "500ms"}, "--every"},
		{[]string{"--cron", "0 2 * *"}, "--cron"},
		{[]string{"--cron", "CRON_TZ=UTC 0 2 * * *"}, "--time-zone"},
		{[]string{"--cron", " "}, "--cron"},
		{[]string{"--time-zone", "Mars/Olympus_Mons"}, "--time-zone"},
		{[]string{"--time-zone", ""}, "--time-zone"},
		{[]string{"--overlap", "sometimes"}, "--overlap"},
		{[]string{"--catchup-window", "5s"}, "--catchup-window"},
		{[]string{"--update-mode", "all"}, "--update-mode"},
	})
	_, err := parseCreate(t, "--cron", "@daily")
	assert.NoError(t, err)
}

func TestScheduleHash(t *testing.T) {
	hash := func(args ...string) string {
		cfg, err := parseCreate(t, args...)
		require.NoError(t, err)
		return cfg.hash()
	}
	base := hash("--connection", "xinghe")
	assert.Equal(t, base, hash("--connection", "xinghe"), "stable")
	assert.Equal(t, base, hash("--connection", "xinghe", "--note", "other"), "the note is state")
	assert.Equal(t, base, hash("--connection", "xinghe", "--cron", "0 2 * * *", "--time-zone", "Asia/Shanghai"), "defaults spelled out")
	for _, other := range [][]string{
		{"--update-mode", "overwrite"}, {"--cron", "0 3 * * *"}, {"--every", "2h"}, {"--time-zone", "UTC"},
		{"--overlap", "buffer-one"}, {"--catchup-window", "2h"}, {"--pause-on-failure"}, {"--dry-run"},
		{"--ignore-field", "mobile"}, {"--org", "xh"}, {"--max-deletes", "10"},
	} {
		assert.NotEqual(t, base, hash(append([]string{"--connection", "xinghe"}, other...)...), "%v", other)
	}
	cfg, err := parseCreate(t, "--connection", "xinghe")
	require.NoError(t, err)
	cfg.TaskQueue = "elsewhere"
	assert.NotEqual(t, base, cfg.hash(), "the task queue")
}

func TestOverlapNames(t *testing.T) {
	assert.Equal(t, []string{"skip", "buffer-one", "buffer-all", "cancel-other", "terminate-other", "allow-all"}, overlapNames())
	for _, name := range overlapNames() {
		p, err := parseOverlap(name)
		require.NoError(t, err)
		assert.Equal(t, name, overlapName(p))
	}
	p, err := parseOverlap("ALLOW_ALL")
	require.NoError(t, err)
	assert.Equal(t, enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL, p)
	_, err = parseOverlap("unspecified")
	assert.Error(t, err)
}

func TestSpecString(t *testing.T) {
	nightly := client.ScheduleCalendarSpec{
		Second: []client.ScheduleRange{{Start: 0}}, Minute: []client.ScheduleRange{{Start: 0}},
		Hour: []client.ScheduleRange{{Start: 2}}, DayOfMonth: []client.ScheduleRange{{Start: 1, End: 31}},
		Month: []client.ScheduleRange{{Start: 1, End: 12}}, DayOfWeek: []client.ScheduleRange{{Start: 0, End: 6}},
	}
	assert.Equal(t, "cron 0 2 * * * (Asia/Shanghai)", specString(&client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{nightly}, TimeZoneName: "Asia/Shanghai"}))

	weekdays := nightly
	weekdays.Minute = []client.ScheduleRange{{Start: 0, End: 59, Step: 15}}
	weekdays.DayOfWeek = []client.ScheduleRange{{Start: 1, End: 5}}
	weekdays.Second = []client.ScheduleRange{{Start: 30}}
	weekdays.Comment = "office hours"
	assert.Equal(t, "cron 30 */15 2 * * 1-5 * # office hours", specString(&client.ScheduleSpec{Calendars: []client.ScheduleCalendarSpec{weekdays}}))

	assert.Equal(t, "every 2s", specString(&client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 2 * time.Second}}}))
	assert.Equal(t, "every 2h0m0s offset 30m0s", specString(&client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: 2 * time.Hour, Offset: 30 * time.Minute}}}))
	assert.Equal(t, "cron 0 2 * * * (Asia/Shanghai)", specString(&client.ScheduleSpec{CronExpressions: []string{"0 2 * * *"}, TimeZoneName: "Asia/Shanghai"}))
	assert.Equal(t, "none (trigger only)", specString(&client.ScheduleSpec{}))
}

func TestScheduleCommandLine(t *testing.T) {
	for _, sub := range []string{"create", "list", "describe", "pause", "resume", "trigger", "delete"} {
		stdout, _, code := runStarter(t, "schedule", sub, "--help")
		assert.Equal(t, exitOK, code, sub)
		assert.Contains(t, stdout, "usage: starter schedule "+sub, sub)
	}
	stdout, _, code := runStarter(t, "schedule", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "needs no worker restart")

	_, _, code = runStarter(t, "schedule")
	assert.Equal(t, exitUsage, code)
	_, stderr, code := runStarter(t, "schedule", "enable")
	assert.Equal(t, exitUsage, code)
	assert.True(t, strings.HasPrefix(stderr, "starter schedule: unknown command \"enable\"\n"), stderr)
	assert.Equal(t, 1, strings.Count(stderr, "usage: starter schedule"), "the usage once: %s", stderr)

	_, stderr, code = runStarter(t, "schedule", "create", "--every", "2s", "--cron", "0 2 * * *")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--cron and --every")
	_, stderr, code = runStarter(t, "schedule", "trigger", "--overlap", "never")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "--overlap")
}

func TestFormatTimeNeverForUnixZero(t *testing.T) {
	assert.Equal(t, "never", formatTime(time.Time{}, time.UTC))
	assert.Equal(t, "never", formatTime(time.Unix(0, 0), time.UTC), "Temporal's time of a schedule never updated")
	assert.Equal(t, "2026-11-30T02:00:00Z", formatTime(time.Date(2026, 11, 30, 2, 0, 0, 0, time.UTC), time.UTC))
}
