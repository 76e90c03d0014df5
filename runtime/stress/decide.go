package stress

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/graphc/graphc/runtime"
)

// exitCertain is the number of visits of a node after which Choose always
// takes the exit label. Before, visit v (from 0) exits with probability
// (v+1)/exitCertain.
const exitCertain = 3

// Hash domains, so that Choose and the jitter never share a draw.
const (
	domainChoose uint64 = 0x63686f6f7365 // "choose"
	domainJitter uint64 = 0x6a6974746572 // "jitter"
)

// mix is the finaliser of SplitMix64: a bijection that spreads every input
// bit over the output.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashString is 64-bit FNV-1a.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// draw hashes the base seed, the run number and the given words into one
// pseudo-random value. The same arguments give the same value, always.
func draw(seed uint64, run int, domain uint64, node string, words ...uint64) uint64 {
	h := mix(seed ^ mix(uint64(run)))
	h = mix(h ^ domain)
	h = mix(h ^ hashString(node))
	for _, w := range words {
		h = mix(h ^ w)
	}
	return h
}

// choice is the label Choose takes at the visit-th visit (from 0) of node in
// run of the runs with the base seed: exit with probability
// (visit+1)/exitCertain, certainly from visit exitCertain-1 on, otherwise
// one of the other labels, uniformly.
func choice(seed uint64, run int, node string, visit, labels, exit int) int {
	if labels == 1 || visit >= exitCertain-1 {
		return exit
	}
	h := draw(seed, run, domainChoose, node, uint64(visit))
	if int(h%exitCertain) <= visit {
		return exit
	}
	k := int((h >> 32) % uint64(labels-1))
	if k >= exit {
		k++
	}
	return k
}

// jitterAction is what the observer does after recording an event.
type jitterAction struct {
	Sleep time.Duration // sleep this long, when > 0
	Yield bool          // call runtime.Gosched
}

// jitterFor is the action after the seq-th event (from 0) of a branch with
// index in.Index, an event of kind k about node, in run of the runs with the
// base seed, when sleeps last at most max. Half of the events sleep (yield
// when max is 0), three in eight yield and one in eight does nothing.
func jitterFor(seed uint64, run int, k runtime.EventKind, node string, index, seq int, max time.Duration) jitterAction {
	h := draw(seed, run, domainJitter, node, uint64(k), uint64(index), uint64(seq))
	switch r := h & 7; {
	case r < 4:
		if max <= 0 {
			return jitterAction{Yield: true}
		}
		return jitterAction{Sleep: time.Duration((h >> 8) % uint64(max+1))}
	case r < 7:
		return jitterAction{Yield: true}
	}
	return jitterAction{}
}

// ctxKey is the context key of a run's decision source.
type ctxKey struct{}

// runSource is a run's decision source, carried by the context Run passes
// to invoke.
type runSource struct {
	seed uint64 // the base seed
	run  int    // the run number, from 0

	mu     sync.Mutex
	visits map[string]int // Choose calls per node so far
	fills  map[string]int // Fill calls per node so far
}

// sourceOf returns the decision source of the run ctx belongs to, or nil.
func sourceOf(ctx context.Context) *runSource {
	if ctx == nil {
		return nil
	}
	src, _ := ctx.Value(ctxKey{}).(*runSource)
	return src
}

// Choose is for probe route handlers: it returns the index (0..labels-1) of
// the label to take at node, drawn from the run's seeded source and biased
// to leave loops. exit is the index of the label that leads out of the loop
// (towards __end__ or the fan-in). The first visit of node in a run takes
// exit with probability 1/3, the second with 2/3, and every later visit
// takes it, so runs end well inside max_steps; when not exiting, the other
// labels are equally likely. The draw depends only on the run's seed, the
// run number, node and how many times this run has called Choose for node
// before, so the same seed makes the same choices (see the package
// documentation).
//
// With a ctx that Run did not make, Choose returns exit. It panics when exit
// is not in 0..labels-1.
func Choose(ctx context.Context, node string, labels, exit int) int {
	checkExit("Choose", node, labels, exit)
	src := sourceOf(ctx)
	if src == nil {
		return exit
	}
	src.mu.Lock()
	visit := src.visits[node]
	src.visits[node] = visit + 1
	src.mu.Unlock()
	return choice(src.seed, src.run, node, visit, labels, exit)
}

// Decide is the draw behind Choose, for probes that keep their own visit
// counts (a probe whose handlers run where no Run context reaches them, as
// in a Temporal activity): the label (0..labels-1) to take at the visit-th
// visit (from 0) of node in run of the runs with the base seed. It depends
// on nothing else, so two executors of one graph given the same seed, run
// and visits decide alike. It panics when exit is not in 0..labels-1.
func Decide(seed uint64, run int, node string, visit, labels, exit int) int {
	checkExit("Decide", node, labels, exit)
	return choice(seed, run, node, visit, labels, exit)
}

// checkExit panics, naming fn, when exit is not one of labels.
func checkExit(fn, node string, labels, exit int) {
	if labels < 1 || exit < 0 || exit >= labels {
		panic(fmt.Sprintf("stress.%s(%q): exit label %d is not one of %d labels", fn, node, exit, labels))
	}
}
