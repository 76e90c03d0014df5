package stress

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/graphc/graphc/runtime"
)

// errCut is what the store of a run cut by Crash fails with.
var errCut = errors.New("stress: the run was cut here (simulated crash)")

// cutStore is a store that fails from its cut-th record on, as if the
// process died while writing it; what it wrote before stays in the store
// under it.
type cutStore struct {
	runtime.Store
	mu      sync.Mutex
	cut     int // 0: never
	written int
	dead    bool
}

func (c *cutStore) Append(ctx context.Context, thread string, recs []runtime.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead || (c.cut > 0 && c.written+len(recs) >= c.cut) {
		c.dead = true
		return errCut
	}
	if err := c.Store.Append(ctx, thread, recs); err != nil {
		return err
	}
	c.written += len(recs)
	return nil
}

// durable runs one durable run: invoke, then resume through interrupts and
// the cut, checking each execution with c (see Durable and Crash).
func (r *runner[S]) durable(ctx context.Context, c *checker, run int, observe runtime.Option) error {
	st := runtime.NewMemoryStore()
	cs := &cutStore{Store: st}
	if r.cfg.crash {
		rng := rand.New(rand.NewPCG(r.cfg.seed, uint64(run)^0x9e3779b97f4a7c15))
		cs.cut = 1 + rng.IntN(int(max(r.records.Load(), 8)))
	}
	thread := fmt.Sprint("stress-", run)
	var expect map[string]string // after a cut: per path, the node the resumed run must start there first ("" for none)
	var starts map[string]string // the first node started on each path since the cut
	var mu sync.Mutex
	track := runtime.WithObserver(func(e runtime.Event[S]) {
		if e.Kind != runtime.NodeStarted || expect == nil {
			return
		}
		mu.Lock()
		if _, ok := starts[e.In.Path()]; !ok {
			starts[e.In.Path()] = e.Node
		}
		mu.Unlock()
	})
	opts := []runtime.Option{observe, track, runtime.WithStore(cs)}
	// invoke takes one option: the run's observer with the store and thread.
	start := func(o *runtime.Options) {
		for _, opt := range opts {
			opt(o)
		}
		runtime.WithThread(thread)(o)
	}
	_, err := r.invoke(ctx, start)
	for range 1000 {
		var ip *runtime.Interrupted
		cut := errors.Is(err, errCut)
		if !cut && !errors.As(err, &ip) {
			break
		}
		var recs []runtime.Record
		if cut {
			var lerr error
			if recs, lerr = st.Load(ctx, thread); lerr != nil && !errors.Is(lerr, runtime.ErrNoThread) {
				return lerr
			}
		}
		c.restart(err)
		if expect != nil {
			r.continued(c, expect, starts)
		}
		expect, starts = nil, nil
		if cut {
			cs.mu.Lock()
			cs.cut, cs.dead = 0, false
			cs.mu.Unlock()
			if len(recs) == 0 { // cut before the thread was opened: start again
				_, err = r.invoke(ctx, start)
				continue
			}
			expect, starts = nextNodes(recs), map[string]string{}
		}
		_, err = r.resume(ctx, thread, opts...)
	}
	if expect != nil {
		r.continued(c, expect, starts)
	}
	if recs, lerr := st.Load(ctx, thread); lerr == nil {
		for n := int64(len(recs)); ; {
			m := r.records.Load()
			if n <= m || r.records.CompareAndSwap(m, n) {
				break
			}
		}
	}
	return err
}

// nextNodes reads, from a thread's records, where each flow must continue:
// the Next of its last node record ("" when it ends its flow — a branch
// that delivered, a main flow at __end__ — or when the node's edge is
// taken at resume).
func nextNodes(recs []runtime.Record) map[string]string {
	next := map[string]string{}
	for _, rec := range recs {
		switch rec.Kind {
		case runtime.NodeRecord:
			next[rec.Path] = rec.Next
		case runtime.RouteRecord:
			next[rec.Path] = rec.Next
		case runtime.ForkRecord:
			next[rec.Path] = "" // the fan-in runs next: not checked
		}
	}
	return next
}

// continued checks that the execution after a cut started each flow where
// its records left it: a flow that starts a node at all starts the Next of
// its last node record. A branch that had delivered (its Next is the
// fan-in, which never runs on the branch's own path) and a main flow at
// __end__ must start nothing; a flow whose edge is taken at resume (Next
// "") is not checked.
func (r *runner[S]) continued(c *checker, expect, starts map[string]string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for path, want := range expect {
		if got, ok := starts[path]; ok && want != "" && got != want {
			c.violate("after the cut, flow %q started at %s, but its records say it goes on at %s (a recorded node ran again, or one was skipped)", path, got, want)
		}
	}
}
