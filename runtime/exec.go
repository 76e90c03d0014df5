package runtime

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync/atomic"
)

// Exec is the state of one run: its limits, its step count and its
// observers. Generated code declares one per Invoke, starts it with Start
// and calls its methods around every node; it is safe for use by the run's
// branches. An Exec must not be copied after Start.
type Exec[S any] struct {
	names     []string // node names, indexed by the generated node constants
	maxSteps  int64
	mainSteps int64         // steps of the main flow, touched by it alone: see Enter
	forkSteps atomic.Int64  // mainSteps as of the last fork on the main flow
	steps     atomic.Int64  // steps of branches
	forks     atomic.Uint64 // the last activation id handed out
	policy    Policy
	slots     chan struct{} // branch goroutine tokens; nil when unlimited
	observe   func(Event[S])
	hooks     []hook // see hook.go
	graph     string
	run       scope // the run's hook scope, when running is set
	running   bool
}

// Start readies x for a run of a graph whose node names are names. It fails
// only when an observer was written for another state type.
func (x *Exec[S]) Start(o Options, names []string) error {
	*x = Exec[S]{names: names, maxSteps: int64(o.MaxSteps), policy: o.OnBranchError, hooks: o.hooks}
	if x.maxSteps <= 0 {
		x.maxSteps = DefaultMaxSteps
	}
	if o.MaxWorkers > 0 {
		x.slots = make(chan struct{}, o.MaxWorkers)
	}
	var fns []func(Event[S])
	for _, obs := range o.observers {
		fn, ok := obs.(func(Event[S]))
		if !ok {
			var s S
			return fmt.Errorf("graphc: an observer of %T was given to a graph whose state is %T: use runtime.WithObserver(func(runtime.Event[%T]) {...})", obs, s, s)
		}
		fns = append(fns, fn)
	}
	switch len(fns) {
	case 0:
	case 1:
		x.observe = fns[0]
	default:
		x.observe = func(e Event[S]) {
			for _, fn := range fns {
				fn(e)
			}
		}
	}
	return nil
}

// NewExec returns a started Exec (see Start).
func NewExec[S any](o Options, names []string) (*Exec[S], error) {
	x := new(Exec[S])
	if err := x.Start(o, names); err != nil {
		return nil, err
	}
	return x, nil
}

// cause is err (context.Canceled or DeadlineExceeded), joined with the
// cause given to context.WithCancelCause or WithTimeoutCause, if any.
func cause(ctx context.Context, err error) error {
	if c := context.Cause(ctx); c != nil && c != err {
		return fmt.Errorf("%w: %w", err, c)
	}
	return err
}

// Enter is called before node runs in branch in. It fails, naming the node,
// when ctx is done or the step limit is reached.
func (x *Exec[S]) Enter(ctx context.Context, in Branch, node int) error {
	if err := ctx.Err(); err != nil {
		return &NodeError{Node: x.names[node], Err: cause(ctx, err)}
	}
	// The main flow never runs while branches do (it waits in Fork, and
	// branches it runs itself count as branches), so it counts its steps
	// without an atomic; branches read its count as Fork published it.
	var n int64
	if in.Fork == 0 {
		x.mainSteps++
		n = x.mainSteps + x.steps.Load()
	} else {
		n = x.steps.Add(1) + x.forkSteps.Load()
	}
	if n > x.maxSteps {
		return &NodeError{Node: x.names[node], Err: &StepLimitError{Limit: int(x.maxSteps)}}
	}
	if x.observe != nil {
		return x.started(ctx, in, node)
	}
	return nil
}

// started reports NodeStarted. It is out of line so that Enter's frame
// stays small: branch goroutines start on small stacks.
func (x *Exec[S]) started(ctx context.Context, in Branch, node int) error {
	x.observe(Event[S]{Kind: NodeStarted, Node: x.names[node], In: in})
	if err := ctx.Err(); err != nil { // the observer may have waited
		return &NodeError{Node: x.names[node], Err: cause(ctx, err)}
	}
	return nil
}

// Leave is called when node returned *s in branch in. It takes a pointer
// so that, inlined, it copies no state when nobody observes.
func (x *Exec[S]) Leave(in Branch, node int, s *S) {
	if x.observe != nil {
		x.leave(in, node, s)
	}
}

func (x *Exec[S]) leave(in Branch, node int, s *S) {
	x.observe(Event[S]{Kind: NodeFinished, Node: x.names[node], In: in, State: *s})
}

// Fail wraps the error a node's handler returned.
//
// It is never inlined: inlined into every case of a generated flow, its
// temporaries took stack slots per case, and a branch flow of a 100-way
// fork needed a 1 KB frame, outgrowing the branch goroutine's first stack.
//
//go:noinline
func (x *Exec[S]) Fail(node int, err error) error {
	return &NodeError{Node: x.names[node], Err: err}
}

// BadRoute is the error of a route handler that returned a value outside
// its enum type typ.
func (x *Exec[S]) BadRoute(node int, typ string, v uint64) error {
	return &NodeError{Node: x.names[node], Err: &RouteError{Type: typ, Value: v}}
}

// Recover turns a panic into the run's error, naming the node that was
// running. Generated flows defer it once: defer x.Recover(&node, &err).
func (x *Exec[S]) Recover(node *int, err *error) {
	if r := recover(); r != nil {
		*err = &NodeError{Node: x.names[*node], Err: &PanicError{Value: r, Stack: debug.Stack()}}
	}
}

// Arrived reports that branch in delivered s to the join of fanIn. Generated
// joins call it while they hold their lock, right after storing s.
func (x *Exec[S]) Arrived(in Branch, fanIn int, s S) {
	if x.observe != nil {
		x.arrived(in, fanIn, s)
	}
}

func (x *Exec[S]) arrived(in Branch, fanIn int, s S) {
	x.observe(Event[S]{Kind: BranchArrived, Node: x.names[fanIn], In: in, State: s})
}

// End reports the end of the run and returns its result unchanged.
func (x *Exec[S]) End(s S, err error) (S, error) {
	if x.observe != nil {
		x.observe(Event[S]{Kind: Done, State: s, Err: err})
	}
	if x.running {
		x.run.end(0, err)
	}
	return s, err
}
