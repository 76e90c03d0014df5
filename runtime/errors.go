package runtime

import (
	"errors"
	"fmt"
	"strconv"
)

// NodeError is how a run fails in a node: the handler returned an error or
// panicked, its route was invalid, the run was cancelled or the step limit
// was reached before it started. errors.Is and errors.As see through it.
type NodeError struct {
	Node string // the node's name in the spec
	Err  error
}

func (e *NodeError) Error() string { return "node " + e.Node + ": " + e.Err.Error() }

// Unwrap returns the cause.
func (e *NodeError) Unwrap() error { return e.Err }

// PanicError is the cause of a NodeError when the handler panicked.
type PanicError struct {
	Value any    // what was passed to panic
	Stack []byte // the panicking goroutine's stack
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Unwrap returns the panic value when it is an error.
func (e *PanicError) Unwrap() error {
	err, _ := e.Value.(error)
	return err
}

// RouteError is the cause of a NodeError when a route handler returned a
// value outside its enum.
type RouteError struct {
	Type  string // the route type, e.g. ReviewRoute
	Value uint64
}

func (e *RouteError) Error() string {
	return fmt.Sprintf("route returned %s(%d), which is none of its labels", e.Type, e.Value)
}

// ErrStepLimit is wrapped by the error of a run that reached its step limit.
var ErrStepLimit = errors.New("step limit reached")

// StepLimitError is the cause of a NodeError when the run reached MaxSteps
// before the node could start. errors.Is(err, ErrStepLimit) holds.
type StepLimitError struct{ Limit int }

func (e *StepLimitError) Error() string {
	return fmt.Sprintf("step limit reached: the run already executed %d nodes (a loop that never exits?); raise the limit with max_steps or runtime.WithMaxSteps", e.Limit)
}

// Is makes errors.Is(err, ErrStepLimit) true.
func (e *StepLimitError) Is(target error) bool { return target == ErrStepLimit }

// BranchError is the error of a fork whose branch failed, or of a map
// whose item's flow failed.
type BranchError struct {
	Fork   string // the node that forked
	Branch string // the branch's entry node (for a map, the per-item flow's)
	Map    bool   // the fork is a map edge, and Item says which item failed
	Item   int    // for a map, the index of the item whose flow failed
	Err    error
}

func (e *BranchError) Error() string {
	if e.Map {
		return "item " + strconv.Itoa(e.Item) + " of map " + e.Fork + " (at " + e.Branch + "): " + e.Err.Error()
	}
	return "branch " + e.Branch + " of fork " + e.Fork + ": " + e.Err.Error()
}

// MaxItemsError is the error of a map edge given more items than its
// max_items: the run fails before any item runs.
type MaxItemsError struct {
	Node  string // the node that maps
	Count int    // the items it was given
	Max   int    // its max_items
}

func (e *MaxItemsError) Error() string {
	return fmt.Sprintf("graphc: map at %q was given %d items, more than its max_items %d: raise max_items in the spec, or give it fewer", e.Node, e.Count, e.Max)
}

// SelectError is the error of a select handler that returned bits outside
// its fork's branches.
type SelectError struct {
	Fork     string // the node that forks
	Selected uint64 // what the handler returned
	Branches int    // how many branches the fork has
}

func (e *SelectError) Error() string {
	return fmt.Sprintf("graphc: the select handler of %q returned %#x, which has bits outside its %d branches", e.Fork, e.Selected, e.Branches)
}

// Unwrap returns the cause.
func (e *BranchError) Unwrap() error { return e.Err }

// Interrupted is the error of a run that paused at an interrupt
// (interrupt_before or interrupt_after in the spec): the run returned the
// main flow's state so far, and Resume(ctx, Thread) continues it.
type Interrupted struct {
	Thread string // the thread to resume
	Node   string // the node the run paused at
	Phase  Phase  // Before: Node has not run; After: it has, its edge is taken at resume
}

func (e *Interrupted) Error() string {
	return fmt.Sprintf("graphc: thread %q paused %s node %q: Resume continues it", e.Thread, e.Phase, e.Node)
}
