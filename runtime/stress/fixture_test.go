package stress

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
)

// This file holds a hand-written executor that speaks the same event
// protocol as generated code: it drives runtime.Exec around every node and
// forks with runtime.Exec.Fork into a join struct with its own lock. Its
// join comes in one correct and three broken variants, so that the tests
// can prove the harness finds what a broken join does.
//
// The graph, for width W:
//
//	start -> parallel [b0 .. b(W-1)] fan_in merge -> review -> when {revise: start, done: __end__}
//	bI -> when {again: bI, deliver: merge}       (a loop in each branch)
//
// With nested set, branch 0 is instead
//
//	sub -> parallel [s0, s1] fan_in subjoin -> merge

// variant is how the join of the fork at "start" behaves.
type variant int

const (
	// correct: each branch runs on the fork's goroutine (runtime.Exec.Fork
	// waits for it) and delivers under the join's lock.
	correct variant = iota
	// dropLast: each branch runs on a goroutine of its own and the join
	// stops waiting as soon as all but one branch arrived, so the fan-in can
	// run before the last branch delivers, or without it.
	dropLast
	// dropTimeout: like dropLast, but the join waits for every branch or
	// for probe.patience, whichever comes first.
	dropTimeout
	// joinEarly: each branch runs on a goroutine of its own that registers
	// with the join's counter only once it runs (wg.Add inside the
	// goroutine), and the last RunBranch, on the forking goroutine, waits on
	// that counter for all of them: the wait can return before the branches
	// registered. The counter is a mutex and a sync.Cond rather than a
	// sync.WaitGroup, whose misuse checks (and the race detector) would
	// catch this bug before the harness could.
	joinEarly
)

func (v variant) String() string {
	return [...]string{"correct", "dropLast", "dropTimeout", "joinEarly"}[v]
}

// probeState flows through the fixture graph.
type probeState struct {
	Branch  int   // the index of the branch the state went through
	Steps   int   // nodes run on the way here
	Results []int // set by merge: the Branch of each delivered state, -1 when missing
}

// Node identifiers of the fixture graph; branch entries follow nodeB0.
const (
	nodeStart = iota
	nodeMerge
	nodeReview
	nodeSub
	nodeS0
	nodeS1
	nodeSubjoin
	nodeB0
)

// probe is the fixture executor.
type probe struct {
	width   int
	variant variant
	nested  bool // branch 0 forks again
	loops   bool // review and the branches loop as Choose decides
	// patience is how long the dropTimeout join waits for its branches.
	patience time.Duration
	// work, when set, is called by every node before it returns; an error
	// fails the node.
	work func(ctx context.Context, node string) error
	// onChoose, when set, sees every decision of Choose.
	onChoose func(run int, node string, label int)
	// mutate: start gives the state Results of its own, and the nodes of
	// branch 0 change it in place with Mutate. shallow: the branches'
	// copies share Results with the fork-time state.
	mutate, shallow bool

	names   []string
	fork    runtime.ForkSpec
	subFork runtime.ForkSpec
}

// newProbe returns a fixture graph with width branches.
func newProbe(width int, v variant) *probe {
	g := &probe{width: width, variant: v, loops: true, patience: 200 * time.Microsecond}
	g.names = []string{"start", "merge", "review", "sub", "s0", "s1", "subjoin"}
	for i := range width {
		g.names = append(g.names, fmt.Sprintf("b%d", i))
	}
	g.fork = runtime.ForkSpec{Node: nodeStart, FanIn: nodeMerge}
	for i := range width {
		g.fork.Entries = append(g.fork.Entries, nodeB0+i)
	}
	g.subFork = runtime.ForkSpec{Node: nodeSub, FanIn: nodeSubjoin, Entries: []int{nodeS0, nodeS1}}
	return g
}

// withNested makes branch 0 fork again.
func (g *probe) withNested() *probe {
	g.nested = true
	g.fork.Entries[0] = nodeSub
	return g
}

// Invoke runs the graph from "start" until it reaches __end__.
func (g *probe) Invoke(ctx context.Context, s probeState, opts ...runtime.Option) (probeState, error) {
	x, err := runtime.NewExec[probeState](runtime.Options{}.Apply(opts...), g.names)
	if err != nil {
		return s, err
	}
	err = g.run(ctx, x, &s)
	return x.End(s, err)
}

// invoke is Invoke in the shape stress.Run wants.
func (g *probe) invoke(ctx context.Context, observe runtime.Option) (probeState, error) {
	return g.Invoke(ctx, probeState{}, observe)
}

// choose is the route of node: label exit (1) leaves the loop.
func (g *probe) choose(ctx context.Context, node string) (leave bool) {
	if !g.loops {
		return true
	}
	label := Choose(ctx, node, 2, 1)
	if g.onChoose != nil {
		if src := sourceOf(ctx); src != nil {
			g.onChoose(src.run, node, label)
		}
	}
	return label == 1
}

// run is the main flow.
func (g *probe) run(ctx context.Context, x *runtime.Exec[probeState], s *probeState) (err error) {
	n := nodeStart
	defer x.Recover(&n, &err)
	main := runtime.Branch{}
	for {
		n = nodeStart
		if err := g.node(ctx, x, main, n, s, nil); err != nil {
			return err
		}
		j := g.newJoin(x, *s, nodeMerge, g.width, g.variant, g.branch)
		if err := x.Fork(ctx, main, &g.fork, j, s); err != nil {
			return err
		}
		n = nodeMerge
		if err := g.node(ctx, x, main, n, s, func(s *probeState) { s.Results = j.results() }); err != nil {
			return err
		}
		n = nodeReview
		if err := g.node(ctx, x, main, n, s, nil); err != nil {
			return err
		}
		if g.choose(ctx, "review") {
			return nil
		}
	}
}

// branch runs one branch of the fork at "start" up to "merge".
func (g *probe) branch(ctx context.Context, x *runtime.Exec[probeState], in runtime.Branch, entry int, s *probeState) (err error) {
	n := entry
	defer x.Recover(&n, &err)
	s.Branch = in.Index
	if entry == nodeSub {
		if err := g.node(ctx, x, in, n, s, nil); err != nil {
			return err
		}
		j := g.newJoin(x, *s, nodeSubjoin, 2, correct, g.subBranch)
		if err := x.Fork(ctx, in, &g.subFork, j, s); err != nil {
			return err
		}
		n = nodeSubjoin
		return g.node(ctx, x, in, n, s, nil)
	}
	for {
		if err := g.node(ctx, x, in, n, s, nil); err != nil {
			return err
		}
		if g.choose(ctx, g.names[n]) {
			return nil
		}
	}
}

// subBranch runs one branch of the fork at "sub" up to "subjoin".
func (g *probe) subBranch(ctx context.Context, x *runtime.Exec[probeState], in runtime.Branch, entry int, s *probeState) (err error) {
	n := entry
	defer x.Recover(&n, &err)
	return g.node(ctx, x, in, n, s, nil)
}

// node runs node n on *s, the way generated code does.
func (g *probe) node(ctx context.Context, x *runtime.Exec[probeState], in runtime.Branch, n int, s *probeState, update func(*probeState)) error {
	if err := x.Enter(ctx, in, n); err != nil {
		return err
	}
	if g.work != nil {
		if err := g.work(ctx, g.names[n]); err != nil {
			return x.Fail(n, err)
		}
	}
	out := *s
	out.Steps++
	if update != nil {
		update(&out)
	}
	if g.mutate && n == nodeStart {
		out.Results = []int{1, 2, 3}
	}
	if g.mutate && in.Fork != 0 && in.Index == 0 {
		Mutate(&out)
	}
	*s = out
	_ = x.Leave(in, n, runtime.NotRouted, s)
	return nil
}

// join is one activation of a fork: its branches deliver into it under its lock.
type join struct {
	x        *runtime.Exec[probeState]
	fork     probeState // the fork-time state; each branch starts on a copy
	fanIn    int
	width    int
	variant  variant
	branch   func(ctx context.Context, x *runtime.Exec[probeState], in runtime.Branch, entry int, s *probeState) error
	patience time.Duration // dropTimeout's wait

	mu      sync.Mutex
	cond    *sync.Cond // signalled at every arrival or failure
	arrived []bool
	in      []int // the Branch of each delivered state, -1 when missing
	count   int   // arrivals
	failed  int
	all     chan struct{} // closed when every branch arrived

	pending int // joinEarly's counter, guarded by mu

	shallow bool // the branches' copies share Results with fork
}

func (g *probe) newJoin(x *runtime.Exec[probeState], fork probeState, fanIn, width int, v variant, branch func(context.Context, *runtime.Exec[probeState], runtime.Branch, int, *probeState) error) *join {
	j := &join{x: x, fork: fork, fanIn: fanIn, width: width, variant: v, branch: branch, patience: g.patience, shallow: g.shallow,
		arrived: make([]bool, width), in: make([]int, width), all: make(chan struct{})}
	for i := range j.in {
		j.in[i] = -1
	}
	j.cond = sync.NewCond(&j.mu)
	return j
}

// RunBranch implements runtime.Join.
func (j *join) RunBranch(ctx context.Context, b runtime.Branch, entry int, _ *probeState) error {
	switch j.variant {
	case dropLast:
		go j.runAsync(ctx, b, entry)
		j.mu.Lock()
		for j.count+j.failed < j.width-1 {
			j.cond.Wait()
		}
		j.mu.Unlock()
		return nil
	case dropTimeout:
		go j.runAsync(ctx, b, entry)
		t := time.NewTimer(j.patience)
		defer t.Stop()
		select {
		case <-j.all:
		case <-t.C:
		}
		return nil
	case joinEarly:
		go func() {
			j.mu.Lock()
			j.pending++ // too late: the wait below may have returned already
			j.mu.Unlock()
			j.runAsync(ctx, b, entry)
			j.mu.Lock()
			j.pending--
			j.cond.Broadcast()
			j.mu.Unlock()
		}()
		if b.Index < j.width-1 {
			return nil // the fork's own wait, below, is for all branches
		}
		j.mu.Lock()
		for j.pending > 0 {
			j.cond.Wait()
		}
		j.mu.Unlock()
		return nil
	}
	return j.runAndDeliver(ctx, b, entry)
}

// runAsync runs a branch on a goroutine nobody waits for properly.
func (j *join) runAsync(ctx context.Context, b runtime.Branch, entry int) {
	if err := j.runAndDeliver(ctx, b, entry); err != nil {
		j.mu.Lock()
		j.failed++
		j.cond.Broadcast()
		j.mu.Unlock()
	}
}

// runAndDeliver runs branch b from entry and delivers its final state.
func (j *join) runAndDeliver(ctx context.Context, b runtime.Branch, entry int) error {
	s := j.fork
	if !j.shallow {
		s.Results = slices.Clone(s.Results)
	}
	if err := j.branch(ctx, j.x, b, entry, &s); err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.arrived[b.Index] {
		return errors.New("a branch delivered twice")
	}
	j.arrived[b.Index] = true
	j.in[b.Index] = s.Branch
	j.count++
	j.x.Arrived(b, j.fanIn, s)
	if j.count == j.width {
		close(j.all)
	}
	j.cond.Broadcast()
	return nil
}

// results is what the fan-in sees.
func (j *join) results() []int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return slices.Clone(j.in)
}

// fakeTB records what Run reports instead of failing the test.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
	logs   []string
}

func newFakeTB(t testing.TB) *fakeTB { return &fakeTB{TB: t} }

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Error(args ...any) { f.Errorf("%s", fmt.Sprint(args...)) }

func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	panic("fakeTB.Fatalf: stress.Run must not call it")
}

func (f *fakeTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

func (f *fakeTB) Fail() { f.Errorf("Fail called") }

func (f *fakeTB) FailNow() { f.Fatalf("FailNow called") }

func (f *fakeTB) Logf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Log(args ...any) { f.Logf("%s", fmt.Sprint(args...)) }

// Errors returns what was reported with Errorf.
func (f *fakeTB) Errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.errors)
}

// text is everything that was reported, for searching.
func (f *fakeTB) text() string {
	return strings.Join(f.Errors(), "\n")
}
