package casetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/graphc/graphc/runtime"
)

// ErrCrash is what a CrashStore's writes fail with once it has "crashed".
var ErrCrash = errors.New("crash")

// CrashStore is a store whose writes fail from the (Limit+1)-th on, as if
// the process died there: what it wrote before stays in the store under it.
type CrashStore struct {
	runtime.Store
	Limit int

	mu     sync.Mutex
	writes int
}

// Append implements runtime.Store.
func (c *CrashStore) Append(ctx context.Context, thread string, recs []runtime.Record) error {
	c.mu.Lock()
	c.writes++
	crashed := c.writes > c.Limit
	c.mu.Unlock()
	if crashed {
		return ErrCrash
	}
	return c.Store.Append(ctx, thread, recs)
}

// Writes returns how many writes were asked of c.
func (c *CrashStore) Writes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.writes
}

// Trace records, per flow path, the nodes that started and the branches
// that arrived at their join, from a run's events.
type Trace struct {
	mu     sync.Mutex
	Starts map[string][]string
	Arrive map[string]int
}

// NewTrace returns an empty Trace.
func NewTrace() *Trace { return &Trace{Starts: map[string][]string{}, Arrive: map[string]int{}} }

// Observe records e.
func Observe[S any](tr *Trace) func(runtime.Event[S]) {
	return func(e runtime.Event[S]) {
		tr.mu.Lock()
		defer tr.mu.Unlock()
		switch e.Kind {
		case runtime.NodeStarted:
			tr.Starts[e.In.Path()] = append(tr.Starts[e.In.Path()], e.Node)
		case runtime.BranchArrived:
			tr.Arrive[e.In.Path()]++
		}
	}
}

// Durable is how CrashMatrix drives a generated graph.
type Durable[S any] struct {
	// Invoke starts a run on the graph's input (the same every time) with
	// the options, which name the store and the thread.
	Invoke func(ctx context.Context, opts ...runtime.Option) (S, error)
	// Resume is the graph's Resume.
	Resume func(ctx context.Context, thread string, opts ...runtime.Option) (S, error)
	// FanIns names the graph's fan-in nodes.
	FanIns []string
	// NewStore, if set, makes the store each run of CrashMatrix writes to
	// (under the failing wrapper); by default, runtime.NewMemoryStore.
	NewStore func(t *testing.T) runtime.Store
}

func (d Durable[S]) store(t *testing.T) runtime.Store {
	if d.NewStore != nil {
		return d.NewStore(t)
	}
	return runtime.NewMemoryStore()
}

// Finish resumes thread through every interrupt, and through the crash of
// a CrashStore, until the run ends, and returns its final state.
func Finish[S any](t testing.TB, d Durable[S], thread string, s S, err error, opts ...runtime.Option) S {
	t.Helper()
	for range 50 {
		if err == nil {
			return s
		}
		var ip *runtime.Interrupted
		if !errors.As(err, &ip) && !errors.Is(err, ErrCrash) {
			t.Fatalf("thread %q failed: %v", thread, err)
		}
		s, err = d.Resume(Context(t), thread, opts...)
	}
	t.Fatalf("thread %q did not finish in 50 resumes: %v", thread, err)
	return s
}

// CrashMatrix cuts a run of d at every store write of a reference run —
// the store fails from the N-th write on, as if the process died there —
// and resumes it on what was written, under each durability mode. For
// every N: the final state is the uninterrupted run's; per flow path, the
// nodes recorded before the crash followed by the nodes started after it
// are exactly the reference run's nodes of that path (no recorded node ran
// again, none was skipped); every branch delivered exactly once. The
// graph's handlers must be deterministic. It returns how many cuts crashed
// a run.
func CrashMatrix[S any](t *testing.T, d Durable[S]) int {
	total := 0
	for _, c := range []struct {
		name string
		// exact: the writes do not depend on scheduling (Exit writes at
		// the end of each call), so every N below the reference's count
		// must crash the run; with concurrent branches (one worker still
		// runs beside the forking goroutine) group commit batches vary.
		exact bool
		opts  []runtime.Option
	}{
		{"sync", false, nil},
		{"sync/1 worker", false, []runtime.Option{runtime.WithMaxWorkers(1)}},
		{"async", false, []runtime.Option{runtime.WithDurability(runtime.Async)}},
		{"exit", true, []runtime.Option{runtime.WithDurability(runtime.Exit)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ref := NewTrace()
			st := &CrashStore{Store: d.store(t), Limit: 1 << 30}
			o := append(slices.Clip(c.opts), runtime.WithStore(st), runtime.WithObserver(Observe[S](ref)))
			s, err := d.Invoke(Context(t), append(o, runtime.WithThread("ref"))...)
			want := Finish(t, d, "ref", s, err, o...)
			writes := st.Writes()
			crashes := 0
			for n := 1; n < writes; n++ {
				if crashAt(t, d, n, want, ref, c.opts) {
					crashes++
				} else if c.exact {
					t.Fatalf("N=%d: the run finished although write %d failed", n, n+1)
				}
			}
			if writes > 1 && crashes == 0 {
				t.Fatalf("none of %d cuts crashed the run", writes-1)
			}
			total += crashes
		})
	}
	return total
}

func crashAt[S any](t *testing.T, d Durable[S], n int, want S, ref *Trace, opts []runtime.Option) bool {
	t.Helper()
	ctx := Context(t)
	st := d.store(t)
	cs := &CrashStore{Store: st, Limit: n}
	thread := fmt.Sprint("crash", n)
	o := append(slices.Clip(opts), runtime.WithStore(cs))
	s, err := d.Invoke(ctx, append(o, runtime.WithThread(thread))...)
	for err != nil && !errors.Is(err, ErrCrash) {
		var ip *runtime.Interrupted
		if !errors.As(err, &ip) {
			t.Fatalf("N=%d: %v", n, err)
		}
		s, err = d.Resume(ctx, thread, o...)
	}
	if err == nil {
		if !reflect.DeepEqual(s, want) {
			t.Fatalf("N=%d: final state\n%+v\nwant\n%+v", n, s, want)
		}
		return false
	}
	// What the records say ran before the crash, per path.
	recs, lerr := st.Load(ctx, thread)
	if lerr != nil {
		t.Fatalf("N=%d: %v", n, lerr)
	}
	before := map[string][]string{}
	delivered := map[string]int{}
	for _, r := range recs {
		if r.Kind == runtime.NodeRecord {
			before[r.Path] = append(before[r.Path], r.Node)
			if r.Path != "" && slices.Contains(d.FanIns, r.Next) {
				delivered[r.Path]++
			}
		}
	}
	// Resume on the store as written, to the end.
	after := NewTrace()
	ro := append(slices.Clip(opts), runtime.WithStore(st), runtime.WithObserver(Observe[S](after)))
	s, err = d.Resume(ctx, thread, ro...)
	s = Finish(t, d, thread, s, err, ro...)
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("N=%d: final state\n%+v\nwant\n%+v", n, s, want)
	}
	for path, nodes := range ref.Starts {
		got := append(slices.Clip(before[path]), after.Starts[path]...)
		if !slices.Equal(got, nodes) {
			t.Fatalf("N=%d: path %q ran %q before the crash (recorded) and %q after; the reference ran %q", n, path, before[path], after.Starts[path], nodes)
		}
	}
	for path := range after.Starts {
		if _, ok := ref.Starts[path]; !ok {
			t.Fatalf("N=%d: path %q ran after the crash but not in the reference", n, path)
		}
	}
	// Every branch delivers once: before the crash (its last node record;
	// the resumed run then fills the join from it and may report the
	// arrival again, but runs none of its nodes: see the paths above), or
	// after it.
	for path, k := range ref.Arrive {
		b, a := delivered[path], after.Arrive[path]
		if k != 1 || b > 1 || (b == 0 && a != 1) || a > 1 {
			t.Fatalf("N=%d: branch %q delivered %d times before the crash and arrived %d times after; the reference: %d", n, path, b, a, k)
		}
	}
	return true
}
