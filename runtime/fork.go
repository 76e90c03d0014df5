package runtime

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
)

// ForkSpec is the static shape of one parallel edge, generated once per fork.
type ForkSpec struct {
	Node    int   // the forking node
	FanIn   int   // the node where the branches meet
	Entries []int // each branch's entry node, in spec order
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

// activation is the runtime's side of one fork activation.
type activation[S any] struct {
	x      *Exec[S]
	spec   *ForkSpec
	join   Join[S]
	id     uint64
	flows  []flow    // each branch's path and plan, when the run is durable
	plan   *forkPlan // where the branches stood, when the run resumes this activation
	ctx    context.Context
	cancel context.CancelCauseFunc // nil under the Wait policy
	wg     sync.WaitGroup
	mu     sync.Mutex
	errs   []error // in the order they happened
	scope  scope   // the fork's hook scope, when hooked
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
func (x *Exec[S]) Fork(ctx context.Context, in Branch, f *ForkSpec, j Join[S], s *S) (err error) {
	if in.Fork == 0 {
		x.forkSteps.Store(x.mainSteps)
	}
	a := &activation[S]{x: x, spec: f, join: j, id: x.forks.Add(1), ctx: ctx}
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
		x.observe(Event[S]{Kind: Forked, Node: x.names[f.Node], In: in, Fork: a.id, Parent: in.Fork, Branches: len(f.Entries)})
	}
	for i := range f.Entries {
		if x.policy == Cancel && a.failed() {
			break // a branch failed: the rest would only fail on the cancelled context
		}
		if i < len(f.Entries)-1 && x.acquire() {
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
func (a *activation[S]) run(i int, spawned bool) {
	if a.x.hooks != nil || a.x.observe != nil || a.plan != nil {
		a.runWatched(i, spawned)
		return
	}
	returned := false
	defer a.finish(i, spawned, &returned, nil)
	err := a.join.RunBranch(a.ctx, a.branch(i), a.spec.Entries[i], nil)
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
func (a *activation[S]) runWatched(i int, spawned bool) {
	returned := false
	ctx, sc := a.ctx, (*scope)(nil)
	if a.x.hooks != nil {
		ctx, sc = a.branchScope(i)
	}
	defer a.finish(i, spawned, &returned, sc)
	if a.x.observe != nil {
		a.x.branchEvent(BranchStarted, a.spec.Entries[i], a.branch(i), nil)
	}
	var err error
	if a.plan == nil {
		err = a.join.RunBranch(ctx, a.branch(i), a.spec.Entries[i], nil)
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
func (a *activation[S]) branchScope(i int) (context.Context, *scope) {
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
func (a *activation[S]) finish(i int, spawned bool, returned *bool, sc *scope) {
	entry := a.spec.Entries[i]
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
func (a *activation[S]) failed() bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.errs) > 0
}

func (a *activation[S]) fail(i int, err error) {
	if a.x.observe != nil {
		a.x.branchEvent(BranchFailed, a.spec.Entries[i], a.branch(i), err)
	}
	err = &BranchError{Fork: a.x.names[a.spec.Node], Branch: a.x.names[a.spec.Entries[i]], Err: err}
	a.mu.Lock()
	a.errs = append(a.errs, err)
	a.mu.Unlock()
	if a.cancel != nil {
		a.cancel(fmt.Errorf("graphc: sibling failed: %w", err))
	}
}

// branchEvent reports BranchStarted or BranchFailed; out of line, like
// Exec.started, so that a branch goroutine's frames stay small.
func (x *Exec[S]) branchEvent(kind EventKind, entry int, in Branch, err error) {
	x.observe(Event[S]{Kind: kind, Node: x.names[entry], In: in, Err: err})
}

// branch is branch i of a.
func (a *activation[S]) branch(i int) Branch {
	b := Branch{Fork: a.id, Index: i}
	if a.flows != nil {
		b.flow = &a.flows[i]
	}
	return b
}

// paths gives the activation's branches their flow paths (durable runs and
// hooked ones track them). A durable run also records the fork or, when it
// resumes the activation, takes its plan.
func (a *activation[S]) paths(in Branch, s *S) error {
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
	a.flows = make([]flow, len(f.Entries))
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
	return x.j.add(Record{Kind: ForkRecord, Path: parent.path, Node: x.names[f.Node], Act: act, Count: len(f.Entries), State: b})
}

// resumeBranch runs branch i of a durable activation: from its entry on a
// copy of the fork-time state, or from where its records left it.
func (a *activation[S]) resumeBranch(ctx context.Context, i int) error {
	b := a.branch(i)
	p := a.flows[i].plan
	if p == nil {
		return a.join.RunBranch(ctx, b, a.spec.Entries[i], nil)
	}
	for node, n := range p.acts {
		if b.flow.acts == nil {
			b.flow.acts = make(map[int]int, len(p.acts))
		}
		b.flow.acts[node] = n
	}
	s, err := decodeState[S](a.x.thread, p.seq, p.state)
	if err != nil {
		return err
	}
	return a.join.RunBranch(ctx, b, p.at, &s)
}
