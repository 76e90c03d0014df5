package runtime

import (
	"errors"
	"fmt"
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

// BranchError is the error of a fork whose branch failed.
type BranchError struct {
	Fork   string // the node that forked
	Branch string // the branch's entry node
	Err    error
}

func (e *BranchError) Error() string {
	return "branch " + e.Branch + " of fork " + e.Fork + ": " + e.Err.Error()
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
