package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/wecomsync/wecomsync/wecomexport"
)

func TestRun(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		wantLine    string
		wantMembers int
		wantRejects int
		wantLabel   string
	}{
		{
			name:        "defaults with bad rows",
			args:        []string{"--users", "50", "--departments", "6", "--seed", "3", "--bad-rows", "5"},
			wantLine:    `^wrote .*x\.xlsx: 50 users \(5 in several departments\), 6 departments, 5 bad rows, header on row 10, \d+\.\d MiB in \S+\n$`,
			wantMembers: 50, wantRejects: 5, wantLabel: "账号",
		},
		{
			name:        "variants without notice",
			args:        []string{"--users", "10", "--departments", "3", "--variants", "--no-notice", "--numeric-phones", "--ascii-separator", "--multi-dept", "-1"},
			wantLine:    `^wrote .*: 10 users \(0 in several departments\), 3 departments, 0 bad rows, header on row 1,`,
			wantMembers: 10, wantLabel: "帐号",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "x.xlsx")
			var stdout, stderr bytes.Buffer
			require.NoError(t, run(append(tt.args, "--out", out), &stdout, &stderr))
			assert.Regexp(t, regexp.MustCompile(tt.wantLine), stdout.String())

			f, err := os.Open(out)
			require.NoError(t, err)
			defer f.Close()
			sum, err := wecomexport.Parse(context.Background(), f, out, wecomexport.Options{EndRow: -1}, nil, nil)
			require.NoError(t, err)
			assert.Equal(t, tt.wantMembers, sum.Members)
			assert.Equal(t, tt.wantRejects, sum.Rejects)
			assert.Contains(t, sum.Header, tt.wantLabel)
		})
	}
}

func TestRunErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{name: "no output", args: []string{"--users", "3"}, want: "--out is required"},
		{name: "negative users", args: []string{"--users", "-1", "--out", "x.xlsx"}, want: "must not be negative"},
		{name: "unknown flag", args: []string{"--nope"}, want: "flag provided but not defined"},
		{name: "stray argument", args: []string{"--out", "x.xlsx", "extra"}, want: "unexpected arguments"},
		{name: "unwritable output", args: []string{"--users", "1", "--out", "/nonexistent-dir/x.xlsx"}, want: "create export"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(tt.args, &stdout, &stderr)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, stdout.String())
		})
	}
}
