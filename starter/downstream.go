package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/wecomsync/wecomsync/mapping"
	"github.com/wecomsync/wecomsync/plan"
	"github.com/wecomsync/wecomsync/workflows"
)

// memoConnection is the memo key the starter puts on downstream runs (manual and scheduled), so
// that a manual start can tell which connection an open run syncs whatever its workflow id.
const memoConnection = "connection"

// maxSummaryBytes is Temporal's limit on a static summary.
const maxSummaryBytes = 200

// cmdDownstream starts a downstream run (Authing → WeCom) now: one run per connection at a time,
// whether manual or started by the schedule.
func cmdDownstream(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("downstream", "[flags]")
	var df downstreamFlags
	df.register(fs)
	id := fs.String("id", "", "workflow id (default downstream-<connection>: one run per connection at a time; a dry run's is downstream-<connection>-dry-run-<UTC time>)")
	wait := fs.Bool("wait", false, "wait for the run, show progress and print the report")
	asJSON := fs.Bool("json", false, "with --wait: print the report as JSON on stdout")
	var in workflows.DownstreamInput
	closeClient, err := e.setUp(ctx, fs, args, false, func() (err error) {
		in, err = df.input()
		return err
	})
	if err != nil {
		return err
	}
	defer closeClient()
	if *id == "" {
		*id = runID(downstreamWorkflowID(in.Connection), in.DryRun)
	}
	var open *openRun
	if !in.DryRun { // a dry run writes nothing: it neither waits for nor blocks real runs
		if open, err = findOpenDownstream(ctx, e, in.Connection); err != nil {
			return fmt.Errorf("look for open downstream runs of connection %s: %w", in.Connection, err)
		}
	}
	if open != nil {
		describeOpenRun(ctx, e, open.id)
		if open.scheduleID != "" {
			fmt.Fprintf(e.stderr, "  it was started by schedule %s (starter schedule describe --id %s)\n", open.scheduleID, open.scheduleID)
		}
		return exitError{code: exitBusy}
	}
	return startExclusive(ctx, e, "downstream", client.StartWorkflowOptions{
		ID:            *id,
		TaskQueue:     e.cfg.TaskQueue,
		StaticSummary: downstreamSummary(in),
		Memo:          map[string]any{memoConnection: in.Connection},
	}, workflows.DownstreamWorkflowName, in, *wait, *asJSON)
}

// downstreamFlags are the flags that make a DownstreamInput; `starter downstream` and
// `starter schedule create` share them.
type downstreamFlags struct {
	connection, org, updateMode, deleteMode, userIDField, approvalTimeout string
	wecomRoot, maxDeletes, concurrency                                    int
	maxDeletePct                                                          float64
	invite, dryRun                                                        bool
	ignore                                                                stringList
}

func (f *downstreamFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.connection, "connection", workflows.DefaultConnection, "the worker-side connection to use")
	fs.StringVar(&f.org, "org", "", "Authing organization code to read (default: the pool's only organization)")
	fs.IntVar(&f.wecomRoot, "wecom-root", 0, "the WeCom department id the organization root maps to (default 1, the corp's root)")
	fs.StringVar(&f.updateMode, "update-mode", workflows.UpdateChanged, "none, overwrite (every mapped field) or changed (only what differs)")
	fs.Var(&f.ignore, "ignore-field", "a field never written on update (repeatable), e.g. mobile, email")
	fs.StringVar(&f.deleteMode, "delete-mode", workflows.DeleteNone, "WeCom users Authing no longer has: none, disable or delete")
	fs.StringVar(&f.userIDField, "user-id-field", "", "the Authing attribute that becomes a created user's WeCom userid: username (default), email, phone, externalId, userId or customData.<key>")
	fs.BoolVar(&f.invite, "invite", false, "send WeCom's invitation to created users")
	fs.IntVar(&f.maxDeletes, "max-deletes", 0, "approval needed above this many deletions or disables (default 50; -1 = no limit)")
	fs.Float64Var(&f.maxDeletePct, "max-delete-percent", 0, "approval needed above this share of synced users deleted or disabled (default 10; -1 = no limit)")
	fs.StringVar(&f.approvalTimeout, "approval-timeout", "", "how long a run waits for approval before it rejects itself (default 24h)")
	fs.IntVar(&f.concurrency, "concurrency", 0, fmt.Sprintf("apply chunks at once (default %d, at most %d)", workflows.DefaultConcurrency, workflows.MaxConcurrency))
	fs.BoolVar(&f.dryRun, "dry-run", false, "compute the plan, write nothing")
}

// userIDFields are the Authing attributes a WeCom userid may come from (besides customData.<key>).
var userIDFields = []string{"username", "email", "phone", "externalId", "userId"}

// input checks the flag values and builds the workflow input; its errors name the flag.
func (f *downstreamFlags) input() (workflows.DownstreamInput, error) {
	in := workflows.DownstreamInput{
		Connection: strings.TrimSpace(f.connection), OrganizationCode: strings.TrimSpace(f.org),
		WeComRootDepartmentID: f.wecomRoot, UpdateMode: f.updateMode, DeleteMode: f.deleteMode,
		UserIDField: f.userIDField, Invite: f.invite, DryRun: f.dryRun,
		Limits:          plan.Limits{MaxDeletes: f.maxDeletes, MaxDeletePercent: f.maxDeletePct},
		ApprovalTimeout: f.approvalTimeout, Concurrency: f.concurrency,
	}
	switch {
	case in.Connection == "" || strings.ContainsFunc(in.Connection, isSpaceOrControl):
		return in, fmt.Errorf("--connection %q: want a connection name without spaces", f.connection)
	case !oneOf(in.UpdateMode, workflows.UpdateNone, workflows.UpdateOverwrite, workflows.UpdateChanged):
		return in, fmt.Errorf("--update-mode %q: want none, overwrite or changed", in.UpdateMode)
	case !oneOf(in.DeleteMode, workflows.DeleteNone, workflows.DeleteDisable, workflows.DeleteDelete):
		return in, fmt.Errorf("--delete-mode %q: want none, disable or delete", in.DeleteMode)
	case in.UserIDField != "" && !oneOf(in.UserIDField, userIDFields...) && !validCustomDataField(in.UserIDField):
		return in, fmt.Errorf("--user-id-field %q: want %s or customData.<key>", in.UserIDField, strings.Join(userIDFields, ", "))
	case in.WeComRootDepartmentID < 0:
		return in, fmt.Errorf("--wecom-root %d: want a WeCom department id (1 = the corp's root)", in.WeComRootDepartmentID)
	}
	for _, field := range f.ignore {
		if field = strings.TrimSpace(field); field == "" {
			return in, errors.New("--ignore-field: want a field name, e.g. mobile")
		}
		in.IgnoreFields = append(in.IgnoreFields, field)
	}
	return in, checkRunFlags(in.IgnoreFields, in.Limits, in.ApprovalTimeout, in.Concurrency)
}

// checkRunFlags checks the flags upstream and downstream runs share, with the parsers the
// workflows use, so that a bad value is refused before anything is uploaded or started; its
// errors name the flag and the accepted values.
func checkRunFlags(ignore []string, limits plan.Limits, approvalTimeout string, concurrency int) error {
	for _, field := range ignore {
		if _, err := mapping.ParseIgnoreFields([]string{field}); err != nil {
			return fmt.Errorf("--ignore-field %q: want %s", field, ignoreFieldNames)
		}
	}
	switch {
	case limits.MaxDeletes < -1:
		return fmt.Errorf("--max-deletes %d: want a count, or -1 for no limit", limits.MaxDeletes)
	case limits.MaxDeletePercent != -1 && (limits.MaxDeletePercent < 0 || limits.MaxDeletePercent > 100):
		return fmt.Errorf("--max-delete-percent %g: want 0 to 100, or -1 for no limit", limits.MaxDeletePercent)
	case concurrency < 0 || concurrency > workflows.MaxConcurrency:
		return fmt.Errorf("--concurrency %d: want 1 to %d (0 = the default)", concurrency, workflows.MaxConcurrency)
	}
	if approvalTimeout != "" {
		if d, err := time.ParseDuration(approvalTimeout); err != nil || d <= 0 {
			return fmt.Errorf("--approval-timeout %q: want a positive duration such as 72h or 30m", approvalTimeout)
		}
	}
	return nil
}

// ignoreFieldNames are the --ignore-field names its error lists, as the README does: each synced field
// (directory.Fields), with Authing's or WeCom's other name for it in parentheses. The parser
// (mapping.ParseIgnoreFields) also takes a few rarer synonyms.
const ignoreFieldNames = "name, alias (nickname), mobile (phone), email, gender, position or status (enable)"

// checkMatchBy checks upstream's --match-by list with the planner's rule.
func checkMatchBy(by []string) error {
	if _, err := plan.MatchOrder(by); err != nil {
		return fmt.Errorf("--match-by (repeatable, in order): %w", err)
	}
	return nil
}

func oneOf(v string, allowed ...string) bool {
	for _, a := range allowed {
		if v == a {
			return true
		}
	}
	return false
}

func validCustomDataField(v string) bool {
	key, ok := strings.CutPrefix(v, "customData.")
	return ok && key != "" && !strings.ContainsFunc(key, isSpaceOrControl)
}

func isSpaceOrControl(r rune) bool { return r <= ' ' || r == 0x7f }

// runID is the workflow id the starter gives a run: base (one run per connection at a time), or
// for a dry run, which writes nothing and so may run beside anything, base-dry-run-<UTC time>.
func runID(base string, dryRun bool) string {
	if !dryRun {
		return base
	}
	return base + dryRunInfix + time.Now().UTC().Format("20060102T150405.000Z")
}

const dryRunInfix = "-dry-run-"

// downstreamWorkflowID is the workflow id of a manual run of connection, and the prefix of the
// scheduled runs' ids (Temporal appends "-<RFC 3339 time>").
func downstreamWorkflowID(connection string) string { return "downstream-" + connection }

// downstreamSummary is the one line the Temporal UI shows for a run, e.g.
// "downstream changed sync of default/xinghe, disable absent users (dry run)" (with --org xinghe;
// without it "… of default").
func downstreamSummary(in workflows.DownstreamInput) string {
	target := in.Connection
	if in.OrganizationCode != "" {
		target += "/" + in.OrganizationCode
	}
	s := fmt.Sprintf("downstream %s sync of %s", in.UpdateMode, target)
	if in.DeleteMode != "" && in.DeleteMode != workflows.DeleteNone {
		s += ", " + in.DeleteMode + " absent users"
	}
	if in.DryRun {
		s += " (dry run)"
	}
	return truncateBytes(s, maxSummaryBytes)
}

// openRun is an open downstream run that blocks a new one.
type openRun struct {
	id, runID  string
	scheduleID string // the schedule that started it, if one did
}

// openRunsQuery finds the open DownstreamSync runs. The dev server's SQLite visibility (and the
// SQL and Elasticsearch stores) also support `WorkflowId STARTS_WITH '…'`, but a prefix cannot
// tell connection "a" from "a-2", and runs started with another --id carry only the memo, so the
// few open runs are matched here.
var openRunsQuery = fmt.Sprintf("WorkflowType = '%s' AND ExecutionStatus = 'Running'", workflows.DownstreamWorkflowName)

// findOpenDownstream returns an open downstream run of connection, or nil: the manual run
// (downstream-<connection>), a scheduled one (downstream-<connection>-<RFC 3339 time>), or any
// run whose memo names the connection. The fixed workflow id alone would miss scheduled runs.
func findOpenDownstream(ctx context.Context, e *env, connection string) (*openRun, error) {
	dc, err := e.dataConverter()
	if err != nil {
		return nil, err
	}
	base := downstreamWorkflowID(connection)
	req := &workflowservice.ListWorkflowExecutionsRequest{Namespace: e.cfg.Namespace, Query: openRunsQuery, PageSize: 100}
	for {
		resp, err := e.client.ListWorkflow(ctx, req)
		if err != nil {
			return nil, err
		}
		for _, info := range resp.GetExecutions() {
			id := info.GetExecution().GetWorkflowId()
			var dryRun bool
			if saDecode(info.GetSearchAttributes(), workflows.SADryRun.GetName(), &dryRun) == nil && dryRun ||
				strings.HasPrefix(id, base+dryRunInfix) {
				continue // writes nothing: it does not block (the id tells before the run's attributes show)
			}
			if id == base || isScheduledRunID(base, id) || memoString(dc, info.GetMemo(), memoConnection) == connection {
				return &openRun{id: id, runID: info.GetExecution().GetRunId(), scheduleID: scheduledBy(info.GetSearchAttributes())}, nil
			}
		}
		if len(resp.GetNextPageToken()) == 0 {
			return nil, nil
		}
		req.NextPageToken = resp.GetNextPageToken()
	}
}

// isScheduledRunID reports whether id is base plus the time a schedule appends.
func isScheduledRunID(base, id string) bool {
	stamp, ok := strings.CutPrefix(id, base+"-")
	if !ok {
		return false
	}
	_, err := time.Parse(time.RFC3339, stamp)
	return err == nil
}

// memoString decodes one string field of a memo; "" when absent or not a string.
func memoString(dc converter.DataConverter, memo *commonpb.Memo, key string) string {
	p := memo.GetFields()[key]
	if p == nil {
		return ""
	}
	var s string
	if dc.FromPayload(p, &s) != nil {
		return ""
	}
	return s
}

// scheduledBy is the schedule that started a run (search attribute TemporalScheduledById, never
// encrypted), or "".
func scheduledBy(sa *commonpb.SearchAttributes) string {
	var id string
	_ = saDecode(sa, "TemporalScheduledById", &id)
	return id
}
