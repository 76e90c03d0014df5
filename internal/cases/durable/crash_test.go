package durable

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

// TestCrashMatrix cuts a run at every write of a reference run — the
// store fails from the N-th write on, as if the process died there — and
// resumes it on what was written. For every N: the final state is the
// uninterrupted run's; per flow path, the nodes recorded before the crash
// followed by the nodes started after it are exactly the reference run's
// nodes of that path (no recorded node ran again, none was skipped); every
// branch delivered exactly once.
func TestCrashMatrix(t *testing.T) {
	for _, c := range []struct {
		name string
		// exact: the run's writes do not depend on scheduling (branches
		// take turns), so every N below the reference's count must crash
		// it; with concurrent branches, group commit batches vary.
		exact bool
		opts  []runtime.Option
	}{
		{"sync", false, nil},
		{"sync/1 worker", true, []runtime.Option{runtime.WithMaxWorkers(1)}},
		{"async", false, []runtime.Option{runtime.WithDurability(runtime.Async)}},
		{"exit", true, []runtime.Option{runtime.WithDurability(runtime.Exit)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			want, ref := reference(t, c.opts...)
			writes := countWrites(t, c.opts...)
			crashes := 0
			for n := 1; n < writes; n++ {
				if crashAt(t, n, want, ref, c.opts...) {
					crashes++
				} else if c.exact {
					t.Fatalf("N=%d: the run finished although write %d failed", n, n+1)
				}
			}
			if crashes < writes/2 {
				t.Fatalf("only %d of %d cuts crashed the run", crashes, writes-1)
			}
			t.Logf("%d cuts, %d crashed the run", writes-1, crashes)
		})
	}
}

// countWrites returns how many store writes a complete run makes.
func countWrites(t *testing.T, opts ...runtime.Option) int {
	cs := &crashStore{Store: newStore(), limit: 1 << 30}
	g := NewApproval(&handlers{}, runtime.WithStore(cs))
	s, err := g.Invoke(casetest.Context(t), State{Topic: "go"}, append(opts, runtime.WithThread("w"))...)
	finish(t, g, "w", s, err, opts...)
	return cs.writes
}

func crashAt(t *testing.T, n int, want State, ref *trace, opts ...runtime.Option) bool {
	t.Helper()
	ctx := casetest.Context(t)
	st := newStore()
	cs := &crashStore{Store: st, limit: n}
	h := &handlers{}
	thread := fmt.Sprint("crash", n)
	// The run, with resumes through its interrupts, until the store fails.
	g := NewApproval(h, runtime.WithStore(cs))
	s, err := g.Invoke(ctx, State{Topic: "go"}, append(opts, runtime.WithThread(thread))...)
	for err != nil && !errors.Is(err, errCrash) {
		var ip *runtime.Interrupted
		if !errors.As(err, &ip) {
			t.Fatalf("N=%d: %v", n, err)
		}
		s, err = g.Resume(ctx, thread, opts...)
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
			if r.Path != "" && r.Next != "" && isFanIn(r.Next) && !isFork(r.Node) {
				delivered[r.Path]++
			}
		}
	}
	// Resume on the store as written, to the end.
	after := newTrace()
	g2 := NewApproval(h, runtime.WithStore(st))
	ro := append(slices.Clip(opts), after.option())
	s, err = g2.Resume(ctx, thread, ro...)
	s = finish(t, g2, thread, s, err, ro...)
	if !reflect.DeepEqual(s, want) {
		t.Fatalf("N=%d: final state\n%+v\nwant\n%+v", n, s, want)
	}
	for path, nodes := range ref.starts {
		got := append(slices.Clip(before[path]), after.starts[path]...)
		if !slices.Equal(got, nodes) {
			t.Fatalf("N=%d: path %q ran %q before the crash (recorded) and %q after; the reference ran %q", n, path, before[path], after.starts[path], nodes)
		}
	}
	for path := range after.starts {
		if _, ok := ref.starts[path]; !ok {
			t.Fatalf("N=%d: path %q ran after the crash but not in the reference", n, path)
		}
	}
	// Every branch delivers once: before the crash (its record; the resumed
	// run then fills the join from it, and the event may repeat, but the
	// branch runs nothing: see the paths above), or after it.
	for path, k := range ref.arrive {
		d, a := delivered[path], after.arrive[path]
		if k != 1 || d > 1 || (d == 0 && a != 1) || a > 1 {
			t.Fatalf("N=%d: branch %q delivered %d times before the crash and arrived %d times after; the reference: %d", n, path, d, a, k)
		}
	}
	return true
}

func isFanIn(node string) bool { return node == "merge" || node == "notes_join" }
func isFork(node string) bool  { return node == "research" || node == "notes" }
