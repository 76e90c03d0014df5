package runtime

import (
	"context"
	"fmt"
	"time"
)

// ScopeKind says what a Scope is.
type ScopeKind uint8

const (
	// RunScope: a whole run, from Invoke to its end.
	RunScope ScopeKind = iota + 1
	// ForkScope: one activation of a parallel edge, from the fork to the
	// join (Node is the forking node).
	ForkScope
	// BranchScope: one branch of a fork, on the goroutine that runs it
	// (Node is its entry node).
	BranchScope
	// NodeScope: a node's handler call, all its attempts.
	NodeScope
	// RouteScope: a conditional node's route handler call, all its attempts.
	RouteScope
)

var scopeNames = [...]string{"", "run", "fork", "branch", "node", "route"}

func (k ScopeKind) String() string {
	if int(k) < len(scopeNames) && k != 0 {
		return scopeNames[k]
	}
	return fmt.Sprintf("ScopeKind(%d)", uint8(k))
}

// Scope is what a Hook is called around.
type Scope struct {
	Kind     ScopeKind
	Graph    string // the graph's name, e.g. Research
	Node     string // the node (see ScopeKind); "" for a run
	Path     string // the flow path the scope runs in: "" for the main flow
	Thread   string // the run's thread id, if it has one
	In       Branch // where the scope runs (for a branch: the branch itself)
	Fork     uint64 // ForkScope: the activation it starts
	Branches int    // ForkScope: how many branches it runs
}

// Report tells a hook how its scope goes on: a retry (Retrying set; node
// and route scopes only), then, exactly once, its end.
type Report struct {
	Retrying bool
	// Attempt is the attempt that failed (Retrying), or the number of
	// attempts made (at the end of a node or route scope; 1 without retries).
	Attempt int
	// Err is the failed attempt's error (Retrying) or the scope's (end):
	// nil on success, a *PanicError when a handler panicked.
	Err      error
	Delay    time.Duration // Retrying: the backoff before the next attempt
	Duration time.Duration // end: how long the scope took
}

// Hook is called as a scope of a run begins, on the goroutine that runs it.
// It returns the context the scope runs under — ctx, or one derived from it,
// such as one carrying a trace span, which nested scopes and the handler
// then see — and a function the runtime calls with each Report about the
// scope, the last one being its end (either may be nil). Hooks must be safe
// for concurrent use: branches run in parallel.
type Hook func(ctx context.Context, s Scope) (context.Context, func(Report))

// hook is a Hook and the scopes it wants.
type hook struct {
	fn    Hook
	nodes bool // node and route scopes only
}

// WithHook adds h to the run's hooks: it is called around the run, each
// fork, each branch and each handler and route call. Tracing (see the
// module github.com/graphc/graphc/otel) is built on it. A run without hooks
// pays nothing for them.
func WithHook(h Hook) Option {
	return func(o *Options) {
		if h != nil {
			o.hooks = append(o.hooks, hook{fn: h})
		}
	}
}

// WithNodeHook adds h as WithHook does, for handler and route calls only
// (NodeScope and RouteScope): h sees each call's node and attempts, can give
// the handler a derived context, and learns its result and duration.
func WithNodeHook(h Hook) Option {
	return func(o *Options) {
		if h != nil {
			o.hooks = append(o.hooks, hook{fn: h, nodes: true})
		}
	}
}

// Hooked reports whether the run has hooks. Generated code calls a handler
// directly when it has no policy and the run no hooks, and through the
// runtime (Call and its kin) otherwise.
func (x *Exec[S]) Hooked() bool { return x.hooks != nil }

// scope is one begun Scope: the hooks' report functions and its start.
// It is a value, the first two functions inline, so that a hooked call
// allocates nothing of its own.
type scope struct {
	start time.Time
	n     int
	fns   [2]func(Report)
	more  []func(Report)
}

// begin calls the hooks for s in order, each deriving from the context the
// previous one returned.
func (x *Exec[S]) begin(ctx context.Context, s Scope) (context.Context, scope) {
	s.Graph, s.Thread = x.graph, x.thread
	sc := scope{start: time.Now()}
	for _, h := range x.hooks {
		if h.nodes && s.Kind != NodeScope && s.Kind != RouteScope {
			continue
		}
		c, fn := h.fn(ctx, s)
		if c != nil {
			ctx = c
		}
		switch {
		case fn == nil:
		case sc.n < len(sc.fns):
			sc.fns[sc.n] = fn
			sc.n++
		default:
			sc.more = append(sc.more, fn)
		}
	}
	return ctx, sc
}

// report tells the hooks r, the last hook first.
func (sc *scope) report(r Report) {
	for i := len(sc.more) - 1; i >= 0; i-- {
		sc.more[i](r)
	}
	for i := sc.n - 1; i >= 0; i-- {
		sc.fns[i](r)
	}
}

// end reports the end of the scope after attempts (0 outside node scopes).
func (sc *scope) end(attempts int, err error) {
	sc.report(Report{Attempt: attempts, Err: err, Duration: time.Since(sc.start)})
}

// Begin starts the run's scope and returns the context the run goes on
// under; End ends it. Open calls it for a generated Invoke; a generated
// Resume calls it right after Resume (code written by hand: after Start).
func (x *Exec[S]) Begin(ctx context.Context) context.Context {
	if x.hooks != nil {
		ctx, x.run = x.begin(ctx, Scope{Kind: RunScope})
		x.running = true
	}
	// The main flow runs on ctx: when it can never be done, Enter need not
	// ask it before every node, and takes its fast path from the first.
	x.quiet = x.observe == nil && ctx.Done() == nil
	if x.quiet {
		x.mainLimit = x.maxSteps - x.steps.Load()
	}
	return ctx
}

// beginFork starts the scope of fork activation a.
func (a *activation[S, B]) beginFork(ctx context.Context, in Branch) context.Context {
	ctx, a.scope = a.x.begin(ctx, Scope{Kind: ForkScope, Node: a.x.names[a.spec.Node], Path: a.x.pathOf(in), In: in, Fork: a.id, Branches: a.n})
	return ctx
}

// beginBranch starts the scope of branch i of a.
func (a *activation[S, B]) beginBranch(i int) (context.Context, scope) {
	b := a.branch(i)
	return a.x.begin(a.ctx, Scope{Kind: BranchScope, Node: a.x.names[a.entry(i)], Path: a.x.pathOf(b), In: b, Fork: a.id})
}

// pathOf is the flow path of branch b (see Branch.Path).
func (x *Exec[S]) pathOf(b Branch) string { return b.Path() }
