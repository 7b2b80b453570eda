package activities

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"
	"go.uber.org/zap"

	"github.com/wecomsync/wecomsync/directory"
	"github.com/wecomsync/wecomsync/internal/claimcheck"
	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/wecomexport"
)

// ExcelActivities read WeCom console exports.
type ExcelActivities struct {
	Store *claimcheck.Store
	Log   *zap.Logger
	// MaxFileBytes bounds the export size (0 = the parser's default).
	MaxFileBytes int64
}

// heartbeatEvery is how many rows pass between two progress heartbeats of a long read.
const heartbeatEvery = 5000

// ParseExport parses the export into mapped members and rejects, stored as JSON lines.
func (a *ExcelActivities) ParseExport(ctx context.Context, in ParseExportInput) (ParseExportResult, error) {
	var res ParseExportResult
	src, name, err := a.open(ctx, in.File)
	if err != nil {
		return res, err
	}
	defer src.Close()

	members, err := a.Store.NewLineWriter(ctx, in.Prefix+"export/members.jsonl")
	if err != nil {
		return res, err
	}
	rejects, err := a.Store.NewLineWriter(ctx, in.Prefix+"export/rejects.jsonl")
	if err != nil {
		return res, err
	}
	rejectedIDs, err := a.Store.NewLineWriter(ctx, in.Prefix+"export/rejected-userids.jsonl")
	if err != nil {
		return res, err
	}
	paths := map[string]bool{}
	tops := map[string]bool{}
	rows := 0
	onMember := func(m wecomexport.Member) error {
		u := plan.DesiredUser{Sheet: m.Sheet, Row: m.Row, User: mapping.FromContact(mapping.Contact{
			UserID: m.UserID, Name: m.Name, Alias: m.Alias, Position: m.Position, Gender: m.Gender,
			Mobile: m.Mobile, Email: m.Email, BizMail: m.BizMail, Disabled: m.Disabled,
		})}
		for _, segs := range m.Departments {
			if len(segs) > 0 && !tops[segs[0]] {
				tops[segs[0]] = true
				res.TopLevelNames = append(res.TopLevelNames, segs[0])
			}
			p := departmentPath(segs, in.IgnoreTopLevel)
			if !slices.Contains(u.User.Departments, p) {
				u.User.Departments = append(u.User.Departments, p)
			}
			if p != plan.RootPath {
				paths[p] = true
			}
		}
		if rows++; rows%heartbeatEvery == 0 {
			activity.RecordHeartbeat(ctx, rows)
		}
		return members.Write(u)
	}
	lastUnknown := ""
	onReject := func(r wecomexport.Reject) error {
		if len(res.RejectSample) < SampleSize {
			res.RejectSample = append(res.RejectSample, r)
		}
		if at := fmt.Sprintf("%s!%d", r.Sheet, r.Row); r.UserID == "" && at != lastUnknown {
			res.RejectsWithoutUserID++ // one per row: its 账号 is empty or unreadable
			lastUnknown = at
		}
		if r.UserID != "" {
			if err := rejectedIDs.Write(r.UserID); err != nil {
				return err
			}
		}
		return rejects.Write(r)
	}
	opts := wecomexport.Options{Sheet: in.Sheet, StartRow: in.StartRow, EndRow: in.EndRow, MaxFileBytes: a.MaxFileBytes}
	res.Summary, err = wecomexport.Parse(ctx, src, name, opts, onMember, onReject)
	if err != nil {
		members.Abort()
		rejects.Abort()
		rejectedIDs.Abort()
		var fe *wecomexport.FileError
		if errors.As(err, &fe) {
			return res, temporal.NewNonRetryableApplicationError(err.Error(), ErrTypeBadInput, err)
		}
		return res, fmt.Errorf("parse %s: %w", name, err)
	}
	if res.Members, err = members.Close(); err != nil {
		return res, err
	}
	if res.Rejects, err = rejects.Close(); err != nil {
		return res, err
	}
	if res.RejectedUserID, err = rejectedIDs.Close(); err != nil {
		return res, err
	}
	res.Departments = len(paths)
	if in.IgnoreTopLevel && len(res.TopLevelNames) > 1 {
		res.Warnings = append(res.Warnings, fmt.Sprintf("the file has %d top-level departments (%s): each is mapped to the organization root",
			len(res.TopLevelNames), strings.Join(res.TopLevelNames[:min(5, len(res.TopLevelNames))], ", ")))
	}
	a.Log.Info("export parsed", zap.String("file", name), zap.Int("rows", res.Summary.Rows),
		zap.Int("members", res.Summary.Members), zap.Int("rejects", res.Summary.Rejects))
	return res, nil
}

// departmentPath maps an export path to a path below the organization root.
func departmentPath(segs []string, ignoreTopLevel bool) string {
	if ignoreTopLevel && len(segs) > 0 {
		segs = segs[1:]
	}
	return directory.JoinPath(segs...)
}

// open returns the export named by file: a file:// URL or an absolute path on this machine, else a
// key in the blob store.
func (a *ExcelActivities) open(ctx context.Context, file string) (io.ReadCloser, string, error) {
	local := ""
	switch {
	case strings.HasPrefix(file, "file://"):
		u, err := url.Parse(file)
		if err != nil {
			return nil, file, temporal.NewNonRetryableApplicationError(fmt.Sprintf("file %q is not a valid file:// URL", file), ErrTypeBadInput, err)
		}
		local = u.Path
	case filepath.IsAbs(file):
		local = file
	}
	if local != "" {
		f, err := os.Open(local)
		if err != nil {
			return nil, local, temporal.NewNonRetryableApplicationError(
				fmt.Sprintf("cannot open the export %s on the worker: %v", local, errors.Unwrap(err)), ErrTypeBadInput, err)
		}
		return f, filepath.Base(local), nil
	}
	r, err := a.Store.Open(ctx, file)
	if errors.Is(err, claimcheck.ErrNotFound) {
		return nil, file, temporal.NewNonRetryableApplicationError(
			fmt.Sprintf("the export %q is not in the blob store %s (upload it with `starter upstream --file`, or pass a file:// URL)", file, a.Store), ErrTypeBadInput, err)
	}
	if err != nil {
		return nil, file, err
	}
	return r, path.Base(file), nil // uploads/<sha>/<name>: the name a person knows it by
}
