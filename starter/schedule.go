package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // --time-zone is checked the same way wherever the starter runs

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"

	"github.com/wecomsync/wecomsync/workflows"
)

const scheduleUsage = `usage: starter schedule <command> [flags]

The nightly downstream sync (Authing → WeCom) is a Temporal schedule. It lives on the Temporal
server: creating, changing, pausing or deleting it needs no worker restart.

commands:
  create    create the schedule; on an existing one, update it if its configuration changed
  list      the downstream schedules: spec, next run, paused, last run
  describe  one schedule: spec, action input, policies, recent actions and next times
  pause     stop it (the product's "disable"); --note says why
  resume    start it again (the product's "enable")
  trigger   start a run now (the overlap policy applies; --overlap overrides it)
  delete    delete the schedule (runs it started go on)

Run 'starter schedule <command> -h' for the flags of a command.
`

// Schedule defaults.
const (
	defaultCron     = "0 2 * * *"
	defaultTimeZone = "Asia/Shanghai"
	// defaultCatchupWindow: after an outage (server down, or no worker) the schedule still starts a
	// missed 02:00 run within the hour, e.g. after a maintenance restart, but not at 09:00 in the
	// middle of the working day: the next night's full sync makes up for it. Temporal's own default
	// is one year.
	defaultCatchupWindow = time.Hour
	// minCatchupWindow is the smallest window the server honours (it raises smaller ones).
	minCatchupWindow = 10 * time.Second
	// memoConfigHash is the action memo key of the configuration hash. It lives on the action, not
	// the schedule, because an update can rewrite the action but not the schedule's memo.
	memoConfigHash = "configHash"
)

// cmdSchedule runs a schedule subcommand.
func cmdSchedule(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, scheduleUsage)
		return exitError{code: exitUsage}
	}
	if isHelp(args[0]) {
		fmt.Fprint(e.stdout, scheduleUsage)
		return nil
	}
	sub, ok := map[string]func(context.Context, *env, []string) error{
		"create":   scheduleCreate,
		"list":     scheduleList,
		"describe": scheduleDescribe,
		"pause":    schedulePause(true),
		"resume":   schedulePause(false),
		"trigger":  scheduleTrigger,
		"delete":   scheduleDelete,
	}[args[0]]
	if !ok {
		return unknownCommand(e.stderr, "starter schedule", scheduleUsage, args[0])
	}
	return sub(ctx, e, args[1:])
}

// defaultScheduleID is the id of a connection's nightly downstream schedule.
func defaultScheduleID(connection string) string {
	return downstreamWorkflowID(connection) + "-nightly"
}

// scheduleConfig is what `schedule create` asks for. Its hash, kept in the action's memo, tells
// whether an existing schedule already has it; paused and note are state, not configuration.
type scheduleConfig struct {
	ID             string                    `json:"-"`
	Note           string                    `json:"-"`
	Cron           string                    `json:"cron,omitempty"`
	Every          time.Duration             `json:"every,omitempty"`
	TimeZone       string                    `json:"timeZone,omitempty"`
	Overlap        string                    `json:"overlap"`
	CatchupWindow  time.Duration             `json:"catchupWindow"`
	PauseOnFailure bool                      `json:"pauseOnFailure"`
	TaskQueue      string                    `json:"taskQueue"`
	Input          workflows.DownstreamInput `json:"input"`
}

// scheduleFlags are the flags of `schedule create`.
type scheduleFlags struct {
	downstreamFlags
	id, cron, timeZone, overlap, note string
	every, catchupWindow              time.Duration
	pauseOnFailure                    bool
}

func (f *scheduleFlags) register(fs *flag.FlagSet) {
	f.downstreamFlags.register(fs)
	fs.StringVar(&f.id, "id", "", "schedule id (default downstream-<connection>-nightly)")
	fs.StringVar(&f.cron, "cron", defaultCron, "when to run, a cron expression (5 fields, or @daily …) in --time-zone")
	fs.DurationVar(&f.every, "every", 0, "run at this interval instead of --cron, e.g. 2h")
	fs.StringVar(&f.timeZone, "time-zone", defaultTimeZone, "IANA time zone of --cron")
	fs.StringVar(&f.overlap, "overlap", "skip", "when the previous run is still open: "+strings.Join(overlapNames(), ", "))
	fs.DurationVar(&f.catchupWindow, "catchup-window", defaultCatchupWindow, "after an outage, start a missed run only if it is at most this late")
	fs.BoolVar(&f.pauseOnFailure, "pause-on-failure", false, "pause the schedule when a run fails")
	fs.StringVar(&f.note, "note", "", "a note on a new schedule (default: what it is and who made it)")
}

// config checks the parsed flag values of fs and builds the configuration.
func (f *scheduleFlags) config(fs *flag.FlagSet, taskQueue string) (scheduleConfig, error) {
	set := map[string]bool{}
	fs.Visit(func(fl *flag.Flag) { set[fl.Name] = true })
	in, err := f.input()
	if err != nil {
		return scheduleConfig{}, err
	}
	c := scheduleConfig{
		ID: f.id, Note: f.note, Overlap: f.overlap, CatchupWindow: f.catchupWindow,
		PauseOnFailure: f.pauseOnFailure, TaskQueue: taskQueue, Input: in,
	}
	if c.ID == "" {
		c.ID = defaultScheduleID(in.Connection)
	}
	if c.Note == "" {
		c.Note = fmt.Sprintf("downstream sync of connection %s, made by starter schedule create", in.Connection)
	}
	switch {
	case set["every"] && set["cron"]:
		return c, errors.New("--cron and --every: give one of them")
	case set["every"] && f.every < time.Second:
		return c, fmt.Errorf("--every %s: want at least 1s", f.every)
	case set["every"]:
		c.Every = f.every // an interval has no time zone
	default:
		c.Cron, c.TimeZone = strings.TrimSpace(f.cron), f.timeZone
		if err := checkCron(c.Cron); err != nil {
			return c, err
		}
		if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "" {
			return c, fmt.Errorf("--time-zone %q: want an IANA time zone such as Asia/Shanghai", c.TimeZone)
		}
	}
	if _, err := parseOverlap(c.Overlap); err != nil {
		return c, err
	}
	if c.CatchupWindow < minCatchupWindow {
		return c, fmt.Errorf("--catchup-window %s: want at least %s", c.CatchupWindow, minCatchupWindow)
	}
	return c, nil
}

// checkCron catches what is surely not a cron expression; the server checks the rest.
func checkCron(expr string) error {
	fields := strings.Fields(expr)
	switch {
	case len(fields) == 0:
		return errors.New("--cron: want a cron expression such as \"0 2 * * *\"")
	case strings.HasPrefix(expr, "CRON_TZ=") || strings.HasPrefix(expr, "TZ="):
		return fmt.Errorf("--cron %q: give the time zone with --time-zone", expr)
	case strings.HasPrefix(fields[0], "@"):
		return nil
	case len(fields) < 5 || len(fields) > 7:
		return fmt.Errorf("--cron %q: want 5 fields (minute hour day-of-month month day-of-week)", expr)
	}
	return nil
}

// hash identifies the configuration: equal hashes, equal schedules.
func (c scheduleConfig) hash() string {
	raw, _ := json.Marshal(struct {
		Version int            `json:"v"`
		Config  scheduleConfig `json:"config"`
	}{1, c})
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:16])
}

func (c scheduleConfig) spec() client.ScheduleSpec {
	if c.Every > 0 {
		return client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{Every: c.Every}}}
	}
	return client.ScheduleSpec{CronExpressions: []string{c.Cron}, TimeZoneName: c.TimeZone}
}

// action starts DownstreamSync with workflow id downstream-<connection>-<time>.
func (c scheduleConfig) action() *client.ScheduleWorkflowAction {
	return &client.ScheduleWorkflowAction{
		ID:            downstreamWorkflowID(c.Input.Connection),
		Workflow:      workflows.DownstreamWorkflowName,
		Args:          []any{c.Input},
		TaskQueue:     c.TaskQueue,
		Memo:          map[string]any{memoConnection: c.Input.Connection, memoConfigHash: c.hash()},
		StaticSummary: truncateBytes("scheduled "+downstreamSummary(c.Input), maxSummaryBytes),
	}
}

func (c scheduleConfig) policies() *client.SchedulePolicies {
	overlap, _ := parseOverlap(c.Overlap) // checked by config
	return &client.SchedulePolicies{Overlap: overlap, CatchupWindow: c.CatchupWindow, PauseOnFailure: c.PauseOnFailure}
}

// options create the schedule.
func (c scheduleConfig) options() client.ScheduleOptions {
	p := c.policies()
	return client.ScheduleOptions{
		ID: c.ID, Spec: c.spec(), Action: c.action(), Note: c.Note,
		Overlap: p.Overlap, CatchupWindow: p.CatchupWindow, PauseOnFailure: p.PauseOnFailure,
	}
}

// schedule is the configuration as an update, keeping the schedule's state (paused, note).
func (c scheduleConfig) schedule(state *client.ScheduleState) *client.Schedule {
	spec := c.spec()
	return &client.Schedule{Action: c.action(), Spec: &spec, Policy: c.policies(), State: state}
}

func scheduleCreate(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("schedule create", "[flags]")
	var sf scheduleFlags
	sf.register(fs)
	var cfg scheduleConfig
	closeClient, err := e.setUp(ctx, fs, args, false, func() (err error) {
		cfg, err = sf.config(fs, e.cfg.TaskQueue)
		return err
	})
	if err != nil {
		return err
	}
	defer closeClient()
	sc := e.client.ScheduleClient()
	_, err = sc.Create(ctx, cfg.options())
	if err == nil {
		fmt.Fprintf(e.stdout, "created schedule %s: %s\n", cfg.ID, describeConfig(cfg))
		printNextRun(ctx, e, sc.GetHandle(ctx, cfg.ID))
		return nil
	}
	if !errors.Is(err, temporal.ErrScheduleAlreadyRunning) {
		return fmt.Errorf("create schedule %s: %w", cfg.ID, err)
	}
	changed, err := reconcileSchedule(ctx, e, sc.GetHandle(ctx, cfg.ID), cfg)
	if err != nil {
		return fmt.Errorf("update schedule %s: %w", cfg.ID, err)
	}
	if !changed {
		fmt.Fprintf(e.stdout, "schedule %s already exists, unchanged\n", cfg.ID)
		return nil
	}
	fmt.Fprintf(e.stdout, "schedule %s already existed with another configuration: updated to %s (paused state and note kept)\n", cfg.ID, describeConfig(cfg))
	printNextRun(ctx, e, sc.GetHandle(ctx, cfg.ID))
	return nil
}

// reconcileSchedule brings an existing schedule to cfg with a read-modify-write update that is
// skipped when the stored configuration hash matches (no needless update).
func reconcileSchedule(ctx context.Context, e *env, h client.ScheduleHandle, cfg scheduleConfig) (bool, error) {
	dc, err := e.dataConverter()
	if err != nil {
		return false, err
	}
	changed := false
	err = h.Update(ctx, client.ScheduleUpdateOptions{DoUpdate: func(in client.ScheduleUpdateInput) (*client.ScheduleUpdate, error) {
		action, ok := in.Description.Schedule.Action.(*client.ScheduleWorkflowAction)
		if !ok || action.Workflow != workflows.DownstreamWorkflowName {
			return nil, fmt.Errorf("it does not start %s: choose another --id", workflows.DownstreamWorkflowName)
		}
		if actionMemo(dc, action, memoConfigHash) == cfg.hash() {
			return nil, temporal.ErrSkipScheduleUpdate
		}
		changed = true
		return &client.ScheduleUpdate{Schedule: cfg.schedule(in.Description.Schedule.State)}, nil
	}})
	return changed, err
}

// actionMemo decodes a string of a described action's memo (its values come back as payloads).
func actionMemo(dc converter.DataConverter, action *client.ScheduleWorkflowAction, key string) string {
	p, ok := action.Memo[key].(*commonpb.Payload)
	if !ok {
		return ""
	}
	return memoString(dc, &commonpb.Memo{Fields: map[string]*commonpb.Payload{key: p}}, key)
}

// describeConfig is the one-line description of a configuration.
func describeConfig(c scheduleConfig) string {
	spec := c.spec()
	return fmt.Sprintf("%s, overlap %s, catch-up window %s, starts %s (%s)",
		specString(&spec), c.Overlap, c.CatchupWindow, workflows.DownstreamWorkflowName, downstreamSummary(c.Input))
}

// printNextRun prints when the schedule runs next (best effort: the schedule exists already).
func printNextRun(ctx context.Context, e *env, h client.ScheduleHandle) {
	desc, err := h.Describe(ctx)
	if err != nil || len(desc.Info.NextActionTimes) == 0 {
		return
	}
	loc := zone(desc.Schedule.Spec)
	fmt.Fprintf(e.stdout, "next run at %s\n", desc.Info.NextActionTimes[0].In(loc).Format(time.RFC3339))
}

// scheduleRef names an existing schedule: --id, or the default id of --connection.
type scheduleRef struct{ id, connection string }

func (r *scheduleRef) register(fs *flag.FlagSet) {
	fs.StringVar(&r.id, "id", "", "schedule id (default downstream-<connection>-nightly)")
	fs.StringVar(&r.connection, "connection", workflows.DefaultConnection, "the connection whose schedule it is, when --id is not given")
}

func (r *scheduleRef) scheduleID() string {
	if r.id != "" {
		return r.id
	}
	return defaultScheduleID(r.connection)
}

// openSchedule parses the flags of a subcommand on one schedule (--id or --connection, and those
// fs has already), runs check on their values before dialling (when not nil), dials, and returns
// the schedule's handle and the client's close.
func openSchedule(ctx context.Context, e *env, fs *flag.FlagSet, args []string, check func() error) (client.ScheduleHandle, func(), error) {
	var ref scheduleRef
	ref.register(fs)
	closeClient, err := e.setUp(ctx, fs, args, false, check)
	if err != nil {
		return nil, nil, err
	}
	return e.client.ScheduleClient().GetHandle(ctx, ref.scheduleID()), closeClient, nil
}

// scheduleError adds which schedule and what was done to err, and says plainly when it does not exist.
func scheduleError(id, doing string, err error) error {
	var notFound *serviceerror.NotFound
	if errors.As(err, &notFound) {
		return fmt.Errorf("%s schedule %s: not found (starter schedule list shows the schedules)", doing, id)
	}
	return fmt.Errorf("%s schedule %s: %w", doing, id, err)
}

// schedulePause pauses (pause) or resumes the schedule: the product's disable and enable.
func schedulePause(pause bool) func(context.Context, *env, []string) error {
	name, verb := "resume", "resumed"
	if pause {
		name, verb = "pause", "paused"
	}
	return func(ctx context.Context, e *env, args []string) error {
		fs := newFlagSet("schedule "+name, "[--id ID | --connection C] [--note TEXT]")
		note := fs.String("note", "", "why (shown with the schedule; default: "+verb+" with starter)")
		h, closeClient, err := openSchedule(ctx, e, fs, args, nil)
		if err != nil {
			return err
		}
		defer closeClient()
		if *note == "" {
			*note = verb + " with starter"
		}
		if pause {
			err = h.Pause(ctx, client.SchedulePauseOptions{Note: *note})
		} else {
			err = h.Unpause(ctx, client.ScheduleUnpauseOptions{Note: *note})
		}
		if err != nil {
			return scheduleError(h.GetID(), name, err)
		}
		fmt.Fprintf(e.stdout, "%s schedule %s: %s\n", verb, h.GetID(), *note)
		return nil
	}
}

func scheduleTrigger(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("schedule trigger", "[--id ID | --connection C] [--overlap POLICY]")
	overlapFlag := fs.String("overlap", "", "override the schedule's overlap policy for this run: "+strings.Join(overlapNames(), ", "))
	overlap := enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED // the schedule's own
	h, closeClient, err := openSchedule(ctx, e, fs, args, func() (err error) {
		if *overlapFlag != "" {
			overlap, err = parseOverlap(*overlapFlag)
		}
		return err
	})
	if err != nil {
		return err
	}
	defer closeClient()
	desc, err := h.Describe(ctx)
	if err != nil {
		return scheduleError(h.GetID(), "trigger", err)
	}
	effective := overlap
	if effective == enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED {
		effective = desc.Schedule.Policy.Overlap
	}
	if running := desc.Info.RunningWorkflows; len(running) > 0 && effective == enumspb.SCHEDULE_OVERLAP_POLICY_SKIP {
		fmt.Fprintf(e.stderr, "note: run %s of this schedule is still open: with overlap skip this trigger is skipped (--overlap buffer-one starts it when that run ends)\n", running[0].WorkflowID)
	}
	if err := h.Trigger(ctx, client.ScheduleTriggerOptions{Overlap: overlap}); err != nil {
		return scheduleError(h.GetID(), "trigger", err)
	}
	fmt.Fprintf(e.stdout, "triggered schedule %s (overlap %s); follow it: starter schedule describe --id %s\n", h.GetID(), overlapName(effective), h.GetID())
	return nil
}

func scheduleDelete(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("schedule delete", "[--id ID | --connection C]")
	h, closeClient, err := openSchedule(ctx, e, fs, args, nil)
	if err != nil {
		return err
	}
	defer closeClient()
	if err := h.Delete(ctx); err != nil {
		return scheduleError(h.GetID(), "delete", err)
	}
	fmt.Fprintf(e.stdout, "deleted schedule %s; runs it started go on\n", h.GetID())
	return nil
}

func scheduleList(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("schedule list", "[--all]")
	all := fs.Bool("all", false, "also schedules that start other workflows")
	closeClient, err := e.setUp(ctx, fs, args, false, nil)
	if err != nil {
		return err
	}
	defer closeClient()
	it, err := e.client.ScheduleClient().List(ctx, client.ScheduleListOptions{})
	if err != nil {
		return fmt.Errorf("list schedules: %w", err)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSPEC\tNEXT RUN\tPAUSED\tLAST RUN")
	for it.HasNext() {
		s, err := it.Next()
		if err != nil {
			return fmt.Errorf("list schedules: %w", err)
		}
		if !*all && s.WorkflowType.Name != workflows.DownstreamWorkflowName {
			continue
		}
		next := "-"
		if len(s.NextActionTimes) > 0 {
			next = s.NextActionTimes[0].In(zone(s.Spec)).Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, specString(s.Spec), next, yesNo(s.Paused), lastRun(ctx, e, s.RecentActions, zone(s.Spec)))
	}
	return tw.Flush()
}

func scheduleDescribe(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet("schedule describe", "[--id ID | --connection C]")
	h, closeClient, err := openSchedule(ctx, e, fs, args, nil)
	if err != nil {
		return err
	}
	defer closeClient()
	desc, err := h.Describe(ctx)
	if err != nil {
		return scheduleError(h.GetID(), "describe", err)
	}
	dc, err := e.dataConverter()
	if err != nil {
		return err
	}
	printSchedule(ctx, e, h.GetID(), desc, dc)
	return nil
}

// printSchedule prints a described schedule, its action's input decoded.
func printSchedule(ctx context.Context, e *env, id string, desc *client.ScheduleDescription, dc converter.DataConverter) {
	w, s, info := e.stdout, desc.Schedule, desc.Info
	loc := zone(s.Spec)
	fmt.Fprintf(w, "schedule %s\n  spec:              %s\n", id, specString(s.Spec))
	if action, ok := s.Action.(*client.ScheduleWorkflowAction); ok {
		fmt.Fprintf(w, "  action:            start %v on task queue %s, workflow id %s-<time>\n", action.Workflow, action.TaskQueue, action.ID)
		fmt.Fprintf(w, "  summary:           %s\n  input:             %s\n", action.StaticSummary, actionInput(dc, action))
		if h := actionMemo(dc, action, memoConfigHash); h != "" {
			fmt.Fprintf(w, "  config hash:       %s\n", h)
		}
	}
	fmt.Fprintf(w, "  overlap:           %s\n  catch-up window:   %s\n  pause on failure:  %s\n",
		overlapName(s.Policy.Overlap), s.Policy.CatchupWindow, yesNo(s.Policy.PauseOnFailure))
	fmt.Fprintf(w, "  paused:            %s\n  note:              %s\n", yesNo(s.State.Paused), s.State.Note)
	fmt.Fprintf(w, "  actions:           %d taken, %d skipped (overlap), %d missed (catch-up window)\n",
		info.NumActions, info.NumActionsSkippedOverlap, info.NumActionsMissedCatchupWindow)
	for _, r := range info.RunningWorkflows {
		fmt.Fprintf(w, "  running:           %s\n", r.WorkflowID)
	}
	fmt.Fprintln(w, "  recent actions:")
	if len(info.RecentActions) == 0 {
		fmt.Fprintln(w, "    none")
	}
	for _, a := range info.RecentActions {
		wid, status := "-", "-"
		if a.StartWorkflowResult != nil {
			wid, status = a.StartWorkflowResult.WorkflowID, runStatus(ctx, e, a.StartWorkflowResult.WorkflowID)
		}
		fmt.Fprintf(w, "    %s  %s  %s\n", a.ActualTime.In(loc).Format(time.RFC3339), wid, status)
	}
	fmt.Fprintln(w, "  next times:")
	for i, t := range info.NextActionTimes {
		if i == 5 {
			break
		}
		fmt.Fprintf(w, "    %s\n", t.In(loc).Format(time.RFC3339))
	}
	fmt.Fprintf(w, "  created:           %s, last updated %s\n", info.CreatedAt.In(loc).Format(time.RFC3339), formatTime(info.LastUpdateAt, loc))
}

// actionInput is the action's DownstreamInput as JSON (described arguments are raw payloads).
func actionInput(dc converter.DataConverter, action *client.ScheduleWorkflowAction) string {
	if len(action.Args) == 0 {
		return "(none: the workflow's defaults)"
	}
	p, ok := action.Args[0].(*commonpb.Payload)
	if !ok {
		return fmt.Sprint(action.Args[0])
	}
	var in workflows.DownstreamInput
	if err := dc.FromPayload(p, &in); err != nil {
		return fmt.Sprintf("(cannot decode: %v)", err)
	}
	raw, _ := json.Marshal(in)
	return string(raw)
}

// lastRun is the status and start time of the newest action, e.g. "completed 2026-11-30T02:00:01+08:00".
func lastRun(ctx context.Context, e *env, actions []client.ScheduleActionResult, loc *time.Location) string {
	if len(actions) == 0 {
		return "never"
	}
	a := actions[len(actions)-1]
	status := "-"
	if a.StartWorkflowResult != nil {
		status = runStatus(ctx, e, a.StartWorkflowResult.WorkflowID)
	}
	return status + " " + a.ActualTime.In(loc).Format(time.RFC3339)
}

// runStatus is the status of the latest run of a workflow id: running, completed, failed, …
func runStatus(ctx context.Context, e *env, workflowID string) string {
	desc, err := e.client.DescribeWorkflow(ctx, workflowID, "")
	if err != nil {
		var notFound *serviceerror.NotFound
		if errors.As(err, &notFound) {
			return "gone (past retention)"
		}
		return "unknown"
	}
	status := desc.RawResponse.GetWorkflowExecutionInfo().GetStatus()
	return enumName(enumspb.WorkflowExecutionStatus_name[int32(status)], "WORKFLOW_EXECUTION_STATUS_")
}

// enumName writes a protobuf enum value name the way the starter shows it: TIMED_OUT → timed-out.
func enumName(name, prefix string) string {
	return strings.ReplaceAll(strings.ToLower(strings.TrimPrefix(name, prefix)), "_", "-")
}

// overlapNames are the --overlap values, in the order Temporal lists them.
func overlapNames() []string {
	var names []string
	for v := range len(enumspb.ScheduleOverlapPolicy_name) {
		if p := enumspb.ScheduleOverlapPolicy(v); p != enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED {
			names = append(names, overlapName(p))
		}
	}
	return names
}

// overlapName is the --overlap name of a policy: skip, buffer-one, …
func overlapName(p enumspb.ScheduleOverlapPolicy) string {
	if p == enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED {
		return "skip" // the server's default
	}
	return enumName(enumspb.ScheduleOverlapPolicy_name[int32(p)], "SCHEDULE_OVERLAP_POLICY_")
}

func parseOverlap(name string) (enumspb.ScheduleOverlapPolicy, error) {
	key := "SCHEDULE_OVERLAP_POLICY_" + strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(name), "-", "_"))
	v, ok := enumspb.ScheduleOverlapPolicy_value[key]
	if !ok || v == int32(enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED) {
		return 0, fmt.Errorf("--overlap %q: want one of %s", name, strings.Join(overlapNames(), ", "))
	}
	return enumspb.ScheduleOverlapPolicy(v), nil
}

// zone is the time zone to show a schedule's times in: its own, else the local one.
func zone(spec *client.ScheduleSpec) *time.Location {
	if spec != nil && spec.TimeZoneName != "" {
		if loc, err := time.LoadLocation(spec.TimeZoneName); err == nil {
			return loc
		}
	}
	return time.Local
}

func formatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() || t.Equal(time.Unix(0, 0)) { // Temporal sends Unix 0 for a schedule never updated
		return "never"
	}
	return t.In(loc).Format(time.RFC3339)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// specString describes when a schedule runs: "cron 0 2 * * * (Asia/Shanghai)", "every 2h". The
// server keeps cron expressions as calendars, which are written back as cron fields here.
func specString(spec *client.ScheduleSpec) string {
	if spec == nil {
		return "-"
	}
	var parts []string
	for _, c := range spec.CronExpressions {
		parts = append(parts, "cron "+c)
	}
	for _, c := range spec.Calendars {
		parts = append(parts, "cron "+calendarCron(c))
	}
	for _, iv := range spec.Intervals {
		s := "every " + iv.Every.String()
		if iv.Offset > 0 {
			s += " offset " + iv.Offset.String()
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "none (trigger only)"
	}
	s := strings.Join(parts, "; ")
	if spec.TimeZoneName != "" && len(spec.CronExpressions)+len(spec.Calendars) > 0 {
		s += " (" + spec.TimeZoneName + ")"
	}
	return s
}

// calendarCron writes a calendar as cron fields: minute hour day-of-month month day-of-week, with
// second first and year last when they are not 0 and every year.
func calendarCron(c client.ScheduleCalendarSpec) string {
	fields := []string{
		cronField(c.Minute, 0, 59), cronField(c.Hour, 0, 23), cronField(c.DayOfMonth, 1, 31),
		cronField(c.Month, 1, 12), cronField(c.DayOfWeek, 0, 6),
	}
	if sec := cronField(c.Second, 0, 59); sec != "0" || len(c.Year) > 0 {
		fields = append([]string{sec}, append(fields, cronField(c.Year, 0, 0))...)
	}
	s := strings.Join(fields, " ")
	if c.Comment != "" {
		s += " # " + c.Comment
	}
	return s
}

// cronField writes the ranges of one calendar field; [min, max] (or none, for max 0) is "*".
func cronField(ranges []client.ScheduleRange, lo, hi int) string {
	if len(ranges) == 0 {
		if hi == 0 {
			return "*"
		}
		return "0"
	}
	var parts []string
	for _, r := range ranges {
		end, step := max(r.End, r.Start), max(r.Step, 1)
		var s string
		switch {
		case r.Start == lo && end >= hi && hi > 0:
			s = "*"
		case end > r.Start:
			s = fmt.Sprintf("%d-%d", r.Start, end)
		default:
			s = fmt.Sprint(r.Start)
		}
		if step > 1 {
			s += fmt.Sprintf("/%d", step)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ",")
}
