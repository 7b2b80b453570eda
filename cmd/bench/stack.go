package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// serve serves h on a free loopback port until the returned stop is called; it returns the base
// URL ("http://127.0.0.1:port").
func serve(h http.Handler) (url string, stop func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}

// workerProc is one worker binary running in its own process, as in production.
type workerProc struct {
	cmd       *exec.Cmd
	taskQueue string
	exited    chan struct{} // closed when the process has ended
}

// world is what every part of the bench shares: the Temporal dev server (its client and frontend
// address), the directory of the binaries and a scratch directory.
type world struct {
	c       client.Client
	address string
	bin     string
	dir     string
}

// startWorker starts the worker binary with the environment env (added to the bench's own) and
// waits until it polls taskQueue for workflow and activity tasks, so that a measured run never
// includes the worker's start-up.
func (wd *world) startWorker(ctx context.Context, taskQueue string, env []string) (*workerProc, error) {
	c := wd.c
	cmd := exec.Command(filepath.Join(wd.bin, "worker"))
	cmd.Env = append(append(os.Environ(), "WECOMSYNC_TEMPORAL_ADDRESS="+wd.address, "WECOMSYNC_TASK_QUEUE="+taskQueue,
		"WECOMSYNC_METRICS_ADDR=off"), env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start the worker: %w", err)
	}
	w := &workerProc{cmd: cmd, taskQueue: taskQueue, exited: make(chan struct{})}
	go func() {
		_ = cmd.Wait()
		close(w.exited)
	}()
	if err := w.waitPolling(ctx, c); err != nil {
		w.stop()
		return nil, err
	}
	return w, nil
}

// waitPolling waits until this process (its identity starts with "<pid>@") polls both task types.
// A poll goes to any partition of the task queue, so every partition is asked: the root partition
// alone may not list a new worker's pollers before their long polls time out (a minute), which
// held the start of a third worker process for that long.
func (w *workerProc) waitPolling(ctx context.Context, c client.Client) error {
	prefix := strconv.Itoa(w.cmd.Process.Pid) + "@"
	deadline := time.After(time.Minute)
	for {
		ready := true
		for _, tt := range []enumspb.TaskQueueType{enumspb.TASK_QUEUE_TYPE_WORKFLOW, enumspb.TASK_QUEUE_TYPE_ACTIVITY} {
			found := false
			for i, name := range partitions(w.taskQueue) {
				resp, err := c.DescribeTaskQueue(ctx, name, tt)
				if err != nil {
					if i == 0 {
						return fmt.Errorf("describe task queue %s: %w", name, err)
					}
					continue // a partition the server does not have
				}
				for _, p := range resp.GetPollers() {
					found = found || strings.HasPrefix(p.GetIdentity(), prefix)
				}
			}
			ready = ready && found
		}
		if ready {
			return nil
		}
		select {
		case <-w.exited:
			return fmt.Errorf("the worker (pid %d) exited: %s", w.cmd.Process.Pid, w.cmd.ProcessState)
		case <-deadline:
			return fmt.Errorf("the worker (pid %d) does not poll task queue %s after a minute", w.cmd.Process.Pid, w.taskQueue)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// partitions are the names of a task queue's partitions: the queue's own (the root partition)
// and the others' (the dev server's default is 4 read partitions).
func partitions(taskQueue string) []string {
	out := []string{taskQueue}
	for i := 1; i < 4; i++ {
		out = append(out, fmt.Sprintf("/_sys/%s/%d", taskQueue, i))
	}
	return out
}

// peakRSSMiB is the process's peak resident set so far (VmHWM).
func (w *workerProc) peakRSSMiB() (float64, error) { return peakRSS(w.cmd.Process.Pid) }

// stop asks the worker to leave (SIGTERM: it stops polling and removes its share of the API
// budgets from the blob store, so the next worker is not slowed by a share nobody uses) and kills
// it when it has not ended after a while.
func (w *workerProc) stop() {
	_ = w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.exited:
	case <-time.After(15 * time.Second):
		_ = w.cmd.Process.Kill()
		<-w.exited
	}
}

// peakRSS reads a process's peak resident set (VmHWM) from /proc, in MiB.
func peakRSS(pid int) (float64, error) {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// measured is what one workflow execution chain cost in Temporal.
type measured struct {
	Seconds float64
	// Origin is the time of the chain's first history event (the workflow's start): the steps'
	// seconds count from it.
	Origin time.Time
	// Executions is the number of runs in the chain (more than one after continue-as-new).
	Executions int
	// MaxEvents is the most history events of one run of the chain; Events all of them.
	MaxEvents, Events int
	// Largest is the size of the largest payload in any of the runs' histories, in bytes.
	Largest int
	// Steps is where the time went: the activities by type, in the order they first started.
	Steps []step
	// Spans are the activities one by one, with the worker that ran them.
	Spans []span
}

// span is one closed activity attempt: its type, the identity of the worker that ran it, and when it
// started and closed (seconds after the workflow started).
type span struct {
	Activity string  `json:"activity"`
	Worker   string  `json:"worker"`
	From     float64 `json:"fromSeconds"`
	To       float64 `json:"toSeconds"`
}

// step is one activity type's share of a run: how many ran, when the first started and the last
// closed (seconds after the workflow started) and how long they ran in all.
type step struct {
	Activity string  `json:"activity"`
	Count    int     `json:"count"`
	From     float64 `json:"fromSeconds"`
	To       float64 `json:"toSeconds"`
	Busy     float64 `json:"busySeconds"`
}

// execute runs workflow name with input in on taskQueue to its end, decodes its result into out and
// measures it: wall time from start to result, and the history of every run of its chain.
func execute(ctx context.Context, c client.Client, id, taskQueue, name string, in, out any) (measured, error) {
	start := time.Now()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: taskQueue}, name, in)
	if err != nil {
		return measured{}, err
	}
	if err := run.Get(ctx, out); err != nil {
		return measured{}, fmt.Errorf("%s: %w", id, err)
	}
	m := measured{Seconds: time.Since(start).Seconds()}
	tl := &timeline{}
	for runID := run.GetRunID(); runID != ""; {
		events, largest, next, err := history(ctx, c, id, runID, tl)
		if err != nil {
			return m, err
		}
		m.Executions++
		m.Events += events
		m.MaxEvents, m.Largest = max(m.MaxEvents, events), max(m.Largest, largest)
		runID = next
	}
	m.Steps, m.Spans, m.Origin = tl.steps, tl.spans, tl.origin
	return m, nil
}

// timeline collects the activity steps of a chain from its history events.
type timeline struct {
	origin  time.Time
	steps   []step
	spans   []span
	byType  map[string]int    // activity type → index in steps
	sched   map[int64]string  // scheduled event id → activity type
	started map[int64]float64 // scheduled event id → start, seconds after origin
	by      map[int64]string  // scheduled event id → identity of the worker that started it
}

func (tl *timeline) add(e *historypb.HistoryEvent) {
	if tl.byType == nil {
		tl.origin, tl.byType, tl.sched, tl.started, tl.by = e.GetEventTime().AsTime(), map[string]int{}, map[int64]string{}, map[int64]float64{}, map[int64]string{}
	}
	at := e.GetEventTime().AsTime().Sub(tl.origin).Seconds()
	if a := e.GetActivityTaskScheduledEventAttributes(); a != nil {
		tl.sched[e.GetEventId()] = a.GetActivityType().GetName()
		return
	}
	if a := e.GetActivityTaskStartedEventAttributes(); a != nil {
		tl.started[a.GetScheduledEventId()] = at
		tl.by[a.GetScheduledEventId()] = a.GetIdentity()
		return
	}
	var schedID int64
	switch {
	case e.GetActivityTaskCompletedEventAttributes() != nil:
		schedID = e.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()
	case e.GetActivityTaskFailedEventAttributes() != nil:
		schedID = e.GetActivityTaskFailedEventAttributes().GetScheduledEventId()
	case e.GetActivityTaskTimedOutEventAttributes() != nil:
		schedID = e.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId()
	case e.GetActivityTaskCanceledEventAttributes() != nil:
		schedID = e.GetActivityTaskCanceledEventAttributes().GetScheduledEventId()
	default:
		return
	}
	name, from := tl.sched[schedID], tl.started[schedID]
	tl.spans = append(tl.spans, span{Activity: name, Worker: tl.by[schedID], From: from, To: at})
	i, ok := tl.byType[name]
	if !ok {
		i = len(tl.steps)
		tl.byType[name] = i
		tl.steps = append(tl.steps, step{Activity: name, From: from})
	}
	st := &tl.steps[i]
	st.Count++
	st.From, st.To = min(st.From, from), max(st.To, at)
	st.Busy += at - from
}

// history counts one run's events, finds its largest payload and the run it continued as (if any),
// and adds its activities to tl.
func history(ctx context.Context, c client.Client, id, runID string, tl *timeline) (events, largest int, next string, err error) {
	it := c.GetWorkflowHistory(ctx, id, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			return 0, 0, "", err
		}
		events++
		largest = max(largest, largestPayload(e.ProtoReflect()))
		tl.add(e)
		if a := e.GetWorkflowExecutionContinuedAsNewEventAttributes(); a != nil {
			next = a.GetNewExecutionRunId()
		}
	}
	return events, largest, next, nil
}

// largestPayload returns the size of the largest temporal.api.common.v1.Payload inside m.
func largestPayload(m protoreflect.Message) int {
	if m.Descriptor().FullName() == "temporal.api.common.v1.Payload" {
		return proto.Size(m.Interface())
	}
	most := 0
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		switch {
		case fd.IsList() && fd.Message() != nil:
			for i := 0; i < v.List().Len(); i++ {
				most = max(most, largestPayload(v.List().Get(i).Message()))
			}
		case fd.IsMap() && fd.MapValue().Message() != nil:
			v.Map().Range(func(_ protoreflect.MapKey, mv protoreflect.Value) bool {
				most = max(most, largestPayload(mv.Message()))
				return true
			})
		case !fd.IsList() && !fd.IsMap() && fd.Message() != nil:
			most = max(most, largestPayload(v.Message()))
		}
		return true
	})
	return most
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, time.Now().Format("15:04:05 ")+format+"\n", args...)
}
