package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
)

// counter is the part of Exec that Enter reads: the step count and the
// limits. It is not generic, so that Enter's slow path is a plain call and
// Enter itself stays within the inliner's budget.
type counter struct {
	names     []string // node names, indexed by the generated node constants
	maxSteps  int64
	mainSteps int64        // steps of the main flow, touched by it alone: see Enter
	mainLimit int64        // Enter's fast path runs while mainSteps is below it: see enter
	forkSteps atomic.Int64 // mainSteps as of the last fork on the main flow
	steps     atomic.Int64 // steps of branches
	quiet     bool         // no observer, and the main flow's context is never done: see Begin
	// started reports NodeStarted to the run's observer; nil without one.
	started func(ctx context.Context, in Branch, node int) error
}

// Exec is the state of one run: its limits, its step count, its observers
// and, for a durable run, its journal. Generated code declares one per
// Invoke, starts it with Open (or Resume) and calls its methods around
// every node; it is safe for use by the run's branches. An Exec must not be
// copied after Start, Open or Resume.
type Exec[S any] struct {
	counter
	g         *Graph
	forks     atomic.Uint64 // the last activation id handed out
	policy    Policy
	slots     chan struct{} // branch goroutine tokens; nil when unlimited
	observe   func(Event[S])
	ext       bool     // observe or j is set: Leave has work to do
	j         *journal // nil unless the run is durable
	thread    string
	root      flow   // the main flow, when the run is durable
	skipPause int    // a resumed run's interrupt before this node was taken already; -1: none
	hooks     []hook // see hook.go
	graph     string
	run       scope // the run's hook scope, when running is set
	running   bool
}

// Start readies x for a run of g from node entry on *s and, for a durable
// run, opens its thread with the start record. It fails when an observer
// was written for another state type, when the options do not fit the
// graph (a store without a thread, interrupts without a store, an update),
// or when the thread cannot be opened (wrapping ErrConflict when the thread
// id is in use).
func (x *Exec[S]) Start(ctx context.Context, o Options, g *Graph, entry int, s *S) error {
	return x.start(ctx, &o, g, entry, s)
}

// Open readies x for a run of g from node entry on *s, like Start with
// base.Apply(opts...) as its options, and begins it, like Begin: the
// context it returns is the one the run's main flow runs on. It reads
// *base in place, so that a run without options copies none; base is not
// changed. Generated Invoke methods call it with their executor's options.
func (x *Exec[S]) Open(ctx context.Context, base *Options, opts []Option, g *Graph, entry int, s *S) (context.Context, error) {
	o := base
	if len(opts) > 0 {
		o = openOptions(base, opts)
	}
	if err := x.start(ctx, o, g, entry, s); err != nil {
		return ctx, err
	}
	return x.Begin(ctx), nil
}

// openOptions is Open's path with options, out of line: its Options live
// on the heap (see Options.apply).
//
//go:noinline
func openOptions(base *Options, opts []Option) *Options {
	o := base.apply(opts)
	return &o
}

func (x *Exec[S]) start(ctx context.Context, o *Options, g *Graph, entry int, s *S) error {
	if err := x.setup(o, g); err != nil {
		return err
	}
	if o.Update != nil {
		return errors.New("graphc: an update (With<Graph>Update) is a Resume option; Invoke runs from the state it is given")
	}
	if x.j == nil {
		return nil
	}
	return x.open(ctx, o.Store, o.Durability, entry, *s)
}

// open opens a durable run's thread. It is out of line, and takes the
// state by value, so that a run without a store moves nothing to the heap.
//
//go:noinline
func (x *Exec[S]) open(ctx context.Context, st Store, d Durability, entry int, s S) error {
	x.j = newJournal(ctx, st, x.thread, d, 0)
	b, err := encodeState(s)
	if err != nil {
		return err
	}
	return x.j.addSync(Record{Kind: StartRecord, Node: x.g.Names[entry], State: b,
		Graph: x.g.Name, Fingerprint: x.g.Fingerprint, Format: FormatVersion, Codec: Codec})
}

// setup readies x from the options; x.j is set (to a placeholder) when the
// run is durable.
func (x *Exec[S]) setup(o *Options, g *Graph) error {
	if x.g != nil { // x ran before: start afresh
		*x = Exec[S]{}
	}
	// Set field by field: a composite literal is built aside and copied
	// into *x, which cost more than the rest of a small run's setup.
	x.g, x.names, x.maxSteps, x.policy = g, g.Names, int64(o.MaxSteps), o.OnBranchError
	x.skipPause, x.hooks, x.graph = -1, o.hooks, g.Name
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
	switch {
	case o.Store == nil && g.Interrupts:
		return fmt.Errorf("graphc: graph %s pauses at interrupts, so its runs need a store to resume from: give runtime.WithStore and runtime.WithThread", g.Name)
	case o.Store == nil:
	case g.NoCheckpoints:
		return fmt.Errorf("graphc: graph %s says checkpoints: false in its spec (its state need not survive the codec), so it cannot run with a store", g.Name)
	case o.Thread == "":
		return fmt.Errorf("graphc: a durable run of graph %s needs a thread id: give runtime.WithThread", g.Name)
	default:
		x.j = &journal{}
	}
	x.thread = o.Thread
	x.ext = x.observe != nil || x.j != nil
	if x.observe != nil {
		x.started = startedFunc(x.observe, x.names)
	}
	return nil
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
//
// The fast path is the main flow of a quiet run (no observer, a context
// that can never be done: see Begin) below its step limit: two compares and
// an add, no call and no atomic. Everything else takes enter, out of line.
// Branches never read the main flow's count. The fast path is Step's, written
// out: calling Step puts Enter over the inliner's budget (cost 80), and a
// branch's every node would pay a call to Enter on its way to enter.
func (x *counter) Enter(ctx context.Context, in Branch, node int) error {
	if in.Fork == 0 && x.mainSteps < x.mainLimit {
		x.mainSteps++
		return nil
	}
	return x.enter(ctx, in, node)
}

// Step takes Enter's fast path alone: on the main flow of a quiet run (see
// Begin) it counts the step and reports true; otherwise it reports false,
// and the caller calls Enter. Generated flows call it before Enter because
// it stays within the inliner's budget for large functions (a flow of
// hundreds of nodes), where Enter is a call.
func (x *counter) Step(in Branch) bool {
	if in.Fork == 0 && x.mainSteps < x.mainLimit {
		x.mainSteps++
		return true
	}
	return false
}

// Observed reports whether Leave has work to do (an observer, a journal):
// generated flows call Leave only then, for the reason given at Step.
func (x *Exec[S]) Observed() bool { return x.ext }

// enter is Enter's general path. For the main flow of a quiet run it sets
// mainLimit, the count below which Enter may take its fast path: the steps
// left to the run once its branches' steps are counted. Fork zeroes it, so
// that the main flow comes back here once its branches have run.
//
//go:noinline
func (x *counter) enter(ctx context.Context, in Branch, node int) error {
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
	if in.Fork == 0 && x.quiet {
		x.mainLimit = x.maxSteps - x.steps.Load()
	}
	if x.started != nil {
		return x.started(ctx, in, node)
	}
	return nil
}

// startedFunc returns counter.started for a run observed by observe: it
// reports NodeStarted. It holds the observer and the names, not the Exec,
// so that an Exec never escapes to the heap for it.
func startedFunc[S any](observe func(Event[S]), names []string) func(ctx context.Context, in Branch, node int) error {
	return func(ctx context.Context, in Branch, node int) error {
		observe(Event[S]{Kind: NodeStarted, Node: names[node], In: in})
		if err := ctx.Err(); err != nil { // the observer may have waited
			return &NodeError{Node: names[node], Err: cause(ctx, err)}
		}
		return nil
	}
}

// Leave is called when node returned *s in branch in and its edge leads to
// next (a node, EndNode, or NotRouted). A durable run records the node's
// completion with next before Leave returns (under Sync durability); the
// error is the store's. It takes a pointer so that, inlined, it copies no
// state when there is nothing to do.
func (x *Exec[S]) Leave(in Branch, node, next int, s *S) error {
	if x.Observed() {
		return x.leave(in, node, next, s)
	}
	return nil
}

// leave is Leave's slow path.
//
//go:noinline
func (x *Exec[S]) leave(in Branch, node, next int, s *S) error {
	if err := recordNode(x, in, node, next, *s); err != nil {
		return err
	}
	if x.observe != nil {
		x.observe(Event[S]{Kind: NodeFinished, Node: x.names[node], In: in, State: *s, Next: x.nextName(next)})
	}
	return nil
}

// nodeRecord is the record of node's completion in branch in, returning v
// (the state, or a map's item), its edge leading to next.
func nodeRecord[S, T any](x *Exec[S], in Branch, node, next int, v T) (Record, error) {
	b, err := encodeState(v)
	if err != nil {
		return Record{}, &NodeError{Node: x.names[node], Err: err}
	}
	return Record{Kind: NodeRecord, Path: in.Path(), Node: x.names[node], Next: x.nextName(next), State: b}, nil
}

// recordNode records node's completion, when the run is durable: see
// Leave.
func recordNode[S, T any](x *Exec[S], in Branch, node, next int, v T) error {
	if x.j == nil {
		return nil
	}
	r, err := nodeRecord(x, in, node, next, v)
	if err != nil {
		return err
	}
	return x.j.add(r)
}

// nextName is the record's and the event's name of next.
func (x *Exec[S]) nextName(next int) string {
	switch {
	case next == EndNode:
		return "__end__"
	case next >= 0 && next < len(x.names):
		return x.names[next]
	}
	return ""
}

// Route is called, in a resumed run, when the edge out of node (which
// paused after itself) was taken to next: a durable run records it.
func (x *Exec[S]) Route(in Branch, node, next int) error {
	if x.j == nil {
		return nil
	}
	return x.j.add(Record{Kind: RouteRecord, Path: in.Path(), Node: x.names[node], Next: x.nextName(next)})
}

// Pause stops the run at an interrupt of node, in phase, with the main
// flow's state *s: it records the interrupt and returns the *Interrupted
// the run ends with. A resumed run passes the interrupt before the node it
// paused at (that interrupt was taken), and Pause returns nil there.
func (x *Exec[S]) Pause(node int, phase Phase, s *S) error {
	if phase == Before && x.skipPause == node {
		x.skipPause = -1
		return nil
	}
	x.skipPause = -1
	ip := &Interrupted{Thread: x.thread, Node: x.names[node], Phase: phase}
	if x.j != nil {
		if err := x.j.add(Record{Kind: InterruptRecord, Node: x.names[node], Phase: phase}); err != nil {
			return err
		}
	}
	if x.observe != nil {
		x.observe(Event[S]{Kind: Paused, Node: x.names[node], Phase: phase, State: *s, Err: ip})
	}
	return ip
}

// PauseAfter is Leave and Pause for node, which interrupts after itself:
// it records the node's completion (its edge not taken yet) and the
// interrupt in one write, so that no crash can record the one without the
// other — a resumed run that found the node done but no interrupt would
// take the edge without the pause.
func (x *Exec[S]) PauseAfter(in Branch, node int, s *S) error {
	ip := &Interrupted{Thread: x.thread, Node: x.names[node], Phase: After}
	if x.j != nil {
		r, err := nodeRecord(x, in, node, NotRouted, *s)
		if err != nil {
			return err
		}
		if err := x.j.addAll(x.j.mode, r, Record{Kind: InterruptRecord, Node: x.names[node], Phase: After}); err != nil {
			return err
		}
	}
	x.skipPause = -1
	if x.observe != nil {
		x.observe(Event[S]{Kind: NodeFinished, Node: x.names[node], In: in, State: *s})
		x.observe(Event[S]{Kind: Paused, Node: x.names[node], Phase: After, State: *s, Err: ip})
	}
	return ip
}

// Fail wraps the error a node's handler returned.
//
// It is never inlined: inlined into every case of a generated flow, its
// temporaries took stack slots per case, and a branch flow of a 100-way
// fork needed a 1 KB frame, outgrowing the branch goroutine's first stack.
//
//go:noinline
func (x *Exec[S]) Fail(node int, err error) error {
	return &NodeError{Node: x.name(node), Err: err}
}

// name is the name of node, which may be a node's "after" entry.
func (x *Exec[S]) name(node int) string {
	if node < 0 {
		return "__end__"
	}
	return x.names[node%len(x.names)]
}

// BadRoute is the error of a route handler that returned a value outside
// its enum type typ.
func (x *Exec[S]) BadRoute(node int, typ string, v uint64) error {
	return &NodeError{Node: x.names[node], Err: &RouteError{Type: typ, Value: v}}
}

// Recover turns a panic into the run's error, naming the node that was
// running. Generated flows defer it once, on their named result:
// defer x.Recover(&n, &result) (their own err is a local, see the flows).
// node may be a node's "after" entry (the node plus len(names)).
func (x *Exec[S]) Recover(node *int, err *error) {
	if r := recover(); r != nil {
		*err = &NodeError{Node: x.name(*node), Err: &PanicError{Value: r, Stack: debug.Stack()}}
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

// End reports the end of the run and returns its result. A durable run
// records how it ended (unless it paused: Pause recorded that) and writes
// everything still queued; a store error then becomes the run's error.
func (x *Exec[S]) End(s S, err error) (S, error) {
	if x.j != nil {
		err = x.finish(s, err)
	}
	if x.observe != nil {
		x.observe(Event[S]{Kind: Done, State: s, Err: err})
	}
	if x.running {
		x.run.end(0, err)
	}
	return s, err
}

// finish is End's durable part, out of line (see begin).
//
//go:noinline
func (x *Exec[S]) finish(s S, err error) error {
	var ip *Interrupted
	var se *StoreError
	switch {
	case errors.As(err, &se): // the journal is broken: nothing more can be written
	case errors.As(err, &ip):
	case err != nil:
		r := Record{Kind: FailRecord, Err: err.Error()}
		var ne *NodeError
		if errors.As(err, &ne) {
			r.Node = ne.Node
		}
		_ = x.j.add(r) // a store error shows in flush
	default:
		b, eerr := encodeState(s)
		if eerr != nil {
			err = eerr
			break
		}
		_ = x.j.add(Record{Kind: EndRecord, State: b})
	}
	if ferr := x.j.flush(); ferr != nil && (err == nil || ip != nil) {
		return ferr
	}
	return err
}

// encodeState encodes s with the codec (encoding/json). It takes s by
// value, so that what calls it keeps its state on its own stack.
func encodeState[S any](s S) (json.RawMessage, error) {
	b, err := json.Marshal(&s)
	if err != nil {
		return nil, fmt.Errorf("graphc: encoding the state: %w", err)
	}
	return b, nil
}

// decodeState decodes a recorded state into a zero S.
func decodeState[S any](thread string, seq uint64, b json.RawMessage) (S, error) {
	var s S
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("graphc: thread %q, record %d: the state no longer decodes: %w", thread, seq, err)
	}
	return s, nil
}

// NewExec returns an Exec ready for a run of a graph whose node names are
// names, without a store: for executors written by hand (the runtime's own
// tests drive it so). Generated code uses Open and Resume.
func NewExec[S any](o Options, names []string) (*Exec[S], error) {
	x := new(Exec[S])
	if o.Store != nil {
		return nil, errors.New("graphc: NewExec runs without a store; durable runs start with Exec.Start")
	}
	if err := x.setup(&o, &Graph{Names: names}); err != nil {
		return nil, err
	}
	return x, nil
}
