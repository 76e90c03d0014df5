package stress

import (
	"cmp"
	"fmt"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/graphc/graphc/runtime"
)

// Limits on what a checker keeps for its report.
const (
	maxViolations = 8    // violations kept per run (all are counted)
	maxEvents     = 4096 // events kept per run for the report
	traceContext  = 12   // events shown before and after the first violation
)

// event is what the checker keeps of a runtime.Event: everything but the state.
type event struct {
	seq      int // position in the run's order of events, from 1
	kind     runtime.EventKind
	node     string
	in       runtime.Branch
	fork     uint64
	parent   uint64
	branches int
	skipped  uint64 // Forked: a select fork's branches that were not picked
	err      error
}

func (e event) String() string {
	where := "main"
	if e.in.Fork != 0 {
		where = fmt.Sprintf("fork %d branch %d", e.in.Fork, e.in.Index)
	}
	switch e.kind {
	case runtime.Forked:
		return fmt.Sprintf("#%d %s %s -> fork %d (%d branches, parent %d) [%s]", e.seq, e.kind, e.node, e.fork, e.branches, e.parent, where)
	case runtime.Joined:
		return fmt.Sprintf("#%d %s fork %d at %s [%s]", e.seq, e.kind, e.fork, e.node, where)
	case runtime.Done:
		if e.err != nil {
			return fmt.Sprintf("#%d %s: %v", e.seq, e.kind, e.err)
		}
		return fmt.Sprintf("#%d %s", e.seq, e.kind)
	}
	return fmt.Sprintf("#%d %s %s [%s]", e.seq, e.kind, e.node, where)
}

// activation is what the checker knows of one fork activation.
type activation struct {
	id       uint64
	node     string         // the forking node
	in       runtime.Branch // where it forked
	parent   uint64
	arrived  []bool
	started  []bool // BranchStarted seen
	failed   []bool // BranchFailed seen
	fanIn    string // the fan-in, as named by BranchArrived or Joined
	joined   bool
	joinedAt int // seq of Joined
}

// flow is what the checker knows of one branch (or of the main flow).
type flow struct {
	events  int    // events seen in it so far: the jitter's counter
	open    string // the node started and not finished yet
	started bool   // open is set
	join    *activation
	joinSeq int // the activation that joined here and whose fan-in must start next
}

// checker checks the events of one run as they happen. Its observe method is
// the run's observer; it is safe for concurrent use.
type checker struct {
	seed   uint64
	run    int
	jitter time.Duration
	late   *lateEvents // where events after the run returned go
	hook   jitterHook  // nil but in tests

	mu         sync.Mutex
	seq        int
	events     []event
	dropped    int // events not kept
	forks      map[uint64]*activation
	flows      map[runtime.Branch]*flow
	done       int
	doneErr    error
	execEvents int // events of the current execution of a durable run (see restart)
	returned   bool
	violations []violation
	nViolation int
	stats      stats
}

// violation is one broken rule, at the event with sequence number seq.
type violation struct {
	seq int
	msg string
}

// stats are the counters a run adds to the Report.
type stats struct {
	forks, deliveries, lost, nodes, maxBranches int
}

func newChecker(seed uint64, run int, jitter time.Duration, late *lateEvents) *checker {
	return &checker{
		seed:   seed,
		run:    run,
		jitter: jitter,
		late:   late,
		forks:  make(map[uint64]*activation),
		flows:  make(map[runtime.Branch]*flow),
	}
}

// violate records a violation at the current event; c.mu is held.
func (c *checker) violate(format string, args ...any) {
	c.nViolation++
	if len(c.violations) < maxViolations {
		c.violations = append(c.violations, violation{seq: c.seq, msg: fmt.Sprintf(format, args...)})
	}
}

// flow returns the flow of b, creating it; c.mu is held.
func (c *checker) flow(b runtime.Branch) *flow {
	f := c.flows[b]
	if f == nil {
		f = &flow{}
		c.flows[b] = f
	}
	return f
}

// jitterHook sees every jitter decision of a checker; for tests.
type jitterHook func(run int, kind runtime.EventKind, node string, index, seq int, a jitterAction)

// observe checks e, then perturbs the scheduling of the calling goroutine.
func (c *checker) observe(kind runtime.EventKind, node string, in runtime.Branch, fork, parent uint64, branches int, err error) {
	c.observeEvent(event{kind: kind, node: node, in: in, fork: fork, parent: parent, branches: branches, err: err})
}

// observeEvent is observe for an event built by the caller (its seq is set here).
func (c *checker) observeEvent(e event) {
	kind, node, in := e.kind, e.node, e.in
	c.mu.Lock()
	if c.returned {
		c.mu.Unlock()
		c.late.add(c.run, e)
		return
	}
	c.seq++
	c.execEvents++
	e.seq = c.seq
	if len(c.events) < maxEvents {
		c.events = append(c.events, e)
	} else {
		c.dropped++
	}
	f := c.flow(in)
	counter := f.events
	f.events++
	c.check(e, f)
	c.mu.Unlock()

	if kind != runtime.NodeStarted && kind != runtime.NodeFinished && kind != runtime.BranchStarted {
		return // BranchStarted: jitter where a goroutine has just begun
	}
	a := jitterFor(c.seed, c.run, kind, node, in.Index, counter, c.jitter)
	if c.hook != nil {
		c.hook(c.run, kind, node, in.Index, counter, a)
	}
	switch {
	case a.Sleep > 0:
		pause(a.Sleep)
	case a.Yield:
		goruntime.Gosched()
	}
}

// spinBelow is the longest pause that pause spins for instead of sleeping:
// timers are coarse on many machines (a 10µs time.Sleep takes a millisecond
// on some virtual machines), which would make every pause a long one.
const spinBelow = time.Millisecond

// pause delays the calling goroutine by about d, letting other goroutines
// run meanwhile: it sleeps when d is long, and otherwise yields the
// processor until d has passed.
func pause(d time.Duration) {
	if d >= spinBelow {
		time.Sleep(d)
		return
	}
	deadline := time.Now().Add(d)
	for {
		goruntime.Gosched()
		if !time.Now().Before(deadline) {
			return
		}
	}
}

// check applies the rules to e, the latest event, which happened in flow f;
// c.mu is held.
func (c *checker) check(e event, f *flow) {
	if c.done > 0 {
		c.violate("%v came after Done: the run was over", e)
	}
	if j := f.join; j != nil {
		f.join = nil
		// After the join comes the fan-in, unless the run failed first: then
		// the run ends, or the branch the fork ran in fails.
		if !(e.kind == runtime.NodeStarted && e.node == j.fanIn) && !(e.kind == runtime.Done && e.err != nil) && e.kind != runtime.BranchFailed {
			c.violate("fork %d joined at %s (#%d), but the next event there was %v, not NodeStarted %s", j.id, j.fanIn, f.joinSeq, e, j.fanIn)
		}
	}
	switch e.kind {
	case runtime.NodeStarted:
		c.stats.nodes++
		if f.started {
			c.violate("%v while %s had not finished in the same branch", e, f.open)
		}
		f.open, f.started = e.node, true
		c.alive(e, e.in.Fork)
	case runtime.NodeFinished:
		if !f.started || f.open != e.node {
			c.violate("%v without NodeStarted %s in the same branch", e, e.node)
		}
		f.open, f.started = "", false
		c.alive(e, e.in.Fork)
	case runtime.Forked:
		c.alive(e, e.in.Fork)
		if e.parent != e.in.Fork {
			c.violate("%v: its parent is %d but it forked in fork %d", e, e.parent, e.in.Fork)
		}
		if e.fork == 0 || c.forks[e.fork] != nil {
			c.violate("%v: activation id %d is zero or was used before in this run", e, e.fork)
			return
		}
		if e.branches < 0 {
			c.violate("%v: a fork has no negative number of branches", e) // a map may have none
		}
		n := max(e.branches, 0)
		a := &activation{id: e.fork, node: e.node, in: e.in, parent: e.parent, arrived: make([]bool, n), started: make([]bool, n), failed: make([]bool, n)}
		for i := range min(n, 64) {
			if e.skipped&(1<<i) != 0 {
				// A branch a select handler did not pick never runs: it
				// counts as started and delivered, so that starting or
				// delivering it is a violation (twice), and the join does
				// not wait for it.
				a.started[i], a.arrived[i] = true, true
			}
		}
		c.forks[e.fork] = a
		c.stats.forks++
		c.stats.maxBranches = max(c.stats.maxBranches, e.branches)
	case runtime.BranchArrived:
		a := c.forks[e.in.Fork]
		if a == nil {
			c.violate("%v: no fork %d was seen in this run", e, e.in.Fork)
			return
		}
		if a.fanIn == "" {
			a.fanIn = e.node
		} else if a.fanIn != e.node {
			c.violate("%v: the branches of fork %d meet at %s, not %s", e, a.id, a.fanIn, e.node)
		}
		i := e.in.Index
		switch {
		case i < 0 || i >= len(a.arrived):
			c.violate("%v: fork %d has %d branches, none with index %d", e, a.id, len(a.arrived), i)
		case a.arrived[i]:
			c.violate("%v: branch %d of fork %d delivered twice", e, i, a.id)
		default:
			if !a.started[i] {
				c.violate("%v: branch %d of fork %d delivered without starting", e, i, a.id)
			}
			if a.failed[i] {
				c.violate("%v: branch %d of fork %d delivered after it failed", e, i, a.id)
			}
			a.arrived[i] = true
			c.stats.deliveries++
			if a.joined {
				c.stats.lost++
				c.violate("lost delivery: %v after fork %d had joined (#%d): %s ran without it", e, a.id, a.joinedAt, a.fanIn)
			}
		}
		if !a.joined {
			c.alive(e, a.parent)
		}
	case runtime.Joined:
		c.alive(e, e.in.Fork)
		a := c.forks[e.fork]
		if a == nil {
			c.violate("%v: no fork %d was seen in this run", e, e.fork)
			return
		}
		if a.joined {
			c.violate("%v: fork %d already joined at #%d; a fan-in runs once per activation", e, a.id, a.joinedAt)
			return
		}
		if e.in != a.in {
			c.violate("%v: fork %d forked in %s but joined elsewhere", e, a.id, where(a.in))
		}
		if a.fanIn == "" {
			a.fanIn = e.node
		} else if a.fanIn != e.node {
			c.violate("%v: the branches of fork %d delivered to %s, not %s", e, a.id, a.fanIn, e.node)
		}
		if missing := a.missing(); len(missing) > 0 {
			c.violate("early join: %v before branches %v of %d had arrived", e, missing, len(a.arrived))
		}
		a.joined, a.joinedAt = true, e.seq
		f.join, f.joinSeq = a, e.seq
	case runtime.BranchStarted, runtime.BranchFailed:
		c.alive(e, e.in.Fork)
		a := c.forks[e.in.Fork]
		if a == nil {
			return // alive reported it
		}
		i := e.in.Index
		if i < 0 || i >= len(a.started) {
			c.violate("%v: fork %d has %d branches, none with index %d", e, a.id, len(a.started), i)
			return
		}
		if e.kind == runtime.BranchStarted {
			if a.started[i] {
				c.violate("%v: branch %d of fork %d started twice", e, i, a.id)
			}
			a.started[i] = true
			return
		}
		if !a.started[i] || a.failed[i] || a.arrived[i] {
			c.violate("%v: branch %d of fork %d failed without having started, or after it had failed or delivered", e, i, a.id)
		}
		a.failed[i] = true
	case runtime.Paused, runtime.Resumed:
	case runtime.Done:
		c.done++
		if c.done > 1 {
			c.violate("%v: Done was observed %d times", e, c.done)
		}
		c.doneErr = e.err
	default:
		c.violate("%v: unknown event kind", e)
	}
}

// alive reports e when it happened inside activation id, or inside an
// activation id is nested in, after that activation joined; c.mu is held.
func (c *checker) alive(e event, id uint64) {
	for id != 0 {
		a := c.forks[id]
		if a == nil {
			c.violate("%v happened in fork %d, which was never seen to fork", e, id)
			return
		}
		if a.joined {
			c.violate("%v ran after fork %d joined (#%d): %s had already started", e, a.id, a.joinedAt, a.fanIn)
			return
		}
		id = a.parent
	}
}

// missing returns the indexes of the branches that have not arrived.
func (a *activation) missing() []int {
	var m []int
	for i, ok := range a.arrived {
		if !ok {
			m = append(m, i)
		}
	}
	return m
}

func where(b runtime.Branch) string {
	if b.Fork == 0 {
		return "the main flow"
	}
	return fmt.Sprintf("fork %d branch %d", b.Fork, b.Index)
}

// finish ends the run, whose invoke returned err, and applies the rules
// that need the whole run. Events after it are late.
func (c *checker) finish(err error, allowErrors bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.returned = true
	c.seq++ // violations found here point past the last event
	failed := c.doneErr != nil || (c.done == 0 && err != nil)
	if c.done == 0 {
		c.violate("invoke returned (error: %v) but no Done event was observed: was the observer option passed to the graph?", err)
	}
	if err != nil && !allowErrors {
		c.violate("the run returned an error: %v", err)
	}
	ids := c.forkIDs()
	if failed {
		c.vanished(ids)
		return
	}
	for _, id := range ids {
		a := c.forks[id]
		missing := a.missing()
		c.stats.lost += len(missing)
		switch {
		case !a.joined:
			c.violate("fork %d at %s never joined, yet the run succeeded (branches %v of %d had not arrived)", a.id, a.node, missing, len(a.arrived))
		case len(missing) > 0:
			c.violate("lost delivery: branches %v of fork %d at %s never arrived, yet its fan-in ran and the run succeeded", missing, a.id, a.node)
		}
	}
	branches := make([]runtime.Branch, 0, len(c.flows))
	for b := range c.flows {
		branches = append(branches, b)
	}
	slices.SortFunc(branches, func(x, y runtime.Branch) int {
		if c := cmp.Compare(x.Fork, y.Fork); c != 0 {
			return c
		}
		return cmp.Compare(x.Index, y.Index)
	})
	for _, b := range branches {
		f := c.flows[b]
		if f.started {
			c.violate("node %s started in %s and never finished, yet the run succeeded", f.open, where(b))
		}
		if f.join != nil {
			c.violate("fork %d joined at %s (#%d) but its fan-in never started, yet the run succeeded", f.join.id, f.join.fanIn, f.joinSeq)
		}
	}
}

// forkIDs returns the activations seen, in order; c.mu is held.
func (c *checker) forkIDs() []uint64 {
	ids := make([]uint64, 0, len(c.forks))
	for id := range c.forks {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// vanished applies the rule of a failed run: it may stop branches early,
// but every branch that started must have delivered or failed, none just
// vanishes. c.mu is held.
func (c *checker) vanished(ids []uint64) {
	for _, id := range ids {
		a := c.forks[id]
		for i, s := range a.started {
			if s && !a.arrived[i] && !a.failed[i] {
				c.stats.lost++
				c.violate("lost branch: branch %d of fork %d at %s started, but neither delivered nor failed", i, a.id, a.node)
			}
		}
	}
}

// restart ends one execution of a durable run that stopped (it paused, or
// its store failed) and readies the checker for the execution that resumes
// it: the rules of a failed run apply to the one that stopped, and the
// next one's activation ids start over.
//
// An execution that stopped before its run started (the thread could not be
// opened, or a resume could not take it over) reports no event at all, not
// even Done.
func (c *checker) restart(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	if c.done == 0 && c.execEvents > 0 {
		c.violate("an execution returned (error: %v) but no Done event was observed", err)
	}
	c.vanished(c.forkIDs())
	c.forks = make(map[uint64]*activation)
	c.flows = make(map[runtime.Branch]*flow)
	c.done, c.doneErr, c.execEvents = 0, nil, 0
}

// result is what a finished checker reports.
func (c *checker) result() (stats, []violation, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats, slices.Clone(c.violations), c.nViolation
}

// trace returns the run's events around the first violation, one a line.
func (c *checker) trace() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.violations) == 0 {
		return ""
	}
	at := c.violations[0].seq
	lo := max(at-traceContext, 1)
	hi := at + traceContext
	var b strings.Builder
	if lo > 1 {
		fmt.Fprintf(&b, "\t\t... %d earlier events\n", lo-1)
	}
	n := 0
	for _, e := range c.events {
		if e.seq < lo || e.seq > hi {
			continue
		}
		fmt.Fprintf(&b, "\t\t%v\n", e)
		n++
	}
	if rest := len(c.events) + c.dropped - (lo - 1) - n; rest > 0 {
		fmt.Fprintf(&b, "\t\t... %d later events\n", rest)
	}
	return b.String()
}

// lateEvents collects the events that came after their run's invoke had
// returned; it is shared by the runs of one Run call.
type lateEvents struct {
	mu     sync.Mutex
	n      int
	runs   map[int]int // run -> late events
	sample []string
}

func (l *lateEvents) add(run int, e event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.n++
	if l.runs == nil {
		l.runs = make(map[int]int)
	}
	l.runs[run]++
	if len(l.sample) < 5 {
		e.seq = 0
		l.sample = append(l.sample, fmt.Sprintf("run %d: %v", run, strings.TrimPrefix(e.String(), "#0 ")))
	}
}

// snapshot returns the late events so far.
func (l *lateEvents) snapshot() (n int, runs map[int]int, sample []string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	runs = make(map[int]int, len(l.runs))
	for r, k := range l.runs {
		runs[r] = k
	}
	return l.n, runs, slices.Clone(l.sample)
}
