package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/workflows"
)

// testFlags parses args with the flags register defines.
func testFlags(t *testing.T, register func(*flag.FlagSet), args []string) *flag.FlagSet {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	register(fs)
	require.NoError(t, fs.Parse(args))
	return fs
}

// parseDownstream parses args as the flags of a downstream run.
func parseDownstream(t *testing.T, args ...string) (workflows.DownstreamInput, error) {
	t.Helper()
	var df downstreamFlags
	testFlags(t, df.register, args)
	return df.input()
}

func TestDownstreamFlagsDefaults(t *testing.T) {
	in, err := parseDownstream(t)
	require.NoError(t, err)
	assert.Equal(t, workflows.DownstreamInput{
		Connection: "default", UpdateMode: workflows.UpdateChanged, DeleteMode: workflows.DeleteNone,
	}, in)
}

func TestDownstreamFlagsInput(t *testing.T) {
	in, err := parseDownstream(t, "--connection", "xinghe", "--org", "xh", "--wecom-root", "7",
		"--update-mode", "overwrite", "--ignore-field", "mobile", "--ignore-field", " email ",
		"--delete-mode", "disable", "--user-id-field", "customData.employeeNo", "--invite",
		"--max-deletes", "-1", "--max-delete-percent", "25", "--approval-timeout", "72h",
		"--concurrency", "8", "--dry-run")
	require.NoError(t, err)
	assert.Equal(t, workflows.DownstreamInput{
		Connection: "xinghe", OrganizationCode: "xh", WeComRootDepartmentID: 7,
		UpdateMode: workflows.UpdateOverwrite, IgnoreFields: []string{"mobile", "email"},
		DeleteMode: workflows.DeleteDisable, UserIDField: "customData.employeeNo", Invite: true, DryRun: true,
		Limits:          plan.Limits{MaxDeletes: -1, MaxDeletePercent: 25},
		ApprovalTimeout: "72h", Concurrency: 8,
	}, in)
}

func TestDownstreamFlagsRejected(t *testing.T) {
	assertRejected(t, func(args ...string) error { _, err := parseDownstream(t, args...); return err }, []rejectCase{
		{[]string{"--update-mode", "sometimes"}, "--update-mode"},
		{[]string{"--update-mode", ""}, "--update-mode"},
		{[]string{"--delete-mode", "suspend"}, "--delete-mode"},
		{[]string{"--user-id-field", "nickname"}, "--user-id-field"},
		{[]string{"--user-id-field", "customData."}, "--user-id-field"},
		{[]string{"--connection", ""}, "--connection"},
		{[]string{"--connection", "a b"}, "--connection"},
		{[]string{"--wecom-root", "-2"}, "--wecom-root"},
		{[]string{"--max-deletes", "-5"}, "--max-deletes"},
		{[]string{"--max-delete-percent", "120"}, "--max-delete-percent"},
		{[]string{"--approval-timeout", "soon"}, "--approval-timeout"},
		{[]string{"--approval-timeout", "-1h"}, "--approval-timeout"},
		{[]string{"--concurrency", "17"}, "--concurrency"},
		{[]string{"--ignore-field", " "}, "--ignore-field"},
	})
}

// rejectCase is a command line that must be refused, and what the error must name.
type rejectCase struct {
	args []string
	want string
}

// assertRejected checks that parse refuses each case with an error naming what it should.
func assertRejected(t *testing.T, parse func(args ...string) error, cases []rejectCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			err := parse(tc.args...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// runStarter runs the CLI in process against an address nothing listens on: a command that
// dialled would fail with exit 1, so exit 0 and 2 prove it stopped before dialling.
func runStarter(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	t.Setenv("WECOMSYNC_TEMPORAL_ADDRESS", "127.0.0.1:1")
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	var ee exitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.code
	default:
		code = exitFailed
	}
	return out.String(), errb.String(), code
}

func TestDownstreamCommandLine(t *testing.T) {
	_, stderr, code := runStarter(t, "downstream", "--update-mode", "sometimes")
	assert.Equal(t, exitUsage, code)
	assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
	assert.Contains(t, stderr, `--update-mode "sometimes": want none, overwrite or changed`)

	_, stderr, code = runStarter(t, "downstream", "--no-such-flag")
	assert.Equal(t, exitUsage, code, stderr)

	_, stderr, code = runStarter(t, "downstream", "stray")
	assert.Equal(t, exitUsage, code, stderr)

	stdout, _, code := runStarter(t, "downstream", "--help")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, stdout, "usage: starter downstream")
	assert.Contains(t, stdout, "-update-mode")
}

func TestIsScheduledRunID(t *testing.T) {
	assert.True(t, isScheduledRunID("downstream-default", "downstream-default-2026-11-30T18:00:00Z"))
	assert.False(t, isScheduledRunID("downstream-default", "downstream-default"))
	assert.False(t, isScheduledRunID("downstream-default", "downstream-default-2-2026-11-30T18:00:00Z"), "connection default-2")
	assert.False(t, isScheduledRunID("downstream-default", "downstream-defaultx-2026-11-30T18:00:00Z"))
	assert.False(t, isScheduledRunID("downstream-default", "upstream-default-2026-11-30T18:00:00Z"))
}

func TestDownstreamSummary(t *testing.T) {
	in := workflows.DownstreamInput{Connection: "default", OrganizationCode: "xinghe", UpdateMode: "changed", DeleteMode: "disable", DryRun: true}
	assert.Equal(t, "downstream changed sync of default/xinghe, disable absent users (dry run)", downstreamSummary(in))
	in = workflows.DownstreamInput{Connection: "default", UpdateMode: "none", DeleteMode: "none"}
	assert.Equal(t, "downstream none sync of default", downstreamSummary(in))

	in.OrganizationCode = strings.Repeat("组织", 100)
	s := downstreamSummary(in)
	assert.LessOrEqual(t, len(s), maxSummaryBytes)
	assert.True(t, strings.HasSuffix(s, "…"))
	assert.Contains(t, truncateBytes("星河科技", 7), "星")
	assert.Equal(t, "星…", truncateBytes("星河科技", 7), "cut at a character boundary")
}

// A real run takes the connection's id (one at a time); a dry run one of its own.
func TestRunID(t *testing.T) {
	assert.Equal(t, "upstream-default", runID("upstream-default", false))
	dry := runID("downstream-hq", true)
	stamp, ok := strings.CutPrefix(dry, "downstream-hq-dry-run-")
	require.True(t, ok, dry)
	_, err := time.Parse("20060102T150405.000Z", stamp)
	assert.NoError(t, err, dry)
}

// Bad values of the flags the workflows check are refused by the starter, before it uploads or
// starts anything (runStarter: a command that dialled would exit 1), in one line naming them.
func TestRunFlagsTheWorkflowsCheckAreRefusedFirst(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"upstream", "--file", "x.xlsx", "--ignore-field", "foo"}, `--ignore-field "foo": want name, alias (nickname), mobile (phone), email, gender, position or status (enable)`},
		{[]string{"upstream", "--file", "x.xlsx", "--match-by", "name"}, `--match-by (repeatable, in order): matchBy: "name" is not one of username, phone, email, or ["none"]`},
		{[]string{"upstream", "--file", "x.xlsx", "--match-by", "email", "--match-by", "none"}, `matchBy: "none" is not one of`},
		{[]string{"upstream", "--file", "x.xlsx", "--approval-timeout", "forever"}, `--approval-timeout "forever": want a positive duration`},
		{[]string{"upstream", "--file", "x.xlsx", "--concurrency", "-3"}, "--concurrency -3: want 1 to 16"},
		{[]string{"upstream", "--file", "x.xlsx", "--max-deletes", "-2"}, "--max-deletes -2"},
		{[]string{"downstream", "--ignore-field", "foo"}, `--ignore-field "foo": want name, alias (nickname)`},
		{[]string{"schedule", "create", "--ignore-field", "foo"}, `--ignore-field "foo"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := runStarter(t, tc.args...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Empty(t, stdout)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			assert.Contains(t, stderr, tc.want)
		})
	}
}

func TestRunFlagsAcceptWhatTheWorkflowsAccept(t *testing.T) {
	for _, by := range [][]string{nil, {"none"}, {"email"}, {"phone", "username"}} {
		assert.NoError(t, checkMatchBy(by), by)
	}
	assert.NoError(t, checkRunFlags([]string{"nickname", "phone", "Mobile", "enable", "username"}, plan.Limits{MaxDeletes: -1, MaxDeletePercent: -1}, "30m", 16))
	assert.NoError(t, checkRunFlags(nil, plan.Limits{}, "", 0))
}

// The names the error lists are the parser's: every one is accepted, and every synced field is listed.
func TestIgnoreFieldNamesAgreeWithTheParser(t *testing.T) {
	var names []string
	for _, w := range strings.FieldsFunc(ignoreFieldNames, func(r rune) bool { return strings.ContainsRune(" ,()", r) }) {
		if w != "or" {
			names = append(names, w)
		}
	}
	assert.Equal(t, []string{"name", "alias", "nickname", "mobile", "phone", "email", "gender", "position", "status", "enable"}, names)
	for _, n := range names {
		_, err := mapping.ParseIgnoreFields([]string{n})
		assert.NoError(t, err, n)
	}
	for _, f := range directory.Fields() {
		assert.Contains(t, names, string(f))
	}
}
