package runtime

import "fmt"

// DefaultMaxSteps bounds node executions per run when a graph sets no limit.
const DefaultMaxSteps = 10000

// Policy is what a fork does when one of its branches fails.
type Policy uint8

const (
	// Cancel cancels the siblings' context and returns the first error.
	Cancel Policy = iota
	// Wait lets every branch finish, then returns the first error joined with the others.
	Wait
)

func (p Policy) String() string {
	switch p {
	case Cancel:
		return "cancel"
	case Wait:
		return "wait"
	}
	return fmt.Sprintf("Policy(%d)", uint8(p))
}

// Options configure a run. Generated constructors start from the spec's
// config; options given to the constructor, then to Invoke or Stream, override it.
type Options struct {
	// MaxWorkers bounds the branch goroutines of a run; 0 means one per branch.
	// When all are busy, a fork runs its next branch on its own goroutine, so
	// nested forks can never deadlock on the limit.
	MaxWorkers int
	// MaxSteps bounds node executions per run, all branches counted; 0 means DefaultMaxSteps.
	MaxSteps int
	// OnBranchError is the fork's policy when a branch fails.
	OnBranchError Policy
	// Store, when set, makes the run durable: it records the run in Thread
	// (see Store). Nil: nothing is recorded.
	Store Store
	// Thread is the id of the run's thread in Store; required with a store.
	Thread string
	// Durability says when records reach Store (Sync by default).
	Durability Durability

	// Update, for Resume, edits the paused state (a func(*S) error for the
	// graph's S): see WithUpdate.
	Update any

	observers []any // func(Event[S]) for the graph's S
	hooks     []hook
}

// Option changes Options.
type Option func(*Options)

// WithMaxWorkers sets Options.MaxWorkers; n <= 0 means one goroutine per branch.
func WithMaxWorkers(n int) Option { return func(o *Options) { o.MaxWorkers = max(n, 0) } }

// WithMaxSteps sets Options.MaxSteps; n <= 0 means DefaultMaxSteps.
func WithMaxSteps(n int) Option { return func(o *Options) { o.MaxSteps = max(n, 0) } }

// WithOnBranchError sets Options.OnBranchError, like the spec's on_branch_error.
func WithOnBranchError(p Policy) Option { return func(o *Options) { o.OnBranchError = p } }

// WithStore makes runs durable: each records its thread in st (see Store).
// Invoke then needs WithThread; Resume and Snapshot read the thread back.
func WithStore(st Store) Option { return func(o *Options) { o.Store = st } }

// WithThread names the thread a durable run records (see WithStore). It is
// a call option: each run has its own thread.
func WithThread(id string) Option { return func(o *Options) { o.Thread = id } }

// WithDurability sets when a durable run's records reach its store: Sync
// (the default), Async or Exit.
func WithDurability(d Durability) Option { return func(o *Options) { o.Durability = d } }

// WithUpdate is a Resume option: fn edits the main flow's state before the
// run continues, and the edited state is recorded. After an interrupt after
// a node, the node's edge is taken on the edited state, so an edit can
// change the route. Generated With<Graph>Update options wrap it so that a
// function for another state type does not compile. An error from fn fails
// Resume with nothing recorded.
func WithUpdate[S any](fn func(s *S) error) Option {
	return func(o *Options) {
		if fn != nil {
			o.Update = fn
		}
	}
}

// WithObserver adds fn to the run's observers: it is called for every event,
// synchronously, from the goroutine the event happened on — concurrently when
// branches run in parallel, so fn must be safe for concurrent use. S must be
// the graph's state type; Invoke fails otherwise.
func WithObserver[S any](fn func(Event[S])) Option {
	return func(o *Options) {
		if fn != nil {
			o.observers = append(o.observers, fn)
		}
	}
}

// Apply returns o with opts applied in order.
func (o Options) Apply(opts ...Option) Options {
	if len(opts) == 0 {
		return o // without a heap copy of o: see apply
	}
	return o.apply(opts)
}

// apply is Apply's slow path. Options escape to the heap in it (each
// option is a call through a func value that takes &o), so it is kept
// apart for Invoke without options to allocate nothing.
func (o Options) apply(opts []Option) Options {
	o.observers = o.observers[:len(o.observers):len(o.observers)] // appends never share
	o.hooks = o.hooks[:len(o.hooks):len(o.hooks)]
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return o
}

// GeneratedN is referenced by every file graphc generates for API N: a
// file generated for a later API names a later constant, so building it
// against an older runtime fails with "undefined: runtime.GeneratedN"
// rather than with a puzzle. Upgrade the graphc module to match. API 3
// adds CallHandler, CallFanIn and CallRouteHandler.
const (
	Generated2 = true
	Generated3 = true
)
