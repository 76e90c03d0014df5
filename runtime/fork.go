package runtime

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"
)

// ForkSpec is the static shape of one parallel or map edge, generated once
// per fork. It keeps the fork's activations between runs, so it must not be
// copied after its first fork (go vet's copylocks check says so).
type ForkSpec struct {
	Node    int   // the forking node
	FanIn   int   // the node where the branches meet
	Entries []int // each branch's entry node, in spec order; for a map, the one entry of its per-item flow
	// Map: a map edge (see Map): each activation runs the flow at
	// Entries[0] once per item, and fails with a *MaxItemsError past
	// MaxItems items.
	Map      bool
	MaxItems int
	// Select: a parallel edge whose activations run only the branches
	// their select handler picked (see Exec.ForkSelect).
	Select bool

	// pool keeps this fork's activations between runs (see newActivation).
	pool sync.Pool
}

// Join is one activation of a fork: a generated struct, with its own lock,
// that its branches deliver their states into.
type Join[S any] interface {
	// RunBranch runs branch b from node n (its entry node, or where a
	// resumed branch stood: a node, or a node's "after" entry) up to the
	// fan-in, and delivers the result into the join; n may be the fan-in
	// itself (a resumed branch that had delivered: nothing runs). The
	// branch runs on s, or, when s is nil, on its own deep copy of the
	// fork-time state. It returns the branch's error instead of delivering.
	RunBranch(ctx context.Context, b Branch, n int, s *S) error
}

// activation is the runtime's side of one fork activation, whose branches
// run on states of type B: S for a parallel edge, the item type for a map.
type activation[S, B any] struct {
	x      *Exec[S]
	spec   *ForkSpec
	join   Join[B]
	id     uint64
	n      int       // branches: len(spec.Entries), or the number of items
	skip   uint64    // a select fork's branches that do not run (bit i: branch i)
	items  []B       // a map's items, recorded with the fork
	flows  []flow    // each branch's path and plan, when the run is durable
	plan   *forkPlan // where the branches stood, when the run resumes this activation
	ctx    context.Context
	cancel context.CancelCauseFunc // nil under the Wait policy
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error     // in the order they happened
	broken atomic.Bool // errs is not empty: read by the fork loop without mu
	scope  scope       // the fork's hook scope, when hooked
}

// Fork runs every branch of the fork f, delivering into j, and returns when
// all of them have returned. Branches get a goroutine each while the worker
// limit allows; past it, and for the last branch, the forking goroutine runs
// them itself, so a limit can slow nested forks down but never deadlock them.
// Under the Cancel policy the first failing branch cancels its siblings'
// context and its error is returned; under Wait all branches finish and the
// first error is returned joined with the others.
//
// s is the fork-time state: a durable run records it with the fork (unless
// it resumes an activation already recorded, whose branches then continue
// where the records left them).
func (x *Exec[S]) Fork(ctx context.Context, in Branch, f *ForkSpec, j Join[S], s *S) error {
	return fork(ctx, newActivation[S, S](x, f, j, len(f.Entries)), in, s)
}

// ForkSelect is Fork for a select fork: only the branches whose bit is set
// in selected run (bit i: branch i, in spec order); the others never start
// and their results keep their zero value. With no bit set, nothing runs
// and the fan-in follows at once. A durable run records the selection with
// the fork; a resumed activation runs the selection it recorded (see
// Exec.RecordedSelection), so the select handler is not asked again. A bit
// past the fork's branches is an error naming the fork node.
func (x *Exec[S]) ForkSelect(ctx context.Context, in Branch, f *ForkSpec, j Join[S], s *S, selected uint64) error {
	n := len(f.Entries)
	if n < 64 && selected>>n != 0 {
		return &NodeError{Node: x.names[f.Node], Err: &SelectError{Fork: x.names[f.Node], Selected: selected, Branches: n}}
	}
	all := uint64(1)<<n - 1
	if n >= 64 {
		all = ^uint64(0)
	}
	a := newActivation[S, S](x, f, j, n)
	a.skip = all &^ selected
	return fork(ctx, a, in, s)
}

// Map runs the map edge f over items: the per-item flow from f.Entries[0]
// once per item, each on its own deep copy of its item (j copies it), with
// the same worker limit, error policy and cancellation as Fork's branches
// (item i is branch i). It returns when every item's flow has returned;
// with no items (a nil or empty slice) nothing runs and the fan-in follows
// at once. More than f.MaxItems items fail with a *MaxItemsError, wrapped
// in a *NodeError naming the fork node, before any item runs.
//
// s is the fork-time state: a durable run records it, and the items, with
// the fork; a resumed activation must be given the items it recorded (see
// RecordedItems), and its items continue where the records left them.
func Map[S, T any](ctx context.Context, x *Exec[S], in Branch, f *ForkSpec, j Join[T], s *S, items []T) error {
	if err := x.CheckItems(f, len(items)); err != nil {
		return err
	}
	a := newActivation[S, T](x, f, j, len(items))
	a.items = items
	return fork(ctx, a, in, s)
}

// CheckItems fails, with a *MaxItemsError wrapped in a *NodeError naming
// the fork node, when a map activation of f would run n items, more than
// f.MaxItems. Generated code calls it before it sizes the join.
func (x *Exec[S]) CheckItems(f *ForkSpec, n int) error {
	if f.MaxItems > 0 && n > f.MaxItems {
		return &NodeError{Node: x.names[f.Node], Err: &MaxItemsError{Node: x.names[f.Node], Count: n, Max: f.MaxItems}}
	}
	return nil
}

// RecordedItems returns the items that the map activation of f which a
// resumed run continues on in's flow recorded at fork time, with ok set;
// ok is false when the flow starts a new activation (then the items come
// from the state or the items handler). The list is never computed twice
// for one activation: an items handler could return another list.
func RecordedItems[S, T any](x *Exec[S], in Branch, f *ForkSpec) (items []T, ok bool, err error) {
	fp := x.resumedFork(in, f)
	if fp == nil {
		return nil, false, nil
	}
	if err := json.Unmarshal(fp.items, &items); err != nil {
		return nil, false, fmt.Errorf("graphc: thread %q, record %d: the items of the map at %q no longer decode: %w", x.thread, fp.seq, x.names[f.Node], err)
	}
	return items, true, nil
}

// RecordedSelection is RecordedItems for a select fork: the selection the
// activation a resumed run continues on in's flow recorded.
func (x *Exec[S]) RecordedSelection(in Branch, f *ForkSpec) (selected uint64, ok bool) {
	fp := x.resumedFork(in, f)
	if fp == nil {
		return 0, false
	}
	return fp.selected, true
}

// resumedFork is the recorded activation of f that in's flow is waiting
// in, when the run resumes it; nil otherwise.
func (x *Exec[S]) resumedFork(in Branch, f *ForkSpec) *forkPlan {
	if x.j == nil {
		return nil
	}
	parent := in.flow
	if parent == nil {
		parent = &x.root
	}
	if p := parent.plan; p != nil && p.fork != nil && p.fork.node == f.Node {
		return p.fork
	}
	return nil
}

// newActivation returns an activation of f, from f's pool when it has one.
func newActivation[S, B any](x *Exec[S], f *ForkSpec, j Join[B], n int) *activation[S, B] {
	a, ok := f.pool.Get().(*activation[S, B])
	if !ok {
		a = new(activation[S, B])
	}
	a.x, a.spec, a.join, a.n = x, f, j, n
	return a
}

// release puts a back into its fork's pool once runFork has returned, unless
// the run is durable or hooked: then records or spans may still hold it.
// Every branch goroutine has returned (fork waits for them), so nothing
// else refers to a.
func (a *activation[S, B]) release() {
	if a.x.j != nil || a.x.hooks != nil {
		return
	}
	f := a.spec
	*a = activation[S, B]{}
	f.pool.Put(a)
}

// fork runs the branches of activation a (see Fork), then releases a.
func fork[S, B any](ctx context.Context, a *activation[S, B], in Branch, s *S) error {
	err := runFork(ctx, a, in, s)
	a.release()
	return err
}

// runFork runs the branches of activation a.
func runFork[S, B any](ctx context.Context, a *activation[S, B], in Branch, s *S) (err error) {
	x, f := a.x, a.spec
	if in.Fork == 0 {
		x.forkSteps.Store(x.mainSteps)
		x.mainLimit = 0 // the branches take steps: see enter
	}
	a.id, a.ctx = x.forks.Add(1), ctx
	if x.j != nil || x.hooks != nil {
		if err := a.paths(in, s); err != nil {
			return err
		}
	}
	if x.hooks != nil {
		ctx = a.beginFork(ctx, in)
		a.ctx = ctx
		defer func() { a.scope.end(0, err) }()
	}
	if x.policy == Cancel {
		a.ctx, a.cancel = context.WithCancelCause(ctx)
		defer a.cancel(nil)
	}
	// Deferred, so that a branch run on this goroutine that ends it with
	// runtime.Goexit still leaves no sibling running behind the fork.
	defer a.wg.Wait()
	if x.observe != nil {
		x.observe(Event[S]{Kind: Forked, Node: x.names[f.Node], In: in, Fork: a.id, Parent: in.Fork, Branches: a.n, Skipped: a.skip})
	}
	last := a.n - 1
	for last >= 0 && a.skipped(last) {
		last--
	}
	for i := range a.n {
		if a.skipped(i) {
			continue
		}
		if x.policy == Cancel && a.failed() {
			break // a branch failed: the rest would only fail on the cancelled context
		}
		if i < last && x.acquire() {
			a.wg.Add(1)
			go a.run(i, true)
		} else {
			a.run(i, false) // the last branch, or no worker free
		}
	}
	a.wg.Wait()

	switch len(a.errs) {
	case 0:
	case 1:
		return a.errs[0]
	default:
		if x.policy == Cancel {
			return a.errs[0]
		}
		return errors.Join(a.errs...)
	}
	if x.observe != nil {
		x.observe(Event[S]{Kind: Joined, Node: x.names[f.FanIn], In: in, Fork: a.id})
	}
	return nil
}

// skipped reports whether branch i of a select fork was not selected.
func (a *activation[S, B]) skipped(i int) bool { return i < 64 && a.skip&(1<<i) != 0 }

// entry is branch i's entry node.
func (a *activation[S, B]) entry(i int) int {
	if a.spec.Map {
		return a.spec.Entries[0]
	}
	return a.spec.Entries[i]
}

func (x *Exec[S]) acquire() bool {
	if x.slots == nil {
		return true
	}
	select {
	case x.slots <- struct{}{}:
		return true
	default:
		return false
	}
}

// run runs branch i and records its error. Node panics are recovered by
// the generated flow; the recover here catches the rest (a panicking Clone
// method, say) so that a branch can never crash the process, and a branch
// ended by runtime.Goexit still counts as failed. The call chain of a
// branch goroutine is kept shallow: goroutines start on small stacks, and
// growing one costs more than the whole branch.
// A spawned branch gives back its worker token when it ends.
func (a *activation[S, B]) run(i int, spawned bool) {
	if a.x.hooks != nil || a.x.observe != nil || a.plan != nil {
		a.runWatched(i, spawned)
		return
	}
	returned := false
	defer a.finish(i, spawned, &returned, nil)
	err := a.join.RunBranch(a.ctx, a.branch(i), a.entry(i), nil)
	returned = true
	if err != nil {
		a.fail(i, err)
	}
}

// runWatched is run for a branch that reports events, has hooks or
// resumes from records. It is apart from run, never inlined, so that the
// frame of a plain branch stays small: goroutine stacks start small, and
// outgrowing one (copying the stack) costs more than a trivial branch
// (the fan-in of 20 in examples/bench took 65 µs instead of 10 when run's
// frame held all of this).
//
//go:noinline
func (a *activation[S, B]) runWatched(i int, spawned bool) {
	returned := false
	ctx, sc := a.ctx, (*scope)(nil)
	if a.x.hooks != nil {
		ctx, sc = a.branchScope(i)
	}
	defer a.finish(i, spawned, &returned, sc)
	if a.x.observe != nil {
		a.x.branchEvent(BranchStarted, a.entry(i), a.branch(i), nil)
	}
	var err error
	if a.plan == nil {
		err = a.join.RunBranch(ctx, a.branch(i), a.entry(i), nil)
	} else {
		err = a.resumeBranch(ctx, i)
	}
	returned = true
	if err != nil {
		a.fail(i, err)
	}
	if sc != nil {
		endScope(sc, err)
	}
}

// branchScope begins the hook scope of branch i (out of line, like
// endScope: see runWatched).
//
//go:noinline
func (a *activation[S, B]) branchScope(i int) (context.Context, *scope) {
	sc := new(scope)
	ctx, s := a.beginBranch(i)
	*sc = s
	return ctx, sc
}

// endScope ends a hook scope; out of line, see branchScope.
//
//go:noinline
func endScope(sc *scope, err error) { sc.end(0, err) }

// finish is run's deferred call; sc is the branch's hook scope, if any.
func (a *activation[S, B]) finish(i int, spawned bool, returned *bool, sc *scope) {
	entry := a.entry(i)
	var err error
	if r := recover(); r != nil {
		err = &NodeError{Node: a.x.names[entry], Err: &PanicError{Value: r, Stack: debug.Stack()}}
	} else if !*returned {
		err = &NodeError{Node: a.x.names[entry], Err: fmt.Errorf("graphc: the goroutine of the branch starting at %q exited (runtime.Goexit) before the branch delivered", a.x.names[entry])}
	}
	if err != nil {
		a.fail(i, err)
		if sc != nil {
			sc.end(0, err)
		}
	}
	if spawned {
		if a.x.slots != nil {
			<-a.x.slots
		}
		a.wg.Done()
	}
}

// failed reports whether a branch has failed.
func (a *activation[S, B]) failed() bool { return a.broken.Load() }

func (a *activation[S, B]) fail(i int, err error) {
	if a.x.observe != nil {
		a.x.branchEvent(BranchFailed, a.entry(i), a.branch(i), err)
	}
	err = &BranchError{Fork: a.x.names[a.spec.Node], Branch: a.x.names[a.entry(i)], Map: a.spec.Map, Item: i, Err: err}
	a.mu.Lock()
	a.errs = append(a.errs, err)
	a.broken.Store(true)
	a.mu.Unlock()
	if a.cancel != nil {
		a.cancel(fmt.Errorf("graphc: sibling failed: %w", err))
	}
}

// branchEvent reports BranchStarted or BranchFailed; out of line, like
// Exec.started, so that a branch goroutine's frames stay small.
//
//go:noinline
func (x *Exec[S]) branchEvent(kind EventKind, entry int, in Branch, err error) {
	x.observe(Event[S]{Kind: kind, Node: x.names[entry], In: in, Err: err})
}

// branch is branch i of a.
//
//go:noinline
func (a *activation[S, B]) branch(i int) Branch {
	b := Branch{Fork: a.id, Index: i}
	if a.flows != nil {
		b.flow = &a.flows[i]
	}
	return b
}

// paths gives the activation's branches their flow paths (durable runs and
// hooked ones track them). A durable run also records the fork or, when it
// resumes the activation, takes its plan.
func (a *activation[S, B]) paths(in Branch, s *S) error {
	x, f := a.x, a.spec
	parent := in.flow
	if parent == nil {
		parent = &x.root
	}
	var act int
	if p := parent.plan; p != nil && p.fork != nil && p.fork.node == f.Node {
		// The activation the flow was waiting in when the records end: its
		// number is counted already; a later activation is a new one.
		act, a.plan, p.fork = p.fork.act, p.fork, nil
	} else {
		act = parent.nextAct(f.Node)
	}
	if a.plan != nil && len(a.plan.branches) != a.n {
		return corrupt(x.thread, nil, "the fork at %q recorded %d branches and resumes with %d", x.names[f.Node], len(a.plan.branches), a.n)
	}
	a.flows = make([]flow, a.n)
	for i := range a.flows {
		a.flows[i].path = branchPath(parent.path, x.names[f.Node], act, i)
		if a.plan != nil {
			a.flows[i].plan = a.plan.branches[i]
		}
	}
	if a.plan != nil || x.j == nil {
		return nil
	}
	b, err := encodeState(*s)
	if err != nil {
		return &NodeError{Node: x.names[f.Node], Err: err}
	}
	r := Record{Kind: ForkRecord, Path: parent.path, Node: x.names[f.Node], Act: act, Count: a.n, State: b}
	if f.Map {
		if r.Items, err = encodeState(a.items); err != nil {
			return &NodeError{Node: x.names[f.Node], Err: err}
		}
	}
	if f.Select {
		r.Selected = ^a.skip
		if a.n < 64 {
			r.Selected &= 1<<a.n - 1
		}
	}
	return x.j.add(r)
}

// resumeBranch runs branch i of a durable activation: from its entry on a
// copy of the fork-time state, or from where its records left it.
func (a *activation[S, B]) resumeBranch(ctx context.Context, i int) error {
	b := a.branch(i)
	p := a.flows[i].plan
	if p == nil {
		return a.join.RunBranch(ctx, b, a.entry(i), nil)
	}
	for node, n := range p.acts {
		if b.flow.acts == nil {
			b.flow.acts = make(map[int]int, len(p.acts))
		}
		b.flow.acts[node] = n
	}
	if p.fresh {
		// Only failed attempts of its entry were recorded: the branch (the
		// item) starts at its entry on its own copy, as a new one does.
		return a.join.RunBranch(ctx, b, p.at, nil)
	}
	s, err := decodeState[B](a.x.thread, p.seq, p.state)
	if err != nil {
		return err
	}
	return a.join.RunBranch(ctx, b, p.at, &s)
}

// LeaveItem is Exec.Leave for node of a map's per-item flow, which returned
// the item *d: a durable run records the item as the node's state.
func LeaveItem[S, T any](x *Exec[S], in Branch, node, next int, d *T) error {
	if x.ext {
		return leaveItem(x, in, node, next, d)
	}
	return nil
}

//go:noinline
func leaveItem[S, T any](x *Exec[S], in Branch, node, next int, d *T) error {
	if err := recordNode(x, in, node, next, *d); err != nil {
		return err
	}
	if x.observe != nil {
		x.observe(Event[S]{Kind: NodeFinished, Node: x.names[node], In: in, Item: *d, Next: x.nextName(next)})
	}
	return nil
}

// ArrivedItem is Exec.Arrived for an item of a map that delivered d to the
// join of fanIn.
func ArrivedItem[S, T any](x *Exec[S], in Branch, fanIn int, d T) {
	if x.observe != nil {
		x.observe(Event[S]{Kind: BranchArrived, Node: x.names[fanIn], In: in, Item: d})
	}
}
