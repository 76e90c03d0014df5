package stress

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	goruntime "runtime"
	"strconv"
	"strings"
	"time"

	"github.com/graphc/graphc/runtime"
)

// Defaults of Run's options. They are sized so that one graph's stress test
// takes about a second under -race on two cores.
const (
	// DefaultRuns is how many times Run invokes the graph.
	DefaultRuns = 1000
	// DefaultJitter is the longest pause injected around a node.
	DefaultJitter = 200 * time.Microsecond
	// DefaultTimeout is how long one run may take before Run reports it as
	// stuck (a join that waits forever, say) and stops.
	DefaultTimeout = 10 * time.Second
)

// Option configures Run.
type Option func(*config)

// config is what the options set.
type config struct {
	runs        int
	parallel    int // 0: 2*GOMAXPROCS
	seed        uint64
	seedSet     bool
	jitter      time.Duration
	procs       []int
	timeout     time.Duration
	allowErrors bool
	hook        jitterHook // for tests
	resume      any        // func(context.Context, string, ...runtime.Option) (S, error), see Resume
	durable     bool       // runs record their thread in a store (see Durable)
	crash       bool       // each durable run is cut at a random record (see Crash)
	durableOpt  bool       // durable or crash was asked for by an option, not only the flag
}

// Runs sets how many times Run invokes the graph in all (DefaultRuns by
// default). The -stress.runs flag overrides it.
func Runs(n int) Option { return func(c *config) { c.runs = n } }

// Parallel sets how many runs are in flight at once; the default is twice
// GOMAXPROCS. The -stress.parallel flag overrides it.
func Parallel(n int) Option { return func(c *config) { c.parallel = n } }

// Seed sets the base seed of the runs' decisions (jitter and Choose); by
// default it is random, and printed in the summary and with every failure.
// The -stress.seed flag overrides it.
func Seed(seed uint64) Option {
	return func(c *config) { c.seed, c.seedSet = seed, true }
}

// Jitter sets the longest random sleep injected before a node starts or
// after it finishes (DefaultJitter by default). With 0 there are no sleeps,
// but the goroutine still yields the processor at random. The -stress.jitter
// flag overrides it.
func Jitter(max time.Duration) Option { return func(c *config) { c.jitter = max } }

// Procs makes Run split its runs into len(list) batches of (nearly) equal
// size and run batch i with GOMAXPROCS set to list[i]. GOMAXPROCS is global
// to the process, so this affects tests running in parallel; it is restored
// when Run returns. The -stress.procs flag (a comma-separated list)
// overrides it.
func Procs(list ...int) Option {
	return func(c *config) { c.procs = append([]int(nil), list...) }
}

// Timeout sets how long one run may take (DefaultTimeout by default). When a
// run takes longer, Run reports it with the stacks of its goroutines,
// cancels the context of every run in flight, starts no more runs and
// returns. The -stress.timeout flag overrides it.
func Timeout(d time.Duration) Option { return func(c *config) { c.timeout = d } }

// AllowErrors makes runs that return an error acceptable: by default an
// error returned by invoke fails the test. Either way, the checks of the
// run's events still apply (with the allowances for failed runs) and
// Report.Errors counts such runs. Use it with handlers that fail on purpose.
func AllowErrors() Option { return func(c *config) { c.allowErrors = true } }

// Resume gives Run the graph's Resume method (g.Resume), which durable runs
// need: see Durable and Crash. Generated stress tests pass it.
func Resume[S any](resume func(ctx context.Context, thread string, opts ...runtime.Option) (S, error)) Option {
	return func(c *config) { c.resume = resume }
}

// Durable makes every run durable: the option invoke is given also sets a
// store (in memory) and a thread, and a run that pauses at an interrupt is
// resumed, through every interrupt, until it ends. Each execution (the
// invoke and every resume) is checked like a run of its own, and the
// checks of a failed run apply to those that stopped. It needs Resume.
// Generated stress tests of graphs with interrupts pass it.
func Durable() Option { return func(c *config) { c.durable, c.durableOpt = true, true } }

// Crash makes every run durable (see Durable) and cuts it at a random
// record: the store fails from that record on, as if the process died
// there, and the run is resumed on what was written. Beyond the checks of
// each execution, the resumed run must continue every flow where its
// records left it: no node whose completion was recorded runs again, and
// a branch that had delivered runs nothing. The -stress.crash flag turns
// it on.
func Crash() Option { return func(c *config) { c.crash, c.durable, c.durableOpt = true, true, true } }

// Flags registered on the command line (go test -stress.runs=1000 ...).
var (
	flagRuns     intFlag
	flagParallel intFlag
	flagSeed     uint64Flag
	flagJitter   durationFlag
	flagTimeout  durationFlag
	flagProcs    procsFlag
	flagCrash    bool
)

func init() {
	flag.Var(&flagRuns, "stress.runs", "number of runs of each stress.Run (overrides stress.Runs)")
	flag.Var(&flagParallel, "stress.parallel", "runs in flight at once in stress.Run (overrides stress.Parallel)")
	flag.Var(&flagSeed, "stress.seed", "base seed of stress.Run's decisions, to replay a failure (overrides stress.Seed)")
	flag.Var(&flagJitter, "stress.jitter", "longest sleep stress.Run injects around a node, e.g. 1ms; 0 only yields (overrides stress.Jitter)")
	flag.Var(&flagTimeout, "stress.timeout", "how long one run of stress.Run may take (overrides stress.Timeout)")
	flag.Var(&flagProcs, "stress.procs", "comma-separated GOMAXPROCS values stress.Run cycles through (overrides stress.Procs)")
	flag.BoolVar(&flagCrash, "stress.crash", false, "cut every run of stress.Run at a random record and resume it (see stress.Crash)")
}

// newConfig applies the defaults, then opts, then the flags that were set.
func newConfig(opts []Option) config {
	c := config{runs: DefaultRuns, jitter: DefaultJitter, timeout: DefaultTimeout}
	for _, opt := range opts {
		if opt != nil {
			opt(&c)
		}
	}
	if flagRuns.set {
		c.runs = flagRuns.v
	}
	if flagParallel.set {
		c.parallel = flagParallel.v
	}
	if flagSeed.set {
		c.seed, c.seedSet = flagSeed.v, true
	}
	if flagJitter.set {
		c.jitter = flagJitter.v
	}
	if flagTimeout.set {
		c.timeout = flagTimeout.v
	}
	if flagProcs.set {
		c.procs = flagProcs.v
	}
	if flagCrash {
		c.crash, c.durable = true, true
	}
	if !c.seedSet {
		c.seed = rand.Uint64()
	}
	if c.runs < 0 {
		c.runs = 0
	}
	if c.parallel <= 0 {
		c.parallel = 2 * goruntime.GOMAXPROCS(0)
	}
	if c.jitter < 0 {
		c.jitter = 0
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	procs := c.procs[:0:0]
	for _, p := range c.procs {
		if p > 0 {
			procs = append(procs, p)
		}
	}
	c.procs = procs
	return c
}

// intFlag is an int flag that knows whether it was set.
type intFlag struct {
	v   int
	set bool
}

func (f *intFlag) String() string { return strconv.Itoa(f.v) }

func (f *intFlag) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil {
		return err
	}
	f.v, f.set = v, true
	return nil
}

// uint64Flag is a uint64 flag that knows whether it was set. It accepts
// decimal, and 0x-prefixed hexadecimal.
type uint64Flag struct {
	v   uint64
	set bool
}

func (f *uint64Flag) String() string { return strconv.FormatUint(f.v, 10) }

func (f *uint64Flag) Set(s string) error {
	v, err := strconv.ParseUint(s, 0, 64)
	if err != nil {
		return err
	}
	f.v, f.set = v, true
	return nil
}

// durationFlag is a time.Duration flag that knows whether it was set.
type durationFlag struct {
	v   time.Duration
	set bool
}

func (f *durationFlag) String() string { return f.v.String() }

func (f *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	f.v, f.set = v, true
	return nil
}

// procsFlag is a comma-separated list of GOMAXPROCS values.
type procsFlag struct {
	v   []int
	set bool
}

func (f *procsFlag) String() string {
	s := make([]string, len(f.v))
	for i, p := range f.v {
		s[i] = strconv.Itoa(p)
	}
	return strings.Join(s, ",")
}

func (f *procsFlag) Set(s string) error {
	var v []int
	for _, field := range strings.Split(s, ",") {
		p, err := strconv.Atoi(strings.TrimSpace(field))
		if err != nil || p < 1 {
			return fmt.Errorf("%q is not a positive GOMAXPROCS value", field)
		}
		v = append(v, p)
	}
	f.v, f.set = v, true
	return nil
}
