package main

// End-to-end tests against a real Temporal server (make e2e-temporal, which
// runs them under scripts/with-temporal.sh), and the replay of the histories
// they recorded, which needs no server and runs in make test.

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/graphc/graphc/runtime"
	temporalgraphc "github.com/graphc/graphc/temporal"
	"github.com/graphc/graphc/temporal/temporaltest"
)

const researchHistory = "testdata/research.history.json"

// counted is the research agent counting its calls per node, in the test
// process: a count survives the kill of a worker process that does not run
// the activities. before, if set, runs at the start of every call.
type counted struct {
	agent
	mu     sync.Mutex
	calls  map[string]int
	before func(node string, call int)
}

func (c *counted) count(node string) {
	c.mu.Lock()
	if c.calls == nil {
		c.calls = map[string]int{}
	}
	c.calls[node]++
	n := c.calls[node]
	c.mu.Unlock()
	if c.before != nil {
		c.before(node, n)
	}
}

func (c *counted) Calls() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

func (c *counted) Plan(ctx context.Context, s State) (State, error) {
	c.count("plan")
	return c.agent.Plan(ctx, s)
}

func (c *counted) SearchWeb(ctx context.Context, s State) (State, error) {
	c.count("search_web")
	return c.agent.SearchWeb(ctx, s)
}

func (c *counted) FetchPapers(ctx context.Context, s State) (State, error) {
	c.count("fetch_papers")
	return c.agent.FetchPapers(ctx, s)
}

func (c *counted) RankPapers(ctx context.Context, s State) (State, error) {
	c.count("rank_papers")
	return c.agent.RankPapers(ctx, s)
}

func (c *counted) Merge(ctx context.Context, s State, in MergeBranches) (State, error) {
	c.count("merge")
	return c.agent.Merge(ctx, s, in)
}

func (c *counted) Review(ctx context.Context, s State) (State, error) {
	c.count("review")
	return c.agent.Review(ctx, s)
}

// local is the reference: the research graph under the local executor, and
// how often each node ran.
func local(t testing.TB) (State, map[string]int) {
	t.Helper()
	h := &counted{}
	want, err := NewResearch(h).Invoke(t.Context(), State{})
	if err != nil {
		t.Fatalf("local executor: %v", err)
	}
	return want, h.Calls()
}

func jsonOf(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// scheduled counts the activities the execution scheduled, per activity type.
func scheduled(t testing.TB, c client.Client, run client.WorkflowRun) map[string]int {
	t.Helper()
	h, err := temporaltest.History(t.Context(), c, run.GetID(), run.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	n := map[string]int{}
	for _, e := range h.Events {
		if e.GetEventType() == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
			n[e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName()]++
		}
	}
	return n
}

// activityNames maps the nodes' counts to the activity types that run them.
func activityNames(calls map[string]int) map[string]int {
	byNode := map[string]string{
		"plan": "Plan", "search_web": "SearchWeb", "fetch_papers": "FetchPapers",
		"rank_papers": "RankPapers", "merge": "Merge", "review": "Review",
	}
	n := map[string]int{}
	for node, k := range calls {
		n[ResearchWorkflowName+"."+byNode[node]] = k
	}
	return n
}

// TestE2EResearch runs the research graph as a Temporal workflow on the
// server with a real worker and requires the local executor's final state
// and node counts. With -record it rewrites testdata/research.history.json,
// which TestResearchReplay replays.
func TestE2EResearch(t *testing.T) {
	c := temporaltest.Dial(t)
	want, wantCalls := local(t)
	queue := temporaltest.Queue(t)
	h := &counted{}
	temporaltest.StartWorker(t, c, queue, func(w worker.Registry) {
		RegisterResearch(w)
		RegisterResearchActivities(w, h)
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: queue, TaskQueue: queue}, ResearchWorkflowName, State{})
	if err != nil {
		t.Fatal(err)
	}
	var got State
	if err := temporalgraphc.Decode(run.Get(ctx, &got)); err != nil {
		t.Fatalf("workflow %s: %v", run.GetID(), err)
	}
	if a, b := jsonOf(t, want), jsonOf(t, got); a != b {
		t.Errorf("final states differ:\n\tlocal    %s\n\ttemporal %s", a, b)
	}
	if got := h.Calls(); !maps.Equal(got, wantCalls) {
		t.Errorf("node calls: temporal %v, local %v", got, wantCalls)
	}
	hist, err := temporaltest.History(ctx, c, run.GetID(), run.GetRunID())
	if err != nil {
		t.Fatal(err)
	}
	temporaltest.Record(t, hist, researchHistory)
}

// TestE2EHistoryLimit runs the research workflow with a history limit so
// low that the branch loop fetch_papers -> rank_papers reaches it inside the
// fork, where the workflow cannot continue as new: the run must fail with a
// node error saying so, not be terminated by the server.
func TestE2EHistoryLimit(t *testing.T) {
	c := temporaltest.Dial(t)
	old := temporalgraphc.HistoryLimit
	temporalgraphc.HistoryLimit = 12 // past the fork's first activities (see the history of TestE2EResearch)
	t.Cleanup(func() { temporalgraphc.HistoryLimit = old })
	queue := temporaltest.Queue(t)
	temporaltest.StartWorker(t, c, queue, func(w worker.Registry) {
		RegisterResearch(w)
		RegisterResearchActivities(w, &counted{})
	})
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: queue, TaskQueue: queue}, ResearchWorkflowName, State{})
	if err != nil {
		t.Fatal(err)
	}
	err = temporalgraphc.Decode(run.Get(ctx, nil))
	var ne *runtime.NodeError
	var be *runtime.BranchError
	if !errors.As(err, &ne) || !errors.As(err, &be) || !strings.Contains(err.Error(), "HistoryLimit") {
		t.Fatalf("workflow %s: got %v, want a *runtime.BranchError with a *runtime.NodeError of the history limit", run.GetID(), err)
	}
	t.Logf("stopped at node %q: %v", ne.Node, err)
}

// TestResearchReplay replays the recorded history of TestE2EResearch with
// the workflow as generated now, without a server: it fails when a change
// to the generated workflow (or to temporalgraphc) would break executions in
// flight. Record it again (make e2e-temporal E2E_ARGS=-record) after a change
// of the graph, which is a new workflow type anyway.
func TestResearchReplay(t *testing.T) {
	temporaltest.Replay(t, func(w worker.WorkflowRegistry) { RegisterResearch(w) }, researchHistory)
}

// workerEnv, in a child process of TestE2EKillWorker, names the task queue
// on which it runs a workflow worker until it is killed.
const workerEnv = "GRAPHC_E2E_WORKFLOW_WORKER"

// TestE2EKillWorker runs the research workflow with its workflow worker in
// a child process, which it kills with SIGKILL while the fork's branches
// run (at the first call of fetch_papers, a branch) and replaces with a new
// one. The run must complete with the local executor's final state, and no
// node may run, or be scheduled, more often than under the local executor:
// a branch delivered twice would show in both. The activities run in this
// process, so their counts survive the kill.
func TestE2EKillWorker(t *testing.T) {
	if queue := os.Getenv(workerEnv); queue != "" {
		workflowWorker(t, queue)
		return
	}
	c := temporaltest.Dial(t)
	want, wantCalls := local(t)
	queue := temporaltest.Queue(t)
	child := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestE2EKillWorker$", "-test.count=1")
		cmd.Env = append(os.Environ(), workerEnv+"="+queue)
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	var mu sync.Mutex
	cmd, killed := child(), 0
	defer func() {
		mu.Lock()
		defer mu.Unlock()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	h := &counted{before: func(node string, call int) {
		if node != "fetch_papers" || call != 1 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if err := cmd.Process.Kill(); err != nil { // SIGKILL
			t.Errorf("killing the workflow worker: %v", err)
			return
		}
		_ = cmd.Wait()
		killed++
		cmd = child()
	}}
	w := worker.New(c, queue, worker.Options{})
	RegisterResearchActivities(w, h)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID: queue, TaskQueue: queue,
		// A workflow task the killed worker had taken is given to another
		// after this long.
		WorkflowTaskTimeout: 2 * time.Second,
	}, ResearchWorkflowName, State{})
	if err != nil {
		t.Fatal(err)
	}
	var got State
	if err := temporalgraphc.Decode(run.Get(ctx, &got)); err != nil {
		t.Fatalf("workflow %s: %v", run.GetID(), err)
	}
	mu.Lock()
	if killed != 1 {
		t.Errorf("the workflow worker was killed %d times, want 1", killed)
	}
	mu.Unlock()
	if a, b := jsonOf(t, want), jsonOf(t, got); a != b {
		t.Errorf("final states differ:\n\tlocal    %s\n\ttemporal %s", a, b)
	}
	if got := h.Calls(); !maps.Equal(got, wantCalls) {
		t.Errorf("node calls: temporal %v, local %v", got, wantCalls)
	}
	if got, want := scheduled(t, c, run), activityNames(wantCalls); !maps.Equal(got, want) {
		t.Errorf("activities scheduled: %v, want %v", got, want)
	}
	t.Logf("killed the workflow worker at fetch_papers' first call; calls per node %v", h.Calls())
}

// workflowWorker runs a worker of the research workflow (no activities) on
// queue until the process is killed.
func workflowWorker(t *testing.T, queue string) {
	c := temporaltest.Dial(t)
	w := worker.New(c, queue, worker.Options{
		// After the kill, the server gives up on this worker's sticky queue
		// this soon and hands the workflow to any worker, which replays it.
		StickyScheduleToStartTimeout: time.Second,
		// Workflow tasks only: the activities run in the parent.
		LocalActivityWorkerOnly: true,
		// A workflow that replays other than it ran fails the run at once
		// (the default blocks it until a fixed worker comes).
		WorkflowPanicPolicy: worker.FailWorkflow,
	})
	RegisterResearch(w)
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	<-t.Context().Done() // never: the parent kills this process
}

// BenchmarkE2EResearch runs the research graph under the local executor and
// as a Temporal workflow on the server (one worker in this process), and
// reports the time per node visit of each.
func BenchmarkE2EResearch(b *testing.B) {
	c := temporaltest.Dial(b)
	_, calls := local(b)
	nodes := 0
	for _, k := range calls {
		nodes += k
	}
	b.Run("local", func(b *testing.B) {
		g := NewResearch(agent{})
		for b.Loop() {
			if _, err := g.Invoke(b.Context(), State{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*nodes), "ns/node")
	})
	b.Run("temporal", func(b *testing.B) {
		queue := temporaltest.Queue(b)
		temporaltest.StartWorker(b, c, queue, func(w worker.Registry) {
			RegisterResearch(w)
			RegisterResearchActivities(w, agent{})
		})
		for b.Loop() {
			run, err := c.ExecuteWorkflow(b.Context(), client.StartWorkflowOptions{TaskQueue: queue}, ResearchWorkflowName, State{})
			if err == nil {
				err = run.Get(b.Context(), nil)
			}
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*nodes), "ns/node")
	})
}
