package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// commandNames are the top-level commands, sorted.
func commandNames() []string {
	var names []string
	for name := range commands {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func TestBareStarterPrintsUsageAndExits2(t *testing.T) {
	stdout, stderr, code := runStarter(t)
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	assert.True(t, strings.HasPrefix(stderr, "usage: starter <command>"), stderr)

	for _, help := range []string{"-h", "--help", "help"} {
		stdout, stderr, code = runStarter(t, help)
		assert.Equal(t, exitOK, code, help)
		assert.Contains(t, stdout, "usage: starter <command>", help)
		assert.Contains(t, stdout, "4 the run completed with errors", "the usage lists the exit codes")
		assert.Empty(t, stderr, help)
	}
}

func TestUnknownCommandIsOneLineAndTheUsage(t *testing.T) {
	stdout, stderr, code := runStarter(t, "sync")
	assert.Equal(t, exitUsage, code)
	assert.Empty(t, stdout)
	first, rest, _ := strings.Cut(stderr, "\n")
	assert.Equal(t, `starter: unknown command "sync"`, first)
	assert.Equal(t, 1, strings.Count(rest, "usage: starter <command>"), stderr)
	assert.NotContains(t, rest, "unknown command", "one error line")
}

// Every command answers -h and --help with its usage on stdout and exit 0, and an unknown flag
// with one error line and its usage once on stderr and exit 2 — before it dials Temporal, which
// runStarter makes fail.
func TestEveryCommandSharesTheFlagConventions(t *testing.T) {
	for _, name := range commandNames() {
		if name == "schedule" { // a command group: TestScheduleCommandLine
			continue
		}
		t.Run(name, func(t *testing.T) {
			for _, help := range []string{"-h", "--help"} {
				stdout, stderr, code := runStarter(t, name, help)
				assert.Equal(t, exitOK, code, help)
				assert.True(t, strings.HasPrefix(stdout, "usage: starter "+name), "%s: %s", help, stdout)
				assert.Contains(t, stdout, "flags:")
				assert.Empty(t, stderr, help)
				assert.NotContains(t, stdout+stderr, "flag: help requested")
			}

			stdout, stderr, code := runStarter(t, name, "--no-such-flag")
			assert.Equal(t, exitUsage, code)
			assert.Empty(t, stdout)
			first, rest, _ := strings.Cut(stderr, "\n")
			assert.Equal(t, "starter "+name+": flag provided but not defined: -no-such-flag", first)
			assert.Equal(t, 1, strings.Count(stderr, "usage: starter "+name), "the usage once: %s", stderr)
			assert.NotContains(t, rest, "not defined", "one error line")

			_, stderr, code = runStarter(t, name, "stray")
			assert.Equal(t, exitUsage, code)
			assert.Equal(t, 1, strings.Count(stderr, "\n"), "one line: %q", stderr)
			assert.Contains(t, stderr, `unexpected argument "stray"`)
		})
	}
}

func TestBadValuesAreOneLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"upstream"}, "--file is required"},
		{[]string{"upstream", "--file", "x.xlsx", "--mode", "delete"}, `--mode "delete"`},
		{[]string{"upstream", "--file", "x.xlsx", "--delete-action", "archive"}, `--delete-action "archive"`},
		{[]string{"report"}, "--id is required"},
		{[]string{"report", "--id", "upstream-default", "--failures-xlsx", "failures.csv"}, "--failures-xlsx"},
		{[]string{"progress"}, "--id is required"},
		{[]string{"approve"}, "--id is required"},
		{[]string{"reject"}, "--id is required"},
		{[]string{"cleanup", "--older-than", "-1h"}, "--older-than"},
		{[]string{"list", "--direction", "sideways"}, `--direction "sideways"`},
		{[]string{"list", "--outcome", "succeeded"}, `--outcome "succeeded"`},
		{[]string{"list", "--since", "yesterday"}, `--since "yesterday"`},
		{[]string{"list", "--connection", "a'b"}, "--connection"},
		{[]string{"list", "--limit", "0"}, "--limit 0"},
		{[]string{"cleanup", "--older-than", "soon"}, `invalid value "soon" for flag -older-than`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			stdout, stderr, code := runStarter(t, tc.args...)
			assert.Equal(t, exitUsage, code, stderr)
			assert.Empty(t, stdout)
			first, _, _ := strings.Cut(stderr, "\n")
			assert.Contains(t, first, tc.want)
		})
	}
}
