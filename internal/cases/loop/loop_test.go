package loop

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/graphc/graphc/internal/cases/casetest"
	"github.com/graphc/graphc/runtime"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// handlers runs count and route, or by default adds one to Count and loops
// again while Count < Limit; it counts the calls.
type handlers struct {
	count  func(ctx context.Context, s State) (State, error)
	route  func(ctx context.Context, s State) (CountRoute, error)
	counts atomic.Int32
	routes atomic.Int32
}

var _ LoopHandlers = (*handlers)(nil)

func (h *handlers) Count(ctx context.Context, s State) (State, error) {
	h.counts.Add(1)
	if h.count != nil {
		return h.count(ctx, s)
	}
	s.Count++
	return s, nil
}

func (h *handlers) RouteCount(ctx context.Context, s State) (CountRoute, error) {
	h.routes.Add(1)
	if h.route != nil {
		return h.route(ctx, s)
	}
	return untilLimit(s), nil
}

func untilLimit(s State) CountRoute {
	if s.Count < s.Limit {
		return CountAgain
	}
	return CountDone
}

func (h *handlers) calls() [2]int32 { return [2]int32{h.counts.Load(), h.routes.Load()} }

func nodeError(t *testing.T, err error) *runtime.NodeError {
	t.Helper()
	ne, ok := errors.AsType[*runtime.NodeError](err)
	if !ok {
		t.Fatalf("error %v (%T) is no *runtime.NodeError", err, err)
	}
	if ne.Node != "count" {
		t.Fatalf("NodeError.Node = %q, want \"count\" (error: %v)", ne.Node, err)
	}
	return ne
}

func TestLoopsUntilDone(t *testing.T) {
	t.Parallel()
	for _, limit := range []int{0, 1, 2, 1000} {
		t.Run(fmt.Sprint("limit", limit), func(t *testing.T) {
			t.Parallel()
			h := &handlers{}
			got, err := NewLoop(h).Invoke(t.Context(), State{Limit: limit})
			if err != nil {
				t.Fatal(err)
			}
			n := max(limit, 1) // count runs before its route is asked
			if want := (State{Count: n, Limit: limit}); got != want {
				t.Errorf("Invoke = %+v, want %+v", got, want)
			}
			if c := h.calls(); c != [2]int32{int32(n), int32(n)} {
				t.Errorf("calls (count, route) = %v, want %d each", c, n)
			}
		})
	}
}

func TestRouteSeesWhatCountReturned(t *testing.T) {
	t.Parallel()
	var seen []int
	h := &handlers{route: func(_ context.Context, s State) (CountRoute, error) {
		seen = append(seen, s.Count) // the main flow is one goroutine
		return untilLimit(s), nil
	}}
	if _, err := NewLoop(h).Invoke(t.Context(), State{Count: 10, Limit: 13}); err != nil {
		t.Fatal(err)
	}
	if want := []int{11, 12, 13}; !reflect.DeepEqual(seen, want) {
		t.Errorf("route saw Count %v, want %v", seen, want)
	}
}

func TestStreamEvents(t *testing.T) {
	t.Parallel()
	events, err := casetest.Drain(t, NewLoop(&handlers{}).Stream(t.Context(), State{Limit: 3}))
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := range 3 {
		next := "count"
		if i == 2 {
			next = "__end__"
		}
		want = append(want, "NodeStarted count [main]", "NodeFinished count -> "+next+" [main]")
	}
	want = append(want, "Done")
	if got := casetest.Strings(events); !reflect.DeepEqual(got, want) {
		t.Fatalf("events %q, want %q", got, want)
	}
	for i, e := range events {
		var want State
		switch {
		case e.Kind == runtime.NodeFinished:
			want = State{Count: i/2 + 1, Limit: 3}
		case e.Kind == runtime.Done:
			want = State{Count: 3, Limit: 3}
		}
		if e.State != want {
			t.Errorf("event %d %v: state %+v, want %+v", i, e, e.State, want)
		}
	}
}

// contexts are the two paths of the runtime's step count: a context that
// can be cancelled is asked before every node; one that can never be done
// lets the main flow count on the fast path (see runtime.Exec.Enter).
func contexts(t *testing.T) map[string]context.Context {
	return map[string]context.Context{"cancellable": t.Context(), "background": context.Background()}
}

func TestStepLimit(t *testing.T) {
	t.Parallel()
	for name, ctx := range contexts(t) {
		t.Run(name, func(t *testing.T) {
			h := &handlers{}
			got, err := NewLoop(h).Invoke(ctx, State{Limit: 100}, runtime.WithMaxSteps(10))
			if !errors.Is(err, runtime.ErrStepLimit) {
				t.Fatalf("Invoke error %v, want ErrStepLimit", err)
			}
			nodeError(t, err)
			if sl, ok := errors.AsType[*runtime.StepLimitError](err); !ok || sl.Limit != 10 {
				t.Errorf("StepLimitError = %+v, want Limit 10", sl)
			}
			for _, part := range []string{"node count", "10", "max_steps", "WithMaxSteps"} {
				if !strings.Contains(err.Error(), part) {
					t.Errorf("error %q does not mention %q", err, part)
				}
			}
			// Ten node executions ran; the state is what the tenth returned.
			if want := (State{Count: 10, Limit: 100}); got != want {
				t.Errorf("state = %+v, want %+v", got, want)
			}
			if c := h.calls(); c != [2]int32{10, 10} {
				t.Errorf("calls (count, route) = %v, want 10 each", c)
			}
		})
	}
}

// MaxSteps is the number of node executions allowed: a run that needs
// exactly that many succeeds.
func TestStepLimitIsInclusive(t *testing.T) {
	t.Parallel()
	for name, ctx := range contexts(t) {
		t.Run(name, func(t *testing.T) {
			got, err := NewLoop(&handlers{}, runtime.WithMaxSteps(10)).Invoke(ctx, State{Limit: 10})
			if err != nil {
				t.Fatalf("a run of exactly MaxSteps nodes failed: %v", err)
			}
			if got.Count != 10 {
				t.Errorf("Count = %d, want 10", got.Count)
			}
		})
	}
}

func TestDefaultStepLimit(t *testing.T) {
	t.Parallel()
	for name, ctx := range contexts(t) {
		t.Run(name, func(t *testing.T) {
			h := &handlers{}
			got, err := NewLoop(h).Invoke(ctx, State{Limit: 2 * runtime.DefaultMaxSteps})
			if !errors.Is(err, runtime.ErrStepLimit) {
				t.Fatalf("Invoke error %v, want ErrStepLimit", err)
			}
			nodeError(t, err)
			if got.Count != runtime.DefaultMaxSteps || h.counts.Load() != runtime.DefaultMaxSteps {
				t.Errorf("Count = %d after %d calls, want %d", got.Count, h.counts.Load(), runtime.DefaultMaxSteps)
			}
			// WithMaxSteps(0) means the default too.
			if _, err := NewLoop(&handlers{}).Invoke(ctx, State{Limit: 2 * runtime.DefaultMaxSteps}, runtime.WithMaxSteps(0)); !errors.Is(err, runtime.ErrStepLimit) {
				t.Errorf("WithMaxSteps(0): error %v, want ErrStepLimit", err)
			}
		})
	}
}

func TestInvalidRoute(t *testing.T) {
	t.Parallel()
	for _, r := range []CountRoute{0, 3, 99, 255} {
		t.Run(r.String(), func(t *testing.T) {
			t.Parallel()
			h := &handlers{route: func(context.Context, State) (CountRoute, error) { return r, nil }}
			got, err := NewLoop(h).Invoke(t.Context(), State{Limit: 5})
			nodeError(t, err)
			re, ok := errors.AsType[*runtime.RouteError](err)
			if !ok {
				t.Fatalf("error %v wraps no *runtime.RouteError", err)
			}
			if re.Type != "CountRoute" || re.Value != uint64(r) {
				t.Errorf("RouteError = %+v, want Type CountRoute Value %d", re, r)
			}
			want := fmt.Sprintf("node count: route returned CountRoute(%d), which is none of its labels", r)
			if err.Error() != want {
				t.Errorf("error text %q, want %q", err, want)
			}
			if want := (State{Count: 1, Limit: 5}); got != want {
				t.Errorf("state = %+v, want %+v (what count returned)", got, want)
			}
			if c := h.calls(); c != [2]int32{1, 1} {
				t.Errorf("calls = %v, want one each", c)
			}
		})
	}
}

func TestRouteString(t *testing.T) {
	t.Parallel()
	for r, want := range map[CountRoute]string{CountAgain: "again", CountDone: "done", 0: "CountRoute(0)", 7: "CountRoute(7)"} {
		if got := r.String(); got != want {
			t.Errorf("CountRoute(%d).String() = %q, want %q", uint8(r), got, want)
		}
	}
}

var errNoRoute = errors.New("no route")

func TestRouteError(t *testing.T) {
	t.Parallel()
	h := &handlers{route: func(_ context.Context, s State) (CountRoute, error) {
		if s.Count == 3 {
			return CountAgain, errNoRoute // the label is ignored
		}
		return CountAgain, nil
	}}
	got, err := NewLoop(h).Invoke(t.Context(), State{Limit: 100})
	nodeError(t, err)
	if !errors.Is(err, errNoRoute) {
		t.Errorf("errors.Is(%v, errNoRoute) = false", err)
	}
	if err.Error() != "node count: no route" {
		t.Errorf("error text %q", err)
	}
	if want := (State{Count: 3, Limit: 100}); got != want {
		t.Errorf("state = %+v, want %+v", got, want)
	}
	if c := h.calls(); c != [2]int32{3, 3} {
		t.Errorf("calls = %v, want 3 each", c)
	}
}

func routePanics(context.Context, State) (CountRoute, error) { panic("no way out") }

func TestRoutePanic(t *testing.T) {
	t.Parallel()
	h := &handlers{route: routePanics}
	got, err := NewLoop(h).Invoke(t.Context(), State{Limit: 3})
	nodeError(t, err)
	pe, ok := errors.AsType[*runtime.PanicError](err)
	if !ok {
		t.Fatalf("error %v wraps no *runtime.PanicError", err)
	}
	if pe.Value != "no way out" || !strings.Contains(string(pe.Stack), "loop.routePanics") {
		t.Errorf("PanicError %v with stack\n%s\nwant Value \"no way out\" and loop.routePanics in the stack", pe, pe.Stack)
	}
	if want := (State{Count: 1, Limit: 3}); got != want {
		t.Errorf("state = %+v, want %+v", got, want)
	}
}

// Cancelling the context in the fifth iteration stops the run before the
// sixth starts.
func TestCancelMidRun(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	h := &handlers{count: func(_ context.Context, s State) (State, error) {
		s.Count++
		if s.Count == 5 {
			cancel()
		}
		return s, nil
	}}
	got, err := NewLoop(h).Invoke(ctx, State{Limit: 1000})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Invoke error %v, want context.Canceled", err)
	}
	nodeError(t, err)
	if want := (State{Count: 5, Limit: 1000}); got != want {
		t.Errorf("state = %+v, want %+v", got, want)
	}
	if c := h.calls(); c != [2]int32{5, 5} {
		t.Errorf("calls (count, route) = %v, want 5 each", c)
	}
}

// A route handler that cancels stops the run before the next node.
func TestCancelFromRoute(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	h := &handlers{route: func(_ context.Context, s State) (CountRoute, error) {
		if s.Count == 2 {
			cancel()
		}
		return CountAgain, nil
	}}
	got, err := NewLoop(h).Invoke(ctx, State{Limit: 1000})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Invoke error %v, want context.Canceled", err)
	}
	nodeError(t, err)
	if got.Count != 2 || h.counts.Load() != 2 {
		t.Errorf("Count %d after %d calls, want 2", got.Count, h.counts.Load())
	}
}

func TestStreamBreakMidLoop(t *testing.T) {
	t.Parallel()
	h := &handlers{}
	n := 0
	for e, err := range NewLoop(h).Stream(t.Context(), State{Limit: 1000}) {
		if err != nil {
			t.Fatalf("event %v: %v", e, err)
		}
		if e.Kind == runtime.NodeStarted {
			n++
			if n == 4 {
				break
			}
		}
	}
	// The fourth count was reported as started, so it may have run (the
	// break raced with it); the fifth was not, so it must not.
	if c := h.counts.Load(); c != 3 && c != 4 {
		t.Errorf("count ran %d times after a break at its fourth start, want 3 or 4", c)
	}
}

func TestConcurrentLoops(t *testing.T) {
	t.Parallel()
	g := NewLoop(&handlers{}, runtime.WithMaxSteps(500))
	done := make(chan [2]State)
	for i := range 20 {
		go func() {
			s, err := g.Invoke(t.Context(), State{Limit: i * 10})
			if err != nil {
				t.Error(err)
			}
			done <- [2]State{{Count: max(i*10, 1), Limit: i * 10}, s}
		}()
	}
	for range 20 {
		r := casetest.Await(t, done, "a concurrent run")
		if r[0] != r[1] {
			t.Errorf("run got %+v, want %+v", r[1], r[0])
		}
	}
}

// With no observer, a node transition allocates nothing: a run of a
// thousand iterations allocates what a run of one does.
func TestNoAllocationsPerStep(t *testing.T) {
	g := NewLoop(&handlers{})
	allocs := func(limit int) float64 {
		return testing.AllocsPerRun(20, func() {
			if _, err := g.Invoke(context.Background(), State{Limit: limit}); err != nil {
				t.Fatal(err)
			}
		})
	}
	if one, many := allocs(1), allocs(1000); many != one {
		t.Errorf("a run of 1 step allocates %v times, a run of 1000 steps %v times; want the same", one, many)
	}
}
