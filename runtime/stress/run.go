package stress

import (
	"context"
	"fmt"
	"regexp"
	goruntime "runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/graphc/graphc/runtime"
)

// maxReported is how many failing runs Run describes in full. After that
// many, Run starts no more runs: the test has failed, and the runs in flight
// are only counted.
const maxReported = 3

// Report is what Run measured.
type Report struct {
	Runs        int           // runs that returned; fewer than asked when Run stopped early
	Failed      int           // runs with at least one violation
	Errors      int           // runs whose invoke returned an error
	Violations  int           // violations found, in all runs
	Forks       int           // fork activations seen (Forked events)
	Deliveries  int           // branch deliveries seen (BranchArrived events)
	Lost        int           // deliveries a fan-in should have had but did not
	Nodes       int           // node executions (NodeStarted events)
	MaxBranches int           // the most branches of one fork activation
	Leaked      int           // goroutines of the runs still alive after them
	Wall        time.Duration // how long Run took
	Seed        uint64        // the base seed: Seed or -stress.seed replays the runs' decisions
}

// calls numbers the Run calls of the process, for the goroutine labels.
var calls atomic.Uint64

// Run stresses a graph: it calls invoke Runs times, Parallel at a time, each
// call with its own context, which carries the run's decision source (see
// Choose), and an observer option that invoke must pass to the executor,
// as in
//
//	stress.Run(t, func(ctx context.Context, observe runtime.Option) (State, error) {
//		return g.Invoke(ctx, State{}, observe)
//	})
//
// invoke may check the final state and return an error when it is wrong.
//
// Run checks every run from its events (see the package documentation for
// the rules and for how the jitter it injects is decided), reports each
// violation with t.Errorf, naming the run and the seed and showing how to
// replay it, and returns the Report. It then fails the test when a
// goroutine of the runs is still alive after them, and logs a one-line
// summary with t.Logf. After three failing runs Run starts no more (the
// test has failed; the runs in flight still count). A run that takes longer
// than Timeout is reported with its goroutines' stacks, and Run stops early.
//
// Run must be called from the test's goroutine. Its options are overridden
// by the -stress.* flags that were set.
func Run[S any](t testing.TB, invoke func(ctx context.Context, observe runtime.Option) (S, error), opts ...Option) Report {
	t.Helper()
	start := time.Now()
	cfg := newConfig(opts)
	callerPC, _, _, _ := goruntime.Caller(1)
	caller := pcPackage(callerPC)
	call := calls.Add(1)
	r := &runner[S]{
		t:      t,
		cfg:    cfg,
		invoke: invoke,
		call:   call,
		pkg:    strings.TrimSuffix(caller, "_test"),
		scope:  newLeakScope(call, caller, invoke),
		late:   &lateEvents{},
		failed: make([]bool, cfg.runs),
	}
	r.report.Seed = cfg.seed
	if cfg.durable {
		var ok bool
		r.resume, ok = cfg.resume.(func(context.Context, string, ...runtime.Option) (S, error))
		switch {
		case ok:
		case cfg.resume == nil && flagCrash && !cfg.durableOpt:
			// The graph's generated test passes no Resume: it cannot
			// checkpoint (checkpoints: false), so there is nothing to cut.
			t.Logf("stress: -stress.crash does not apply: this graph does not checkpoint")
			cfg.durable, cfg.crash = false, false
			r.cfg = cfg
		default:
			t.Fatalf("stress: durable runs (stress.Durable, stress.Crash or -stress.crash) need stress.Resume(g.Resume) for this graph's state %T", *new(S))
		}
	}
	if len(cfg.procs) > 0 {
		defer goruntime.GOMAXPROCS(goruntime.GOMAXPROCS(0))
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	r.ctx, r.cancel = ctx, cancel

	r.runAll()
	r.finish()
	r.report.Wall = time.Since(start)
	rep := r.report
	t.Logf("stress: %d runs (%d in parallel, GOMAXPROCS %s, jitter %v): %d failed, %d forks, %d deliveries, %d lost, %d nodes, max %d branches, %d errors, %d leaked goroutines, wall %v, seed %d",
		rep.Runs, cfg.parallel, r.procsString(), cfg.jitter, rep.Failed, rep.Forks, rep.Deliveries, rep.Lost, rep.Nodes, rep.MaxBranches, rep.Errors, rep.Leaked, rep.Wall.Round(time.Millisecond), rep.Seed)
	return rep
}

// runner is the state of one Run call.
type runner[S any] struct {
	t      testing.TB
	cfg    config
	invoke func(ctx context.Context, observe runtime.Option) (S, error)
	resume func(ctx context.Context, thread string, opts ...runtime.Option) (S, error)
	call   uint64
	// records is the most records a durable run has written so far: the
	// range a crash cut is drawn from.
	records atomic.Int64
	pkg     string // the import path of the package under test, for replay
	scope   leakScope
	late    *lateEvents
	ctx     context.Context
	cancel  context.CancelFunc

	stopped  atomic.Bool // no more runs start
	mu       sync.Mutex  // guards inFlight
	inFlight map[int]*flight

	report   Report
	failed   []bool // per run
	reported int    // failing runs described so far
	abandon  bool   // some runs never returned
}

// flight is a run in progress.
type flight struct {
	start time.Time
	check *checker
	stuck bool // reported as stuck
}

// outcome is what a worker hands back for one run.
type outcome struct {
	run     int
	skipped bool
	err     error
	check   *checker
}

// batches splits the runs by GOMAXPROCS value: [from, to) with procs (0: leave it).
func (r *runner[S]) batches() [][3]int {
	n, procs := r.cfg.runs, r.cfg.procs
	if len(procs) == 0 {
		return [][3]int{{0, n, 0}}
	}
	var out [][3]int
	for i, p := range procs {
		from, to := n*i/len(procs), n*(i+1)/len(procs)
		if to > from {
			out = append(out, [3]int{from, to, p})
		}
	}
	return out
}

// runAll runs the batches one after the other.
func (r *runner[S]) runAll() {
	r.inFlight = make(map[int]*flight)
	for _, b := range r.batches() {
		if r.abandon || r.stopped.Load() {
			break
		}
		if b[2] > 0 {
			goruntime.GOMAXPROCS(b[2])
		}
		r.runBatch(b[0], b[1])
	}
}

// runBatch runs runs [from, to) on Parallel workers and handles their outcomes.
func (r *runner[S]) runBatch(from, to int) {
	jobs := make(chan int, to-from)
	for run := from; run < to; run++ {
		jobs <- run
	}
	close(jobs)
	outcomes := make(chan outcome, to-from) // workers never block on it
	for range min(r.cfg.parallel, to-from) {
		go r.worker(jobs, outcomes)
	}
	tick := time.NewTicker(max(min(r.cfg.timeout/4, 100*time.Millisecond), time.Millisecond))
	defer tick.Stop()
	var giveUp time.Time // when stuck runs are abandoned
	for left := to - from; left > 0; {
		select {
		case o := <-outcomes:
			left--
			r.handle(o)
		case now := <-tick.C:
			if r.checkStuck(now) && giveUp.IsZero() {
				giveUp = now.Add(min(r.cfg.timeout, 2*time.Second))
			}
			if !giveUp.IsZero() && now.After(giveUp) {
				r.mu.Lock()
				n := len(r.inFlight)
				r.mu.Unlock()
				r.t.Errorf("stress: %d runs still had not returned %v after their context was cancelled; abandoning them (seed %d)", n, min(r.cfg.timeout, 2*time.Second), r.cfg.seed)
				r.abandon = true
				return
			}
		}
	}
}

// worker runs the jobs until there are none left.
func (r *runner[S]) worker(jobs <-chan int, outcomes chan<- outcome) {
	for run := range jobs {
		if r.stopped.Load() {
			outcomes <- outcome{run: run, skipped: true}
			continue
		}
		outcomes <- r.runOne(run)
	}
}

// runOne invokes the graph once, under the run's goroutine label.
func (r *runner[S]) runOne(run int) outcome {
	c := newChecker(r.cfg.seed, run, r.cfg.jitter, r.late)
	c.hook = r.cfg.hook
	src := &runSource{seed: r.cfg.seed, run: run, visits: make(map[string]int)}
	forks := &forkStates[S]{last: map[runtime.Branch]S{}, at: map[uint64]forkPrint[S]{}}
	observe := runtime.WithObserver(func(e runtime.Event[S]) {
		forks.see(e, c)
		c.observeEvent(event{kind: e.Kind, node: e.Node, in: e.In, fork: e.Fork, parent: e.Parent, branches: e.Branches, skipped: e.Skipped, err: e.Err})
	})
	r.mu.Lock()
	r.inFlight[run] = &flight{start: time.Now(), check: c}
	r.mu.Unlock()

	var err error
	ctx := context.WithValue(r.ctx, ctxKey{}, src)
	labels := pprof.Labels(labelKey, itoa(r.call)+"/"+itoa(uint64(run)))
	pprof.Do(ctx, labels, func(ctx context.Context) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("invoke panicked: %v\n%s", p, stack())
			}
		}()
		if r.cfg.durable {
			err = r.durable(ctx, c, run, observe)
			return
		}
		_, err = r.invoke(ctx, observe)
	})
	c.finish(err, r.cfg.allowErrors)

	r.mu.Lock()
	delete(r.inFlight, run)
	r.mu.Unlock()
	return outcome{run: run, err: err, check: c}
}

// stack returns the calling goroutine's stack.
func stack() []byte {
	buf := make([]byte, 64<<10)
	return buf[:goruntime.Stack(buf, false)]
}

// handle adds a run's outcome to the report and reports its violations.
func (r *runner[S]) handle(o outcome) {
	if o.skipped {
		return
	}
	st, vs, n := o.check.result()
	rep := &r.report
	rep.Runs++
	rep.Forks += st.forks
	rep.Deliveries += st.deliveries
	rep.Lost += st.lost
	rep.Nodes += st.nodes
	rep.MaxBranches = max(rep.MaxBranches, st.maxBranches)
	rep.Violations += n
	if o.err != nil {
		rep.Errors++
	}
	if n == 0 {
		return
	}
	if !r.failed[o.run] { // a stuck run that returned at last was counted already
		r.failed[o.run] = true
		rep.Failed++
	}
	r.reported++
	if r.reported >= maxReported {
		r.stopped.Store(true)
	}
	if r.reported > maxReported {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "stress: run %d of %d (seed %d) broke %d rules:\n", o.run, r.cfg.runs, r.cfg.seed, n)
	for _, v := range vs {
		fmt.Fprintf(&b, "\t- %s\n", v.msg)
	}
	if n > len(vs) {
		fmt.Fprintf(&b, "\t- ... and %d more\n", n-len(vs))
	}
	fmt.Fprintf(&b, "\tevents around the first one:\n%s", o.check.trace())
	fmt.Fprintf(&b, "\treplay its decisions: %s", r.replay())
	r.t.Errorf("%s", b.String())
}

// checkStuck reports the runs in flight for longer than the timeout, and
// then stops all runs. It returns whether any run is stuck.
func (r *runner[S]) checkStuck(now time.Time) bool {
	r.mu.Lock()
	var stuck []int
	late := false
	for run, f := range r.inFlight {
		if now.Sub(f.start) < r.cfg.timeout {
			continue
		}
		late = true
		if !f.stuck {
			f.stuck = true
			stuck = append(stuck, run)
		}
	}
	r.mu.Unlock()
	slices.Sort(stuck)
	for _, run := range stuck {
		r.reportStuck(run)
	}
	if len(stuck) > 0 {
		r.stopped.Store(true)
		r.cancel()
	}
	return late
}

// reportStuck reports a run that has not returned within the timeout.
func (r *runner[S]) reportStuck(run int) {
	r.mu.Lock()
	f := r.inFlight[run]
	r.mu.Unlock()
	if f == nil {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "stress: run %d of %d (seed %d) has not returned after %v: a join that waits forever? Cancelling all runs.\n", run, r.cfg.runs, r.cfg.seed, r.cfg.timeout)
	f.check.mu.Lock()
	events := f.check.events
	if len(events) > 2*traceContext {
		events = events[len(events)-2*traceContext:]
	}
	fmt.Fprintf(&b, "\tits last %d events:\n", len(events))
	for _, e := range events {
		fmt.Fprintf(&b, "\t\t%v\n", e)
	}
	f.check.mu.Unlock()
	fmt.Fprintf(&b, "\tits goroutines:\n")
	for _, g := range r.scope.leaked(run) {
		fmt.Fprintf(&b, "%s\n\n", indent(g, "\t\t"))
	}
	fmt.Fprintf(&b, "\treplay its decisions: %s", r.replay())
	r.t.Errorf("%s", b.String())
	if !r.failed[run] {
		r.failed[run] = true
		r.report.Failed++
	}
}

// finish reports what only shows after the runs: events that came after
// their run returned, and goroutines still alive.
func (r *runner[S]) finish() {
	rep := &r.report
	if r.reported >= maxReported && rep.Runs < r.cfg.runs {
		r.t.Logf("stress: stopped after %d failing runs; %d of %d runs did not start", r.reported, r.cfg.runs-rep.Runs, r.cfg.runs)
	}
	if r.reported > maxReported {
		r.t.Errorf("stress: %d more runs failed (seed %d); replay: %s", r.reported-maxReported, r.cfg.seed, r.replay())
	}
	leaked := r.scope.wait(leakPatience)
	n, runs, sample := r.late.snapshot()
	if n > 0 {
		ids := make([]int, 0, len(runs))
		for run := range runs {
			ids = append(ids, run)
			if run < len(r.failed) && !r.failed[run] {
				r.failed[run] = true
				rep.Failed++
			}
		}
		slices.Sort(ids)
		rep.Violations += n
		r.t.Errorf("stress: %d events came after their run's invoke had returned (in runs %v), e.g.\n\t%s\n\ta graph must not leave anything running when it returns; seed %d, replay: %s",
			n, short(ids), strings.Join(sample, "\n\t"), r.cfg.seed, r.replay())
	}
	for _, g := range leaked {
		count, _, _ := strings.Cut(g, " ")
		k := 0
		fmt.Sscan(count, &k)
		rep.Leaked += max(k, 1)
	}
	if len(leaked) > 0 {
		var b strings.Builder
		fmt.Fprintf(&b, "stress: %d goroutines started by the runs were still alive %v after the last run returned (seed %d):\n", rep.Leaked, leakPatience, r.cfg.seed)
		for _, g := range leaked {
			fmt.Fprintf(&b, "%s\n\n", indent(g, "\t"))
		}
		fmt.Fprintf(&b, "replay: %s", r.replay())
		r.t.Errorf("%s", b.String())
	}
}

// replay is the command that replays the runs' decisions: the test, by
// name, in the package of the function that called Run (for a package
// main, run it in the package's directory).
func (r *runner[S]) replay() string {
	parts := strings.Split(r.t.Name(), "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	cmd := fmt.Sprintf("go test -run '%s' -stress.seed=%d", strings.Join(parts, "/"), r.cfg.seed)
	if flagRuns.set {
		cmd += fmt.Sprintf(" -stress.runs=%d", r.cfg.runs)
	}
	if flagJitter.set {
		cmd += fmt.Sprintf(" -stress.jitter=%v", r.cfg.jitter)
	}
	if r.pkg != "" && r.pkg != "main" { // a package main is known by its directory only
		cmd += " " + r.pkg
	}
	return cmd
}

func (r *runner[S]) procsString() string {
	if len(r.cfg.procs) == 0 {
		return itoa(uint64(goruntime.GOMAXPROCS(0)))
	}
	s := make([]string, len(r.cfg.procs))
	for i, p := range r.cfg.procs {
		s[i] = itoa(uint64(p))
	}
	return strings.Join(s, ",")
}

// short formats a list of run numbers, eliding the middle of long ones.
func short(ids []int) string {
	if len(ids) <= 10 {
		return fmt.Sprint(ids)
	}
	return fmt.Sprintf("%v ... %v", ids[:5], ids[len(ids)-3:])
}

// indent prefixes every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

// forkStates fingerprints each fork-time state (the state of the
// NodeFinished just before Forked, in the same flow) when its fork begins,
// and again when it joins: a difference means that a branch wrote memory
// that its copy shares with the fork-time state (see Mutate).
type forkStates[S any] struct {
	mu   sync.Mutex
	last map[runtime.Branch]S
	at   map[uint64]forkPrint[S]
}

type forkPrint[S any] struct {
	node  string
	state S
	lines []string
}

func (f *forkStates[S]) see(e runtime.Event[S], c *checker) {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch e.Kind {
	case runtime.NodeFinished:
		f.last[e.In] = e.State
	case runtime.Forked:
		s := f.last[e.In]
		f.at[e.Fork] = forkPrint[S]{node: e.Node, state: s, lines: fingerprint(s)}
	case runtime.Joined:
		p, ok := f.at[e.Fork]
		if !ok {
			return
		}
		delete(f.at, e.Fork)
		now := fingerprint(p.state)
		if i := firstDiff(p.lines, now); i >= 0 {
			was, is := "(nothing)", "(nothing)"
			if i < len(p.lines) {
				was = p.lines[i]
			}
			if i < len(now) {
				is = now[i]
			}
			c.mu.Lock()
			c.violate("fork %d at %s: the fork-time state changed while its branches ran (a branch's copy shares memory with it): %s became %s", e.Fork, p.node, was, is)
			c.mu.Unlock()
		}
	}
}

// firstDiff returns the index of the first line where a and b differ, or
// -1 when they are equal.
func firstDiff(a, b []string) int {
	for i := range max(len(a), len(b)) {
		if i >= len(a) || i >= len(b) || a[i] != b[i] {
			return i
		}
	}
	return -1
}
