package temporalgraphc

import (
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/graphc/graphc/runtime"
)

// DefaultTimeout is the start-to-close timeout of the activity of a node
// whose spec sets no timeout: Temporal needs one, and the local executor
// has none, so it is long.
const DefaultTimeout = time.Hour

// ContinueAsNewAfter is how many nodes a generated workflow runs in one
// workflow execution before it continues as new, with the main flow's state
// and next node as input (at the next main-flow node; forks run to their
// fan-in first), so that its history stays far below Temporal's limits: a
// node is an activity, about a dozen history events, so 1000 nodes are about
// 12,000 events of the 51,200 allowed. A workflow also continues as new
// when the server suggests it. Workers of one workflow type must agree on
// it: change it only in tests.
var ContinueAsNewAfter = 1000

// HistoryLimit is the history length, in events, past which a generated
// workflow schedules no further activity and fails the node about to run
// with ErrHistoryLimit. The main flow continues as new long before it (see
// ContinueAsNewAfter), but a fork in flight cannot: a loop inside a branch
// grows one execution's history until Temporal's own limit (51,200 events by
// default), where the server terminates the run without a word from the
// graph. Stopping first, at 40,000, fails the run like the local executor's
// step limit does: with a *runtime.NodeError naming the node (inside its
// *runtime.BranchError), which temporalgraphc.Decode returns. Workers of one
// workflow type must agree on it: change it only in tests.
var HistoryLimit = 40000

// ErrHistoryLimit is the cause of the node error of a run whose execution's
// history reached HistoryLimit inside a fork, where it cannot continue as
// new: bound the loop inside the branch (max_steps, or a route that leaves
// it), or move the loop out of the fork.
var ErrHistoryLimit = errors.New("graphc: this workflow execution's history reached temporalgraphc.HistoryLimit inside a fork, where it cannot continue as new")

// Queries and updates of a generated workflow.
const (
	// QueryState is answered with the main flow's current state.
	QueryState = "graphc.state"
	// QueryPaused is answered with the *Pause where the run waits for
	// UpdateResume, or nil.
	QueryPaused = "graphc.paused"
	// UpdateResume continues a run paused at an interrupt: its one
	// argument is the state to continue with (the paused state, edited),
	// as WithUpdate edits it locally. It is rejected when the run is not
	// paused.
	UpdateResume = "graphc.resume"
)

// Activity is how a generated workflow calls a node's activity: its
// registered name and options (timeout and retry policy from the spec).
type Activity struct {
	Name    string
	Options workflow.ActivityOptions
}

// Frontier is where a run continued as new stands: the main-flow node it
// continues at, and the nodes the run executed before (for max_steps).
type Frontier struct {
	Node  int
	Steps int
}

// Runner is the bookkeeping of one generated workflow execution, shared by
// its main flow and its branches (coroutines of one workflow run one at a
// time, so it needs no lock).
type Runner struct {
	Names      []string   // node names, by node constant
	Activities []Activity // by node constant
	MaxSteps   int        // 0: runtime.DefaultMaxSteps
	MaxWorkers int        // activities in flight at once; 0: no limit
	// Cancel: a failed branch cancels its siblings (on_branch_error: cancel);
	// otherwise every branch finishes (wait).
	Cancel bool

	steps    int // nodes executed, runs continued from included
	started  int // steps when this execution started
	inFlight int // activities running, for MaxWorkers
	paused   *Pause
	resumed  bool
}

// Start sets the step count of a run that continues at f.
func (r *Runner) Start(f Frontier) { r.steps, r.started = f.Steps, f.Steps }

// Frontier is where the run stands before main-flow node n.
func (r *Runner) Frontier(n int) Frontier { return Frontier{Node: n, Steps: r.steps} }

// ShouldContinue reports whether the run should continue as new before its
// next main-flow node: it ran ContinueAsNewAfter nodes in this execution,
// or the server suggests it.
func (r *Runner) ShouldContinue(ctx workflow.Context) bool {
	return r.steps-r.started >= ContinueAsNewAfter || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
}

// Call runs node n's activity a on *s (and extra, the branches of a
// fan-in) and sets *s to the state it returns. The step limit is checked
// first (as runtime.Exec.Enter does, all branches counted), and with
// MaxWorkers the call waits for a free slot. Errors are *runtime.NodeError
// naming n.
func Call[S any](ctx workflow.Context, r *Runner, n int, a Activity, s *S, extra ...any) error {
	out, err := exec[S](ctx, r, n, a, true, append([]any{*s}, extra...)...)
	if err == nil {
		*s = out
	}
	return err
}

// CallRoute runs the activity a of conditional node n, which calls the
// node's handler and then its route handler, like Call, and returns the
// label picked.
func CallRoute[S any, R ~uint8](ctx workflow.Context, r *Runner, n int, a Activity, s *S, extra ...any) (R, error) {
	out, err := exec[Routed[S, R]](ctx, r, n, a, true, append([]any{*s}, extra...)...)
	if err != nil {
		return 0, err
	}
	*s = out.State
	return out.Route, nil
}

// Label is a route enum or a select fork's set of branches.
type Label interface {
	~uint8 | ~uint16 | ~uint32 | ~uint64
}

// Route runs a, an activity of node n that is no step of its own, on s: the
// route handler alone, for a conditional node that pauses after it runs
// (its edge is taken on the state as the resume left it) or whose policy
// retries or times out (the route is a call of its own under the policy,
// as locally), or a select fork's Select handler. It returns the label or
// set picked.
func Route[S any, R Label](ctx workflow.Context, r *Runner, n int, a Activity, s S) (R, error) {
	return exec[R](ctx, r, n, a, false, s)
}

// CheckSelect fails, at select fork node n with that many branches, when
// selected has bits outside them, as runtime.Exec.ForkSelect does.
func (r *Runner) CheckSelect(n int, selected uint64, branches int) error {
	if branches < 64 && selected>>branches != 0 {
		return &runtime.NodeError{Node: r.Names[n], Err: &runtime.SelectError{Fork: r.Names[n], Selected: selected, Branches: branches}}
	}
	return nil
}

// exec runs activity a of node n with args and decodes its result into a
// new T (decoding into a value in use would merge maps).
func exec[T any](ctx workflow.Context, r *Runner, n int, a Activity, step bool, args ...any) (T, error) {
	var out T
	if step {
		r.steps++
		if limit := cmpOr(r.MaxSteps, runtime.DefaultMaxSteps); r.steps > limit {
			return out, &runtime.NodeError{Node: r.Names[n], Err: &runtime.StepLimitError{Limit: limit}}
		}
	}
	if l := workflow.GetInfo(ctx).GetCurrentHistoryLength(); l >= HistoryLimit {
		return out, &runtime.NodeError{Node: r.Names[n], Err: fmt.Errorf("%w (%d events)", ErrHistoryLimit, l)}
	}
	if r.MaxWorkers > 0 {
		if err := workflow.Await(ctx, func() bool { return r.inFlight < r.MaxWorkers }); err != nil {
			return out, &runtime.NodeError{Node: r.Names[n], Err: err}
		}
		r.inFlight++
		defer func() { r.inFlight-- }()
	}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, a.Options), a.Name, args...).Get(ctx, &out)
	if err != nil {
		return out, nodeFailure(r.Names[n], a.Options.StartToCloseTimeout, maxAttempts(a.Options), err)
	}
	return out, nil
}

// Pause is where a paused run stands: before or after Node.
type Pause struct {
	Node  string
	Phase runtime.Phase
}

// Pause waits, before or after main-flow node n (interrupt_before,
// interrupt_after), for the update UpdateResume, whose handler calls
// Resume. While it waits, Paused reports where.
func (r *Runner) Pause(ctx workflow.Context, n int, phase runtime.Phase) error {
	r.paused, r.resumed = &Pause{Node: r.Names[n], Phase: phase}, false
	if err := workflow.Await(ctx, func() bool { return r.resumed }); err != nil {
		return &runtime.NodeError{Node: r.Names[n], Err: err}
	}
	r.paused = nil
	return nil
}

// Paused is where the run waits for UpdateResume, or nil when it does not:
// also once an update has resumed the pause, before the paused flow wakes
// (another update of the same workflow task must not resume it again).
func (r *Runner) Paused() *Pause {
	if r.resumed {
		return nil
	}
	return r.paused
}

// Resume lets a paused run continue; it fails when the run is not paused,
// or its pause was already resumed (the update's validator checks Paused
// first, so that such an update is rejected, not recorded).
func (r *Runner) Resume() error {
	if r.Paused() == nil {
		return errors.New("graphc: the run is not paused at an interrupt")
	}
	r.resumed = true
	return nil
}

// BadRoute is the error of a route handler that returned value, which is
// none of the labels of route type typ, at node n.
func (r *Runner) BadRoute(n int, typ string, value uint64) error {
	return &runtime.NodeError{Node: r.Names[n], Err: &runtime.RouteError{Type: typ, Value: value}}
}

// Fork runs the branches of the fork at node `from` as coroutines, one per
// entry in entries, and returns when every one has returned: branch(ctx, i)
// runs branch i to the fan-in and fills its join slot. A branch's error
// comes back as a *runtime.BranchError; with Cancel the first one cancels
// the other branches' context (their activities are cancelled) and is the
// one returned, otherwise all are joined, as the local executor does.
func (r *Runner) Fork(ctx workflow.Context, from int, entries []int, branch func(ctx workflow.Context, i int) error) error {
	return r.fork(ctx, from, len(entries), branch, func(i int, err error) error {
		return &runtime.BranchError{Fork: r.Names[from], Branch: r.Names[entries[i]], Err: err}
	})
}

// MaxCoroutineItems is the most items one map activation of a generated
// workflow runs: each item is a coroutine in the workflow's own history,
// and costs a few events per node of its flow (about a dozen per
// activity), so past about a thousand items one history would near
// Temporal's limits (51,200 events, 50 MB). A map given more fails with a
// *CoroutineItemsError before any item runs; batching items into child
// workflows is not generated.
const MaxCoroutineItems = 1000

// CoroutineItemsError is the error of a map given more items than
// MaxCoroutineItems in a generated workflow (the local executor runs
// them).
type CoroutineItemsError struct {
	Node  string // the node that maps
	Count int    // the items it was given
}

func (e *CoroutineItemsError) Error() string {
	return fmt.Sprintf("graphc: map at %q was given %d items, more than the %d a Temporal workflow runs as coroutines of one history (temporalgraphc.MaxCoroutineItems); child-workflow batching is not generated: give it fewer, or split the list before the map", e.Node, e.Count, MaxCoroutineItems)
}

// CheckItems fails, at map node n given count items, with a
// *runtime.MaxItemsError when count is more than max (the spec's
// max_items, as runtime.Exec.CheckItems does) or a *CoroutineItemsError
// when it is more than MaxCoroutineItems, both in a *runtime.NodeError
// naming n.
func (r *Runner) CheckItems(n, count, max int) error {
	switch {
	case max > 0 && count > max:
		return &runtime.NodeError{Node: r.Names[n], Err: &runtime.MaxItemsError{Node: r.Names[n], Count: count, Max: max}}
	case count > MaxCoroutineItems:
		return &runtime.NodeError{Node: r.Names[n], Err: &CoroutineItemsError{Node: r.Names[n], Count: count}}
	}
	return nil
}

// Map runs the items of the map at node `from`, whose per-item flow starts
// at node entry, as coroutines, one per item, and returns when every one
// has returned: item(ctx, i) runs item i's flow to the fan-in and fills its
// slot. Errors are as Fork's, with *runtime.BranchError{Map: true, Item: i}.
func (r *Runner) Map(ctx workflow.Context, from, entry, count int, item func(ctx workflow.Context, i int) error) error {
	return r.fork(ctx, from, count, item, func(i int, err error) error {
		return &runtime.BranchError{Fork: r.Names[from], Branch: r.Names[entry], Map: true, Item: i, Err: err}
	})
}

// fork runs n coroutines, run(ctx, i) for each i, and waits for all;
// wrap makes a failed one's error.
func (r *Runner) fork(ctx workflow.Context, from, n int, run func(ctx workflow.Context, i int) error, wrap func(i int, err error) error) error {
	bctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	done := make([]bool, n)
	var errs []error
	for i := range n {
		// workflow.Go is the deterministic goroutine: the workflow's
		// coroutines run one at a time, in an order the history fixes.
		workflow.Go(bctx, func(ctx workflow.Context) {
			defer func() { done[i] = true }()
			if err := run(ctx, i); err != nil {
				errs = append(errs, wrap(i, err))
				if r.Cancel {
					cancel()
				}
			}
		})
	}
	// The join: wait on ctx, not bctx, which a failed branch cancels.
	if err := workflow.Await(ctx, func() bool {
		for _, d := range done {
			if !d {
				return false
			}
		}
		return true
	}); err != nil {
		return &runtime.NodeError{Node: r.Names[from], Err: err}
	}
	switch {
	case len(errs) == 0:
		return nil
	case len(errs) == 1 || r.Cancel:
		return errs[0]
	}
	return errors.Join(errs...)
}

// maxAttempts is the most attempts o's retry policy makes (0: unlimited).
func maxAttempts(o workflow.ActivityOptions) int32 {
	if o.RetryPolicy == nil {
		return 0
	}
	return o.RetryPolicy.MaximumAttempts
}

func cmpOr(a, b int) int {
	if a > 0 {
		return a
	}
	return b
}

// Items runs a, the items handler of map node n, which is no step of its
// own, on s and returns the items it built.
func Items[S, T any](ctx workflow.Context, r *Runner, n int, a Activity, s S) ([]T, error) {
	return exec[[]T](ctx, r, n, a, false, s)
}
