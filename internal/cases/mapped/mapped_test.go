package mapped

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func docs(n int) []Doc {
	out := make([]Doc, n)
	for i := range out {
		out[i] = Doc{ID: i + 1, Text: fmt.Sprintf("doc%d", i+1), Tags: []string{"in"}}
	}
	return out
}

// want is the final state of a run over n docs that picked picked.
func want(n int, picked string, seen ...string) State {
	s := State{Docs: docs(n), Picked: picked, Seen: seen}
	for i := range n {
		id := i + 1
		s.Done = append(s.Done, fmt.Sprintf("%d:DOC%d×%d", id, id, 1+id%3))
		s.Total += id * id
	}
	return s
}

// TestMapInOrder: every item runs its own retry loop on its own copy, the
// fan-ins get the results in input order, whatever the worker limit and
// error policy; the caller's docs are not touched.
func TestMapInOrder(t *testing.T) {
	for _, workers := range []int{0, 1, 2, 3} {
		for _, policy := range []runtime.Policy{runtime.Cancel, runtime.Wait} {
			t.Run(fmt.Sprintf("workers=%d/%v", workers, policy), func(t *testing.T) {
				h := &handlers{}
				in := State{Docs: docs(7), Picked: "wb"}
				got, err := NewMapped(h).Invoke(context.Background(), in, runtime.WithMaxWorkers(workers), runtime.WithOnBranchError(policy))
				if err != nil {
					t.Fatal(err)
				}
				if w := want(7, "wb", "web", "books"); !reflect.DeepEqual(got, w) {
					t.Fatalf("got  %+v\nwant %+v", got, w)
				}
				if !reflect.DeepEqual(in.Docs, docs(7)) {
					t.Fatalf("the caller's docs changed: %+v", in.Docs)
				}
				// 1+ID%3 visits of summarize per doc: 2+3+1+2+3+1+2.
				if n := h.summaries.Load(); n != 14 {
					t.Fatalf("summarize ran %d times, want 14", n)
				}
			})
		}
	}
}

// TestMapEmpty: a nil and an empty list run the fan-in at once with no
// results; so does an empty selection.
func TestMapEmpty(t *testing.T) {
	for _, d := range [][]Doc{nil, {}} {
		h := &handlers{}
		var events []string
		got, err := NewMapped(h).Invoke(context.Background(), State{Docs: d}, WithMappedObserver(func(e runtime.Event[State]) {
			if e.Kind == runtime.Forked || e.Kind == runtime.Joined || e.Kind == runtime.BranchStarted {
				events = append(events, fmt.Sprintf("%v %s %d", e.Kind, e.Node, e.Branches))
			}
		}))
		if err != nil {
			t.Fatal(err)
		}
		if got.Done != nil || got.Total != 0 || got.Seen != nil || h.summaries.Load() != 0 {
			t.Fatalf("got %+v after %d summaries", got, h.summaries.Load())
		}
		wantEv := []string{"Forked plan 0", "Joined combine 0", "Forked prepare 0", "Joined total 0", "Forked route 3", "Joined merge 0"}
		if !slices.Equal(events, wantEv) {
			t.Fatalf("events %q, want %q", events, wantEv)
		}
	}
}

// TestBadInput: each ends the run with an error naming the node, never a
// panic, never a leaked goroutine (TestMain checks).
func TestBadInput(t *testing.T) {
	ctx := context.Background()
	t.Run("over max_items", func(t *testing.T) {
		h := &handlers{}
		_, err := NewMapped(h).Invoke(ctx, State{Docs: docs(101)})
		var me *runtime.MaxItemsError
		var ne *runtime.NodeError
		if !errors.As(err, &me) || me.Node != "plan" || me.Count != 101 || me.Max != 100 || !errors.As(err, &ne) || ne.Node != "plan" {
			t.Fatalf("got %v", err)
		}
		if h.summaries.Load() != 0 {
			t.Fatal("items ran although the list was too long")
		}
	})
	t.Run("items handler over max_items", func(t *testing.T) {
		h := &handlers{tasks: func(State) []Task { return make([]Task, 10001) }}
		_, err := NewMapped(h).Invoke(ctx, State{Docs: docs(1)})
		var me *runtime.MaxItemsError
		if !errors.As(err, &me) || me.Node != "prepare" || me.Count != 10001 {
			t.Fatalf("got %v", err)
		}
	})
	for _, policy := range []runtime.Policy{runtime.Cancel, runtime.Wait} {
		t.Run("item panics/"+policy.String(), func(t *testing.T) {
			_, err := NewMapped(&handlers{panicOn: 4}).Invoke(ctx, State{Docs: docs(6)}, runtime.WithOnBranchError(policy))
			var be *runtime.BranchError
			var pe *runtime.PanicError
			var ne *runtime.NodeError
			if !errors.As(err, &be) || !be.Map || be.Item != 3 || be.Fork != "plan" || !errors.As(err, &pe) || !errors.As(err, &ne) || ne.Node != "summarize" {
				t.Fatalf("got %v", err)
			}
			if !strings.Contains(err.Error(), "item 3 of map plan") {
				t.Fatalf("error does not name the item: %v", err)
			}
		})
		t.Run("item fails/"+policy.String(), func(t *testing.T) {
			_, err := NewMapped(&handlers{failOn: 2}).Invoke(ctx, State{Docs: docs(6)}, runtime.WithOnBranchError(policy))
			if !errors.Is(err, errItem) {
				t.Fatalf("got %v", err)
			}
		})
	}
	t.Run("cancel stops blocked items", func(t *testing.T) {
		// Under Cancel, item 2's failure cancels item 5, which waits for
		// its context: the run returns, with no goroutine left.
		_, err := NewMapped(&handlers{failOn: 2, blockOn: 5}).Invoke(ctx, State{Docs: docs(6)})
		if !errors.Is(err, errItem) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("run cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		h := &handlers{blockOn: 3}
		done := make(chan error)
		go func() {
			_, err := NewMapped(h).Invoke(cctx, State{Docs: docs(4)})
			done <- err
		}()
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("select outside its set", func(t *testing.T) {
		_, err := NewMapped(&handlers{}).Invoke(ctx, State{Docs: docs(1), Picked: "wx"})
		var se *runtime.SelectError
		var ne *runtime.NodeError
		if !errors.As(err, &se) || se.Fork != "route" || se.Branches != 3 || !errors.As(err, &ne) || ne.Node != "route" {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("select nothing", func(t *testing.T) {
		got, err := NewMapped(&handlers{}).Invoke(ctx, State{Docs: docs(2)})
		if err != nil || got.Seen != nil || len(got.Done) != 2 {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
}

// TestCrashMatrix: see casetest.CrashMatrix; the run maps twice (its items
// recorded at fork time, each on its own path) and selects two branches.
func TestCrashMatrix(t *testing.T) {
	g := NewMapped(&handlers{})
	n := casetest.CrashMatrix(t, casetest.Durable[State]{
		Invoke: func(ctx context.Context, opts ...runtime.Option) (State, error) {
			return g.Invoke(ctx, State{Docs: docs(4), Picked: "pb"}, opts...)
		},
		Resume: g.Resume,
		FanIns: []string{"combine", "total", "merge"},
	})
	if n == 0 {
		t.Fatal("no cut crashed a run")
	}
	t.Logf("%d cuts crashed a run", n)
}

// TestResumeKeepsItems: a run cut after the fork record of "prepare"
// resumes on the items recorded then, though ItemsPrepare would now build
// others, and it is not asked again.
func TestResumeKeepsItems(t *testing.T) {
	ctx := context.Background()
	mem := runtime.NewMemoryStore()
	h := &handlers{tasks: func(s State) []Task { return []Task{{N: 2}, {N: 3}} }}
	// Find the write that records the fork of prepare, then crash right after it.
	cut := 0
	probe := &casetest.CrashStore{Store: runtime.NewMemoryStore(), Limit: 1 << 30}
	if _, err := NewMapped(h).Invoke(ctx, State{Docs: docs(1)}, runtime.WithStore(probe), runtime.WithThread("p")); err != nil {
		t.Fatal(err)
	}
	recs, _ := probe.Load(ctx, "p")
	for _, r := range recs {
		if r.Kind == runtime.ForkRecord && r.Node == "prepare" {
			cut = int(r.Seq)
		}
	}
	if cut == 0 {
		t.Fatal("no fork record of prepare")
	}
	crash := &casetest.CrashStore{Store: mem, Limit: cut}
	_, err := NewMapped(h).Invoke(ctx, State{Docs: docs(1)}, runtime.WithStore(crash), runtime.WithThread("t"))
	if !errors.Is(err, casetest.ErrCrash) {
		t.Fatalf("the cut run ended with %v", err)
	}
	h2 := &handlers{tasks: func(s State) []Task { return []Task{{N: 100}} }}
	got, err := NewMapped(h2).Resume(ctx, "t", runtime.WithStore(mem))
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != 4+9 || h2.itemsCall.Load() != 0 {
		t.Fatalf("total %d after %d calls of ItemsPrepare; want 13 from the recorded items and no call", got.Total, h2.itemsCall.Load())
	}
}
