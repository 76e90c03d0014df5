package nested

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

func st(trail ...string) State {
	s := State{Trail: trail, Seen: map[string]int{}}
	for _, n := range trail {
		s.Seen[n]++
	}
	return s
}

// final is the state of every successful run from the zero State.
var final = st("top", "a", "a1", "a2", "join_a", "b", "b2", "join")

var allOnce = map[string]int{"top": 1, "a": 1, "a1": 1, "a2": 1, "join_a": 1, "b": 1, "b2": 1, "join": 1}

// checkRun checks what a successful run returned and what the fan-ins got.
func checkRun(t *testing.T, h *handlers, got State) {
	t.Helper()
	if !reflect.DeepEqual(got, final) {
		t.Errorf("final state %+v, want %+v", got, final)
	}
	if c := h.counts(); !reflect.DeepEqual(c, allOnce) {
		t.Errorf("calls %v, want each node once", c)
	}
	h.mu.Lock()
	joinAs, joins := h.joinAs, h.joins
	h.mu.Unlock()
	// a1 and a2 ran inside branch a, on copies of what a returned.
	wantJoinA := []joinACall{{S: st("top", "a"), In: JoinABranches{A1: st("top", "a", "a1"), A2: st("top", "a", "a2")}}}
	if !reflect.DeepEqual(joinAs, wantJoinA) {
		t.Errorf("join_a calls %+v, want %+v", joinAs, wantJoinA)
	}
	// join got both top-level branches; branch a ended with what join_a returned.
	wantJoin := []joinCall{{S: st("top"), In: JoinBranches{A: st("top", "a", "a1", "a2", "join_a"), B: st("top", "b", "b2")}}}
	if !reflect.DeepEqual(joins, wantJoin) {
		t.Errorf("join calls %+v, want %+v", joins, wantJoin)
	}
	// Order: join_a after a1 and a2, join after everything else.
	c := h.called()
	if len(c["join_a"]) != 1 || len(c["join"]) != 1 {
		return
	}
	for _, n := range []string{"a1", "a2"} {
		if len(c[n]) == 1 && c[n][0] > c["join_a"][0] {
			t.Errorf("%s (call %d) ran after join_a (call %d)", n, c[n][0], c["join_a"][0])
		}
	}
	for n, calls := range c {
		if n != "join" && len(calls) == 1 && calls[0] > c["join"][0] {
			t.Errorf("%s (call %d) ran after join (call %d)", n, calls[0], c["join"][0])
		}
	}
}

func TestNestedFork(t *testing.T) {
	t.Parallel()
	h := &handlers{}
	got, err := NewNested(h).Invoke(t.Context(), State{})
	if err != nil {
		t.Fatal(err)
	}
	checkRun(t, h, got)
}

// byIn groups events by where they happened, keeping their order.
func byIn(events []runtime.Event[State]) map[runtime.Branch][]casetest.Shape {
	m := map[runtime.Branch][]casetest.Shape{}
	for _, s := range casetest.Shapes(events) {
		m[s.In] = append(m[s.In], s)
	}
	return m
}

func TestStreamNestedEvents(t *testing.T) {
	t.Parallel()
	var rec casetest.Recorder[State]
	events, err := casetest.Drain(t, NewNested(&handlers{}).Stream(t.Context(), State{}, rec.Option()))
	if err != nil {
		t.Fatal(err)
	}
	var top, a uint64
	for _, e := range events {
		if e.Kind == runtime.Forked {
			switch e.Node {
			case "top":
				top = e.Fork
			case "a":
				a = e.Fork
			}
		}
	}
	if top == 0 || a == 0 || top == a {
		t.Fatalf("fork activations top %d, a %d: want two distinct non-zero ids", top, a)
	}
	main := runtime.Branch{}
	inA, inB := runtime.Branch{Fork: top, Index: 0}, runtime.Branch{Fork: top, Index: 1}
	inA1, inA2 := runtime.Branch{Fork: a, Index: 0}, runtime.Branch{Fork: a, Index: 1}
	want := map[runtime.Branch][]casetest.Shape{
		main: {
			{Kind: runtime.NodeStarted, Node: "top"},
			{Kind: runtime.NodeFinished, Node: "top"},
			{Kind: runtime.Forked, Node: "top", Fork: top, Branches: 2},
			{Kind: runtime.Joined, Node: "join", Fork: top},
			{Kind: runtime.NodeStarted, Node: "join"},
			{Kind: runtime.NodeFinished, Node: "join"},
			{Kind: runtime.Done},
		},
		inA: {
			{Kind: runtime.BranchStarted, Node: "a", In: inA},
			{Kind: runtime.NodeStarted, Node: "a", In: inA},
			{Kind: runtime.NodeFinished, Node: "a", In: inA},
			{Kind: runtime.Forked, Node: "a", In: inA, Fork: a, Parent: top, Branches: 2},
			{Kind: runtime.Joined, Node: "join_a", In: inA, Fork: a},
			{Kind: runtime.NodeStarted, Node: "join_a", In: inA},
			{Kind: runtime.NodeFinished, Node: "join_a", In: inA},
			{Kind: runtime.BranchArrived, Node: "join", In: inA},
		},
		inB: {
			{Kind: runtime.BranchStarted, Node: "b", In: inB},
			{Kind: runtime.NodeStarted, Node: "b", In: inB},
			{Kind: runtime.NodeFinished, Node: "b", In: inB},
			{Kind: runtime.NodeStarted, Node: "b2", In: inB},
			{Kind: runtime.NodeFinished, Node: "b2", In: inB},
			{Kind: runtime.BranchArrived, Node: "join", In: inB},
		},
		inA1: {
			{Kind: runtime.BranchStarted, Node: "a1", In: inA1},
			{Kind: runtime.NodeStarted, Node: "a1", In: inA1},
			{Kind: runtime.NodeFinished, Node: "a1", In: inA1},
			{Kind: runtime.BranchArrived, Node: "join_a", In: inA1},
		},
		inA2: {
			{Kind: runtime.BranchStarted, Node: "a2", In: inA2},
			{Kind: runtime.NodeStarted, Node: "a2", In: inA2},
			{Kind: runtime.NodeFinished, Node: "a2", In: inA2},
			{Kind: runtime.BranchArrived, Node: "join_a", In: inA2},
		},
	}
	if got := byIn(events); !reflect.DeepEqual(got, want) {
		t.Errorf("events by branch:\n%v\nwant\n%v\nall: %s", got, want, strings.Join(casetest.Strings(events), "\n"))
	}
	// The inner activation lies within the outer one's branch a.
	index := func(k runtime.EventKind, node string) int {
		for i, e := range events {
			if e.Kind == k && e.Node == node {
				return i
			}
		}
		t.Fatalf("no %v %s event", k, node)
		return -1
	}
	order := []int{
		index(runtime.Forked, "top"),
		index(runtime.Forked, "a"),
		index(runtime.Joined, "join_a"),
		index(runtime.Joined, "join"),
	}
	for i := 1; i < len(order); i++ {
		if order[i-1] >= order[i] {
			t.Errorf("Forked top, Forked a, Joined join_a, Joined join at %v: want increasing", order)
		}
	}
	if !reflect.DeepEqual(byIn(rec.Events()), byIn(events)) {
		t.Errorf("observer saw\n%s\nStream yielded\n%s", strings.Join(casetest.Strings(rec.Events()), "\n"), strings.Join(casetest.Strings(events), "\n"))
	}
	if last := events[len(events)-1]; !reflect.DeepEqual(last.State, final) {
		t.Errorf("Done state %+v, want %+v", last.State, final)
	}
}

// Without a worker limit every branch has a goroutine: a1, a2 and b run at
// the same time (each waits until all three have started).
func TestBranchesRunInParallel(t *testing.T) {
	t.Parallel()
	var started sync.WaitGroup
	started.Add(3)
	all := make(chan struct{})
	go func() { started.Wait(); close(all) }()
	h := &handlers{before: func(ctx context.Context, node string) error {
		switch node {
		case "a1", "a2", "b":
			started.Done()
			if !casetest.Wait(ctx, all) {
				return fmt.Errorf("%s: a1, a2 and b never all ran at once", node)
			}
		}
		return nil
	}}
	got, err := NewNested(h).Invoke(casetest.Context(t), State{})
	if err != nil {
		t.Fatal(err)
	}
	checkRun(t, h, got)
	if m := h.gauge.Max(); m != 3 {
		t.Errorf("at most %d nodes ran at once, want 3", m)
	}
}

// MaxWorkers bounds the branch goroutines. The goroutine that forks runs a
// branch itself (the last one, and any that find no free worker), and it
// is not one of the workers: with a limit of n, at most n+1 node handlers
// run at once — n workers plus the main flow's goroutine. This graph has
// at most three branch nodes in flight (a1, a2, b), so the bound bites for
// n = 1 (a runtime that ignored the limit would reach 3); for n = 2 the
// test checks that the run completes with the right result.
func TestMaxWorkersBoundsConcurrency(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2} {
		t.Run(fmt.Sprint("workers", n), func(t *testing.T) {
			t.Parallel()
			for range 5 {
				h := &handlers{hold: time.Millisecond}
				got, err := NewNested(h).Invoke(casetest.Context(t), State{}, runtime.WithMaxWorkers(n))
				if err != nil {
					t.Fatalf("MaxWorkers %d: %v", n, err)
				}
				checkRun(t, h, got)
				if m := h.gauge.Max(); m > int64(n)+1 {
					t.Errorf("MaxWorkers %d: %d node handlers ran at once, want at most %d", n, m, n+1)
				}
			}
		})
	}
}

// Many runs under small worker limits: none deadlocks (each would time out
// after casetest.Patience), none loses a branch.
func TestMaxWorkersNoDeadlock(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 2} {
		t.Run(fmt.Sprint("workers", n), func(t *testing.T) {
			t.Parallel()
			h := &handlers{}
			g := NewNested(h, runtime.WithMaxWorkers(n))
			ctx := casetest.Context(t)
			for i := range 200 {
				got, err := g.Invoke(ctx, State{})
				if err != nil {
					t.Fatalf("run %d with MaxWorkers %d: %v", i, n, err)
				}
				if !reflect.DeepEqual(got, final) {
					t.Fatalf("run %d with MaxWorkers %d: %+v, want %+v", i, n, got, final)
				}
			}
			if c := h.counts(); c["join"] != 200 || c["a1"] != 200 || c["b2"] != 200 {
				t.Errorf("calls %v, want 200 of each", c)
			}
		})
	}
}

// Concurrent runs share nothing, the worker limit included: it is per run.
func TestConcurrentRunsWithWorkerLimit(t *testing.T) {
	t.Parallel()
	g := NewNested(&handlers{}, runtime.WithMaxWorkers(1))
	ctx := casetest.Context(t)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			for range 10 {
				got, err := g.Invoke(ctx, State{})
				if err != nil || !reflect.DeepEqual(got, final) {
					t.Errorf("goroutine %d: %+v, %v", i, got, err)
					return
				}
			}
		})
	}
	wg.Wait()
}

var errA2 = errors.New("a2 failed")

// An error in a2 fails fork a in branch a of fork top; b, blocked, is
// cancelled; no fan-in runs.
func TestNestedBranchError(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 2} {
		t.Run(fmt.Sprint("workers", n), func(t *testing.T) {
			t.Parallel()
			bStarted := make(chan struct{})
			bSaw := make(chan error, 1)
			guard := casetest.Context(t)
			h := &handlers{before: func(ctx context.Context, node string) error {
				switch node {
				case "b":
					close(bStarted)
					select {
					case <-ctx.Done():
					case <-guard.Done():
					}
					bSaw <- ctx.Err()
					return ctx.Err()
				case "a2":
					if !casetest.Wait(ctx, bStarted) {
						return errors.New("b never started")
					}
					return errA2
				}
				return nil
			}}
			got, err := NewNested(h).Invoke(t.Context(), State{}, runtime.WithMaxWorkers(n))
			outer, ok := err.(*runtime.BranchError)
			if !ok {
				t.Fatalf("error %v (%T), want a *runtime.BranchError", err, err)
			}
			if outer.Fork != "top" || outer.Branch != "a" {
				t.Errorf("outer BranchError Fork %q Branch %q, want top, a", outer.Fork, outer.Branch)
			}
			inner, ok := outer.Err.(*runtime.BranchError)
			if !ok {
				t.Fatalf("outer BranchError wraps %v (%T), want a *runtime.BranchError", outer.Err, outer.Err)
			}
			if inner.Fork != "a" || inner.Branch != "a2" {
				t.Errorf("inner BranchError Fork %q Branch %q, want a, a2", inner.Fork, inner.Branch)
			}
			ne, ok := inner.Err.(*runtime.NodeError)
			if !ok || ne.Node != "a2" || ne.Err != errA2 {
				t.Errorf("inner BranchError wraps %v (%T), want NodeError{a2, errA2}", inner.Err, inner.Err)
			}
			if !errors.Is(err, errA2) {
				t.Errorf("errors.Is(%v, errA2) = false", err)
			}
			if want := "branch a of fork top: branch a2 of fork a: node a2: a2 failed"; err.Error() != want {
				t.Errorf("error text %q, want %q", err, want)
			}
			select {
			case e := <-bSaw:
				if e != context.Canceled {
					t.Errorf("b saw ctx.Err() = %v, want context.Canceled", e)
				}
			default:
				t.Error("Invoke returned before b did")
			}
			if c := h.counts(); c["join_a"] != 0 || c["join"] != 0 || c["b2"] != 0 {
				t.Errorf("calls %v: no fan-in and no b2 may run", c)
			}
			if want := st("top"); !reflect.DeepEqual(got, want) {
				t.Errorf("state %+v, want %+v (what top returned)", got, want)
			}
		})
	}
}

func panicInA1(context.Context, string) error { panic("a1 exploded") }

func TestNestedBranchPanic(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1} {
		t.Run(fmt.Sprint("workers", n), func(t *testing.T) {
			t.Parallel()
			h := &handlers{before: func(ctx context.Context, node string) error {
				if node == "a1" {
					return panicInA1(ctx, node)
				}
				return nil
			}}
			_, err := NewNested(h).Invoke(t.Context(), State{}, runtime.WithMaxWorkers(n))
			var chain []string
			for e := err; e != nil; e = errors.Unwrap(e) {
				switch e := e.(type) {
				case *runtime.BranchError:
					chain = append(chain, "branch "+e.Fork+"->"+e.Branch)
				case *runtime.NodeError:
					chain = append(chain, "node "+e.Node)
				case *runtime.PanicError:
					chain = append(chain, fmt.Sprint("panic ", e.Value))
					if !strings.Contains(string(e.Stack), "nested.panicInA1") {
						t.Errorf("stack does not name nested.panicInA1:\n%s", e.Stack)
					}
				default:
					chain = append(chain, fmt.Sprintf("%T", e))
				}
			}
			want := []string{"branch top->a", "branch a->a1", "node a1", "panic a1 exploded"}
			if !reflect.DeepEqual(chain, want) {
				t.Errorf("error chain %q, want %q (error %v)", chain, want, err)
			}
		})
	}
}

var errB2 = errors.New("b2 failed")

// Under Wait every branch finishes, nested ones included, and the errors
// of both top-level branches are joined.
func TestNestedWaitPolicy(t *testing.T) {
	t.Parallel()
	h := &handlers{before: func(ctx context.Context, node string) error {
		switch node {
		case "a1":
			return errA2
		case "b2":
			return errB2
		}
		return ctx.Err()
	}}
	_, err := NewNested(h).Invoke(t.Context(), State{}, runtime.WithOnBranchError(runtime.Wait))
	if !errors.Is(err, errA2) || !errors.Is(err, errB2) {
		t.Fatalf("error %v, want one wrapping both errA2 and errB2", err)
	}
	// a2 was not cancelled by a1's failure: it ran to completion.
	c := h.counts()
	if want := map[string]int{"top": 1, "a": 1, "a1": 1, "a2": 1, "b": 1, "b2": 1}; !reflect.DeepEqual(c, want) {
		t.Errorf("calls %v, want %v", c, want)
	}
}

// A run takes exactly 8 node executions; join is always the eighth. On a
// context that can never be done, the main flow counts its steps on the
// runtime's fast path: the fork must send it back to the full count, which
// includes the branches' steps, before join.
func TestNestedStepLimit(t *testing.T) {
	t.Parallel()
	for name, ctx := range map[string]context.Context{"cancellable": t.Context(), "background": context.Background()} {
		t.Run(name, func(t *testing.T) {
			if _, err := NewNested(&handlers{}).Invoke(ctx, State{}, runtime.WithMaxSteps(8)); err != nil {
				t.Errorf("MaxSteps 8: %v", err)
			}
			h := &handlers{}
			got, err := NewNested(h).Invoke(ctx, State{}, runtime.WithMaxSteps(7))
			if !errors.Is(err, runtime.ErrStepLimit) {
				t.Fatalf("MaxSteps 7: error %v, want ErrStepLimit", err)
			}
			if ne, ok := err.(*runtime.NodeError); !ok || ne.Node != "join" {
				t.Errorf("MaxSteps 7: error %v (%T), want the NodeError of join", err, err)
			}
			if want := st("top"); !reflect.DeepEqual(got, want) {
				t.Errorf("state %+v, want %+v", got, want)
			}
		})
	}
}

func TestStreamBreakInsideNestedFork(t *testing.T) {
	t.Parallel()
	guard := casetest.Context(t)
	bSaw := make(chan error, 1)
	h := &handlers{before: func(ctx context.Context, node string) error {
		if node == "b" {
			select {
			case <-ctx.Done():
			case <-guard.Done():
			}
			bSaw <- ctx.Err()
			return ctx.Err()
		}
		return nil
	}}
	for e := range NewNested(h).Stream(t.Context(), State{}) {
		if e.Kind == runtime.BranchArrived && e.Node == "join_a" {
			break
		}
	}
	// b may not have started when the loop broke; if it did, it was
	// cancelled, and it returned before the loop ended.
	c := h.counts()
	select {
	case e := <-bSaw:
		if e != context.Canceled {
			t.Errorf("b saw %v, want context.Canceled", e)
		}
	default:
		if c["b"] != 0 {
			t.Error("the Stream loop ended before b returned")
		}
	}
	if c["join"] != 0 || c["b2"] != 0 {
		t.Errorf("calls %v after the break", c)
	}
}
